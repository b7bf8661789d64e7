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
