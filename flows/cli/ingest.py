"""``paperhouse ingest``: run the ingest flow once."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Optional

import typer

from flows.cli.common import err, fail, layout_of, out

def ingest(
    ctx: typer.Context,
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
    accept_shrink: Annotated[
        bool, typer.Option("--accept-shrink", help="Believe a known source that now holds far fewer records.")
    ] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show Prefect's logs.")] = False,
) -> None:
    """Run the ingest flow once and publish a new snapshot if the input changed."""
    layout = layout_of(ctx)
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

    from flows.ingest import FormatAlarm, ShrinkRefused, ingest_flow
    from flows.overrides import OverrideFileError
    from transforms.authors import OverrideError
    from warehouse.audits import AuditsFailed

    from flows.options import IngestOptions

    run_flow = ingest_flow
    distributed = bool(dask_address or workers)
    if distributed:
        from flows.distributed import dask_ingest_flow

        run_flow = dask_ingest_flow(dask_address, workers)
    options = IngestOptions(
        paths=sources, captured_on=captured, max_reject_share=max_reject_share, lock_timeout=wait,
        overrides=str(overrides.resolve()) if overrides else None, full_refresh=full_refresh,
        http_timeout=http_timeout, accept_shrink=accept_shrink,
    )
    try:
        from flows import progress
        from flows.cli.progress_display import RichReporter

        with RichReporter(err) as reporter:
            progress.install(reporter)
            try:
                summary = run_flow(home=str(layout.home), options=options, distributed=distributed)
            finally:
                progress.install(None)
    except (SourceError, FormatAlarm, ShrinkRefused, WarehouseBusy, OverrideError, OverrideFileError, AuditsFailed,
            OSError) as exc:
        fail(str(exc))
    except httpx.HTTPError as exc:
        fail(f"fetching {exc.request.url} failed after retries: {type(exc).__name__}: {exc}")
    except Exception as exc:  # anything else: one line, details with --verbose
        if verbose:
            raise
        fail(f"ingest failed: {type(exc).__name__}: {' '.join(str(exc).split())} (rerun with --verbose for details)")
    from flows.render import key_value_table
    from flows.summary import summary_rows

    verdict = "published new snapshot" if summary["published_new"] else "inputs unchanged: no new snapshot"
    out.print(key_value_table(f"ingest: {verdict}", summary_rows(summary)))



def _parse_date(value: str) -> date:
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        fail(f"--captured-on must be YYYY-MM-DD, got {value!r}", code=2)
        raise
