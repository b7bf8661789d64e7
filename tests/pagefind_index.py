"""What the built site's Pagefind index holds for each page: its fragments, read back.

A fragment (pagefind/fragment/*.pf_fragment) is gzip'd "pagefind_dcd" + JSON: the page's url,
the text that was indexed (`content`), its `meta` (title, summary) and `filters`. The words and
their weights live in pagefind/index/, which tests reach through a browser (test_browser.py).
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

_SIGNATURE = b"pagefind_dcd"


def fragments(site: Path) -> dict[str, dict]:
    """url ("/drugs/x/") → fragment, for every page in the index."""
    found = {}
    for path in sorted((site / "pagefind" / "fragment").glob("*.pf_fragment")):
        data = gzip.decompress(path.read_bytes())
        assert data.startswith(_SIGNATURE), path
        fragment = json.loads(data[len(_SIGNATURE) :])
        found[fragment["url"]] = fragment
    return found
