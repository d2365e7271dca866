"""Where an export may go, and how it lands there without ever eating anything.

An export is written into a hidden staging directory beside ``OUT``
(``.tmp-export-<name>-<pid>-<tag>``) and renamed into place.  With
``--force`` an existing ``OUT`` is first renamed away
(``.old-export-<name>-<pid>-<tag>``), the staged export renamed in, and the
old one deleted.  That leaves three things to get right:

* ``OUT`` must not be inside the data home at all: ``export H/inbox --force``
  once replaced the user's listing files with an export, and ``prefect/`` or
  ``overrides/`` could go the same way.  Nor may it contain the home.
* A killed export leaves its staging directory behind (it can be hundreds of
  MB), and one killed between the two renames leaves ``OUT`` missing with the
  previous export only under its ``.old-export-*`` name.  The next export to
  the same ``OUT`` cleans the first and restores the second.
* Cleaning must never touch a live export's directories.  Each export holds an
  ``flock`` on its staging directory (and on the old ``OUT`` while it is being
  replaced); a leftover whose lock can be taken belongs to a dead process.
  Short critical sections (create and lock the staging directory, the two
  renames, the clean-up scan) hold a lock on the parent directory, so a
  clean-up never sees a staging directory between its ``mkdir`` and its lock,
  nor ``OUT`` between the two renames of a live export.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from warehouse.faults import pause_point
from warehouse.fileio import fsync_path
from warehouse.layout import Layout

TMP_PREFIX = ".tmp-export-"
OLD_PREFIX = ".old-export-"
#: The random part of a staging or old directory's name (hex digits).
TAG_LENGTH = 8
#: Pause points (warehouse/faults.py) that crash tests kill an export at.
PAUSE_DURING_WRITE = "export-during-write"
PAUSE_BEFORE_PUBLISH = "export-before-publish"
PAUSE_BETWEEN_RENAMES = "export-between-renames"
EXPORT_PAUSE_POINTS = (PAUSE_DURING_WRITE, PAUSE_BEFORE_PUBLISH, PAUSE_BETWEEN_RENAMES)

_LEFTOVER = re.compile(
    rf"^(?P<prefix>{re.escape(TMP_PREFIX)}|{re.escape(OLD_PREFIX)})(?P<name>.+)-(?P<pid>\d+)-[0-9a-f]{{{TAG_LENGTH}}}$"
)


class ExportError(ValueError):
    """The export cannot be done as asked (bad name, format, an occupied or forbidden OUT, a full disk)."""


def check_out_location(out: Path, layout: Layout) -> None:
    """Refuse an OUT inside (or containing) the data home.

    ``out`` and the home are both resolved, so a symlink into the home is
    refused like the path it points to.
    """
    home = layout.home.resolve()
    if out == home or home.is_relative_to(out):
        raise ExportError(f"refusing to export into {out}: it contains the data home {home}")
    # the home's parts may be symlinks to other disks: their real places are the home too
    for part in (home, *(p.resolve() for p in _home_parts(layout) if p.is_symlink())):
        if out.is_relative_to(part):
            raise ExportError(
                f"refusing to export into {out}: it is inside the data home {home} (choose a directory outside it)"
            )


def _home_parts(layout: Layout) -> list[Path]:
    """The directories of a data home that a user may have linked elsewhere."""
    return [layout.inbox, layout.warehouse, layout.snapshots, layout.downloads, layout.overrides.parent,
            layout.prefect_home]


def check_out_free(out: Path, force: bool) -> None:
    """Refuse a non-directory OUT, or (without ``force``) a non-empty one."""
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise ExportError(f"{out} exists and is not a directory")
    if out.is_dir() and any(out.iterdir()) and not force:
        raise ExportError(f"{out} exists and is not empty (use --force to replace it)")


def _is_empty_dir(path: Path) -> bool:
    return path.is_dir() and not path.is_symlink() and not any(path.iterdir())


@contextmanager
def _flock(path: Path, *, wait: bool) -> Iterator[bool]:
    """Hold an exclusive ``flock`` on directory ``path``; yields False if ``wait`` is off and it is taken."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(fd)  # closing the last descriptor releases the lock


def _leftovers(out: Path) -> tuple[list[Path], list[Path]]:
    """This OUT's staging and old directories beside it: (tmp, old)."""
    staged: list[Path] = []
    old: list[Path] = []
    for path in sorted(out.parent.iterdir()):
        match = _LEFTOVER.match(path.name)
        if match is None or match["name"] != out.name or path.is_symlink() or not path.is_dir():
            continue
        (staged if match["prefix"] == TMP_PREFIX else old).append(path)
    return staged, old


def recover_leftovers(out: Path, notice: Callable[[str], None]) -> None:
    """Clean what killed exports to ``out`` left, restoring ``out`` if one died between its renames.

    Runs before anything else looks at ``out`` (even an export that is then
    refused cleans up).  Directories still locked belong to a live export and
    are left alone.
    """
    if not out.parent.is_dir():
        return
    with _flock(out.parent, wait=True):
        _recover_locked(out, notice)


def _recover_locked(out: Path, notice: Callable[[str], None]) -> None:
    staged, old = _leftovers(out)
    for path in old:
        with _flock(path, wait=False) as mine:
            if not mine:
                continue
            if not out.exists() or _is_empty_dir(out):
                os.rename(path, out)  # over a missing or empty OUT: atomic
                fsync_path(out.parent)
                notice(f"restored {out} from an export interrupted while replacing it")
            else:
                shutil.rmtree(path, ignore_errors=True)
                notice(f"removed {path.name}, left by an interrupted export")
    for path in staged:
        with _flock(path, wait=False) as mine:
            if mine:
                shutil.rmtree(path, ignore_errors=True)
                notice(f"removed {path.name}, left by an interrupted export")


@contextmanager
def staging_dir(out: Path) -> Iterator[Path]:
    """A fresh, locked staging directory beside ``out``.

    Removed on any failure; on success the caller has renamed it to ``out``
    with :func:`publish` (inside this block, so the lock is still held).
    """
    parent = out.parent
    parent.mkdir(parents=True, exist_ok=True)
    tmp = parent / f"{TMP_PREFIX}{out.name}-{os.getpid()}-{uuid.uuid4().hex[:TAG_LENGTH]}"
    with _flock(parent, wait=True):
        tmp.mkdir()
        fd = os.open(tmp, os.O_RDONLY | os.O_DIRECTORY)
        fcntl.flock(fd, fcntl.LOCK_EX)  # before the parent lock goes: no clean-up may see it unlocked
    try:
        try:
            yield tmp
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    finally:
        os.close(fd)


def publish(tmp: Path, out: Path, force: bool) -> None:
    """Rename the staged export ``tmp`` to ``out``; a non-empty ``out`` is replaced only with ``force``."""
    parent = out.parent
    pause_point(PAUSE_BEFORE_PUBLISH)
    old = parent / f"{OLD_PREFIX}{out.name}-{os.getpid()}-{uuid.uuid4().hex[:TAG_LENGTH]}"
    with ExitStack() as held:
        with _flock(parent, wait=True):
            check_out_free(out, force)  # again: OUT may have changed while the export was written
            if not (out.is_dir() and any(out.iterdir())):
                os.rename(tmp, out)  # replaces a missing or empty directory atomically
                fsync_path(parent)
                return
            held.enter_context(_flock(out, wait=True))  # the lock follows the directory through its rename
            os.rename(out, old)
            pause_point(PAUSE_BETWEEN_RENAMES)
            os.rename(tmp, out)
            fsync_path(parent)
        shutil.rmtree(old, ignore_errors=True)  # still locked: no clean-up races this deletion
