"""Read-only analyst SQL over the catalog or any older snapshot.

Read-only mode alone does not stop a query from writing: ``COPY ... TO`` runs
on a read-only connection and can overwrite the database file itself.  So a
query gets three locks: the connection is read-only (or in-memory), only
statements of a reading type are accepted, and DuckDB's external access is
switched off with only the snapshot directory readable, then the
configuration is frozen so the query cannot switch it back.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from warehouse.layout import Layout

#: Statement types an analyst may run.
READ_STATEMENTS = frozenset(
    {duckdb.StatementType.SELECT, duckdb.StatementType.EXPLAIN}
)


class QueryRefused(ValueError):
    """The SQL is not a read-only query."""


class WarehouseMissing(FileNotFoundError):
    """Nothing has been published yet (or the snapshot asked for does not exist)."""


@dataclass(frozen=True)
class QueryResult:
    columns: list[str]
    types: list[str]
    rows: list[tuple[Any, ...]]


def check_read_only(sql: str) -> list[duckdb.Statement]:
    """Parse ``sql`` and refuse anything but reading statements."""
    try:
        statements = duckdb.extract_statements(sql)
    except duckdb.Error as exc:
        raise QueryRefused(str(exc).splitlines()[0]) from exc
    if not statements:
        raise QueryRefused("no SQL statement given")
    for statement in statements:
        if statement.type not in READ_STATEMENTS:
            kind = statement.type.name
            raise QueryRefused(f"only read-only queries are allowed (got a {kind} statement)")
    return statements


def lock_down(con: duckdb.DuckDBPyConnection, readable_dir: Path) -> None:
    """Allow reading ``readable_dir`` only, no extensions, and freeze the settings."""
    con.execute("SET autoinstall_known_extensions = false")
    con.execute("SET autoload_known_extensions = false")
    con.execute("SET allowed_directories = ?", [[str(readable_dir) + "/"]])
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")


def open_readonly(layout: Layout, snapshot: str | None = None) -> duckdb.DuckDBPyConnection:
    """A locked-down connection over the current catalog, or over snapshot ``snapshot``."""
    if snapshot is None:
        catalog = layout.catalog
        if not catalog.exists():
            raise WarehouseMissing(f"no warehouse at {layout.home}: run `paperhouse ingest` first")
    else:
        if snapshot.startswith(".") or "/" in snapshot or not (layout.snapshot(snapshot) / "_snapshot.json").exists():
            raise WarehouseMissing(f"no snapshot {snapshot!r} under {layout.snapshots}")
        catalog = layout.snapshot(snapshot) / "paperhouse.duckdb"
    con = duckdb.connect(str(catalog), read_only=True)
    # the catalog records the (resolved) snapshot directory its views read
    table_dir = Path(con.execute("SELECT table_dir FROM paperhouse_snapshot").fetchone()[0])
    lock_down(con, table_dir)
    return con


def run_query(con: duckdb.DuckDBPyConnection, sql: str) -> QueryResult:
    """Run reading statements; the last one's result is returned."""
    statements = check_read_only(sql)
    relation = None
    for statement in statements:
        relation = con.execute(statement.query)
    assert relation is not None
    description = relation.description or []
    rows = relation.fetchall()
    return QueryResult(
        columns=[d[0] for d in description],
        types=[str(d[1]) for d in description],
        rows=rows,
    )
