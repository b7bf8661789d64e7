"""One repository setting: repo_url (+ edit_uri) in mkdocs.yml links the repository on every page and
turns record pages' "View this record" into "Edit this record". The shipped mkdocs.yml leaves it
unset (never guessed); then record pages name the file to edit."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from conftest import FIXTURES, ROOT, config_with, mkdocs_build
from pipeline_tracker.site.render import records_edit_base

PLACEHOLDER = "https://example.invalid/org/repo/"


def _config(tmp_path: Path, **settings) -> Path:
    return config_with(tmp_path, **settings)


def test_shipped_config_leaves_the_repository_unset():
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    assert "repo_url" not in config
    assert not config["extra"].get("records_edit_base")


def test_without_a_repository_record_pages_name_the_file_to_edit(built_site: Path):
    html = (built_site / "drugs" / "zanidatamab" / "index.html").read_text(encoding="utf-8")
    assert "to correct it, edit <code>records/drugs/zanidatamab.yaml</code>" in html
    assert "Edit this record" not in html
    assert 'class="md-source"' not in html  # no repository link in the header
    assert "Source and records:" not in html


def test_setting_repo_url_once_links_the_repository_and_the_editor(tmp_path: Path):
    site = tmp_path / "site"
    config = _config(tmp_path, repo_url=PLACEHOLDER, edit_uri="edit/main/docs/")
    result = mkdocs_build(site, FIXTURES, config)
    assert result.returncode == 0, result.stderr
    for page in ("index.html", "drugs/zanidatamab/index.html", "timeline/index.html"):
        html = (site / page).read_text(encoding="utf-8")
        # Header: a plain link to the repository (no data-md-component="source": Material's
        # script would ask the code host's API for stars, a third-party request).
        assert f'<a href="{PLACEHOLDER}" title="Go to repository" class="md-source">' in html
        assert 'data-md-component="source"' not in html
        # Footer: licences, citation and the repository.
        assert "code under the MIT licence" in html and "CC BY 4.0" in html
        assert f'Source and records: <a href="{PLACEHOLDER}">{PLACEHOLDER}</a>' in html
        # The citation: the footer's on pages without their own "Cite this page" box.
        assert ("Cite as: Open Pipeline Tracker" in html) == ("pt-cite-this" not in html), page
    record = (site / "drugs" / "zanidatamab" / "index.html").read_text(encoding="utf-8")
    edit = f'<a class="pt-edit" href="{PLACEHOLDER}edit/main/records/drugs/zanidatamab.yaml">'
    assert edit + "Edit this record</a>" in record
    assert "View this record" not in record


@pytest.mark.parametrize(
    "explicit,repo_url,edit_uri,expected",
    [
        (None, None, None, None),
        ("", PLACEHOLDER, "edit/main/docs/", PLACEHOLDER + "edit/main/"),
        (None, PLACEHOLDER.rstrip("/"), "edit/main/docs", PLACEHOLDER + "edit/main/"),
        (None, PLACEHOLDER, None, None),  # unknown host, no edit_uri: not guessed
        (None, PLACEHOLDER, "", None),
        (None, PLACEHOLDER, "edit/main/site-docs/", None),  # not the docs folder: not derived
        (None, "https://github.com/org/repo", None, "https://github.com/org/repo/edit/master/"),
        ("https://example.invalid/e", PLACEHOLDER, "edit/x/docs/", "https://example.invalid/e/"),
    ],
)
def test_edit_base_is_derived_from_repo_url_and_edit_uri(explicit, repo_url, edit_uri, expected):
    assert records_edit_base(explicit, repo_url, edit_uri) == expected
