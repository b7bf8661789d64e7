"""What the built site's Pagefind index holds for each page: its fragments, read back.

A fragment is gzip'd "pagefind_dcd" + JSON: the page's url, the text that was indexed (`content`),
its `meta` (title, summary) and `filters`. The build bundles them (pagefind/fragment/<n>.pf_bundle:
a line of JSON {name: [offset, length]}, then the fragments' bytes); read as the site's search
script reads them, from the bundle the fragment's name hashes to. The words and
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
    layout = json.loads((site / "pagefind" / "parts.json").read_text())
    for part in [""] + layout["parts"]:  # a large site is indexed in parts (search_index.py)
        found.update(_fragments(site / "pagefind" / part))
    return found


def _fragments(index: Path) -> dict[str, dict]:
    from pipeline_tracker.site.search_index import BUNDLES, fragment_bundle

    folder = index / "fragment"
    assert not list(folder.glob("*.pf_fragment")), "fragments left unbundled"
    bits = json.loads((index / BUNDLES).read_text())["bits"]
    found = {}
    for path in sorted(folder.glob("*.pf_bundle")):
        head, _, body = path.read_bytes().partition(b"\n")
        for name, (offset, length) in json.loads(head).items():
            assert path.name == f"{fragment_bundle(name, bits)}.pf_bundle", name
            data = gzip.decompress(body[offset : offset + length])
            assert data.startswith(_SIGNATURE), name
            fragment = json.loads(data[len(_SIGNATURE) :])
            found[fragment["url"]] = fragment
    return found
