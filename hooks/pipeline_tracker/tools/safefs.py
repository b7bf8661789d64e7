"""Every file this package writes into a tree goes through here: inside the tree, never through a
link, and atomically (a temporary file beside the target, then os.replace), so an interrupted
write leaves the old file or the new one, never half of one."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


class UnsafePath(ValueError):
    """A write that would leave the tree or go through a link."""


def check_inside(target: Path, tree: Path) -> Path:
    """`target` as a path inside `tree`, refusing links on the way (the tree's own path may hold
    links: only what lies below it is checked) and anything that resolves outside it."""
    tree = Path(tree)
    if tree.exists() and not tree.is_dir():
        raise UnsafePath(f"{tree} is not a folder")
    target = Path(target)
    try:
        relative = Path(os.path.abspath(target)).relative_to(os.path.abspath(tree))
    except ValueError:
        raise UnsafePath(f"{target} is outside {tree}") from None
    if ".." in relative.parts:
        raise UnsafePath(f"{target} is outside {tree}")
    current = Path(os.path.abspath(tree))
    for part in relative.parts:
        current = current / part
        if current.is_symlink():
            raise UnsafePath(f"{current} is a link; refusing to write through it")
        if current.exists() and current != Path(os.path.abspath(target)) and not current.is_dir():
            raise UnsafePath(f"{current} is not a folder")
    return target


def write_atomic(target: Path, data: bytes, tree: Path, exclusive: bool = False) -> None:
    """Write `data` to `target` inside `tree` (see check_inside). With `exclusive`, refuse to
    replace an existing file (FileExistsError). Keeps an existing file's permission bits."""
    check_inside(target, tree)
    target.parent.mkdir(parents=True, exist_ok=True)
    check_inside(target, tree)  # the folders just made are ours; check again before writing
    mode = None
    with contextlib.suppress(FileNotFoundError):
        mode = target.stat().st_mode & 0o777
    handle, temporary = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"
    )
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, mode if mode is not None else 0o644)
        if exclusive:
            # Claim the name first (fails if it exists, even if made meanwhile; never through a
            # link), then move the full text onto it.
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
            os.close(os.open(target, flags, 0o644))
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
