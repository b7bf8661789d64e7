"""Compiled templates kept between builds, in the user's cache folder: compiling our page
templates and Material's took about a third of a small tree's build (0.8 s of 2.3 s of CPU for
the fixture records), and every `make build`, test build and `preview` paid it again.

Jinja checks each cached template against its source's checksum and its own and Python's
version, so an edited template is compiled again. What Jinja does not check is the code that
compiles it (our code generator, the filters it may fold into the code, MkDocs' and Material's
releases): their fingerprint names the folder, and a folder of another fingerprint is removed
when a new one is made. A folder that cannot be written means no cache, never a failed build.
PIPELINE_TRACKER_TEMPLATE_CACHE=0 turns it off; a path puts it there instead."""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
from importlib import metadata
from pathlib import Path

import jinja2

SETTING = "PIPELINE_TRACKER_TEMPLATE_CACHE"
PACKAGE = Path(__file__).resolve().parents[1]  # pipeline_tracker/


def _root() -> Path | None:
    chosen = os.environ.get(SETTING, "")
    if chosen == "0":
        return None
    if chosen:
        return Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "pipeline-tracker" / "templates"


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "-"


def fingerprint(*extra: Path) -> str:
    """What compiled code depends on beyond each template's source: Python, Jinja, MkDocs and
    Material, and our own code (the code generator and filters in site/, the theme's
    environment set up by mkdocs_adapter/ and `extra` files)."""
    digest = hashlib.sha256()
    digest.update(sys.version.encode())
    for name in ("jinja2", "mkdocs", "mkdocs-material", "markupsafe"):
        digest.update(f"{name}={_version(name)}\n".encode())
    sources = sorted(PACKAGE.glob("site/*.py")) + sorted(PACKAGE.glob("mkdocs_adapter/*.py"))
    for path in [*sources, *extra]:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


_MADE: dict[tuple[str, str], jinja2.BytecodeCache | None] = {}


def bytecode_cache(name: str, *extra: Path) -> jinja2.BytecodeCache | None:
    """A cache of compiled templates for one Jinja environment (`name`: "pages", "theme"), or
    None when the cache folder cannot be made."""
    root = _root()
    if root is None:
        return None
    key = (name, str(root))
    if key not in _MADE:
        _MADE[key] = _make(root, name, extra)
    return _MADE[key]


def _make(root: Path, name: str, extra: tuple[Path, ...]) -> jinja2.BytecodeCache | None:
    try:
        current = f"{name}-{fingerprint(*extra)}"
        folder = root / current
        if not folder.is_dir():
            root.mkdir(parents=True, exist_ok=True, mode=0o700)
            for old in root.glob(f"{name}-*"):
                if old.name != current:
                    shutil.rmtree(old, ignore_errors=True)
            folder.mkdir(exist_ok=True, mode=0o700)
        return _FolderCache(str(folder), "%s.cache")
    except OSError:
        return None


class _FolderCache(jinja2.FileSystemBytecodeCache):
    """Jinja's cache in a folder, except that a compiled template it cannot write (the folder
    removed by a build of other code, a full disk) is simply not kept."""

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:
            pass
