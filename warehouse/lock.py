"""One writer at a time per data home.

An advisory ``flock`` on ``warehouse/.lock``: the kernel drops it when the
process dies, even by SIGKILL, so a crashed run never leaves a stale lock.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def pid_alive(pid: int) -> bool:
    """Whether process ``pid`` exists (signal 0 tests without signalling).

    Not ours to signal (EPERM) still means alive.  Pids of 0 and below name
    process groups, not a process, so they are never alive.
    """
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class WarehouseBusy(RuntimeError):
    """Another run holds the warehouse lock."""


@contextmanager
def writer_lock(path: Path, timeout: float = 0.0, poll: float = 0.2) -> Iterator[None]:
    """Hold the lock for the block; wait up to ``timeout`` seconds, then raise WarehouseBusy."""
    path.parent.mkdir(parents=True, exist_ok=True)
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
        yield
    finally:
        os.close(fd)


def ensure_free(path: Path) -> None:
    """Raise WarehouseBusy now if a writer holds the lock (a cheap early check)."""
    with writer_lock(path, timeout=0.0):
        pass
