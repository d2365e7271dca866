"""Operating a data home: ``prune``, ``server``, ``schedule``, ``deploy``."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from flows.cli.common import fail, layout_of, out
from flows.options import DEFAULT_MAX_REJECT_SHARE


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
    """Run a local Prefect server for this home in the foreground (state under HOME/prefect).

    Its URL is recorded in HOME/prefect/server.json, so ingest, schedule and deploy use it
    instead of starting a temporary server.
    """
    from flows.prefect_server import live_record, port_in_use
    from flows.schedule import exec_server
    from flows.settings import configure_prefect

    layout = layout_of(ctx)
    running = live_record(layout)
    if running is not None:
        fail(f"a Prefect server for {layout.home} is already running at {running.url} (pid {running.pid})")
    if port_in_use(port):
        fail(f"port {port} on 127.0.0.1 is in use (another home's Prefect server?): choose another with --port")
    configure_prefect(layout, verbose=True)
    try:
        exec_server(layout, port)
    except OSError as exc:
        fail(str(exc))


def _check_schedule_args(cron: Optional[str], interval: Optional[float], *, required: bool) -> None:
    """Exactly one of --cron / --interval (or neither, when not ``required``)."""
    if cron is not None and interval is not None:
        fail("give --cron or --interval, not both", code=2)
    if required and cron is None and interval is None:
        fail("give exactly one of --cron or --interval", code=2)
    if interval is not None and interval <= 0:
        fail("--interval must be a positive number of seconds", code=2)


def _check_cron(cron: Optional[str]) -> None:
    """A cron expression Prefect accepts (imports Prefect: call after the cheap checks)."""
    if cron is None:
        return
    from prefect.client.schemas.schedules import CronSchedule

    try:
        CronSchedule(cron=cron)
    except ValueError:
        fail(f"not a valid cron expression: {cron!r}", code=2)


def schedule(
    ctx: typer.Context,
    cron: Annotated[Optional[str], typer.Option(help='Cron schedule, e.g. "0 6 * * *".')] = None,
    interval: Annotated[Optional[float], typer.Option(help="Or: run every SECONDS.")] = None,
    max_reject_share: Annotated[float, typer.Option(help="As for ingest.")] = DEFAULT_MAX_REJECT_SHARE,
) -> None:
    """Deploy the inbox ingest on a schedule and run it from this process (Ctrl-C stops)."""
    from flows.prefect_server import ServerUnavailable, require_api
    from flows.settings import configure_prefect

    layout = layout_of(ctx)
    _check_schedule_args(cron, interval, required=True)
    try:
        require_api(layout)  # at once, before importing Prefect: no silent wait
    except ServerUnavailable as exc:
        fail(str(exc))
    configure_prefect(layout, verbose=True)
    _check_cron(cron)
    from flows.schedule import serve_schedule

    try:
        serve_schedule(layout, cron, interval, max_reject_share)
    except ServerUnavailable as exc:
        fail(str(exc))


def deploy(
    ctx: typer.Context,
    pool: Annotated[str, typer.Option("--pool", help="Work pool to run on (created as type process if missing).")],
    cron: Annotated[Optional[str], typer.Option(help='Cron schedule, e.g. "0 6 * * *" (default: no schedule).')] = None,
    interval: Annotated[Optional[float], typer.Option(help="Or: run every SECONDS.")] = None,
    max_reject_share: Annotated[float, typer.Option(help="As for ingest.")] = DEFAULT_MAX_REJECT_SHARE,
) -> None:
    """Deploy the inbox ingest to a Prefect work pool; workers started with
    `prefect worker start --pool NAME` run it."""
    from flows.prefect_server import ServerUnavailable, require_api
    from flows.settings import configure_prefect

    layout = layout_of(ctx)
    _check_schedule_args(cron, interval, required=False)
    try:
        require_api(layout)
    except ServerUnavailable as exc:
        fail(str(exc))
    configure_prefect(layout)
    _check_cron(cron)
    from flows.render import key_value_table
    from flows.schedule import deploy_to_pool

    try:
        deployed = deploy_to_pool(layout, pool, cron, interval, max_reject_share)
    except ServerUnavailable as exc:
        fail(str(exc))
    except ValueError as exc:  # Prefect's refusals (bad pool type, ...) are ValueErrors
        fail(" ".join(str(exc).split()))
    when = f"cron {cron!r}" if cron else f"every {interval:g} s" if interval else "on demand only"
    out.print(key_value_table(f"deployed {deployed.flow_name}/{deployed.name}", [
        ("work pool", f"{deployed.pool} (created, type process)" if deployed.pool_created else deployed.pool),
        ("schedule", when),
        ("inbox", layout.inbox),
        ("deployment id", deployed.deployment_id),
        ("Prefect API", deployed.api_url),
        ("start a worker", f"PREFECT_API_URL={deployed.api_url} prefect worker start --pool {deployed.pool}"),
        ("run it now", f"PREFECT_API_URL={deployed.api_url} prefect deployment run "
                       f"'{deployed.flow_name}/{deployed.name}'"),
    ]))
