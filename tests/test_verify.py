"""Snapshots verify themselves; tampering is never silent (issues 10 and 11).

Each test damages a real copy of the sample warehouse the way a user or an
attacker could -- rewriting a table, flipping a byte, forging the manifest,
dropping or redefining a view in the catalog file with a read-write DuckDB --
and checks what ``warehouse.verify`` and the commands say and do.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from flows.cli import app
from warehouse.catalog import CATALOG_FILE, ensure_catalog
from warehouse.layout import Layout
from warehouse.query import open_readonly, run_query
from tests.conftest import flip_column_data_byte
from warehouse.verify import (
    MANIFEST, ManifestError, SnapshotDamaged, read_manifest, verify_catalog, verify_snapshot,
)

runner = CliRunner()


def invoke(layout: Layout, *args: str):
    return runner.invoke(app, ["--home", str(layout.home), *args], catch_exceptions=False)


def error_line(result) -> str:
    """The one ``error:`` line of a failed command; no traceback anywhere."""
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    errors = [line for line in result.output.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, result.output
    return errors[0]


@pytest.fixture()
def copied(sample_warehouse, tmp_path) -> Layout:
    """A plain copy of the sample home (its catalog file still names the sample home)."""
    target = tmp_path / "home"
    shutil.copytree(sample_warehouse["layout"].home, target, symlinks=True)
    return Layout.at(target)


@pytest.fixture()
def home(copied: Layout) -> Layout:
    """A copy of the sample home whose catalog file is rebuilt for where it is (no move to report)."""
    ensure_catalog(copied.snapshot(copied.current_run_id()), copied.current_run_id(), thorough=False)
    return copied


def current(layout: Layout) -> tuple[str, Path]:
    run_id = layout.current_run_id()
    return run_id, layout.snapshot(run_id)


def writable(path: Path) -> Path:
    """Undo the read-only bits, as someone set on changing the file would."""
    path.chmod(path.stat().st_mode | stat.S_IWUSR)
    return path


def test_published_files_are_read_only(sample_warehouse):
    layout = sample_warehouse["layout"]
    _, snap = current(layout)
    files = sorted(p.name for p in snap.iterdir())
    assert MANIFEST in files and CATALOG_FILE in files and "papers.parquet" in files
    for name in files:
        assert stat.S_IMODE((snap / name).stat().st_mode) == 0o444, name


def test_an_intact_snapshot_verifies_at_both_depths(home):
    run_id, _ = current(home)
    assert verify_snapshot(home, run_id, deep=False) == []
    assert verify_snapshot(home, run_id, deep=True) == []
    assert verify_catalog(home, run_id) == []
    result = invoke(home, "status", "--verify")
    assert result.exit_code == 0, result.output
    assert f"ok: snapshot {run_id}" in result.output


def test_a_rewritten_table_is_refused_by_sql_and_named_by_verify(copied):
    home = copied
    """Issue 11: `COPY (SELECT 1 AS a) TO '.../papers.parquet'` replaced a table."""
    run_id, snap = current(home)
    pq.write_table(pa.table({"a": [1]}), writable(snap / "papers.parquet"))
    for deep in (False, True):
        (problem,) = verify_snapshot(home, run_id, deep=deep)
        assert problem.subject == "papers.parquet" and "the manifest says" in problem.message
    assert "papers.parquet" in error_line(invoke(home, "sql", "SELECT count(*) FROM papers"))
    unchecked = open_readonly(home)  # a caller that checks for itself gets the record, never the forged table
    try:
        assert run_query(unchecked, "SELECT run_id FROM paperhouse_snapshot").rows == [(run_id,)]
        with pytest.raises(duckdb.CatalogException):
            run_query(unchecked, "SELECT count(*) FROM papers")
    finally:
        unchecked.close()
    assert "papers.parquet" in error_line(invoke(home, "sql", "SELECT 1", "--snapshot", run_id))
    verify = invoke(home, "status", "--verify")
    assert "differs: papers.parquet:" in verify.output
    assert error_line(verify).startswith(f"error: snapshot {run_id}: 1 difference(s) from its manifest")
    assert invoke(home, "status").exit_code == 1  # plain status says so too (shallow check)


def flip_a_data_byte(path: Path) -> None:
    """Change one byte of column data (not a page header, not the footer): same size, same rows."""
    writable(path)
    flip_column_data_byte(path)


def test_a_same_size_byte_change_needs_the_deep_check(copied):
    home = copied
    run_id, snap = current(home)
    flip_a_data_byte(snap / "papers.parquet")
    assert verify_snapshot(home, run_id, deep=False) == []  # sizes and footers still match: documented limit
    (problem,) = verify_snapshot(home, run_id, deep=True)
    assert problem.subject == "papers.parquet" and "sha256" in problem.message
    assert "sha256" in error_line(invoke(home, "sql", "SELECT count(*) FROM papers", "--snapshot", run_id))
    with pytest.raises(SnapshotDamaged, match="papers.parquet: sha256"):
        open_readonly(home, verify="deep")  # what export and report can ask for on the current snapshot
    open_readonly(home, verify="shallow").close()
    assert "differs: papers.parquet: sha256" in invoke(home, "status", "--verify").output


def test_missing_truncated_and_symlinked_files_are_each_named(copied, tmp_path):
    home = copied
    run_id, snap = current(home)
    (snap / "topics.parquet").unlink()
    data = (snap / "authors.parquet").read_bytes()
    writable(snap / "authors.parquet").write_bytes(data[: len(data) // 2])
    stolen = tmp_path / "elsewhere.parquet"
    shutil.copy(snap / "rejects.parquet", stolen)
    (snap / "rejects.parquet").unlink()
    (snap / "rejects.parquet").symlink_to(stolen)
    problems = {p.subject: p.message for p in verify_snapshot(home, run_id, deep=False)}
    assert problems.keys() == {"topics.parquet", "authors.parquet", "rejects.parquet"}
    assert problems["topics.parquet"] == "missing"
    assert "bytes, the manifest says" in problems["authors.parquet"]
    assert "not a regular file" in problems["rejects.parquet"]
    verify = invoke(home, "status", "--verify")
    for name in problems:
        assert f"differs: {name}:" in verify.output
    assert "3 difference(s)" in error_line(verify)


FORGERIES = {
    "not json": b"{not json",
    "an array": b"[1, 2]",
    "binary": b"\xff\xfe\x00garbage",
    "another run id": None,  # built below from the real manifest
    "a path outside": None,
    "rows as text": None,
    "a missing table": None,
}


def forge(manifest: dict, kind: str) -> bytes:
    forged = json.loads(json.dumps(manifest))
    if kind == "another run id":
        forged["run_id"] = "someone-else"
    elif kind == "a path outside":
        forged["tables"]["papers"]["file"] = "../../../../etc/passwd"
    elif kind == "rows as text":
        forged["tables"]["papers"]["rows"] = "97"
    elif kind == "a missing table":
        del forged["tables"]["topics"]
    return json.dumps(forged).encode()


@pytest.mark.parametrize("kind", sorted(FORGERIES))
def test_a_malformed_or_forged_manifest_is_one_line_everywhere(copied, kind):
    home = copied
    run_id, snap = current(home)
    path = writable(snap / MANIFEST)
    path.write_bytes(FORGERIES[kind] or forge(json.loads(path.read_text()), kind))
    with pytest.raises(ManifestError) as raised:
        read_manifest(snap)
    assert "\n" not in str(raised.value)
    (problem,) = verify_snapshot(home, run_id, deep=True)
    assert problem.subject == MANIFEST
    error_line(invoke(home, "sql", "SELECT 1"))
    error_line(invoke(home, "status"))  # status does not crash: it names the manifest in one line
    verify = invoke(home, "status", "--verify")
    assert f"differs: {MANIFEST}:" in verify.output and error_line(verify)


def tamper(layout: Layout, *statements: str) -> None:
    """What `duckdb data/warehouse/paperhouse.duckdb` (no -readonly) can do to the catalog file."""
    catalog = writable(layout.snapshot(layout.current_run_id()) / CATALOG_FILE)
    con = duckdb.connect(str(catalog))
    try:
        for statement in statements:
            con.execute(statement)
    finally:
        con.close()


def test_a_redefined_view_never_answers_and_is_named_then_repaired(home):
    tamper(home, "DROP VIEW papers", "CREATE VIEW papers AS SELECT 1 AS paper_id",
           "CREATE MACRO answer() AS 42", "DROP VIEW topic_trends")
    con = open_readonly(home)
    try:  # paperhouse reads never go through the file: the answer is the real one
        assert run_query(con, "SELECT count(*) FROM papers").rows == [(97,)]
        assert run_query(con, "SELECT count(*) > 0 FROM topic_trends").rows == [(True,)]
    finally:
        con.close()
    verify = invoke(home, "status", "--verify")
    assert "differs: paperhouse.duckdb: view papers differs from sql/papers.sql" in verify.output
    assert "differs: paperhouse.duckdb: view topic_trends is missing" in verify.output
    assert "differs: paperhouse.duckdb: macro function answer is not from sql/" in verify.output
    assert "3 difference(s)" in error_line(verify)

    status = invoke(home, "status")  # the catalog is derived data: status rebuilds it and says why
    assert status.exit_code == 0, status.output
    assert "rebuilt from sql/" in status.output and "view papers differs" in status.output
    assert invoke(home, "status", "--verify").exit_code == 0
    catalog = home.snapshot(home.current_run_id()) / CATALOG_FILE
    assert stat.S_IMODE(catalog.stat().st_mode) == 0o444
    con = duckdb.connect(str(catalog), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM papers").fetchone() == (97,)
    finally:
        con.close()


def test_a_catalog_replaced_by_garbage_is_named(home):
    run_id, snap = current(home)
    writable(snap / CATALOG_FILE).write_bytes(b"not a database")
    (problem,) = verify_catalog(home, run_id)
    assert problem.subject == CATALOG_FILE and "unreadable" in problem.message
    assert error_line(invoke(home, "status", "--verify"))
    assert run_query(open_readonly(home), "SELECT count(*) FROM papers").rows == [(97,)]


def test_a_catalog_rebuild_leaves_no_temporary_files(home):
    run_id, snap = current(home)
    before = sorted(os.listdir(snap))
    tamper(home, "DROP VIEW papers")
    assert invoke(home, "status").exit_code == 0
    assert sorted(os.listdir(snap)) == before
