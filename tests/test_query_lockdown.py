"""Analyst SQL cannot write, read outside the snapshot, or escape its lockdown.

Every refusal is checked by its outcome: the statement raises QueryRefused
with a one-line message *and* nothing on disk changed (the snapshot's files
still match their manifest's sha256, no file appeared in the snapshot
directory, the write target outside does not exist).  The statements run
against a private copy of the sample warehouse, so a guard that failed would
damage only that copy.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import examples
from warehouse.layout import Layout
from warehouse.query import QueryRefused, check_read_only, explained_statement, one_line, open_readonly, run_query
from warehouse.verify import verify_snapshot


@pytest.fixture(scope="module")
def home(sample_warehouse, tmp_path_factory) -> Layout:
    """A copy of the sample home (``cp -a``) that these tests may break if a guard fails."""
    target = tmp_path_factory.mktemp("lockdown") / "home"
    shutil.copytree(sample_warehouse["layout"].home, target, symlinks=True)
    return Layout.at(target)


@pytest.fixture(scope="module")
def con(home: Layout):
    """One connection for the module: refused statements never reach it, reads do not change it."""
    connection = open_readonly(home)
    yield connection
    connection.close()


def snapshot_dir(home: Layout) -> Path:
    return home.snapshot(home.current_run_id())


#: Each writes somewhere if it ran; {snap} is the snapshot directory, {out} a fresh path outside it.
WRITES = [
    "CREATE TABLE t AS SELECT 1",
    "INSERT INTO papers SELECT * FROM papers",
    "DELETE FROM papers",
    "UPDATE papers SET title = 'x'",
    "DROP VIEW papers",
    "COPY (SELECT 1) TO '{snap}/paperhouse.duckdb' (FORMAT csv, USE_TMP_FILE false)",
    "COPY (SELECT 1 AS a) TO '{snap}/papers.parquet' (FORMAT parquet)",
    "COPY (SELECT 1 AS a) TO '{snap}/new.parquet' (FORMAT parquet)",
    "COPY papers TO '{out}'",
    "ATTACH '{out}' AS other",
    "INSTALL httpfs",
    "LOAD httpfs",
    "SET enable_external_access = true",
    "PRAGMA enable_profiling",
    "CALL pragma_version()",
    "EXPORT DATABASE '{out}'",
    "CHECKPOINT",
    # issue 11: EXPLAIN ANALYZE executes what it explains -- in every spelling
    "EXPLAIN ANALYZE COPY (SELECT 1 AS a) TO '{snap}/papers.parquet' (FORMAT parquet)",
    "explain analyse copy (select 1 as a) to '{snap}/papers.parquet' (format parquet)",
    "EXPLAIN (ANALYZE) COPY (SELECT 1 AS a) TO '{snap}/papers.parquet' (FORMAT parquet)",
    "EXPLAIN (ANALYZE, FORMAT json) COPY (SELECT 1 AS a) TO '{snap}/_snapshot.json' (FORMAT csv)",
    "/* hi */ EXPLAIN -- a comment\n ANALYZE /* (another */ COPY papers TO '{out}'",
    "EXPLAIN\tANALYZE\nINSERT INTO papers SELECT * FROM papers",
    "EXPLAIN ANALYZE CREATE TABLE t AS SELECT 1",
    "EXPLAIN COPY papers TO '{out}'",
]

MULTIPLE = ["SELECT 1; DROP VIEW papers", "SELECT 1; SELECT 2", "COPY papers TO '{out}'; SELECT 1"]


@pytest.mark.parametrize("statement", WRITES + MULTIPLE)
def test_writes_are_refused_in_one_line_and_change_nothing(home, con, tmp_path, statement):
    snap = snapshot_dir(home)
    before = sorted(p.name for p in snap.iterdir())
    out = tmp_path / "stolen"
    with pytest.raises(QueryRefused) as refused:
        run_query(con, statement.format(snap=snap, out=out))
    message = str(refused.value)
    assert "\n" not in message and message
    assert "only read-only queries" in message or "one statement at a time" in message
    assert verify_snapshot(home, home.current_run_id(), deep=True) == []
    assert sorted(p.name for p in snap.iterdir()) == before
    assert not out.exists()


REFUSED_BY_DUCKDB = [
    "SELECT * FROM read_csv('/etc/passwd')",
    "SELECT * FROM read_text('/etc/hostname')",
    "SELECT * FROM read_parquet('/tmp/*.parquet')",
    "SELECT * FROM glob('/etc/*')",
    "SELECT * FROM read_json('{snap}/_snapshot.json')",  # inside the snapshot, but not a table file
    "SELECT * FROM read_parquet('{snap}/*.parquet')",
]


@pytest.mark.parametrize("statement", REFUSED_BY_DUCKDB)
def test_reads_outside_the_table_files_are_refused(home, con, statement):
    with pytest.raises(duckdb.PermissionException, match="disabled by configuration"):
        run_query(con, statement.format(snap=snapshot_dir(home)))


def test_settings_are_frozen_and_limits_applied(con):
    with pytest.raises(duckdb.Error, match="locked"):
        con.execute("SET enable_external_access = true")
    settings_now = dict(run_query(con, "SELECT name, value FROM duckdb_settings() WHERE name IN "
                                       "('memory_limit', 'enable_external_access', 'lock_configuration', "
                                       "'autoload_known_extensions', 'temp_directory')").rows)
    assert settings_now["enable_external_access"] == "false"
    assert settings_now["lock_configuration"] == "true"
    assert settings_now["autoload_known_extensions"] == "false"
    assert settings_now["memory_limit"] == "2.0 GiB"
    assert Path(settings_now["temp_directory"]).is_absolute()  # never `.tmp` in the working directory


def test_reading_queries_answer(home, con):
    assert run_query(con, "SELECT count(*) AS n FROM papers").rows == [(97,)]
    assert run_query(con, "FROM listing_entries SELECT count(*)").rows == [(104,)]
    described = run_query(con, "DESCRIBE papers")
    assert ("paper_id", "VARCHAR") in [(r[0], r[1]) for r in described.rows]


def test_explain_over_a_select_plans_and_explain_analyze_runs_it(home, con):
    (n_with_code,) = run_query(con, "SELECT count(*) FROM papers WHERE has_code").rows[0]
    plan = run_query(con, "EXPLAIN SELECT title FROM papers WHERE has_code")
    assert plan.columns == ["explain_key", "explain_value"]
    assert [r[0] for r in plan.rows] == ["physical_plan"]
    assert "READ_PARQUET" in plan.rows[0][1]
    for spelling in ("EXPLAIN ANALYZE", "explain analyse", "EXPLAIN (ANALYZE)", "/* x */ Explain -- y\n Analyze"):
        analyzed = run_query(con, f"{spelling} SELECT title FROM papers WHERE has_code")
        (key, text), = analyzed.rows
        assert key == "analyzed_plan"
        assert f"{n_with_code} rows" in text  # it really ran: the scan's row count is in the plan
        assert str(snapshot_dir(home) / "papers.parquet") in text  # over this home's own file


def test_older_snapshot_can_be_queried(home):
    con = open_readonly(home, snapshot=home.current_run_id())
    try:
        assert run_query(con, "SELECT count(*) FROM papers").rows == [(97,)]
        with pytest.raises(duckdb.Error):
            run_query(con, "SELECT * FROM read_csv('/etc/passwd')")
    finally:
        con.close()


# --- the EXPLAIN check as a parser: any spelling, any decoration ------------------------------

READS = ["SELECT 1", "(SELECT 1)", "FROM papers", "WITH x AS (SELECT 1) SELECT * FROM x", "SUMMARIZE papers",
         "VALUES (1)", "SELECT ';' AS s"]
NOT_READS = ["COPY (SELECT 1) TO '/tmp/nope'", "INSERT INTO t VALUES (1)", "CREATE TABLE t AS SELECT 1",
             "DELETE FROM papers", "SET threads = 1", "CALL pragma_version()", "DROP VIEW papers",
             "CHECKPOINT", "COPY papers FROM '/etc/passwd'", "PIVOT papers ON year USING count(*)"]
MODES = ["", "ANALYZE", "ANALYSE", "(ANALYZE)", "(FORMAT json)", "(ANALYZE, FORMAT json)", "(ANALYZE false)"]
GAPS = [" ", "\n", "\t", " /* c */ ", " -- c\n", "/**/"]


def random_case(draw, word: str) -> str:
    flips = draw(st.lists(st.booleans(), min_size=len(word), max_size=len(word)))
    return "".join(c.upper() if up else c.lower() for c, up in zip(word, flips))


@st.composite
def explains(draw) -> tuple[str, bool]:
    readable = draw(st.booleans())
    inner = draw(st.sampled_from(READS if readable else NOT_READS))
    mode = draw(st.sampled_from(MODES))
    mode = " ".join(random_case(draw, part) for part in mode.split(" ")) if mode else ""
    gap = lambda: draw(st.sampled_from(GAPS))  # noqa: E731
    lead = draw(st.sampled_from(["", "  ", "/* lead */ ", "-- lead\n"]))
    tail = draw(st.sampled_from(["", ";", " ; ", " -- end"]))
    return f"{lead}{random_case(draw, 'EXPLAIN')}{gap()}{mode}{gap() if mode else ''}{inner}{tail}", readable


@given(explains())
@settings(max_examples=examples(300), deadline=None)
def test_an_explain_is_allowed_exactly_when_what_it_explains_is_a_read(case):
    sql, readable = case
    if readable:
        statement = check_read_only(sql)
        assert statement.type == duckdb.StatementType.EXPLAIN
    else:
        with pytest.raises(QueryRefused) as refused:
            check_read_only(sql)
        assert "\n" not in str(refused.value)


def test_explained_statement_is_the_text_after_explain_and_its_options():
    assert explained_statement("EXPLAIN SELECT 1") == "SELECT 1"
    assert explained_statement("/* a */ explain /* b */ analyse /* c */ SELECT 1") == "SELECT 1"
    assert explained_statement("EXPLAIN (ANALYZE, FORMAT json) (SELECT 1)") == "(SELECT 1)"
    assert explained_statement("EXPLAIN (SELECT 1)") == "(SELECT 1)"
    assert explained_statement("EXPLAIN ((SELECT 1))") == "((SELECT 1))"


# --- DuckDB's errors, whole, on one line ------------------------------------------------------

@given(st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="^"), max_size=30), min_size=1, max_size=5))
@settings(max_examples=examples(200), deadline=None)
def test_one_line_keeps_every_word_of_the_message(lines):
    message = "\n".join(lines)
    flat = one_line(message)
    assert "\n" not in flat and "\r" not in flat
    assert flat.split() == message.split() or not message.strip()


def test_one_line_marks_the_caret_in_the_line_it_points_at():
    message = 'Parser Error: syntax error at or near "SELEC"\n\nLINE 1: SELEC 1\n        ^^^^^'
    assert one_line(message) == 'Parser Error: syntax error at or near "SELEC" LINE 1: >>>SELEC<<< 1'
