"""Manual title/author split corrections, kept as versioned data (``overrides/splits.csv``).

Columns: ``title_line`` (the title-and-authors line exactly as a listing shows it),
``title`` (the correct title: the start of that line), ``authors`` (optional: the
correct author list, ``", "``-separated; by default the rest of the line) and
``note``.  The split step (:func:`transforms.split.choose_splits`) checks every row
against the parsed records: a title line never observed, or a title that does not
start its line, fails the run with a one-line error instead of silently doing nothing.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from flows.overrides import OverrideFileError

COLUMNS = ["title_line", "title", "authors", "note"]
REQUIRED = COLUMNS[:2]


def load_split_overrides(path: Path | None) -> pl.DataFrame | None:
    """Read and shape-check a split overrides CSV; None when there is no file (or no rows)."""
    if path is None or not path.exists():
        return None
    try:
        frame = pl.read_csv(path, schema_overrides={c: pl.String for c in COLUMNS}, comment_prefix="#")
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise OverrideFileError(f"cannot read split overrides {path}: {exc}") from exc
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        raise OverrideFileError(f"split overrides {path} lacks column(s) {', '.join(missing)}")
    if "authors" not in frame.columns:
        frame = frame.with_columns(authors=pl.lit(None, dtype=pl.String))
    if frame.select(pl.any_horizontal(pl.col(REQUIRED).is_null() | (pl.col(REQUIRED).str.strip_chars() == "")).any()).item():
        raise OverrideFileError(f"split overrides {path}: every row needs title_line and title")
    return frame.select("title_line", "title", "authors") if frame.height else None
