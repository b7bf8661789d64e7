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

_TABLE_START = '<table class="pt-table'
_TABLE_END = "</table>"
_HEAD = re.compile(r"<thead>(.*?)</thead>", re.DOTALL)
_TH = re.compile(r"<th\b[^>]*>(.*?)</th>", re.DOTALL)
_TAG = re.compile(r"<[^>]*>")
_ROW = re.compile(r"<tr\b[^>]*>.*?</tr>", re.DOTALL)
_CELL = re.compile(r"<(td|th)\b([^>]*)>")
# The columns layout.css selects by their label (td[data-label="Sources"]): keep in step with it.
STYLED = frozenset({"Sources", "Terms"})


def _label(start: str, inner: str) -> str:
    """A table (its start tag and what it holds up to its end tag) with its cells labelled."""
    end = _TABLE_END
    head = _HEAD.search(inner)
    if not head:
        return start + inner + end
    labels = [
        _TAG.sub("", cell).strip().replace('"', "&quot;") for cell in _TH.findall(head.group(1))
    ]
    if not STYLED.intersection(labels):
        return start + inner + end
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
    """`html` with data-label on the STYLED columns' cells of every table.pt-table that is no
    phase matrix. The tables are found with str.find (a regex's lazy `.*?</table>` over every
    table body was most of this function's time, ~3% of a build)."""
    if _TABLE_START not in html:
        return html
    out = []
    done = 0  # html[:done] is in out
    at = html.find(_TABLE_START)
    while at >= 0:
        tag_end = html.find(">", at)
        quote = html.find('"', at + len(_TABLE_START))
        close = html.find(_TABLE_END, tag_end) if tag_end >= 0 else -1
        if tag_end < 0 or quote < 0 or quote > tag_end or close < 0:
            break  # not a whole table: left as it is
        if "pt-landscape" in html[at:quote]:
            at = html.find(_TABLE_START, at + 1)
            continue
        out.append(html[done:at])
        start, inner = html[at : tag_end + 1], html[tag_end + 1 : close]
        out.append(_label(start, inner))
        done = close + len(_TABLE_END)
        at = html.find(_TABLE_START, done)
    if not out:
        return html
    out.append(html[done:])
    return "".join(out)
