"""A real build of the records: key pages exist, link both ways, and show sourced facts."""

from __future__ import annotations

import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import yaml
from conftest import FIXTURES, ROOT, mkdocs_build, open_data


class _Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []  # (href, text)
        self.ids: set[str] = set()
        self.text_parts: list[str] = []
        self._href: str | None = None
        self._link_text: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag in ("script", "style"):
            self._skip += 1
        if tag == "a" and "href" in attrs:
            self._href, self._link_text = attrs["href"], []

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1
        if tag == "a" and self._href is not None:
            self.links.append((self._href, "".join(self._link_text).strip()))
            self._href = None

    def handle_data(self, data):
        if self._skip:
            return
        self.text_parts.append(data)
        if self._href is not None:
            self._link_text.append(data)

    @property
    def text(self) -> str:
        text = re.sub(r"\s+", " ", " ".join(self.text_parts))
        return re.sub(r" ([,.;:)%])", r"\1", text)


def page(site: Path, url: str) -> _Page:
    path = site / url.strip("/") / "index.html" if not url.endswith(".html") else site / url
    assert path.exists(), f"no page at /{url}"
    parsed = _Page()
    parsed.feed(path.read_text(encoding="utf-8"))
    parsed.url = url  # type: ignore[attr-defined]
    return parsed


def targets(p: _Page) -> dict[str, str]:
    """Link text → absolute site path, for links inside the site."""
    base = "http://site/" + p.url.strip("/") + "/"  # type: ignore[attr-defined]
    out = {}
    for href, text in p.links:
        absolute = urljoin(base, href)
        if absolute.startswith("http://site/"):
            out.setdefault(
                text,
                urlsplit(absolute).path
                + (f"#{urlsplit(absolute).fragment}" if urlsplit(absolute).fragment else ""),
            )
    return out


def test_done_when_path_zanidatamab_to_her2_to_beigene_to_herizon(built_site):
    drug = page(built_site, "drugs/zanidatamab/")
    links = targets(drug)
    assert links["ERBB2"] == "/targets/erbb2/"
    assert links["BeiGene"] == "/companies/beigene/"
    assert links["HERIZON-BTC-01"] == "/trials/herizon-btc-01/"

    her2 = page(built_site, "targets/erbb2/")
    assert "HER2" in her2.text and "CD340" in her2.text
    her2_drugs = {path for path in targets(her2).values() if path.startswith("/drugs/")}
    assert {
        "/drugs/zanidatamab/",
        "/drugs/inetetamab/",
        "/drugs/pyrotinib/",
        "/drugs/trastuzumab/",
    } <= her2_drugs

    beigene = page(built_site, "companies/beigene/")
    assert targets(beigene)["zanidatamab"] == "/drugs/zanidatamab/"
    assert "approved" in beigene.text

    trial = page(built_site, "trials/herizon-btc-01/")
    assert "51.6%" in trial.text and "independent central review" in trial.text
    row = re.search(
        r"confirmed objective response rate.{0,200}?51\.6%.{0,200}?\[(\d+)\]", trial.text
    )
    assert row, "the cORR row cites a numbered source"
    number = row.group(1)
    assert f"ref-{number}" in trial.ids
    assert ("https://www.clinicaltrials.gov/study/NCT04466891", "NCT04466891") in trial.links


def test_drug_page_shows_headline_phase_and_pipeline_chart(built_site):
    drug = page(built_site, "drugs/zanidatamab/")
    assert re.search(r"Highest phase approved — biliary tract cancer, China", drug.text)
    html = (built_site / "drugs/zanidatamab/index.html").read_text()
    assert 'class="pt-chart"' in html and 'class="pt-bar"' in html


def test_derived_phase_from_trial_when_no_status_row(built_site):
    """Inetetamab has no stated status row; its phase 2 trial gives it phase 2 in breast cancer."""
    drug = page(built_site, "drugs/inetetamab/")
    assert "Highest phase phase 2 — breast cancer, region not reported" in drug.text
    assert "trial" in drug.text


def test_hainan_approval_is_sub_national(built_site):
    drug = page(built_site, "drugs/infigratinib/")
    assert "China · Hainan" in drug.text and "approved" in drug.text


def test_indication_page_counts_narrower_indications(built_site):
    btc = page(built_site, "indications/biliary-tract-cancer/")
    drugs = {p for p in targets(btc).values() if p.startswith("/drugs/")}
    assert {"/drugs/zanidatamab/", "/drugs/infigratinib/"} <= drugs, (
        "cholangiocarcinoma drugs count under BTC"
    )
    chol = page(built_site, "indications/cholangiocarcinoma/")
    assert (
        "72000" in chol.text.replace(",", "")
        and targets(chol)["biliary tract cancer"] == "/indications/biliary-tract-cancer/"
    )


def test_company_page_shows_deals_with_terms(built_site):
    carsgen = page(built_site, "companies/carsgen/")
    assert "Huadong Medicine" in carsgen.text
    timeline = page(built_site, "timeline/")
    assert "CNY 200,000,000" in timeline.text and "CNY 1,025,000,000" in timeline.text
    assert "event-carsgen-huadong-zevor-cel-2023" in timeline.ids  # ids.py: prefixed


def test_index_pages_have_tables_with_highest_phase(built_site):
    for kind in ("drugs", "targets", "companies", "indications", "trials", "sources"):
        index = (built_site / kind / "index.html").read_text()
        assert "pt-table" in index, kind
    drugs = page(built_site, "drugs/")
    assert "CT053" in drugs.text and "filed" in drugs.text


def test_every_page_cites_sources_it_numbers(built_site):
    for url in (
        "drugs/zevorcabtagene-autoleucel/",
        "trials/lummicar-1/",
        "timeline/",
        "indications/cholangiocarcinoma/",
    ):
        p = page(built_site, url)
        cited = {href[1:] for href, _ in p.links if href.startswith("#ref-")}
        assert cited and cited <= p.ids, url


def test_source_page_lists_what_cites_it(built_site):
    src = page(built_site, "sources/geneonline-2023-01-17-carsgen-huadong/")
    assert "/drugs/zevorcabtagene-autoleucel/" in targets(src).values()


def test_entity_pages_are_not_in_the_nav(built_site):
    home = (built_site / "index.html").read_text()
    nav = home[home.find('<nav class="md-nav md-nav--primary"') :]
    # The primary nav holds the home page's own table of contents (a nested <nav>): end at the
    # secondary sidebar, not at the first </nav>.
    nav = nav[: nav.find('class="md-sidebar md-sidebar--secondary"')]
    assert "drugs/zanidatamab/" not in nav
    assert "drugs/" in nav


def test_search_index_finds_code_names(built_site):
    from pagefind_index import fragments

    indexed = fragments(built_site)["/drugs/zevorcabtagene-autoleucel/"]["content"]
    assert "CT053" in indexed and "zevor-cel" in indexed
    # Material's lunr index (one file every reader downloads) is not built: Pagefind replaces it.
    assert not (built_site / "search" / "search_index.json").exists()


def test_no_third_party_requests_in_pages(built_site):
    offenders = []
    for html in built_site.rglob("*.html"):
        text = html.read_text()
        for match in re.finditer(r'<(?:script|link|img)[^>]+(?:src|href)="(https?://[^"]+)"', text):
            offenders.append(f"{html.relative_to(built_site)}: {match.group(1)}")
    assert offenders == []


def test_view_link_opens_the_record_as_json_and_yaml_is_not_copied(built_site):
    # Without a repository address, "View this record" opens the record's JSON document (in a
    # gzip-compressed file of documents; tracker.js shows the one document): the record YAML is
    # no longer copied to the site (it was a third copy of every record).
    html = (built_site / "drugs/zanidatamab/index.html").read_text(encoding="utf-8")
    view = re.search(
        r'<a class="pt-edit pt-json" href="\.\./\.\./([^"#]+)#zanidatamab"[^>]*>View', html
    )
    assert view, "no View link to the JSON document"
    bundle = json.loads(open_data(built_site, view.group(1)))
    assert bundle["records"]["zanidatamab"]["record"]["id"] == "zanidatamab"
    assert not (built_site / "records").exists()


def test_record_pages_have_a_table_of_contents_and_their_whole_body(built_site):
    # Record pages reach MkDocs as HTML (not Markdown): the hook supplies the sidebar's table of
    # contents and puts the unindexed sections back after the theme renders the page.
    page = (built_site / "drugs" / "zanidatamab" / "index.html").read_text(encoding="utf-8")
    toc = page[page.index('data-md-component="toc"') :]
    for section in (
        "companies",
        "pipeline",
        "development-status",
        "trials",
        "events-and-deals",
        "references",
    ):
        assert f'href="#{section}" class="md-nav__link"' in toc, section
        assert f'<h2 id="{section}">' in page, section
    assert "<title>zanidatamab - Open Pipeline Tracker</title>" in page
    for html in built_site.rglob("*.html"):
        assert "pipeline-tracker:rest" not in html.read_text(encoding="utf-8"), html


def test_links_to_anchors_on_generated_pages_are_checked(tmp_path):
    # MkDocs checks a hand-written page's links to #anchors against the anchors of the page linked
    # to; generated pages never pass through Markdown, so the hook must give MkDocs their ids.
    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    config["docs_dir"] = str(tmp_path / "docs")
    config["hooks"] = [str(ROOT / "hooks" / "tracker_hook.py")]
    config["theme"]["custom_dir"] = str(ROOT / "overrides")
    shutil.copytree(ROOT / "docs", tmp_path / "docs")
    (tmp_path / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    page = tmp_path / "docs" / "anchors.md"
    page.write_text(
        "# Anchors\n\n[status](drugs/zanidatamab.md#development-status)\n", encoding="utf-8"
    )
    good = mkdocs_build(tmp_path / "site", FIXTURES, tmp_path / "mkdocs.yml")
    assert good.returncode == 0, good.stderr
    page.write_text(
        "# Anchors\n\n[status](drugs/zanidatamab.md#no-such-section)\n", encoding="utf-8"
    )
    bad = mkdocs_build(tmp_path / "site", FIXTURES, tmp_path / "mkdocs.yml")
    assert bad.returncode != 0 and "no-such-section" in bad.stderr


def test_filter_choices_are_the_values_the_table_holds(built_site):
    """A drug table's filters offer the values its rows hold (made by tracker.js from the form's
    JSON): every phase a drug reaches, anywhere (data-phase) or in a region (data-stages), once,
    highest first; the targets the listed drugs have, each under its display name."""
    from pipeline_tracker.model.claims import display_name
    from pipeline_tracker.records.load import load_records
    from pipeline_tracker.records.phases import LADDER

    records, problems = load_records(FIXTURES, ROOT)
    assert problems == []
    html = (built_site / "drugs" / "index.html").read_text(encoding="utf-8")
    start = html.index('<form class="pt-table-filters"')
    form = html[start : html.index("</form>", start)]
    table_start = html.index('class="pt-table pt-sortable pt-region-filtered"')
    table = html[table_start : html.index("</table>", table_start)]
    choices = json.loads(re.search(r"<script [^>]*data-pt-options>(.*?)</script>", form).group(1))
    offered = [value for value, _ in choices["phase"]]
    reached = set(re.findall(r'data-phase="([^"]*)"', table)) - {"none"} | {
        stage.split("=")[1]
        for stages in re.findall(r'data-stages="([^"]*)"', table)
        for stage in stages.split()
    }
    assert reached and reached <= set(offered) and len(offered) == len(set(offered))
    order = [p.replace(" ", "-").replace("/", "-") for p in reversed(LADDER)] + ["special-access"]
    assert offered == sorted(offered, key=order.index)
    listed = set(re.findall(r'data-targets="([^"]*)"', table))
    held = {t for targets in listed for t in targets.split()}
    assert {value for value, _ in choices["target"]} == held
    assert all(label == display_name(records, "targets", v) for v, label in choices["target"])
    # Until tracker.js runs, each select holds only its "all …" choice.
    assert not re.search(
        r'<select name="(?!region)[^"]*">(?:(?!</select>).)*<option value="[^"]', form
    )
