"""Property-based tests: any YAML text only ever yields Problems; any record text renders as text."""

from __future__ import annotations

import copy
import re

import pytest
import yaml
from conftest import FIXTURES, ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pipeline_tracker.model.tracker import link
from pipeline_tracker.records.load import load_records, parse_record_text
from pipeline_tracker.records.validate import check_records
from pipeline_tracker.site.escape import plain
from pipeline_tracker.site.render import SiteOptions, render_job
from test_security import Page, _poison, _schemas

FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# YAML's own punctuation, whitespace and a few awkward characters, so that examples reach deep
# into the parser instead of stopping at the first letter.
YAML_CHARS = st.sampled_from(
    list("-:[]{}&*!|>'\"%@`#,?~<= \n\t\r\\0123456789abyNOe.+_")
    + ["\ufeff", "\x85", "\u2028", "é", "\x00", "\x07", "\x9b", "\ud800"]
)


def _assert_only_problems(text: str) -> None:
    record, problems = parse_record_text(text, "records/drugs/x.yaml", "drugs", "x")
    assert (record is None) == bool(problems)
    for problem in problems:
        assert problem.line >= 1 and problem.col >= 1
        assert problem.text().startswith("records/drugs/x.yaml:")
        assert "\n" not in problem.message
    if record is not None:
        assert isinstance(record.data, dict)
        assert all(isinstance(key, str) for key in record.data)


@FAST
@given(st.text(YAML_CHARS, max_size=200))
def test_any_yaml_like_text_gives_a_record_or_problems(text):
    _assert_only_problems(text)


@FAST
@given(st.text(max_size=300))
def test_any_unicode_text_gives_a_record_or_problems(text):
    _assert_only_problems(text)


@FAST
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=20),
        lambda inner: (
            st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
        ),
        max_leaves=20,
    )
)
def test_any_dumped_data_reads_back_or_gives_problems(data):
    _assert_only_problems(yaml.safe_dump({"id": "x", "value": data}, allow_unicode=True))


# Reader depth, writers and messages (issue 12) ---------------------------------------------

# Pieces that nest in block style without brackets: each adds one level (or indentation).
NESTING = st.sampled_from(["- ", "? ", ": ", "-\t", "a: ", "\n", "\n  ", "  ", "[", "{", "x"])


@FAST
@given(st.lists(NESTING, min_size=1, max_size=400), st.integers(1, 300))
def test_any_nesting_shape_gives_a_record_or_problems(pieces, repeat):
    """Nested block collections, repeated into long texts: libyaml's composer recursed in C and
    crashed the process on them; the reader bounds depth on every path."""
    text = "".join(pieces) * repeat
    _assert_only_problems(text[:200_000])


@FAST
@given(st.integers(33, 5000), st.sampled_from(["- ", "? ", "- ? ", "-\t", "? - "]))
def test_deep_nesting_is_always_refused_with_its_depth(depth, piece):
    record, problems = parse_record_text(
        piece * depth + "x\n", "records/drugs/x.yaml", "drugs", "x"
    )
    assert record is None and len(problems) == 1  # refused at once, one message


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**14), 10**14) | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


@FAST
@given(st.dictionaries(st.text(max_size=12), JSONISH, max_size=6))
def test_fmt_writes_text_that_reads_back_as_the_same_data(data):
    """fmt's writer (a PyYAML SafeDumper subclass) either writes text that our reader reads back
    as the same data, or says it cannot; never a file that reads differently."""
    from pipeline_tracker.tools.fmt import format_text

    text = yaml.safe_dump({"id": "x", **data}, allow_unicode=True)
    record, problems = parse_record_text(text, "records/drugs/x.yaml", "drugs", "x")
    if record is None:
        return
    canonical, problems = format_text(text, "records/drugs/x.yaml", "drugs")
    if canonical is None:
        assert problems
        return
    again, _ = parse_record_text(canonical, "records/drugs/x.yaml", "drugs", "x")
    assert again is not None and again.data == record.data
    assert format_text(canonical, "records/drugs/x.yaml", "drugs")[0] == canonical


@settings(max_examples=50, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.binary(max_size=2000), st.booleans())
def test_atomic_writer_leaves_the_old_file_or_the_new_one(tmp_path_factory, data, fail):
    """Interrupted or not, the target holds the old bytes or the new ones, and no temporary file
    is left behind."""
    import os

    from pipeline_tracker.tools import safefs

    tree = tmp_path_factory.mktemp("tree")
    target = tree / "drugs" / "x.yaml"
    target.parent.mkdir()
    target.write_bytes(b"old")
    real_replace = os.replace

    def stopped(*args):
        raise KeyboardInterrupt

    os.replace = stopped if fail else real_replace
    try:
        safefs.write_atomic(target, data, tree)
    except KeyboardInterrupt:
        pass
    finally:
        os.replace = real_replace
    assert target.read_bytes() == (b"old" if fail else data)
    assert [p.name for p in target.parent.iterdir()] == ["x.yaml"]


@FAST
@given(st.text(max_size=40), st.text(max_size=40), st.text(max_size=40))
def test_a_problem_is_one_line_whatever_its_parts(path, pointer, message):
    from pipeline_tracker.records.problems import Problem

    problem = Problem(path, 1, 1, pointer, message, message)
    for line in (problem.text(), problem.github()):
        assert len(line.splitlines()) == 1 and "\x1b" not in line and "\x9b" not in line
    properties = problem.github()[len("::error ") :].split("::", 1)[0]
    assert [part.split("=", 1)[0] for part in properties.split(",")] == ["file", "line", "col"]


# Rendering -----------------------------------------------------------------------------------

# One record of each page kind (and an event, shown on the timeline), with the pages showing them.
PAGES = {
    "drugs/zanidatamab.md": ("drug.html.j2", "drugs", "zanidatamab"),
    "targets/erbb2.md": ("target.html.j2", "targets", "erbb2"),
    "companies/beigene.md": ("company.html.j2", "companies", "beigene"),
    "indications/biliary-tract-cancer.md": (
        "indication.html.j2",
        "indications",
        "biliary-tract-cancer",
    ),
    "trials/herizon-btc-01.md": ("trial.html.j2", "trials", "herizon-btc-01"),
    "sources/nmpa-zanidatamab-btc-approval-news-2025.md": (
        "source.html.j2",
        "sources",
        "nmpa-zanidatamab-btc-approval-news-2025",
    ),
    "timeline.md": ("timeline.html.j2", "", ""),
    "drugs/index.md": ("index_drugs.html.j2", "drugs", ""),
    "landscapes/index.md": ("landscapes.html.j2", "", ""),
}
POISONED = {(kind, rid) for _, kind, rid in PAGES.values() if rid} | {
    ("events", "nmpa-approval-zanidatamab-btc-2025")
}
FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.DOTALL)


def _render(records) -> dict[str, tuple[dict, str]]:
    """Each page as (front matter, HTML as served: these pages never pass through Markdown)."""
    tracker = link(records)
    out = {}
    for src, (template, kind, rid) in PAGES.items():
        page = render_job(tracker, SiteOptions(), (src, template, kind, rid))
        match = FRONT_MATTER.match(page.front_matter)
        meta = yaml.load(match.group(1), Loader=yaml.CSafeLoader) if match else {}
        out[src] = (meta, page.html)
    return out


@pytest.fixture(scope="module")
def real_records():
    records, problems = load_records(FIXTURES, ROOT)
    assert problems == []
    return records


@pytest.fixture(scope="module")
def clean_shapes(real_records):
    return {src: Page(html).shape for src, (_, html) in _render(real_records).items()}


# Any text at all, weighted towards markup and the characters Python-Markdown uses internally.
HOSTILE = st.lists(
    st.sampled_from(
        list("<>&\"'`[](){}!#*_~|:=/\\\n\t ")
        + ["\x02", "\x03", "&#", "&amp;", "javascript:", "<script>", "onerror=", "{:", "\n\n"]
    )
    | st.characters(),
    min_size=1,
    max_size=25,
).map("".join)


def _normal(text: str) -> str:
    """Text as a reader can see it: no control characters or lone surrogates (no page carries them)."""
    return " ".join(plain(text).split())


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(text=HOSTILE)
def test_any_record_text_renders_as_text(real_records, clean_shapes, text):
    schemas = _schemas()
    records = copy.copy(real_records)
    hits: list = []
    for kind, rid in POISONED:
        records[kind] = dict(records[kind])
        record = copy.copy(records[kind][rid])
        record.data = _poison(copy.deepcopy(record.data), schemas[kind], kind, schemas, hits)
        records[kind][rid] = record
    # Replace the test payload with this example's text.
    for kind, rid in POISONED:
        record = records[kind][rid]
        record.data = _swap(record.data, text)
    assert check_records(records) == []
    visible = _normal(text)
    for src, (meta, html) in _render(records).items():
        page = Page(html)
        assert page.dangerous == [], src
        assert page.shape == clean_shapes[src], src  # the text added no element and no attribute
        if visible and src != "drugs/index.md":
            assert visible in _normal("".join(page.text)), src
        if meta:  # the page title, which the theme inserts unescaped, holds no markup either
            title = Page(meta["title"])
            assert title.shape == [] and title.text, src


def _swap(value, text: str):
    from test_security import PAYLOAD, SHORT

    if isinstance(value, dict):
        return {k: _swap(v, text) for k, v in value.items()}
    if isinstance(value, list):
        return [_swap(v, text) for v in value]
    if isinstance(value, str):
        return value.replace(PAYLOAD, text).replace(SHORT, text[:6] or "x")
    return value
