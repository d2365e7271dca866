"""`paperhouse export`: real files from the sample warehouse, read back by pyarrow and DuckDB."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.dataset as ds
import pytest
from typer.testing import CliRunner

from flows.cli import app
from warehouse.catalog import create_views, view_files
from bi.export import SQL_TYPES
from warehouse.schema import TABLE_SCHEMAS

runner = CliRunner()
VIEWS = sorted(v.name for v in view_files() if v.name not in TABLE_SCHEMAS)
ALL = list(TABLE_SCHEMAS) + VIEWS
BI_TYPES = set(SQL_TYPES.values())


def invoke(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def lines(result) -> list[str]:
    return [line for line in result.output.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def source(sample_warehouse):
    """The snapshot the exports come from, as in-memory DuckDB views over its Parquet files."""
    layout = sample_warehouse["layout"]
    snapshot_dir = layout.current.resolve()
    con = duckdb.connect()
    create_views(con, snapshot_dir)
    yield {"layout": layout, "con": con, "dir": snapshot_dir,
           "manifest": json.loads((snapshot_dir / "_snapshot.json").read_text())}
    con.close()


def _export(layout, out: Path, *options: str) -> dict:
    result = invoke("--home", str(layout.home), "export", str(out), *options)
    assert result.exit_code == 0, result.output
    return json.loads((out / "manifest.json").read_text())


@pytest.fixture(scope="module")
def parquet_export(source, tmp_path_factory):
    out = tmp_path_factory.mktemp("export") / "bi-parquet"
    return out, _export(source["layout"], out, "--partition-by", "year")


@pytest.fixture(scope="module")
def csv_export(source, tmp_path_factory):
    out = tmp_path_factory.mktemp("export") / "bi-csv"
    return out, _export(source["layout"], out, "--format", "csv")


def source_table(source, name: str) -> pa.Table:
    return source["con"].table(name).to_arrow_table()


def canonical(table: pa.Table, names: list[str]) -> pa.Table:
    """Columns in a fixed order, rows sorted by every column: equal data compares equal."""
    table = table.select(names)
    return table.sort_by([(n, "ascending") for n in names])


def manifest_schema(entry: dict) -> pa.Schema:
    return pa.schema([(c["name"], pa.type_for_alias(c["arrow_type"])) for c in entry["schema"]])


def test_manifest_describes_the_snapshot_and_every_dataset(source, parquet_export):
    out, manifest = parquet_export
    assert manifest["run_id"] == source["layout"].current_run_id() == source["manifest"]["run_id"]
    assert manifest["snapshot_created_at"] == source["manifest"]["created_at"]
    assert manifest["format"] == "parquet" and manifest["partition_by"] == "year"
    assert list(manifest["tables"]) == ALL
    for name, entry in manifest["tables"].items():
        assert entry["kind"] == ("table" if name in TABLE_SCHEMAS else "view")
        assert entry["grain"]
        assert {c["type"] for c in entry["schema"]} <= BI_TYPES, name  # nothing nested, no decimals
        if name in TABLE_SCHEMAS:  # the published schema, column for column
            assert manifest_schema(entry) == pa.schema([(f.name, f.type) for f in TABLE_SCHEMAS[name]])
        assert entry["rows"] == sum(f["rows"] for f in entry["files"])
    assert manifest["meta"]["rows"] == sum(e["rows"] for e in manifest["tables"].values())
    assert manifest["tables"]["papers"]["rows"] == 97
    for name in TABLE_SCHEMAS:
        assert manifest["tables"][name]["rows"] == source["manifest"]["tables"][name]["rows"]


def test_hive_partitions_only_where_there_is_a_year(parquet_export):
    out, manifest = parquet_export
    partitioned = {name for name, e in manifest["tables"].items() if e["partition_by"] == ["year"]}
    assert partitioned == {"papers", "publications_per_topic_year", "publications_per_affiliation_year",
                           "code_release_rate", "topic_trends", "papers_wide"}
    for name, entry in manifest["tables"].items():
        if name in partitioned:
            for f in entry["files"]:
                year = f["partition"]["year"]
                assert f["path"] == f"{name}/year={year}/part-0.parquet"
        else:
            assert [f["path"] for f in entry["files"]] == [f"{name}/part-0.parquet"]
            assert entry["partition_note"] == "not partitioned: has no year column"
    years = sorted(f["partition"]["year"] for f in manifest["tables"]["papers"]["files"])
    assert years == list(range(2015, 2027))


def test_checksums_sizes_and_no_stray_files(parquet_export, csv_export):
    for out, manifest in (parquet_export, csv_export):
        listed = set()
        for entry in manifest["tables"].values():
            for f in entry["files"]:
                path = out / f["path"]
                assert hashlib.sha256(path.read_bytes()).hexdigest() == f["sha256"]
                assert path.stat().st_size == f["bytes"]
                listed.add(f["path"])
        on_disk = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
        assert on_disk == listed | {"manifest.json"}
        assert not [p for p in out.parent.iterdir() if p.name.startswith(".")]  # no temporaries left


def test_pyarrow_reads_the_partitioned_parquet_back(source, parquet_export):
    out, manifest = parquet_export
    for name, entry in manifest["tables"].items():
        schema = manifest_schema(entry)
        partitioning = (
            ds.partitioning(pa.schema([schema.field("year")]), flavor="hive") if entry["partition_by"] else None
        )
        table = ds.dataset(out / name, format="parquet", partitioning=partitioning).to_table()
        assert table.num_rows == entry["rows"], name
        assert {f.name: f.type for f in table.schema} == {f.name: f.type for f in schema}, name
        expected = source_table(source, name)
        assert canonical(table, expected.column_names).equals(canonical(expected, expected.column_names)), name
        for f in entry["files"]:  # per-file counts from the files themselves
            assert ds.dataset(out / f["path"], format="parquet").count_rows() == f["rows"]


def test_duckdb_reads_the_partitioned_parquet_back(source, parquet_export):
    out, manifest = parquet_export
    con = duckdb.connect()
    for name, entry in manifest["tables"].items():
        pattern = str(out / name / ("*/*.parquet" if entry["partition_by"] else "*.parquet"))
        if entry["partition_by"]:  # the manifest's type for the directory column, as a BI tool would pass it
            described = con.execute(
                "DESCRIBE SELECT * FROM read_parquet(?, hive_partitioning = true, hive_types = ?)",
                [pattern, {"year": "INTEGER"}],
            ).fetchall()
        else:
            described = con.execute("DESCRIBE SELECT * FROM read_parquet(?)", [pattern]).fetchall()
        assert {row[0]: row[1] for row in described} == {c["name"]: c["type"] for c in entry["schema"]}, name
        (rows,) = con.execute("SELECT count(*) FROM read_parquet(?, hive_partitioning = true)", [pattern]).fetchall()[0]
        (source_rows,) = source["con"].table(name).aggregate("count(*)").fetchall()[0]
        assert rows == entry["rows"] == source_rows, name
        per_file = dict(con.execute(
            "SELECT filename, count(*) FROM read_parquet(?, filename = true) GROUP BY filename", [pattern]
        ).fetchall())
        expected = {str(out / f["path"]): f["rows"] for f in entry["files"] if f["rows"]}
        assert per_file == expected, name
    # a hive-partitioned read filters on the directory: the 2016 papers, from one file
    (n_2016,) = con.execute(
        "SELECT count(*) FROM read_parquet(?, hive_partitioning = true) WHERE year = 2016",
        [str(out / "papers" / "*" / "*.parquet")],
    ).fetchall()[0]
    by_year = {f["partition"]["year"]: f["rows"] for f in manifest["tables"]["papers"]["files"]}
    assert n_2016 == by_year[2016] == source["con"].execute(
        "SELECT count(*) FROM papers WHERE year = 2016").fetchall()[0][0]


def test_csv_export_reads_back_with_the_manifest_types(source, csv_export):
    out, manifest = csv_export
    assert manifest["format"] == "csv" and manifest["partition_by"] is None
    con = duckdb.connect()
    for name, entry in manifest["tables"].items():
        assert [f["path"] for f in entry["files"]] == [f"{name}/part-0.csv"]
        path = out / entry["files"][0]["path"]
        header = path.read_text(encoding="utf-8").splitlines()[0]
        assert header == ",".join(f'"{c["name"]}"' for c in entry["schema"])
        columns = {c["name"]: c["type"] for c in entry["schema"]}
        described = con.execute("DESCRIBE SELECT * FROM read_csv(?, header = true, columns = ?)",
                                [str(path), columns]).fetchall()
        assert {row[0]: row[1] for row in described} == columns
        (rows,) = con.execute("SELECT count(*) FROM read_csv(?, header = true, columns = ?)",
                              [str(path), columns]).fetchall()[0]
        assert rows == entry["rows"] == entry["files"][0]["rows"], name
        schema = manifest_schema(entry)
        table = pacsv.read_csv(
            path,
            parse_options=pacsv.ParseOptions(newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(column_types=schema, strings_can_be_null=False),
        )
        expected = source_table(source, name)
        # CSV cannot tell an empty string from NULL: compare with NULL strings read as ""
        expected = pa.table({
            f.name: (expected[f.name].fill_null("") if pa.types.is_string(f.type) else expected[f.name])
            for f in expected.schema
        })
        assert canonical(table, expected.column_names).equals(canonical(expected, expected.column_names)), name


def test_refuses_a_non_empty_out_and_leaves_it_alone(source, tmp_path):
    home = str(source["layout"].home)
    out = tmp_path / "occupied"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    result = invoke("--home", home, "export", str(out))
    assert result.exit_code == 1
    assert lines(result) == [f"error: {out} exists and is not empty (use --force to replace it)"]
    assert [p.name for p in out.iterdir()] == ["keep.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["occupied"]  # no temporary left beside it
    # an existing empty directory is fine (replaced atomically by the rename)
    empty = tmp_path / "empty"
    empty.mkdir()
    manifest = _export(source["layout"], empty, "--tables", "topics")
    assert list(manifest["tables"]) == ["topics"]


def test_force_replaces_the_old_export(source, tmp_path):
    out = tmp_path / "bi"
    _export(source["layout"], out, "--tables", "papers,authors", "--partition-by", "year")
    (out / "stale.txt").write_text("left from before")
    manifest = _export(source["layout"], out, "--force", "--tables", "author_stats", "-f", "csv")
    assert list(manifest["tables"]) == ["author_stats"]
    assert sorted(p.name for p in out.iterdir()) == ["author_stats", "manifest.json"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bi"]  # old export deleted, nothing left over


def test_bad_requests_are_one_line_errors(source, tmp_path):
    home = str(source["layout"].home)
    cases = [
        (("--tables", "papers,nope"), 2, "error: unknown table or view 'nope'"),
        (("--format", "xlsx"), 2, "error: unknown --format 'xlsx'"),
        (("--partition-by", "month"), 2, "error: cannot --partition-by 'month'"),
        (("--snapshot", "../x"), 1, "error: no snapshot '../x'"),
    ]
    for options, code, message in cases:
        result = invoke("--home", home, "export", str(tmp_path / "out"), *options)
        assert result.exit_code == code, options
        assert len(lines(result)) == 1 and lines(result)[0].startswith(message), result.output
    inside_home = invoke("--home", home, "export", home, "--force")
    assert inside_home.exit_code == 1 and "contains the data home" in inside_home.output
    assert source["layout"].catalog.exists()
    nothing = invoke("--home", str(tmp_path / "empty-home"), "export", str(tmp_path / "out"))
    assert nothing.exit_code == 1 and lines(nothing) == [
        f"error: no warehouse at {tmp_path / 'empty-home'}: run `paperhouse ingest` first"]
    assert not (tmp_path / "out").exists()


def test_export_of_a_named_snapshot(source, tmp_path):
    run_id = source["manifest"]["run_id"]
    manifest = _export(source["layout"], tmp_path / "old", "--snapshot", run_id, "--tables", "rejects,topics")
    assert manifest["run_id"] == run_id
    rejects = manifest["tables"]["rejects"]
    assert rejects["rows"] == 0 and [f["rows"] for f in rejects["files"]] == [0]  # an empty table still has a file
    assert ds.dataset(tmp_path / "old" / "rejects", format="parquet").schema.names == TABLE_SCHEMAS["rejects"].names
