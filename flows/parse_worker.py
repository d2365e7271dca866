"""Worker processes that parse batches, one core each.

Threads in one process share the GIL, and the parser's many small Polars calls
hold it long enough that two parse threads barely beat one; separate
processes do not share it.  Each worker is pinned to one Polars thread (two
processes each spreading over both cores would only fight), and asks the
kernel to kill it when the process that started it dies, so no worker
outlives its run, not even after a SIGKILL.

This module imports nothing heavy at the top: a worker's environment must be
set before Polars is first imported in it.
"""

from __future__ import annotations

import ctypes
import os
import signal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flows.parsing import Batch
    from transforms.parse import ParsedChunk

#: linux/prctl.h
_PR_SET_PDEATHSIG = 1


def start(parent: int) -> None:
    """Process-pool initializer: one Polars thread, and die with the parent."""
    os.environ["POLARS_MAX_THREADS"] = "1"
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: the pool still stops the worker at the end
        pass
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


def parse(batch: "Batch") -> "ParsedChunk":
    from flows.parsing import parse_batch

    return parse_batch(batch)
