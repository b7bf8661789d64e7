"""What Pagefind's memory grows with: Pagefind alone over the search documents of a built site.

The hooked build writes what search reads of each page to <site>/.pt-search/ and removes it after
indexing (site/search_index.py). To measure Pagefind without rebuilding the site each time:

    python benchmarks/pagefind_memory.py build RECORDS SITE
        the hooked `mkdocs build` of RECORDS into SITE, without the index: SITE/.pt-search/ is
        kept, completed with the pages that have no search document (as index_site does)
    python benchmarks/pagefind_memory.py index DOCS [GLOB ...]
        Pagefind over DOCS with the build's own command (search_index.pagefind_command), once
        for all pages or once per GLOB ("drugs/**/*.html"): pages, peak RSS, CPU, index bytes

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
    from pipeline_tracker.site.search_index import _link_pages

    env = dict(os.environ, PIPELINE_TRACKER_RECORDS=str(records))
    done = subprocess.run([sys.executable, "-c", _BUILD_WITHOUT_INDEX, str(site)], env=env)
    if done.returncode != 0:
        return done.returncode
    _link_pages(site, site / ".pt-search")
    print(site / ".pt-search")
    return 0


def index(docs: Path, glob: str | None) -> dict:
    from pipeline_tracker.site.search_index import pagefind_command

    with tempfile.TemporaryDirectory() as out:
        command = pagefind_command(docs, Path(out) / "pagefind")
        if glob:
            command += ["--glob", glob]
        child = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        _pid, status, usage = os.wait4(child.pid, 0)
        files = [p for p in (Path(out) / "pagefind").rglob("*") if p.is_file()]
        return {
            "glob": glob or "**/*.html",
            "pages": sum(1 for _ in docs.glob(glob or "**/*.html")),
            "status": status,
            "peak MB": round(usage.ru_maxrss / 1024),
            "CPU s": round(usage.ru_utime + usage.ru_stime, 1),
            "index MB": round(sum(p.stat().st_size for p in files) / 1e6, 2),
            "index files": len(files),
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
