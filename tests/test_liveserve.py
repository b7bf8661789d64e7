"""liveserve.live_app: under `mkdocs serve` a page the site folder lacks is answered from the
hidden folder the hook keeps its pages in, with the current problems banner in its slot; the
hidden folder itself is never served by its own address. (A real `mkdocs serve`:
tests/test_serve_live.py.)"""

from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace

from pipeline_tracker.mkdocs_adapter.liveserve import BANNER_SLOT, LIVE_FOLDER, live_app


def _file_app(root: Path):
    """A stand-in for MkDocs' app: the file at PATH_INFO (index.html for a folder), or 404."""

    def app(environ, start_response):
        relative = environ["PATH_INFO"].lstrip("/")
        path = root / (
            relative + "index.html" if relative.endswith("/") or not relative else relative
        )
        if not path.is_file():
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"missing"]
        body = path.read_bytes()
        start_response(
            "200 OK", [("Content-Type", "text/html"), ("Content-Length", str(len(body)))]
        )
        return [body]

    return app


def _get(app, path: str) -> tuple[str, dict, bytes]:
    said = {}

    def start_response(status, headers, exc_info=None):
        said["status"], said["headers"] = status, dict(headers)

    body = b"".join(app({"PATH_INFO": path}, start_response))
    return said["status"], said["headers"], body


def test_a_hidden_page_is_served_at_its_address_with_the_banner(tmp_path: Path):
    (tmp_path / "drugs").mkdir()
    (tmp_path / "drugs" / "index.html").write_text("<p>index</p>")
    page = tmp_path / LIVE_FOLDER / "drugs" / "x"
    page.mkdir(parents=True)
    (page / "index.html").write_text(f"<article>{BANNER_SLOT}<h1>x</h1></article>")
    banner = {"html": ""}
    app = live_app(
        _file_app(tmp_path),
        SimpleNamespace(root=str(tmp_path), mount_path="/"),
        lambda: banner["html"],
    )
    status, headers, body = _get(app, "/drugs/x/")
    assert status.startswith("200") and body == b"<article><h1>x</h1></article>"
    assert headers["Content-Length"] == str(len(body))
    banner["html"] = "<div>Records have problems</div>"
    assert (
        _get(app, "/drugs/x/")[2]
        == b"<article><div>Records have problems</div><h1>x</h1></article>"
    )
    assert _get(app, "/drugs/")[2] == b"<p>index</p>"  # the site folder's own page
    assert _get(app, "/drugs/x")[0].startswith("302")
    assert _get(app, "/drugs/y/")[0].startswith("404")
    assert _get(app, f"/{LIVE_FOLDER}/drugs/x/")[0].startswith("404")
    os.remove(page / "index.html")  # a deleted record's page
    assert _get(app, "/drugs/x/")[0].startswith("404")
