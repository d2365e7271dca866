"""Where things live under a data home.

Every path is derived from the absolute home, never from the working
directory, so views and pointers keep working wherever DuckDB is opened.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

HOME_ENV = "PAPERHOUSE_HOME"


@dataclass(frozen=True)
class Layout:
    home: Path

    @classmethod
    def at(cls, home: str | os.PathLike[str] | None = None) -> "Layout":
        """The layout for ``home``, else ``$PAPERHOUSE_HOME``, else ``./data`` (made absolute)."""
        chosen = home if home is not None else os.environ.get(HOME_ENV) or "data"
        return cls(Path(chosen).expanduser().resolve())

    @property
    def inbox(self) -> Path:
        return self.home / "inbox"

    @property
    def warehouse(self) -> Path:
        return self.home / "warehouse"

    @property
    def snapshots(self) -> Path:
        return self.warehouse / "snapshots"

    @property
    def current(self) -> Path:
        return self.warehouse / "current"

    @property
    def catalog(self) -> Path:
        return self.warehouse / "paperhouse.duckdb"

    @property
    def cache(self) -> Path:
        """Parsed records per source, reused by incremental runs."""
        return self.warehouse / "cache"

    @property
    def downloads(self) -> Path:
        """Bytes fetched from URL sources, content-addressed."""
        return self.home / "downloads"

    @property
    def lock(self) -> Path:
        return self.warehouse / ".lock"

    @property
    def split_overrides(self) -> Path:
        """Default manual title/author split corrections (optional)."""
        return self.home / "overrides" / "splits.csv"

    @property
    def overrides(self) -> Path:
        """Default manual author corrections (optional)."""
        return self.home / "overrides" / "authors.csv"

    @property
    def prefect_home(self) -> Path:
        return self.home / "prefect"

    def snapshot(self, run_id: str) -> Path:
        return self.snapshots / run_id

    def current_run_id(self) -> str | None:
        """The run id ``current`` points at, or None before the first publish."""
        try:
            return Path(os.readlink(self.current)).name
        except (FileNotFoundError, OSError):
            return None
