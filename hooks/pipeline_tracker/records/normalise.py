"""One normalisation for the three places text is compared loosely: quotes against archived
source texts (evidence.py), drug names against each other (rules.rule_drug_names_unique), and the
search tokens of `pipeline-tracker render` (plain MkDocs with Material's search: the `separator`
in mkdocs.yml must equal SEARCH_SEPARATOR; tests/test_normalise.py checks it). The site's own
search (Pagefind) splits words at least there too: punctuation and every Unicode space, so two
names with one key are one search word in both (characters where Python's and a browser's idea of
whitespace differ, C0/C1 controls and U+FEFF, never reach a name: records refuse controls and
`name_key` drops U+FEFF).

`fold(text)` is Unicode NFKC (full-width letters, ligatures and compatibility spaces become their
plain forms) with one exception: characters of category No (other numbers: superscript and
subscript digits, circled digits, vulgar fractions) are kept as they are, because NFKC turns them
into plain digits and so makes a different number equal ("10²⁵" would read as "1025").

`quote_form(text)` is what quotes and archived texts are compared in: `fold`, typographic quotes
and dashes as ASCII, soft hyphens and zero-width characters dropped, each run of whitespace one
space. Case and words stay. A quote must keep at least one letter or digit in that form
(`has_content`): a quote of spaces, soft hyphens or zero-width spaces is empty and would "occur"
in every source, so it is refused.

`name_key(text)` is what two drug names are compared in: `fold`, invisible characters dropped,
case folded, split into words at the search separator (spaces, hyphens and the punctuation
around ids), words joined by one space. Two names with the same key are the same search tokens, so "(trastuzumab)", "trastuzumab,"
and "[trastuzumab]" all name the drug trastuzumab.
"""

from __future__ import annotations

import functools
import re
import unicodedata

# The search plugin's word separator (mkdocs.yml `plugins: search: separator`), as a Python regex.
SEARCH_SEPARATOR = r"[\s\-:,;()\[\]/]+"
_SEPARATOR = re.compile(SEARCH_SEPARATOR)
_SPACE = re.compile(r"\s+")
# Typographic variants a copy-paste changes: quotes, apostrophes, dashes; invisible characters.
_TYPOGRAPHY = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u2033": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u00ad": None,  # soft hyphen
        "\u200b": None,  # zero-width space
        "\u200c": None,  # zero-width non-joiner
        "\u200d": None,  # zero-width joiner
        "\u2060": None,  # word joiner
        "\ufeff": None,  # zero-width no-break space
    }
)


NUMBER_PLANES_END = 0x20000  # no compatibility number (category No) lies above the first two planes


@functools.cache
def _kept_numbers() -> re.Pattern:
    """Characters NFKC would turn into other characters that are numbers of another form (²,
    ₃, ①, ½): they are kept. Found once by scanning the planes that have them (0-1; a test
    checks there are none above), in a few tens of milliseconds."""
    kept = [
        chr(code)
        for code in range(NUMBER_PLANES_END)
        if unicodedata.category(chr(code)) == "No"
        and unicodedata.normalize("NFKC", chr(code)) != chr(code)
    ]
    return re.compile("[" + "".join(re.escape(c) for c in kept) + "]")


def fold(text: str) -> str:
    """NFKC, except that superscript, subscript, circled and fraction numbers keep their form."""
    if text.isascii():
        return text
    kept = _kept_numbers()
    if not kept.search(text):
        return unicodedata.normalize("NFKC", text)
    out, last = [], 0
    for match in kept.finditer(text):
        out.append(unicodedata.normalize("NFKC", text[last : match.start()]))
        out.append(match.group())
        last = match.end()
    out.append(unicodedata.normalize("NFKC", text[last:]))
    return "".join(out)


def quote_form(text: str) -> str:
    """The form quotes and archived texts are compared in (see the module's text)."""
    return _SPACE.sub(" ", fold(text).translate(_TYPOGRAPHY)).strip()


def has_content(text: str) -> bool:
    """Whether a quote keeps a letter or digit once normalised (an empty quote matches anything)."""
    return any(char.isalnum() for char in quote_form(text))


_INVISIBLE = str.maketrans(dict.fromkeys("\u00ad\u200b\u200c\u200d\u2060\ufeff"))
# What no page carries (site/escape.py drops it on the way in): C0 controls but tab and newline,
# DEL and the C1 controls (a YAML "\\x85" escape makes one), lone surrogates, U+FFFE and U+FFFF.
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def drop_controls(text: str) -> str:
    """Text without the characters no page carries (see CONTROL)."""
    return CONTROL.sub("", text)


def name_key(text: str) -> str:
    """The form two names are compared in: the search's words of the text, case folded, invisible
    characters and controls dropped as pages drop them (a zero-width space or a "\\x85" inside a
    name hides it from nothing: the page shows the name without it)."""
    folded = fold(drop_controls(text)).translate(_INVISIBLE).casefold()
    return " ".join(word for word in _SEPARATOR.split(folded) if word)
