"""A way off MkDocs 1.x: the same site builds with ProperDocs (the maintained MkDocs 1.6 line),
and the hook-free output of `pipeline-tracker render` builds with Zensical."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import yaml
from conftest import BIN, FIXTURES, ROOT
from linkcheck import check_site

_GENERATOR = re.compile(rb'<meta name="generator" content="[^"]*">')


def _files(site: Path) -> dict[str, bytes]:
    return {
        path.relative_to(site).as_posix(): path.read_bytes()
        for path in sorted(site.rglob("*"))
        if path.is_file() and path.name != "sitemap.xml.gz"  # it embeds the build time
    }


def test_properdocs_builds_the_same_pages(built_site: Path, tmp_path: Path):
    site = tmp_path / "site"
    done = subprocess.run(
        [str(BIN / "properdocs"), "build", "--strict", "-f", str(ROOT / "mkdocs.yml")]
        + ["--site-dir", str(site)],
        cwd=ROOT,
        env=dict(os.environ, PIPELINE_TRACKER_RECORDS=str(FIXTURES), NO_MKDOCS_2_WARNING="1"),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    assert check_site(site) == []
    ours, theirs = _files(built_site), _files(site)
    assert sorted(theirs) == sorted(ours)
    # Only the generator line differs ("mkdocs-1.6.1" / "mkdocs-ProperDocs 1.6.7").
    differ = [
        path
        for path, content in ours.items()
        if _GENERATOR.sub(b"", content) != _GENERATOR.sub(b"", theirs[path])
    ]
    assert not differ, differ[:10]


def test_zensical_builds_the_rendered_site(tmp_path: Path):
    out = tmp_path / "plain"
    env = dict(os.environ, PIPELINE_TRACKER_RECORDS=str(FIXTURES))
    rendered = subprocess.run(
        [str(BIN / "pipeline-tracker"), "render", "--out", str(out), "--builder", "zensical"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert rendered.returncode == 0, rendered.stderr
    built = subprocess.run(
        [str(BIN / "zensical"), "build"],
        cwd=out,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    # What Zensical wrote must hold together: every link and #anchor resolves (reading only the
    # link text once let every cross-record link sit one level too deep unnoticed).
    assert check_site(out / "site") == []
    drug = yaml.safe_load((FIXTURES / "drugs" / "zanidatamab.yaml").read_text(encoding="utf-8"))
    page = (out / "site" / "drugs" / "zanidatamab" / "index.html").read_text(encoding="utf-8")
    assert f"<title>{drug['name']} - " in page
    status = page[page.index('id="development-status"') :]
    status = status[: status.index("</table>")]
    for row in drug["status"]:
        indication = (FIXTURES / "indications" / f"{row['indication']}.yaml").read_text("utf-8")
        assert f">{yaml.safe_load(indication)['name']}</a>" in status
    # One row per status row (notes ride on a sub-row, <tr class="pt-subrow">).
    assert status.count("<tr><td>") == len(drug["status"])
