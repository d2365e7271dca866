"""The BI commands: ``export`` (files for BI tools) and ``report`` (one HTML page)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from flows.cli.common import err, fail, layout_of, out as console


def export(
    ctx: typer.Context,
    out: Annotated[Path, typer.Argument(help="Directory to write; must not exist or be empty (see --force).")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="parquet or csv.")] = "parquet",
    partition_by: Annotated[
        Optional[str], typer.Option("--partition-by", help="Hive-partition tables that have this column: year.")
    ] = None,
    tables: Annotated[
        Optional[str],
        typer.Option("--tables", help="Comma-separated tables/views (default: every table and aggregate view)."),
    ] = None,
    snapshot: Annotated[Optional[str], typer.Option(help="Export an older snapshot by run id.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace OUT if it exists and is not empty.")] = False,
) -> None:
    """Export tables and aggregate views as Parquet or CSV with a manifest.json, for BI tools."""
    import duckdb

    from bi.export import FORMATS, PARTITION_COLUMNS, ExportError, export_warehouse, select_datasets
    from bi.oserrors import is_out_of_space
    from bi.integrity import SnapshotDamaged
    from flows.render import key_value_table
    from warehouse.query import WarehouseMissing

    if fmt not in FORMATS:
        fail(f"unknown --format {fmt!r}: use {' or '.join(FORMATS)}", code=2)
    if partition_by is not None and partition_by not in PARTITION_COLUMNS:
        fail(f"cannot --partition-by {partition_by!r}: use {', '.join(PARTITION_COLUMNS)}", code=2)
    names = tables.split(",") if tables is not None else None
    try:
        select_datasets(names)
    except ExportError as exc:
        fail(str(exc), code=2)
    try:
        with err.status("exporting...", spinner="dots") as status:
            manifest = export_warehouse(
                layout_of(ctx), out, fmt=fmt, partition_by=partition_by, names=names, snapshot=snapshot, force=force,
                progress=lambda name, i, n: status.update(f"exporting {name} ({i}/{n})..."),
                notice=lambda message: err.print(f"note: {message}", markup=False, highlight=False, soft_wrap=True),
            )
    except (ExportError, SnapshotDamaged, WarehouseMissing) as exc:
        fail(str(exc))
    except OSError as exc:
        if is_out_of_space(exc):
            fail(f"no space left on device while writing {exc.filename or out}")
        fail(f"export failed: {exc.strerror or exc}: {exc.filename or out}")
    except duckdb.Error as exc:
        fail(str(exc).strip().splitlines()[0])
    entries = manifest["tables"]
    console.print(key_value_table(f"export: {Path(out).expanduser().resolve()}", [
        ("snapshot", manifest["run_id"]),
        ("format", manifest["format"] + (f", hive-partitioned by {partition_by}" if partition_by else "")),
        *[
            (name, f'{e["rows"]:,} rows in {len(e["files"])} file(s)' + (" (partitioned)" if e["partition_by"] else ""))
            for name, e in entries.items()
        ],
        ("manifest", "manifest.json"),
    ]))


def report(
    ctx: typer.Context,
    out: Annotated[
        Optional[Path], typer.Option("--out", "-o", help="HTML file to write (default: HOME/report.html).")
    ] = None,
    snapshot: Annotated[Optional[str], typer.Option(help="Report on an older snapshot by run id.")] = None,
) -> None:
    """Write one self-contained HTML report (opens offline) with plots of the views."""
    import duckdb

    from bi.oserrors import is_out_of_space
    from bi.integrity import SnapshotDamaged
    from bi.report import write_report
    from warehouse.query import WarehouseMissing

    try:
        with err.status("writing report...", spinner="dots"):
            path = write_report(layout_of(ctx), out, snapshot)
    except (SnapshotDamaged, WarehouseMissing) as exc:
        fail(str(exc))
    except OSError as exc:
        if is_out_of_space(exc):
            fail(f"no space left on device while writing {exc.filename or out or 'the report'}")
        fail(f"cannot write report: {exc.strerror or exc}: {exc.filename or out}")
    except duckdb.Error as exc:
        fail(str(exc).strip().splitlines()[0])
    console.print(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB, self-contained)", highlight=False)
