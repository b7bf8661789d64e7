"""What a change to the records means for readers: `pipeline-tracker diff [BASE]`.

Compares the records at a git revision (origin/main when it exists, else HEAD) with the working
tree: highest phases per drug × indication × region (as the pages show them), records added and
removed, and the fields changed in each record. The markdown form is escaped for a PR summary.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

from pipeline_tracker.model.claims import date_text, display_name, status_label
from pipeline_tracker.model.tracker import PhaseRow, link
from pipeline_tracker.records.evidence import (
    ARCHIVE,
    MAX_ARCHIVE_BYTES,
    JsonCopy,
    normalise,
    read_archive,
)
from pipeline_tracker.records.evidence import _citations as _quoted_citations
from pipeline_tracker.records.load import (
    KINDS,
    MAX_FILE_BYTES,
    Record,
    load_records,
    parse_record_text,
    records_dir,
)
from pipeline_tracker.records.problems import visible
from pipeline_tracker.records.validate import check_records
from pipeline_tracker.site.escape import markdown_text

Records = dict[str, dict[str, Record]]


class GitError(Exception):
    pass


def _git(args: list[str], cwd: Path, data: bytes | None = None) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, input=data, capture_output=True, check=False)
    except OSError as error:
        raise GitError(f"cannot run git: {error.strerror}") from None
    if done.returncode != 0:
        raise GitError(done.stderr.decode("utf-8", "replace").strip() or f"git {args[0]} failed")
    return done.stdout


def default_base(cwd: Path) -> str:
    try:
        _git(["rev-parse", "--verify", "-q", "origin/main^{commit}"], cwd)
        return "origin/main"
    except GitError:
        return "HEAD"


def _listing(base: str, records: Path) -> tuple[Path, list[tuple[str, int, list[str], str]]]:
    """(top of the work tree, [(blob sha, size, path parts under records/, path)]) at a revision."""
    folder = records.resolve()
    top = Path(_git(["rev-parse", "--show-toplevel"], folder).decode().strip()).resolve()
    prefix = folder.relative_to(top).as_posix()
    listing = _git(["ls-tree", "-r", "-z", "-l", base, "--", f"{prefix}/"], top)
    blobs = []
    for entry in filter(None, listing.decode("utf-8", "replace").split("\0")):
        meta, path = entry.split("\t", 1)
        fields = meta.split()
        if fields[1] == "blob" and fields[3].isdigit():
            blobs.append((fields[2], int(fields[3]), path[len(prefix) + 1 :].split("/"), path))
    return top, blobs


def records_at(base: str, records: Path, too_large: list[str] | None = None) -> Records:
    """The records as they were at a git revision, read with one `git cat-file --batch`. A record
    file larger than a record may be (load.MAX_FILE_BYTES) is not read: at most that many bytes
    per record come from git (an 8 MB file at the base once was read whole)."""
    top, blobs = _listing(base, records)
    wanted = []
    for sha, size, parts, path in blobs:
        if len(parts) == 2 and parts[0] in KINDS and parts[1].endswith(".yaml"):
            if size > MAX_FILE_BYTES:
                if too_large is not None:
                    too_large.append(path)
                continue
            wanted.append((sha, parts[0], parts[1][: -len(".yaml")], path))
    out = _git(["cat-file", "--batch"], top, "".join(f"{sha}\n" for sha, *_ in wanted).encode())
    by_kind: Records = {kind: {} for kind in KINDS}
    offset = 0
    for _sha, kind, record_id, path in wanted:
        header_end = out.index(b"\n", offset)
        size = int(out[offset:header_end].split()[2])
        body = out[header_end + 1 : header_end + 1 + size]
        offset = header_end + 1 + size + 1
        record, _problems = parse_record_text(
            body.decode("utf-8", "replace").lstrip("\ufeff"), path, kind, record_id
        )
        if record is not None:
            by_kind[kind][record_id] = record
    return by_kind


def archive_at(base: str, records: Path) -> dict[str, str]:
    """The archived copies at a revision: file name → git blob id (their text is never read)."""
    _top, blobs = _listing(base, records)
    return {
        parts[1]: sha
        for sha, _size, parts, _path in blobs
        if len(parts) == 2 and parts[0] == ARCHIVE
    }


def _blob_id(file: Path) -> str | None:
    """The git blob id of a file in the work tree; None when it is no plain file or too large."""
    try:
        if file.is_symlink() or not file.is_file() or file.stat().st_size > MAX_ARCHIVE_BYTES:
            return None
        with file.open("rb") as handle:
            data = handle.read(MAX_ARCHIVE_BYTES + 1)
    except OSError:
        return None
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def archive_changes(before: dict[str, str], records: Path, new: Records) -> list[str]:
    """Archived copies added, removed or edited, and for each the quotes that cite it: how many,
    and which of them its text no longer holds."""
    folder = records / ARCHIVE
    now: dict[str, str | None] = {}
    if folder.is_dir() and not folder.is_symlink():
        now = {f.name: _blob_id(f) for f in sorted(folder.iterdir()) if not f.name.startswith(".")}
    changed = sorted(
        name
        for name in set(before) | set(now)
        if before.get(name) != now.get(name) or now.get(name) is None
    )
    if not changed:
        return []
    texts, _problems = read_archive(records)
    quotes: dict[str, list[tuple[str, str]]] = {}  # archive name → [(where, quote)]
    sources = new.get("sources", {})
    for kind, by_id in new.items():
        for rid, record in by_id.items():
            for pointer, citation in _quoted_citations(record.data):
                sid, quote = citation.get("source"), citation.get("quote")
                copy = sources[sid].data.get("local_copy") if sid in sources else None
                if isinstance(copy, str) and isinstance(quote, str):
                    quotes.setdefault(copy, []).append((f"{kind}/{rid} {pointer}/quote", quote))
    lines = []
    for name in changed:
        state = "added" if name not in before else "removed" if name not in now else "changed"
        if name in now and now[name] is None:
            state += " (not a readable text of at most 2 MiB)"
        cited = quotes.get(name, [])
        held = texts.get(name, "")
        # A JSON copy holds values: a quote is found when it is one of them (its pointer aside).
        within = held.values if isinstance(held, JsonCopy) else held
        lost = [where for where, quote in cited if normalise(quote) not in within]
        line = f"{ARCHIVE}/{name}: {state}; cited by {len(cited)} quote{'s' if len(cited) != 1 else ''}"
        if lost:
            line += f"; no longer found: {', '.join(lost)}"
        lines.append(line)
    return lines


def _name(records: Records, kind: str, record_id: str) -> str:
    return display_name(records, kind, record_id)


def _phases(records: Records) -> dict[tuple[str, str, str], PhaseRow] | None:
    if check_records(records):
        return None
    tracker = link(records)
    rows = {
        (r.drug, r.indication, r.region): r
        for drug in tracker.phase_rows
        for r in tracker.highest_by_indication_region(drug)
    }
    # Special access is listed apart: it is never a phase, so it never hides or beats one.
    for drug in tracker.phase_rows:
        for r in tracker.special_access_rows(drug):
            rows.setdefault((r.drug, r.indication, f"{r.region} (special access)"), r)
    return rows


def _phase_text(row: PhaseRow) -> str:
    """The row's one label (claims.status_label), inferred values named."""
    return status_label(row).plain


def summary(old: Records, new: Records) -> list[tuple[str, list[str]]]:
    """(section title, lines) in readers' words; record text is returned raw (see render)."""
    sections: list[tuple[str, list[str]]] = []
    before, after = _phases(old), _phases(new)
    if before is None or after is None:
        sections.append(
            (
                "Phases",
                ["not compared: the records have problems (run `pipeline-tracker validate`)"],
            )
        )
    else:
        lines = []
        for key in sorted(set(before) | set(after)):
            was, now = before.get(key), after.get(key)
            if (
                was
                and now
                and (_phase_text(was), date_text(was)) == (_phase_text(now), date_text(now))
            ):
                continue
            drug, indication, region = key
            side = new if now else old
            names = (_name(side, "drugs", drug), _name(side, "indications", indication), region)
            label = " · ".join(names)
            if now is None:
                assert was is not None
                lines.append(f"{label}: no longer listed (was {_phase_text(was)})")
                continue
            change = (
                f"{_phase_text(was)} → {_phase_text(now)}" if was else f"new at {_phase_text(now)}"
            )
            if was and _phase_text(was) == _phase_text(now):
                dates = f"{date_text(was)} → {date_text(now)}"
                change = f"{_phase_text(now)}, date {dates}"
            dated = f", {date_text(now)}" if now.date else ""
            lines.append(f"{label}: {change}{dated} [{', '.join(now.sources)}]")
        sections.append(("Phases", lines))
    added, removed, changed = [], [], []
    for kind in KINDS:
        for rid in sorted(set(old[kind]) | set(new[kind])):
            if rid not in old[kind]:
                added.append(f"{kind}/{rid}: {_name(new, kind, rid)}")
            elif rid not in new[kind]:
                removed.append(f"{kind}/{rid}: {_name(old, kind, rid)}")
            elif old[kind][rid].data != new[kind][rid].data:
                a, b = old[kind][rid].data, new[kind][rid].data
                parts = []
                for verb, keys in (
                    ("changed", [k for k in b if k in a and a[k] != b[k]]),
                    ("added", [k for k in b if k not in a]),
                    ("removed", [k for k in a if k not in b]),
                ):
                    if keys:
                        parts.append(f"{verb} {', '.join(keys)}")
                changed.append(f"{kind}/{rid}: {'; '.join(parts)}")
    sections += [
        ("Added records", added),
        ("Removed records", removed),
        ("Changed records", changed),
    ]
    return sections


def render(base: str, sections: list[tuple[str, list[str]]], markdown: bool) -> str:
    out = [f"## Record changes against {base}" if markdown else f"Record changes against {base}"]
    if not any(lines for _title, lines in sections):
        out.append("No record changes.")
    for title, lines in sections:
        if not lines:
            continue
        out.append(f"\n### {title}" if markdown else f"\n{title}:")
        for line in lines:
            out.append(f"- {markdown_text(line)}" if markdown else f"  {visible(line)}")
    return "\n".join(out) + "\n"


def run(base: str | None, markdown: bool = False, root: Path | None = None) -> int:
    """The `diff` command. Exit 0 with a summary, 1 when git cannot give the base records."""
    root = root or Path.cwd()
    records = records_dir(root)
    try:
        base = base or default_base(records if records.is_dir() else root)
        too_large: list[str] = []
        old = records_at(base, records, too_large)
        for path in too_large:
            print(
                f"diff: {visible(path)} at {base} is larger than {MAX_FILE_BYTES} bytes; not read",
                file=sys.stderr,
            )
        old_archive = archive_at(base, records)
    except (GitError, ValueError) as error:
        print(f"diff: cannot read the records at {base or 'the base'}: {error}", file=sys.stderr)
        return 1
    new, problems = load_records(records, root)
    if problems:
        print(
            f"diff: {len(problems)} record file(s) cannot be read; run `pipeline-tracker validate`",
            file=sys.stderr,
        )
    sections = summary(old, new)
    sections.append(("Archived source texts", archive_changes(old_archive, records, new)))
    sys.stdout.write(render(base, sections, markdown))
    return 0


def changelog(base: str, head: str | None = None, root: Path | None = None) -> str:
    """A release's changelog (Markdown): the records added, removed and changed, and the phases
    that moved, between the records at `base` and at `head` (a git revision; None: the work
    tree), with the new data version. The same summary `diff` gives, titled for a release."""
    root = root or Path.cwd()
    records = records_dir(root)
    old = records_at(base, records)
    if head is None:
        new, _problems = load_records(records, root)
    else:
        new = records_at(head, records)
    sections = summary(old, new)
    version = "" if check_records(new) else link(new).data_version
    title = f"Data version {version}" if version else "Data changes"
    counts = ", ".join(
        f"{len(lines)} {what}"
        for what, lines in zip(
            ("added", "removed", "changed"), (s[1] for s in sections[1:4]), strict=True
        )
    )
    text = render(base, sections, markdown=True)
    head_line = f"# {title}\n\nRecords since {markdown_text(base)}: {counts}.\n\n"
    return head_line + text


def run_changelog(base: str, head: str | None, out: Path | None, root: Path | None = None) -> int:
    """The `changelog` command: Markdown to `out` (or stdout); exit 1 with one line when git
    cannot give the records at a revision."""
    try:
        text = changelog(base, head, root)
    except (GitError, ValueError) as error:
        print(f"changelog: cannot read the records at {base}: {error}", file=sys.stderr)
        return 1
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text, encoding="utf-8")
    return 0
