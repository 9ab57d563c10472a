"""Writing many files all or none: what `init --all` needs so that a failure half-way
never leaves a layout that `plan` would read as half a cluster.

Files are written into a staging directory inside the target directory (same filesystem,
so every move is an atomic rename), then moved into place; a failure while moving puts back
what was there (the files --force replaced are kept in the staging directory until the
end) and removes the directories it made.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

from planner.errors import EcsplanError

_STAGING_PREFIX = ".ecsplan-init-"
_EXISTING_SHOWN = 3


def check_targets(root: Path, paths: Sequence[str], *, force: bool = False) -> None:
    """Refuse, before anything is written: a target directory (or a directory a file needs)
    that is a file, and existing files unless ``force``."""
    if root.exists() and not root.is_dir():
        raise EcsplanError(f"init: target directory {root} is a file")
    existing: list[str] = []
    for rel in paths:
        target = root / rel
        for parent in reversed(target.relative_to(root).parents[:-1]):
            if (root / parent).exists() and not (root / parent).is_dir():
                raise EcsplanError(f"init: {root / parent} is a file, {target} needs a directory")
        if target.is_dir():
            raise EcsplanError(f"init: {target} is a directory, init writes a file there")
        if target.exists():
            existing.append(str(target))
    if existing and not force:
        more = (
            f" and {len(existing) - _EXISTING_SHOWN} more"
            if len(existing) > _EXISTING_SHOWN
            else ""
        )
        shown = ", ".join(existing[:_EXISTING_SHOWN]) + more
        raise EcsplanError(f"init: {shown} already exist; use --force to overwrite")


def write_files_atomically(root: Path, files: Sequence[tuple[str, str]]) -> list[Path]:
    """Write (relative path, text) pairs under ``root``: all of them, or, on any error,
    none (and ``root`` itself is removed again when this call created it)."""
    created_root = not root.exists()
    root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=_STAGING_PREFIX, dir=root))
    try:
        for rel, text in files:
            staged = staging / "new" / rel
            staged.parent.mkdir(parents=True, exist_ok=True)
            staged.write_text(text, encoding="utf-8")
        _move_into_place(root, staging, [rel for rel, _ in files])
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if created_root:
            shutil.rmtree(root, ignore_errors=True)
        raise
    shutil.rmtree(staging, ignore_errors=True)
    return [root / rel for rel, _ in files]


def _move_into_place(root: Path, staging: Path, rels: Sequence[str]) -> None:
    """Rename each staged file over its target, keeping a replaced file aside until every
    move succeeded; on failure, undo in reverse order."""
    moved: list[tuple[Path, Path | None]] = []  # (target, where the replaced file waits)
    made: list[Path] = []
    try:
        for rel in rels:
            target = root / rel
            made += _make_dirs(target.parent, root)
            if target.is_dir() and not target.is_symlink():  # appeared since check_targets
                raise IsADirectoryError(errno.EISDIR, "init writes a file there", str(target))
            backup = None
            if os.path.lexists(target):
                backup = staging / "old" / rel
                backup.parent.mkdir(parents=True, exist_ok=True)
                os.replace(target, backup)
            moved.append((target, backup))
            os.replace(staging / "new" / rel, target)
    except BaseException:
        for target, backup in reversed(moved):
            if backup is not None:
                os.replace(backup, target)
            else:
                target.unlink(missing_ok=True)
        for d in reversed(made):
            with contextlib.suppress(OSError):  # not empty after all: leave it, keep the cause
                d.rmdir()
        raise


def _make_dirs(directory: Path, root: Path) -> list[Path]:
    """mkdir -p below ``root``; returns the directories it created, outermost first."""
    missing: list[Path] = []
    d = directory
    while d != root and not d.exists():
        missing.append(d)
        d = d.parent
    for m in reversed(missing):
        m.mkdir()
    return list(reversed(missing))
