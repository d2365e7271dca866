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


def read_override_csv(path: Path | None, columns: list[str], required: list[str], what: str) -> pl.DataFrame | None:
    """An override CSV (``#`` comments, every column a string), with its required columns
    present and filled in every row; None when there is no file.  One-line errors name
    ``what`` and the file."""
    if path is None or not path.exists():
        return None
    try:
        frame = pl.read_csv(path, schema_overrides={c: pl.String for c in columns}, comment_prefix="#")
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise OverrideFileError(f"cannot read {what} {path}: {exc}") from exc
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise OverrideFileError(f"{what} {path} lacks column(s) {', '.join(missing)}")
    blank = pl.any_horizontal(pl.col(required).is_null() | (pl.col(required).str.strip_chars() == ""))
    if frame.select(blank.any()).item():
        raise OverrideFileError(f"{what} {path}: every row needs {', '.join(required[:-1])} and {required[-1]}")
    return frame


def load_overrides(path: Path | None) -> pl.DataFrame | None:
    """Read and shape-check an overrides CSV; None when there is no file."""
    frame = read_override_csv(path, COLUMNS, COLUMNS[:3], "overrides")
    if frame is None:
        return None
    frame = frame.with_columns(pl.col(c).str.strip_chars() for c in COLUMNS[:3])
    return frame.with_columns(pl.col("action").str.to_lowercase())
