"""One policy for everything that becomes a URL or an element id.

* Record ids are slugs (load.SLUG) and name pages: records/<kind>/<id>.yaml → /<kind>/<id>/. The
  names in RESERVED_IDS (and `ref-<n>`, `inferred-<n>`) are refused as ids: `index` would replace the kind's index
  page, and the others are our own anchors.
* Element ids that come from records live in their own prefixed namespace: an event is
  `id="event-<id>"` on the timeline (so events named `ref-1`, `references` or `2019` cannot take
  a citation's or a heading's place).
* Heading ids come from heading text (record names, years) by Python-Markdown's slug rules; a slug
  in Material's namespace (`__config`, `__search`, `__drawer`, … all start with `_`) or in ours
  (`ref-<n>`, `event-…`) gets the prefix `h-`, so a drug named `__config` cannot put an `<h1
  id="__config">` before Material's `<script id="__config">`.
"""

from __future__ import annotations

import re
from functools import lru_cache

from markdown.extensions.toc import slugify

# Refused as record ids: page names of the site (a kind's index page) and our own anchors.
# `sitemap`: feeds/<kind>/sitemap.xml sits beside the record feeds feeds/<kind>/<id>.xml.
# tests/test_escaping.py checks every file the site writes beside record files is reserved here.
# `page`: a long list's further pages are <kind>/page/2/, … (site/urls.py PAGES_DIR).
RESERVED_IDS = frozenset({"index", "references", "section", "top", "sitemap", "page"})
_RESERVED_ID = re.compile(r"\A(?:ref|inferred)-[0-9]+\Z")
# Heading slugs that must not be used as they are: Material's ids and our element namespaces.
_RESERVED_ANCHOR = re.compile(r"\A(?:_.*|(?:ref|inferred)-[0-9]+|event-.*|h-.*)\Z", re.DOTALL)
HEADING_PREFIX = "h-"


def reserved_id(record_id: str) -> bool:
    """Whether a record id is refused because of what it would collide with."""
    return record_id in RESERVED_IDS or bool(_RESERVED_ID.match(record_id))


def event_anchor(event_id: str) -> str:
    """The element id of an event on the timeline (and the fragment of links to it)."""
    return f"event-{event_id}"


def inferred_anchor(number: int) -> str:
    """The element id of the n-th curator's inference listed at the foot of a page."""
    return f"inferred-{number}"


def heading_anchor(slug: str) -> str:
    """A heading's id from its slug, moved out of Material's and our own namespaces."""
    return HEADING_PREFIX + slug if _RESERVED_ANCHOR.match(slug) else slug


@lru_cache(maxsize=4096)
def heading_id(text: str) -> str:
    """A heading's id from its plain text, before it is made unique on its page:
    Python-Markdown's slug, moved out of the reserved namespaces (most headings are the same
    words on every page: worked out once)."""
    return heading_anchor(slugify(text, "-") or "section")
