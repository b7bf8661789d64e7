"""Rules: what one record may expand to. A small record can multiply: an approval event naming
14 drugs × 9 indications × 100 regions is 1.3 KB of YAML and 12,600 status rows (the site grew from
4.8 to 38.7 MB). The size of a file is bounded by the reader (load.MAX_FILE_BYTES); these bound
what the model makes of it. Kept apart from rules.py; validate.py runs BOUND_RULES.

Bounds (SECURITY.md lists them with their tests):
* MAX_ROWS_PER_RECORD status rows from one record: a drug's status rows × their regions; a trial's
  drugs × indications × countries; an event's drugs × indications × regions.
* MAX_CITATIONS citations in one list (a claim's `sources`, one identity field's `evidence`).
* Money amounts are whole cents: 0, or at least 0.01 with at most two decimals (the schema gives
  0 ≤ amount < 10^15; "-0.0" is 0), so a page never prints "-0" or "5e-324".
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from pipeline_tracker.records.load import Record
from pipeline_tracker.records.problems import Problem

Records = dict[str, dict[str, Record]]

MAX_ROWS_PER_RECORD = 1000  # the live records' largest is 8
MAX_CITATIONS = 50  # the live records' longest list is 10


def _count(value) -> int:
    return len(value) if isinstance(value, list) else 0


def expanded_rows(record: Record) -> tuple[int, str, str]:
    """(status rows the record expands to, pointer to blame, what multiplies)."""
    data = record.data
    if record.kind == "drugs":
        status = data.get("status")
        rows = sum(
            max(1, _count(row.get("regions")))
            for row in (status if isinstance(status, list) else [])
            if isinstance(row, dict)
        )
        return rows, "/status", "status rows × their regions"
    if record.kind in ("trials", "events"):
        places = "countries" if record.kind == "trials" else "regions"
        rows = (
            max(1, _count(data.get("drugs")))
            * max(1, _count(data.get("indications")))
            * max(1, _count(data.get(places)))
        )
        return rows, f"/{places}", f"drugs × indications × {places}"
    return 0, "", ""


def rule_status_rows_bounded(records: Records) -> Iterator[Problem]:
    """No record expands to more than MAX_ROWS_PER_RECORD status rows. Reads any data (lists
    only), so it also runs on records that failed their schema."""
    for kind in ("drugs", "trials", "events"):
        for record in records.get(kind, {}).values():
            rows, pointer, what = expanded_rows(record)
            if rows > MAX_ROWS_PER_RECORD:
                yield record.problem(
                    pointer if pointer[1:] in record.data else "",
                    f"this record makes {rows} status rows ({what}); at most {MAX_ROWS_PER_RECORD}",
                    "split it into records that each say what one source says about fewer "
                    "drugs, indications or places",
                    "bounds",
                )


def _citation_lists(data, pointer: str = "") -> Iterator[tuple[str, list]]:
    if isinstance(data, dict):
        for key, value in data.items():
            here = f"{pointer}/{key}"
            if key == "sources" and isinstance(value, list):
                yield here, value
            elif key == "evidence" and isinstance(value, dict):
                for field, citations in value.items():
                    if isinstance(citations, list):
                        yield f"{here}/{field}", citations
            else:
                yield from _citation_lists(value, here)
    elif isinstance(data, list):
        for index, item in enumerate(data):
            yield from _citation_lists(item, f"{pointer}/{index}")


def rule_citations_bounded(records: Records) -> Iterator[Problem]:
    """No claim cites more than MAX_CITATIONS sources. Reads any data, so it runs on every record."""
    for by_id in records.values():
        for record in by_id.values():
            for pointer, citations in _citation_lists(record.data):
                if len(citations) > MAX_CITATIONS:
                    yield record.problem(
                        pointer,
                        f"{len(citations)} citations; at most {MAX_CITATIONS} per claim",
                        "keep the sources that say it best",
                        "bounds",
                    )


def _amounts(data, pointer: str = "") -> Iterator[tuple[str, object]]:
    """(pointer, amount) of every money value ({amount, currency}) in a record."""
    if isinstance(data, dict):
        if "amount" in data and "currency" in data:
            yield f"{pointer}/amount", data["amount"]
        for key, value in data.items():
            if isinstance(value, (dict, list)):
                yield from _amounts(value, f"{pointer}/{key}")
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _amounts(value, f"{pointer}/{index}")


def rule_amounts_printable(records: Records) -> Iterator[Problem]:
    """Every amount is a whole number of cents: a page prints it as written."""
    for by_id in records.values():
        for record in by_id.values():
            if not record.schema_ok:
                continue  # the schema reports a wrong type, a negative or a huge amount
            for pointer, amount in _amounts(record.data):
                if isinstance(amount, bool) or not isinstance(amount, (int, float)):
                    continue
                if not math.isfinite(amount) or amount == 0:
                    continue
                if amount < 0.01 or abs(round(amount, 2) - amount) > 1e-9 * max(1.0, amount):
                    yield record.problem(
                        pointer,
                        f"{amount!r} is not a whole number of cents",
                        "write the amount in units of the currency with at most two decimals "
                        "(200000000, 1.5), or 0",
                        "bounds",
                    )


BOUND_RULES = [rule_status_rows_bounded, rule_citations_bounded, rule_amounts_printable]
