"""Check a snapshot's files against its manifest before a BI surface reads them.

A snapshot is immutable once published, and ``_snapshot.json`` records the
size and sha256 of every table file.  If a file no longer matches (a forged
table written through a hole in the SQL lockdown, a bit flip, a hand edit),
an export would ship it to BI tools and a report would chart it, with nothing
to tell the user.  So ``export`` and ``report`` call
:func:`check_snapshot_files` first and refuse in one line.

This is the one place that decides what "intact" means for bi/.  The
warehouse is getting its own checker (``warehouse.verify.verify_snapshot``);
when it lands, the body of :func:`check_snapshot_files` becomes a call to it
and nothing else in bi/ changes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb

from warehouse.fileio import sha256_file
from warehouse.layout import Layout
from warehouse.query import open_readonly
from warehouse.snapshots import MANIFEST

#: Table files a snapshot directory holds; each must be listed in the manifest.
TABLE_SUFFIX = ".parquet"
#: The catalog's one-row table naming the snapshot its views read.
SNAPSHOT_TABLE = "paperhouse_snapshot"


class SnapshotDamaged(ValueError):
    """A snapshot's files do not match its manifest: nothing may be read from it."""


def _manifest_tables(snapshot_dir: Path) -> tuple[dict[str, Any] | None, list[str]]:
    """The manifest's ``tables`` entry, or the problem that stops us reading it."""
    path = snapshot_dir / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None, [f"{path.name} is missing"]
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        return None, [f"{path.name} cannot be read: {exc}"]
    tables = manifest.get("tables") if isinstance(manifest, dict) else None
    if not isinstance(tables, dict) or not tables:
        return None, [f"{path.name} lists no tables"]
    return tables, []


def _check_entry(snapshot_dir: Path, name: str, entry: Any) -> list[str]:
    if not isinstance(entry, dict) or not isinstance(entry.get("file"), str):
        return [f"table {name}: manifest entry has no file name"]
    file_name = entry["file"]
    if "/" in file_name or "\\" in file_name or file_name.startswith("."):
        return [f"table {name}: manifest names a file outside the snapshot ({file_name!r})"]
    path = snapshot_dir / file_name
    if not path.is_file():
        return [f"{file_name} is missing"]
    size = path.stat().st_size
    if size != entry.get("bytes"):
        return [f"{file_name} has {size} bytes, the manifest says {entry.get('bytes')}"]
    if sha256_file(path) != entry.get("sha256"):
        return [f"{file_name} does not match its sha256 in {MANIFEST}"]
    return []


def check_snapshot_files(layout: Layout, run_id: str) -> list[str]:
    """Every problem with snapshot ``run_id``'s files, as one-line texts; ``[]`` when intact.

    Checks each table file's size and sha256 against ``_snapshot.json``, and
    that no Parquet file sits in the snapshot without a manifest entry (the
    views read files by name, so an unlisted one would be read unchecked).
    Cost: one sequential read of the snapshot's Parquet files.
    """
    snapshot_dir = layout.snapshot(run_id)
    tables, problems = _manifest_tables(snapshot_dir)
    if tables is None:
        return problems
    for name, entry in tables.items():
        problems += _check_entry(snapshot_dir, name, entry)
    listed = {entry.get("file") for entry in tables.values() if isinstance(entry, dict)}
    for path in sorted(snapshot_dir.glob(f"*{TABLE_SUFFIX}")):
        if path.name not in listed:
            problems.append(f"{path.name} is not listed in {MANIFEST}")
    return problems


def require_intact(layout: Layout, run_id: str) -> None:
    """Raise :class:`SnapshotDamaged` (one line, naming the first problem) unless intact."""
    problems = check_snapshot_files(layout, run_id)
    if problems:
        more = f" (and {len(problems) - 1} more problem(s))" if len(problems) > 1 else ""
        raise SnapshotDamaged(
            f"snapshot {run_id} fails its manifest check: {problems[0]}{more}; refusing to read it"
        )


def open_checked(layout: Layout, snapshot: str | None = None) -> tuple[duckdb.DuckDBPyConnection, str, Path]:
    """The analysts' locked-down connection, once the snapshot it reads has passed its manifest check.

    Returns the connection, the run id and the snapshot directory its views
    read.  The run id comes from the connection itself, so a ``current``
    switched by a concurrent run cannot make us check one snapshot and read
    another.  A catalog whose views read a directory other than the one the
    layout locates (a home moved or copied with a stale catalog) is refused
    too: its files would not be the ones checked.
    """
    con = open_readonly(layout, snapshot)
    try:
        ((run_id, table_dir, *_),) = con.table(SNAPSHOT_TABLE).fetchall()
        expected = layout.snapshot(run_id).resolve()
        if Path(table_dir).resolve() != expected:
            raise SnapshotDamaged(
                f"the catalog of snapshot {run_id} reads {table_dir}, not {expected}; refusing to read it"
            )
        require_intact(layout, run_id)
    except BaseException:
        con.close()
        raise
    return con, run_id, expected
