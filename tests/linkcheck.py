"""Offline link checker for a built site: every internal link and #anchor resolves to a file and id."""

from __future__ import annotations

import posixpath
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

# Hosts a page must never load from: the site makes no third-party request (fonts are off).
FORBIDDEN_HOSTS = (
    "fonts.googleapis.com",
    "fonts.gstatic.com",
    "cdn.jsdelivr.net",
    "unpkg.com",
    "cdnjs.cloudflare.com",
    "ajax.googleapis.com",
)
LINK_ATTRS = {
    "a": "href",
    "link": "href",
    "script": "src",
    "img": "src",
    "source": "src",
    "iframe": "src",
}


class _Links(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []  # (tag, url)
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        for key in ("id", "name") if tag == "a" else ("id",):
            if values.get(key):
                self.ids.add(values[key])
        attr = LINK_ATTRS.get(tag)
        if attr and values.get(attr) is not None:
            self.links.append((tag, values[attr]))


def _target(site: Path, page: Path, path: str) -> Path | None:
    """The file a relative link reaches, or None when it climbs above the site's root (a browser
    stops at the host's root, so such a link works only while the site sits at the root)."""
    base = page.relative_to(site).parent.as_posix()
    resolved = posixpath.normpath(posixpath.join(base, unquote(path)))
    if resolved == ".." or resolved.startswith("../"):
        return None
    target = site / resolved
    return target / "index.html" if target.is_dir() else target


def check_site(site: Path) -> list[str]:
    """Every broken internal link or anchor, and every link to a CDN or fonts host."""
    parsed: dict[Path, _Links] = {}

    def parse(file: Path) -> _Links:
        if file not in parsed:
            parser = _Links()
            parser.feed(file.read_text(encoding="utf-8"))
            parser.close()
            parsed[file] = parser
        return parsed[file]

    broken: list[str] = []
    for page in sorted(site.rglob("*.html")):
        where = page.relative_to(site).as_posix()
        for tag, url in parse(page).links:
            parts = urlsplit(url)
            if parts.scheme in ("http", "https") or url.startswith("//"):
                if (parts.hostname or "") in FORBIDDEN_HOSTS:
                    broken.append(f"{where}: loads from a third-party host: {url}")
                continue
            if parts.scheme:  # mailto:, etc.
                continue
            if page.name == "404.html":
                continue  # Material's 404 page uses site-absolute links for any depth
            target = _target(site, page, parts.path) if parts.path else page
            if target is None:
                broken.append(f"{where}: <{tag}> {url}: climbs above the site's root")
                continue
            if not target.is_file():
                broken.append(f"{where}: <{tag}> {url}: no such file")
                continue
            if (
                parts.fragment
                and target.suffix == ".html"
                and unquote(parts.fragment) not in parse(target).ids
            ):
                broken.append(
                    f"{where}: <{tag}> {url}: no id '{parts.fragment}' in "
                    f"{target.relative_to(site).as_posix()}"
                )
    return broken
