"""Prefect done the way Prefect users expect: which server a command uses, the writer lock
taken before Prefect, logs and the artifact in the API, deployments on a real work pool."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from flows.cli import app
from flows.prefect_server import (
    ServerRecord, ServerUnavailable, choose_api, describe_server, live_record, read_record, record_path, require_api, write_record,
)
from flows.schedule import deployment_name
from flows.summary import summary_markdown, summary_rows
from tests.conftest import (
    CAPTURED_ON, REPO, SAMPLES, examples, free_port, paperhouse_exe, record_server, stop_process_group, user_env,
)
from warehouse.layout import Layout

runner = CliRunner()


# --- which Prefect API a command uses -------------------------------------------------------------

class _Health(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self.send_response(200 if self.path == "/api/health" else 404)
        self.end_headers()
        self.wfile.write(b"true")

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def health_server():
    """A real HTTP server on 127.0.0.1 that answers Prefect's health probe."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Health)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/api"
    server.shutdown()
    server.server_close()


#: A Prefect server on SQLite answers 5xx while it is busy (2 cores, a test suite beside it): retried.
API_ATTEMPTS = 5


def api_post(url: str, body: dict) -> dict:
    """POST to the Prefect API; a busy server's 5xx is retried, anything else must be a success."""
    for _ in range(API_ATTEMPTS):
        response = httpx.post(url, json=body, timeout=30)
        if response.status_code < 500:
            break
        time.sleep(2)
    assert response.is_success, f"{response.status_code}: {response.text[:500]}"
    return response.json()


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_server_record_round_trips_atomically(tmp_path):
    layout = Layout.at(tmp_path)
    assert read_record(layout) is None
    record = ServerRecord(url="http://127.0.0.1:4321/api", pid=123, port=4321)
    path = write_record(layout, record)
    assert path == tmp_path / "prefect" / "server.json"
    assert read_record(layout) == record
    assert [p.name for p in path.parent.iterdir()] == ["server.json"]  # no temp file left beside it
    path.write_text("{not json")
    assert read_record(layout) is None


def test_recorded_server_is_used_only_while_its_process_lives_and_it_answers(tmp_path, health_server, monkeypatch):
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    layout = Layout.at(tmp_path)
    assert choose_api(layout).url is None
    port = int(health_server.rsplit(":", 1)[1].split("/")[0])
    write_record(layout, ServerRecord(url=health_server, pid=os.getpid(), port=port))
    choice = choose_api(layout)
    assert choice.url == health_server and f"pid {os.getpid()}" in choice.origin
    write_record(layout, ServerRecord(url=health_server, pid=dead_pid(), port=port))  # stale: its server is gone
    assert live_record(layout) is None and choose_api(layout).url is None
    closed = f"http://127.0.0.1:{free_port()}/api"
    write_record(layout, ServerRecord(url=closed, pid=os.getpid(), port=0))  # alive, but nothing answers
    assert choose_api(layout).url is None


def test_explicit_api_url_wins_over_the_record(tmp_path, health_server, monkeypatch):
    layout = Layout.at(tmp_path)
    write_record(layout, ServerRecord(url=health_server, pid=os.getpid(), port=0))
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:9/api")
    assert choose_api(layout).url == "http://127.0.0.1:9/api"
    with pytest.raises(ServerUnavailable, match="does not answer"):
        require_api(layout)


def test_schedule_and_deploy_without_a_server_fail_at_once_in_one_line(tmp_path, monkeypatch):
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    for args in (["schedule", "--interval", "5"], ["deploy", "--pool", "p"]):
        result = runner.invoke(app, ["--home", str(tmp_path), *args], catch_exceptions=False)
        lines = [line for line in result.output.splitlines() if line.strip()]
        assert result.exit_code == 1, result.output
        assert len(lines) == 1 and lines[0].startswith(f"error: no Prefect server for {tmp_path}"), result.output
        assert f"paperhouse --home {tmp_path} server" in lines[0]
    monkeypatch.setenv("PREFECT_API_URL", f"http://127.0.0.1:{free_port()}/api")
    result = runner.invoke(app, ["--home", str(tmp_path), "schedule", "--cron", "0 6 * * *"], catch_exceptions=False)
    assert result.exit_code == 1
    assert [line for line in result.output.splitlines() if line.strip()][0].endswith("does not answer")


def test_ingest_with_an_explicit_api_url_that_does_not_answer_is_one_line_at_once(tmp_path):
    """An explicit PREFECT_API_URL wins, so no temporary server is started in its place."""
    url = f"http://127.0.0.1:{free_port()}/api"
    run = subprocess.run([paperhouse_exe(), "--home", str(tmp_path / "home"), "ingest", str(SAMPLES)],
                         capture_output=True, text=True, env=user_env(PREFECT_API_URL=url), timeout=120)
    assert run.returncode == 1
    assert [line for line in run.stderr.splitlines() if line.strip()] == [
        f"error: the Prefect API at {url} (PREFECT_API_URL) does not answer"]
    assert not (tmp_path / "home" / "prefect" / "temporary-server.log").exists()
    assert not (tmp_path / "home" / "warehouse" / "current").exists()


def test_server_refuses_to_start_twice_for_one_home(tmp_path, health_server, monkeypatch):
    layout = Layout.at(tmp_path)
    write_record(layout, ServerRecord(url=health_server, pid=os.getpid(), port=0))
    result = runner.invoke(app, ["--home", str(tmp_path), "server"], catch_exceptions=False)
    assert result.exit_code == 1
    assert f"already running at {health_server} (pid {os.getpid()})" in result.output


def test_server_on_a_port_in_use_is_one_line_and_records_nothing(tmp_path):
    """Another home's server holds the port: starting ours would exit at once and leave a
    record pointing at nothing, so it is refused before anything is written."""
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = runner.invoke(app, ["--home", str(tmp_path), "server", "--port", str(port)], catch_exceptions=False)
    assert result.exit_code == 1
    assert f"port {port} on 127.0.0.1 is in use" in result.output
    assert not record_path(Layout.at(tmp_path)).exists()


def test_describe_server_for_status(tmp_path, health_server, monkeypatch):
    """The line `status` can show (hook): which server ad hoc runs will use, or how to get one."""
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    layout = Layout.at(tmp_path)
    assert describe_server(layout).startswith("none running") and "server` avoids that" in describe_server(layout)
    write_record(layout, ServerRecord(url=health_server, pid=os.getpid(), port=0))
    assert describe_server(layout) == f"{health_server} (paperhouse server, pid {os.getpid()}; answers)"


def test_deployment_name_is_readable(tmp_path):
    assert deployment_name(Layout.at(tmp_path / "My Data.home")) == "paperhouse-inbox-my-data-home"
    assert deployment_name(Layout.at(tmp_path / "data")) == "paperhouse-inbox-data"


# --- one renderer for the terminal and the artifact ---------------------------------------------

def test_summary_rows_cover_the_run_and_both_times(sample_warehouse):
    summary = sample_warehouse["summary"]
    rows = dict(summary_rows(summary))
    assert rows["run id"] == summary["run_id"]
    assert rows["records in warehouse"] == "104"
    assert rows["papers added / removed"] == "97 / 0"
    assert rows["work time"] == f'{summary["seconds"]:.2f} s'
    assert "merged forms by rule" in rows and "{" not in rows["merged forms by rule"]  # no raw dict
    timed = dict(summary_rows({**summary, "stages": {"parse": 0.25, "publish": 0.5}, "wall_seconds": 2.0,
                               "command_seconds": 7.5}))
    assert timed["stage: parse"] == "0.25 s" and timed["stage: publish"] == "0.50 s"
    assert timed["wall time (flow)"] == "2.00 s"
    assert timed["wall time (command, with Prefect start-up)"] == "7.50 s"
    assert dict(summary_rows({**summary, "unreadable": ["a", "b"]}))["unreadable"] == "a, b"  # new keys still shown
    guarded = dict(summary_rows({**summary, "quarantined": ["/in/page.html"],
                                 "kept_after_shrink": [{"source": "/in/a.txt", "records_before": 5000, "records_now": 1}]}))
    assert guarded["quarantined (no listing record): /in/page.html"] == "all its lines are in rejects"
    assert guarded["kept previous version of /in/a.txt"].startswith("it shrank from 5,000 to 1 records")


def _cells(line: str) -> list[str]:
    """Split a markdown table row on unescaped pipes, undoing the escapes inside cells."""
    cells, cell, escaped = [], "", False
    for char in line:
        if escaped:
            cell, escaped = cell + char, False
        elif char == "\\":
            escaped = True
        elif char == "|":
            cells, cell = cells + [cell], ""
        else:
            cell += char
    return cells + [cell]


#: A run summary as run_ingest returns it (the shape of RunSummary.as_dict()).
SUMMARY = {
    "run_id": "4f31b9133a6a2ebb", "snapshot": "/data/warehouse/snapshots/4f31b9133a6a2ebb", "published_new": True,
    "switched": True, "sources": {"new": 4, "changed": 0, "unchanged": 0, "removed": 0}, "n_sources": 4,
    "n_bytes_read": 124745, "n_records_parsed": 104, "n_entries": 104, "n_rejects": 0, "rejects_by_reason": {},
    "table_rows": {"papers": 97, "authors": 168}, "papers_added": 97, "papers_removed": 0, "authors_added": 168,
    "quality": {"mentions": 296, "persons": 165, "groups": 3, "merges_by_rule": {"folded": 2}},
    "stages": {"planning": 0.03, "parsing": 0.29}, "seconds": 1.72,
}


@settings(max_examples=examples(200), deadline=None)
@given(reasons=st.dictionaries(st.text(min_size=1, max_size=30), st.integers(0, 10**6), max_size=5),
       path=st.text(max_size=40) | st.just("C:\\snapshots\\"))
def test_summary_markdown_is_one_table_row_per_summary_row(reasons, path):
    summary = {**SUMMARY, "rejects_by_reason": reasons, "snapshot": path}
    markdown = summary_markdown(summary)
    table = [line for line in markdown.splitlines() if line.startswith("|")]
    rows = summary_rows(summary)
    assert len(table) == 2 + len(rows)
    for line, (label, value) in zip(table[2:], rows):
        cells = _cells(line)
        assert len(cells) == 4 and cells[0] == cells[3] == "", line
        assert cells[1].strip() == " ".join(label.split())
        assert cells[2].strip() == " ".join(value.split())


# --- against a real Prefect server ---------------------------------------------------------------

def flow_runs_of(server_url: str, home: Path) -> list[dict]:
    runs = api_post(f"{server_url}/flow_runs/filter", {"limit": 200})
    return [r for r in runs if r.get("parameters", {}).get("home") == str(home)]


def test_ingest_uses_the_recorded_server_and_sends_info_logs_to_it(prefect_server, tmp_path):
    home = tmp_path / "home"
    layout = Layout.at(home)
    record_server(home, prefect_server)
    run = subprocess.run(
        [paperhouse_exe(), "--home", str(home), "ingest", str(SAMPLES), "--captured-on", CAPTURED_ON.isoformat()],
        capture_output=True, text=True, env=user_env(), timeout=300,
    )
    assert run.returncode == 0, run.stderr
    assert "published new snapshot" in run.stdout
    assert run.stderr.strip() == ""  # no note about a temporary server, no Prefect log lines
    assert "INFO" not in run.stdout
    assert not (home / "prefect" / "temporary-server.log").exists()
    runs = flow_runs_of(prefect_server["url"], home)
    assert [r["state"]["type"] for r in runs] == ["COMPLETED"]
    logs = api_post(f"{prefect_server['url']}/logs/filter", {
        "logs": {"flow_run_id": {"any_": [runs[0]["id"]]}, "level": {"ge_": 20}}, "limit": 200,
    })
    messages = [entry["message"] for entry in logs]
    assert any("Finished in state Completed" in m for m in messages), messages
    assert any(m.startswith("run ") for m in messages), messages  # the flow's own INFO line
    assert record_path(layout).exists()  # the record is the server's, never removed by a client

    verbose = subprocess.run(
        [paperhouse_exe(), "--home", str(home), "ingest", str(SAMPLES), "--captured-on", CAPTURED_ON.isoformat(),
         "-v"], capture_output=True, text=True, env=user_env(), timeout=300,
    )
    assert verbose.returncode == 0, verbose.stderr
    assert "Beginning flow run" in verbose.stderr  # -v shows Prefect's log lines in the terminal


def test_run_artifact_is_the_summary_markdown(prefect_server, tmp_path):
    home = tmp_path / "home"
    script = ("import json, sys, datetime\nfrom tests.conftest import flow_ingest\n"
              "s = flow_ingest(sys.argv[2], [sys.argv[1]], captured_on=datetime.date(2026, 11, 23))\n"
              "print(json.dumps(s))")
    env = user_env(PREFECT_API_URL=prefect_server["url"], PREFECT_HOME=str(tmp_path / "client"),
                    PREFECT_SERVER_ANALYTICS_ENABLED="false")
    run = subprocess.run([sys.executable, "-c", script, str(SAMPLES), str(home)], capture_output=True, text=True,
                         env=env, cwd=REPO, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    summary = json.loads(run.stdout.strip().splitlines()[-1])
    (flow_run,) = flow_runs_of(prefect_server["url"], home)
    artifacts = api_post(f"{prefect_server['url']}/artifacts/filter", {
        "artifacts": {"flow_run_id": {"any_": [flow_run["id"]]}, "key": {"any_": ["paperhouse-ingest"]}},
    })
    assert [a["type"] for a in artifacts] == ["markdown"]
    assert artifacts[0]["data"] == summary_markdown(summary)


def wait_for_final_state(server_url: str, flow_run_id: str, timeout: float) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        flow_run = httpx.get(f"{server_url}/flow_runs/{flow_run_id}", timeout=30).json()
        if flow_run["state"]["type"] in {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}:
            return flow_run
        assert time.monotonic() < deadline, f"flow run still {flow_run['state']['type']} after {timeout} s"
        time.sleep(1)


def test_deployment_runs_on_a_process_work_pool_worker(prefect_server, tmp_path):
    url = prefect_server["url"]
    home = tmp_path / "home"
    (home / "inbox").mkdir(parents=True)
    (home / "inbox" / "profile.txt").write_bytes((SAMPLES / "000_bac2de915468d2e7.txt").read_bytes())
    env = user_env(PREFECT_API_URL=url, PREFECT_HOME=str(tmp_path / "client"),
                    PREFECT_SERVER_ANALYTICS_ENABLED="false")
    (tmp_path / "client").mkdir()
    prefect = str(Path(sys.executable).with_name("prefect"))
    created = subprocess.run([prefect, "work-pool", "create", "ingest-pool", "--type", "process"],
                             capture_output=True, text=True, env=env, timeout=120)
    assert created.returncode == 0, created.stdout + created.stderr
    deployed = subprocess.run([paperhouse_exe(), "--home", str(home), "deploy", "--pool", "ingest-pool"],
                              capture_output=True, text=True, env=env, timeout=300)
    assert deployed.returncode == 0, deployed.stderr
    assert "paperhouse-ingest/paperhouse-inbox-home" in deployed.stdout
    deployment = httpx.get(f"{url}/deployments/name/paperhouse-ingest/paperhouse-inbox-home", timeout=30).json()
    assert deployment["work_pool_name"] == "ingest-pool"
    assert deployment["parameters"]["home"] == str(home)
    assert deployment["parameters"]["options"]["paths"] == [str(home / "inbox")]
    assert deployment["global_concurrency_limit"]["limit"] == 1  # one home's runs never overlap

    log = (tmp_path / "worker.log").open("w")
    worker = subprocess.Popen(
        [prefect, "worker", "start", "--pool", "ingest-pool"],
        env={**env, "PREFECT_WORKER_QUERY_SECONDS": "1"}, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True, cwd=tmp_path,
    )
    try:
        flow_run = api_post(f"{url}/deployments/{deployment['id']}/create_flow_run", {})
        final = wait_for_final_state(url, flow_run["id"], timeout=240)
        assert final["state"]["type"] == "COMPLETED", (tmp_path / "worker.log").read_text()[-3000:]
    finally:
        stop_process_group(worker, timeout=30)  # the worker before the server
        log.close()
    manifest = json.loads((home / "warehouse" / "current" / "_snapshot.json").read_text())
    assert manifest["tables"]["listing_entries"]["rows"] == 12

    # deploying to a pool that does not exist yet creates it, as a process pool
    auto = subprocess.run([paperhouse_exe(), "--home", str(home), "deploy", "--pool", "fresh-pool", "--cron",
                           "0 6 * * *"], capture_output=True, text=True, env=env, timeout=300)
    assert auto.returncode == 0, auto.stderr
    assert "created, type process" in auto.stdout
    assert httpx.get(f"{url}/work_pools/fresh-pool", timeout=30).json()["type"] == "process"
    scheduled = httpx.get(f"{url}/deployments/name/paperhouse-ingest/paperhouse-inbox-home", timeout=30).json()
    assert [s["schedule"]["cron"] for s in scheduled["schedules"]] == ["0 6 * * *"]
