"""The small pieces of HTML a page repeats hundreds of times (badges, citation marks, inferred
marks, headings, links), as Python functions: a Jinja macro call costs several times an
f-string, and a record page holds hundreds of these. Each piece is written here once, and
nowhere else (the rarer pieces are the macros of templates/_components.j2). PageContext
(render.py) decides what they say; every value is printed as a template prints it
(escape.printed: record text escaped, Markup we built kept).
"""

from __future__ import annotations

from markupsafe import Markup

from pipeline_tracker.site.escape import printed_text as _p


def heading(level, anchor, label, extra) -> Markup:
    a = _p(anchor)
    return Markup(
        f'<h{_p(level)} id="{a}">{_p(label)}{_p(extra)}<a class="headerlink" href="#{a}"'
        f' title="Permanent link">&para;</a></h{_p(level)}>'
    )


def phase_badge(css, rank, text) -> Markup:
    """A phase (or 'no phase') badge; `rank` orders it in a sortable column."""
    return Markup(f'<span class="pt-phase pt-phase--{_p(css)}" data-rank="{_p(rank)}">{_p(text)}</span>')


def special_access_badge(text, scheme) -> Markup:
    badge = (
        '<span class="pt-phase pt-phase--special-access" data-rank="-1" title="Special access is'
        f' not a marketing approval">{_p(text)}</span>'
    )
    return Markup(badge + (f' <span class="pt-scheme">{_p(scheme)}</span>' if scheme else ""))


def inferred_mark(anchor, title, fields, number) -> Markup:
    return Markup(
        f' <a class="pt-inferred" href="#{_p(anchor)}" title="{_p(title)}"'
        f' aria-label="{_p(fields)} inferred: see note {_p(number)}">(inferred)</a>'
    )


def _join(items, separator: str):
    """Jinja's `join` filter under autoescape: Markup when an item is Markup."""
    items = list(items)
    if any(hasattr(item, "__html__") for item in items):
        return Markup(separator).join(items)
    return separator.join(str(item) for item in items)


def cite_mark(number, quotes) -> Markup:
    n = _p(number)
    if quotes:
        return Markup(
            f'<sup class="pt-cite pt-cite--quoted" data-search-exclude><a href="#ref-{n}" '
            f'title="Source {n}: “{_p(_join(quotes, "” · “"))}”">[{n}]</a></sup>'
        )
    return Markup(
        f'<sup class="pt-cite" data-search-exclude><a href="#ref-{n}" title="Source {n}">'
        f"[{n}]</a></sup>"
    )


def external_link(url, text) -> Markup:
    """A link to an id's page in its home database."""
    return Markup(f'<a href="{_p(url)}" rel="external noopener">{_p(text)}</a>')


def outside_link(url, text) -> Markup:
    """A link to an address a record gives (not vouched for: nofollow)."""
    return Markup(f'<a href="{_p(url)}" rel="external noopener nofollow">{_p(text)}</a>')


def time(date) -> Markup:
    return Markup(f"<time>{_p(date)}</time>")


def muted(text) -> Markup:
    return Markup(f'<span class="pt-muted">{_p(text)}</span>')


def about(words) -> Markup:
    """'about ' before an approximate date, with the source's words on hover."""
    if not words:
        return Markup("")
    return Markup(f'<span class="pt-approx" title="The source: “{_p(words)}”">about </span>')


def approx_words(words) -> Markup:
    """The source's words for an approximate date, shown beside it."""
    if not words:
        return Markup("")
    return Markup(f' <small class="pt-approx-words">(“{_p(words)}”)</small>')


def source_entry(link, publisher, date, url_link, has_url: bool) -> Markup:
    """A source as a reference list names it: its link, publisher, date — address (each part
    only when the record has it)."""
    text = str(link)
    if publisher is not None:
        text += f", {_p(publisher)}"
    if date is not None:
        text += f", {_p(date)}"
    if has_url:
        text += f" — {_p(url_link)}"
    return Markup(text)


def reference_item(number, source, quotes) -> Markup:
    """Reference `number` of a page: the source, and the quotes the page cites from it."""
    said = "".join(f"<li><q>{_p(q)}</q></li>" for q in quotes)
    return Markup(
        f'<li id="ref-{_p(number)}">{_p(source)}'
        + (f'<ul class="pt-quotes">{said}</ul>' if quotes else "")
        + "</li>"
    )


def chinese_name(name) -> Markup:
    """A Chinese name after a drug's name."""
    return Markup(f' <span lang="zh" class="pt-zh">{_p(name)}</span>')


def zh_text(name) -> Markup:
    """A Chinese name after a drug's link in a drug table."""
    return Markup(f' <span lang="zh">{_p(name)}</span>')


def stage(badge, region, rank) -> Markup:
    """A drug's highest phase in one region (region "": anywhere); tracker.js shows the one for
    the region chosen in the table's filter (rank: how the column sorts then)."""
    if not region:
        return Markup(f'<span class="pt-stage" data-stage-region="">{_p(badge)}</span>')
    return Markup(
        f'<span class="pt-stage" data-stage-region="{_p(region)}" data-rank="{_p(rank)}" hidden>'
        f"{_p(badge)}</span>"
    )


def drug_row(attrs, name, sort, phase, modality, targets, companies, extra) -> Markup:
    """A drug table's row; `extra`: the cell of the table's extra column, if it has one."""
    cells = "".join(f"<td>{_p(value)}</td>" for value in extra)
    return Markup(
        f'<tr {_p(attrs)}><td>{_p(name)}</td><td data-sort="{_p(sort)}">{_p(phase)}</td>'
        f"<td>{_p(modality)}</td><td>{_p(targets)}</td><td>{_p(companies)}</td>{cells}</tr>"
    )
