"""What Pagefind's memory grows with: Pagefind alone over the search documents of a built site.

The hooked build writes what search reads of each page to <site>/.pt-search/ and removes it after
indexing (site/search_index.py). To measure Pagefind without rebuilding the site each time:

    python benchmarks/pagefind_memory.py build RECORDS SITE
        the hooked `mkdocs build` of RECORDS into SITE, without the index: SITE/.pt-search/ is
        kept
    python benchmarks/pagefind_memory.py index SITE [GLOB ...]
        Pagefind over what the build's index reads of SITE (search_index.index_pages: its search
        documents, the other pages less their lists), once for all pages or once per GLOB
        ("drugs/*/index.html", fnmatch): pages, peak RSS, CPU, index bytes

Run it with the project's Python (.venv/bin/python) and, for `build`, the usual variables
(PIPELINE_TRACKER_TODAY, NO_MKDOCS_2_WARNING). Findings: benchmarks/pagefind-memory.md.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

_BUILD_WITHOUT_INDEX = """
import sys
from pipeline_tracker.mkdocs_adapter import search
search.write_index = lambda config: None
from mkdocs.__main__ import cli
sys.argv = ["mkdocs", "build", "--site-dir", sys.argv[1]]
cli()
"""


def build(records: Path, site: Path) -> int:
    env = dict(os.environ, PIPELINE_TRACKER_RECORDS=str(records))
    done = subprocess.run([sys.executable, "-c", _BUILD_WITHOUT_INDEX, str(site)], env=env)
    if done.returncode != 0:
        return done.returncode
    print(site / ".pt-search")
    return 0


_INDEX = """
import sys
from fnmatch import fnmatch
from pathlib import Path
from pipeline_tracker.site.search_index import index_pages, site_pages
site, glob, out = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
pages = [p for p in site_pages(site, site / ".pt-search") if fnmatch(p, glob)]
index_pages(site, site / ".pt-search", pages, out)
print(len(pages))
"""


def index(site: Path, glob: str | None) -> dict:
    """The build's indexer in a fresh process: its peak RSS is Pagefind's (the largest child)."""
    with tempfile.TemporaryDirectory() as out:
        child = subprocess.Popen(
            [sys.executable, "-c", _INDEX, str(site), glob or "*.html", str(Path(out) / "pf")],
            stdout=subprocess.PIPE,
        )
        said = child.stdout.read() if child.stdout else b""
        _pid, status, usage = os.wait4(child.pid, 0)  # the child and what it waited for
        files = [p for p in (Path(out) / "pf").rglob("*") if p.is_file()]
        return {
            "glob": glob or "*.html",
            "pages": said.decode().strip(),
            "status": status,
            "peak MB": round(usage.ru_maxrss / 1024),
            "CPU s": round(usage.ru_utime + usage.ru_stime, 1),
            "index MB": round(sum(p.stat().st_size for p in files) / 1e6, 2),
            "index files (fragments bundled)": len(files),
        }


def main(argv: list[str]) -> int:
    if len(argv) == 3 and argv[0] == "build":
        return build(Path(argv[1]), Path(argv[2]))
    if len(argv) >= 2 and argv[0] == "index":
        for glob in argv[2:] or [None]:
            print(index(Path(argv[1]), glob), flush=True)
        return 0
    print(__doc__.split("\n\n")[1], file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
