"""The one place record text is made inert on its way into a page (HTML, Markdown, URLs)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from markupsafe import Markup, escape

# Control characters (Python-Markdown uses \x02/\x03 for its placeholders), lone surrogates and
# the non-characters U+FFFE/U+FFFF, none of which a page or YAML front matter can carry: one set,
# which the drug-name rule drops the same way.
from pipeline_tracker.records.normalise import drop_controls

_SURROGATE_PAIR = re.compile(r"\\u(d[89ab][0-9a-f]{2})\\u(d[c-f][0-9a-f]{2})")
_MD_SPECIAL = re.compile(r"[!-/:-@\[-`{-~]")  # every ASCII punctuation character
_SAFE_URL = re.compile(r"\Ahttps?://[^\s<>\"'`]+\Z", re.IGNORECASE)


def _drop_controls(text: str) -> str:
    """drop_controls, at once for the text most record text is: printable text has none of the
    characters it drops (controls, surrogates and U+FFFE/U+FFFF are none of them printable)."""
    return text if text.isprintable() else drop_controls(text)


def plain(value) -> str:
    """Record text with control characters (which Markdown uses internally) removed."""
    return _drop_controls("" if value is None else str(value))


def html_text(value) -> Markup:
    """Text for HTML element content or attribute values."""
    return escape(plain(value))


def printed(value) -> Markup:
    """What a template's {{ value }} writes (render's finalize, then autoescape): Markup as it
    is, anything else as html_text."""
    if type(value) is str:
        return escape(_drop_controls(value))
    if isinstance(value, Markup):
        return value
    return escape(plain(value))


def _escape_markup(text: str) -> str:
    return str(escape(text))


_escape_str: Callable[[str], str] = _escape_markup
try:  # markupsafe's own escaping of a str, without making a Markup of it (speed)
    from markupsafe._speedups import _escape_inner as _escape_str
except ImportError:  # pragma: no cover - markupsafe without its C speedups
    pass


def printed_text(value) -> str:
    """printed(value) as a plain str, for HTML being put together from such pieces: the same
    text, without a Markup made for each piece."""
    if type(value) is str:
        return _escape_str(_drop_controls(value))
    if isinstance(value, Markup):
        return value
    return _escape_str(plain(value))


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


# In a <script> element "</script>" (any case), "<!--" and "<script" change how the HTML parser
# reads on; JSON lets each of these characters be written as a \u escape instead.
_SCRIPT_UNSAFE = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}
_SCRIPT_UNSAFE_CHARS = re.compile("[<>&\u2028\u2029]")


def _clean(value):
    """A JSON value with every string (keys too) passed through `plain`."""
    if isinstance(value, str):
        return plain(value)
    if isinstance(value, dict):
        return {plain(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return value


def script_json(value) -> Markup:
    """A JSON value as the text of a <script type="application/ld+json"> element: record text
    loses control characters, and <, >, &, U+2028 and U+2029 are written as \\u escapes, so no
    record text can close the element or open a comment in it (the JSON reads the same)."""
    text = json.dumps(_clean(value), ensure_ascii=False, separators=(",", ":"))
    return Markup(_SCRIPT_UNSAFE_CHARS.sub(lambda m: _SCRIPT_UNSAFE[m.group()], text))


def _astral(match: re.Match) -> str:
    high, low = int(match.group(1), 16), int(match.group(2), 16)
    return f"\\U{0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00):08X}"
