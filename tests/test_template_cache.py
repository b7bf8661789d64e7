"""Compiled templates kept between builds (site/template_cache.py): a page is the same with the
cache as without, an edited template or compiler is never served from it, and a cache that
cannot be written costs the build nothing but time."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest
from pipeline_tracker.site import template_cache


@pytest.fixture
def cache_root(tmp_path, monkeypatch) -> Path:
    root = tmp_path / "cache"
    monkeypatch.setenv(template_cache.SETTING, str(root))
    monkeypatch.setattr(template_cache, "_MADE", {})
    return root


def _env(templates: Path, cache) -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(templates), bytecode_cache=cache)


def test_a_template_renders_the_same_from_the_cache_and_again_once_edited(cache_root, tmp_path):
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "page.j2").write_text("<p>{{ name | upper }}</p>", encoding="utf-8")
    cache = template_cache.bytecode_cache("pages")
    assert cache is not None
    first = _env(templates, cache).get_template("page.j2").render(name="zanidatamab")
    assert list(cache_root.rglob("*.cache")), "nothing was kept"
    # A new process's environment: the template comes from the cache, and renders the same.
    again = _env(templates, cache)
    again.compile = None  # type: ignore[method-assign]  # compiling now would fail
    assert again.get_template("page.j2").render(name="zanidatamab") == first
    (templates / "page.j2").write_text("<p>{{ name }}!</p>", encoding="utf-8")
    assert _env(templates, cache).get_template("page.j2").render(name="x") == "<p>x!</p>"


def test_other_compiling_code_gets_its_own_folder_and_the_old_one_goes(cache_root, tmp_path):
    code = tmp_path / "generator.py"
    code.write_text("one = 1\n", encoding="utf-8")
    template_cache.bytecode_cache("pages", code)
    (first,) = cache_root.iterdir()
    (first / "compiled.cache").write_bytes(b"compiled by the old code")
    code.write_text("one = 2\n", encoding="utf-8")
    template_cache._MADE.clear()  # a new process
    template_cache.bytecode_cache("pages", code)
    (second,) = cache_root.iterdir()
    assert second != first


def test_a_cache_that_cannot_be_written_is_no_cache(cache_root, tmp_path, monkeypatch):
    cache_root.write_text("a file where the folder would go", encoding="utf-8")
    assert template_cache.bytecode_cache("pages") is None
    # A folder removed under a running build (another checkout's build pruning it): the
    # template compiles and renders, and is simply not kept.
    elsewhere = tmp_path / "elsewhere"
    monkeypatch.setenv(template_cache.SETTING, str(elsewhere))
    template_cache._MADE.clear()
    cache = template_cache.bytecode_cache("pages")
    assert cache is not None
    for folder in elsewhere.iterdir():
        folder.rmdir()
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "page.j2").write_text("{{ 1 + 1 }}", encoding="utf-8")
    assert _env(templates, cache).get_template("page.j2").render() == "2"


def test_the_setting_turns_it_off(cache_root, monkeypatch):
    monkeypatch.setenv(template_cache.SETTING, "0")
    assert template_cache.bytecode_cache("pages") is None
    assert not cache_root.exists()
