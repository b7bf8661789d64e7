"""Links that work anywhere and linked data (issue 21, items 4 and 5), on the fixture site built
with site_url (as a publisher builds it) and without (as the repository ships).

- Feeds: every feed reads in feedparser without a bozo flag; with site_url every link is absolute
  on the site, without it every link resolves against the feed's address to a page that exists.
- JSON exports: each names its schema in `$schema` and validates against it with
  check-jsonschema, offline, using only the site's files; a broken document fails.
- Pages: schema.org JSON-LD on drug, trial and company pages and the Open data page parses and
  carries the record's identifiers; each record page has its own description; canonical links,
  Open Graph and the sitemap follow site_url.
"""

from __future__ import annotations

import gzip
import json
import re
import shutil
from collections import defaultdict
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import feedparser
import pytest
import yaml
from conftest import FIXTURES, ROOT, SITE_URL, open_data
from pipeline_tracker.records import identifiers
from pipeline_tracker.site.build import load_tracker
from pipeline_tracker.site.linked_data import record_node
from pipeline_tracker.site.search_meta import DESCRIPTION_LIMIT, description

ATOM_TYPE = {"content-type": "application/atom+xml; charset=utf-8"}
# Where the site without site_url is served in the test of relative feed links: below a path,
# as a project site is, so a link that only works at the host's root fails.
SERVED_AT = "https://example.net/tracker/"


def _feeds(site: Path) -> list[Path]:
    feeds = [site / "feed.xml", *sorted((site / "feeds").rglob("*.xml"))]
    return [f for f in feeds if f.name != "sitemap.xml"]


def _read_feed(site: Path, feed: Path, served_at: str):
    """The feed as a reader that fetched it from `served_at` parses it."""
    headers = {**ATOM_TYPE, "content-location": served_at + feed.relative_to(site).as_posix()}
    parsed = feedparser.parse(feed.read_bytes(), response_headers=headers)
    assert not parsed.bozo, (feed, parsed.get("bozo_exception"))
    links = [link.href for link in parsed.feed.links]
    links += [link.href for entry in parsed.entries for link in entry.links]
    return parsed, links


def _page_exists(site: Path, url: str, root: str) -> bool:
    assert url.startswith(root), url
    path = urlsplit(url).path[len(urlsplit(root).path) :]
    target = site / path
    return (target / "index.html").is_file() if path.endswith("/") or not path else target.is_file()


def test_with_site_url_every_feed_link_is_absolute_on_the_site(site_with_url: Path):
    feeds = _feeds(site_with_url)
    # the site's feed and one per company and target (drugs have none of their own)
    owners = [p for kind in ("companies", "targets") for p in (FIXTURES / kind).glob("*.yaml")]
    assert len(feeds) > len(owners) > 5
    entries = 0
    for feed in feeds:
        # Read as if fetched from elsewhere: absolute links do not depend on where.
        parsed, links = _read_feed(site_with_url, feed, "https://mirror.example.com/x/")
        entries += len(parsed.entries)
        raw = re.findall(rb'href="([^"]*)"', feed.read_bytes())
        assert raw and all(href.startswith(SITE_URL.encode()) for href in raw), feed
        for link in links:
            assert _page_exists(site_with_url, link, SITE_URL), (feed, link)
    assert entries > 20


def test_without_site_url_feed_links_resolve_against_the_feed(built_site: Path):
    """No address is guessed: links stay relative, and a reader resolves them (Atom: against the
    feed's address) to the site's pages wherever the site is served."""
    for feed in _feeds(built_site):
        raw = re.findall(rb'href="([^"]*)"', feed.read_bytes())
        assert raw and not any(href.startswith((b"http:", b"https:", b"/")) for href in raw)
        _parsed, links = _read_feed(built_site, feed, SERVED_AT)
        for link in links:
            assert _page_exists(built_site, link, SERVED_AT), (feed, link)


# JSON exports against their schemas ---------------------------------------------------------


def _unpacked(site: Path, into: Path) -> Path:
    """A copy of the site's data/ with the gzip-compressed JSON files decompressed beside their
    schemas (a validator reads plain JSON; relative $schema and $ref resolve as on the site)."""
    shutil.copytree(site / "data", into / "data")
    for packed in (into / "data").rglob("*.json.gz"):
        packed.with_suffix("").write_bytes(gzip.decompress(packed.read_bytes()))
        packed.unlink()
    return into


def _exports(site: Path) -> list[Path]:
    """Every JSON file of the open data but the schemas and datapackage.json (a Frictionless
    descriptor, checked by frictionless), in a copy made by _unpacked."""
    data = site / "data"
    return [
        p
        for p in sorted(data.rglob("*.json"))
        if p.parent.name != "schema" and p.name != "datapackage.json"
    ]


def _schema_file(site: Path, export: Path, named: str, site_url: str | None) -> Path:
    """The site's own copy of the schema an export names."""
    if site_url:
        assert named.startswith(site_url + "data/schema/"), (export, named)
        return site / named[len(site_url) :]
    assert not urlsplit(named).scheme, (export, named)  # relative: nothing guessed
    return (export.parent / named).resolve()


def _check(schema: Path, instances: list[Path], site_url: str | None) -> tuple[int, str]:
    """check-jsonschema, offline: with site_url the schema's $id is its address on the site, so
    --base-uri points it at the local copy instead; without site_url the schemas carry no $id and
    $refs resolve against the file itself. Its command is run in this process (the same code
    as the `check-jsonschema` script, less a second of start-up a run): (exit code, output)."""
    from check_jsonschema import main
    from click.testing import CliRunner

    base = ["--base-uri", schema.as_uri()] if site_url else []
    result = CliRunner().invoke(main, ["--schemafile", str(schema), *base, *map(str, instances)])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


def _validate_all(site: Path, site_url: str | None) -> dict[Path, list[Path]]:
    by_schema: dict[Path, list[Path]] = defaultdict(list)
    for export in _exports(site):
        named = json.loads(export.read_text(encoding="utf-8")).get("$schema")
        assert named, f"{export} names no schema"
        by_schema[_schema_file(site, export, named, site_url)].append(export)
    names = {schema.name for schema in by_schema}
    assert {"tracker.schema.json", "drugs-documents.schema.json"} <= names
    assert len(names) == 8  # tracker.json and the files of each of the 7 kinds
    for schema, instances in sorted(by_schema.items()):
        assert schema.is_file(), schema
        code, output = _check(schema, instances, site_url)
        assert code == 0, (schema, output[-3000:])
    return by_schema


@pytest.mark.parametrize("with_url", [True, False], ids=["site_url", "no site_url"])
def test_every_json_export_validates_against_the_schema_it_names(
    with_url, site_with_url, built_site, tmp_path
):
    site, site_url = (site_with_url, SITE_URL) if with_url else (built_site, None)
    by_schema = _validate_all(_unpacked(site, tmp_path / "site"), site_url)
    # The schema covers the whole file, not only each record: a document without its page link,
    # a record with a value its kind's schema refuses, a status row with no phase and one with an
    # empty member each fail.
    schema = next(s for s in by_schema if s.name == "drugs-documents.schema.json")
    shards = [json.loads(p.read_text(encoding="utf-8")) for p in by_schema[schema]]
    shard, rid = next(
        (shard, rid)
        for shard in shards
        for rid, document in shard["records"].items()
        if document["development_status"]
    )
    breaks = {
        "page": lambda document: document.pop("page"),
        "modality": lambda document: document["record"].update(modality=42),
        "status row": lambda document: document["development_status"][0].update(phase="soon"),
        # A member without a value is left out of a status row, never given empty.
        "empty member": lambda document: document["development_status"][0].update(scheme=""),
    }
    for name, breaking in breaks.items():
        broken = json.loads(json.dumps(shard))
        breaking(broken["records"][rid])
        path = tmp_path / f"broken-{name.replace(' ', '-')}.json"
        path.write_text(json.dumps(broken), encoding="utf-8")
        code, output = _check(schema, [path], site_url)
        assert code == 1, (name, output)


def test_published_schemas_are_identified_by_their_address_only_with_site_url(
    site_with_url, built_site
):
    published = sorted((site_with_url / "data" / "schema").glob("*.schema.json"))
    assert len(published) >= 16  # the records' 8 and the exports' 9
    for schema in published:
        data = json.loads(schema.read_text(encoding="utf-8"))
        assert data["$id"] == f"{SITE_URL}data/schema/{schema.name}"
        plain = json.loads((built_site / "data" / "schema" / schema.name).read_text("utf-8"))
        assert "$id" not in plain  # never a guessed (or .invalid) host
        assert ".invalid" not in schema.read_text(encoding="utf-8")


def test_json_exports_link_pages_absolutely_with_site_url(site_with_url, built_site):
    for site, root in ((site_with_url, SITE_URL), (built_site, None)):
        tracker = json.loads((site / "data" / "tracker.json").read_text(encoding="utf-8"))
        shard = site / "data" / tracker["records"]["drugs"]["files"][0]
        for rid, document in json.loads(open_data(shard.parent, shard.name))["records"].items():
            if root:
                assert document["page"] == f"{root}drugs/{rid}/"
            else:
                assert document["page"] == f"../../drugs/{rid}/"  # relative to the file


# Pages: JSON-LD, descriptions, Open Graph, canonical links -----------------------------------


class _Head(HTMLParser):
    """The JSON-LD scripts and <meta>/<link> tags of a page."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.jsonld: list[str] = []
        self.meta: dict[str, str] = {}
        self.canonical: str | None = None
        self._in_jsonld = False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script" and a.get("type") == "application/ld+json":
            self._in_jsonld = True
            self.jsonld.append("")
        elif tag == "meta":
            key = a.get("name") or a.get("property")
            if key:
                self.meta[key] = a.get("content", "")
        elif tag == "link" and a.get("rel") == "canonical":
            self.canonical = a.get("href")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_jsonld = False

    def handle_data(self, data):
        if self._in_jsonld:
            self.jsonld[-1] += data


def _head(site: Path, url: str) -> _Head:
    return _Head((site / url / "index.html").read_text(encoding="utf-8"))


def _records(kind: str) -> dict[str, dict]:
    return {
        p.stem: yaml.safe_load(p.read_text(encoding="utf-8"))
        for p in sorted((FIXTURES / kind).glob("*.yaml"))
    }


def _linked(site: Path, kind: str, rid: str) -> dict:
    head = _head(site, f"{kind}/{rid}")
    assert len(head.jsonld) == 1, (kind, rid)
    return json.loads(head.jsonld[0])


def _id_values(node: dict) -> dict[str, str]:
    return {p["value"]: p["propertyID"] for p in node["identifier"]}


def test_drug_pages_carry_a_drug_with_its_identifiers(site_with_url):
    drugs = _records("drugs")
    for rid, data in drugs.items():
        node = _linked(site_with_url, "drugs", rid)
        assert node["@context"] == "https://schema.org" and node["@type"] == "Drug"
        assert node["name"] == data["name"] and node["url"] == f"{SITE_URL}drugs/{rid}/"
        ids = _id_values(node)
        assert ids[rid] == "Open Pipeline Tracker id"
        assert node.get("nonProprietaryName") == data.get("inn")
        for code in data.get("code_names") or []:
            assert ids[code] == "code name" and code in node["alternateName"]
        for scheme, value in (data.get("external_ids") or {}).items():
            assert ids[str(value)] == identifiers.label(scheme)
        # Nothing the record does not hold: every identifier is one of its values.
        held = {
            rid,
            *(data.get("code_names") or []),
            *map(str, (data.get("external_ids") or {}).values()),
        }
        assert set(ids) <= held, rid
    assert any(data.get("code_names") for data in drugs.values())


def test_a_drugs_external_ids_reach_its_linked_data(records_copy):
    """No fixture drug holds an external id: give one a ChEMBL and a MeSH id."""
    drug = records_copy / "drugs" / "zanidatamab.yaml"
    drug.write_text(
        drug.read_text(encoding="utf-8")
        + "external_ids:\n  chembl: CHEMBL4297574\n  mesh: C000627734\n",
        encoding="utf-8",
    )
    tracker = load_tracker(records_copy, ROOT)
    node = record_node(tracker, "drugs", "zanidatamab", SITE_URL)
    ids = {p["propertyID"]: p for p in node["identifier"]}
    assert ids["ChEMBL"]["value"] == "CHEMBL4297574" and ids["MeSH"]["value"] == "C000627734"
    assert ids["ChEMBL"]["url"] == identifiers.iri("chembl", "CHEMBL4297574")
    assert node["sameAs"] == [ids["ChEMBL"]["url"], ids["MeSH"]["url"]]
    assert record_node(tracker, "drugs", "zanidatamab")["identifier"] == node["identifier"]
    assert "url" not in record_node(tracker, "drugs", "zanidatamab")  # no site_url: no address


def test_trial_pages_carry_a_medical_trial_with_its_registry_ids(site_with_url):
    trials = _records("trials")
    assert trials
    for rid, data in trials.items():
        node = _linked(site_with_url, "trials", rid)
        assert node["@type"] == "MedicalTrial" and node["name"] == data["title"]
        ids = _id_values(node)
        for registry in data.get("registry_ids") or []:
            assert ids[registry["id"]] == identifiers.label(registry["registry"])
        assert node.get("phase") == data.get("phase")
        assert node["url"] == f"{SITE_URL}trials/{rid}/"
    assert any(d.get("registry_ids") for d in trials.values())


def test_company_pages_carry_an_organization(site_with_url):
    for rid, data in _records("companies").items():
        node = _linked(site_with_url, "companies", rid)
        assert node["@type"] == "Organization" and node["name"] == data["name"]
        assert _id_values(node)[rid] == "Open Pipeline Tracker id"
        if data.get("country"):
            assert node["address"]["addressCountry"] == data["country"]


TYPES = {
    "drugs": "Drug",
    "targets": "BioChemEntity",
    "companies": "Organization",
    "indications": "MedicalCondition",
    "trials": "MedicalTrial",
    "sources": "CreativeWork",
}


@pytest.mark.parametrize("kind", sorted(TYPES))
def test_every_record_page_carries_its_record_as_linked_data(site_with_url, built_site, kind):
    records = _records(kind)
    assert records
    for rid, data in records.items():
        node = _linked(site_with_url, kind, rid)
        assert node["@type"] == TYPES[kind]
        assert _id_values(node)[rid] == "Open Pipeline Tracker id"
        assert node["url"] == f"{SITE_URL}{kind}/{rid}/"
        assert node["name"] == data.get("name", data.get("title"))
        assert "url" not in _linked(built_site, kind, rid)  # no site_url: no address guessed


def test_target_pages_carry_the_targets_gene_and_protein_ids(site_with_url):
    held = 0
    for rid, data in _records("targets").items():
        ids = _id_values(_linked(site_with_url, "targets", rid))
        for scheme in ("hgnc", "uniprot", "ncbi_gene"):
            if data.get(scheme):
                assert ids[str(data[scheme])] == identifiers.label(scheme)
                held += 1
        assert set(ids) <= {
            rid,
            *(str(data[s]) for s in ("hgnc", "uniprot", "ncbi_gene") if data.get(s)),
        }
    assert held


def test_open_data_page_carries_the_dataset(site_with_url, built_site):
    tracker = load_tracker(FIXTURES, ROOT)
    for site, root in ((site_with_url, SITE_URL), (built_site, None)):
        [text] = _head(site, "data").jsonld
        node = json.loads(text)
        assert node["@type"] == "Dataset"
        assert node["version"] == tracker.data_version and tracker.data_version
        assert node["license"] == "https://creativecommons.org/licenses/by/4.0/"
        first, _, last = node["temporalCoverage"].partition("/")
        assert first < last
        downloads = {d["name"]: d for d in node["distribution"]}
        assert {
            "tracker.json",
            "development-status.csv.gz",
            "drugs.csv.gz",
            "tracker.sqlite.gz",
        } <= set(downloads)
        for name, download in downloads.items():
            url = download["contentUrl"]
            page = root + "data/" if root else SERVED_AT + "data/"
            resolved = urljoin(page, url)  # JSON-LD resolves relative IRIs against the page
            assert resolved == (root or SERVED_AT) + "data/" + name, url
            assert (site / "data" / name).is_file()
        assert ("url" in node) == bool(root)


def test_each_record_page_has_its_own_description(site_with_url, built_site):
    tracker = load_tracker(FIXTURES, ROOT)
    seen: dict[str, str] = {}
    for kind in ("drugs", "targets", "companies", "indications", "trials", "sources"):
        for rid in tracker.ids(kind):
            head = _head(built_site, f"{kind}/{rid}")
            expected = description(tracker, kind, rid)
            assert head.meta["description"] == expected == head.meta["og:description"]
            assert 0 < len(expected) <= DESCRIPTION_LIMIT
            assert expected not in seen, (kind, rid, seen.get(expected))
            seen[expected] = rid
            assert "og:url" not in head.meta and head.canonical is None  # no site_url: no address
            published = _head(site_with_url, f"{kind}/{rid}")
            assert published.canonical == published.meta["og:url"] == f"{SITE_URL}{kind}/{rid}/"
            assert published.meta["og:title"] and published.meta["og:type"] == "website"


def test_sitemap_lists_every_page_only_with_site_url(site_with_url, built_site):
    locs = re.findall(r"<loc>(.*?)</loc>", (site_with_url / "sitemap.xml").read_text("utf-8"))
    assert f"{SITE_URL}drugs/zanidatamab/" in locs and f"{SITE_URL}data/" in locs
    assert all(loc.startswith(SITE_URL) for loc in locs)
    assert "<loc>" not in (built_site / "sitemap.xml").read_text("utf-8")


def test_shipped_config_leaves_site_url_unset_and_documents_it_beside_repo_url():
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert "site_url" not in yaml.safe_load(text)  # never guessed
    lines = text.splitlines()
    setting = lines.index("# site_url: https://ORG.github.io/REPO/")
    assert any(line.startswith("# repo_url:") for line in lines[setting : setting + 10])
