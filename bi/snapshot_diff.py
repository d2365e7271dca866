"""What changed since the previous snapshot: papers, authors and rejects added or removed.

The two snapshots' Parquet files are compared by id in one in-memory DuckDB
connection that may read exactly those two directories (external access off,
configuration frozen), so the comparison goes through the same kind of
locked-down path as analyst SQL.  The queries are ``sql/report/`` files that
take the directories as bound parameters: no SQL is built from a path.

"Previous" is the complete snapshot created just before the one reported on
(``warehouse.snapshots.list_snapshots`` order), which is what a reader of the
report means by "since last time", also for a report on an older snapshot.
``created_at`` has one-second resolution and ``list_snapshots`` breaks ties
by run id (a hash), so two runs published within one second would be
compared the wrong way round; :func:`snapshots_oldest_first` breaks such ties
by when each manifest (the snapshot's commit point) was written.
Its files pass the same manifest check as the reported snapshot's; if they
do not, the section says so in one line rather than comparing with them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from bi.integrity import check_snapshot_files
from bi.report_sql import report_sql
from warehouse.layout import Layout
from warehouse.snapshots import MANIFEST, Snapshot, list_snapshots

#: Examples listed per entity and kind of change (the counts are always complete).
EXAMPLES_PER_KIND = 10


@dataclass(frozen=True)
class SnapshotChanges:
    """The comparison with the previous snapshot, or why there is none (``problem``)."""

    previous: str | None = None
    previous_created_at: str | None = None
    counts: list[dict[str, Any]] = field(default_factory=list)
    examples: list[dict[str, Any]] = field(default_factory=list)
    problem: str | None = None

    @property
    def unchanged(self) -> bool:
        return all(not row["n_added"] and not row["n_removed"] for row in self.counts)


def _pair_connection(directories: list[Path]) -> duckdb.DuckDBPyConnection:
    """In-memory DuckDB that may read ``directories`` and nothing else, settings frozen."""
    con = duckdb.connect(":memory:")
    con.execute("SET autoinstall_known_extensions = false")
    con.execute("SET autoload_known_extensions = false")
    con.execute("SET allowed_directories = ?", [[f"{d}/" for d in directories]])
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")
    return con


def _records(con: duckdb.DuckDBPyConnection, name: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    relation = con.execute(report_sql(name), params)
    columns = [d[0] for d in relation.description]
    return [dict(zip(columns, row)) for row in relation.fetchall()]


def snapshots_oldest_first(layout: Layout) -> list[Snapshot]:
    """Complete snapshots by creation, ties within ``created_at``'s second broken by manifest write time."""
    def commit_time(snapshot: Snapshot) -> int:
        try:
            return (snapshot.path / MANIFEST).stat().st_mtime_ns
        except OSError:
            return 0

    return sorted(list_snapshots(layout), key=lambda s: (s.manifest["created_at"], commit_time(s), s.run_id))


def changes_since_previous(layout: Layout, run_id: str) -> SnapshotChanges:
    """Compare snapshot ``run_id`` with the complete snapshot created before it."""
    try:
        snapshots = snapshots_oldest_first(layout)
    except (OSError, ValueError, KeyError) as exc:  # a snapshot whose manifest is unreadable or malformed
        return SnapshotChanges(previous="?", problem=f"the snapshots cannot be listed ({exc})")
    ids = [s.run_id for s in snapshots]
    if run_id not in ids or ids.index(run_id) == 0:
        return SnapshotChanges()
    previous = snapshots[ids.index(run_id) - 1]
    base = SnapshotChanges(previous=previous.run_id, previous_created_at=previous.manifest.get("created_at"))
    problems = check_snapshot_files(layout, previous.run_id)
    if problems:
        return SnapshotChanges(base.previous, base.previous_created_at,
                               problem=f"its files fail the manifest check ({problems[0]})")
    current_dir = layout.snapshot(run_id).resolve()
    previous_dir = previous.path.resolve()
    params = {"previous_dir": str(previous_dir), "current_dir": str(current_dir)}
    con = _pair_connection([previous_dir, current_dir])
    try:
        counts = _records(con, "changes_since_previous", params)
        examples = _records(con, "changed_items", {**params, "per_kind": EXAMPLES_PER_KIND})
    except duckdb.Error as exc:  # e.g. a snapshot written by a paperhouse with other columns
        first_line = str(exc).strip().splitlines()[0]
        return SnapshotChanges(base.previous, base.previous_created_at,
                               problem=f"they cannot be compared ({first_line})")
    finally:
        con.close()
    return SnapshotChanges(base.previous, base.previous_created_at, counts=counts, examples=examples)
