"""A fast reader for the common record file: plain YAML data, read from libyaml's node tree.

load.py reads every file event by event in Python: that refuses anchors, aliases, tags, merge keys,
deep nesting and second documents with exact messages, but costs about twice libyaml's own
`yaml.load`. Most files use none of those, and for them libyaml's composer (C) plus one walk over
its nodes gives the same data and the same positions in less time.

`read_plain(text)` returns (data, positions) only when it is sure the careful reader would return
the same; on anything unusual (a character that could start an anchor, alias, tag, directive or
merge key; flow collections that could nest deeply; a duplicate key; a scalar the careful reader
might refuse) it returns None and load.py reads the file the careful way, with its messages.
tests/test_scale.py checks that both readers agree on every real and synthetic record.
"""

from __future__ import annotations

import yaml

from pipeline_tracker import load as _load
from pipeline_tracker.problems import pointer_token

# Anything that could be an anchor (&), alias (*), tag (!), merge key (<<), directive (%) or a
# document marker: such files go to the careful reader. (Substring tests: a regex costs 10× more.)
_UNUSUAL = ("&", "*", "!", "<<", "\n%", "\n---", "\n...")
_UNUSUAL_START = ("%", "---", "...")
_MAX_FLOW = 16  # more '[' or '{' than this (in text or not) and nesting depth is not obvious
_MAX_DEPTH = 16  # well under load.MAX_DEPTH; deeper files go to the careful reader
_STR = "tag:yaml.org,2002:str"


class _NotPlain(Exception):
    """The file needs the careful reader."""


class _Loader(yaml.CSafeLoader):
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
    del _Loader.resolve, _Loader.descend_resolver, _Loader.ascend_resolver


def read_plain(
    text: str, positions: bool = True
) -> tuple[object, dict[str, tuple[int, int]] | None] | None:
    """(data, positions) for a plain-data YAML text, or None: read it with load.py's reader.
    With positions=False the positions are not collected (None): records read for a build need
    them only if a check fails, and then load.Record finds them again from the text."""
    if any(mark in text for mark in _UNUSUAL) or text.startswith(_UNUSUAL_START):
        return None
    if text.count("[") + text.count("{") > _MAX_FLOW:
        return None
    loader = _Loader(text)
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


def _value(node, pointer: str, positions: dict | None, loader: _Loader, depth: int):
    """The node's data; with `positions`, also the line and column of every JSON pointer below it
    (scalars at their value, containers at their key). Without, no pointer is built."""
    if depth > _MAX_DEPTH:
        raise _NotPlain
    kind = type(node)
    if kind is yaml.MappingNode:
        result: dict = {}
        for key_node, value_node in node.value:
            if type(key_node) is not yaml.ScalarNode or key_node.tag != _STR:
                raise _NotPlain  # non-text keys (or keys like 12, true) get the careful reader
            key = key_node.value
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
                    value_node.value
                    if value_node.tag == _STR
                    else _scalar(value_node, child, loader)
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
                items.append(item.value if item.tag == _STR else _scalar(item, child, loader))
            else:
                items.append(_value(item, child, positions, loader, depth + 1))
        return items
    if node.tag == _STR:
        return node.value
    return _scalar(node, pointer, loader)


def _scalar(node, pointer: str, loader: _Loader):
    """Numbers, yes/no values, nulls and dates: exactly as the careful reader reads them."""
    if node.style:  # a quoted non-text scalar needs an explicit tag: not plain data
        raise _NotPlain
    event = yaml.ScalarEvent(
        None, None, (True, False), node.value, node.start_mark, node.end_mark, node.style
    )
    try:
        return _load._scalar(event, pointer, loader)
    except _load._BadYaml:
        raise _NotPlain from None
