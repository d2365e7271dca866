"""A local Prefect server and a scheduled ingest of the inbox.

Schedules need a real Prefect server.  ``paperhouse server`` runs one on
127.0.0.1 with its state under the data home; ``paperhouse schedule`` serves
the ingest flow from the calling process (``flow.serve``): the simplest setup
that really fires scheduled runs -- no work pool or worker to keep alive.
Stop the ``schedule`` process before the server (the other order hangs it).
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from dataclasses import asdict
from datetime import timedelta

import httpx

from warehouse.layout import Layout

DEFAULT_PORT = 4200


def api_url(port: int = DEFAULT_PORT) -> str:
    return f"http://127.0.0.1:{port}/api"


def server_is_up(url: str, timeout: float = 2.0) -> bool:
    try:
        return httpx.get(f"{url}/health", timeout=timeout).status_code == 200
    except httpx.HTTPError:
        return False


def exec_server(layout: Layout, port: int) -> None:
    """Replace this process with ``prefect server start`` bound to loopback.

    exec, not a child: the PID a user (or a test) sees is the server's, so
    stopping it by PID stops the server.
    """
    prefect = shutil.which("prefect", path=os.path.dirname(sys.executable)) or shutil.which("prefect")
    if prefect is None:
        raise FileNotFoundError("the prefect command is not installed in this environment")
    os.execv(prefect, [prefect, "server", "start", "--host", "127.0.0.1", "--port", str(port)])


def deployment_name(layout: Layout) -> str:
    """One deployment per data home, so two homes can be scheduled side by side."""
    import hashlib

    return "inbox-" + hashlib.sha256(str(layout.home).encode()).hexdigest()[:8]


def serve_schedule(
    layout: Layout, cron: str | None, interval: float | None, max_reject_share: float, wait_for_server: float = 30.0
) -> None:
    """Deploy the ingest flow on a schedule and execute its runs until interrupted."""
    url = os.environ.setdefault("PREFECT_API_URL", api_url())
    deadline = time.monotonic() + wait_for_server
    while not server_is_up(url):
        if time.monotonic() > deadline:
            raise ConnectionError(f"no Prefect server at {url}: start one with `paperhouse server`")
        time.sleep(1)
    layout.inbox.mkdir(parents=True, exist_ok=True)
    from flows.ingest import ingest_flow
    from flows.options import SCHEDULED_LOCK_TIMEOUT, IngestOptions

    ingest_flow.serve(
        name=deployment_name(layout),
        cron=cron,
        interval=timedelta(seconds=interval) if interval else None,
        parameters={
            "home": str(layout.home),
            "options": asdict(IngestOptions(
                paths=[str(layout.inbox)], max_reject_share=max_reject_share, lock_timeout=SCHEDULED_LOCK_TIMEOUT,
            )),
        },
        description=f"paperhouse ingest of {layout.inbox}",
        tags=["paperhouse"],
        print_starting_message=True,
        # one run at a time: a run holds the writer lock, so a second one would only
        # start a process to wait for it (and pile up when runs outlast the interval)
        limit=1,
    )
