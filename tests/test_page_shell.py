"""Record pages are written in a theme shell rendered once per folder (mkdocs_adapter/shell.py),
not through MkDocs' per-page build: a reader must not be able to tell. The same records built the
old way (every page through MkDocs and Material's template) give the same bytes, with and without
site_url (canonical links, Open Graph addresses, the sitemap), but for the theme's indentation,
which the shell leaves out (a fifth of a record page)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from types import SimpleNamespace

import yaml
from conftest import BIN, FIXTURES, ROOT, SITE_URL, config_with
from pipeline_tracker.mkdocs_adapter.shell import SpilledFile


def _files(site: Path) -> dict[str, bytes]:
    return {
        path.relative_to(site).as_posix(): path.read_bytes()
        for path in sorted(site.rglob("*"))
        if path.is_file() and path.name != "sitemap.xml.gz"  # it embeds the build time
    }


def _build(site: Path, config: Path, per_page: bool, **more: str) -> dict[str, bytes]:
    env = dict(os.environ, PIPELINE_TRACKER_RECORDS=str(FIXTURES), NO_MKDOCS_2_WARNING="1")
    env.update(more)
    env["PIPELINE_TRACKER_THEME_PER_PAGE"] = "1" if per_page else "0"
    done = subprocess.run(
        [str(BIN / "mkdocs"), "build", "--strict", "-f", str(config), "--site-dir", str(site)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    return _files(site)


_LINE_BREAKS = re.compile(rb"\s*\n\s*")


def _differing(ours: dict[str, bytes], theirs: dict[str, bytes]) -> list[str]:
    """Files that differ, but for the theme's indentation (which the shell drops: a run of white
    space holding a line break reads as one line break, as the browser reads it)."""
    assert sorted(ours) == sorted(theirs)
    return [
        path
        for path in ours
        if ours[path] != theirs[path]
        and _LINE_BREAKS.sub(b"\n", ours[path]) != _LINE_BREAKS.sub(b"\n", theirs[path])
    ]


def test_record_pages_in_the_shell_are_the_pages_mkdocs_writes(built_site: Path, tmp_path: Path):
    per_page = _build(tmp_path / "per-page", ROOT / "mkdocs.yml", per_page=True)
    shelled = _files(built_site)
    assert any(path.startswith("drugs/") and path.endswith("/index.html") for path in shelled)
    assert _differing(shelled, per_page) == []
    # …and the shell is what wrote them (the probe accepted the theme): no indentation.
    drug = "drugs/zanidatamab/index.html"
    assert len(shelled[drug]) < len(per_page[drug]) - 1500


def test_with_site_url_too(site_with_url: Path, tmp_path: Path):
    """Canonical links, Open Graph addresses and the sitemap's entries of record pages."""
    config = config_with(tmp_path, site_url=SITE_URL)
    per_page = _build(tmp_path / "per-page", config, per_page=True)
    shelled = _files(site_with_url)
    assert _differing(shelled, per_page) == []
    assert f"<loc>{SITE_URL}drugs/zanidatamab/</loc>".encode() in shelled["sitemap.xml"]


def test_further_pages_of_long_lists_too(tmp_path: Path):
    """Pages of a long list after its first (drugs/page/2/, …: out of the nav) are written in
    the shell too, as MkDocs would write them."""
    rows = {"PIPELINE_TRACKER_PAGE_ROWS": "2"}
    shelled = _build(tmp_path / "shell", ROOT / "mkdocs.yml", per_page=False, **rows)
    per_page = _build(tmp_path / "per-page", ROOT / "mkdocs.yml", per_page=True, **rows)
    assert "drugs/page/2/index.html" in shelled
    assert _differing(shelled, per_page) == []
    assert len(shelled["drugs/page/2/index.html"]) < len(per_page["drugs/page/2/index.html"])


def test_a_theme_that_prints_search_tags_still_gets_each_pages_own(tmp_path: Path):
    """Record pages share a shell whatever their search `tags` (the theme is expected not to print
    them: a shell each made the build a third slower). A theme that does print them is caught by
    the shell's probe, and its pages are themed one by one: each page still shows its own tags."""
    theme = tmp_path / "overrides"
    shutil.copytree(ROOT / "overrides", theme)
    main = theme / "main.html"
    main.write_text(
        main.read_text(encoding="utf-8").replace(
            "{% block extrahead %}\n  {{ super() }}",
            "{% block extrahead %}\n  {{ super() }}\n"
            "  {% if page and page.meta and page.meta.tags %}"
            '<meta name="keywords" content="{{ page.meta.tags | join(\'|\') }}">{% endif %}',
        ),
        encoding="utf-8",
    )
    config = config_with(tmp_path, theme=_theme_with(theme))
    shelled = _build(tmp_path / "shell", config, per_page=False)
    per_page = _build(tmp_path / "per-page", config, per_page=True)
    assert _differing(shelled, per_page) == []
    keywords = {
        drug: re.findall(
            r'<meta name="keywords" content="([^"]*)">',
            shelled[f"drugs/{drug}/index.html"].decode(),
        )
        for drug in ("trastuzumab-deruxtecan", "paclitaxel")
    }
    assert "T-DXd" in keywords["trastuzumab-deruxtecan"][0].split("|")
    assert "nab-paclitaxel" in keywords["paclitaxel"][0].split("|")


def _theme_with(custom_dir: Path) -> dict:
    theme = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))["theme"]
    return theme | {"custom_dir": str(custom_dir)}


def _spilled(tmp_path: Path, name: str) -> tuple[SpilledFile, Path]:
    config = SimpleNamespace(  # what File.generated reads of mkdocs.yml
        site_dir=str(tmp_path / "site"),
        use_directory_urls=True,
        plugins=SimpleNamespace(_current_plugin="pipeline-tracker"),
    )
    spill = tmp_path / "spill" / name
    spill.parent.mkdir(parents=True, exist_ok=True)
    spill.write_bytes(b'{"data_version": "x"}')
    return SpilledFile.generated(config, f"data/{name}", abs_src_path=str(spill)), spill


def test_files_made_during_the_build_are_moved_into_the_site_else_copied(tmp_path, monkeypatch):
    """Open data and feeds are written to a temporary folder as they are made: moved into the
    site (not read and written again), or copied when the folder is on another file system."""
    moved, spill = _spilled(tmp_path, "tracker.json")
    moved.copy_file()
    assert (tmp_path / "site/data/tracker.json").read_bytes() == b'{"data_version": "x"}'
    assert not spill.exists()

    def across_file_systems(source, target):
        raise OSError(18, "Invalid cross-device link")

    monkeypatch.setattr(os, "replace", across_file_systems)
    copied, spill = _spilled(tmp_path, "drugs.csv.gz")
    copied.copy_file()
    assert (tmp_path / "site/data/drugs.csv.gz").read_bytes() == spill.read_bytes()
