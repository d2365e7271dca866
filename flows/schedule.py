"""A local Prefect server, and the scheduled ingest of the inbox: served or on a work pool.

Schedules need a real Prefect server.  ``paperhouse server`` runs one on
127.0.0.1 with its state under the data home and records its URL there
(``DIR/prefect/server.json``), so later commands find it.  Two ways to run
the inbox ingest on a schedule:

* ``paperhouse schedule`` serves the flow from the calling process
  (``flow.serve``): nothing else to keep alive.  Stop it before the server
  (the other order hangs it).
* ``paperhouse deploy --pool NAME`` registers a deployment on a work pool
  (type ``process``), which is how Prefect users run production schedules:
  any number of ``prefect worker start --pool NAME`` processes, on any
  machine with paperhouse installed and the data home mounted, execute its
  runs.  The flow is referenced by module path (``flows.ingest.ingest_flow``)
  so workers need no copy of this repository, only the installed package.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from dataclasses import dataclass, fields
from datetime import timedelta
from typing import Any

from flows.options import SCHEDULED_LOCK_TIMEOUT, IngestOptions
from flows.prefect_server import ServerRecord, api_url, require_api, use_api, write_record
from warehouse.layout import Layout

DEFAULT_PORT = 4200
#: Runs of one home's ingest never overlap: the writer lock would serialise them anyway, with each
#: waiting run holding a process and its memory (and runs due every few seconds piling up).
MAX_CONCURRENT_RUNS = 1
FLOW_NAME = "paperhouse-ingest"
DEPLOYMENT_PREFIX = "paperhouse-inbox-"
WORK_POOL_TYPE = "process"
TAGS = ["paperhouse"]


def exec_server(layout: Layout, port: int) -> None:
    """Record this home's server, then replace this process with ``prefect server start``.

    exec, not a child: the PID a user (or a test) sees -- and the one
    recorded in ``server.json`` -- is the server's, so stopping it by PID
    stops the server and a record whose PID is gone is known to be stale.
    """
    prefect = shutil.which("prefect", path=os.path.dirname(sys.executable)) or shutil.which("prefect")
    if prefect is None:
        raise FileNotFoundError("the prefect command is not installed in this environment")
    write_record(layout, ServerRecord(url=api_url(port), pid=os.getpid(), port=port))
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(prefect, [prefect, "server", "start", "--host", "127.0.0.1", "--port", str(port)])


def deployment_name(layout: Layout) -> str:
    """``paperhouse-inbox-<home name>``: readable in the UI, one per data home.

    Two homes with the same folder name on one server share the name (the
    later deploy replaces the earlier); name the folders apart.
    """
    slug = re.sub(r"[^a-z0-9_-]+", "-", layout.home.name.lower()).strip("-") or "home"
    return DEPLOYMENT_PREFIX + slug


def inbox_parameters(layout: Layout, max_reject_share: float) -> dict[str, Any]:
    """The flow parameters of a scheduled inbox ingest, as JSON (the deployment stores them).

    Absolute paths: a worker runs the flow in a directory of its own.  The flow
    takes the writer lock itself (``lock_held`` stays false) and waits for an
    ad hoc ingest that holds it.
    """
    options = IngestOptions(
        paths=[str(layout.inbox)], max_reject_share=max_reject_share, lock_timeout=SCHEDULED_LOCK_TIMEOUT,
    )
    return {"home": str(layout.home), "options": _json_options(options)}


def _json_options(options: IngestOptions) -> dict[str, Any]:
    """The options that differ from their defaults (a deployment shows what was chosen)."""
    defaults = IngestOptions()
    return {
        f.name: getattr(options, f.name) for f in fields(IngestOptions)
        if getattr(options, f.name) != getattr(defaults, f.name)
    }


def _interval(seconds: float | None) -> timedelta | None:
    return timedelta(seconds=seconds) if seconds else None


def serve_schedule(layout: Layout, cron: str | None, interval: float | None, max_reject_share: float) -> None:
    """Deploy the ingest flow on a schedule and execute its runs until interrupted.

    Raises ServerUnavailable at once when no server answers.
    """
    use_api(require_api(layout).url)  # type: ignore[arg-type]
    layout.inbox.mkdir(parents=True, exist_ok=True)
    from flows.ingest import ingest_flow

    ingest_flow.serve(
        name=deployment_name(layout),
        cron=cron,
        interval=_interval(interval),
        parameters=inbox_parameters(layout, max_reject_share),
        description=f"paperhouse ingest of {layout.inbox}",
        tags=TAGS,
        print_starting_message=True,
        limit=MAX_CONCURRENT_RUNS,
    )


@dataclass(frozen=True)
class Deployed:
    """What ``deploy`` registered, for the CLI to report."""

    deployment_id: str
    name: str
    flow_name: str
    pool: str
    pool_created: bool
    api_url: str


def deploy_to_pool(
    layout: Layout, pool: str, cron: str | None, interval: float | None, max_reject_share: float
) -> Deployed:
    """Create (or update) the inbox deployment on work pool ``pool``; create the pool
    (type ``process``) if it does not exist.  Raises ServerUnavailable at once."""
    url = require_api(layout).url
    use_api(url)  # type: ignore[arg-type]
    layout.inbox.mkdir(parents=True, exist_ok=True)
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.deployments.runner import EntrypointType
    from prefect.exceptions import ObjectNotFound

    from flows.ingest import ingest_flow

    created = False
    with get_client(sync_client=True) as client:
        try:
            client.read_work_pool(pool)
        except ObjectNotFound:
            client.create_work_pool(WorkPoolCreate(name=pool, type=WORK_POOL_TYPE))
            created = True
    deployment_id = ingest_flow.deploy(
        name=deployment_name(layout),
        work_pool_name=pool,
        cron=cron,
        interval=_interval(interval),
        parameters=inbox_parameters(layout, max_reject_share),
        description=f"paperhouse ingest of {layout.inbox}",
        tags=TAGS,
        concurrency_limit=MAX_CONCURRENT_RUNS,
        entrypoint_type=EntrypointType.MODULE_PATH,
        build=False,
        push=False,
        print_next_steps=False,
        ignore_warnings=True,
    )
    return Deployed(str(deployment_id), deployment_name(layout), FLOW_NAME, pool, created, url)  # type: ignore[arg-type]
