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

import duckdb

from warehouse.layout import Layout
from warehouse.query import open_readonly
from warehouse.snapshots import MANIFEST
from warehouse.verify import verify_snapshot

#: Table files a snapshot directory holds; each must be listed in the manifest.
TABLE_SUFFIX = ".parquet"
#: The catalog's one-row table naming the snapshot its views read.
SNAPSHOT_TABLE = "paperhouse_snapshot"


class SnapshotDamaged(ValueError):
    """A snapshot's files do not match its manifest: nothing may be read from it."""


def check_snapshot_files(layout: Layout, run_id: str) -> list[str]:
    """Every problem with snapshot ``run_id``'s files, as one-line texts; ``[]`` when intact.

    The deep check of ``warehouse.verify`` (sizes, footers, row counts, sha256,
    no unlisted table file): one sequential read of the snapshot's Parquet files.
    """
    return [str(problem) for problem in verify_snapshot(layout, run_id, deep=True)]


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
