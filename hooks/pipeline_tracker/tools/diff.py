"""What a change to the records means for readers: `pipeline-tracker diff [BASE]`.

Compares the records at a git revision (origin/main when it exists, else HEAD) with the working
tree: highest phases per drug × indication × region (as the pages show them), records added and
removed, and the fields changed in each record. The markdown form is escaped for a PR summary.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from pipeline_tracker.model.claims import date_text, display_name, status_label
from pipeline_tracker.model.tracker import PhaseRow, link
from pipeline_tracker.records.load import (
    KINDS,
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


def records_at(base: str, records: Path) -> Records:
    """The records as they were at a git revision, read with one `git cat-file --batch`."""
    folder = records.resolve()
    top = Path(_git(["rev-parse", "--show-toplevel"], folder).decode().strip()).resolve()
    prefix = folder.relative_to(top).as_posix()
    listing = _git(["ls-tree", "-r", "-z", base, "--", f"{prefix}/"], top).decode("utf-8")
    wanted = []
    for entry in filter(None, listing.split("\0")):
        meta, path = entry.split("\t", 1)
        parts = path[len(prefix) + 1 :].split("/")
        if (
            meta.split()[1] == "blob"
            and len(parts) == 2
            and parts[0] in KINDS
            and parts[1].endswith(".yaml")
        ):
            wanted.append((meta.split()[2], parts[0], parts[1][: -len(".yaml")], path))
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
        old = records_at(base, records)
    except (GitError, ValueError) as error:
        print(f"diff: cannot read the records at {base or 'the base'}: {error}", file=sys.stderr)
        return 1
    new, problems = load_records(records, root)
    if problems:
        print(
            f"diff: {len(problems)} record file(s) cannot be read; run `pipeline-tracker validate`",
            file=sys.stderr,
        )
    sys.stdout.write(render(base, summary(old, new), markdown))
    return 0
