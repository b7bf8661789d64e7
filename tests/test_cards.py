"""Phone cards: the build labels only the columns the stylesheet sizes by name; tracker.js labels
the rest from the table's header (tests/test_browser.py checks the labels a phone shows)."""

from __future__ import annotations

import re

from conftest import ROOT
from pipeline_tracker.site import cards

TABLE = (
    '<table class="pt-table pt-status"><thead><tr><th scope="col">Indication</th>'
    '<th scope="col">Phase</th><th scope="col">Sources</th></tr></thead>\n<tbody>\n'
    '<tr><td>BTC</td><td>filed</td><td><sup class="pt-cite">[1]</sup></td></tr>\n'
    '<tr class="pt-subrow"><td colspan="3">Note</td></tr>\n</tbody></table>'
)


def test_only_the_columns_the_stylesheet_sizes_by_name_are_labelled_by_the_build():
    html = cards.label_cells(TABLE)
    assert '<td data-label="Sources"><sup class="pt-cite">[1]</sup></td>' in html
    assert "<tr><td>BTC</td><td>filed</td>" in html  # the rest: tracker.js, from the header
    assert '<td colspan="3">Note</td>' in html
    plain = TABLE.replace("Sources", "Source ids")
    assert cards.label_cells(plain) == plain
    matrix = TABLE.replace('"pt-table pt-status"', '"pt-table pt-landscape"')
    assert cards.label_cells(matrix) == matrix


def test_the_stylesheets_select_cells_only_by_the_labels_the_build_writes():
    """A rule on another label would hold only once tracker.js has run (and never without it)."""
    for sheet in (ROOT / "docs" / "assets").glob("*.css"):
        used = set(re.findall(r'data-label="([^"]+)"', sheet.read_text(encoding="utf-8")))
        assert used <= cards.STYLED, f"{sheet.name}: {sorted(used - cards.STYLED)}"
