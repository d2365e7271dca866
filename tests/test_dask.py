"""The flow on a real Dask cluster publishes exactly what the single-process run does."""

from __future__ import annotations

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from tests.conftest import CAPTURED_ON, SAMPLES
from transforms.tables import TABLE_NAMES


@pytest.fixture(scope="module")
def cluster():
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as local:
        yield local


def test_dask_cluster_run_equals_single_process_run(prefect_harness, cluster, sample_warehouse, tmp_path):
    from distributed import Client

    from flows.distributed import dask_ingest_flow
    from flows.options import IngestOptions

    flow = dask_ingest_flow(address=cluster.scheduler_address)
    # batches of one piece: each sample file is its own parse task
    options = IngestOptions(paths=[str(SAMPLES)], captured_on=CAPTURED_ON, batch_bytes=1)
    summary = flow(home=str(tmp_path), options=options, distributed=True)
    assert summary["run_id"] == sample_warehouse["summary"]["run_id"]
    with Client(cluster.scheduler_address) as client:
        executed = client.run(lambda dask_worker: dask_worker.state.executed_count)
    assert sum(executed.values()) >= 4, executed  # one parse task per sample file
    assert all(n > 0 for n in executed.values()), f"both workers should have parsed files: {executed}"
    single = sample_warehouse["layout"].current
    for name in TABLE_NAMES:
        assert_frame_equal(
            pl.read_parquet(tmp_path / "warehouse" / "current" / f"{name}.parquet"),
            pl.read_parquet(single / f"{name}.parquet"),
        )
