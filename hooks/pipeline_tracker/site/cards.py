"""Label every table cell with its column header (data-label), so on a phone each row can be
shown as a card ("Phase: filed") by CSS alone, with no change to the templates' tables.

Works on the HTML our templates write (record text cannot open a tag: its "<" is escaped). Phase
matrices (.pt-landscape) are left alone: they scroll inside their own box instead.
"""

from __future__ import annotations

import re

_TABLE = re.compile(
    r'(<table class="pt-table(?![^"]*pt-landscape)[^"]*"[^>]*>)(.*?)(</table>)', re.DOTALL
)
_HEAD = re.compile(r"<thead>(.*?)</thead>", re.DOTALL)
_TH = re.compile(r"<th\b[^>]*>(.*?)</th>", re.DOTALL)
_TAG = re.compile(r"<[^>]*>")
_ROW = re.compile(r"<tr\b[^>]*>.*?</tr>", re.DOTALL)
_CELL = re.compile(r"<(td|th)\b([^>]*)>")


def _label(table: re.Match) -> str:
    start, inner, end = table.groups()
    head = _HEAD.search(inner)
    if not head:
        return table.group(0)
    labels = [
        _TAG.sub("", cell).strip().replace('"', "&quot;") for cell in _TH.findall(head.group(1))
    ]
    body_start = head.end()

    def row(match: re.Match) -> str:
        text = match.group(0)
        if "colspan" in text:
            return text
        index = iter(range(len(labels)))

        def cell(c: re.Match) -> str:
            i = next(index, None)
            if i is None or not labels[i] or "data-label" in c.group(2):
                return c.group(0)
            return f'<{c.group(1)}{c.group(2)} data-label="{labels[i]}">'

        return _CELL.sub(cell, text)

    return start + inner[:body_start] + _ROW.sub(row, inner[body_start:]) + end


def label_cells(html: str) -> str:
    if "pt-table" not in html:
        return html
    return _TABLE.sub(_label, html)
