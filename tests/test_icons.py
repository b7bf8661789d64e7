"""The header's icons come from one sprite file (docs/assets/icons.svg) and the palette script
from one script file (docs/assets/palette.js), not inlined into every page (issue 19): both must
be the theme's own, and every page's icons must resolve in the sprite."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urljoin

from conftest import ROOT
from pipeline_tracker.mkdocs_adapter import icons

SPRITE = ROOT / "docs" / "assets" / "icons.svg"
_USE = re.compile(r'<use href="([^"#]*)#([^"]+)"')


def test_the_sprite_is_the_themes_icons_that_mkdocs_yml_names():
    assert SPRITE.read_text(encoding="utf-8") == icons.site_sprite(ROOT / "mkdocs.yml"), (
        "docs/assets/icons.svg is not the icons mkdocs.yml names: run "
        "`.venv/bin/python -m pipeline_tracker.mkdocs_adapter.icons`"
    )


def test_icons_named_in_the_theme_settings_are_in_use():
    theme = {
        "icon": {"logo": "material/pill"},
        "palette": [{"toggle": {"icon": "material/brightness-4", "name": "Dark"}}],
    }
    names = icons.icons_in_use(theme)
    assert "material/pill" in names and "material/brightness-4" in names
    assert "material/library" not in names  # the default logo, replaced
    drawn = icons.sprite(names)
    assert 'id="material-brightness-4" viewBox="0 0 24 24"' in drawn


def test_the_palette_script_is_the_themes():
    theme = Path(icons.THEME_ICONS).parent / "partials" / "javascripts" / "palette.html"
    inline = re.search(r"<script>(.*)</script>", theme.read_text(encoding="utf-8"), re.DOTALL)
    assert inline is not None
    ours = (ROOT / "docs" / "assets" / "palette.js").read_text(encoding="utf-8")
    # First the toggle's inputs and labels from the form's data (partials/palette.html), then
    # the theme's script, which reads them.
    builder, theme_script = ours.strip().split("\n")
    assert theme_script == inline.group(1).strip() and "md-option" in builder


def test_the_scope_script_is_the_themes_with_the_root_from_its_own_address(built_site: Path):
    """Material's inline globals script (partials/javascripts/base.html) comes from one file,
    assets/md-scope.js: the same script but for where the scope comes from (the site's root,
    from the script's address, which new URL(base_url, location) gives on each page)."""
    theme = Path(icons.THEME_ICONS).parent / "partials" / "javascripts" / "base.html"
    inline = re.search(r"<script>(.*)</script>", theme.read_text(encoding="utf-8"), re.DOTALL)
    assert inline is not None
    ours = (ROOT / "docs" / "assets" / "md-scope.js").read_text(encoding="utf-8").strip()
    theirs = inline.group(1).strip()
    scope = 'new URL("{{ config.extra.scope | d(base_url) }}",location)'
    assert scope in theirs
    assert ours == theirs.replace(scope, 'new URL("..",document.currentScript.src)')
    for name in ("index.html", "drugs/zanidatamab/index.html", "404.html"):
        head = (built_site / name).read_text(encoding="utf-8").split("</head>")[0]
        assert "__md_scope" not in head, name
        [src] = re.findall(r'<script src="([^"]*md-scope\.js)"></script>', head)
        if name == "404.html":
            src = src.lstrip("/")
        assert (built_site / urljoin(f"http://site/{name}", src)[len("http://site/") :]).is_file()


def test_every_page_draws_its_header_icons_from_the_sprite(built_site: Path):
    symbols = set(re.findall(r'<symbol id="([^"]+)"', SPRITE.read_text(encoding="utf-8")))
    pages = [
        "index.html",
        "drugs/index.html",
        "drugs/zanidatamab/index.html",
        "companies/beigene/index.html",
        "404.html",
    ]
    for name in pages:
        html = (built_site / name).read_text(encoding="utf-8")
        header = html[html.index("<header") : html.index("</header>")]
        assert "<path" not in header, f"{name}: an icon inlined in the header"
        uses = _USE.findall(header)
        assert len(uses) >= 6, name  # logo, menu, two palette toggles, search (button and box)…
        for address, symbol in uses:
            if name == "404.html":  # served at any depth: its links are from the site's root
                address = address.lstrip("/")
            target = Path(urljoin(f"http://site/{name}", address)[len("http://site/") :])
            assert (built_site / target).read_text(encoding="utf-8") == SPRITE.read_text(
                encoding="utf-8"
            ), f"{name}: {address}"
            assert symbol in symbols, f"{name}: #{symbol} is not in the sprite"
        assert html.count('src="') and "palette.js" in header, name
