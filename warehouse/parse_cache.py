"""Parsed records per source, kept between runs so only changed sources are parsed.

Keyed by the source's content hash, its capture date (which decides yearless
dates) and the pipeline's code fingerprint, so a cached parse is exactly what
parsing the bytes again would give.  Entries hold no location: the same
bytes at another path reuse the parse and get the new path on load.
Written by temp file + rename, so a crash never leaves a truncated cache file.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import polars as pl

from warehouse.layout import Layout


def _base(layout: Layout, code_fingerprint: str, sha256: str, captured_on: str) -> Path:
    return layout.cache / code_fingerprint / f"{sha256}_{captured_on}"


def load(
    layout: Layout, code_fingerprint: str, sha256: str, captured_on: str, source_file: str,
    without: list[str] | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame] | None:
    """The cached (entries, rejects) of a source, entries without the ``without`` columns."""
    base = _base(layout, code_fingerprint, sha256, captured_on)
    entries, rejects = Path(f"{base}.entries.parquet"), Path(f"{base}.rejects.parquet")
    if not (entries.exists() and rejects.exists()):
        return None
    located = pl.lit(source_file).alias("source_file")
    columns = [c for c in pl.read_parquet_schema(entries) if c not in (without or [])]
    return (
        pl.read_parquet(entries, columns=columns).with_columns(located),
        pl.read_parquet(rejects).with_columns(located),
    )


def scan_abstracts(layout: Layout, code_fingerprint: str, sources: list) -> pl.LazyFrame:
    """``source_file, source_line, abstract`` of every cached entry of ``sources``, lazily.

    ``sources`` are SourceState-like (source_file, sha256, captured_on); each cache
    file is read only when the query runs, and only these three columns of it.
    """
    frames = []
    for state in sources:
        path = Path(f"{_base(layout, code_fingerprint, state.sha256, state.captured_on.isoformat())}.entries.parquet")
        frames.append(
            pl.scan_parquet(path).select(
                pl.lit(state.source_file).alias("source_file"), "source_line", "abstract"
            )
        )
    if not frames:
        return pl.LazyFrame(schema={"source_file": pl.String, "source_line": pl.Int64, "abstract": pl.String})
    return pl.concat(frames, how="vertical_relaxed")


def store(
    layout: Layout, code_fingerprint: str, sha256: str, captured_on: str,
    entries: pl.DataFrame, rejects: pl.DataFrame,
) -> None:
    base = _base(layout, code_fingerprint, sha256, captured_on)
    base.parent.mkdir(parents=True, exist_ok=True)
    for frame, suffix in ((rejects, "rejects"), (entries, "entries")):  # entries last: it marks completeness
        target = Path(f"{base}.{suffix}.parquet")
        tmp = target.with_name(f".{target.name}.{os.getpid()}")
        frame.write_parquet(tmp, compression="zstd")
        os.replace(tmp, target)


def prune(layout: Layout, keep_fingerprints: set[str], keep_keys: set[str]) -> int:
    """Remove cache files no kept snapshot can use; returns the number removed."""
    if not layout.cache.exists():
        return 0
    removed = 0
    for fp_dir in layout.cache.iterdir():
        if fp_dir.name not in keep_fingerprints:
            shutil.rmtree(fp_dir, ignore_errors=True)
            removed += 1
            continue
        for path in fp_dir.iterdir():
            if path.name.split(".", 1)[0] not in keep_keys:
                path.unlink(missing_ok=True)
                removed += 1
    return removed
