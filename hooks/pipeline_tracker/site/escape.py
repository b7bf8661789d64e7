"""The one place record text is made inert on its way into a page (HTML, Markdown, URLs)."""

from __future__ import annotations

import json
import re

from markupsafe import Markup, escape

# Control characters (Python-Markdown uses \x02/\x03 for its placeholders), lone surrogates and
# the non-characters U+FFFE/U+FFFF, none of which a page or YAML front matter can carry: one set,
# which the drug-name rule drops the same way.
from pipeline_tracker.records.normalise import drop_controls

_SURROGATE_PAIR = re.compile(r"\\u(d[89ab][0-9a-f]{2})\\u(d[c-f][0-9a-f]{2})")
_MD_SPECIAL = re.compile(r"[!-/:-@\[-`{-~]")  # every ASCII punctuation character
_SAFE_URL = re.compile(r"\Ahttps?://[^\s<>\"'`]+\Z", re.IGNORECASE)


def plain(value) -> str:
    """Record text with control characters (which Markdown uses internally) removed."""
    return drop_controls("" if value is None else str(value))


def html_text(value) -> Markup:
    """Text for HTML element content or attribute values."""
    return escape(plain(value))


def markdown_text(value) -> Markup:
    """Text for a Markdown line: every ASCII punctuation becomes a numeric entity, so no Markdown,
    HTML or attribute-list syntax survives, and the reader sees the characters as typed."""
    text = plain(value).replace("\n", " ")
    return Markup(_MD_SPECIAL.sub(lambda m: f"&#{ord(m.group())};", text))


def safe_url(value) -> str | None:
    """An http(s) URL, or None: javascript:, data: and every other scheme are dropped."""
    text = plain(value).strip()
    return text if _SAFE_URL.match(text) else None


def front_matter_title(value) -> Markup:
    """A page title for YAML front matter. Themes insert page titles unescaped, so it is escaped here
    (HTML-escaped, then written as a JSON string, which YAML reads as a double-quoted scalar)."""
    quoted = json.dumps(str(escape(plain(value).replace("\n", " "))), ensure_ascii=True)
    # JSON writes characters beyond U+FFFF as surrogate pairs, which YAML refuses: use \UXXXXXXXX.
    return Markup(_SURROGATE_PAIR.sub(_astral, quoted))


def _astral(match: re.Match) -> str:
    high, low = int(match.group(1), 16), int(match.group(2), 16)
    return f"\\U{0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00):08X}"
