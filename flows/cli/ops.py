"""Operating a data home: ``prune``, ``server``, ``schedule``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from flows.cli.common import err, fail, layout_of, out

def prune(
    ctx: typer.Context,
    keep: Annotated[int, typer.Option(help="How many of the newest snapshots to keep (the current one always stays).")],
    wait: Annotated[float, typer.Option(help="Seconds to wait for a running ingest.")] = 0.0,
) -> None:
    """Delete old snapshots (never the current one) and caches nothing kept can use."""
    from warehouse.lock import WarehouseBusy
    from warehouse.prune import prune_snapshots

    if keep < 1:
        fail("--keep must be at least 1", code=2)
    try:
        result = prune_snapshots(layout_of(ctx), keep=keep, lock_timeout=wait)
    except WarehouseBusy as exc:
        fail(str(exc))
    out.print(f"removed {len(result.removed)} snapshot(s): {', '.join(result.removed) or '-'}; "
              f"kept {len(result.kept)}: {', '.join(result.kept)}; {result.cache_files_removed} cache file(s) removed")


def server(
    ctx: typer.Context,
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1.")] = 4200,
) -> None:
    """Run a local Prefect server (state under HOME/prefect) in the foreground."""
    from flows.schedule import exec_server
    from flows.settings import configure_prefect

    configure_prefect(layout_of(ctx), verbose=True)
    try:
        exec_server(layout_of(ctx), port)
    except OSError as exc:
        fail(str(exc))


def schedule(
    ctx: typer.Context,
    cron: Annotated[Optional[str], typer.Option(help='Cron schedule, e.g. "0 6 * * *".')] = None,
    interval: Annotated[Optional[float], typer.Option(help="Or: run every SECONDS.")] = None,
    max_reject_share: Annotated[float, typer.Option(help="As for ingest.")] = 0.2,
) -> None:
    """Deploy the inbox ingest on a schedule and run it from this process (Ctrl-C stops)."""
    from flows.settings import configure_prefect

    if (cron is None) == (interval is None):
        fail("give exactly one of --cron or --interval", code=2)
    configure_prefect(layout_of(ctx), verbose=True)
    if cron is not None:
        from prefect.client.schemas.schedules import CronSchedule

        try:
            CronSchedule(cron=cron)
        except ValueError:
            fail(f"not a valid cron expression: {cron!r}", code=2)
    from flows.schedule import serve_schedule

    try:
        serve_schedule(layout_of(ctx), cron, interval, max_reject_share)
    except ConnectionError as exc:
        fail(str(exc))


