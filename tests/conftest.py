"""Shared fixtures: a real Prefect test harness, real files, a real warehouse."""

from __future__ import annotations

import datetime
import sys
import os
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples"
CAPTURED_ON = datetime.date(2026, 11, 23)


def pytest_configure(config: pytest.Config) -> None:
    # Prefect reads its settings on first import: isolate it before any test module imports it.
    os.environ["PREFECT_HOME"] = tempfile.mkdtemp(prefix="paperhouse-prefect-")
    os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
    os.environ["PREFECT_LOGGING_LEVEL"] = "WARNING"
    os.environ.pop("PREFECT_API_URL", None)


@pytest.fixture(scope="session")
def prefect_harness():
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    return SAMPLES


@pytest.fixture(scope="session")
def sample_warehouse(prefect_harness, tmp_path_factory) -> dict:
    """The samples ingested once through the real flow; tests must not modify it."""
    from flows.ingest import ingest_flow
    from warehouse.layout import Layout

    home = tmp_path_factory.mktemp("home")
    summary = ingest_flow(paths=[str(SAMPLES)], home=str(home), captured_on=CAPTURED_ON)
    return {"layout": Layout.at(home), "summary": summary}


def write_listing(path: Path, text: str | bytes) -> Path:
    """Write a listing file exactly as given (bytes for encoding tests)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8", newline="")
    return path


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def prefect_server(tmp_path_factory):
    """A real `prefect server start` on 127.0.0.1, stopped by its PID at the end."""
    import subprocess
    import time

    import httpx

    port = free_port()
    home = tmp_path_factory.mktemp("prefect-server")
    env = {**os.environ, "PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    env.pop("PREFECT_API_URL", None)
    prefect = Path(sys.executable).with_name("prefect")
    log = (home / "server.log").open("w")
    proc = subprocess.Popen(
        [str(prefect), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/api"
    deadline = time.monotonic() + 90
    while True:
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError(f"prefect server did not start: {(home / 'server.log').read_text()[-2000:]}")
        time.sleep(0.5)
    yield {"url": url, "pid": proc.pid, "home": home}
    stop_process_group(proc, timeout=20)
    log.close()


def stop_process_group(proc, timeout: float) -> None:
    """SIGTERM a process started with start_new_session=True (and its children), SIGKILL if it lingers."""
    import signal
    import subprocess

    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def cli_env(server: dict, tmp_path: Path, **extra: str) -> dict[str, str]:
    """Environment for a `paperhouse` subprocess talking to the test server."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PAPERHOUSE_", "PREFECT_"))}
    env.update(
        PREFECT_API_URL=server["url"],
        PREFECT_HOME=str(tmp_path / "prefect-client"),
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        **extra,
    )
    (tmp_path / "prefect-client").mkdir(exist_ok=True)
    return env


def paperhouse_exe() -> str:
    return str(Path(sys.executable).with_name("paperhouse"))
