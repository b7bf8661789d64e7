"""Shared fixtures: the repository, the fixture records code tests own (tests/fixtures/records), a\nscratch copy of them, one fixture site build per run, and one build of the live records."""

from __future__ import annotations

import gzip
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "records"
BIN = Path(sys.executable).parent


def open_data(source, path: str) -> str:
    """The text of a published open-data file, `path` as the site names it (data/drugs.csv.gz),
    from a built site's folder or a {site path: bytes} mapping: gzip-compressed files (the CSV
    tables and per-record JSON files, format 7) decompressed, a UTF-8 byte-order mark dropped."""
    data = (Path(source) / path).read_bytes() if isinstance(source, (str, Path)) else source[path]
    if path.endswith(".gz"):
        data = gzip.decompress(data)
    return data.decode("utf-8-sig")


# benchmarks/synth.py (synthetic records trees) sits beside the benchmark, outside the package.
sys.path.insert(0, str(ROOT / "benchmarks"))


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return ROOT


@pytest.fixture
def records_copy(tmp_path: Path) -> Path:
    """A writable copy of the fixture records to break on purpose."""
    target = tmp_path / "records"
    shutil.copytree(FIXTURES, target)
    return target


def mkdocs_build(
    site_dir: Path, records: Path | None = None, config: Path | None = None
) -> subprocess.CompletedProcess:
    # No -q: MkDocs 1.6 drops warnings below its log level before --strict counts them, so
    # `build --strict -q` passes a build with warnings (a broken #anchor, a bad link).
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    if records is not None:
        env["PIPELINE_TRACKER_RECORDS"] = str(records)
    return subprocess.run(
        [
            str(BIN / "mkdocs"),
            "build",
            "--strict",
            "--config-file",
            str(config or ROOT / "mkdocs.yml"),
            "--site-dir",
            str(site_dir),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """The fixture records built once into a temporary folder with `mkdocs build --strict`."""
    site = tmp_path_factory.mktemp("site") / "site"
    result = mkdocs_build(site, FIXTURES)
    assert result.returncode == 0, result.stderr
    return site


def config_with(folder: Path, **settings) -> Path:
    """mkdocs.yml with `settings` added, its relative paths made absolute, in `folder` (with a
    copy of docs/: the build refuses docs files from outside the config's folder)."""
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    config.update(settings)
    shutil.copytree(ROOT / "docs", folder / "docs")
    config["docs_dir"] = str(folder / "docs")
    config["theme"]["custom_dir"] = str(ROOT / config["theme"]["custom_dir"])
    config["hooks"] = [str(ROOT / hook) for hook in config["hooks"]]
    path = folder / "mkdocs.yml"
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


SITE_URL = "https://tracker.example.org/"  # the site_url of `site_with_url`


@pytest.fixture(scope="session")
def site_with_url(tmp_path_factory) -> Path:
    """The fixture records built once as a publisher would: mkdocs.yml with site_url set."""
    folder = tmp_path_factory.mktemp("published")
    site = folder / "site"
    result = mkdocs_build(site, FIXTURES, config_with(folder, site_url=SITE_URL))
    assert result.returncode == 0, result.stderr
    return site


@pytest.fixture(scope="session")
def paged_site(tmp_path_factory) -> Path:
    """The fixture records built once with two rows a page (long lists and long sections of
    record pages cut into pages), one drug named a cell (the rest of a crowded cell behind its
    "more") and site_url set (so the sitemap lists every page)."""
    folder = tmp_path_factory.mktemp("paged")
    site = folder / "site"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PIPELINE_TRACKER_PAGE_ROWS", "2")
        patch.setenv("PIPELINE_TRACKER_CELL_NAMES", "1")
        result = mkdocs_build(site, FIXTURES, config_with(folder, site_url=SITE_URL))
    assert result.returncode == 0, result.stderr
    return site


@pytest.fixture(scope="session")
def live_site(tmp_path_factory) -> Path:
    """The live records built once: only rules are checked on it (links resolve), never values."""
    site = tmp_path_factory.mktemp("live") / "site"
    result = mkdocs_build(site, ROOT / "records")
    assert result.returncode == 0, result.stderr
    return site


NAME_ZH = "泽沃基奥仑赛"  # the schema's own example for zevorcabtagene autoleucel


def add_chinese_name(records: Path) -> str:
    """Give the fixture CAR-T drug its Chinese name (cited), for tests of Chinese names."""
    drug = records / "drugs" / "zevorcabtagene-autoleucel.yaml"
    drug.write_text(
        drug.read_text(encoding="utf-8").replace(
            "evidence:\n", "evidence:\n  name_zh:\n    - geneonline-2023-01-17-carsgen-huadong\n", 1
        )
        + f"name_zh: {NAME_ZH}\n",
        encoding="utf-8",
    )
    return NAME_ZH


def git(repo: Path, *args: str, date: str | None = None) -> None:
    """`git` in a test repository, as a curator with no global or system configuration (and, with
    `date`, committed that day at noon UTC)."""
    env = dict(
        os.environ,
        GIT_AUTHOR_NAME="Curator",
        GIT_AUTHOR_EMAIL="curator@example.org",
        GIT_COMMITTER_NAME="Curator",
        GIT_COMMITTER_EMAIL="curator@example.org",
        GIT_CONFIG_NOSYSTEM="1",
        GIT_CONFIG_GLOBAL=os.devnull,
        HOME=str(repo),
    )
    if date:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = f"{date}T12:00:00+00:00"
    subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)
