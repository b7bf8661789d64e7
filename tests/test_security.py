"""Untrusted pull requests: hostile record text stays text, strict YAML, safe file names, no tracebacks."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from conftest import BIN, FIXTURES, ROOT, mkdocs_build
from pipeline_tracker.records.load import (
    MAX_DEPTH,
    MAX_FILE_BYTES,
    load_records,
    parse_record_text,
    read_record,
)
from pipeline_tracker.records.rules import WORDS_FIELDS
from pipeline_tracker.site import escape

# Every trick we know for turning text into markup: HTML, Markdown links and images, attribute
# lists, entities, Python-Markdown's placeholder characters, a blank line to leave a raw HTML block.
PAYLOAD = (
    "<script>alert(1)</script> <img src=x onerror=alert(2)> [x](javascript:alert(3)) "
    '![i](https://evil.example/i.png) {onclick=alert(4)} <a href="javascript:alert(5)">a</a>\n\n'
    "# h {: onclick=alert(6) } `c` *e* &amp; &lt;b&gt; \x02wzxhzdk:0\x03 <!-- x --> ]]> \\<i>"
    " \x1b[31m\ufffe\x85\x9b"  # a terminal code, a non-character, C1 controls: all dropped
)
SHORT = "<i onclick=x>"  # for fields too short for the whole payload
# What a reader must see on the page, exactly as typed (the H1 shows newlines as one space,
# and control characters, which YAML and Markdown cannot carry, are dropped).
VISIBLE = (
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(2)>",
    "[x](javascript:alert(3))",
    "{onclick=alert(4)}",
    "&amp; &lt;b&gt;",
)


def _schemas() -> dict[str, dict]:
    return {
        p.name[: -len(".schema.json")]: json.loads(p.read_text(encoding="utf-8"))
        for p in (ROOT / "schema").glob("*.schema.json")
    }


def _resolve(schema: dict, doc: str, schemas: dict) -> tuple[dict, str]:
    while "$ref" in schema:
        file, _, fragment = schema["$ref"].partition("#")
        doc = file[: -len(".schema.json")] if file else doc
        schema = schemas[doc]
        for part in fragment.strip("/").split("/"):
            if part:
                schema = schema[part]
    return schema, doc


def _poison(value, schema: dict, doc: str, schemas: dict, hits: list):
    """The same record with the payload appended to every free-text field the schema allows."""
    schema, doc = _resolve(schema, doc, schemas)
    if isinstance(value, dict):
        props = schema.get("properties", {})
        fixed = {
            k for sub in schema.get("allOf", []) for k in sub.get("then", {}).get("properties", {})
        } | set(WORDS_FIELDS)  # the source's words, checked against quotes (not poisoned either)
        return {
            k: _poison(v, props[k], doc, schemas, hits) if k in props and k not in fixed else v
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_poison(v, schema.get("items", {}), doc, schemas, hits) for v in value]
    free = schema.get("type") == "string" and not {"enum", "const", "pattern", "format"} & set(
        schema
    )
    if isinstance(value, str) and free:
        for candidate in (f"{value} {PAYLOAD}", f"{value} {SHORT}"):
            if len(candidate) <= schema.get("maxLength", 10**6):
                hits.append(candidate)
                return candidate
    return value


def poison_records(records: Path) -> int:
    schemas = _schemas()
    hits: list = []
    for file in sorted(records.glob("*/*.yaml")):
        kind = file.parent.name
        data = _poison(
            yaml.load(file.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader),
            schemas[kind],
            kind,
            schemas,
            hits,
        )
        file.write_text(
            yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10**6), encoding="utf-8"
        )
    return len(hits)


class Page(HTMLParser):
    """Elements, attribute names and visible text of one HTML page."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.shape: list[tuple[str, tuple[str, ...]]] = []
        self.text: list[str] = []
        self.dangerous: list[tuple] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.shape.append((tag, tuple(sorted(name for name, _ in attrs))))
        for name, value in attrs:
            scheme = re.sub(r"[\s\x00-\x1f]", "", value or "").lower()
            if name.startswith("on") or (
                name in ("href", "src", "action", "formaction", "xlink:href")
                and scheme.startswith(("javascript:", "data:", "vbscript:"))
            ):
                self.dangerous.append((tag, name, value))

    def handle_data(self, data):
        self.text.append(data)


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory) -> Path:
    """The real records with the payload in every free-text field, built with mkdocs --strict."""
    base = tmp_path_factory.mktemp("hostile")
    records = base / "records"
    shutil.copytree(FIXTURES, records)
    assert poison_records(records) > 100
    result = mkdocs_build(base / "site", records=records)
    assert result.returncode == 0, result.stderr
    return base / "site"


_DATES = re.compile(r'<p class="pt-record pt-record-dates">.*?</p>', re.DOTALL)


def _without_dates(html: str) -> str:
    return _DATES.sub("", html)


def test_hostile_text_adds_no_element_or_attribute_on_any_page(hostile_site, built_site):
    pages = sorted(p.relative_to(hostile_site) for p in hostile_site.rglob("*.html"))
    kinds = {p.parts[0] for p in pages if len(p.parts) > 2}
    assert {"drugs", "targets", "companies", "indications", "trials", "sources"} <= kinds
    assert Path("timeline/index.html") in pages
    showing = 0
    for rel in pages:
        # The record's dates come from git, not from its text: the hostile copy is no checkout
        # (dates unknown), the clean build is (dates shown); that line is left out of the shapes.
        hostile = Page(_without_dates((hostile_site / rel).read_text(encoding="utf-8")))
        clean = Page(_without_dates((built_site / rel).read_text(encoding="utf-8")))
        assert hostile.dangerous == [], rel
        if rel == Path("recent/index.html"):
            continue  # lists the changes in git history, which the hostile copy has none of
        # The same elements with the same attributes, in the same order: the text added nothing.
        assert hostile.shape == clean.shape, rel
        text = "".join(hostile.text)
        showing += all(v in text for v in VISIBLE)
    assert showing >= 40  # every record page and every index page shows the payload as text


# What SECURITY.md promises never reaches a page: C0 controls but tab and newline, DEL, C1
# controls, lone surrogates, U+FFFE and U+FFFF (normalise.CONTROL).
_NOT_ON_PAGES = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def test_no_control_character_reaches_any_page_attribute_or_text(hostile_site):
    """Quote hover text (title attributes), inferred reasons and the special-access scheme went
    through macro arguments as Markup and kept U+0002, ESC and U+FFFE."""
    from pagefind_index import fragments
    from pipeline_tracker.records.evidence import _scalars

    written = sorted(p for p in hostile_site.rglob("*") if p.suffix in (".html", ".xml"))
    assert len(written) > 50
    texts = {
        str(file.relative_to(hostile_site)): file.read_text(
            encoding="utf-8", errors="surrogatepass"
        )
        for file in written
    }
    # The search box puts the index's titles and previews on the page: they are held to it too.
    index = fragments(hostile_site)
    assert index
    # Every value of each fragment, raw (json.dumps would escape the controls looked for).
    texts.update({f"search index {url}": " ".join(_scalars(f)) for url, f in index.items()})
    for where, text in texts.items():
        found = _NOT_ON_PAGES.search(text)
        assert found is None, (where, text[found.start() - 80 : found.end()])


def test_hostile_names_are_text_in_title_header_and_heading(hostile_site):
    html = (hostile_site / "drugs/zanidatamab/index.html").read_text(encoding="utf-8")
    title = re.search(r"<title>(.*?)</title>", html, re.DOTALL).group(1)
    assert "<" not in title and "&lt;script&gt;alert(1)&lt;/script&gt;" in title
    header = re.search(
        r'<div class="md-header__topic" data-md-component="header-topic">(.*?)</div>',
        html,
        re.DOTALL,
    ).group(1)
    assert "<script" not in header and "&lt;script&gt;" in header
    h1 = "".join(Page(re.search(r"<h1.*?</h1>", html, re.DOTALL).group(0)).text)
    assert "zanidatamab <script>alert(1)</script> <img src=x onerror=alert(2)>" in h1


def test_hostile_names_stay_inside_the_json_ld_and_the_description(hostile_site):
    """A name holding </script> cannot close the JSON-LD <script> element (its <, > and & are
    \\u escapes), and the JSON still reads back as the record says; the description and Open
    Graph tags hold it as attribute text."""
    html = (hostile_site / "drugs/zanidatamab/index.html").read_text(encoding="utf-8")
    [script] = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.DOTALL)
    assert "<" not in script and ">" not in script and "&" not in script
    node = json.loads(script)
    assert node["name"].startswith("zanidatamab <script>alert(1)</script> <img src=x")
    assert "&amp; &lt;b&gt;" in node["name"] and "\x02" not in node["name"]
    page = Page(html)
    assert page.dangerous == []
    metas = re.findall(
        r'<meta (?:name|property)="(description|og:description|og:title)"[^>]*>', html
    )
    assert sorted(metas) == ["description", "og:description", "og:title"]
    for tag in re.findall(r"<meta [^>]*>", html):
        assert "<script" not in tag  # escaped: &lt;script&gt;


def test_search_index_holds_hostile_text_as_text(hostile_site, built_site, repo_root):
    """The search box shows a result's title and preview from the Pagefind index: they must hold
    record text as plain text, which assets/search.js puts on the page as text, never as HTML."""
    from pagefind_index import fragments

    found = 0
    for page in fragments(hostile_site).values():
        for field in ("title", "summary"):
            text = page["meta"].get(field, "")
            found += "<script>alert(1)</script>" in text  # as the record says, not escaped
    assert found > 20
    script = (repo_root / "docs" / "assets" / "search.js").read_text(encoding="utf-8")
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in script
    assert fragments(built_site)  # the clean build has an index too


def test_record_urls_are_http_only(records_copy, tmp_path):
    file = records_copy / "sources/komen-empowher-303.yaml"
    text = file.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^url: .*\n", "", text) + "url: javascript:alert(1)//https://x\n"
    file.write_text(text, encoding="utf-8")
    result = run_cli(["validate"], records_copy)
    assert result.returncode == 1
    assert re.search(r"records/sources/komen-empowher-303\.yaml:\d+:\d+: /url: ", result.stdout)
    # Rendering drops a bad URL too, should one ever get past the schema.
    for url in (
        "javascript:alert(1)",
        " JaVaScRiPt:x",
        "data:text/html,<b>",
        "//evil.example/",
        'https://x" onmouseover="alert(1)',
        "https://x/<script>",
    ):
        assert escape.safe_url(url) is None, url
    assert (
        escape.safe_url("https://clinicaltrials.gov/study/NCT1")
        == "https://clinicaltrials.gov/study/NCT1"
    )


# Strict YAML ---------------------------------------------------------------------------------

REFUSED = [
    ("duplicate", "id: a\nname: x\nid: b\n", 3, 1, "/id: duplicate key 'id'"),
    ("alias", "a: &x [1]\nb: *x\n", 1, 4, "anchors (&name) and aliases (*name) are not allowed"),
    ("anchor", "a: &x 1\n", 1, 4, "anchors (&name) and aliases (*name) are not allowed"),
    (
        "merge key",
        "a: {x: 1}\nb:\n  <<: {y: 2}\n",
        3,
        3,
        "/b/<<: YAML merge keys (<<) are not allowed",
    ),
    ("tab", "a:\n\tb: 1\n", 2, 1, "tab used for indentation"),
    ("empty", "", 1, 1, "the file is empty"),
    ("comments only", "# nothing\n", 1, 1, "the file is empty"),
    ("list", "- a\n- b\n", 1, 1, "a record must be a mapping of field: value"),
    ("text", "just words\n", 1, 1, "a record must be a mapping of field: value"),
    (
        "NO",
        "country: NO\n",
        1,
        10,
        "'NO' would be read as a yes/no value (quote it if you mean the text: 'NO'",
    ),
    ("yes", "a: [yes]\n", 1, 5, "'yes' would be read as a yes/no value"),
    ("on", "a: on\n", 1, 4, "'on' would be read as a yes/no value"),
    ("octal", "a: 017\n", 1, 4, "'017' would be read as a YAML 1.1 number"),
    ("base 60", "a: 1:20\n", 1, 4, "'1:20' would be read as a YAML 1.1 number"),
    ("nan", "a: .nan\n", 1, 4, "'.nan' is not a usable number"),
    (
        "python object",
        "a: !!python/object:os.system {}\n",
        1,
        4,
        "YAML tags (!!python/object:os.system) are not allowed",
    ),
    (
        "python name",
        "a: !!python/name:os.system\n",
        1,
        4,
        "YAML tags (!!python/name:os.system) are not allowed",
    ),
    ("custom tag", "a: !foo bar\n", 1, 4, "YAML tags (!foo) are not allowed"),
    ("binary", "a: !!binary aGk=\n", 1, 4, "YAML tags (!!binary) are not allowed"),
    ("set", "a: !!set {x}\n", 1, 4, "YAML tags (!!set) are not allowed"),
    ("two documents", "a: 1\n---\nb: 2\n", 2, 1, "a record file holds one YAML document"),
    ("control character", 'a: "x\x07"\n', 1, 6, "control character U+0007 is not allowed"),
    ("complex key", "? [a]\n: 1\n", 1, 3, "mapping keys must be plain text"),
    ("syntax", "a: [1\n", 2, 1, "YAML syntax: "),
    (
        "deep",
        "a: " + "[" * 100 + "]" * 100 + "\n",
        1,
        3 + MAX_DEPTH,
        f"nested more than {MAX_DEPTH} levels",
    ),
]


@pytest.mark.parametrize(
    "text, line, col, message", [r[1:] for r in REFUSED], ids=[r[0] for r in REFUSED]
)
def test_yaml_refusals_name_line_column_and_reason(text, line, col, message):
    record, problems = parse_record_text(text, "records/drugs/x.yaml", "drugs", "x")
    assert record is None
    assert len(problems) == 1
    shown = problems[0].text()
    assert shown.startswith(f"records/drugs/x.yaml:{line}:{col}: "), shown
    assert message in shown
    assert "\n" not in shown


def test_yaml_readings_a_curator_means():
    """Unquoted dates stay the text typed (not date objects); true/false and decimals are kept."""
    text = "a: 2024-01-02\nb: 2019-05\nc: true\nd: [0, 0.5, -3, 1_000]\ne: 'NO'\nf: 10:30 am\n"
    record, problems = parse_record_text(text, "x.yaml", "drugs", "x")
    assert problems == []
    assert record.data == {
        "a": "2024-01-02",
        "b": "2019-05",
        "c": True,
        "d": [0, 0.5, -3, 1000],
        "e": "NO",
        "f": "10:30 am",
    }


def test_billion_laughs_is_refused_at_the_first_anchor_without_expansion():
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [
        f"{chr(98 + i)}: &{chr(98 + i)} [{','.join([f'*{chr(97 + i)}'] * 9)}]" for i in range(20)
    ]
    start = time.perf_counter()
    record, problems = parse_record_text("\n".join(lines) + "\n", "x.yaml", "drugs", "x")
    assert time.perf_counter() - start < 0.5
    assert record is None and problems[0].line == 1 and "anchors" in problems[0].message


def test_nesting_that_would_crash_libyaml_is_refused(tmp_path):
    """libyaml's composer recurses in C: a 256 KiB file of brackets would kill the process."""
    text = "a: " + "[" * 120_000 + "]" * 120_000 + "\n"
    record, problems = parse_record_text(text, "x.yaml", "drugs", "x")
    assert record is None and f"nested more than {MAX_DEPTH} levels deep" in problems[0].message


def test_file_refusals(tmp_path):
    folder = tmp_path / "records/drugs"
    folder.mkdir(parents=True)
    big = folder / "big.yaml"
    big.write_text("notes: '" + "x" * MAX_FILE_BYTES + "'\n")
    latin = folder / "latin.yaml"
    latin.write_bytes(b"id: latin\nname: caf\xe9\n")
    expected = {
        big: f"records/drugs/big.yaml:1:1: file is {big.stat().st_size} bytes; records may be at most {MAX_FILE_BYTES}",
        latin: "records/drugs/latin.yaml:2:1: the file is not valid UTF-8",
    }
    for file, message in expected.items():
        record, problems = read_record(file, tmp_path, "drugs")
        assert record is None and problems[0].text().startswith(message)


# Ids and file names --------------------------------------------------------------------------


def _case_sensitive(folder: Path) -> bool:
    (folder / "probe").write_text("")
    sensitive = not (folder / "PROBE").exists()
    (folder / "probe").unlink()
    return sensitive


def test_file_names_are_slugs_and_links_are_refused(records_copy, tmp_path):
    drugs = records_copy / "drugs"
    if not _case_sensitive(drugs):
        pytest.skip("needs a case-sensitive file system")
    shutil.copy(drugs / "zanidatamab.yaml", drugs / "Zanidatamab.yaml")
    shutil.copy(drugs / "eribulin.yaml", drugs / "Eribu lin.yaml")
    (drugs / "passwd.yaml").symlink_to("/etc/passwd")
    outside = tmp_path / "outside"
    shutil.move(records_copy / "targets", outside)
    (records_copy / "targets").symlink_to(outside, target_is_directory=True)
    (drugs / "bad\nname.yaml").write_text("id: x\n")
    by_kind, problems = load_records(records_copy, records_copy.parent)
    shown = {p.path: p.text() for p in problems if p.rule in ("ids", "files")}
    assert shown["records/drugs/Zanidatamab.yaml"].endswith(
        "file name 'Zanidatamab.yaml' is not a lowercase ASCII slug and differs only by case from "
        "'zanidatamab.yaml' (ids are lowercase: merge the two records into one file)"
    )
    assert (
        "file name 'Eribu lin.yaml' is not a lowercase ASCII slug"
        in shown["records/drugs/Eribu lin.yaml"]
    )
    assert "a record file may not be a link" in shown["records/drugs/passwd.yaml"]
    assert "a record folder may not be a link" in shown["records/targets"]
    assert "records/drugs/bad\\x0aname.yaml" in shown  # a newline in a name cannot forge a line
    assert "zanidatamab" in by_kind["drugs"] and by_kind["targets"] == {}


def test_an_id_cannot_name_a_path(records_copy):
    file = records_copy / "drugs/zanidatamab.yaml"
    text = file.read_text(encoding="utf-8").replace(
        "  - target: erbb2\n", "  - target: ../../etc/x\n", 1
    )
    file.write_text(text.replace("id: zanidatamab\n", "id: ../zanidatamab\n", 1), encoding="utf-8")
    result = run_cli(["validate"], records_copy)
    assert result.returncode == 1
    assert "/id: '../zanidatamab' is not a lowercase ASCII slug" in result.stdout
    assert "/targets/0/target: '../../etc/x' is not a lowercase ASCII slug" in result.stdout


# Never a traceback ---------------------------------------------------------------------------

LINE = re.compile(r"^records/[a-z]+/[^:]+\.yaml:\d+:\d+: .+$")


def run_cli(args: list[str], records: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PIPELINE_TRACKER_RECORDS=str(records))
    return subprocess.run(
        [str(BIN / "pipeline-tracker"), *args],
        cwd=records.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def break_records(records: Path) -> None:
    """One record broken in each way a careless or hostile pull request could."""
    broken = {
        "drugs/eribulin.yaml": "id: eribulin\nid: eribulin\n",
        "drugs/gemcitabine.yaml": "a: &x 1\n",
        "drugs/carboplatin.yaml": "id: carboplatin\n\tname: x\n",
        "drugs/paclitaxel.yaml": "",
        "drugs/vinorelbine.yaml": "- a list\n",
        "drugs/capecitabine.yaml": "a: !!python/object/apply:os.system ['true']\n",
        "targets/fgfr1.yaml": "a: " + "[" * 50_000 + "]" * 50_000 + "\n",
        "targets/fgfr3.yaml": "id: fgfr3\nsymbol: NO\n",
    }
    for name, text in broken.items():
        (records / name).write_text(text, encoding="utf-8")
    (records / "targets/ptpn11.yaml").write_bytes(b"id: ptpn11\nname: \xff\n")


def test_validate_reports_every_bad_input_without_a_traceback(records_copy):
    break_records(records_copy)
    result = run_cli(["validate"], records_copy)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stdout.splitlines()
    assert all(LINE.match(line) for line in lines), lines
    for name in (
        "eribulin",
        "gemcitabine",
        "carboplatin",
        "paclitaxel",
        "vinorelbine",
        "capecitabine",
        "fgfr1",
        "fgfr3",
        "ptpn11",
    ):
        assert any(f"/{name}.yaml:" in line for line in lines), name


def test_mkdocs_build_fails_with_the_same_messages_and_keeps_the_old_site(records_copy, tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("the last good site")
    break_records(records_copy)
    expected = run_cli(["validate"], records_copy).stdout.splitlines()
    result = mkdocs_build(site, records=records_copy)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    for line in expected:
        assert line in result.stderr
    assert (site / "index.html").read_text() == "the last good site"  # not emptied first


def _tree_digest(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _scratch_repo(tmp_path: Path) -> Path:
    """A repository-shaped folder that shares this checkout's code but has its own site/."""
    repo = tmp_path / "repo"
    repo.mkdir()
    for entry in ROOT.iterdir():
        if entry.name not in ("site", "site.tmp", "records", ".git"):
            (repo / entry.name).symlink_to(entry)
    return repo


def test_failing_make_build_leaves_the_previous_site_intact(records_copy, tmp_path):
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    repo = _scratch_repo(tmp_path)
    env = dict(
        os.environ, PIPELINE_TRACKER_RECORDS=str(records_copy), SOURCE_DATE_EPOCH="1700000000"
    )
    make = ["make", "-s", "-o", ".venv/.installed", "build"]  # -o: never reinstall from here
    good = subprocess.run(make, cwd=repo, env=env, capture_output=True, text=True, timeout=300)
    assert good.returncode == 0, good.stderr
    before = _tree_digest(repo / "site")
    assert "drugs/zanidatamab/index.html" in before
    break_records(records_copy)
    bad = subprocess.run(make, cwd=repo, env=env, capture_output=True, text=True, timeout=300)
    assert bad.returncode != 0
    assert "records/drugs/eribulin.yaml:2:1: /id: duplicate key 'id'" in bad.stderr
    assert "Traceback" not in bad.stderr
    assert _tree_digest(repo / "site") == before


# mkdocs serve --------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, ""
    except OSError:
        return 0, ""


def _wait(predicate, seconds: float) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_serve_shows_the_error_then_serves_the_fixed_build(records_copy, tmp_path):
    port = _free_port()
    log = tmp_path / "serve.log"
    env = dict(os.environ, PIPELINE_TRACKER_RECORDS=str(records_copy), NO_MKDOCS_2_WARNING="1")
    with log.open("w") as out:
        process = subprocess.Popen(
            [
                str(BIN / "mkdocs"),
                "serve",
                "-a",
                f"127.0.0.1:{port}",
                "--config-file",
                str(ROOT / "mkdocs.yml"),
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    page = f"http://127.0.0.1:{port}/drugs/zanidatamab/"
    record = records_copy / "drugs/zanidatamab.yaml"
    good = record.read_text(encoding="utf-8")
    try:
        assert _wait(lambda: _get(page)[0] == 200, 25), log.read_text()
        record.write_text(good + "name: again\n", encoding="utf-8")
        assert _wait(lambda: "serving the last good build" in log.read_text(), 15), log.read_text()
        shown = log.read_text()
        assert re.search(
            r"records/drugs/zanidatamab\.yaml:\d+:1: /name: duplicate key 'name'", shown
        )
        assert "Traceback" not in shown
        # While the record is broken, the last good build is served, with the problem on the page
        # (on a loaded machine the server may still be busy the moment the log says so).
        assert _wait(lambda: "Records have problems" in _get(page)[1], 15), log.read_text()
        status, body = _get(page)
        assert status == 200 and "Records have problems" in body and "duplicate key" in body
        assert "Highest phase" in body
        record.write_text(
            good.replace("name: zanidatamab\n", "name: zanidatamab-renamed\n", 1), encoding="utf-8"
        )
        assert _wait(lambda: "zanidatamab-renamed" in _get(page)[1], 15), log.read_text()
        assert "Records have problems" not in _get(page)[1]
    finally:
        os.killpg(process.pid, signal.SIGINT)  # as Ctrl-C: MkDocs removes its temporary site
        process.wait(timeout=30)
