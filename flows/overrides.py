"""Manual author corrections, kept as versioned data (a CSV in the data home or repo).

Columns: ``action`` (``merge`` or ``split``), ``name_a``, ``name_b``, ``note``.
Names are written forms as they appear in listings; resolution validates that
each one was observed, so a typo fails the run instead of silently doing nothing.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

COLUMNS = ["action", "name_a", "name_b", "note"]


class OverrideFileError(ValueError):
    """The overrides file cannot be read as the expected CSV."""


def load_overrides(path: Path | None) -> pl.DataFrame | None:
    """Read and shape-check an overrides CSV; None when there is no file."""
    if path is None or not path.exists():
        return None
    try:
        frame = pl.read_csv(path, schema_overrides={c: pl.String for c in COLUMNS}, comment_prefix="#")
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise OverrideFileError(f"cannot read overrides {path}: {exc}") from exc
    missing = [c for c in COLUMNS[:3] if c not in frame.columns]
    if missing:
        raise OverrideFileError(f"overrides {path} lacks column(s) {', '.join(missing)}")
    frame = frame.with_columns(pl.col(c).str.strip_chars() for c in COLUMNS[:3])
    if frame.select(pl.any_horizontal(pl.col(COLUMNS[:3]).is_null() | (pl.col(COLUMNS[:3]) == "")).any()).item():
        raise OverrideFileError(f"overrides {path}: every row needs action, name_a and name_b")
    return frame.with_columns(pl.col("action").str.to_lowercase())
