"""A data home can be moved or copied and then reads only its own files (issue 10).

Homes are copied with the real ``cp -a`` and moved with ``mv``; the original
is deleted (or kept and proved unused) and every reading command runs on the
new place.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from flows.cli import app
from tests.conftest import SAMPLES, plain_ingest
from warehouse.catalog import CATALOG_FILE, ensure_catalog
from warehouse.layout import Layout

runner = CliRunner()


def invoke(home: Path, *args: str):
    result = runner.invoke(app, ["--home", str(home), *args], catch_exceptions=False)
    return result


def cp_a(source: Path, target: Path) -> None:
    subprocess.run(["cp", "-a", str(source), str(target)], check=True)


@pytest.fixture()
def original(sample_warehouse, tmp_path) -> Path:
    """A home of our own (a `cp -a` of the sample one, its catalog file rebuilt for where it
    is, as if it had been ingested here) that a test may move or delete."""
    home = tmp_path / "data"
    cp_a(sample_warehouse["layout"].home, home)
    layout = Layout.at(home)
    ensure_catalog(layout.snapshot(layout.current_run_id()), layout.current_run_id(), thorough=False)
    return home


def count_papers(home: Path, *extra: str) -> int:
    result = invoke(home, "sql", "SELECT count(*) AS n FROM papers", "-f", "json", *extra)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)[0]["n"]


def on_disk_catalog(home: Path) -> tuple[str, int]:
    """(table_dir, papers) as an external DuckDB client sees the home's catalog file."""
    con = duckdb.connect(str(home / "warehouse" / CATALOG_FILE), read_only=True)
    try:
        (table_dir,) = con.execute("SELECT table_dir FROM paperhouse_snapshot").fetchone()
        (papers,) = con.execute("SELECT count(*) FROM papers").fetchone()
    finally:
        con.close()
    return table_dir, papers


def test_a_copy_works_after_the_original_is_deleted(original, tmp_path):
    copy = tmp_path / "copy"
    cp_a(original, copy)
    shutil.rmtree(original)

    assert count_papers(copy) == 97
    snapshot = invoke(copy, "sql", "SELECT run_id, table_dir FROM paperhouse_snapshot", "-f", "json")
    ((row),) = json.loads(snapshot.output)
    assert Path(row["table_dir"]) == Layout.at(copy).snapshot(row["run_id"])
    assert count_papers(copy, "--snapshot", row["run_id"]) == 97  # time travel too

    out = tmp_path / "export"
    exported = invoke(copy, "export", str(out), "--tables", "papers,topic_trends")
    assert exported.exit_code == 0, exported.output
    assert json.loads((out / "manifest.json").read_text())["tables"]["papers"]["rows"] == 97

    # the catalog file for external DuckDB users still names the deleted original: status rebuilds it
    status = invoke(copy, "status")
    assert status.exit_code == 0, status.output
    assert "rebuilt from sql/" in status.output and "moved or copied" in status.output
    table_dir, papers = on_disk_catalog(copy)
    assert Path(table_dir) == Layout.at(copy).snapshot(row["run_id"]) and papers == 97
    assert invoke(copy, "status", "--verify").exit_code == 0


def test_a_copy_reads_its_own_files_while_the_original_still_exists(original, tmp_path):
    copy = tmp_path / "copy"
    cp_a(original, copy)
    layout = Layout.at(copy)
    plan = invoke(copy, "sql", "EXPLAIN ANALYZE SELECT title FROM papers WHERE has_code", "-f", "json")
    (analyzed,) = json.loads(plan.output)
    own_file = str(layout.snapshot(layout.current_run_id()) / "papers.parquet")
    assert own_file in analyzed["explain_value"] and str(original) + "/" not in analyzed["explain_value"]

    verify = invoke(copy, "status", "--verify")  # the copied catalog is rebuilt for the copy, then checked
    assert verify.exit_code == 0, verify.output
    assert "note: rebuilt paperhouse.duckdb" in verify.output
    assert Path(on_disk_catalog(copy)[0]).is_relative_to(copy)
    assert Path(on_disk_catalog(original)[0]).is_relative_to(original)  # the original's is untouched


def test_a_moved_home_answers_sql_export_and_status(original, tmp_path):
    moved = tmp_path / "data2"
    subprocess.run(["mv", str(original), str(moved)], check=True)
    assert not original.exists()
    assert count_papers(moved) == 97
    out = tmp_path / "export"
    exported = invoke(moved, "export", str(out), "--tables", "authors")
    assert exported.exit_code == 0, exported.output
    status = invoke(moved, "status")
    assert status.exit_code == 0 and "moved or copied" in status.output
    assert Path(on_disk_catalog(moved)[0]).is_relative_to(moved)


@pytest.mark.slow  # the report (plotly) and an ingest: a few seconds
def test_a_moved_home_reports_and_ingest_repairs_its_catalog(original, tmp_path):
    moved = tmp_path / "data2"
    subprocess.run(["mv", str(original), str(moved)], check=True)
    report = tmp_path / "report.html"
    made = invoke(moved, "report", "--out", str(report))
    assert made.exit_code == 0, made.output
    assert report.stat().st_size > 0

    # an ingest of the same inputs publishes nothing new but rebuilds the stale catalog file
    summary, layout = plain_ingest(moved, [SAMPLES])
    assert summary["published_new"] is False
    table_dir, papers = on_disk_catalog(moved)
    assert Path(table_dir) == layout.snapshot(summary["run_id"]) and papers == 97
    status = invoke(moved, "status")
    assert "(views match sql/)" in status.output


def test_switching_current_rebuilds_a_catalog_file_built_for_another_place(original, tmp_path):
    """The hook every ingest goes through (publish -> switch_current), without the ingest."""
    from warehouse.snapshots import switch_current

    copy = tmp_path / "copy"
    cp_a(original, copy)
    layout = Layout.at(copy)
    assert Path(on_disk_catalog(copy)[0]).is_relative_to(original)
    assert switch_current(layout, layout.current_run_id()) is False  # already current: nothing switched...
    table_dir, papers = on_disk_catalog(copy)  # ...but the catalog file now reads the copy
    assert Path(table_dir) == layout.snapshot(layout.current_run_id()) and papers == 97
