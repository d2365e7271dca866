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

from flows.overrides import read_override_csv

COLUMNS = ["title_line", "title", "authors", "note"]
REQUIRED = COLUMNS[:2]


def load_split_overrides(path: Path | None) -> pl.DataFrame | None:
    """Read and shape-check a split overrides CSV; None when there is no file (or no rows)."""
    frame = read_override_csv(path, COLUMNS, REQUIRED, "split overrides")
    if frame is None:
        return None
    if "authors" not in frame.columns:
        frame = frame.with_columns(authors=pl.lit(None, dtype=pl.String))
    return frame.select("title_line", "title", "authors") if frame.height else None
