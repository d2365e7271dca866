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
#: The capture day the hand-written test listings are dated against (yearless dates take its year).
LISTING_CAPTURED_ON = datetime.date(2026, 3, 1)
#: ``make test-fast`` sets this; property tests then run a twentieth of their examples.
FAST_LANE = os.environ.get("PAPERHOUSE_TEST_LANE") == "fast"


#: The fast lane runs this share of each property test's examples (the full suite runs all).
FAST_LANE_EXAMPLE_SHARE = 20


def examples(n: int) -> int:
    """Hypothesis example budget: ``n`` in the full suite, a twentieth in the fast lane."""
    return max(10, n // FAST_LANE_EXAMPLE_SHARE) if FAST_LANE else n


#: ``make test`` runs the property tests on a fixed, repeatable set of examples, so it
#: passes or fails the same way on any machine and any day; ``make test-explore`` draws
#: fresh examples (and keeps what it finds in .hypothesis/) to hunt for new failures.
HYPOTHESIS_PROFILE = os.environ.get("PAPERHOUSE_HYPOTHESIS", "repeatable")


def _register_hypothesis_profiles() -> None:
    from hypothesis import settings

    settings.register_profile("repeatable", derandomize=True, database=None, print_blob=True)
    settings.register_profile("explore", derandomize=False, print_blob=True)
    settings.load_profile(HYPOTHESIS_PROFILE)


def pytest_configure(config: pytest.Config) -> None:
    _register_hypothesis_profiles()
    config.addinivalue_line("markers", "slow: needs Prefect's test harness, Dask or long property runs (not in make test-fast)")
    config.addinivalue_line("markers", "server: starts a real Prefect server (not in make test-fast)")
    # Prefect reads its settings on first import: isolate it before any test module imports it.
    os.environ["PREFECT_HOME"] = tempfile.mkdtemp(prefix="paperhouse-prefect-")
    os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
    os.environ["PREFECT_LOGGING_LEVEL"] = "WARNING"
    os.environ.pop("PREFECT_API_URL", None)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark by what a test needs, so no test can forget its lane."""
    for item in items:
        names = getattr(item, "fixturenames", ())
        if "prefect_server" in names:
            item.add_marker(pytest.mark.server)
        if "prefect_harness" in names:
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def prefect_harness():
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    return SAMPLES


@pytest.fixture(scope="session")
def sample_warehouse(tmp_path_factory) -> dict:
    """The samples ingested once by the pipeline's own steps (the flow's body without
    Prefect: the flow itself is tested in test_flow_e2e); tests must not modify it."""
    summary, layout = plain_ingest(tmp_path_factory.mktemp("home"), [SAMPLES])
    return {"layout": layout, "summary": summary}


def plain_ingest(home: Path, paths: list[Path], **settings) -> tuple[dict, "Layout"]:
    """Run the ingest's steps in this process, without Prefect (fast-lane tests)."""
    import logging

    from flows.ingest import PLAIN_STEPS, run_ingest
    from flows.options import IngestOptions
    from warehouse.layout import Layout

    settings.setdefault("captured_on", CAPTURED_ON)
    options = IngestOptions(paths=[str(p) for p in paths], **settings)
    summary = run_ingest(PLAIN_STEPS, logging.getLogger("tests"), home=str(home), options=options)
    return summary, Layout.at(home)


def flow_ingest(home: Path | str, paths: list, **settings) -> dict:
    """Run the real Prefect flow (needs the ``prefect_harness`` fixture or a server)."""
    from flows.ingest import ingest_flow
    from flows.options import IngestOptions

    return ingest_flow(home=str(home), options=IngestOptions(paths=[str(p) for p in paths], **settings))


def parsed_listing(*texts: str, captured_on: datetime.date = LISTING_CAPTURED_ON, names: list[str] | None = None):
    """Parse listing texts (one source each, named ``t0.txt``...) the way the ingest does:
    the one shared way tests build the parser's input."""
    import polars as pl

    from transforms.parse import parse_sources

    files = names or [f"t{i}.txt" for i in range(len(texts))]
    return parse_sources(
        pl.LazyFrame({"source_file": files, "text": list(texts), "captured_on": [captured_on] * len(texts)})
    )


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


def record_server(home: Path, server: dict) -> None:
    """Record the test server under ``home`` as `paperhouse server` would (DIR/prefect/server.json)."""
    from flows.prefect_server import ServerRecord, write_record
    from warehouse.layout import Layout

    port = int(server["url"].rsplit(":", 1)[1].split("/")[0])
    write_record(Layout.at(home), ServerRecord(url=server["url"], pid=server["pid"], port=port))


def user_env(**extra: str) -> dict[str, str]:
    """A user's environment for a `paperhouse` subprocess: no PREFECT_* or PAPERHOUSE_* variables."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "PAPERHOUSE_"))}
    return {**env, **extra}


def flip_column_data_byte(path: Path) -> None:
    """Flip the last byte of the first column chunk of a Parquet file: compressed page
    data, so the size and the footer stay valid and only a checksum can tell."""
    import pyarrow.parquet as pq

    data = bytearray(path.read_bytes())
    chunk = pq.ParquetFile(path).metadata.row_group(0).column(0)
    data[chunk.data_page_offset + chunk.total_compressed_size - 1] ^= 0xFF
    path.write_bytes(bytes(data))


def wait_until_paused(proc, marker: Path, point: str, timeout: float) -> None:  # type: ignore[no-untyped-def]
    """Wait for a command started with PAPERHOUSE_PAUSE_AT=``point`` to stop there
    (warehouse/faults.py writes ``<marker>.paused``); fail if it ends or never gets there."""
    import time

    deadline = time.monotonic() + timeout
    while not Path(f"{marker}.paused").exists():
        if proc.poll() is not None:
            raise AssertionError(f"{' '.join(map(str, proc.args[3:5]))} ended before pausing at {point}: "
                                 f"{proc.communicate()}")
        assert time.monotonic() < deadline, f"never reached {point}"
        time.sleep(0.05)
