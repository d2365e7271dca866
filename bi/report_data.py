"""The numbers behind the HTML report, read through the analysts' read-only path.

Every query is a file in ``sql/report/`` run by ``warehouse.query.run_query``
on a locked-down, read-only connection (``open_readonly``), exactly like
``paperhouse sql``, once the snapshot's files have passed their manifest
check (``bi.integrity.open_checked``).  The snapshot's own
``_snapshot.json`` supplies the author-resolution quality summary and the
table row counts; ``bi.snapshot_diff`` the comparison with the previous
snapshot.

Some sections depend on views that not every snapshot has (a view added by a
later paperhouse is missing from an older snapshot's catalog).  Those are
looked up in the catalog first and loaded into a :class:`ViewTable` that says
whether the view was there and, if reading it failed, why: the report then
shows one line instead of failing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from bi.integrity import open_checked
from bi.report_sql import report_sql
from bi.snapshot_diff import SnapshotChanges, changes_since_previous
from warehouse.layout import Layout
from warehouse.query import run_query
from warehouse.snapshots import MANIFEST

#: The report's queries over one snapshot, one file each in ``sql/report/``.
REPORT_QUERIES = (
    "publications_per_topic_year",
    "topic_trends",
    "code_release_rate",
    "code_release_rate_overall",
    "publications_per_affiliation_year",
    "top_authors",
    "top_coauthor_pairs",
    "rejects_by_reason",
    "low_confidence_merges",
    "merges_by_rule",
)
#: The view of low-confidence title/author splits (present in snapshots from paperhouse versions that have it).
SPLITS_VIEW = "low_confidence_splits"


@dataclass(frozen=True)
class ViewTable:
    """Rows of an optional view: ``present`` is False when the catalog lacks it, ``error`` when reading failed."""

    name: str
    present: bool
    columns: list[str] = field(default_factory=list)
    rows: list[list[Any]] = field(default_factory=list)
    total: int = 0
    error: str | None = None


@dataclass(frozen=True)
class ReportData:
    run_id: str
    table_dir: Path
    manifest: dict[str, Any]
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    splits: ViewTable = field(default_factory=lambda: ViewTable(SPLITS_VIEW, present=False))
    changes: SnapshotChanges = field(default_factory=SnapshotChanges)


def _plain(value: Any) -> Any:
    """JSON-friendly scalars (the charts embed these values)."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def _records(con: duckdb.DuckDBPyConnection, name: str) -> list[dict[str, Any]]:
    result = run_query(con, report_sql(name))
    return [{c: _plain(v) for c, v in zip(result.columns, row)} for row in result.rows]


def _splits(con: duckdb.DuckDBPyConnection) -> ViewTable:
    """The low-confidence splits view if this snapshot's catalog has it; never fails the report."""
    views = {r["view_name"] for r in _records(con, "catalog_views")}
    if SPLITS_VIEW not in views:
        return ViewTable(SPLITS_VIEW, present=False)
    try:
        result = run_query(con, report_sql("low_confidence_splits"))
        ((total,),) = run_query(con, report_sql("low_confidence_splits_count")).rows
    except duckdb.Error as exc:
        return ViewTable(SPLITS_VIEW, present=True, error=str(exc).strip().splitlines()[0])
    rows = [[_plain(v) for v in row] for row in result.rows]
    return ViewTable(SPLITS_VIEW, present=True, columns=result.columns, rows=rows, total=int(total))


def load_report_data(layout: Layout, snapshot: str | None = None) -> ReportData:
    """Run every report query on the current snapshot (or ``snapshot``), after checking its files."""
    con, run_id, table_dir = open_checked(layout, snapshot)
    try:
        rows = {name: _records(con, name) for name in REPORT_QUERIES}
        splits = _splits(con)
    finally:
        con.close()
    manifest = json.loads((table_dir / MANIFEST).read_text(encoding="utf-8"))
    return ReportData(run_id=run_id, table_dir=table_dir, manifest=manifest, rows=rows, splits=splits,
                      changes=changes_since_previous(layout, run_id))
