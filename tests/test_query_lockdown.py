"""Analyst SQL cannot write, read outside the snapshot, or escape its lockdown."""

from __future__ import annotations

import hashlib

import pytest

from warehouse.query import QueryRefused, open_readonly, run_query

import duckdb


def file_digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


REFUSED_BY_TYPE = [
    "CREATE TABLE t AS SELECT 1",
    "INSERT INTO papers SELECT * FROM papers",
    "DELETE FROM papers",
    "UPDATE papers SET title = 'x'",
    "DROP VIEW papers",
    "COPY (SELECT 1) TO '{catalog}' (FORMAT csv, USE_TMP_FILE false)",
    "COPY papers TO '/tmp/paperhouse-stolen.csv'",
    "ATTACH '/tmp/paperhouse-other.duckdb' AS other",
    "INSTALL httpfs",
    "LOAD httpfs",
    "SET enable_external_access = true",
    "PRAGMA enable_profiling",
    "SELECT 1; DROP VIEW papers",
    "CALL pragma_version()",
    "EXPORT DATABASE '/tmp/paperhouse-export'",
]

REFUSED_BY_DUCKDB = [
    "SELECT * FROM read_csv('/etc/passwd')",
    "SELECT * FROM read_text('/etc/hostname')",
    "SELECT * FROM read_parquet('/tmp/*.parquet')",
    "SELECT * FROM glob('/etc/*')",
]


@pytest.mark.parametrize("statement", REFUSED_BY_TYPE)
def test_non_read_statements_are_refused(sample_warehouse, statement):
    layout = sample_warehouse["layout"]
    before = file_digest(layout.catalog)
    con = open_readonly(layout)
    try:
        with pytest.raises(QueryRefused, match="only read-only queries"):
            run_query(con, statement.format(catalog=layout.catalog))
    finally:
        con.close()
    assert file_digest(layout.catalog) == before


@pytest.mark.parametrize("statement", REFUSED_BY_DUCKDB)
def test_reads_outside_the_snapshot_are_refused(sample_warehouse, statement):
    con = open_readonly(sample_warehouse["layout"])
    try:
        with pytest.raises(duckdb.Error):
            run_query(con, statement)
    finally:
        con.close()


def test_settings_are_frozen(sample_warehouse):
    con = open_readonly(sample_warehouse["layout"])
    try:
        with pytest.raises(duckdb.Error):
            con.execute("SET enable_external_access = true")
    finally:
        con.close()


def test_reading_queries_work(sample_warehouse):
    con = open_readonly(sample_warehouse["layout"])
    try:
        result = run_query(con, "SELECT count(*) AS n FROM papers; SELECT count(*) AS n FROM listing_entries")
        assert result.columns == ["n"]
        assert result.rows == [(104,)]
        plan = run_query(con, "EXPLAIN SELECT * FROM papers")
        assert plan.rows
    finally:
        con.close()


def test_older_snapshot_can_be_queried(sample_warehouse):
    layout = sample_warehouse["layout"]
    run_id = layout.current_run_id()
    con = open_readonly(layout, snapshot=run_id)
    try:
        assert run_query(con, "SELECT count(*) FROM papers").rows == [(97,)]
        with pytest.raises(duckdb.Error):
            run_query(con, "SELECT * FROM read_csv('/etc/passwd')")
    finally:
        con.close()
