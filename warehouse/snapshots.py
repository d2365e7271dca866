"""Immutable snapshots and the atomic ``current`` pointer.

A run writes every table into a hidden temporary directory, fsyncs it, and
renames it to ``snapshots/<run_id>``; it then builds the snapshot's own DuckDB
catalog inside it (views need the final paths to exist) and writes the
manifest last -- a snapshot without ``_snapshot.json`` is incomplete and is
never used.  Only then is ``current`` re-pointed, by renaming a fresh symlink
over the old one.  ``warehouse/paperhouse.duckdb`` is a symlink through
``current``, so that one rename switches data and catalog together: a
reader, or a crash at any instant, sees the old complete snapshot or the new
complete one, never a mix or a partial file.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import polars as pl

from warehouse.catalog import build_catalog, ensure_catalog, make_read_only
from warehouse.faults import pause_point
from warehouse.fileio import fsync_path
from warehouse.layout import Layout
from warehouse.schema import TABLE_SCHEMAS
from warehouse.tables_io import WrittenFile, write_frames

MANIFEST = "_snapshot.json"
CATALOG = "paperhouse.duckdb"
TMP_PREFIX = ".tmp-"


@dataclass(frozen=True)
class Snapshot:
    run_id: str
    path: Path
    manifest: dict[str, Any]






#: A table to write: a frame, or a stream of frames in the table's row order.
TableData = pl.DataFrame | Iterable[pl.DataFrame]


def write_table(frame: TableData, name: str, path: Path) -> WrittenFile:
    """Write one table with its published schema (a drifted column fails here)."""
    return write_frames(path, TABLE_SCHEMAS[name], [frame] if isinstance(frame, pl.DataFrame) else frame)


#: Tables written at once.  The papers table (the abstracts: most of the bytes)
#: takes about as long as all the others together, and pyarrow compresses
#: without the GIL, so two writers keep both cores busy.
TABLE_WRITERS = 2


def _write_tables(tables: dict[str, TableData], directory: Path) -> Iterator[tuple[str, WrittenFile]]:
    """Write every table into ``directory``, yielding each as it completes, in
    TABLE_SCHEMAS order.  The table builders only read the finished model and
    the parse cache, so they can run side by side.  On any failure the tables
    not yet started are cancelled and the ones running are waited for, so no
    thread writes into a directory that is being removed."""
    pool = ThreadPoolExecutor(max_workers=TABLE_WRITERS, thread_name_prefix="table-writer")
    try:
        futures = [
            (name, pool.submit(write_table, tables[name], name, directory / f"{name}.parquet"))
            for name in TABLE_SCHEMAS
        ]
        for name, future in futures:
            yield name, future.result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def write_snapshot(
    layout: Layout, run_id: str, tables: dict[str, TableData], metadata: dict[str, Any]
) -> Snapshot:
    """Write ``tables`` as snapshot ``run_id``; an existing complete one is reused as is."""
    final = layout.snapshot(run_id)
    if (final / MANIFEST).exists():
        return read_snapshot(final)
    if final.exists():  # left incomplete by a crash: never used, safe to redo
        shutil.rmtree(final)
    layout.snapshots.mkdir(parents=True, exist_ok=True)
    tmp = layout.snapshots / f"{TMP_PREFIX}{run_id}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    try:
        files = {}
        for name, written in _write_tables(tables, tmp):
            pause_point("during-table-write")
            files[name] = {"file": f"{name}.parquet", "rows": written.rows, "bytes": written.bytes,
                           "sha256": written.sha256}
        fsync_path(tmp)
        os.rename(tmp, final)
        fsync_path(layout.snapshots)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    build_catalog(final / CATALOG, final, run_id)
    manifest = {
        "run_id": run_id,
        "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "tables": files,
        **metadata,
    }
    staged = final / f".{MANIFEST}.tmp"
    staged.write_text(json.dumps(manifest, indent=2, sort_keys=True, default=str))
    fsync_path(staged)
    os.replace(staged, final / MANIFEST)  # the commit point of the snapshot
    fsync_path(final)
    # --- read path (readpath helper): published files are never rewritten in place; root ignores this
    for published in (*(final / f["file"] for f in files.values()), final / CATALOG, final / MANIFEST):
        make_read_only(published)
    # --- end read path
    return read_snapshot(final)


def switch_current(layout: Layout, run_id: str) -> bool:
    """Point ``current`` at ``run_id`` atomically; False if it already did."""
    if not (layout.snapshot(run_id) / MANIFEST).exists():
        raise FileNotFoundError(f"snapshot {run_id} is not complete; refusing to point current at it")
    # --- read path (readpath helper): a catalog file built before the home was moved or copied
    # (or missing, unreadable) is rebuilt from sql/; ~20 ms when it is fine
    ensure_catalog(layout.snapshot(run_id), run_id, thorough=False)
    # --- end read path
    if layout.current_run_id() == run_id:
        return False
    link = layout.warehouse / f".current-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    os.symlink(Path("snapshots") / run_id, link)  # relative: the home can be moved
    os.replace(link, layout.current)
    fsync_path(layout.warehouse)
    return True


def read_snapshot(path: Path) -> Snapshot:
    manifest = json.loads((path / MANIFEST).read_text())
    return Snapshot(run_id=manifest["run_id"], path=path, manifest=manifest)


def list_snapshots(layout: Layout) -> list[Snapshot]:
    """Complete snapshots, oldest first."""
    if not layout.snapshots.exists():
        return []
    found = [
        read_snapshot(p)
        for p in layout.snapshots.iterdir()
        if not p.name.startswith(".") and (p / MANIFEST).exists()
    ]
    return sorted(found, key=lambda s: (s.manifest["created_at"], s.run_id))


def remove_stale_temporaries(layout: Layout) -> list[Path]:
    """Delete half-written snapshot dirs and pointer links left by crashed runs.

    Call only while holding the writer lock: then no live run owns them.
    """
    removed: list[Path] = []
    for parent, prefix in ((layout.snapshots, TMP_PREFIX), (layout.warehouse, ".current-"), (layout.warehouse, ".catalog-")):
        if not parent.exists():
            continue
        for path in parent.iterdir():
            if path.name.startswith(prefix):
                if path.is_dir() and not path.is_symlink():
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    path.unlink(missing_ok=True)
                removed.append(path)
    if layout.snapshots.exists():
        for path in layout.snapshots.iterdir():
            if path.is_dir() and not path.name.startswith(".") and not (path / MANIFEST).exists():
                shutil.rmtree(path, ignore_errors=True)  # renamed into place, then the run died
                removed.append(path)
    return removed


def link_catalog(layout: Layout) -> None:
    """Make ``warehouse/paperhouse.duckdb`` a symlink through ``current`` (once)."""
    target = Path("current") / CATALOG
    if layout.catalog.is_symlink() and Path(os.readlink(layout.catalog)) == target:
        return
    link = layout.warehouse / f".catalog-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    os.symlink(target, link)
    os.replace(link, layout.catalog)


def diff_ids(layout: Layout, previous: str | None, current: str, table: str, column: str) -> tuple[int, int]:
    """(added, removed) distinct ``column`` values of ``table`` from snapshot ``previous`` to ``current``."""
    now = pl.scan_parquet(layout.snapshot(current) / f"{table}.parquet").select(column)
    if previous is None or previous == current or not (layout.snapshot(previous) / f"{table}.parquet").exists():
        return (now.select(pl.len()).collect().item() if previous != current else 0), 0
    before = pl.scan_parquet(layout.snapshot(previous) / f"{table}.parquet").select(column)
    added, removed = pl.collect_all([
        now.join(before, on=column, how="anti").select(pl.len()),
        before.join(now, on=column, how="anti").select(pl.len()),
    ])
    return added.item(), removed.item()
