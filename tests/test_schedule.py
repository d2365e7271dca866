"""A real Prefect server fires a scheduled ingest of the inbox, which publishes a snapshot."""

from __future__ import annotations

import json
import shutil
import subprocess
import time

import httpx

from tests.conftest import SAMPLES, paperhouse_exe, record_server, stop_process_group, user_env


def test_scheduled_run_publishes_a_snapshot(prefect_server, tmp_path):
    """`schedule` finds the server `paperhouse server` recorded for the home (no PREFECT_API_URL)."""
    home = tmp_path / "home"
    (home / "inbox").mkdir(parents=True)
    shutil.copy(SAMPLES / "000_bac2de915468d2e7.txt", home / "inbox")
    record_server(home, prefect_server)
    env = user_env(PREFECT_RUNNER_POLL_FREQUENCY="2")
    log = (tmp_path / "serve.log").open("w")
    serve = subprocess.Popen(
        [paperhouse_exe(), "--home", str(home), "schedule", "--interval", "5"],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 100
        manifest = home / "warehouse" / "current" / "_snapshot.json"
        while not manifest.exists():
            assert serve.poll() is None, (tmp_path / "serve.log").read_text()[-3000:]
            assert time.monotonic() < deadline, "no scheduled run published within 100 s: " + (
                tmp_path / "serve.log").read_text()[-3000:]
            time.sleep(1)
        assert json.loads(manifest.read_text())["tables"]["listing_entries"]["rows"] == 12

        # the server recorded it as a completed scheduled run of our (readably named) deployment
        deployment = httpx.get(
            f"{prefect_server['url']}/deployments/name/paperhouse-ingest/paperhouse-inbox-home", timeout=10
        ).json()
        assert deployment["parameters"]["home"] == str(home)
        deadline = time.monotonic() + 30
        while True:
            runs = httpx.post(
                f"{prefect_server['url']}/flow_runs/filter",
                json={"flow_runs": {"state": {"type": {"any_": ["COMPLETED"]}}}},
                timeout=10,
            ).json()
            scheduled = [r for r in runs if r.get("deployment_id") == deployment["id"]]
            if scheduled or time.monotonic() > deadline:
                break
            time.sleep(1)
        assert scheduled, runs
    finally:
        stop_process_group(serve, timeout=30)  # stop the serving process before the server
        log.close()
