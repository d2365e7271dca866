"""The ``paperhouse`` command line.

Errors are one line on stderr and a non-zero exit, never a traceback: the
known failure types are caught at the edge and their message printed.
"""

from __future__ import annotations

import sys
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console

from warehouse.layout import Layout

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__.splitlines()[0] if __doc__ else None)
out = Console()
err = Console(stderr=True)


class State:
    layout: Layout


state = State()


def fail(message: str, code: int = 1) -> None:
    err.print(f"error: {message}", style="bold red", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


@app.callback()
def main_options(
    home: Annotated[
        Optional[Path],
        typer.Option("--home", help="Data home (default: $PAPERHOUSE_HOME or ./data).", show_default=False),
    ] = None,
) -> None:
    """paperhouse: researcher-profile paper listings -> Parquet + DuckDB warehouse."""
    state.layout = Layout.at(home)


@app.command()
def ingest(
    paths: Annotated[
        Optional[list[str]],
        typer.Argument(help="Listing files, directories, URLs or .urls list files (default: HOME/inbox)."),
    ] = None,
    captured_on: Annotated[
        Optional[str], typer.Option(help="Capture date YYYY-MM-DD for yearless dates (default: file mtime).")
    ] = None,
    max_reject_share: Annotated[
        float, typer.Option(help="Fail and publish nothing if more than this share of newly read lines is rejected.")
    ] = 0.2,
    wait: Annotated[float, typer.Option(help="Seconds to wait for another running ingest.")] = 0.0,
    overrides: Annotated[
        Optional[Path], typer.Option(help="Author merge/split CSV (default: HOME/overrides/authors.csv if present).")
    ] = None,
    full_refresh: Annotated[
        bool, typer.Option("--full-refresh", help="Re-read and re-parse every known source, ignoring caches.")
    ] = False,
    http_timeout: Annotated[float, typer.Option(help="Seconds before an HTTP fetch times out.")] = 20.0,
    dask_address: Annotated[
        Optional[str], typer.Option(help="Parse on this Dask scheduler (tcp://host:8786); dedupe stays local.")
    ] = None,
    workers: Annotated[
        Optional[int], typer.Option(help="Parse on a local Dask cluster of this many worker processes.")
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show Prefect's logs.")] = False,
) -> None:
    """Run the ingest flow once and publish a new snapshot if the input changed."""
    layout = state.layout
    if dask_address and workers:
        fail("give --dask-address or --workers, not both", code=2)
    captured = _parse_date(captured_on) if captured_on else None
    sources = paths or [str(layout.inbox)]
    if not paths and not layout.inbox.is_dir():
        fail(f"no paths given and no inbox at {layout.inbox}")

    from flows.extract import SourceError, expand_paths, is_url

    if overrides is not None and not overrides.is_file():
        fail(f"no such overrides file: {overrides}")

    from warehouse.lock import WarehouseBusy, ensure_free

    try:  # fail fast on a bad path or a busy warehouse, before paying for Prefect's start-up
        expand_paths([p for p in sources if not is_url(p)])
        sources = [p if is_url(p) else str(Path(p).resolve()) for p in sources]
        if wait == 0:
            ensure_free(layout.lock)
    except (SourceError, WarehouseBusy) as exc:
        fail(str(exc))

    from flows.settings import configure_prefect

    configure_prefect(layout, verbose=verbose)
    import httpx

    from flows.ingest import FormatAlarm, ingest_flow
    from flows.overrides import OverrideFileError
    from transforms.authors import OverrideError

    run_flow = ingest_flow
    batches = 1
    if dask_address or workers:
        from flows.distributed import PER_FILE, dask_ingest_flow

        run_flow, batches = dask_ingest_flow(dask_address, workers), PER_FILE
    try:
        with err.status("ingesting (Prefect flow paperhouse-ingest)...", spinner="dots"):
            summary = run_flow(
                paths=sources, home=str(layout.home), captured_on=captured,
                max_reject_share=max_reject_share, lock_timeout=wait,
                overrides=str(overrides.resolve()) if overrides else None,
                full_refresh=full_refresh, http_timeout=http_timeout, parse_batches_n=batches,
            )
    except (SourceError, FormatAlarm, WarehouseBusy, OverrideError, OverrideFileError, OSError) as exc:
        fail(str(exc))
    except httpx.HTTPError as exc:
        fail(f"fetching {exc.request.url} failed after retries: {type(exc).__name__}: {exc}")
    except Exception as exc:  # anything else: one line, details with --verbose
        if verbose:
            raise
        fail(f"ingest failed: {type(exc).__name__}: {' '.join(str(exc).split())} (rerun with --verbose for details)")
    from flows.render import key_value_table

    verdict = "published new snapshot" if summary["published_new"] else "inputs unchanged: no new snapshot"
    out.print(key_value_table(f"ingest: {verdict}", [
        ("run_id", summary["run_id"]),
        ("sources", ", ".join(f"{k} {v}" for k, v in summary["sources"].items())),
        ("bytes read", f'{summary["n_bytes_read"]:,}'),
        ("records parsed this run", summary["n_records_parsed"]),
        ("records in warehouse", summary["n_entries"]),
        ("records rejected", summary["n_rejects"]),
        *[(f"  {reason}", n) for reason, n in sorted(summary["rejects_by_reason"].items())],
        ("papers added / removed", f'{summary["papers_added"]} / {summary["papers_removed"]}'),
        ("authors added", summary["authors_added"]),
        *[(f"table {name}", f"{rows:,} rows") for name, rows in summary["table_rows"].items()],
        *_quality_rows(summary.get("quality", {})),
        ("seconds", summary["seconds"]),
    ]))


@app.command()
def sql(
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
        con = open_readonly(state.layout, snapshot)
        try:
            result = run_query(con, text)
        finally:
            con.close()
    except (QueryRefused, WarehouseMissing) as exc:
        fail(str(exc))
    except duckdb.Error as exc:
        fail(str(exc).strip().splitlines()[0])
    render(result, fmt, out)


@app.command()
def status() -> None:
    """Show the current snapshot, its table counts and rejects, and older snapshots."""
    from flows.render import key_value_table
    from warehouse.snapshots import list_snapshots

    layout = state.layout
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
        *_quality_rows(cur.manifest.get("quality", {})),
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


@app.command()
def prune(
    keep: Annotated[int, typer.Option(help="How many of the newest snapshots to keep (the current one always stays).")],
    wait: Annotated[float, typer.Option(help="Seconds to wait for a running ingest.")] = 0.0,
) -> None:
    """Delete old snapshots (never the current one) and caches nothing kept can use."""
    from warehouse.lock import WarehouseBusy
    from warehouse.prune import prune_snapshots

    if keep < 1:
        fail("--keep must be at least 1", code=2)
    try:
        result = prune_snapshots(state.layout, keep=keep, lock_timeout=wait)
    except WarehouseBusy as exc:
        fail(str(exc))
    out.print(f"removed {len(result.removed)} snapshot(s): {', '.join(result.removed) or '-'}; "
              f"kept {len(result.kept)}: {', '.join(result.kept)}; {result.cache_files_removed} cache file(s) removed")


@app.command()
def server(
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1.")] = 4200,
) -> None:
    """Run a local Prefect server (state under HOME/prefect) in the foreground."""
    from flows.schedule import exec_server
    from flows.settings import configure_prefect

    configure_prefect(state.layout, verbose=True)
    try:
        exec_server(state.layout, port)
    except OSError as exc:
        fail(str(exc))


@app.command()
def schedule(
    cron: Annotated[Optional[str], typer.Option(help='Cron schedule, e.g. "0 6 * * *".')] = None,
    interval: Annotated[Optional[float], typer.Option(help="Or: run every SECONDS.")] = None,
    max_reject_share: Annotated[float, typer.Option(help="As for ingest.")] = 0.2,
) -> None:
    """Deploy the inbox ingest on a schedule and run it from this process (Ctrl-C stops)."""
    from flows.settings import configure_prefect

    if (cron is None) == (interval is None):
        fail("give exactly one of --cron or --interval", code=2)
    configure_prefect(state.layout, verbose=True)
    if cron is not None:
        from prefect.client.schemas.schedules import CronSchedule

        try:
            CronSchedule(cron=cron)
        except ValueError:
            fail(f"not a valid cron expression: {cron!r}", code=2)
    from flows.schedule import serve_schedule

    try:
        serve_schedule(state.layout, cron, interval, max_reject_share)
    except ConnectionError as exc:
        fail(str(exc))


# --- BI commands (export, report) are registered here ---
from flows.commands_bi import export as _bi_export, report as _bi_report  # noqa: E402

app.command("export")(_bi_export)
app.command("report")(_bi_report)


def _quality_rows(quality: dict) -> list[tuple[str, object]]:
    """Author-resolution quality lines for the summaries."""
    if not quality:
        return []
    merges = ", ".join(f"{rule} {n}" for rule, n in quality.get("merges_by_rule", {}).items()) or "none"
    return [
        ("author mentions", quality.get("mentions")),
        ("persons / groups", f'{quality.get("persons")} / {quality.get("groups")}'),
        ("merged forms by rule", merges),
        ("low-confidence merges", quality.get("low_confidence_merges")),
        ("ambiguous names", quality.get("ambiguous_names")),
        ("possible matches left apart", quality.get("possible_matches_left_apart")),
    ]


def _parse_date(value: str) -> date:
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        fail(f"--captured-on must be YYYY-MM-DD, got {value!r}", code=2)
        raise


def _read_text(path: Path | None) -> str:
    assert path is not None
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        fail(f"cannot read {path}: {exc.strerror}")
        raise


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)
