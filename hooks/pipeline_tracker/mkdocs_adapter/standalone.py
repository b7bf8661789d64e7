"""Write the whole site as a plain MkDocs project (no hook): the baseline the benchmark uses.

`pipeline-tracker render --out DIR` writes DIR/mkdocs.yml (the repository's configuration without
`hooks`, with docs_dir pointing at DIR/docs) and DIR/docs/ (the hand-written docs plus every page
and static file the hook would add), so that `mkdocs build -f DIR/mkdocs.yml` builds the same site.
Pages the hook hands MkDocs as HTML are written as Markdown files holding that HTML: plain MkDocs
puts the same content on the page (tests/test_scale.py compares them) and keeps Material's own
search (the hook makes the hooked build's Pagefind index), but finds no Markdown headings, so those
pages have no table of contents in the sidebar.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from pipeline_tracker.records.load import records_dir
from pipeline_tracker.site.build import build_outputs
from pipeline_tracker.site.render import SiteOptions, records_edit_base


class _Tagged:
    """A value under a tag we do not interpret (!ENV, !!python/name:…), kept to write back."""

    def __init__(self, tag: str, value):
        self.tag, self.value = tag, value


class _SafeConfigLoader(yaml.CSafeLoader):
    """libyaml, keeping unknown tags instead of refusing them."""


def _keep_tag(loader: _SafeConfigLoader, suffix: str, node):
    value: object
    if isinstance(node, yaml.MappingNode):
        value = loader.construct_mapping(node, deep=True)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_scalar(node)
    return _Tagged(node.tag, value)


_SafeConfigLoader.add_multi_constructor("", _keep_tag)


class _ConfigDumper(yaml.SafeDumper):
    """Writes kept tags back as they were."""


def _write_tag(dumper: _ConfigDumper, data: _Tagged):
    if isinstance(data.value, dict):
        return dumper.represent_mapping(data.tag, data.value)
    if isinstance(data.value, list):
        return dumper.represent_sequence(data.tag, data.value)
    return dumper.represent_scalar(data.tag, data.value)


_ConfigDumper.add_representer(_Tagged, _write_tag)


def read_config(config_file: Path) -> dict:
    """mkdocs.yml as data, tolerating tags MkDocs understands but safe YAML does not."""
    with open(config_file, "rb") as stream:
        return yaml.load(stream, Loader=_SafeConfigLoader) or {}


def _material_search_on(config: dict) -> None:
    """The hooked build indexes the site with Pagefind after MkDocs is done; without the hook
    nothing would, so the plain build gets Material's own search back (as configured in
    mkdocs.yml, switched on). Its header then shows Material's search box instead."""
    plugins = config.get("plugins")
    if not isinstance(plugins, list):
        return
    for i, plugin in enumerate(plugins):
        name = next(iter(plugin)) if isinstance(plugin, dict) and len(plugin) == 1 else plugin
        if name in ("search", "material/search"):
            options = dict(plugin[name] or {}) if isinstance(plugin, dict) else {}
            options["enabled"] = True
            plugins[i] = {name: options}


BUILDERS = ("mkdocs", "zensical")


def render_tree(
    out: Path, config_file: Path, records: Path | None = None, builder: str = "mkdocs"
) -> tuple[int, int]:
    """Write out/mkdocs.yml and out/docs/ for `builder` (MkDocs or ProperDocs: links as pages
    reach them; Zensical: links as its Markdown files do); returns (generated pages, static
    files)."""
    if builder not in BUILDERS:
        raise ValueError(f"unknown builder {builder!r}: one of {', '.join(BUILDERS)}")
    root = config_file.resolve().parent
    config = read_config(config_file)
    config.pop("hooks", None)
    docs_src = root / config.get("docs_dir", "docs")
    out = Path(out)
    if root == out.resolve() or root.is_relative_to(out.resolve()):
        raise ValueError(f"--out {out} would overwrite the repository; choose another folder")
    docs = out / "docs"
    if docs.exists():
        shutil.rmtree(docs)
    out.mkdir(parents=True, exist_ok=True)
    shutil.copytree(docs_src, docs)
    config["docs_dir"] = "docs"
    _material_search_on(config)
    theme = config.get("theme")
    if isinstance(theme, dict) and isinstance(theme.get("custom_dir"), str):
        # Relative paths in mkdocs.yml are relative to the file: copy the theme overrides along.
        source = root / theme["custom_dir"]
        target = out / Path(theme["custom_dir"]).name
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(source, target)
        theme["custom_dir"] = target.name
    extra = config.get("extra") or {}
    options = SiteOptions(
        edit_base=records_edit_base(
            extra.get("records_edit_base"),
            config.get("repo_url"),
            config.get("edit_uri"),
            docs_src.name,
        ),
        links_from_source=builder == "zensical",
        site_name=config.get("site_name") or SiteOptions.site_name,
        site_url=config.get("site_url") or None,
        repo_url=config.get("repo_url") or None,
    )
    # Static files (open data, feeds) are written straight into docs/ as they are made.
    output = build_outputs(
        records if records is not None else records_dir(root), root, options, static_folder=docs
    )
    for page in docs.rglob("*.md"):  # generated blocks in hand-written pages (home: coverage)
        text = page.read_text(encoding="utf-8")
        if any(marker in text for marker in output.inserts):
            for marker, block in output.inserts.items():
                text = text.replace(marker, block)
            page.write_text(text, encoding="utf-8")
    pages = {**output.pages, **{src: page.markdown() for src, page in output.html_pages.items()}}
    for src_uri, content in pages.items():
        path = docs / src_uri
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    config["extra"] = {**extra, "data_version": output.tracker.data_version}  # the footer's
    text = "# Written by `pipeline-tracker render`: the site as plain MkDocs, without the hook.\n"
    text += yaml.dump(config, Dumper=_ConfigDumper, sort_keys=False, allow_unicode=True)
    (out / "mkdocs.yml").write_text(text, encoding="utf-8")
    return len(pages), len(output.static)
