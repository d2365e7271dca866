"""The DuckDB catalog: one view per table and per analysis, from ``sql/*.sql``.

The catalog holds no data, only views over one snapshot's Parquet files,
with absolute paths so it works from any working directory.  It is built in a
temporary file and renamed over the old one: DuckDB locks a database file
while a process has it open read-write, so holding the live catalog open
would lock analysts out; a replaced file leaves open readers on the old,
still-consistent snapshot.

DDL cannot take bound parameters, so the one value a view needs -- the
snapshot directory -- is substituted as a quoted string literal by
:func:`sql_string_literal`, the only place SQL text is built from a value.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path

import duckdb

from warehouse.dictionary import apply_comments
from warehouse.schema import TABLE_SCHEMAS

PLACEHOLDER = "{{table_dir}}"
#: Files readable by the DuckDB 1.5 CLI as well as by DuckDB 2.x.
STORAGE_VERSION = "v1.5.0"


@dataclass(frozen=True)
class ViewFile:
    name: str
    sql: str
    grain: str


def sql_string_literal(value: str) -> str:
    """A single-quoted SQL string literal; refuses characters that have no business in a path."""
    if any(ch in value for ch in "\x00\n\r"):
        raise ValueError(f"refusing to embed control characters in SQL: {value!r}")
    return "'" + value.replace("'", "''") + "'"


def view_files() -> list[ViewFile]:
    """All view definitions shipped in ``sql/``: tables first, then analyses by name."""
    found = []
    for entry in resources.files("paperhouse_sql").iterdir():
        if not entry.name.endswith(".sql"):
            continue
        text = entry.read_text(encoding="utf-8")
        grain = re.search(r"^-- grain: (.+)$", text, re.MULTILINE)
        if grain is None:
            raise ValueError(f"sql/{entry.name} has no '-- grain:' header")
        found.append(ViewFile(entry.name.removesuffix(".sql"), text, grain.group(1).strip()))
    return sorted(found, key=lambda v: (v.name not in TABLE_SCHEMAS, v.name))


def create_views(con: duckdb.DuckDBPyConnection, table_dir: Path, views: Iterable[ViewFile] | None = None) -> None:
    """Create every view against ``table_dir``, resolving inter-view dependencies by retry."""
    literal = sql_string_literal(str(table_dir.resolve()))
    pending = list(views if views is not None else view_files())
    while pending:
        failed: list[tuple[ViewFile, Exception]] = []
        for view in pending:
            try:
                con.execute(view.sql.replace(PLACEHOLDER, literal))
            except duckdb.CatalogException as exc:  # depends on a view not created yet
                failed.append((view, exc))
        if len(failed) == len(pending):
            view, exc = failed[0]
            raise RuntimeError(f"view {view.name} cannot be created: {exc}") from exc
        pending = [view for view, _ in failed]


def build_catalog(catalog: Path, table_dir: Path, run_id: str) -> None:
    """Build the catalog for ``table_dir`` beside ``catalog`` and swap it in atomically."""
    tmp = catalog.with_name(f"{catalog.name}.tmp-{os.getpid()}")
    tmp.unlink(missing_ok=True)
    con = duckdb.connect(str(tmp), config={"storage_compatibility_version": STORAGE_VERSION})
    try:
        create_views(con, table_dir)
        con.execute("CREATE TABLE paperhouse_snapshot (run_id VARCHAR, table_dir VARCHAR, built_at TIMESTAMPTZ)")
        con.execute(
            "INSERT INTO paperhouse_snapshot VALUES (?, ?, ?)",
            [run_id, str(table_dir.resolve()), datetime.now(timezone.utc)],
        )
        apply_comments(con)  # COMMENT ON every view and column, from sql/dictionary.yml
        con.execute("CHECKPOINT")
    finally:
        con.close()
    os.replace(tmp, catalog)

