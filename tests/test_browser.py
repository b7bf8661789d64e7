"""The built site in a real browser: console, sorting, filters, search; nothing off 127.0.0.1.

Debian's chromium runs headless under Debian's chromedriver; Selenium never downloads a browser
(the driver path is given and SE_OFFLINE is set). Screenshots land in tests/artifacts/.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import os
import shutil
import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest
from pipeline_tracker.model.tracker import link
from pipeline_tracker.records.load import SINGULAR, load_records

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "records"
# Debian's packages by default; other systems (e.g. GitHub's Ubuntu runners) point these elsewhere.
CHROMIUM = os.environ.get("PIPELINE_TRACKER_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("PIPELINE_TRACKER_CHROMEDRIVER", "/usr/bin/chromedriver")
ARTIFACTS = ROOT / "tests" / "artifacts"
# Waits poll every 50 ms: Selenium's default (every 0.5 s) adds up to half a second to each wait.
POLL = 0.05


def _require_browser() -> None:
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not shutil.which(p)]
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("python package selenium")
    if missing:
        reason = (
            "browser tests need "
            + ", ".join(missing)
            + " (apt-get install chromium chromium-driver)"
        )
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason + "; CI must run them")
        pytest.skip(reason)


@pytest.fixture(scope="module")
def tracker():
    records, problems = load_records(FIXTURES, ROOT)
    assert problems == []
    return link(records)


@contextlib.contextmanager
def _serving(site: Path, handler_class=None):
    """A built site over HTTP on 127.0.0.1 (a free port); yields its address."""
    handler = functools.partial(handler_class or _QuietHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture(scope="module")
def server(built_site):
    """The built site over HTTP on 127.0.0.1 (a free port)."""
    with _serving(built_site) as address:
        yield address


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


class _GzipEncodingHandler(_QuietHandler):
    """A host that sends .gz files with Content-Encoding: gzip (as Apache's AddEncoding does):
    the browser hands the page the inflated bytes."""

    def end_headers(self):
        if urlparse(self.path).path.endswith(".gz"):
            self.send_header("Content-Encoding", "gzip")
        super().end_headers()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    _require_browser()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    os.environ["SE_OFFLINE"] = "true"  # never let selenium-manager fetch anything
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-dev-shm-usage",
        "--window-size=1280,1000",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
    ):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


def _visit(browser, url: str) -> tuple[list[str], list[str]]:
    """Load a page; return its console errors and every URL the browser requested for it."""
    browser.get_log("browser")
    browser.get_log("performance")
    browser.get(url)
    browser.execute_script("return document.readyState")
    errors = [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    requested = []
    for entry in browser.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            requested.append(message["params"]["request"]["url"])
    requested += browser.execute_script(
        "return performance.getEntriesByType('resource').map(function (e) { return e.name; })"
    )
    return errors, requested


def _page_kinds(tracker) -> dict[str, str]:
    first = {
        kind: tracker.ids(kind)[0]
        for kind in ("drugs", "targets", "companies", "indications", "trials", "sources")
    }
    pages = {f"{kind} page": f"{kind}/{rid}/" for kind, rid in first.items()}
    pages.update({f"{kind} index": f"{kind}/" for kind in first})
    pages.update(
        {
            "home": "",
            "timeline": "timeline/",
            "landscapes": "landscapes/",
            "open data": "data/",
            "data quality": "quality/",
        }
    )
    return pages


def test_pages_load_without_console_errors_or_third_party_requests(browser, server, tracker):
    failures = []
    for name, path in _page_kinds(tracker).items():
        errors, requested = _visit(browser, server + path)
        outside = sorted(
            {
                u
                for u in requested
                if urlparse(u).scheme in ("http", "https", "ws", "wss")
                and urlparse(u).hostname != "127.0.0.1"
            }
        )
        if errors:
            failures.append(f"{name} ({path}): console errors {errors}")
        if outside:
            failures.append(f"{name} ({path}): requests leaving 127.0.0.1: {outside}")
        if not any(urlparse(u).path.endswith("tracker.js") for u in requested):
            failures.append(f"{name} ({path}): tracker.js was not loaded, so the check saw nothing")
    assert failures == []


def _column(browser, table, index: int) -> list[str]:
    return [
        row.find_elements("css selector", "td")[index].text
        for row in table.find_elements("css selector", "tbody tr")
    ]


def test_table_resorts_when_header_clicked_and_filters_rows(browser, server, tracker):
    browser.get(server + "drugs/")
    table = browser.find_element("css selector", "table.pt-sortable")
    header = table.find_elements("css selector", "thead th")[0]
    button = header.find_element("css selector", "button.pt-sort")
    button.click()
    ascending = _column(browser, table, 0)
    assert ascending == sorted(ascending, key=str.lower)
    assert header.get_attribute("aria-sort") == "ascending"
    button.send_keys(" ")  # Space on the focused button sorts (and does not scroll the page)
    assert _column(browser, table, 0) == sorted(ascending, key=str.lower, reverse=True)

    name = tracker.get("drugs", tracker.ids("drugs")[-1])["name"]
    box = browser.find_element("css selector", ".pt-filter input")
    box.send_keys(name)
    visible = [r.text for r in table.find_elements("css selector", "tbody tr") if r.is_displayed()]
    assert visible and all(name.lower() in text.lower() for text in visible)
    assert len(visible) < len(tracker.ids("drugs"))
    box.clear()
    box.send_keys(" ")  # an input event with no words shows every row again
    assert all(r.is_displayed() for r in table.find_elements("css selector", "tbody tr"))


def test_drugs_filter_by_region_within_and_round_trips_through_the_url(browser, server, tracker):
    from selenium.webdriver.support.ui import Select

    in_china = {
        d
        for d in tracker.tracked_ids()
        if any(r.region in ("CN", "CN-HI") for r in tracker.phase_rows.get(d, []))
    }
    assert in_china and in_china != set(tracker.tracked_ids())
    assert any(r.region == "CN-HI" for rows in tracker.phase_rows.values() for r in rows)
    browser.get(server + "drugs/")
    table = browser.find_element("css selector", "table.pt-region-filtered")
    Select(
        browser.find_element("css selector", "form[data-pt-region-filter] select[name=region]")
    ).select_by_value("CN")

    assert _shown_drugs(table) == in_china
    caption = table.find_element("css selector", "caption").text
    assert caption.startswith(f"{len(in_china)} of {len(tracker.tracked_ids())} ")
    url = browser.current_url
    assert urlparse(url).query == "region=CN"
    browser.get(server + "drugs/")
    table = browser.find_element("css selector", "table.pt-region-filtered")
    assert _shown_drugs(table) == set(tracker.tracked_ids())
    browser.get(url)  # a shared link restores the view
    table = browser.find_element("css selector", "table.pt-region-filtered")
    assert _shown_drugs(table) == in_china
    approved_cn = {
        d
        for d in in_china
        if any(
            r.region in ("CN", "CN-HI") and r.phase == "approved" and not r.special_access
            for r in tracker.phase_rows[d]
        )
    }
    browser.get(server + "drugs/?region=CN&phase=approved")
    table = browser.find_element("css selector", "table.pt-region-filtered")
    assert _shown_drugs(table) == approved_cn
    # On a phone rows are drawn as cards (display: block): a filtered-out card stays hidden.
    browser.set_window_size(390, 1000)
    try:
        browser.get(url)
        table = browser.find_element("css selector", "table.pt-region-filtered")
        assert _shown_drugs(table) == in_china
    finally:
        browser.set_window_size(1280, 1000)


def _shown_drugs(table) -> set[str]:
    return {
        urlparse(r.find_element("css selector", "td a").get_attribute("href"))
        .path.rstrip("/")
        .split("/")[-1]
        for r in table.find_elements("css selector", "tbody tr")
        if r.is_displayed()
    }


def test_drugs_phase_column_shows_the_highest_phase_in_the_chosen_region(browser, server, tracker):
    from pipeline_tracker.model.claims import status_label

    drug, region, stage = next(
        (d, code, row)
        for d in tracker.tracked_ids()
        for code, row in sorted(tracker.stage_by_region(d).items())
        if status_label(row).text != status_label(tracker.highest_phase(d)).text
    )
    browser.get(server + f"drugs/?region={region}")
    table = browser.find_element("css selector", "table.pt-region-filtered")
    row = next(
        r
        for r in table.find_elements("css selector", "tbody tr")
        if r.find_element("css selector", "td a").get_attribute("href").rstrip("/").endswith(drug)
    )
    cell = row.find_elements("css selector", "td")[1]
    assert cell.text.startswith(status_label(stage).text), cell.text
    assert status_label(tracker.highest_phase(drug)).text not in cell.text.split(" in ")[0]
    browser.get(server + "drugs/")  # no region: the highest phase anywhere again
    table = browser.find_element("css selector", "table.pt-region-filtered")
    row = next(
        r
        for r in table.find_elements("css selector", "tbody tr")
        if r.find_element("css selector", "td a").get_attribute("href").rstrip("/").endswith(drug)
    )
    assert row.find_elements("css selector", "td")[1].text == (
        status_label(tracker.highest_phase(drug)).text
    )


def test_drugs_filter_by_modality_target_company_and_route_in_the_url(browser, server, tracker):
    from selenium.webdriver.support.ui import Select

    tracked = tracker.tracked_ids()
    drugs = {d: tracker.get("drugs", d) for d in tracked}
    modality = next(
        m
        for m in sorted({x["modality"] for x in drugs.values()})
        if 0 < sum(x["modality"] == m for x in drugs.values()) < len(tracked)
    )
    browser.get(server + "drugs/")
    table = browser.find_element("css selector", "table.pt-region-filtered")
    with_modality = {d for d, x in drugs.items() if x["modality"] == modality}
    # Each choice says how many drugs it leaves ("small molecule (2)").
    Select(browser.find_element("css selector", "select[name=modality]")).select_by_visible_text(
        f"{modality} ({len(with_modality)})"
    )
    assert _shown_drugs(table) == with_modality
    assert "modality=" in urlparse(browser.current_url).query
    shared = browser.current_url
    browser.get(shared)
    table = browser.find_element("css selector", "table.pt-region-filtered")
    assert _shown_drugs(table) == {d for d, x in drugs.items() if x["modality"] == modality}

    def having(field, key, value):
        return {d for d, x in drugs.items() if any(e[key] == value for e in x.get(field) or [])}

    company = "carsgen"
    assert 0 < len(having("companies", "company", company)) < len(tracked)
    browser.get(server + f"drugs/?company={company}")
    table = browser.find_element("css selector", "table.pt-region-filtered")
    assert _shown_drugs(table) == having("companies", "company", company)
    # The company filter's choices come from the form's JSON: the shared link's company is one
    # of them, under its name.
    chosen = Select(browser.find_element("css selector", "select[name=company]"))
    _wait(browser, lambda: "(" in chosen.first_selected_option.text)
    name, count = (
        tracker.get("companies", company)["name"],
        len(having("companies", "company", company)),
    )
    assert chosen.first_selected_option.text == f"{name} ({count})"
    target = "erbb2"
    browser.get(server + f"drugs/?target={target}")
    table = browser.find_element("css selector", "table.pt-region-filtered")
    assert _shown_drugs(table) == having("targets", "target", target)
    # Route with a region: special access in China (Hainan lies within China).
    special_cn = {
        d
        for d in tracked
        if any(r.special_access and r.region in ("CN", "CN-HI") for r in tracker.phase_rows[d])
    }
    assert special_cn
    browser.get(server + "drugs/?region=CN&route=special-access")
    table = browser.find_element("css selector", "table.pt-region-filtered")
    assert _shown_drugs(table) == special_cn
    caption = table.find_element("css selector", "caption").text
    assert caption.startswith(f"{len(special_cn)} of {len(tracked)} ")


def _choices(browser, name: str) -> list[tuple[str, str, str, bool]]:
    """The options of a drug table's filter: (value, own label, text shown, enabled)."""
    return browser.execute_script(
        "return [...document.querySelector('form[data-pt-region-filter] select[name=' + arguments[0]"
        " + ']').options].filter(o => o.value).map(o => [o.value, o.dataset.label, o.text,"
        " !o.disabled])",
        name,
    )


def _counted(browser, name: str) -> dict[str, int]:
    """Each choice's count as its option shows it, once the counts are in (the filters' form is
    aria-busy until then)."""
    _wait(browser, lambda: not browser.find_elements("css selector", "form[aria-busy]"))
    found = {}
    for value, label, text, enabled in _choices(browser, name):
        assert text.startswith(label + " (") and text.endswith(")"), text
        found[value] = int(text[len(label) + 2 : -1])
        assert enabled == (found[value] > 0), text
    return found


def test_drugs_index_filters_say_how_many_drugs_each_choice_leaves(browser, server, tracker):
    """Every region and phase choice's count is the number of rows the table then shows, with
    the other choices kept; a choice that leaves none is disabled. A drug with special access
    in one place and a phase elsewhere is "special access only" in that place alone: without a
    region that choice says 0 (the table's phase column gives the highest phase anywhere),
    and with the special-access region chosen it finds the drug."""
    from selenium.webdriver.support.ui import Select

    drug, row = next(
        (d, r)
        for d in tracker.tracked_ids()
        for r in tracker.special_access_rows(d)
        if tracker.highest_phase(d) is not None
    )
    browser.get(server + "drugs/")
    table = browser.find_element("css selector", "table.pt-region-filtered")
    tracked = len(table.find_elements("css selector", "tbody tr"))

    def check(name: str, keep: dict[str, str]) -> dict[str, int]:
        counts = _counted(browser, name)
        for value, count in counts.items():
            if not count:
                continue
            Select(browser.find_element("css selector", f"select[name={name}]")).select_by_value(
                value
            )
            _wait(browser, lambda c=count: len(_shown_drugs(table)) == c)
        select = Select(browser.find_element("css selector", f"select[name={name}]"))
        select.select_by_value(keep.get(name, ""))
        return counts

    phases = check("phase", {})
    assert phases["special-access"] == 0 and sum(phases.values()) == tracked
    regions = check("region", {"region": row.region})
    assert regions[row.region] >= 1
    here = check("phase", {"phase": "special-access"})
    assert here["special-access"] >= 1
    assert drug in _shown_drugs(table)
    # With special access chosen, a region's count still means special access there.
    assert _counted(browser, "region")[row.region] == len(_shown_drugs(table))


def test_landscape_region_view_sets_regions_side_by_side_and_filters(browser, server, tracker):
    """One row per drug × indication, a column per region: special access in Hainan reads as
    special access beside the drug's phase in China; ?region=CN keeps rows within China."""
    drug, row = next((d, r) for d in tracker.tracked_ids() for r in tracker.special_access_rows(d))
    browser.get(server + "landscapes/regions/")
    table = browser.find_element("css selector", "table.pt-region-view")
    heads = [h.text for h in table.find_elements("css selector", "thead th")]
    column = heads.index(tracker_region_name(row.region))
    line = next(
        tr
        for tr in table.find_elements("css selector", "tbody tr")
        if tr.find_elements("css selector", "td a")[0]
        .get_attribute("href")
        .rstrip("/")
        .endswith(drug)
        and tr.find_elements("css selector", "td a")[1]
        .get_attribute("href")
        .rstrip("/")
        .endswith(row.indication)
    )
    cell = line.find_elements("css selector", "td")[column]
    assert cell.find_elements("css selector", ".pt-phase--special-access")
    assert "approved" not in cell.text
    browser.get(server + "landscapes/regions/?region=CN")
    table = browser.find_element("css selector", "table.pt-region-view")
    shown = [
        tr.get_attribute("data-regions").split()
        for tr in table.find_elements("css selector", "tbody tr")
        if tr.is_displayed()
    ]
    hidden = [tr for tr in table.find_elements("css selector", "tbody tr") if not tr.is_displayed()]
    assert shown and all("CN" in regions for regions in shown) and hidden


def tracker_region_name(code: str) -> str:
    from pipeline_tracker.records.phases import region_name

    return region_name(code)


def test_company_page_filters_its_drugs_by_region_within_its_programmes(browser, server, tracker):
    from pipeline_tracker.model.tracker import regions_containing

    company, region, inside = next(
        (
            c,
            code,
            {
                d
                for d, rows in progs.items()
                if any(code in regions_containing(r.region) for r in rows)
            },
        )
        for c in tracker.ids("companies")
        for progs in [tracker.programmes_of_company(c)]
        if len(tracker.drugs_of_company(c)) >= 2
        for code in sorted(
            {x for rows in progs.values() for r in rows for x in regions_containing(r.region)}
        )
        if 0
        < sum(any(code in regions_containing(r.region) for r in rows) for rows in progs.values())
        < len(tracker.drugs_of_company(c))
    )
    browser.get(server + f"companies/{company}/?region={region}")
    table = browser.find_element("css selector", "table.pt-region-filtered")
    assert _shown_drugs(table) == inside


def test_a_company_with_one_drug_takes_the_region_a_link_names(browser, server, tracker):
    """A one-row pipeline still filters: the link's region is chosen and counted, and a region
    none of its programmes lies within leaves no row (the form once showed, inert)."""
    from pipeline_tracker.model.tracker import regions_containing
    from selenium.webdriver.support.ui import Select

    def regions(company):
        progs = tracker.programmes_of_company(company)
        return {x for rows in progs.values() for r in rows for x in regions_containing(r.region)}

    company = next(c for c in tracker.ids("companies") if len(tracker.drugs_of_company(c)) == 1)
    region = min(regions(company))
    elsewhere = min(set().union(*map(regions, tracker.ids("companies"))) - regions(company))
    browser.get(server + f"companies/{company}/?region={region}")
    form = browser.find_element("css selector", "form[data-pt-region-filter]")
    assert form.is_displayed()
    chosen = Select(form.find_element("css selector", "select[name=region]")).first_selected_option
    assert chosen.get_attribute("value") == region
    assert chosen.text.endswith("(1)"), chosen.text
    table = browser.find_element("css selector", "table.pt-region-filtered")
    assert _shown_drugs(table) == set(tracker.drugs_of_company(company))
    # One row: its count is shown, a text box to narrow it down is not.
    box = browser.find_element("css selector", ".pt-filter")
    assert box.find_element("css selector", ".pt-filter__count").text
    assert not box.find_element("css selector", "input[type=search]").is_displayed()
    browser.get(server + f"companies/{company}/?region={elsewhere}")
    table = browser.find_element("css selector", "table.pt-region-filtered")
    assert _shown_drugs(table) == set()
    # Its one drug's phase is a choice too: a link naming it finds the drug, not "none here".
    browser.get(server + f"companies/{company}/")
    phases = [
        o.get_attribute("value")
        for o in Select(browser.find_element("css selector", "select[name=phase]")).options
        if o.get_attribute("value")
    ]
    assert phases
    for phase in phases:
        browser.get(server + f"companies/{company}/?phase={phase}")
        chosen = Select(browser.find_element("css selector", "select[name=phase]"))
        assert chosen.first_selected_option.text.endswith("(1)"), chosen.first_selected_option.text
        table = browser.find_element("css selector", "table.pt-region-filtered")
        assert _shown_drugs(table) == set(tracker.drugs_of_company(company))


def test_a_company_page_with_a_region_chosen_lists_the_programmes_there(browser, server, tracker):
    """A drug's row lists the company's programmes in every region; with a region chosen, those
    within it (China holds Hainan), and all of them again once the choice is cleared."""
    from pipeline_tracker.model.tracker import regions_containing
    from selenium.webdriver.support.ui import Select

    company, region, inside, total = next(
        (c, code, inside, total)
        for c in tracker.ids("companies")
        for progs in [tracker.programmes_of_company(c)]
        for total in [sum(len(rows) for rows in progs.values())]
        for code in sorted(
            {x for rows in progs.values() for r in rows for x in regions_containing(r.region)}
        )
        for inside in [
            [r for rows in progs.values() for r in rows if code in regions_containing(r.region)]
        ]
        if 0 < len(inside) < total
    )

    def shown() -> list[str]:
        return [
            li.text
            for li in browser.find_elements("css selector", ".pt-programmes > li")
            if li.is_displayed()
        ]

    browser.get(server + f"companies/{company}/?region={region}")
    texts = shown()
    assert len(texts) == len(inside), texts
    assert all(tracker_region_name(r.region) in " ".join(texts) for r in inside)
    Select(browser.find_element("css selector", "select[name=region]")).select_by_value("")
    assert len(shown()) == total


def test_indication_page_filters_its_drugs_by_region(browser, server, tracker):
    from selenium.webdriver.support.ui import Select

    indication = max(tracker.ids("indications"), key=lambda i: len(tracker.drugs_in_indication(i)))
    scope = tracker.indication_with_descendants(indication)
    drugs = tracker.drugs_in_indication(indication)
    assert len(drugs) >= 2
    in_china = {
        d
        for d in drugs
        if any(
            r.region in ("CN", "CN-HI") and r.indication in scope
            for r in tracker.phase_rows.get(d, [])
        )
    }
    browser.get(server + f"indications/{indication}/?region=CN")
    table = browser.find_element("css selector", "table.pt-region-filtered")
    assert (
        Select(
            browser.find_element("css selector", "select[name=region]")
        ).first_selected_option.get_attribute("value")
        == "CN"
    )
    shown = {
        urlparse(r.find_element("css selector", "td a").get_attribute("href"))
        .path.rstrip("/")
        .split("/")[-1]
        for r in table.find_elements("css selector", "tbody tr")
        if r.is_displayed()
    }
    assert shown == in_china


def test_drug_page_region_view_shows_each_regions_stage_side_by_side(browser, server, tracker):
    # A fixture drug with a development row in China and special access in Hainan.
    drug = next(
        d
        for d in tracker.tracked_ids()
        if any(r.special_access for r in tracker.phase_rows[d])
        and any(not r.special_access and r.region == "CN" for r in tracker.phase_rows[d])
    )
    browser.get(server + f"drugs/{drug}/")
    table = browser.find_element("css selector", "table.pt-regions")
    heads = [h.text for h in table.find_elements("css selector", "thead th")]
    assert "China" in heads and "China · Hainan" in heads
    hainan = heads.index("China · Hainan")
    for row in tracker.special_access_rows(drug):
        if row.region != "CN-HI":
            continue
        line = next(
            tr
            for tr in table.find_elements("css selector", "tbody tr")
            if tr.find_element("css selector", "th a")
            .get_attribute("href")
            .rstrip("/")
            .endswith(row.indication)
        )
        cells = line.find_elements("css selector", "th, td")
        assert cells[hainan].find_elements("css selector", ".pt-phase--special-access")
        assert "approved" not in cells[hainan].text
    china = heads.index("China")
    best_cn = max(
        (r for r in tracker.highest_by_indication_region(drug) if r.region == "CN"),
        key=lambda r: r.rank,
    )
    texts = [
        tr.find_elements("css selector", "th, td")[china].text
        for tr in table.find_elements("css selector", "tbody tr")
    ]
    assert any(best_cn.phase in text for text in texts)


def test_json_link_shows_the_record_document_from_its_compressed_file(browser, server, tracker):
    """The record's JSON lives in a gzip-compressed file of documents; its link opens that one
    document, readable, in a new tab."""
    rid = tracker.ids("drugs")[0]
    browser.get(server + f"drugs/{rid}/")
    link = browser.find_element("css selector", "a.pt-json")
    assert ".json.gz#" in link.get_attribute("href")
    before = set(browser.window_handles)
    link.click()
    _wait(browser, lambda: len(browser.window_handles) > len(before))
    [tab] = set(browser.window_handles) - before
    browser.switch_to.window(tab)
    try:
        _wait(browser, lambda: browser.current_url.startswith("blob:"))
        _wait(browser, lambda: '"record"' in browser.find_element("tag name", "body").text)
        document = json.loads(browser.find_element("tag name", "body").text)
        assert document["record"]["id"] == rid and "development_status" in document
    finally:
        browser.close()
        browser.switch_to.window(next(iter(before)))


def test_record_pages_offer_a_citation_with_path_and_data_version(browser, server, tracker):
    version = tracker.data_version  # changes with any record edit (test_open_data_releases)
    for kind in ("drugs", "companies", "sources"):
        rid = tracker.ids(kind)[0]
        browser.get(server + f"{kind}/{rid}/")
        block = browser.find_element("css selector", ".pt-cite-this")
        assert block.is_displayed()
        text = block.find_element("css selector", ".pt-cite-this__text").text
        assert f"{kind}/{rid}/" in text and f"Data version {version}" in text
        block.find_element("css selector", "summary").click()
        bibtex = block.find_element("css selector", ".pt-cite-this__bibtex").text
        ris = block.find_element("css selector", ".pt-cite-this__ris").text
        assert bibtex.startswith("@misc{") and f"{kind}/{rid}/" in bibtex and version in bibtex
        assert f"UR  - {kind}/{rid}/" in ris and f"ET  - {version}" in ris
    browser.execute_script("window.dispatchEvent(new Event('beforeprint'))")
    assert browser.find_element("css selector", ".pt-cite-this details").get_attribute("open")


def test_timeline_filters_by_type_region_and_year(browser, server, tracker):
    from pipeline_tracker.model.tracker import regions_containing
    from selenium.webdriver.support.ui import Select

    browser.get(server + "timeline/")
    selects = browser.find_elements("css selector", ".pt-timeline-filters select")
    assert len(selects) == 3
    events = {e: tracker.get("events", e) for e in tracker.ids("events")}
    kind = min({d["type"] for d in events.values()})
    Select(selects[0]).select_by_value(kind)
    shown = {
        a.get_attribute("id")
        for a in browser.find_elements("css selector", "article.pt-event")
        if a.is_displayed()
    }
    # Record-derived element ids are prefixed (ids.py): an event's is event-<id>.
    assert shown == {f"event-{e}" for e, d in events.items() if d["type"] == kind}
    Select(selects[0]).select_by_value("")

    # A region holds the events in the places within it (China holds a Hainan event), as a drug
    # table's region filter does.
    def within(d, code):
        return any(code in regions_containing(r) for r in d.get("regions", []))

    region = next(
        code
        for d in events.values()
        for r in d.get("regions", [])
        for code in sorted(regions_containing(r))
        if code != r
        and any(code not in d2.get("regions", []) and within(d2, code) for d2 in events.values())
    )
    Select(selects[1]).select_by_value(region)
    inside = {e for e, d in events.items() if within(d, region)}
    assert {e for e in inside if region not in events[e].get("regions", [])}
    assert {
        a.get_attribute("id")
        for a in browser.find_elements("css selector", "article.pt-event")
        if a.is_displayed()
    } == {f"event-{e}" for e in inside}
    year = min({d["date"][:4] for d in events.values() if d.get("date") and within(d, region)})
    Select(selects[2]).select_by_value(year)
    shown = {
        a.get_attribute("id")
        for a in browser.find_elements("css selector", "article.pt-event")
        if a.is_displayed()
    }
    expected = {
        f"event-{e}"
        for e, d in events.items()
        if within(d, region) and d.get("date", "")[:4] == year
    }
    assert shown == expected and shown
    # Each choice counts the events it leaves with the other choices kept; none: disabled.
    assert Select(selects[2]).first_selected_option.text == f"{year} ({len(expected)})"
    for option in Select(selects[0]).options[1:]:
        n = sum(
            events[e.removeprefix("event-")]["type"] == option.get_attribute("value")
            for e in expected
        )
        assert option.text.endswith(f" ({n})") and option.is_enabled() == (n > 0), option.text
    headings = [
        h.text.replace("¶", "").strip()
        for h in browser.find_elements("css selector", ".md-content h2")
        if h.is_displayed()
    ]
    assert year in headings and not any(h[:1].isdigit() and h != year for h in headings)
    # The table of contents leaves out the years the filters emptied.
    listed = browser.execute_script(
        "return [...document.querySelectorAll('.md-nav--secondary a.md-nav__link')]"
        ".filter(a => !a.closest('[hidden]')).map(a => a.textContent.trim())"
    )
    assert year in listed and not any(t[:1].isdigit() and t != year for t in listed)


def test_a_timeline_split_by_year_keeps_its_filters_from_year_to_year(browser, tracker, paged_site):
    """On a timeline with a page for each year, the filters are the page's query string (shared,
    restored on reload) and the year links keep type and region: a reader following approvals
    from year to year need not choose them again on each page."""
    from pipeline_tracker.site.listing import timeline_years
    from selenium.webdriver.support.ui import Select

    years = {slug: events for _, slug, events in timeline_years(tracker)}
    kind, (first, second) = next(
        (kind, found[:2])
        for kind in sorted({tracker.get("events", e)["type"] for e in tracker.ids("events")})
        for found in [
            [
                s
                for s, events in years.items()
                if any(tracker.get("events", e)["type"] == kind for e in events)
            ]
        ]
        if len(found) >= 2
    )

    def shown():
        return {
            a.get_attribute("id").removeprefix("event-")
            for a in browser.find_elements("css selector", "article.pt-event")
            if a.is_displayed()
        }

    def of_kind(slug):
        return {e for e in years[slug] if tracker.get("events", e)["type"] == kind}

    with _serving(paged_site) as address:
        browser.get(address + f"timeline/{first}/?type={kind}")
        assert (
            Select(
                browser.find_element("css selector", "select[name=type]")
            ).first_selected_option.get_attribute("value")
            == kind
        )
        assert shown() == of_kind(first)
        # One year on a year's page: its year filter would narrow nothing.
        assert not browser.find_element("css selector", "select[name=year]").is_displayed()
        link = browser.find_element("css selector", f"nav[data-pt-years] a[href*='/{second}/']")
        assert link.get_attribute("href").endswith(f"/{second}/?type={kind}")
        link.click()
        _wait(browser, lambda: urlparse(browser.current_url).path.endswith(f"/{second}/"))
        assert shown() == of_kind(second)
        Select(browser.find_element("css selector", "select[name=type]")).select_by_value("")
        assert urlparse(browser.current_url).query == ""
        assert shown() == set(years[second])
        link = browser.find_element("css selector", f"nav[data-pt-years] a[href*='/{first}/']")
        assert link.get_attribute("href").endswith(f"/{first}/")


def _search_cases(tracker) -> list[tuple[str, str]]:
    """(what a reader types, the page that must come first), read from the fixture records."""
    trial = next(t for t in tracker.ids("trials") if tracker.get("trials", t).get("registry_ids"))
    target = next(t for t in tracker.ids("targets") if tracker.get("targets", t).get("uniprot"))
    drug = next(d for d in tracker.ids("drugs") if tracker.get("drugs", d).get("code_names"))
    synonym = next(d for d in tracker.ids("drugs") if tracker.get("drugs", d).get("synonyms"))
    company = tracker.ids("companies")[0]
    # The indication most drugs name: its name is on each of their pages too.
    indication = max(tracker.ids("indications"), key=lambda i: len(tracker.drugs_in_indication(i)))
    t = tracker.get("targets", target)
    return [
        (tracker.get("trials", trial)["registry_ids"][0]["id"], f"trials/{trial}/"),
        (t["uniprot"], f"targets/{target}/"),
        (t["hgnc"], f"targets/{target}/"),
        (tracker.get("drugs", drug)["code_names"][0], f"drugs/{drug}/"),
        (tracker.get("drugs", synonym)["synonyms"][0], f"drugs/{synonym}/"),
        (tracker.get("companies", company)["name"], f"companies/{company}/"),
        (tracker.get("indications", indication)["name"], f"indications/{indication}/"),
    ]


# What a reader types to find one of the site's own pages, and that page: every record page holds
# the word too ("Drug" in each drug's summary, "Acme: drugs" on a section's pages), and the
# list's own title must still come first (render.PageContext.title). A singular, so the search
# box's exact-title rule (assets/search.js exactFirst) is not what puts it there.
_LIST_CASES = [
    ("drug", "drugs/"),
    ("target", "targets/"),
    ("company", "companies/"),
    ("indication", "indications/"),
    ("trial", "trials/"),
    ("source", "sources/"),
    ("deal", "deals/"),
]


def _search(browser, server, query: str) -> list[str]:
    """Type a query into the site's own search (Material's header search box, answered by
    assets/search.js from the Pagefind index) and return the result links, best first."""
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(server)
    box = WebDriverWait(browser, 10, POLL).until(
        ec.element_to_be_clickable((By.CSS_SELECTOR, "input.md-search__input"))
    )
    box.click()
    # The search loads Pagefind when the box gets focus; typing before it is ready can be lost.
    # Read the DOM in one script call: Material re-renders results while we read them.
    WebDriverWait(browser, 20, POLL).until(
        lambda b: (
            "Initializing"
            not in b.execute_script(
                "const m = document.querySelector('.md-search-result__meta'); return m ? m.textContent : 'Initializing';"
            )
        )
    )
    box.send_keys(query)

    def hrefs(b):
        return b.execute_script(
            "return Array.from(document.querySelectorAll('.md-search-result__item > a'), a => a.href);"
        )

    try:
        WebDriverWait(browser, 15, POLL).until(lambda b: hrefs(b))
    except TimeoutException:
        return []
    return [urlparse(h).path for h in hrefs(browser)]


def test_search_finds_ids_code_names_synonyms_and_companies_first(browser, server, tracker):
    failures = []
    for query, page in _search_cases(tracker) + _LIST_CASES:
        found = _search(browser, server, query)
        if not found or not found[0].endswith("/" + page):
            failures.append(f"{query!r}: expected {page} first, got {found[:3]}")
    assert failures == []


def test_search_finds_a_chinese_name(browser, records_copy, tmp_path):
    from conftest import add_chinese_name, mkdocs_build

    name_zh = add_chinese_name(records_copy)
    result = mkdocs_build(tmp_path / "site", records_copy)
    assert result.returncode == 0, result.stderr
    with _serving(tmp_path / "site") as address:
        found = _search(browser, address, name_zh)
    assert found and found[0].endswith("/drugs/zevorcabtagene-autoleucel/"), found[:3]


def test_search_over_an_index_in_parts(browser, records_copy, tmp_path, monkeypatch, tracker):
    """A large site is indexed in parts (search_index.PART_PAGES); the search box merges them:
    the same queries find the same record first, and a list's name its first page (with the
    parts cut as runs of paths, a part's own word counts put the Drugs index ninth here)."""
    from conftest import mkdocs_build

    monkeypatch.setenv("PIPELINE_TRACKER_SEARCH_PART_PAGES", "25")
    result = mkdocs_build(tmp_path / "site", records_copy)
    assert result.returncode == 0, result.stderr
    parts = json.loads((tmp_path / "site" / "pagefind" / "parts.json").read_text())["parts"]
    assert len(parts) >= 2
    failures = []
    with _serving(tmp_path / "site") as address:
        for query, page in _search_cases(tracker) + _LIST_CASES:
            found = _search(browser, address, query)
            if not found or not found[0].endswith("/" + page):
                failures.append(f"{query!r}: expected {page} first, got {found[:3]}")
    assert failures == []


def test_search_by_keyboard_and_preview(browser, server, tracker):
    """'/' focuses the header search box, typing shows results with the record's summary line as
    preview, arrows move between results and Enter opens the focused one, which marks the words
    searched for (search.highlight, as Material's search did); Escape closes."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    drug = next(d for d in tracker.ids("drugs") if tracker.get("drugs", d).get("code_names"))
    code = tracker.get("drugs", drug)["code_names"][0]
    browser.get(server + "methodology/")
    browser.find_element(By.CSS_SELECTOR, "body").send_keys("/")
    box = browser.switch_to.active_element
    assert "md-search__input" in box.get_attribute("class")
    WebDriverWait(browser, 20, POLL).until(
        lambda b: "Type" in b.find_element(By.CSS_SELECTOR, ".md-search-result__meta").text
    )
    box.send_keys(code)
    items = ".md-search-result__item"
    WebDriverWait(browser, 15, POLL).until(lambda b: b.find_elements(By.CSS_SELECTOR, items))
    first = browser.find_elements(By.CSS_SELECTOR, items)[0]
    assert first.find_element(By.CSS_SELECTOR, "p").text.startswith("Drug ·")
    href = urlparse(first.find_element(By.CSS_SELECTOR, "a").get_attribute("href"))
    assert href.path.endswith(f"/{drug}/")
    box.send_keys(Keys.ARROW_DOWN)
    focused = urlparse(browser.switch_to.active_element.get_attribute("href"))
    assert focused.path.endswith(f"/drugs/{drug}/")
    browser.switch_to.active_element.send_keys(Keys.ARROW_UP)
    assert browser.switch_to.active_element == box
    box.send_keys(Keys.ENTER)
    WebDriverWait(browser, 10, POLL).until(
        lambda b: urlparse(b.current_url).path.endswith(f"/drugs/{drug}/")
    )
    marks = browser.execute_script(
        "return Array.from(document.querySelectorAll('article mark[data-md-highlight]'),"
        " m => m.textContent);"
    )
    assert marks and all(m.lower() == code.lower() for m in marks), marks
    browser.find_element(By.CSS_SELECTOR, "body").send_keys("s")
    assert browser.execute_script("return document.getElementById('__search').checked")
    browser.switch_to.active_element.send_keys(Keys.ESCAPE)
    assert not browser.execute_script("return document.getElementById('__search').checked")


def test_search_excerpts_show_the_words_of_the_page_as_they_are(
    browser, server, built_site, tracker
):
    """Pages without a summary line (lists, landscapes, hand-written pages) are previewed by
    Pagefind's excerpt around the words found. Every word shown is a word of the page: the text
    after a highlighted name keeps its space ("trastuzumab fails", not "trastuzumabfails")."""
    from pagefind_index import fragments

    indexed = fragments(built_site)
    checked, failures = 0, []
    for drug in tracker.ids("drugs"):
        _search(browser, server, tracker.get("drugs", drug)["name"])
        # Read in one script call: the results are re-rendered as the query is typed.
        shown = browser.execute_script(
            "return Array.from(document.querySelectorAll('.md-search-result__item > a'),"
            " a => [new URL(a.href).pathname, a.querySelector('p').textContent]);"
        )
        for url, text in shown:
            page = indexed.get(url)
            if page is None or page["meta"].get("summary"):
                continue  # a record page: its preview is its summary line
            words = set(page["content"].split())
            checked += 1
            failures += [f"{url}: {w!r} in {text!r}" for w in text.split() if w not in words]
        if checked >= 5:
            break
    assert checked >= 5
    assert failures == []


def _open_search(browser, server):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(server)
    box = WebDriverWait(browser, 10, POLL).until(
        ec.element_to_be_clickable((By.CSS_SELECTOR, "input.md-search__input"))
    )
    box.click()
    WebDriverWait(browser, 20, POLL).until(
        lambda b: b.find_elements(By.CSS_SELECTOR, ".pt-search-filters select")
    )
    return box


def _choose(browser, name: str, value: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    Select(
        browser.find_element(By.CSS_SELECTOR, f".pt-search-filters select[name={name}]")
    ).select_by_value(value)


def _results_settled(browser, expected_count: int) -> list[str]:
    """The result paths once the results' count line says `expected_count` (read in one call)."""
    from selenium.webdriver.support.ui import WebDriverWait

    said = {0: "No matching documents", 1: "1 matching document"}.get(
        expected_count, f"{expected_count} matching documents"
    )
    script = (
        "return {meta: document.querySelector('.md-search-result__meta').textContent,"
        " hrefs: Array.from(document.querySelectorAll('.md-search-result__item > a'),"
        " a => new URL(a.href).pathname)};"
    )

    def settled(b):
        rows = b.execute_script(script)
        return rows if rows["meta"] == said else None

    rows = WebDriverWait(browser, 15, POLL).until(settled)
    return rows["hrefs"]


def test_a_page_opened_from_search_marks_whole_words_and_never_runs_the_query(
    browser, server, tracker
):
    """?h= (what a search result's link carries) marks each word where a word of the page starts
    with it, case aside; a word inside another ("her" in "other") is not marked, and markup in
    the query is text, never HTML. Words the page holds as typed are marked as typed, not each
    word wherever it appears."""
    from urllib.parse import quote

    drug = next(d for d in tracker.ids("drugs") if " " in tracker.get("drugs", d)["name"])
    name = tracker.get("drugs", drug)["name"]
    browser.get(server + f"drugs/{drug}/?h=" + quote(name.upper()))
    marked = browser.execute_script(
        "return Array.from(document.querySelectorAll('article mark[data-md-highlight]'),"
        " m => m.textContent);"
    )
    assert marked and all(" ".join(m.lower().split()) == name.lower() for m in marked), marked

    hostile = '<img src=x onerror="window.pwned=1">'
    browser.get(server + "targets/erbb2/?h=" + quote("her " + hostile))
    marks, pwned, images, text = browser.execute_script(
        "const a = document.querySelector('article');"
        "return [Array.from(a.querySelectorAll('mark[data-md-highlight]'), m => {"
        "  const before = m.previousSibling ? m.previousSibling.textContent.slice(-1) : '';"
        "  return [m.textContent, before];}),"
        " !!window.pwned, a.querySelectorAll('img[src=x]').length, a.textContent];"
    )
    assert not pwned and images == 0
    assert "other" in text.lower() or "whether" in text.lower() or "another" in text.lower()
    assert marks, "HER2 is named on its own page"
    for word, before in marks:
        assert word.lower() == "her"
        assert not before.isalnum(), f"marked inside a word: {before!r}+{word!r}"


def test_search_filters_by_kind_and_by_phase_in_a_region(browser, server, tracker):
    """The search box filters its results by kind, and by phase and region: chosen together they
    mean the drug's stage in that region (stage_by_region: China holds a Hainan row), not its
    highest phase somewhere and any row there. With no words typed, a filter lists every page it
    holds, and the drugs found link to the Drugs index with the same filters, which lists the
    same drugs. Tab reaches the filters from the box; Escape closes the search."""
    from pipeline_tracker.records.phases import region_name
    from pipeline_tracker.site.search_meta import stage_text, stage_value, where
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    stages: dict[tuple[str, str], set[str]] = {}
    for drug in tracker.ids("drugs"):
        for code, row in tracker.stage_by_region(drug).items():
            stages.setdefault((stage_value(row), region_name(code)), set()).add(drug)

    # A phase and a region holding a drug whose headline phase is another: asked for "a phase
    # somewhere and a row in the region", the search would leave it out.
    def headline(drug):
        best = tracker.highest_phase(drug)
        return stage_value(best) if best else "special access only"

    def regional_only(key):
        return sum(1 for drug in stages[key] if headline(drug) != key[0])

    (phase, region), expected = max(
        stages.items(), key=lambda kv: (regional_only(kv[0]), -len(kv[1]))
    )
    assert regional_only((phase, region)) > 0
    assert 0 < len(expected) <= 10  # one screen of results

    box = _open_search(browser, server)
    _choose(browser, "phase", phase)
    _choose(browser, "region", region)
    found = _results_settled(browser, len(expected))
    assert sorted(found) == sorted(f"/drugs/{d}/" for d in expected)
    label = browser.find_element(
        By.CSS_SELECTOR, ".pt-search-filters select[name=phase] option:checked"
    )
    assert label.text == f"{phase} ({len(expected)})"
    # Each result says its stage in the region where it is not the highest phase its summary
    # line gives, with the qualifiers the model gives it: the fact the filters matched.
    lines = browser.execute_script(
        "return Array.from(document.querySelectorAll('.md-search-result__item > a'), a =>"
        " [new URL(a.href).pathname, (a.querySelector('.pt-search-stage') || {}).textContent])"
    )
    code = next(c for d in expected for c in tracker.stage_by_region(d) if region_name(c) == region)
    for path, line in lines:
        drug = path.strip("/").split("/")[-1]
        row = tracker.stage_by_region(drug)[code]
        if row == tracker.highest_phase(drug):
            assert line is None, line
        else:
            assert line == f"highest phase {where(code)}: {stage_text(tracker, row)}"
    assert any(line for _path, line in lines)

    # Kind alone, with words: only trials.
    trial = tracker.ids("trials")[0]
    drug = tracker.get("trials", trial)["drugs"][0]
    _choose(browser, "phase", "")
    _choose(browser, "region", "")
    _choose(browser, "kind", "Trial")
    box.send_keys(tracker.get("drugs", drug)["name"])
    trials = [t for t in tracker.ids("trials") if drug in tracker.get("trials", t)["drugs"]]
    found = _results_settled(browser, len(trials))
    assert found and all(path.startswith("/trials/") for path in found), found

    # A filter alone lists every page it holds, ten at a time, and shows the rest on request.
    box = _open_search(browser, server)
    _choose(browser, "kind", "Drug")
    drugs = tracker.ids("drugs")
    assert len(drugs) > 10
    assert len(_results_settled(browser, len(drugs))) == 10
    browser.find_element(By.CSS_SELECTOR, ".pt-search-more button").click()
    WebDriverWait(browser, 10, POLL).until(
        lambda b: len(b.find_elements(By.CSS_SELECTOR, ".md-search-result__item > a")) > 10
    )
    shown = browser.execute_script(
        "return Array.from(document.querySelectorAll('.md-search-result__item > a'),"
        " a => new URL(a.href).pathname);"
    )
    assert len(shown) == len(set(shown)) == min(20, len(drugs))
    assert set(shown) <= {f"/drugs/{d}/" for d in drugs}

    box.click()
    box.send_keys(Keys.TAB)
    active = browser.switch_to.active_element
    if active.tag_name != "select":  # Material's scrollable results take focus first
        active.send_keys(Keys.TAB)
        active = browser.switch_to.active_element
    assert active.get_attribute("name") == "kind"
    active.send_keys(Keys.ESCAPE)
    assert not browser.execute_script("return document.getElementById('__search').checked")

    # The drugs a phase and a region find are those the Drugs index lists for the same filters:
    # a link opens them there, as its table. With words typed it is gone (the index has none).
    box = _open_search(browser, server)
    _choose(browser, "phase", phase)
    _choose(browser, "region", region)
    _results_settled(browser, len(expected))
    link = browser.find_element(By.CSS_SELECTOR, ".pt-search-index a")
    assert link.text.endswith("as a table in the Drugs index")
    href = urlparse(link.get_attribute("href"))
    assert href.path == "/drugs/"
    link.click()
    table = WebDriverWait(browser, 10, POLL).until(
        lambda b: (
            urlparse(b.current_url).path == "/drugs/"
            and b.find_element(By.CSS_SELECTOR, "table.pt-region-filtered")
        )
    )
    WebDriverWait(browser, 10, POLL).until(lambda b: _shown_drugs(table) == set(expected))
    box = _open_search(browser, server)
    _choose(browser, "phase", phase)
    box.send_keys(tracker.get("drugs", min(expected))["name"])
    WebDriverWait(browser, 10, POLL).until(
        lambda b: not b.find_element(By.CSS_SELECTOR, ".pt-search-index").is_displayed()
    )


def test_turning_to_the_search_filters_with_no_words_fetches_the_word_index_at_once(
    browser, built_site, tracker
):
    """With no words typed, a filter lists every page holding its value, and Pagefind reads
    every chunk of its word index to do it (its search for null): the chunks are fetched as soon
    as the reader turns to the filters, while they pick, not after their choice (at 10,000 drugs,
    3.6 MB and about 1.6 s, benchmarks/README.md). With words typed, turning to the filters
    fetches no more than those words need."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    fetched: list[str] = []

    class Recording(_QuietHandler):
        def do_GET(self):
            fetched.append(urlparse(self.path).path)
            super().do_GET()

    chunks = {
        "/" + path.relative_to(built_site).as_posix()
        for path in (built_site / "pagefind").rglob("*.pf_index")
    }
    assert len(chunks) > 1  # else a query's own chunk would be all of them

    def index_read():
        return {path for path in fetched if path.endswith(".pf_index")}

    def turn_to_filters():
        browser.execute_script("document.querySelector('.pt-search-filters select').focus()")
        WebDriverWait(browser, 10, POLL).until(  # the options count once the reader turns to them
            lambda b: b.execute_script(
                "return / \\(\\d+\\)$/.test(document.querySelector("
                "'.pt-search-filters select option[value]:not([value=\"\"])').textContent)"
            )
        )

    with _serving(built_site, Recording) as address:
        _open_search(browser, address)
        assert index_read() == set()
        turn_to_filters()
        WebDriverWait(browser, 10, POLL).until(lambda b: index_read() == chunks)
    del fetched[:]
    word = tracker.get("drugs", tracker.ids("drugs")[0])["name"].split()[0]  # in one chunk
    with _serving(built_site, Recording) as address:  # another address: nothing cached
        box = _open_search(browser, address)
        # The word at once: typed key by key, each prefix would fetch its own chunks.
        browser.execute_script(
            "arguments[0].value = arguments[1];"
            " arguments[0].dispatchEvent(new Event('input', {bubbles: true}));",
            box,
            word,
        )
        WebDriverWait(browser, 10, POLL).until(
            lambda b: "matching" in b.find_element(By.CSS_SELECTOR, ".md-search-result__meta").text
        )
        turn_to_filters()
        assert 0 < len(index_read()) < len(chunks), index_read()


def test_search_preview_keeps_labels_and_values_apart(built_site):
    from pagefind_index import fragments

    target = fragments(built_site)["/targets/erbb2/"]
    assert "UniProt P04626" in target["content"] and "UniProtP04626" not in target["content"]
    assert target["meta"]["summary"].startswith("Target")  # the preview says what the page is
    assert "P04626" in target["meta"]["summary"]


@pytest.mark.parametrize(
    "name,path", [("drug", "drugs/zevorcabtagene-autoleucel/"), ("landscape", "landscapes/")]
)
def test_screenshots_of_drug_and_landscape_pages(browser, server, name, path):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    browser.get(server + path)
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(1280, min(max(height, 800), 6000))
    target = ARTIFACTS / f"{name}.png"
    assert browser.save_screenshot(str(target))
    assert target.stat().st_size > 10_000
    browser.set_window_size(1280, 1000)


_LAYOUT_PAGES = {
    "drug": "drugs/zanidatamab/",
    "drug with notes": "drugs/zevorcabtagene-autoleucel/",
    "trial": "trials/empowher-303/",
    "company": "companies/beigene/",
    "landscape": "landscapes/",
    "index": "drugs/",
    "timeline": "timeline/",
    "deals": "deals/",
    "data quality": "quality/",
}
_MEASURE = """
const column = document.querySelector('.md-content__inner').getBoundingClientRect();
const toc = document.querySelector('.md-sidebar--secondary');
const tocLeft = toc && toc.offsetParent && getComputedStyle(toc).visibility !== 'hidden'
  ? toc.getBoundingClientRect().left : Infinity;
const wide = [];
for (const t of document.querySelectorAll('.md-content table')) {
  const r = t.getBoundingClientRect();
  if (r.right > column.right + 1 || r.right > tocLeft || t.scrollWidth > t.parentElement.clientWidth + 1)
    wide.push(t.className + ' ' + Math.round(r.width) + 'px in ' + Math.round(column.width) + 'px');
}
const off = [];
for (const c of document.querySelectorAll('table.pt-status td')) {
  const r = c.getBoundingClientRect();
  if (r.width && (r.left < 0 || r.right > window.innerWidth + 1)) off.push(c.getAttribute('data-label'));
}
return {wide: wide, off: off, overflow: document.documentElement.scrollWidth - window.innerWidth};
"""


@pytest.mark.parametrize("width", [1024, 1400, 1920])
def test_tables_fit_their_column_at_desktop_widths(browser, server, width):
    browser.set_window_size(width, 1000)
    try:
        failures = []
        for name, path in _LAYOUT_PAGES.items():
            browser.get(server + path)
            found = browser.execute_script(_MEASURE)
            if found["wide"] or found["overflow"] > 0:
                failures.append(f"{name} at {width}px: {found}")
        assert failures == []
    finally:
        browser.set_window_size(1280, 1000)


def test_phone_pages_do_not_overflow_and_status_rows_are_cards(browser, server):
    browser.set_window_size(390, 900)
    try:
        failures = []
        for name, path in _LAYOUT_PAGES.items():
            browser.get(server + path)
            found = browser.execute_script(_MEASURE)
            if found["overflow"] > 0 or found["off"]:
                failures.append(f"{name} at 390px: {found}")
            # Phase matrices may scroll, but inside their own box, never the page.
        browser.get(server + "drugs/zanidatamab/")
        labels = browser.execute_script(
            "return Array.from(document.querySelectorAll('table.pt-status tbody tr:not(.pt-subrow)')[0].cells,"
            " c => c.offsetWidth ? getComputedStyle(c, '::before').content : null);"
        )
        for wanted in ("Indication", "Region", "Phase", "As of"):
            if not any(str(label).startswith(f'"{wanted}') for label in labels):
                failures.append(f"status card lacks a visible {wanted} label: {labels}")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        browser.save_screenshot(str(ARTIFACTS / "drug-390.png"))
        assert failures == []
    finally:
        browser.set_window_size(1280, 1000)


_WORDS_SPLIT = """
const split = [];
for (const badge of document.querySelectorAll('.pt-phase, .pt-bar span')) {
  if (!badge.offsetParent) continue;
  const walker = document.createTreeWalker(badge, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const re = /\\S+/g;
    let m;
    while ((m = re.exec(node.data))) {
      const r = document.createRange();
      r.setStart(node, m.index); r.setEnd(node, m.index + m[0].length);
      const tops = new Set(Array.from(r.getClientRects()).map(x => Math.round(x.top)));
      if (tops.size > 1) split.push(m[0]);
    }
  }
}
return split;
"""


def test_phone_phase_labels_never_break_inside_a_word(browser, server):
    browser.set_window_size(390, 900)
    try:
        failures = {}
        for name, path in {**_LAYOUT_PAGES, "drug index by region": "drugs/?region=CN"}.items():
            browser.get(server + path)
            split = browser.execute_script(_WORDS_SPLIT)
            if split:
                failures[name] = split
        assert failures == {}
    finally:
        browser.set_window_size(1280, 1000)


def test_phone_landscape_targets_and_chart_labels(browser, server):
    """At 390 px: landscape links are at least 24 px tall; chart scale labels stay whole words."""
    browser.set_window_size(390, 900)
    try:
        browser.get(server + "landscapes/")
        heights = browser.execute_script(
            "return Array.from(document.querySelectorAll('.pt-landscape a, .pt-chart--landscape a'))"
            ".filter(a => a.offsetParent).map(a => a.getBoundingClientRect().height);"
        )
        assert heights and min(heights) >= 24
        lines = browser.execute_script(
            "return Array.from(document.querySelectorAll('.pt-chart__scale span')).map(s => {"
            " const r = document.createRange(); r.selectNodeContents(s);"
            " return [s.textContent, new Set(Array.from(r.getClientRects()).map(x => Math.round(x.left))).size]; });"
        )
        assert lines and all(n == 1 for _, n in lines), lines
    finally:
        browser.set_window_size(1280, 1000)


_LANDSCAPE_TOTALS = """
return Array.from(document.querySelectorAll('.pt-scroll')).filter(box =>
    box.querySelector('table.pt-landscape')).map(box => {
  const table = box.querySelector('table.pt-landscape'), edge = box.getBoundingClientRect();
  const heads = Array.from(table.tHead.rows[0].cells).map(c => c.textContent.trim());
  const at = heads.indexOf('Drugs');
  const unseen = Array.from(table.querySelectorAll('tbody tr, tfoot tr')).filter(tr => {
    const r = tr.cells[at].getBoundingClientRect();
    return r.left < edge.left || r.right > edge.right + 0.5;
  }).map(tr => tr.cells[0].textContent.trim());
  const caption = table.caption.getBoundingClientRect();
  if (caption.left < edge.left || caption.right > edge.right + 0.5) unseen.push('caption');
  return [box.getAttribute('aria-label'), box.scrollWidth > box.clientWidth, at, unseen];
});
"""


@pytest.mark.parametrize("width", [390, 800])
def test_a_wide_landscape_shows_each_rows_total_without_scrolling_sideways(browser, server, width):
    """A matrix with more phases than fit scrolls inside its box; the number of drugs in each row
    (and the total) is read before the phases, and the caption wraps within the box: neither is
    behind the box's sideways scroll."""
    browser.set_window_size(width, 900)
    try:
        wide = 0
        for path in ("landscapes/", "targets/fgfr2/", "indications/multiple-myeloma/"):
            browser.get(server + path)
            for caption, scrolls, at, unseen in browser.execute_script(_LANDSCAPE_TOTALS):
                assert at >= 0, (path, caption)
                assert unseen == [], (path, caption)
                wide += scrolls
        assert wide, "no landscape here is wider than its box: the test shows nothing"
    finally:
        browser.set_window_size(1280, 1000)


_TALL_MATRIX = """
const box = Array.from(document.querySelectorAll('.pt-scroll')).find(b =>
    b.querySelector(arguments[0]) && b.querySelector('table').offsetHeight > innerHeight);
if (!box) return null;
box.scrollIntoView(); box.scrollTop = box.scrollHeight;
const edge = box.getBoundingClientRect(), head = box.querySelector('thead th:last-child').getBoundingClientRect();
return [edge.top >= -1 && edge.bottom <= innerHeight + 1, box.scrollTop > 0,
        head.top >= edge.top - 1 && head.bottom <= edge.bottom];
"""


@pytest.mark.parametrize(
    "path,table,size",
    [
        ("landscapes/", "table.pt-landscape", (390, 640)),
        ("landscapes/regions/", "table.pt-region-view", (760, 500)),
    ],
    ids=["matrix", "by region"],
)
def test_a_landscape_taller_than_the_window_keeps_its_scrollbar_and_headers_in_view(
    browser, server, path, table, size
):
    """A long, wide landscape scrolls in a box that fits the window, so its sideways scrollbar is
    in reach; scrolled to its last row, the column headers are still on top."""
    browser.set_window_size(*size)
    try:
        browser.get(server + path)
        seen = browser.execute_script(_TALL_MATRIX, table)
        assert seen is not None, "no table here is taller than the window: the test shows nothing"
        fits, scrolled, header_seen = seen
        assert fits and scrolled and header_seen
        # A text filter stays where it is while the rows scroll under the headers.
        moved = browser.execute_script(
            "const f = document.querySelector('.pt-filter'); if (!f) return null;"
            "const box = document.querySelector(arguments[0]).parentNode, at = f.getBoundingClientRect().top;"
            "box.scrollTop = 0; return f.getBoundingClientRect().top - at;",
            table,
        )
        assert moved in (None, 0), moved
        if table == "table.pt-region-view":
            # Scrolled to its last region, a row still says whose drug and which indication.
            hidden = browser.execute_script(
                "const box = document.querySelector(arguments[0]).parentNode;"
                "box.scrollLeft = box.scrollWidth; const edge = box.getBoundingClientRect();"
                "const row = document.querySelector(arguments[0] + ' tbody tr:not([hidden])');"
                "const [drug, indication] = Array.from(row.cells).map(c => c.getBoundingClientRect());"
                "return [box.scrollLeft > 0, drug.left >= edge.left - 1,"
                " indication.left >= drug.right - 1 && indication.right <= edge.right + 1];",
                table,
            )
            assert hidden == [True, True, True], hidden
    finally:
        browser.set_window_size(1280, 1000)


def test_sort_buttons_sort_with_enter(browser, server):
    from selenium.webdriver.common.keys import Keys

    browser.get(server + "drugs/")
    header = browser.find_elements("css selector", "table.pt-sortable thead th")[0]
    button = header.find_element("css selector", "button.pt-sort")
    button.send_keys(Keys.ENTER)
    assert header.get_attribute("aria-sort") == "ascending"
    assert browser.switch_to.active_element == button
    outline = browser.execute_script("return getComputedStyle(arguments[0]).outlineStyle", button)
    assert outline != "none"


def test_inferred_reason_is_reached_by_keyboard(browser, server, tracker):
    """An '(inferred)' mark is a link a keyboard user reaches with Tab; Enter shows the reason."""
    from selenium.webdriver.common.keys import Keys

    drug = next(
        d for d in tracker.ids("drugs") if any(r.inferred for r in tracker.phase_rows.get(d, []))
    )
    browser.get(server + f"drugs/{drug}/")
    marks = browser.find_elements("css selector", "a.pt-inferred")
    assert marks, f"{drug}: no inferred mark on the page"
    body = browser.find_element("css selector", "body")
    body.send_keys(Keys.TAB)
    for _ in range(400):
        focused = browser.switch_to.active_element
        if "pt-inferred" in (focused.get_attribute("class") or ""):
            break
        focused.send_keys(Keys.TAB)
    else:
        pytest.fail("Tab never reached an (inferred) mark")
    focused.send_keys(Keys.ENTER)
    anchor = browser.execute_script("return location.hash").lstrip("#")
    assert anchor.startswith("inferred-")
    note = browser.find_element("id", anchor)
    assert note.is_displayed() and len(note.text) > 20
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "inferred-reason.png"))


_CHART = """
const svg = document.querySelector('svg.pt-hc__svg');
const box = svg.parentElement.getBoundingClientRect();
const column = document.querySelector('.md-content__inner').getBoundingClientRect();
const bg = getComputedStyle(document.body).backgroundColor;
const marks = Array.from(svg.querySelectorAll('.pt-hc__mark')).map(m => {
  const s = getComputedStyle(m);
  return {cls: m.getAttribute('class'), stroke: s.stroke, fill: s.fill, dash: s.strokeDasharray};
});
return {svg: svg.getBoundingClientRect().width, box: box.right - column.right, bg: bg,
  marks: marks, lanes: svg.querySelectorAll('.pt-hc__lane').length,
  overflow: document.documentElement.scrollWidth - window.innerWidth};
"""


def _rgb(css: str) -> tuple[float, ...]:
    return tuple(float(v) for v in css[css.index("(") + 1 : css.index(")")].split(",")[:3])


def _contrast(a: str, b: str) -> float:
    def lum(rgb):
        c = [v / 255 for v in rgb]
        c = [v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4 for v in c]
        return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]

    hi, lo = sorted((lum(_rgb(a)), lum(_rgb(b))), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_history_chart_renders_for_a_drug_with_inferred_and_approximate_dates(
    browser, server, tracker
):
    """Issue 20's check: the chart of a fixture drug whose history has an approximate and an
    inferred date draws them apart from exact dates, keeps special access on its own lane, fits
    its column (scrolling inside its own box on a phone), and its marks keep 3:1 contrast in the
    light and the dark palette."""
    from pipeline_tracker.model.history_chart import drug_history

    def qualified(drug):
        points = [p for lane in drug_history(tracker, drug).lanes for p in lane.points]
        return any(p.approximate for p in points) and any(p.inferred for p in points)

    drug = next(d for d in tracker.tracked_ids() if qualified(d))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    try:
        for width in (1400, 390):
            browser.set_window_size(width, 1000)
            for scheme in ("default", "slate"):
                browser.get(server + f"drugs/{drug}/")
                browser.execute_script(
                    "document.body.setAttribute('data-md-color-scheme', arguments[0]);"
                    "document.getElementById('history').scrollIntoView();",
                    scheme,
                )
                found = browser.execute_script(_CHART)
                assert found["lanes"] >= 2 and found["svg"] > 300, found
                assert found["overflow"] <= 0 and found["box"] <= 1, found  # scrolls in its box
                marks = found["marks"]
                approx = [m for m in marks if "pt-hc__mark--approx" in m["cls"]]
                inferred = [m for m in marks if "pt-hc__mark--inferred" in m["cls"]]
                plain = [
                    m for m in marks if "--approx" not in m["cls"] and "--inferred" not in m["cls"]
                ]
                assert approx and inferred and plain
                assert all(m["fill"] == m["stroke"] for m in plain)  # filled
                assert all(m["fill"] != m["stroke"] for m in approx + inferred)  # hollow
                assert all(m["dash"] not in ("", "none") for m in inferred)  # dashed
                special = [m for m in marks if "pt-hc--special-access" in m["cls"]]
                approved = [m for m in marks if "pt-hc--approved" in m["cls"]]
                if special and approved:
                    assert special[0]["stroke"] != approved[0]["stroke"]
                for m in marks:
                    assert _contrast(m["stroke"], found["bg"]) >= 3, (scheme, m, found["bg"])
                browser.save_screenshot(str(ARTIFACTS / f"history-{width}-{scheme}.png"))
    finally:
        browser.set_window_size(1280, 1000)


def test_a_page_stuffed_with_a_drug_name_does_not_rank_above_the_drug(
    browser, records_copy, tmp_path
):
    """The next hostile contributor's try after the duplicate-name rule: repeat another drug's
    name in a free-text field (4,000 characters of it) to come first when readers search it.
    (Word counts alone also put trastuzumab deruxtecan above trastuzumab: the record whose
    name is the query now comes first.)"""
    from conftest import mkdocs_build

    file = records_copy / "drugs/pyrotinib.yaml"
    text = file.read_text(encoding="utf-8")
    stuffed = " ".join(["trastuzumab"] * 330)
    file.write_text(
        "\n".join(
            f"notes: {stuffed}" if line.startswith("notes:") else line for line in text.splitlines()
        )
        + "\n",
        encoding="utf-8",
    )
    result = mkdocs_build(tmp_path / "site", records_copy)
    assert result.returncode == 0, result.stdout + result.stderr
    with _serving(tmp_path / "site") as address:
        found = _search(browser, address, "trastuzumab")
    assert found and found[0].endswith("/drugs/trastuzumab/"), found[:3]


# axe-core from the npm registry (`make install` runs `npm ci` in tests/axe/), injected from disk.
AXE = ROOT / "tests" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def _axe_pages(tracker) -> dict[str, str]:
    first = {
        kind: tracker.ids(kind)[0]
        for kind in ("drugs", "targets", "companies", "indications", "trials", "sources")
    }
    pages = {"home": "", "drugs index": "drugs/"}
    pages.update({f"{SINGULAR[kind]} page": f"{kind}/{rid}/" for kind, rid in first.items()})
    pages.update(
        {
            "landscapes": "landscapes/",
            "landscape by region": "landscapes/regions/",
            "timeline": "timeline/",
            "deals": "deals/",
            "data quality": "quality/",
            "open data": "data/",
            "contributing": "contributing/",
        }
    )
    return pages


# The axe rules that read colours: all a palette changes, so the dark palette is checked by these
# alone (the rest would give the light palette's verdict again, at twice the time).
AXE_COLOUR_RULES = ["color-contrast", "link-in-text-block"]


def _axe(browser, rules: list[str] | None = None) -> list[str]:
    """Serious and critical WCAG 2.2 AA violations on the loaded page, one line per rule;
    `rules`: only these."""
    if not browser.execute_script("return !!window.axe"):
        browser.execute_script(AXE.read_text(encoding="utf-8"))
    # Colours are read as a reader sees them once the page settles: a palette switch starts
    # Material's colour transitions, and axe would otherwise measure a colour halfway through.
    result = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "Promise.all(document.getAnimations()"
        ".filter(a => a.effect && a.effect.getComputedTiming().endTime !== Infinity)"
        ".map(a => a.finished.catch(() => null)))"
        ".then(() => axe.run(document, {runOnly: arguments[0], resultTypes: ['violations']})"
        ".then(r => done(r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')"
        ".map(v => v.impact + ' ' + v.id + ' (' + v.nodes.length + '): '"
        " + v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' ' + (n.failureSummary || '')"
        ".replace(/\\s+/g, ' ').slice(0, 160)).join(' | '))))"
        ".catch(e => done(['axe failed: ' + e])));",
        {"type": "rule", "values": rules} if rules else {"type": "tag", "values": AXE_TAGS},
    )
    return result


@pytest.mark.parametrize("scheme", ["default", "slate"])
@pytest.mark.parametrize("width", [1400, 390])
def test_axe_finds_no_serious_violation_on_any_template(browser, server, tracker, width, scheme):
    """axe-core, WCAG 2.2 AA tags: no critical or serious violation on each page template, at
    desktop and phone widths, in the light palette; the dark one by the rules that read colours."""
    if not AXE.is_file():
        reason = f"{AXE.relative_to(ROOT)} missing: run `make install` (needs npm)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    browser.set_window_size(width, 1000)
    browser.set_script_timeout(60)
    # axe-core goes into each page as it opens (not sent over WebDriver again for each page).
    axe = browser.execute_cdp_cmd(
        "Page.addScriptToEvaluateOnNewDocument", {"source": AXE.read_text(encoding="utf-8")}
    )
    try:
        failures = []
        for name, path in _axe_pages(tracker).items():
            browser.get(server + path)
            # The palette as the header toggle sets it (the toggle itself: see the next test),
            # at once: no colour transition to wait for.
            browser.execute_script(
                "const still = document.createElement('style');"
                "still.textContent = '*, *::before, *::after { transition: none !important; }';"
                "document.head.append(still);"
                "document.body.setAttribute('data-md-color-scheme', arguments[0]);",
                scheme,
            )
            found = _axe(browser, AXE_COLOUR_RULES if scheme == "slate" else None)
            failures += [f"{name} ({path}) {width}px {scheme}: {v}" for v in found]
        assert failures == [], "\n".join(failures)
    finally:
        browser.execute_cdp_cmd("Page.removeScriptToEvaluateOnNewDocument", axe)
        browser.set_window_size(1280, 1000)


def test_palette_toggle_switches_to_dark_and_back(browser, server):
    """The header's toggle switches light and dark; our table text follows the palette."""

    def toggle():
        return next(
            label
            for label in browser.find_elements(
                "css selector", "form[data-md-component=palette] label"
            )
            if label.is_displayed()
        )

    def scheme_and_text_brightness():
        return browser.execute_script(
            "const c = getComputedStyle(document.querySelector('.pt-table td')).color.match(/\\d+/g);"
            "return [document.body.getAttribute('data-md-color-scheme'), (+c[0] + +c[1] + +c[2]) / 3];"
        )

    browser.get(server + "drugs/")
    try:
        first = scheme_and_text_brightness()
        assert toggle().get_attribute("title").startswith("Switch to")
        toggle().click()
        second = scheme_and_text_brightness()
        assert {first[0], second[0]} == {"default", "slate"}
        light, dark = (first, second) if first[0] == "default" else (second, first)
        assert dark[1] > light[1] + 100  # light text on dark, dark text on light
        toggle().click()
        assert scheme_and_text_brightness() == first
    finally:
        browser.execute_script("localStorage.clear()")


def test_citation_quote_is_reached_by_keyboard(browser, server, tracker):
    """A quoted citation mark is a link reached with Tab; Enter goes to the reference, where the
    quoted words are printed (not only in the mark's hover title)."""
    from selenium.webdriver.common.keys import Keys

    drug = next(d for d in tracker.tracked_ids() if any(r.quotes for r in tracker.phase_rows[d]))
    browser.get(server + f"drugs/{drug}/")
    body = browser.find_element("css selector", "body")
    body.send_keys(Keys.TAB)
    for _ in range(400):
        focused = browser.switch_to.active_element
        parent = browser.execute_script("return arguments[0].parentElement.className", focused)
        if "pt-cite--quoted" in (parent or ""):
            break
        focused.send_keys(Keys.TAB)
    else:
        pytest.fail("Tab never reached a quoted citation mark")
    title = focused.get_attribute("title")
    focused.send_keys(Keys.ENTER)
    anchor = browser.execute_script("return location.hash").lstrip("#")
    assert anchor.startswith("ref-")
    quotes = browser.find_element("id", anchor).find_elements("css selector", ".pt-quotes q")
    assert quotes and all(q.is_displayed() for q in quotes)
    assert any(q.text.strip('“”"') in title for q in quotes)


def test_drugs_filter_by_development_status(browser, records_copy, tmp_path):
    """A discontinued programme: ?status=discontinued finds its drug only, and with a region the
    status must hold there. The header search box's status filter means the same, alone, with a
    region, and with a phase and a region (the drug's stage there)."""
    from conftest import mkdocs_build
    from pipeline_tracker.records.phases import region_name
    from pipeline_tracker.site.search_meta import stage_value
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    drug = records_copy / "drugs" / "zanidatamab.yaml"
    text = drug.read_text(encoding="utf-8")
    assert "    phase: phase 3\n" in text
    drug.write_text(
        text.replace(
            "    phase: phase 3\n", "    phase: phase 3\n    development_status: discontinued\n", 1
        ),
        encoding="utf-8",
    )
    result = mkdocs_build(tmp_path / "site", records_copy)
    assert result.returncode == 0, result.stderr
    with _serving(tmp_path / "site") as address:
        browser.get(address + "drugs/")
        Select(browser.find_element("css selector", "select[name=status]")).select_by_value(
            "discontinued"
        )
        table = browser.find_element("css selector", "table.pt-region-filtered")
        assert _shown_drugs(table) == {"zanidatamab"}
        assert "status=discontinued" in browser.current_url
        browser.get(address + "drugs/?status=discontinued&region=CN")  # its CN row is active
        table = browser.find_element("css selector", "table.pt-region-filtered")
        assert _shown_drugs(table) == set()
        browser.get(address + "drugs/?status=active&region=CN")
        table = browser.find_element("css selector", "table.pt-region-filtered")
        assert "zanidatamab" in _shown_drugs(table)

        records, problems = load_records(records_copy, ROOT)
        assert problems == []
        tracker = link(records)

        def found(status, code="", phase=None):
            """Drugs holding `status` in region `code` ("": anywhere) whose stage there is
            `phase` (any when None), from the model."""
            return sorted(
                f"/drugs/{d}/"
                for d in tracker.ids("drugs")
                if any(
                    (r, s) == (code, status)
                    for r, _, s in tracker.row_facets(tracker.phase_rows.get(d, []))
                )
                and (
                    phase is None
                    or code in tracker.stage_by_region(d)
                    and stage_value(tracker.stage_by_region(d)[code]) == phase
                )
            )

        def status_option():
            return browser.find_element(
                By.CSS_SELECTOR, ".pt-search-filters select[name=status] option:checked"
            ).text

        assert found("discontinued") == ["/drugs/zanidatamab/"]
        _open_search(browser, address)
        _choose(browser, "status", "discontinued")
        assert _results_settled(browser, 1) == found("discontinued")
        assert status_option() == "discontinued (1)"
        to_index = browser.find_element(By.CSS_SELECTOR, ".pt-search-index a")
        assert urlparse(to_index.get_attribute("href")).query == "status=discontinued"
        assert to_index.text == "This drug as a table in the Drugs index"

        def option(name, value):
            return browser.find_element(
                By.CSS_SELECTOR, f".pt-search-filters select[name={name}] option[value='{value}']"
            )

        # In China its programme is active: none there, which the option says, and it cannot be
        # chosen (a dead end).
        assert found("discontinued", "CN") == []
        china = option("region", region_name("CN"))
        assert china.text == f"{region_name('CN')} (0)"
        assert not china.is_enabled()

        # A phase, a status and a region: the drug's stage there and a programme there with
        # that status (its discontinued phase 3 is worldwide, where its stage is approved).
        where = next(
            c for r in tracker.phase_rows["zanidatamab"] if not r.active for c in [r.region]
        )
        stage = stage_value(tracker.stage_by_region("zanidatamab")[where])
        assert stage != "phase 3"
        _choose(browser, "region", region_name(where))
        assert _results_settled(browser, len(found("discontinued", where))) == found(
            "discontinued", where
        )
        _choose(browser, "phase", stage)
        expected = found("discontinued", where, stage)
        assert "/drugs/zanidatamab/" in expected
        assert sorted(_results_settled(browser, len(expected))) == expected
        chosen = option("region", region_name(where))
        assert chosen.text == f"{region_name(where)} ({len(expected)})"
        other = len(found("discontinued", where, "phase 3"))
        assert option("phase", "phase 3").text == f"phase 3 ({other})"
        assert option("phase", "phase 3").is_enabled() == (other > 0)


def test_pipeline_bar_labels_are_never_cut(browser, server):
    """A 'phase unknown' bar is two rungs wide: its label was cut to 'phase u…' on every page
    with such a row, at desktop widths too. A label may wrap between words, never be clipped."""
    cut = {}
    try:
        for width in (1400, 390):
            browser.set_window_size(width, 900)
            for path in ("drugs/infigratinib/", "landscapes/", "companies/qed-therapeutics/"):
                browser.get(server + path)
                clipped = browser.execute_script(
                    "return Array.from(document.querySelectorAll('.pt-bar'))"
                    ".filter(b => b.offsetParent && b.scrollWidth > b.clientWidth + 1)"
                    ".map(b => b.textContent.trim());"
                )
                if clipped:
                    cut[f"{path} at {width}"] = clipped
        assert browser.execute_script("return document.querySelectorAll('.pt-bar').length") > 0
    finally:
        browser.set_window_size(1280, 1000)
    assert cut == {}


def _show_every_row(browser, table) -> None:
    """Press the whole list's "Show N more rows" until every row it found is shown."""
    while True:
        buttons = [b for b in browser.find_elements("css selector", ".pt-filter__more button")]
        if not any(b.is_displayed() for b in buttons):
            return
        before = len(_shown_drugs(table))
        next(b for b in buttons if b.is_displayed()).click()
        _wait(browser, lambda n=before: len(_shown_drugs(table)) > n)


def test_filters_of_a_paged_list_search_every_page(browser, tracker, paged_site, monkeypatch):
    """The drugs index cut into pages of two rows: a filter finds a drug that is not on page 1
    (the page loads every row of the list) and shows what it found a page at a time, the next
    on request; the filter stays in the URL, clearing it brings page 1's rows back; the pager's
    links lead from page to page."""
    from pipeline_tracker.site import listing
    from selenium.webdriver.support.ui import Select

    monkeypatch.setenv(listing.PAGE_ROWS_ENV, "2")  # as paged_site is built
    ordered = tracker.by_phase(tracker.tracked_ids())
    first_page, later = set(ordered[:2]), ordered[2:]
    in_china = {
        d
        for d in ordered
        if any(r.region in ("CN", "CN-HI") for r in tracker.phase_rows.get(d, []))
    }
    assert in_china - first_page, "the fixture needs a drug in China past page 1"
    with _serving(paged_site) as address:
        table = _filtered_table(browser, address + "drugs/")
        assert _shown_drugs(table) == first_page
        pager = browser.find_element("css selector", "nav.pt-pager")
        assert "Page 1 of" in pager.text
        Select(
            browser.find_element("css selector", "form[data-pt-region-filter] select[name=region]")
        ).select_by_value("CN")
        assert len(in_china) > 2, "the fixture needs more drugs in China than a page holds"
        in_order = [d for d in ordered if d in in_china]
        _wait(browser, lambda: _shown_drugs(table) == set(in_order[:2]))
        count = browser.find_element("css selector", ".pt-filter__count")
        assert count.text.endswith("; the first 2 shown")
        _show_every_row(browser, table)
        assert _shown_drugs(table) == in_china and "first" not in count.text
        assert urlparse(browser.current_url).query == "region=CN"
        assert not pager.is_displayed()  # the rows shown are the whole list's, not page 1's
        assert table.find_element("css selector", "caption").text.startswith(
            f"{len(in_china)} of {len(ordered)} "
        )
        Select(browser.find_element("css selector", "select[name=region]")).select_by_value("")
        _wait(browser, lambda: _shown_drugs(table) == first_page)
        assert pager.is_displayed()
        # The text box too searches every page.
        name = tracker.get("drugs", later[-1])["name"]
        box = browser.find_element("css selector", ".pt-filter input")
        box.send_keys(name)
        _wait(browser, lambda: later[-1] in _shown_drugs(table))
        # Sorting a page sorts the whole list: the last drug by name comes first, descending.
        box.clear()
        box.send_keys(" ")
        browser.get(address + "drugs/")
        table = browser.find_element("css selector", "table.pt-region-filtered")
        button = table.find_element("css selector", "thead th button.pt-sort")
        button.click()
        _wait(
            browser, lambda: len(_shown_drugs(table)) == 2
        )  # the whole list, sorted, from its top
        _show_every_row(browser, table)
        assert len(_shown_drugs(table)) == len(ordered)
        button.click()
        names = sorted((tracker.get("drugs", d)["name"] for d in ordered), key=str.lower)
        _wait(browser, lambda: _column(browser, table, 0)[0].startswith(names[-1]))
        # A shared filtered link to page 2 shows the same whole-list result.
        browser.get(address + "drugs/page/2/?region=CN")
        table = browser.find_element("css selector", "table.pt-region-filtered")
        _wait(browser, lambda: _shown_drugs(table) == set(in_order[:2]))
        _show_every_row(browser, table)
        assert _shown_drugs(table) == in_china
        # The pager: Next from page 1 is page 2, whose rows are the next two.
        browser.get(address + "drugs/")
        browser.find_element("css selector", "nav.pt-pager a[rel=next]").click()
        assert urlparse(browser.current_url).path == "/drugs/page/2/"
        table = browser.find_element("css selector", "table.pt-region-filtered")
        assert _shown_drugs(table) == set(ordered[2:4])
        current = browser.find_element("css selector", "nav.pt-pager a[aria-current=page]")
        assert current.text.strip().endswith("2")
        if AXE.is_file():  # the pager, and rows built from rows.json.gz, pass axe as other pages do
            browser.set_script_timeout(60)
            assert _axe(browser) == []
            browser.get(address + "drugs/page/2/?region=CN")
            table = browser.find_element("css selector", "table.pt-region-filtered")
            _wait(browser, lambda: _shown_drugs(table) == set(in_order[:2]))
            assert _axe(browser) == []  # with the "Show more" button


def _filtered_table(browser, url: str):
    """The region-filtered table of the page at `url`, opened without a console error."""
    errors, _ = _visit(browser, url)
    assert errors == []
    return browser.find_element("css selector", "table.pt-region-filtered")


def test_filters_of_a_paged_list_search_every_page_where_the_host_inflates_its_rows(
    browser, tracker, paged_site, monkeypatch
):
    """The rows file is gzip, inflated by tracker.js; a host that marks it Content-Encoding: gzip
    has the browser inflate it first, and the filter still finds a drug past page 1."""
    from pipeline_tracker.site import listing

    monkeypatch.setenv(listing.PAGE_ROWS_ENV, "2")  # as paged_site is built
    last = tracker.by_phase(tracker.tracked_ids())[-1]
    with _serving(paged_site, _GzipEncodingHandler) as address:
        table = _filtered_table(browser, address + "drugs/")
        assert last not in _shown_drugs(table)
        box = browser.find_element("css selector", ".pt-filter input")
        box.send_keys(tracker.get("drugs", last)["name"])
        _wait(browser, lambda: last in _shown_drugs(table))
        caption = table.find_element("css selector", "caption").text
        assert "could not be loaded" not in caption


def test_a_filter_opens_the_more_of_a_row_that_holds_the_drug_typed(
    browser, tracker, paged_site, monkeypatch
):
    """The companies index, two rows a page and one drug named a cell (as paged_site is built):
    a drug typed into the filter that a company past page 1 holds only behind its "N more"
    brings that row from the list's rows file with its "more" open; clearing the box closes it."""
    from pipeline_tracker.site import listing

    monkeypatch.setenv(listing.PAGE_ROWS_ENV, "2")
    found = [
        (cid, drugs[1])
        for cid in tracker.ids("companies")[2:]  # past page 1: its row comes from the rows file
        if len(drugs := list(tracker.drugs_of_company(cid))) > 1
    ]
    assert found, "the fixture needs a company with two drugs past the index's first page"
    company, drug = found[0]
    name = tracker.get("drugs", drug)["name"]
    with _serving(paged_site) as address:
        errors, _ = _visit(browser, address + "companies/")
        assert errors == []
        assert browser.find_elements("css selector", "table[data-pt-paged] details.pt-more")
        assert not browser.find_elements("css selector", "details.pt-more[open]")
        box = browser.find_element("css selector", ".pt-filter input")
        box.send_keys(name)

        def row():
            link = f"a[href$='/companies/{company}/']"
            rows = browser.find_elements("css selector", "table[data-pt-paged] tbody tr")
            return next((r for r in rows if r.find_elements("css selector", link)), None)

        _wait(browser, lambda: row() is not None and row().is_displayed())
        more = row().find_element("css selector", "details.pt-more")
        assert more.get_attribute("open") is not None
        assert more.find_element("css selector", f"a[href$='/drugs/{drug}/']").is_displayed()
        if AXE.is_file():
            browser.set_script_timeout(60)
            assert _axe(browser) == []
        box.clear()
        box.send_keys(" ")
        _wait(browser, lambda: not browser.find_elements("css selector", "details.pt-more[open]"))


def test_filters_of_a_paged_section_of_a_record_page_search_every_page(
    browser, tracker, paged_site, monkeypatch
):
    """A target's drugs at two rows a page: the record's page shows the first two; the text
    filter and the phase filter find a drug on a further page (from the section's rows.json.gz),
    whose choices count every page once a reader turns to them;
    the pagers of the other long section (the landscape's bars) stay."""
    from pipeline_tracker.site import listing
    from selenium.webdriver.support.ui import Select

    monkeypatch.setenv(listing.PAGE_ROWS_ENV, "2")
    assert "drugs" in listing.record_sections(tracker)[("targets", "erbb2")]
    ordered = tracker.by_phase(listing.section_drugs(tracker, "targets", "erbb2"))
    first_page, later = set(ordered[:2]), ordered[2:]
    from pipeline_tracker.site.render import PageContext

    def phase(d):
        return PageContext.phase_key(tracker.highest_phase(d))

    wanted = next(phase(d) for d in later if phase(d) != "none")  # a phase past page 1
    with_phase = {d for d in ordered if phase(d) == wanted}
    assert with_phase - first_page
    with _serving(paged_site) as address:
        table = _filtered_table(browser, address + "targets/erbb2/")
        assert _shown_drugs(table) == first_page
        # Turning to the filters brings the rows of every page in: each choice counts them,
        # while the table still shows its own page.
        assert all(label == text for _v, label, text, _e in _choices(browser, "phase"))
        browser.execute_script(
            "document.querySelector('form[data-pt-region-filter] select[name=phase]').focus()"
        )
        _wait(browser, lambda: all(t != label for _v, label, t, _e in _choices(browser, "phase")))
        assert _counted(browser, "phase")[wanted] == len(with_phase)
        assert _shown_drugs(table) == first_page
        bars = browser.find_element("css selector", "nav.pt-pager[aria-label='Pages of the bars']")
        box = browser.find_element("css selector", ".pt-filter input")
        box.send_keys(tracker.get("drugs", later[-1])["name"])
        _wait(browser, lambda: later[-1] in _shown_drugs(table))
        assert bars.is_displayed()  # only the filtered table's pagers hide
        box.clear()
        box.send_keys(" ")
        # The words typed left no drug of that phase, whose choice was disabled: it is enabled
        # again once the counts follow the box.
        assert _counted(browser, "phase")[wanted] == len(with_phase)
        Select(
            browser.find_element("css selector", "form[data-pt-region-filter] select[name=phase]")
        ).select_by_value(wanted)
        _wait(
            browser, lambda: _shown_drugs(table) == set([d for d in ordered if d in with_phase][:2])
        )
        _show_every_row(browser, table)
        assert _shown_drugs(table) == with_phase
        assert urlparse(browser.current_url).query == f"phase={wanted}"


def _wait(browser, condition, timeout: float = 10) -> None:
    """Until `condition()` holds; rows replaced meanwhile (the whole list coming in) are read
    again rather than failing as stale."""
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(
        browser, timeout, POLL, ignored_exceptions=[StaleElementReferenceException]
    ).until(lambda _driver: condition())


def _primary_nav(browser) -> set[tuple[str, str]]:
    """The sidebar navigation as a reader follows it: each entry's text and where it leads (not
    the contents of the page itself, which Material repeats there for pages in the nav)."""
    entries = browser.execute_script(
        "return [...document.querySelectorAll('.md-nav--primary a, .md-nav--primary label')]"
        ".filter(e => !e.closest('.md-nav--secondary'))"
        ".map(e => [e.textContent.trim(), e.href || ''])"
    )
    # (the home page's own entry is a label there: it is the page shown)
    return {(text, href) for text, href in entries if "#" not in href and (href or text != "Home")}


def test_record_pages_show_the_sites_navigation_at_every_depth(browser, paged_site):
    """Record pages and the further pages of their sections are outside the nav; they show it
    from one shared script (assets/nav.js, not 3 KB of every page) with the same entries, leading
    to the same pages, as a page in the nav; and a reader can follow it."""
    home = paged_site / "index.html"
    drug = paged_site / "drugs" / "zanidatamab" / "index.html"
    deep = next(paged_site.glob("*/*/*/page/2/index.html"))
    assert "md-nav--primary" in home.read_text(encoding="utf-8")
    for page in (drug, deep):
        html = page.read_text(encoding="utf-8")
        assert "md-nav--primary" not in html and "assets/nav.js" in html
    with _serving(paged_site) as address:
        browser.get(address)
        wanted = _primary_nav(browser)
        assert ("Drugs", address + "drugs/") in wanted
        for page in (drug, deep):
            browser.get(address + page.parent.relative_to(paged_site).as_posix() + "/")
            assert _primary_nav(browser) == wanted
            assert not [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
        link = next(
            a
            for a in browser.find_elements("css selector", ".md-nav--primary a.md-nav__link")
            if a.text.strip() == "Targets" and a.is_displayed()
        )
        link.click()
        _wait(browser, lambda: browser.current_url == address + "targets/")
