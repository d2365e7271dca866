"""Named pause points for crash and concurrency tests.

Crash safety is only believable if a real process is killed at the worst
moments.  ``pause_point(name)`` does nothing unless ``PAPERHOUSE_PAUSE_AT``
names it; then it creates ``$PAPERHOUSE_PAUSE_FILE.paused`` and waits until
``$PAPERHOUSE_PAUSE_FILE.release`` exists, so a test can SIGKILL the process
exactly there, or let it go on.  Cost when unused: one environment lookup.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

PAUSE_AT_ENV = "PAPERHOUSE_PAUSE_AT"
PAUSE_FILE_ENV = "PAPERHOUSE_PAUSE_FILE"

#: The points, in the order a run passes them.
POINTS = ("after-lock", "during-parse", "during-table-write", "before-switch", "after-switch")


def pause_point(name: str) -> None:
    if os.environ.get(PAUSE_AT_ENV) != name:
        return
    base = Path(os.environ[PAUSE_FILE_ENV])
    Path(f"{base}.paused").write_text(str(os.getpid()))
    release = Path(f"{base}.release")
    while not release.exists():
        time.sleep(0.05)
