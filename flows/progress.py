"""Progress of long stages, for whoever is watching.

The flow reports what it does per stage (planning, parsing, resolving,
writing) to the reporter installed for the process: the CLI installs one that
draws a rich progress display on the terminal; without one, nothing is drawn
(scheduled runs log their per-stage times instead).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol


class Stage(Protocol):
    def advance(self, n_bytes: int = 0, n_entries: int = 0, n_rejects: int = 0) -> None: ...


class Reporter(Protocol):
    def start(self, name: str, total_bytes: int | None) -> Stage: ...

    def finish(self, stage: Stage) -> None: ...


class _Silent:
    def advance(self, n_bytes: int = 0, n_entries: int = 0, n_rejects: int = 0) -> None:
        return None


_reporter: Reporter | None = None


def install(reporter: Reporter | None) -> None:
    """Install (or with None, remove) the process's progress reporter."""
    global _reporter
    _reporter = reporter


@contextmanager
def stage(name: str, total_bytes: int | None = None) -> Iterator[Stage]:
    """A stage of the run; ``advance`` it as work is done."""
    if _reporter is None:
        yield _Silent()
        return
    current = _reporter.start(name, total_bytes)
    try:
        yield current
    finally:
        _reporter.finish(current)
