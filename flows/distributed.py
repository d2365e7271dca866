"""Run the ingest flow with parsing spread over a Dask cluster.

The per-piece work -- cutting, parsing and normalising records -- is
embarrassingly parallel, so the ``parse-batch`` tasks go to the Dask workers.
Planning, reading the bytes (shipped to the workers inside each batch, so
workers need no access to the inputs or the data home), the parse cache, the
global dedupe and author resolution and publishing stay on the process that
runs the flow.
"""

from __future__ import annotations

from typing import Any

from prefect import Flow


def dask_ingest_flow(address: str | None = None, workers: int | None = None) -> Flow[..., Any]:
    """The ingest flow with a DaskTaskRunner: an existing cluster, or a local one of ``workers``."""
    from prefect_dask import DaskTaskRunner

    from flows.ingest import ingest_flow

    if address:
        runner = DaskTaskRunner(address=address)
    else:
        runner = DaskTaskRunner(
            cluster_kwargs={"n_workers": workers or 2, "threads_per_worker": 1, "processes": True}
        )
    return ingest_flow.with_options(task_runner=runner)
