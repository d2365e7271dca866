"""The command line: exit codes, one-line errors, output formats."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from flows.cli import app
from tests.conftest import REPO, SAMPLES

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def test_missing_path_is_one_clear_line(tmp_path):
    result = invoke("--home", str(tmp_path), "ingest", str(tmp_path / "nope.txt"))
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert lines == [f"error: no such file or directory: {tmp_path / 'nope.txt'}"]


def test_sql_formats(sample_warehouse):
    home = str(sample_warehouse["layout"].home)
    as_json = invoke("--home", home, "sql", "SELECT count(*) AS n FROM papers", "--format", "json")
    assert as_json.exit_code == 0
    assert json.loads(as_json.output) == [{"n": 97}]
    as_csv = invoke("--home", home, "sql", "SELECT category, count(*) AS n FROM papers GROUP BY 1 ORDER BY 1", "-f", "csv")
    rows = list(csv.reader(io.StringIO(as_csv.output)))
    assert rows[0] == ["category", "n"]
    assert sum(int(n) for _, n in rows[1:]) == 97
    table = invoke("--home", home, "sql", "SELECT 42 AS answer")
    assert "answer" in table.output and "42" in table.output


def test_sql_from_file(sample_warehouse, tmp_path):
    query = tmp_path / "q.sql"
    query.write_text("SELECT count(*) AS n FROM listing_entries")
    result = invoke("--home", str(sample_warehouse["layout"].home), "sql", "--file", str(query), "-f", "json")
    assert json.loads(result.output) == [{"n": 104}]


def test_sql_errors_are_one_line(sample_warehouse):
    home = str(sample_warehouse["layout"].home)
    for statement, expected in [
        ("DROP VIEW papers", "error: only read-only queries are allowed"),
        ("SELEC 1", "error: Parser Error"),
        ("SELECT nope FROM papers", "error: Binder Error"),
    ]:
        result = invoke("--home", home, "sql", statement)
        assert result.exit_code == 1, statement
        lines = [line for line in result.output.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith(expected), (statement, result.output)


def test_sql_and_status_without_a_warehouse(tmp_path):
    for args in (["sql", "SELECT 1"], ["status"]):
        result = invoke("--home", str(tmp_path), *args)
        assert result.exit_code == 1
        assert "run `paperhouse ingest` first" in result.output


def test_status_shows_current_snapshot(sample_warehouse):
    result = invoke("--home", str(sample_warehouse["layout"].home), "status")
    assert result.exit_code == 0
    assert sample_warehouse["summary"]["run_id"] in result.output
    assert "97 rows" in result.output


@pytest.mark.slow
def test_console_script_ingests_end_to_end(tmp_path):
    """The installed entry point, in its own process, as a user runs it."""
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_HOME"}
    exe = os.path.join(os.path.dirname(sys.executable), "paperhouse")
    home = tmp_path / "home"
    run = subprocess.run(
        [exe, "--home", str(home), "ingest", str(SAMPLES), "--captured-on", "2026-11-23"],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300,
    )
    assert run.returncode == 0, run.stderr
    assert "published new snapshot" in run.stdout
    query = subprocess.run(
        [exe, "--home", str(home), "sql", "SELECT sum(n_papers) AS n FROM publications_per_topic_year", "-f", "json"],
        capture_output=True, text=True, env=env, cwd=REPO, timeout=120,
    )
    assert query.returncode == 0, query.stderr
    assert json.loads(query.stdout) == [{"n": 97}]
    assert (home / "prefect").is_dir()  # Prefect state stays inside the data home


REFUSED_AT_THE_CLI = [
    "CREATE TABLE t AS SELECT 1",
    "INSERT INTO papers SELECT * FROM papers",
    "COPY papers TO '/tmp/paperhouse-stolen.csv'",
    "ATTACH '/tmp/paperhouse-other.duckdb' AS other",
    "INSTALL httpfs",
    "SELECT * FROM read_csv('/etc/passwd')",
    "SELECT * FROM read_text('/etc/hostname')",
]


def test_every_refused_statement_is_one_line_and_non_zero(sample_warehouse):
    home = str(sample_warehouse["layout"].home)
    for statement in REFUSED_AT_THE_CLI:
        result = invoke("--home", home, "sql", statement)
        lines = [line for line in result.output.splitlines() if line.strip()]
        assert result.exit_code == 1, statement
        assert len(lines) == 1 and lines[0].startswith("error: "), (statement, result.output)
    assert not os.path.exists("/tmp/paperhouse-stolen.csv")
