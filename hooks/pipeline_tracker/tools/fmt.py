"""Rewrite records into one canonical YAML form, so a diff shows changed facts and nothing else.

The canonical form: keys in the schema's `properties` order (unknown keys last, as written),
2-space block style with indented list dashes, one quoting style (double quotes, only where plain
text would be read as something else; dates always), multi-line text as `|` blocks, lists whose
order carries no meaning sorted, UTF-8 without escapes, one final newline, no trailing spaces.
Comments are refused: the loader drops them, so rewriting would lose them silently.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from pipeline_tracker.records.load import KINDS, SLUG, parse_record_text
from pipeline_tracker.records.problems import Problem, visible
from pipeline_tracker.records.rules import DATE_KEYS
from pipeline_tracker.records.schemas import load_schemas, resolve
from pipeline_tracker.tools.safefs import UnsafePath, check_inside, write_atomic

# Lists of ids or codes where only membership matters. Not here on purpose: status rows, arms,
# results, endpoints, trial drugs (the first is the lead drug), sponsors, former names, tickers.
UNORDERED_KEYS = frozenset(
    {"sources", "regions", "territory", "countries", "code_names", "synonyms", "aliases"}
)
_NOT_PRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")


class _Quoted(str):
    """Text that is always written in double quotes (dates: 2019 would otherwise be a number)."""


def _is_date(raw: dict, key: str | None) -> bool:
    return key in DATE_KEYS or str(raw.get("$ref", "")).endswith("/$defs/date")


def canonical_data(value, node: dict, doc: str, schemas: dict[str, dict], key: str | None = None):
    """The record's data in canonical order, with date strings marked for quoting."""
    raw = node if isinstance(node, dict) else {}
    resolved, doc = resolve(raw, doc, schemas)
    if isinstance(value, dict):
        props = resolved.get("properties", {})
        keys = [k for k in props if k in value] + [k for k in value if k not in props]
        return {k: canonical_data(value[k], props.get(k, {}), doc, schemas, k) for k in keys}
    if isinstance(value, list):
        items = [canonical_data(v, resolved.get("items", {}), doc, schemas) for v in value]
        if key in UNORDERED_KEYS and all(isinstance(v, str) for v in items):
            items.sort(key=lambda v: (v.casefold(), v))
        return items
    if isinstance(value, str) and _is_date(raw, key):
        return _Quoted(value)
    return value


def _plain_ok(text: str) -> bool:
    """Whether text written unquoted reads back as the same text, in a list or a mapping."""
    if not text or text != text.strip() or "\n" in text or _NOT_PRINTABLE.search(text):
        return False
    if text[0] in "\"'" or text.startswith(("? ", "- ", "! ")) or text in ("?", "-", "!"):
        return False
    if text[0] in "[{&*!|>%@`":
        # Plain, these start a flow collection, an anchor, alias, tag, block scalar, directive or
        # reserved indicator: never the same text. Not parsing them also keeps libyaml's
        # composer (which recurses in C) away from 200 KB of '['.
        return False
    try:
        return yaml.load(f"k: {text}\n", Loader=yaml.CSafeLoader) == {"k": text} and yaml.load(
            f"- {text}\n", Loader=yaml.CSafeLoader
        ) == [text]
    except yaml.YAMLError:
        return False


def _quoted(text: str) -> str:
    """A YAML double-quoted scalar (JSON escapes are YAML escapes), keeping non-ASCII as written."""
    body = json.dumps(text, ensure_ascii=False)
    return _NOT_PRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", body)


def _block_ok(text: str) -> bool:
    lines = text.rstrip("\n").split("\n")
    return (
        "\n" in text.rstrip("\n")
        and not text.endswith("\n\n")
        and not _NOT_PRINTABLE.search(text)
        and "\t" not in text
        and not lines[0].startswith(" ")
        and all(line == line.rstrip() for line in lines)
        and lines[0] != ""
    )


def _number(value) -> str:
    if isinstance(value, float):
        text = repr(value)
        if "e" in text and "." not in text:  # YAML 1.1 reads 1e+20 as text; 1.0e+20 is a number
            text = text.replace("e", ".0e")
        return text
    return str(value)


class _CanonicalDumper(yaml.SafeDumper):
    """PyYAML's emitter with the canonical form's choices made before it sees a scalar: list
    dashes indented under their key, no aliases, no line wrapping, and each scalar in the style
    the representers chose (plain, double-quoted or `|` block), never a style of its own."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        return super().increase_indent(flow, False)

    def ignore_aliases(self, data) -> bool:
        return True

    def choose_scalar_style(self) -> str:
        if self.analysis is None:
            self.analysis = self.analyze_scalar(self.event.value)
        return self.event.style or ""


def _text_node(text: str, style: str | None) -> yaml.ScalarNode:
    return yaml.ScalarNode("tag:yaml.org,2002:str", text, style=style)


def _represent_str(dumper: _CanonicalDumper, value: str) -> yaml.ScalarNode:
    text = str(value)
    if not isinstance(value, _Quoted) and _block_ok(text):
        return _text_node(text, "|")
    plain = not isinstance(value, _Quoted) and _plain_ok(text)
    return _text_node(text, None if plain else '"')


def _represent_dict(dumper: _CanonicalDumper, data: dict) -> yaml.MappingNode:
    pairs = []
    for key, value in data.items():
        text = str(key)
        plain = SLUG.match(text.replace("_", "-")) and _plain_ok(text)
        pairs.append((_text_node(text, None if plain else '"'), dumper.represent_data(value)))
    return yaml.MappingNode("tag:yaml.org,2002:map", pairs, flow_style=False)


def _represent_list(dumper: _CanonicalDumper, data: list) -> yaml.SequenceNode:
    items = [dumper.represent_data(item) for item in data]
    return yaml.SequenceNode("tag:yaml.org,2002:seq", items, flow_style=False)


def _represent_number(dumper: _CanonicalDumper, value) -> yaml.ScalarNode:
    tag = "tag:yaml.org,2002:float" if isinstance(value, float) else "tag:yaml.org,2002:int"
    return yaml.ScalarNode(tag, _number(value))


_CanonicalDumper.add_representer(str, _represent_str)
_CanonicalDumper.add_representer(_Quoted, _represent_str)
_CanonicalDumper.add_representer(dict, _represent_dict)
_CanonicalDumper.add_representer(list, _represent_list)
_CanonicalDumper.add_representer(int, _represent_number)
_CanonicalDumper.add_representer(float, _represent_number)


def dump(data: dict) -> str:
    """Canonical YAML text for canonical data (see canonical_data)."""
    return yaml.dump(
        data, Dumper=_CanonicalDumper, allow_unicode=True, width=2**31 - 1, sort_keys=False
    )


def comment_lines(text: str) -> list[int]:
    """Line numbers of YAML comments: a '#' outside every scalar token."""
    loader = yaml.CSafeLoader(text)
    spans = []
    try:
        while loader.check_token():
            token = loader.get_token()
            if isinstance(token, yaml.ScalarToken):
                start, end = token.start_mark, token.end_mark
                spans.append(((start.line, start.column), (end.line, end.column)))
    except yaml.YAMLError:
        return []
    finally:
        loader.dispose()
    found = []
    for number, line in enumerate(text.split("\n")):
        for column, char in enumerate(line):
            if char == "#" and not any(a <= (number, column) < b for a, b in spans):
                found.append(number + 1)
                break
    return found


@dataclass
class Formatted:
    path: str  # as shown to curators
    file: Path
    original: str
    canonical: str | None  # None when the file cannot be formatted (see problems)
    problems: list[Problem]

    @property
    def changed(self) -> bool:
        return self.canonical is not None and self.canonical != self.original


def format_text(
    text: str, path: str, kind: str, strip_comments: bool = False
) -> tuple[str | None, list[Problem]]:
    """The canonical text of one record, or None and the problems that stop formatting it."""
    record_id = Path(path).name[: -len(".yaml")] if path.endswith(".yaml") else "record"
    record, problems = parse_record_text(text.lstrip("\ufeff"), path, kind, record_id)
    if record is None:
        return None, problems
    comments = [] if strip_comments else comment_lines(text)
    if comments:
        lines = ", ".join(map(str, comments[:5])) + (", …" if len(comments) > 5 else "")
        return None, [
            Problem(
                path,
                comments[0],
                1,
                "",
                f"has comments (line {lines}), which fmt would drop",
                "move what they say into `notes`, or run `pipeline-tracker fmt --strip-comments` "
                "on this file to drop them",
                "fmt",
            )
        ]
    schemas = load_schemas()
    data = canonical_data(record.data, schemas[kind], kind, schemas)
    out = dump(data)
    if yaml.load(out, Loader=yaml.CSafeLoader) != _comparable(data):
        # Never write a file that reads back differently; say so instead.
        return None, [
            Problem(
                path,
                1,
                1,
                "",
                "fmt cannot write this record so it reads back the same",
                "please report this as a bug",
                "fmt",
            )
        ]
    return out, []


def _comparable(value):
    """Data as libyaml reads it back: quoted dates are text, like the loader makes them."""
    if isinstance(value, dict):
        return {k: _comparable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_comparable(v) for v in value]
    if isinstance(value, _Quoted):
        return str(value)
    return value


def record_files(paths: list[Path], records: Path) -> tuple[list[tuple[Path, str]], list[Problem]]:
    """(file, kind) of each record file named or under a folder named; all records by default.
    Only regular files inside the records folder, reached through no link, are record files: fmt
    never rewrites a file a link points at."""
    found: list[tuple[Path, str]] = []
    problems: list[Problem] = []
    for given in paths or [records]:
        files = sorted(_walk(given)) if given.is_dir() and not given.is_symlink() else [given]
        for file in files:
            kind = file.parent.name
            shown = file.as_posix()
            if not file.exists() and not file.is_symlink():
                problems.append(Problem(shown, 1, 1, "", "no such file", "", "files"))
                continue
            try:
                check_inside(file, records)
            except UnsafePath as error:
                problems.append(
                    Problem(
                        shown,
                        1,
                        1,
                        "",
                        f"not rewritten: {error}",
                        "fmt writes only record files inside the records folder",
                        "files",
                    )
                )
                continue
            if kind not in KINDS or not file.name.endswith(".yaml") or not file.is_file():
                problems.append(
                    Problem(
                        shown,
                        1,
                        1,
                        "",
                        "not a record: records are records/<kind>/<id>.yaml",
                        "kinds: " + ", ".join(KINDS),
                        "files",
                    )
                )
            else:
                found.append((file, kind))
    return found, problems


def _walk(folder: Path):
    """The .yaml files below a folder, never descending into a link (a link loop or a link out of
    the tree is not followed); linked files are listed, for record_files to refuse."""
    for parent, folders, names in os.walk(folder):
        folders[:] = [name for name in folders if not (Path(parent) / name).is_symlink()]
        for name in names:
            if name.endswith(".yaml"):
                yield Path(parent) / name


def format_files(
    files: list[tuple[Path, str]], root: Path, strip_comments: bool = False
) -> list[Formatted]:
    results = []
    for file, kind in files:
        try:
            shown = file.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            shown = file.as_posix()
        try:
            original = file.read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError) as error:
            problem = Problem(
                shown,
                1,
                1,
                "",
                f"cannot read the file as UTF-8: {error}",
                "save it as UTF-8",
                "fmt",
            )
            results.append(Formatted(shown, file, "", None, [problem]))
            continue
        canonical, problems = format_text(original, shown, kind, strip_comments)
        results.append(Formatted(shown, file, original, canonical, problems))
    return results


def run(
    paths: list[str], check: bool = False, strip_comments: bool = False, root: Path | None = None
) -> int:
    """The `fmt` command: rewrite records (or with check, list those not canonical); 1 on any."""
    import sys

    from pipeline_tracker.records.load import records_dir
    from pipeline_tracker.records.problems import format_problems

    root = root or Path.cwd()
    files, problems = record_files([Path(p) for p in paths], records_dir(root))
    results = format_files(files, root, strip_comments)
    problems += [p for r in results for p in r.problems]
    changed = [r for r in results if r.changed]
    for result in changed:
        if check:
            print(f"{visible(result.path)}: not in canonical form")
        else:
            try:
                write_atomic(result.file, result.canonical.encode("utf-8"), records_dir(root))
            except (OSError, UnsafePath) as error:
                problems.append(
                    Problem(result.path, 1, 1, "", f"not rewritten: {error}", "", "files")
                )
                continue
            print(f"reformatted {visible(result.path)}")
    if problems:
        print(format_problems(problems))
    if check and changed:
        names = " ".join(visible(r.path) for r in changed)
        print(
            f"{len(changed)} file(s) to reformat: run `pipeline-tracker fmt {names}`",
            file=sys.stderr,
        )
    elif not problems:
        done = "already canonical" if check or not changed else "canonical now"
        print(f"{len(results)} record file(s) {done}.", file=sys.stderr)
    return 1 if problems or (check and changed) else 0
