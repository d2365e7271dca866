"""Run the ingest flow with parsing spread over a Dask cluster.

Only the per-file work -- cutting, parsing and normalising records -- is
embarrassingly parallel, so only the ``parse-batch`` tasks go to the Dask
workers, one batch per source file.  Planning, the parse cache, the global
dedupe and author resolution (every mention can affect every other in its
block) and publishing stay on the process that runs the flow, which also
reads the input bytes and ships them to the workers: the workers need no
access to the inputs or the data home.
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


#: With a cluster, every source file is its own parse task.
PER_FILE = 1_000_000_000
