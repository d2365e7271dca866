"""``paperhouse sql`` and ``paperhouse status``: reading the warehouse."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from flows.cli.common import err, fail, layout_of, out

def sql(
    ctx: typer.Context,
    query: Annotated[Optional[str], typer.Argument(help="SQL to run (read-only).")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, csv or json.")] = "table",
    file: Annotated[Optional[Path], typer.Option("--file", help="Read the SQL from a file.")] = None,
    snapshot: Annotated[Optional[str], typer.Option(help="Query an older snapshot by run id.")] = None,
) -> None:
    """Run read-only SQL over the warehouse views."""
    import duckdb

    from flows.render import render
    from warehouse.query import QueryRefused, WarehouseMissing, open_readonly, run_query

    if fmt not in {"table", "csv", "json"}:
        fail(f"unknown --format {fmt!r}: use table, csv or json", code=2)
    if (query is None) == (file is None):
        fail("give the SQL either as an argument or with --file", code=2)
    text = query if query is not None else _read_text(file)
    try:
        con = open_readonly(layout_of(ctx), snapshot)
        try:
            result = run_query(con, text)
        finally:
            con.close()
    except (QueryRefused, WarehouseMissing) as exc:
        fail(str(exc))
    except duckdb.Error as exc:
        fail(str(exc).strip().splitlines()[0])
    render(result, fmt, out)


def status(ctx: typer.Context) -> None:
    """Show the current snapshot, its table counts and rejects, and older snapshots."""
    from flows.render import key_value_table, quality_rows
    from warehouse.snapshots import list_snapshots

    layout = layout_of(ctx)
    snapshots = list_snapshots(layout)
    current = layout.current_run_id()
    if not snapshots or current is None:
        fail(f"no warehouse at {layout.home}: run `paperhouse ingest` first")
    cur = next(s for s in snapshots if s.run_id == current)
    tables = cur.manifest["tables"]
    out.print(key_value_table("paperhouse status", [
        ("home", layout.home),
        ("current snapshot", f"{current} (created {cur.manifest['created_at']})"),
        ("sources", len(cur.manifest.get("sources", []))),
        *[(name, f"{meta['rows']:,} rows") for name, meta in tables.items()],
        *quality_rows(cur.manifest.get("quality", {})),
        ("catalog", layout.catalog),
    ]))
    from rich.table import Table

    history = Table(title="snapshots (oldest first)", title_justify="left")
    for column in ("run_id", "created_at", "papers", "rejects", ""):
        history.add_column(column)
    for snap in snapshots:
        t = snap.manifest["tables"]
        history.add_row(snap.run_id, snap.manifest["created_at"], str(t["papers"]["rows"]),
                        str(t["rejects"]["rows"]), "current" if snap.run_id == current else "")
    out.print(history)


def _read_text(path: Path | None) -> str:
    assert path is not None
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        fail(f"cannot read {path}: {exc.strerror}")
        raise
