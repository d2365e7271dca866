"""One writer at a time per data home.

An advisory ``flock`` on ``warehouse/.lock``: the kernel drops it when the
process dies, even by SIGKILL, so a crashed run never leaves a stale lock.

The lock is re-entrant within a process.  ``paperhouse ingest`` takes it
*before* paying for Prefect's start-up (so a second ingest is refused at once),
then runs the flow in the same process, and the flow takes it again.  A flock
belongs to an open file description, so a second ``open`` + ``flock`` by the
same process would wait for itself; instead a nested ``writer_lock`` on a path
this process already holds just enters.  Re-entrance is per process, not per
thread: Prefect may run the flow's body in another thread than the caller's.
A forked child does not inherit the right to enter (the PID is checked).
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class WarehouseBusy(RuntimeError):
    """Another run holds the warehouse lock."""


#: Lock files this process holds: real path -> (holder pid, nesting depth).
_HELD: dict[str, tuple[int, int]] = {}
_HELD_GUARD = threading.Lock()


def _enter_if_held(key: str) -> bool:
    """Count one more nesting level if this process already holds ``key``."""
    with _HELD_GUARD:
        pid, depth = _HELD.get(key, (0, 0))
        if pid != os.getpid() or depth == 0:
            return False
        _HELD[key] = (pid, depth + 1)
        return True


def _leave(key: str) -> None:
    with _HELD_GUARD:
        pid, depth = _HELD.get(key, (0, 0))
        if depth <= 1:
            _HELD.pop(key, None)
        else:
            _HELD[key] = (pid, depth - 1)


def held_by_this_process(path: Path) -> bool:
    """Whether this process holds the lock at ``path`` (for callers that want to assert it)."""
    with _HELD_GUARD:
        pid, depth = _HELD.get(os.path.realpath(path), (0, 0))
    return pid == os.getpid() and depth > 0


@contextmanager
def writer_lock(path: Path, timeout: float = 0.0, poll: float = 0.2) -> Iterator[None]:
    """Hold the lock for the block; wait up to ``timeout`` seconds, then raise WarehouseBusy.

    Inside a block of this process that already holds it, enter at once.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    key = os.path.realpath(path)
    if _enter_if_held(key):
        try:
            yield
        finally:
            _leave(key)
        return
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    deadline = time.monotonic() + timeout
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = os.pread(fd, 64, 0).decode(errors="replace").strip() or "unknown"
                    raise WarehouseBusy(
                        f"another ingest is running on {path.parent} (pid {holder}); "
                        "wait for it or pass --wait SECONDS"
                    ) from None
                time.sleep(poll)
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        with _HELD_GUARD:
            _HELD[key] = (os.getpid(), 1)
        try:
            yield
        finally:
            _leave(key)
    finally:
        os.close(fd)


def ensure_free(path: Path) -> None:
    """Raise WarehouseBusy now if a writer holds the lock (a cheap early check)."""
    with writer_lock(path, timeout=0.0):
        pass
