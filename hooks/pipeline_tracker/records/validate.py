"""Check records: the schema of each record, then the cross-record rules; every problem at once."""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline_tracker.records.bounds import BOUND_RULES
from pipeline_tracker.records.evidence import (
    ARCHIVE,
    missing_archive_problems,
    quote_problems,
    read_archive,
)
from pipeline_tracker.records.id_rules import ID_RULES, drop_repeated
from pipeline_tracker.records.load import Record, _shown_path, _visible, load_records
from pipeline_tracker.records.problems import Problem
from pipeline_tracker.records.regions import REGION_RULES
from pipeline_tracker.records.rules import (
    RULES,
    placeholders,
    rule_drug_names_unique,
    rule_parents_acyclic,
    rule_references_resolve,
    rule_registry_ids_unique,
)
from pipeline_tracker.records.schemas import schema_set

if TYPE_CHECKING:
    from pipeline_tracker.records.cache import FileCache

Records = dict[str, dict[str, Record]]
# Every cross-record rule, in the order they run (tests/test_rule_units.py: each one is tested).
CHECKS = RULES + ID_RULES + REGION_RULES + BOUND_RULES
# The rules among them that read one record at a time and nothing else (not another record, not
# the set of ids): what they find in a record is kept with it between loads (records/cache.py).
# The others (references resolve, names and registry ids unique, parents acyclic) run on all.
ONE_RECORD_RULES = frozenset(CHECKS) - {
    rule_references_resolve,
    rule_drug_names_unique,
    rule_registry_ids_unique,
    rule_parents_acyclic,
}


def check_records(
    records: Records, unreadable: Sequence[Problem] = (), cache: FileCache | None = None
) -> list[Problem]:
    """Schema problems of every record, then cross-record rule problems. `unreadable`: the
    problems of files that could not be read (YAML syntax, encoding): their records still exist
    for the records that name them, so one broken file is one problem, not one per reference.
    With `cache`, a record read through it keeps its schema verdict and what the one-record rules
    found in it from the last check: those run on the records read again only."""
    problems: list[Problem] = []
    schemas = schema_set()
    for kind in records.values():
        for record in kind.values():
            if cache is None:
                found = schemas.problems(record)
            else:
                found = cache.schema_problems(record, schemas, schemas.problems)
            record.schema_ok = not found
            problems.extend(found)
    with stand_ins(records, unreadable):
        if cache is not None:
            problems.extend(_one_record_rules(records))
        for rule in CHECKS:
            if cache is None or rule not in ONE_RECORD_RULES:
                problems.extend(rule(records))
    return sorted(set(drop_repeated(_placeholders_only(problems, records))))


def _one_record_rules(records: Records) -> list[Problem]:
    """What ONE_RECORD_RULES find: run on the records not checked since they were read (their
    memo lacks today's verdict), the others' problems taken from their memo."""
    key = ("one-record rules", dt.date.today())  # a date rule's verdict changes with the day
    fresh: Records = {
        kind: {rid: r for rid, r in by_id.items() if r.memo is None or key not in r.memo}
        for kind, by_id in records.items()
    }
    found = [p for rule in CHECKS if rule in ONE_RECORD_RULES for p in rule(fresh)]
    by_path: dict[str, list[Problem]] = {}
    for problem in found:
        by_path.setdefault(problem.path, []).append(problem)
    for by_id in fresh.values():
        for record in by_id.values():
            if record.memo is not None:
                record.memo[key] = tuple(by_path.get(record.path, ()))
    for kind, by_id in records.items():
        for rid, record in by_id.items():
            if rid not in fresh[kind] and record.memo is not None:
                found.extend(record.memo[key])
    return found


@contextlib.contextmanager
def stand_ins(records: Records, unreadable: Sequence[Problem]):
    """For the rules' duration, an empty record (schema_ok False: rules leave it alone) in place
    of each record file that exists but could not be read."""
    added: list[tuple[str, str]] = []
    for problem in unreadable:
        if problem.rule != "yaml":
            continue
        *_, kind, name = ("", "", *problem.path.split("/"))
        rid = name[: -len(".yaml")] if name.endswith(".yaml") else ""
        if kind in records and rid and rid not in records[kind]:
            records[kind][rid] = Record(kind, rid, problem.path, {}, schema_ok=False)
            added.append((kind, rid))
    try:
        yield
    finally:
        for kind, rid in added:
            del records[kind][rid]


def _placeholders_only(problems: list[Problem], records: Records) -> list[Problem]:
    """Where a placeholder is unfilled, say that once, not also that it is no valid value."""
    if not any(p.rule == "placeholder" for p in problems):
        return problems  # rule_placeholders_filled reports every placeholder: none, nothing to drop
    spots = {
        (record.path, pointer)
        for kind in records.values()
        for record in kind.values()
        for pointer, _text in placeholders(record.data)
    }
    if not spots:
        return problems
    return [p for p in problems if p.rule == "placeholder" or (p.path, p.pointer) not in spots]


def load_and_check(
    records_path: Path, root: Path | None = None, cache: FileCache | None = None
) -> tuple[Records, list[Problem]]:
    """Read and check the records tree; returns the records and every problem found. With
    `cache` (kept by the caller between builds), only files changed since its last load are read
    and schema-checked again; the cross-record rules see every record, so the result is the same."""
    with paused_gc():
        if cache is not None:
            cache.begin()
        records, problems = load_records(records_path, root, cache)
        problems.extend(check_records(records, problems, cache))
        problems.extend(check_quotes(records, records_path, root, cache))
        if cache is not None:
            cache.end()
    return records, sorted(set(problems))


def check_quotes(
    records: Records,
    records_path: Path,
    root: Path | None = None,
    cache: FileCache | None = None,
) -> list[Problem]:
    """Every quote occurs in its source's archived copy (records/archive/), where it has one."""
    shown = _shown_path(records_path, root or Path.cwd())
    archive, problems = read_archive(records_path, shown, cache)
    problems.extend(missing_archive_problems(records, archive))
    problems.extend(quote_problems(records, archive))
    return problems


@contextlib.contextmanager
def paused_gc():
    """Reading makes a few million small objects, none in a reference cycle, and keeps them all;
    the cyclic collector would rescan them again and again (a quarter of the time at 10k drugs)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def check_paths(
    records_path: Path, paths: list[Path], root: Path
) -> tuple[list[str], list[Problem]]:
    """Check only the named record files and the records that name them: every record is read (a
    reference needs its target), the schema is checked for those in scope, and only their problems
    are kept. Returns the files in scope and their problems."""
    from pipeline_tracker.records.load import KINDS, _shown_path
    from pipeline_tracker.records.rules import references

    records, problems = load_records(records_path, root)
    archives: set[str] = set()  # archived texts named: their sources and quotes are in scope
    named: set[str] = set()
    wanted: set[tuple[str, str]] = set()
    base = records_path.resolve()
    for given in paths:
        files = sorted(given.rglob("*.yaml")) if given.is_dir() else [given]
        for file in files:
            shown = _shown_path(file, root)
            if not file.is_file():
                problems.append(Problem(shown, 1, 1, "", "no such record file", "", "files"))
                named.add(shown)
                continue
            try:
                kind, name = file.resolve().relative_to(base).parts
                if kind == ARCHIVE:
                    archives.add(name)
                    named.add(shown)
                    continue
            except ValueError:
                problems.append(
                    Problem(
                        shown,
                        1,
                        1,
                        "",
                        f"not a record under {_shown_path(records_path, root)}/<kind>/",
                        "kinds: " + ", ".join(KINDS),
                        "files",
                    )
                )
                named.add(shown)
                continue
            named.add(shown)
            wanted.add((kind, name[: -len(".yaml")]))
    for rid, record in records["sources"].items():
        if record.data.get("local_copy") in archives:
            wanted.add(("sources", rid))
    scope = {
        record.path
        for kind, by_id in records.items()
        for rid, record in by_id.items()
        if (kind, rid) in wanted
    }
    for kind, by_id in records.items():
        for record in by_id.values():
            if any((k, rid) in wanted for _p, k, rid in references(record)):
                scope.add(record.path)
    scope |= named
    # A file in scope that names an unreadable record: that record's problem is in scope too
    # (its references would otherwise pass with the broken file never mentioned).
    broken = {p.path for p in problems if p.rule == "yaml"}
    for by_id in records.values():
        for record in by_id.values():
            if record.path in scope:
                for _p, k, rid in references(record):
                    path = f"{record.path.rsplit('/', 2)[0]}/{k}/{rid}.yaml"
                    if rid not in records[k] and path in broken:
                        scope.add(path)
    schemas = schema_set()
    for by_id in records.values():
        for record in by_id.values():
            found = schemas.problems(record)  # every record: rules skip those that fail
            record.schema_ok = not found
            if record.path in scope:
                problems.extend(found)
    with stand_ins(records, list(problems)):
        for rule in CHECKS:
            problems.extend(rule(records))
    problems = drop_repeated(_placeholders_only(problems, records))
    # The same quote and archive checks as a full run: the archived copies the scope's sources
    # name, and every quote in scope.
    shown = _shown_path(records_path, root)
    for record in records["sources"].values():
        copy = record.data.get("local_copy")
        if record.path in scope and isinstance(copy, str):
            scope.add(f"{shown}/{ARCHIVE}/{_visible(copy)}")
    problems.extend(check_quotes(records, records_path, root))
    return sorted(scope), sorted({p for p in problems if p.path in scope})
