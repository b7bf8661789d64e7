"""Evidence: citations (a source id, or an id with the source's own words), archived source texts,
and the rules that every identity fact is cited and every quote occurs in its source's text."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline_tracker.records.load import Record, _visible
from pipeline_tracker.records.normalise import has_content, quote_form
from pipeline_tracker.records.problems import Problem

if TYPE_CHECKING:
    from pipeline_tracker.records.cache import FileCache

Records = dict[str, dict[str, Record]]

# Drug fields that state what the drug is; each needs citations under `evidence:` when given.
IDENTITY_FIELDS = ("inn", "name_zh", "code_names", "synonyms", "modality", "mechanism")
NOT_STATED = "not stated"  # a modality no source states, and that the curator does not infer
ARCHIVE = "archive"  # records/archive/<local_copy>: the archived texts of sources
MAX_ARCHIVE_BYTES = 2 * 1024 * 1024
_ARCHIVE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,120}")


def citation_id(citation) -> str | None:
    """The source id of a citation (a plain id, or {source, quote})."""
    if isinstance(citation, str):
        return citation
    if isinstance(citation, dict) and isinstance(citation.get("source"), str):
        return citation["source"]
    return None


def citation_ids(citations) -> tuple[str, ...]:
    """Source ids of a citation list, in order, each once."""
    seen: dict[str, None] = {}
    for citation in citations or ():
        sid = citation_id(citation)
        if sid is not None:
            seen.setdefault(sid, None)
    return tuple(seen)


def citation_quotes(citations) -> tuple[tuple[str, str], ...]:
    """(source id, quote) for every quoted citation in a list."""
    return tuple(
        (c["source"], c["quote"])
        for c in citations or ()
        if isinstance(c, dict)
        and isinstance(c.get("source"), str)
        and isinstance(c.get("quote"), str)
    )


def normalise(text: str) -> str:
    """The form quotes and archived texts are compared in: normalise.quote_form (NFKC but for
    numbers such as superscripts, typographic quotes and dashes as ASCII, invisible characters
    dropped, every run of whitespace one space). Case and words are left as they are."""
    return quote_form(text)


def _refuse_duplicates(pairs):
    keys = [k for k, _ in pairs]
    if len(keys) != len(set(keys)):
        raise ValueError("a key appears twice in one object")
    return dict(pairs)


def _no_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def parse_json_copy(text: str):
    """A JSON archive's data: strict JSON (no NaN, no repeated keys), else ValueError."""
    return json.loads(text, object_pairs_hook=_refuse_duplicates, parse_constant=_no_constant)


def json_text(value) -> str | None:
    """A JSON scalar as a quote can state it: strings as they are, numbers and booleans in their
    JSON spelling (246, 2.5, true); None for objects, arrays and null."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    return None


def json_at(data, pointer: str):
    """The value at a JSON pointer (RFC 6901), or KeyError when nothing is there."""
    if pointer == "":
        return data
    if not pointer.startswith("/"):
        raise KeyError(pointer)
    for raw in pointer[1:].split("/"):
        part = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(data, dict) and part in data:
            data = data[part]
        elif isinstance(data, list) and part.isdigit() and int(part) < len(data):
            data = data[int(part)]
        else:
            raise KeyError(pointer)
    return data


def _scalars(data) -> Iterator[str]:
    if isinstance(data, dict):
        for value in data.values():
            yield from _scalars(value)
    elif isinstance(data, list):
        for value in data:
            yield from _scalars(value)
    else:
        text = json_text(data)
        if text is not None:
            yield text


@dataclass
class JsonCopy:
    """An archived JSON copy (a registry record): its data, and its values normalised. A quote
    citing it must be one of its values (at the citation's pointer, when given), not a fragment
    of its text: the registry holds values, and a value cut short may say something else."""

    data: object
    values: frozenset[str] = dataclasses.field(default_factory=frozenset)

    @classmethod
    def of(cls, data) -> JsonCopy:
        return cls(data, frozenset(normalise(v) for v in _scalars(data)))


class Archive(dict[str, "str | JsonCopy"]):
    """The archived copies that could be read, by file name; `unreadable` names those that exist
    but could not be (too large, not UTF-8, not JSON): their problem is said once, on the file,
    not again as "no archived copy" on the source and on every quote that cites it."""

    unreadable: set[str]

    def __init__(self) -> None:
        super().__init__()
        self.unreadable = set()

    def has(self, name: str) -> bool:
        """Whether a file of this name is in the archive folder, readable or not."""
        return name in self or name in self.unreadable


def read_archive(
    records_path: Path, shown: str = "records", cache: FileCache | None = None
) -> tuple[Archive, list[Problem]]:
    """The archived source texts in records/archive/ by file name, normalised (a .json copy
    parsed, see JsonCopy). Links, folders and files that are not UTF-8 text are refused (a link
    could point anywhere), and so is a .json copy that is not strict JSON. With `cache`
    (records/cache.py), an unchanged copy is not read again."""
    folder = records_path / ARCHIVE
    texts = Archive()
    problems: list[Problem] = []
    if not folder.is_dir() or folder.is_symlink():
        if folder.is_symlink():
            problems.append(
                Problem(
                    f"{shown}/{ARCHIVE}",
                    1,
                    1,
                    "",
                    "the archive folder may not be a link",
                    "",
                    "files",
                )
            )
        return texts, problems
    folded_names: dict[str, str] = {}
    for file in sorted(folder.iterdir()):
        where = f"{shown}/{ARCHIVE}/{_visible(file.name)}"
        if file.name.startswith("."):
            continue
        if not _ARCHIVE_NAME.fullmatch(file.name) or file.is_symlink() or not file.is_file():
            problems.append(
                Problem(
                    where,
                    1,
                    1,
                    "",
                    "archived copies are plain files named with letters, digits, '.', '_' and '-'",
                    "",
                    "files",
                )
            )
            continue
        folded = file.name.casefold()
        if folded in folded_names:
            problems.append(
                Problem(
                    where,
                    1,
                    1,
                    "",
                    f"archived copy differs only by case from '{_visible(folded_names[folded])}'",
                    "a case-insensitive disk holds only one of them; keep one file",
                    "files",
                )
            )  # still read: the quotes citing it are checked as usual
        folded_names.setdefault(folded, file.name)
        if cache is None:
            value, found = read_copy(file, where)
        else:
            value, found = cache.copy(file, where, read_copy)
        problems.extend(found)
        if value is None:
            texts.unreadable.add(file.name)
        else:
            texts[file.name] = value
    return texts, problems


def _read_at_most(file: Path, limit: int) -> bytes:
    """At most `limit` bytes of a file (it may have grown since its size was read)."""
    with file.open("rb") as handle:
        return handle.read(limit)


def _citations(data, pointer: str = "") -> Iterator[tuple[str, dict]]:
    """(pointer, citation object) for every quoted citation anywhere in a record."""
    if isinstance(data, dict):
        for key, value in data.items():
            if (key == "sources" or key.endswith("_sources")) and isinstance(value, list):
                for index, item in enumerate(value):  # status_sources too
                    if isinstance(item, dict):
                        yield f"{pointer}/{key}/{index}", item
            elif key == "evidence" and isinstance(value, dict):
                for field, citations in value.items():
                    for index, item in enumerate(citations if isinstance(citations, list) else ()):
                        if isinstance(item, dict):
                            yield f"{pointer}/evidence/{field}/{index}", item
            else:
                yield from _citations(value, f"{pointer}/{key}")
    elif isinstance(data, list):
        for index, item in enumerate(data):
            yield from _citations(item, f"{pointer}/{index}")


def _quoted(record: Record) -> Sequence[tuple[str, dict]]:
    """_citations(record.data), kept in the record's memo where it has one (records/cache.py)."""
    if record.memo is None:
        return list(_citations(record.data))
    found = record.memo.get(_citations)
    if found is None:
        found = record.memo[_citations] = tuple(_citations(record.data))
    return found


def _json_citation_problem(citation: dict, copy: JsonCopy) -> tuple[str, str, str] | None:
    """(field, message, hint) when a citation of a JSON copy does not hold, else None."""
    pointer, quote = citation.get("pointer"), citation.get("quote")
    if isinstance(pointer, str):
        try:
            held = json_at(copy.data, pointer)
        except KeyError:
            return "pointer", "the archived record holds nothing at this pointer", ""
        text = json_text(held)
        if isinstance(quote, str) and (text is None or normalise(quote) != normalise(text)):
            shown = "an object or a list" if text is None else repr(text[:80])
            return (
                "quote",
                f"quote is not the value the archived record holds at {pointer} ({shown})",
                "copy the value exactly, or re-import the registry record",
            )
        return None
    if isinstance(quote, str) and normalise(quote) not in copy.values:
        return (
            "quote",
            "quote is not a value the archived record holds",
            "a quote from a JSON copy is a whole value (give its pointer to say where)",
        )
    return None


def quote_problems(records: Records, archive: Archive) -> Iterator[Problem]:
    """Every quote occurs in its source's archived copy, where the source has one; a citation of a
    JSON copy (a registry record) quotes one of its values, the one at its pointer when given."""
    sources = records.get("sources", {})
    for by_id in records.values():
        for record in by_id.values():
            if not record.schema_ok:
                continue  # rules read only schema-valid data (rules.subjects)
            for pointer, citation in _quoted(record):
                quote, sid = citation.get("quote"), citation.get("source")
                if isinstance(quote, str) and not has_content(quote):
                    yield record.problem(
                        f"{pointer}/quote",
                        "quote has no letter or digit once spaces and invisible characters are "
                        "dropped",
                        "copy the source's words, or cite the source without a quote",
                        "quotes",
                    )
                    continue
                if not isinstance(sid, str) or sid not in sources:
                    continue
                copy = sources[sid].data.get("local_copy")
                if isinstance(copy, str) and copy in archive.unreadable:
                    continue  # said once, on the archived file
                if not isinstance(copy, str) or copy not in archive:
                    if isinstance(citation.get("pointer"), str):
                        yield record.problem(
                            f"{pointer}/pointer",
                            f"a pointer needs a JSON archived copy, and '{sid}' has none",
                            "give the source a .json local_copy, or remove the pointer",
                            "quotes",
                        )
                    continue  # a missing copy is reported once, on the source record
                held = archive[copy]
                if isinstance(held, JsonCopy):
                    found = _json_citation_problem(citation, held)
                    if found:
                        yield record.problem(f"{pointer}/{found[0]}", found[1], found[2], "quotes")
                    continue
                if isinstance(citation.get("pointer"), str):
                    yield record.problem(
                        f"{pointer}/pointer",
                        f"a pointer needs a JSON archived copy; '{sid}' has a text copy ({copy})",
                        "remove the pointer",
                        "quotes",
                    )
                    continue
                if not isinstance(quote, str):
                    continue
                if normalise(quote) not in held:
                    yield record.problem(
                        f"{pointer}/quote",
                        f"quote not found in the archived copy of '{sid}' ({ARCHIVE}/{copy})",
                        "copy the source's words exactly; only whitespace, quote marks, dashes and invisible "
                        "characters may differ (CONTRIBUTING.md: How quotes and names are compared)",
                        "quotes",
                    )


def missing_archive_problems(records: Records, archive: Archive) -> Iterator[Problem]:
    """A source that names a local copy has it in records/archive/."""
    for record in records.get("sources", {}).values():
        copy = record.data.get("local_copy")
        if isinstance(copy, str) and not archive.has(copy):
            yield record.problem(
                "/local_copy",
                f"no archived copy '{copy}' in records/{ARCHIVE}/",
                "add the source's text there, or remove local_copy",
                "quotes",
            )


def rule_identity_facts_cited(records: Records) -> Iterator[Problem]:
    """Every identity fact a drug record states (INN, Chinese name, code names, synonyms,
    modality, mechanism) has citations under `evidence:`, unless it is marked inferred (with its
    reason, under `inferred:`) or is the modality 'not stated'; every target entry cites a source."""
    for record in records.get("drugs", {}).values():
        if not record.schema_ok:
            continue  # rules read only schema-valid data (rules.subjects)
        data = record.data
        evidence = data.get("evidence") or {}
        inferred = data.get("inferred") or {}
        for field in IDENTITY_FIELDS:
            if field not in data or evidence.get(field) or field in inferred:
                continue
            if field == "modality" and data[field] == NOT_STATED:
                continue
            yield record.problem(
                f"/{field}",
                f"{field} has no citation",
                f"add evidence: {{{field}: [<source id>]}} with a quote that states it; "
                f"or, if no source states it, give the reason under inferred: {{{field}: …}}"
                + (" or write 'not stated'" if field == "modality" else f" or remove {field}"),
                "evidence",
            )
        for index, target in enumerate(data.get("targets") or []):
            if isinstance(target, dict) and not target.get("sources"):
                yield record.problem(
                    f"/targets/{index}",
                    "target has no citation",
                    "add sources: [<source id>] to this target entry",
                    "evidence",
                )


# Facts on target, company and indication pages that come from a source (names, ids a curator is
# sure of, and the curator's own classification such as a parent indication are not in this list).
DESCRIBED_FACTS = {
    "targets": ("aliases", "family", "description"),
    "companies": ("former_names", "name_zh", "country", "city", "tickers", "type", "description"),
    "indications": ("synonyms", "description"),
}


def rule_described_facts_cited(records: Records) -> Iterator[Problem]:
    """A target, company or indication record that states facts beyond its name cites a source."""
    for kind, fields in DESCRIBED_FACTS.items():
        for record in records.get(kind, {}).values():
            if not record.schema_ok:
                continue  # rules read only schema-valid data (rules.subjects)
            stated = [f for f in fields if f in record.data]
            if stated and not record.data.get("sources"):
                yield record.problem(
                    f"/{stated[0]}",
                    f"{', '.join(stated)}: no citation",
                    "add sources: [<source id>] (with quotes where you can) or remove these fields",
                    "evidence",
                )


def read_copy(file: Path, where: str) -> tuple[str | JsonCopy | None, list[Problem]]:
    """One archived copy, normalised (a .json copy parsed), or None and why it cannot be read."""
    try:  # the size is checked before reading: a 300 MB file is never read
        too_big = file.stat().st_size > MAX_ARCHIVE_BYTES
        data = b"" if too_big else _read_at_most(file, MAX_ARCHIVE_BYTES + 1)
    except OSError as error:
        return None, [Problem(where, 1, 1, "", f"cannot read it: {error.strerror}", "", "files")]
    if too_big or len(data) > MAX_ARCHIVE_BYTES:
        return None, [Problem(where, 1, 1, "", "archived copy larger than 2 MiB", "", "files")]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None, [Problem(where, 1, 1, "", "archived copy is not UTF-8 text", "", "files")]
    if file.name.endswith(".json"):
        try:
            return JsonCopy.of(parse_json_copy(text)), []
        except (ValueError, RecursionError) as error:
            return None, [
                Problem(where, 1, 1, "", f"archived copy is not JSON: {error}", "", "files")
            ]
    return normalise(text), []
