"""Phone cards: on a phone each table row is shown as a card ("Phase: filed"), each cell labelled
with its column's header (data-label, shown by layout.css). tracker.js labels the cells from the
table's header when the page loads (one header per table, not a label per cell: those were 5% of
a record page, issue 19). The build labels only the columns layout.css lays out by name at every
width (STYLED: the narrow Sources column, the wide Terms column), so a page looks the same before
the script runs, and without it.

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
# The columns layout.css selects by their label (td[data-label="Sources"]): keep in step with it.
STYLED = frozenset({"Sources", "Terms"})


def _label(table: re.Match) -> str:
    start, inner, end = table.groups()
    head = _HEAD.search(inner)
    if not head:
        return table.group(0)
    labels = [
        _TAG.sub("", cell).strip().replace('"', "&quot;") for cell in _TH.findall(head.group(1))
    ]
    if not STYLED.intersection(labels):
        return table.group(0)
    body_start = head.end()
    count = len(labels)

    def row(match: re.Match) -> str:
        text = match.group(0)
        if "colspan" in text:
            return text
        # The row split at its cells' start tags: text, (tag, attributes, text) per cell.
        parts = _CELL.split(text)
        out = [parts[0]]
        for i in range((len(parts) - 1) // 3):
            tag, attributes, after = parts[3 * i + 1 : 3 * i + 4]
            if i < count and labels[i] in STYLED and "data-label" not in attributes:
                out.append(f'<{tag}{attributes} data-label="{labels[i]}">')
            else:
                out.append(f"<{tag}{attributes}>")
            out.append(after)
        return "".join(out)

    return start + inner[:body_start] + _ROW.sub(row, inner[body_start:]) + end


def label_cells(html: str) -> str:
    if "pt-table" not in html:
        return html
    return _TABLE.sub(_label, html)
