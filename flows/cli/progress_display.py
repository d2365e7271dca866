"""The terminal's view of a long ingest: one rich progress line per stage.

Installed by ``paperhouse ingest`` as the process's progress reporter
(flows/progress.py); the flow advances it with bytes and records done, and the
line shows them with their rates and, where the stage knows its total, the
ETA.  Drawn on stderr, so the summary on stdout stays clean for pipes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

_MB = 1e6


@dataclass
class _Stage:
    progress: Progress
    task: TaskID
    has_total: bool
    n_bytes: int = 0
    records: int = 0
    started: float = field(default_factory=time.monotonic)

    def advance(self, n_bytes: int = 0, n_entries: int = 0, n_rejects: int = 0) -> None:
        self.n_bytes += n_bytes
        self.records += n_entries + n_rejects
        elapsed = max(time.monotonic() - self.started, 1e-6)
        done = []
        if self.n_bytes:
            done.append(f"{self.n_bytes / _MB:,.1f} MB ({self.n_bytes / _MB / elapsed:,.1f} MB/s)")
        if self.records:
            done.append(f"{self.records:,} records ({self.records / elapsed:,.0f}/s)")
        self.progress.update(self.task, advance=n_bytes if self.has_total else 0, done="  ".join(done))


class RichReporter:
    """Implements :class:`flows.progress.Reporter` with a rich progress display."""

    def __init__(self, console: Console) -> None:
        self.progress = Progress(
            SpinnerColumn(finished_text="[green]✓"),
            TextColumn("[bold]{task.description:<10}"),
            BarColumn(bar_width=24),
            TextColumn("{task.fields[done]}"),
            TimeRemainingColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        )

    def __enter__(self) -> "RichReporter":
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()

    def start(self, name: str, total_bytes: int | None) -> _Stage:
        task = self.progress.add_task(name, total=total_bytes, done="")
        return _Stage(self.progress, task, has_total=total_bytes is not None)

    def finish(self, stage: _Stage) -> None:  # type: ignore[override]
        self.progress.update(stage.task, total=1, completed=1)
        self.progress.stop_task(stage.task)
