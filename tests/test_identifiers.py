"""External ids: patterns and resolver links come from the Bioregistry; a malformed id is a
curator message with file, line, column and pointer; every id on a page links to its database."""

from __future__ import annotations

import re

import pytest
from pipeline_tracker.records import identifiers
from pipeline_tracker.records.registry_table import TABLE
from test_rules import edit, messages


def test_table_matches_the_installed_bioregistry():
    bioregistry = pytest.importorskip("bioregistry")
    for prefix, (name, pattern, uri_format, example) in TABLE.items():
        resource = bioregistry.get_resource(prefix)
        assert (name, pattern, uri_format) == (
            resource.get_name(),
            resource.get_pattern(),
            resource.get_uri_format(),
        ), (
            f"registry_table.py is stale for {prefix}: run python -m pipeline_tracker.records.identifiers"
        )
        assert re.search(pattern, example)


@pytest.mark.parametrize(
    "scheme,value,host",
    [
        ("hgnc", "HGNC:3430", "www.genenames.org"),
        ("uniprot", "P04626", "purl.uniprot.org"),
        ("ncbi_gene", 2064, "www.ncbi.nlm.nih.gov"),
        ("mesh", "D001943", "meshb.nlm.nih.gov"),
        ("mondo", "MONDO:0007254", "purl.obolibrary.org"),
        ("chembl", "CHEMBL1201585", "www.ebi.ac.uk"),
        ("nct", "NCT04466891", "www.clinicaltrials.gov"),
        ("chictr", "ChiCTR2000034567", "www.chictr.org.cn"),
        ("eudract", "2020-001234-12", "www.clinicaltrialsregister.eu"),
    ],
)
def test_valid_ids_link_to_their_home_database(scheme, value, host):
    url = identifiers.iri(scheme, value)
    assert url and url.split("/")[2] == host
    local = str(value).split(":")[-1]
    assert local in url


def test_malformed_ids_get_no_link():
    assert identifiers.iri("hgnc", "HGNC:123456") is None
    assert identifiers.iri("nct", "NCT123") is None
    assert identifiers.iri("ctr", "CTR20201234") is None  # China Drug Trials: no resolver known


def test_id_not_matching_its_registry_is_a_curator_message(records_copy):
    line = edit(records_copy / "targets/erbb2.yaml", "hgnc: HGNC:3430", "hgnc: HGNC:343000")
    found = messages(records_copy)
    assert len(found) == 1, found
    assert found[0].startswith(
        f"records/targets/erbb2.yaml:{line}:7: /hgnc: 'HGNC:343000' is no HGNC id"
    )
    assert "^\\d{1,5}$" in found[0]


def test_target_and_trial_pages_link_every_id(built_site):
    page = (built_site / "targets/erbb2/index.html").read_text(encoding="utf-8")
    for url in (
        "https://www.genenames.org/data/gene-symbol-report/#!/hgnc_id/3430",
        "http://purl.uniprot.org/uniprot/P04626",
        "https://www.ncbi.nlm.nih.gov/gene/2064",
    ):
        assert f'href="{url}"' in page
