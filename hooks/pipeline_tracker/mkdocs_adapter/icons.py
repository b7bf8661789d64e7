"""The theme icons every page's header shows, as one SVG sprite the pages refer to.

Material inlines each icon into each page: 2.8 KB of every record page, about 80 MB at 10,000
drugs (issue 19). The partials in overrides/ draw them from docs/assets/icons.svg instead
(partials/pt-icon.html); this module writes that file from the theme's own icon files, so the
sprite holds exactly the theme's drawings. `python -m pipeline_tracker.mkdocs_adapter.icons`
rewrites it after mkdocs.yml names other icons; tests/test_icons.py fails until then.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import material  # type: ignore[import-untyped]
import yaml

THEME_ICONS = Path(material.__file__).parent / "templates" / ".icons"
_SVG = re.compile(r"<svg\b[^>]*\bviewBox=\"([^\"]+)\"[^>]*>(.*)</svg>\s*$", re.DOTALL)


def icons_in_use(theme: dict) -> list[str]:
    """The icons Material's header and our partials show for this `theme:` of mkdocs.yml (as
    Material names them: "material/magnify"), with Material's defaults."""
    icon = theme.get("icon") or {}
    names = [
        icon.get("logo") or "material/library",
        icon.get("menu") or "material/menu",
        icon.get("search") or "material/magnify",
        icon.get("previous") or "material/arrow-left",
        icon.get("close") or "material/close",
        icon.get("repo") or "fontawesome/brands/git-alt",
    ]
    palette = theme.get("palette") or []
    for option in palette if isinstance(palette, list) else [palette]:
        toggle = option.get("toggle") or {}
        if toggle.get("icon"):
            names.append(toggle["icon"])
    return sorted(set(names))


def symbol_id(name: str) -> str:
    """The sprite's id of an icon (partials/pt-icon.html makes the same)."""
    return name.replace("/", "-")


def sprite(names: list[str], icons: Path = THEME_ICONS) -> str:
    """One <symbol> per icon, with the theme file's viewBox and drawing (licence comments too)."""
    lines = ['<svg xmlns="http://www.w3.org/2000/svg">']
    for name in names:
        match = _SVG.match((icons / f"{name}.svg").read_text(encoding="utf-8").strip())
        if match is None:
            raise ValueError(f"{name}: not an <svg> with a viewBox")
        view_box, drawing = match.groups()
        lines.append(f'<symbol id="{symbol_id(name)}" viewBox="{view_box}">{drawing}</symbol>')
    lines.append("</svg>")
    return "\n".join(lines) + "\n"


def site_sprite(mkdocs_yml: Path) -> str:
    config = yaml.safe_load(mkdocs_yml.read_text(encoding="utf-8"))
    return sprite(icons_in_use(config.get("theme") or {}))


if __name__ == "__main__":
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path.cwd()
    target = root / "docs" / "assets" / "icons.svg"
    target.write_text(site_sprite(root / "mkdocs.yml"), encoding="utf-8")
    print(f"wrote {target}")
