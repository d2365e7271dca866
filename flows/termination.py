"""SIGTERM ends a command the way Ctrl-C does: by an exception in the main thread.

Python turns SIGINT into KeyboardInterrupt but leaves SIGTERM to kill the
process outright, which skips every ``finally``: the temporary Prefect server
is then never stopped and Prefect never learns the run ended.  Raising
instead lets the same clean-up paths run for both signals, and the CLI ends
with one line and the shell's conventional codes (128 + signal number).
Prefect replaces the handler with its own while a flow runs (raising its
``TerminationSignal``); both are treated alike.
"""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

EXIT_SIGINT = 128 + signal.SIGINT  # 130
EXIT_SIGTERM = 128 + signal.SIGTERM  # 143


class Terminated(BaseException):
    """SIGTERM arrived.  A BaseException, like KeyboardInterrupt, so that
    ``except Exception`` in library code cannot swallow it."""


def _raise_terminated(signum: int, frame: FrameType | None) -> None:
    raise Terminated(signum)


@contextmanager
def sigterm_raises() -> Iterator[None]:
    """Within the block, SIGTERM raises :class:`Terminated` in the main thread
    (elsewhere -- e.g. a test runner's worker thread -- the block runs unchanged)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def is_termination(exc: BaseException) -> bool:
    """Our Terminated, or Prefect's TerminationSignal (raised by its handler during a flow run)."""
    if isinstance(exc, Terminated):
        return True
    if "prefect.exceptions" not in sys.modules:  # Prefect never loaded: it cannot have raised
        return False
    from prefect.exceptions import TerminationSignal

    return isinstance(exc, TerminationSignal) and exc.signal == signal.SIGTERM
