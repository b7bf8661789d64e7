"""The one place record text is made inert on its way into a page (HTML, Markdown, URLs)."""

from __future__ import annotations

import json
import re

from markupsafe import Markup, escape

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_MD_SPECIAL = re.compile(r"[!-/:-@\[-`{-~]")  # every ASCII punctuation character
_SAFE_URL = re.compile(r"^https?://[^\s<>\"'`]+$", re.I)


def plain(value) -> str:
    """Record text with control characters (which Markdown uses internally) removed."""
    return _CONTROL.sub("", "" if value is None else str(value))


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
    return Markup(json.dumps(str(escape(plain(value).replace("\n", " "))), ensure_ascii=True))
