"""The numbers behind the HTML report, read through the analysts' read-only path.

Every query is a file in ``sql/report/`` run by ``warehouse.query.run_query``
on a locked-down, read-only connection (``open_readonly``), exactly like
``paperhouse sql``; the snapshot's own ``_snapshot.json`` supplies the
author-resolution quality summary and the table row counts.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

from warehouse.layout import Layout
from warehouse.query import open_readonly, run_query
from warehouse.snapshots import MANIFEST

#: The report's queries, one file each in ``sql/report/``.
REPORT_QUERIES = (
    "snapshot",
    "publications_per_topic_year",
    "topic_trends",
    "code_release_rate",
    "code_release_rate_overall",
    "top_authors",
    "top_coauthor_pairs",
    "rejects_by_reason",
    "low_confidence_merges",
    "merges_by_rule",
)


@dataclass(frozen=True)
class ReportData:
    run_id: str
    table_dir: Path
    manifest: dict[str, Any]
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


def report_sql(name: str) -> str:
    if name not in REPORT_QUERIES:
        raise KeyError(f"no report query {name!r}")
    return resources.files("paperhouse_sql").joinpath("report", f"{name}.sql").read_text(encoding="utf-8")


def _plain(value: Any) -> Any:
    """JSON-friendly scalars (the charts embed these values)."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def load_report_data(layout: Layout, snapshot: str | None = None) -> ReportData:
    """Run every report query on the current snapshot (or ``snapshot``)."""
    con = open_readonly(layout, snapshot)
    try:
        rows = {}
        for name in REPORT_QUERIES:
            result = run_query(con, report_sql(name))
            rows[name] = [{c: _plain(v) for c, v in zip(result.columns, row)} for row in result.rows]
    finally:
        con.close()
    (snap,) = rows.pop("snapshot")
    table_dir = Path(snap["table_dir"])
    manifest = json.loads((table_dir / MANIFEST).read_text(encoding="utf-8"))
    return ReportData(run_id=snap["run_id"], table_dir=table_dir, manifest=manifest, rows=rows)
