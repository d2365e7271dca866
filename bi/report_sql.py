"""The report's SQL: one file per query in ``sql/report/`` (package ``paperhouse_sql``).

Kept apart from the code that runs the queries so that both the single-snapshot
queries (``bi.report_data``) and the two-snapshot comparison
(``bi.snapshot_diff``) read them the same way.
"""

from __future__ import annotations

from importlib import resources

REPORT_SQL_DIR = "report"


def report_sql(name: str) -> str:
    """The text of ``sql/report/<name>.sql``; KeyError for a query that does not exist."""
    entry = resources.files("paperhouse_sql").joinpath(REPORT_SQL_DIR, f"{name}.sql")
    if not entry.is_file():
        raise KeyError(f"no report query {name!r}")
    return entry.read_text(encoding="utf-8")
