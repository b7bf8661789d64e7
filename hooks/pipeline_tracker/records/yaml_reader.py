"""The one YAML reader for record text: every path (validate, build, serve, fmt, diff) reads here.

Two ways to read, one result:

* `read_events` (careful): builds the data from libyaml's *events* in Python, without recursion.
  It refuses anchors, aliases, tags, merge keys, second documents, nesting deeper than MAX_DEPTH
  and numbers beyond MAX_DIGITS digits, each with an exact message (a `BadYaml`).
* `read_plain` (fast): libyaml's composer (C) plus one walk over its nodes, for the common plain
  file; about twice as fast. The composer recurses in C, once per nesting level, and a 200 KB
  file of `- - - … x` or `? ? ? … x` crashes the process. So the fast path only takes a text
  whose nesting depth is bounded by its shape (no tab, no long run of blanks, no long chain of
  `-`/`?`/`:` indicators, few brackets: at most a few hundred levels, which C handles), and gives
  up (None) on anything the careful reader might read differently.

`read(text)` tries the fast way, then the careful way. tests/test_scale.py checks that both agree
on every real and synthetic record; tests/test_security.py and tests/test_fuzz.py that no nesting
crashes any command.
"""

from __future__ import annotations

import math
import re
import sys
from typing import Any

import yaml

from pipeline_tracker.records.problems import pointer_token

MAX_DEPTH = 32
MAX_DIGITS = 15  # |n| < 10^15: exact as a float, far beyond any count or amount a record holds
_YAML11_BOOLS = re.compile(r"(y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)")
# Octal (017), hexadecimal (0x1F), binary and base-60 (1:20) numbers of YAML 1.1.
_YAML11_NUMBERS = re.compile(r"^[-+]?(0[0-9_]|0[xob]|[0-9][0-9_]*(\.[0-9_]*)?:[0-5]?[0-9])")
_DIGIT = re.compile(r"[0-9]")
_STR = "tag:yaml.org,2002:str"
# Keys and short values repeat across records (field names, phases, countries, source and company
# ids): one string object each, shared by every record that holds it. At 10,000 drugs the records'
# 2.0 million strings are 194,000 distinct texts: 130 MB of strings become 23 MB.
_SHARED_UP_TO = 100


def _shared(text: str) -> str:
    return sys.intern(text) if len(text) <= _SHARED_UP_TO else text


# Fast-path gates. Anything that could be an anchor (&), alias (*), tag (!), merge key (<<),
# directive (%) or a document marker goes to the careful reader (substring tests: cheap).
_UNUSUAL = ("&", "*", "!", "<<", "\n%", "\n---", "\n...", "\t", " " * 48)
_UNUSUAL_START = ("%", "---", "...")
_MAX_FLOW = 16  # more '[' or '{' than this (in text or not) and nesting depth is not obvious
_CHAIN = re.compile(r"(?:[-?:] +){6}")  # `- - - - - - x`: one nesting level per indicator
# Two indicators apart only by blanks: every chain starts with one. Looked for first, as it is a
# quarter of _CHAIN's cost (0.16 s against 0.70 s over the 37,020 files of 10,000 drugs, most of
# the gate's time) and plain records hold none, so _CHAIN runs only where one is.
_PAIR = re.compile(r"[-?:] +[-?:]")
_FAST_DEPTH = 16  # well under MAX_DEPTH; deeper files go to the careful reader


class BadYaml(Exception):
    """Text the reader refuses, with the line, column and pointer of the reason."""

    def __init__(self, line: int, col: int, pointer: str, message: str, hint: str = ""):
        super().__init__(message)
        self.line, self.col, self.pointer, self.message, self.hint = (
            line,
            col,
            pointer,
            message,
            hint,
        )


def _bad(mark, pointer: str, message: str, hint: str = "") -> BadYaml:
    return BadYaml(mark.line + 1, mark.column + 1, pointer, message, hint)


class _EventLoader(yaml.CSafeLoader):
    """libyaml's parser; the careful reader builds the data from its events, never a node tree."""


def _scalar(text: str, plain: bool, mark, end_mark, pointer: str, loader):
    """The value of one scalar, refusing the YAML 1.1 readings that surprise curators and numbers
    too large to be a count or an amount (a 5,000-digit integer, 10^309)."""
    tag = loader.resolve(yaml.ScalarNode, text, (True, False)) if plain else _STR
    if tag == _STR:
        return _shared(text)
    if tag == "tag:yaml.org,2002:bool" and _YAML11_BOOLS.fullmatch(text):
        raise _bad(
            mark,
            pointer,
            f"'{text}' would be read as a yes/no value",
            f"quote it if you mean the text: '{text}'; write true or false for a yes/no value",
        )
    if tag == "tag:yaml.org,2002:timestamp":
        return _shared(text)  # an unquoted date is read as the curator meant it: the same text
    number = tag in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")
    if number and _YAML11_NUMBERS.search(text):
        raise _bad(
            mark,
            pointer,
            f"'{text}' would be read as a YAML 1.1 number (octal, hexadecimal or base 60)",
            f"quote it if you mean the text: '{text}'; write numbers in plain decimal",
        )
    if tag == "tag:yaml.org,2002:int" and len(_DIGIT.findall(text)) > MAX_DIGITS:
        raise _bad(
            mark,
            pointer,
            f"a number of {len(_DIGIT.findall(text))} digits is too large for a record",
            f"numbers have at most {MAX_DIGITS} digits; quote it if it is text",
        )
    construct = loader.yaml_constructors.get(tag)
    if construct is None or tag in ("tag:yaml.org,2002:merge", "tag:yaml.org,2002:value"):
        return text  # '<<' or '=' as a value is the text typed
    value = construct(loader, yaml.ScalarNode(tag, text, mark, end_mark, None))
    if isinstance(value, float) and (not math.isfinite(value) or abs(value) >= 10**MAX_DIGITS):
        raise _bad(
            mark,
            pointer,
            f"'{text}' is not a usable number",
            f"numbers are finite and below 10^{MAX_DIGITS}",
        )
    return value


def _refuse_decorations(event, pointer: str) -> None:
    """Anchors, aliases and tags: record files are plain data, written out in full."""
    if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
        raise _bad(
            event.start_mark,
            pointer,
            "YAML anchors (&name) and aliases (*name) are not allowed in records",
            "write the value out in full",
        )
    tag = getattr(event, "tag", None)
    explicit = (
        not any(event.implicit) if isinstance(event, yaml.ScalarEvent) else not event.implicit
    )
    if tag is not None and tag != "!" and explicit:
        raise _bad(
            event.start_mark,
            pointer,
            f"YAML tags ({tag.replace('tag:yaml.org,2002:', '!!')}) are not allowed in records",
            "remove the tag; quote the value if it is text",
        )


def read_events(text: str) -> tuple[object, dict[str, tuple[int, int]]]:
    """(data, positions) of one document, read the careful way: from the parser's events, without
    recursion (so no nesting depth can exhaust the stack) and without ever expanding an alias.
    Raises BadYaml or yaml.YAMLError."""
    loader = _EventLoader(text)
    try:
        return _read_events(loader)
    finally:
        loader.dispose()


def _read_events(loader: _EventLoader) -> tuple[object, dict]:
    loader.get_event()  # stream start
    if loader.check_event(yaml.StreamEndEvent):
        raise BadYaml(1, 1, "", "the file is empty", "start from `pipeline-tracker new`")
    loader.get_event()  # document start
    positions: dict[str, tuple[int, int]] = {}
    # Each frame: [container, pointer, key waiting for its value (mappings only)].
    stack: list[list] = []
    root = None
    while True:
        # PyYAML types events and marks as Optional; the parser always sets them.
        event: Any = loader.get_event()
        mark: Any = event.start_mark
        if isinstance(event, yaml.DocumentEndEvent):
            break
        if stack and isinstance(stack[-1][0], dict) and stack[-1][2] is None:
            # A mapping key, or the mapping's end.
            container, pointer, _ = stack[-1]
            if isinstance(event, yaml.MappingEndEvent):
                stack.pop()
                continue
            _refuse_decorations(event, pointer)
            if not isinstance(event, yaml.ScalarEvent):
                raise _bad(event.start_mark, pointer, "mapping keys must be plain text")
            key = _shared(event.value)
            child = f"{pointer}/{pointer_token(key)}"
            if key == "<<" and not event.style:
                raise _bad(
                    event.start_mark,
                    child,
                    "YAML merge keys (<<) are not allowed in records",
                    "write the fields out in full",
                )
            if key in container:
                raise _bad(
                    event.start_mark,
                    child,
                    f"duplicate key '{key}'",
                    "each key may appear once; merge the two entries",
                )
            positions[child] = (mark.line + 1, mark.column + 1)
            stack[-1][2] = key
            continue
        if isinstance(event, yaml.SequenceEndEvent):
            stack.pop()
            continue
        # A value: the root, a sequence item, or the value of the waiting key.
        if not stack:
            pointer = ""
            positions[""] = (mark.line + 1, mark.column + 1)
        elif isinstance(stack[-1][0], list):
            pointer = f"{stack[-1][1]}/{len(stack[-1][0])}"
            positions[pointer] = (mark.line + 1, mark.column + 1)
        else:
            pointer = f"{stack[-1][1]}/{pointer_token(stack[-1][2])}"
            if isinstance(event, yaml.ScalarEvent):  # scalars at their value, containers at key
                positions[pointer] = (mark.line + 1, mark.column + 1)
        _refuse_decorations(event, pointer)
        value: Any
        if isinstance(event, yaml.MappingStartEvent):
            value = {}
        elif isinstance(event, yaml.SequenceStartEvent):
            value = []
        else:
            plain = event.implicit[0] and not event.style
            value = _scalar(event.value, plain, event.start_mark, event.end_mark, pointer, loader)
        if not stack:
            root = value
        elif isinstance(stack[-1][0], list):
            stack[-1][0].append(value)
        else:
            stack[-1][0][stack[-1][2]] = value
            stack[-1][2] = None
        if isinstance(value, (dict, list)) and isinstance(event, yaml.CollectionStartEvent):
            if len(stack) >= MAX_DEPTH:
                raise _bad(
                    event.start_mark,
                    pointer,
                    f"nested more than {MAX_DEPTH} levels deep",
                    "records are shallow; check the indentation",
                )
            stack.append([value, pointer, None])
    if not loader.check_event(yaml.StreamEndEvent):
        extra: Any = loader.get_event()
        raise _bad(
            extra.start_mark,
            "",
            "a record file holds one YAML document",
            "remove the second '---' and what follows, or move it to its own file",
        )
    return root, positions


class _NotPlain(Exception):
    """The file needs the careful reader."""


class _NodeLoader(yaml.CSafeLoader):
    """libyaml's parser and composer, with the resolver's per-node callbacks made cheap: safe YAML
    has no path resolvers, and a scalar whose first character starts no implicit resolver (most
    text) is text. The same answers as yaml's Resolver, about 15% less composing time."""

    def descend_resolver(self, current_node, current_index):
        pass

    def ascend_resolver(self):
        pass

    def resolve(self, kind, value, implicit):
        if kind is yaml.ScalarNode and (not implicit[0] or value[:1] not in _RESOLVER_STARTS):
            return _STR
        return yaml.resolver.Resolver.resolve(self, kind, value, implicit)


# First characters some implicit resolver (bool, int, float, null, timestamp, …) looks at; "" is
# the empty scalar (null). Should a resolver ever apply to every first character (key None) or a
# path resolver exist, the shortcut is off and yaml's Resolver answers everything.
_RESOLVER_STARTS = frozenset(k for k in yaml.CSafeLoader.yaml_implicit_resolvers if k is not None)
if None in yaml.CSafeLoader.yaml_implicit_resolvers or yaml.CSafeLoader.yaml_path_resolvers:
    del _NodeLoader.resolve, _NodeLoader.descend_resolver, _NodeLoader.ascend_resolver


def shallow(text: str) -> bool:
    """Whether libyaml's composer may read this text: its nesting depth is bounded by its shape.
    Block nesting needs a deeper indentation (no run of 48 blanks, no tab) or a chain of
    indicators on one line (`- - x`, `? ? x`, fewer than 6); flow nesting needs brackets."""
    if any(mark in text for mark in _UNUSUAL) or text.startswith(_UNUSUAL_START):
        return False
    if text.count("[") + text.count("{") > _MAX_FLOW:
        return False
    return _PAIR.search(text) is None or _CHAIN.search(text) is None


def read_plain(
    text: str, positions: bool = True
) -> tuple[object, dict[str, tuple[int, int]] | None] | None:
    """(data, positions) for a plain-data YAML text, or None: read it with read_events.
    With positions=False the positions are not collected (None): records read for a build need
    them only if a check fails, and then load.Record finds them again from the text."""
    if not shallow(text):
        return None
    loader = _NodeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        where = {"": (node.start_mark.line + 1, node.start_mark.column + 1)} if positions else None
        data = _value(node, "", where, loader, 0)
    except Exception:  # noqa: BLE001 - any doubt: the careful reader decides and explains
        return None
    finally:
        loader.dispose()
    return data, where


def read(text: str, positions: bool = False) -> tuple[object, dict | None]:
    """(data, positions or None) of a record text: the fast way when it can, else the careful way
    (which raises BadYaml or yaml.YAMLError on what it refuses)."""
    fast = read_plain(text, positions)
    if fast is not None:
        return fast
    return read_events(text)


def _value(node, pointer: str, positions: dict | None, loader: _NodeLoader, depth: int):
    """The node's data; with `positions`, also the line and column of every JSON pointer below it
    (scalars at their value, containers at their key). Without, no pointer is built."""
    if depth > _FAST_DEPTH:
        raise _NotPlain
    kind = type(node)
    if kind is yaml.MappingNode:
        result: dict = {}
        for key_node, value_node in node.value:
            if type(key_node) is not yaml.ScalarNode or key_node.tag != _STR:
                raise _NotPlain  # non-text keys (or keys like 12, true) get the careful reader
            key = _shared(key_node.value)
            if key in result:
                raise _NotPlain
            scalar = type(value_node) is yaml.ScalarNode
            child = ""
            if positions is not None:
                child = f"{pointer}/{pointer_token(key)}"
                mark = value_node.start_mark if scalar else key_node.start_mark
                positions[child] = (mark.line + 1, mark.column + 1)
            if scalar:
                result[key] = (
                    _shared(value_node.value)
                    if value_node.tag == _STR
                    else _node_scalar(value_node, child, loader)
                )
            else:
                result[key] = _value(value_node, child, positions, loader, depth + 1)
        return result
    if kind is yaml.SequenceNode:
        items = []
        for index, item in enumerate(node.value):
            child = ""
            if positions is not None:
                child = f"{pointer}/{index}"
                mark = item.start_mark
                positions[child] = (mark.line + 1, mark.column + 1)
            if type(item) is yaml.ScalarNode:
                items.append(
                    _shared(item.value) if item.tag == _STR else _node_scalar(item, child, loader)
                )
            else:
                items.append(_value(item, child, positions, loader, depth + 1))
        return items
    if node.tag == _STR:
        return _shared(node.value)
    return _node_scalar(node, pointer, loader)


def _node_scalar(node, pointer: str, loader: _NodeLoader):
    """Numbers, yes/no values, nulls and dates: exactly as the careful reader reads them."""
    if node.style:  # a quoted non-text scalar needs an explicit tag: not plain data
        raise _NotPlain
    try:
        return _scalar(node.value, True, node.start_mark, node.end_mark, pointer, loader)
    except BadYaml:
        raise _NotPlain from None
