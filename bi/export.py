"""Export a snapshot's tables and aggregate views as files BI tools read.

An export is a directory: one sub-directory per table or view holding its
files (``papers/part-0.parquet``, or hive-style partitions
``papers/year=2016/part-0.parquet``), and ``manifest.json`` describing every
file (relative path, rows, bytes, sha256), each dataset's schema and the
snapshot it came from.

Data is read through the same locked-down, read-only DuckDB connection
analysts get (``warehouse.query.open_readonly``): the views are the ones in
``sql/``, and names are checked against the known list, so no value from the
command line ever becomes SQL text.  Batches stream from DuckDB to
``pyarrow.dataset.write_dataset``; types are normalised to what BI tools read
well (strings, booleans, integers, doubles, DATE; nothing nested).

Before anything is read, the snapshot's files are checked against its
manifest (``bi.integrity``): a forged table is refused, never shipped.  Where
the export may go and how it is staged, renamed into place and recovered
after a crash is ``bi.export_target``.  A full disk is one line, with the
staging directory removed.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from bi.export_target import (
    PAUSE_DURING_WRITE,
    ExportError,
    check_out_free,
    check_out_location,
    publish,
    recover_leftovers,
    staging_dir,
)
from bi.integrity import open_checked
from bi.oserrors import is_out_of_space
from warehouse.catalog import view_files
from warehouse.dictionary import describe_dataset
from warehouse.faults import pause_point
from warehouse.fileio import fsync_path, sha256_file
from warehouse.layout import Layout
from warehouse.schema import TABLE_SCHEMAS
from warehouse.snapshots import MANIFEST as SNAPSHOT_MANIFEST

MANIFEST = "manifest.json"
MANIFEST_VERSION = 1
FORMATS = ("parquet", "csv")
#: Columns an export may be partitioned by (hive style, ``year=2016/``).
PARTITION_COLUMNS = ("year",)
HIVE_NULL = "__HIVE_DEFAULT_PARTITION__"
#: Rows per Arrow batch streamed from DuckDB to the writer (bounds memory per dataset).
BATCH_ROWS = 64 * 1024
__all__ = ["ExportError", "FORMATS", "PARTITION_COLUMNS", "export_warehouse", "select_datasets"]

#: The SQL type name a BI tool (and DuckDB) reads for each exported Arrow type.
SQL_TYPES: dict[pa.DataType, str] = {
    pa.string(): "VARCHAR",
    pa.bool_(): "BOOLEAN",
    pa.int8(): "TINYINT",
    pa.int16(): "SMALLINT",
    pa.int32(): "INTEGER",
    pa.int64(): "BIGINT",
    pa.float32(): "FLOAT",
    pa.float64(): "DOUBLE",
    pa.date32(): "DATE",
}


@dataclass(frozen=True)
class Dataset:
    name: str
    kind: str  # "table" or "view"
    grain: str


def known_datasets() -> list[Dataset]:
    """Every exportable name: the published tables, then the aggregate views of ``sql/``."""
    grains = {view.name: view.grain for view in view_files()}
    tables = [Dataset(name, "table", grains.get(name, "")) for name in TABLE_SCHEMAS]
    views = [Dataset(name, "view", grain) for name, grain in grains.items() if name not in TABLE_SCHEMAS]
    return tables + views


def select_datasets(names: Iterable[str] | None) -> list[Dataset]:
    """The datasets named (validated against the known list), or all of them."""
    known = known_datasets()
    if names is None:
        return known
    by_name = {d.name: d for d in known}
    chosen: list[Dataset] = []
    for raw in names:
        name = raw.strip()
        if not name:
            continue
        if name not in by_name:
            raise ExportError(f"unknown table or view {name!r} (known: {', '.join(by_name)})")
        if by_name[name] not in chosen:
            chosen.append(by_name[name])
    if not chosen:
        raise ExportError("no table or view named")
    return chosen


def bi_type(name: str, dtype: pa.DataType) -> pa.DataType:
    """The BI-friendly type ``dtype`` is exported as; nested types are refused."""
    if dtype in SQL_TYPES:
        return dtype
    if pa.types.is_large_string(dtype) or pa.types.is_string_view(dtype):
        return pa.string()
    if pa.types.is_dictionary(dtype):
        return bi_type(name, dtype.value_type)
    if pa.types.is_decimal(dtype):
        return pa.int64() if dtype.scale == 0 and dtype.precision <= 18 else pa.float64()
    if pa.types.is_unsigned_integer(dtype):
        return pa.int32() if dtype.bit_width <= 16 else pa.int64()
    if pa.types.is_float16(dtype):
        return pa.float32()
    if pa.types.is_date64(dtype):
        return pa.date32()
    raise ExportError(f"column {name!r} has type {dtype}, which BI exports do not support")


def bi_schema(schema: pa.Schema) -> pa.Schema:
    return pa.schema([pa.field(f.name, bi_type(f.name, f.type), nullable=True) for f in schema])


def _cast_batches(reader: pa.RecordBatchReader, schema: pa.Schema) -> pa.RecordBatchReader:
    if reader.schema.equals(schema):
        return reader

    def batches() -> Iterator[pa.RecordBatch]:
        for batch in reader:
            yield pa.RecordBatch.from_arrays(
                [column.cast(field.type) for column, field in zip(batch.columns, schema)], schema=schema
            )

    return pa.RecordBatchReader.from_batches(schema, batches())


def _count_rows(path: Path, fmt: str, schema: pa.Schema) -> int:
    """Rows in a written file, read back from the file itself."""
    if fmt == "parquet":
        return pq.read_metadata(path).num_rows
    reader = pacsv.open_csv(
        path,
        parse_options=pacsv.ParseOptions(newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(column_types=schema),
    )
    return sum(batch.num_rows for batch in reader)


def _partition_value(relative: Path, column: str, dtype: pa.DataType) -> Any:
    for part in relative.parts:
        key, sep, value = part.partition("=")
        if sep and key == column:
            if value == HIVE_NULL:
                return None
            return int(value) if pa.types.is_integer(dtype) else value
    return None


def _write_dataset(
    reader: pa.RecordBatchReader, target: Path, fmt: str, schema: pa.Schema, partition: str | None
) -> list[Path]:
    """Write one dataset under ``target``; returns the written files (one empty file if no rows)."""
    written: list[Path] = []
    options = (
        ds.CsvFileFormat().make_write_options(include_header=True, quoting_style="needed")
        if fmt == "csv"
        else ds.ParquetFileFormat().make_write_options(compression="zstd")
    )
    ds.write_dataset(
        _cast_batches(reader, schema),
        target,
        format=fmt,
        file_options=options,
        partitioning=(
            ds.partitioning(pa.schema([schema.field(partition)]), flavor="hive") if partition else None
        ),
        basename_template=f"part-{{i}}.{fmt}",
        preserve_order=True,
        existing_data_behavior="error",
        file_visitor=lambda f: written.append(Path(f.path)),
    )
    if not written and partition is None:  # an empty table still gets a file with its columns
        target.mkdir(parents=True, exist_ok=True)
        path = target / f"part-0.{fmt}"
        empty = schema.empty_table()
        if fmt == "csv":
            pacsv.write_csv(empty, path, pacsv.WriteOptions(include_header=True))
        else:
            pq.write_table(empty, path, compression="zstd")
        written.append(path)
    return written


def export_warehouse(
    layout: Layout,
    out: Path,
    *,
    fmt: str = "parquet",
    partition_by: str | None = None,
    names: Iterable[str] | None = None,
    snapshot: str | None = None,
    force: bool = False,
    progress: Callable[[str, int, int], None] | None = None,
    notice: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Export ``names`` (default: every table and aggregate view) of a snapshot to ``out``.

    Returns the manifest, which is also written as ``out/manifest.json``.
    ``notice`` hears about leftovers of interrupted exports cleaned or restored.
    """
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}: use {' or '.join(FORMATS)}")
    if partition_by is not None and partition_by not in PARTITION_COLUMNS:
        raise ExportError(f"cannot partition by {partition_by!r}: use {', '.join(PARTITION_COLUMNS)}")
    datasets = select_datasets(names)
    out = Path(out).expanduser().resolve()
    check_out_location(out, layout)
    recover_leftovers(out, notice or (lambda _message: None))  # a restored OUT then counts as occupied
    check_out_free(out, force)

    con, run_id, table_dir = open_checked(layout, snapshot)
    try:
        snapshot_manifest = json.loads((table_dir / SNAPSHOT_MANIFEST).read_text())
        with staging_dir(out) as tmp:
            try:
                entries: dict[str, Any] = {}
                for index, dataset in enumerate(datasets, start=1):
                    if progress is not None:
                        progress(dataset.name, index, len(datasets))
                    entries[dataset.name] = _export_one(con, dataset, tmp, fmt, partition_by)
                    pause_point(PAUSE_DURING_WRITE)
                manifest = _manifest(run_id, snapshot_manifest, fmt, partition_by, entries)
                (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
                fsync_path(tmp / MANIFEST)
                for directory in sorted({p.parent for p in tmp.rglob("*") if p.is_file()} | {tmp}, reverse=True):
                    fsync_path(directory)
            except OSError as exc:
                if is_out_of_space(exc):
                    raise ExportError(f"no space left on device while writing the export to {out}") from exc
                raise
            publish(tmp, out, force)
    finally:
        con.close()
    return manifest


def _manifest(
    run_id: str, snapshot_manifest: dict[str, Any], fmt: str, partition_by: str | None, entries: dict[str, Any]
) -> dict[str, Any]:
    return {
        "manifest_version": MANIFEST_VERSION,
        "generator": "paperhouse export",
        "run_id": run_id,
        "snapshot_created_at": snapshot_manifest.get("created_at"),
        "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "format": fmt,
        "partition_by": partition_by,
        "partitioning": "hive" if partition_by else None,
        "tables": entries,
        "meta": {
            "rows": sum(e["rows"] for e in entries.values()),
            "bytes": sum(e["bytes"] for e in entries.values()),
            "files": sum(len(e["files"]) for e in entries.values()),
        },
    }


def _export_one(con, dataset: Dataset, root: Path, fmt: str, partition_by: str | None) -> dict[str, Any]:
    relation = con.table(dataset.name)  # a validated, known name: never user text
    reader = relation.to_arrow_reader(BATCH_ROWS)
    schema = bi_schema(reader.schema)
    partition = partition_by if partition_by in schema.names else None
    target = root / dataset.name
    written = _write_dataset(reader, target, fmt, schema, partition)
    files = []
    file_schema = pa.schema([f for f in schema if f.name != partition])
    for path in sorted(written, key=lambda p: p.relative_to(root).as_posix()):
        fsync_path(path)
        relative = path.relative_to(root)
        entry: dict[str, Any] = {
            "path": relative.as_posix(),
            "rows": _count_rows(path, fmt, file_schema),
            "bytes": path.stat().st_size,
            "sha256": sha256_file(path),
        }
        if partition:
            entry["partition"] = {partition: _partition_value(relative, partition, schema.field(partition).type)}
        files.append(entry)
    described = describe_dataset(dataset.name)  # the data dictionary (sql/dictionary.yml)
    descriptions = {c.name: c.description for c in described.columns} if described else {}
    result: dict[str, Any] = {
        "kind": dataset.kind,
        "grain": dataset.grain,
        "description": described.description if described else "",
        "path": f"{dataset.name}/",
        "rows": sum(f["rows"] for f in files),
        "bytes": sum(f["bytes"] for f in files),
        "partition_by": [partition] if partition else [],
        "schema": [
            {
                "name": field.name,
                "type": SQL_TYPES[field.type],
                "arrow_type": str(field.type),
                "description": descriptions.get(field.name, ""),
                **({"partition_column": True} if field.name == partition else {}),
            }
            for field in schema
        ],
        "files": files,
    }
    if partition_by and not partition:
        result["partition_note"] = f"not partitioned: has no {partition_by} column"
    elif partition:
        result["partition_note"] = (
            f"hive partitions {partition}=<value>/; the {partition} column is in the directory names, "
            "not in the files"
        )
    return result

