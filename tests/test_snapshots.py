"""Time travel, pruning and the run artifact."""

from __future__ import annotations

import json
import shutil

import pytest
from typer.testing import CliRunner

from flows.cli import app
from tests.conftest import flow_ingest, CAPTURED_ON, SAMPLES

FILES = sorted(SAMPLES.glob("*.txt"))
runner = CliRunner()


@pytest.fixture()
def three_snapshots(prefect_harness, tmp_path):

    home, inbox = tmp_path / "home", tmp_path / "inbox"
    inbox.mkdir()
    run_ids = []
    for f in FILES[:3]:
        shutil.copy2(f, inbox / f.name)
        run_ids.append(flow_ingest(str(home), [str(inbox)], captured_on=CAPTURED_ON)["run_id"])
    return home, run_ids


def count_papers(home, *extra):
    result = runner.invoke(app, ["--home", str(home), "sql", "SELECT count(*) AS n FROM papers", "-f", "json", *extra])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)[0]["n"]


def test_time_travel_and_prune_never_removes_current(three_snapshots):
    home, run_ids = three_snapshots
    # 000: 12 papers; 001 adds 50 records of which Gemini and Gemini 2.5 are already known (60);
    # 003 adds 21, four known (Gemini, Gemini 1.5, Gemini 2.5, Learning to Navigate...) (77)
    assert [count_papers(home, "--snapshot", r) for r in run_ids] == [12, 60, 77]
    assert count_papers(home) == 77

    result = runner.invoke(app, ["--home", str(home), "prune", "--keep", "1"])
    assert result.exit_code == 0, result.output
    assert f"removed 2 snapshot(s)" in result.output
    remaining = [p.name for p in (home / "warehouse" / "snapshots").iterdir()]
    assert remaining == [run_ids[-1]]
    assert count_papers(home) == 77
    gone = runner.invoke(app, ["--home", str(home), "sql", "SELECT 1", "--snapshot", run_ids[0]])
    assert gone.exit_code == 1 and f"no snapshot '{run_ids[0]}'" in gone.output
    # caches of pruned-only inputs are gone; the kept snapshot's sources are still cached
    cached = {p.name.split(".")[0] for p in (home / "warehouse" / "cache").rglob("*.arrow")}
    assert len(cached) == 3


def test_run_publishes_a_markdown_artifact(three_snapshots):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    home, run_ids = three_snapshots
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["paperhouse-ingest"])),
        )
    bodies = [a.data for a in artifacts]
    latest = next(b for b in bodies if run_ids[-1] in b)
    assert "| sources | new 1, changed 0, unchanged 2, removed 0 |" in latest
    assert "| records parsed this run | 21 |" in latest
    assert "| persons / groups |" in latest
