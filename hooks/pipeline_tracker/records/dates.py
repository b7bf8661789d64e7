"""Partial ISO dates as sources give them ("2019", "2022-10", "2025-05-29"): one parser, and the
first and last day such a date can mean."""

from __future__ import annotations

import calendar
import datetime as dt
import re

DATE_FORM = re.compile(r"\A(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?\Z")


def parse_date(text: str) -> tuple[int, int, int] | None:
    """(year, month, day) with 0 for missing parts, or None when the date does not exist."""
    match = DATE_FORM.match(text) if isinstance(text, str) else None
    if not match:
        return None
    year, month, day = (int(part) if part else 0 for part in match.groups())
    try:
        dt.date(year, month or 1, day or 1)
    except ValueError:
        return None
    return year, month, day


def date_start(text: str) -> dt.date | None:
    """The first day a partial date can mean ("2022-10" → 2022-10-01), or None."""
    parsed = parse_date(text)
    if parsed is None:
        return None
    year, month, day = parsed
    return dt.date(year, month or 1, day or 1)


def date_end(text: str) -> dt.date | None:
    """The last day a partial date can mean ("2022-10" → 2022-10-31), or None."""
    parsed = parse_date(text)
    if parsed is None:
        return None
    year, month, day = parsed
    month = month or 12
    return dt.date(year, month, day or calendar.monthrange(year, month)[1])


# How precise a date is, for exports: a partial date's column says it beside the date, so that
# a reader (or pandas) does not take "2021-06" for 2021-06-01. "approximate" is for a date the
# source gives only roughly ("about six months after"), once records can mark one.
PRECISIONS = ("day", "month", "year", "approximate")


def date_precision(text: str, approximate: bool = False) -> str:
    """'day', 'month' or 'year' for an ISO date as precise as its source; 'approximate' when the
    date is marked approximate; "" for no date (or one that does not parse)."""
    parsed = parse_date(text) if text else None
    if parsed is None:
        return ""
    if approximate:
        return "approximate"
    _year, month, day = parsed
    return "day" if day else "month" if month else "year"
