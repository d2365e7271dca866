"""No process outlives its ingest: real `paperhouse ingest` processes, killed and stopped.

Each run is started with a unique marker in its environment; every process it
starts inherits it, so a scan of /proc for the marker finds anything left
behind -- in particular the temporary Prefect server.  No PREFECT_API_URL is
set, so every run starts its own temporary server (the case that leaked).
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time
import uuid
from pathlib import Path

import pytest

from flows.prefect_server import OWNER_ENV
from tests.conftest import CAPTURED_ON, SAMPLES, paperhouse_exe

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs /proc")]

MARKER_ENV = "PAPERHOUSE_TEST_MARKER"
#: Bounds on waiting for a condition (never asserted as speed).
STARTUP_BOUND = 180.0
EXIT_BOUND = 60.0


def marked_processes(marker: str) -> dict[int, dict[str, str]]:
    """Live processes whose environment carries ``marker``: pid -> environment."""
    found: dict[int, dict[str, str]] = {}
    needle = f"{MARKER_ENV}={marker}".encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            raw = (entry / "environ").read_bytes()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:  # gone meanwhile, or not ours to read
            continue
        if needle in raw.split(b"\0") and state != "Z":
            found[int(entry.name)] = dict(
                item.split("=", 1) for item in raw.decode(errors="replace").split("\0") if "=" in item
            )
    return found


def wait_until(predicate, bound: float, what: str):
    deadline = time.monotonic() + bound
    while True:
        value = predicate()
        if value:
            return value
        assert time.monotonic() < deadline, f"gave up waiting {bound:.0f} s for {what}"
        time.sleep(0.05)


@pytest.fixture(scope="module")
def prefect_home(tmp_path_factory) -> Path:
    """One Prefect database for this module's runs, so only the first pays for migrations."""
    return tmp_path_factory.mktemp("prefect-home")


class Run:
    """One `paperhouse ingest` in its own session, with a marker and optional pause point."""

    def __init__(self, home: Path, prefect_home: Path, tmp_path: Path, pause_at: str | None = None) -> None:
        self.marker = uuid.uuid4().hex
        self.pause = tmp_path / "pause"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "PAPERHOUSE_"))}
        env.update({MARKER_ENV: self.marker, "PREFECT_HOME": str(prefect_home)})
        if pause_at:
            env.update(PAPERHOUSE_PAUSE_AT=pause_at, PAPERHOUSE_PAUSE_FILE=str(self.pause))
        self.stderr_path = tmp_path / "stderr.txt"
        self._stderr = self.stderr_path.open("w")
        self.proc = subprocess.Popen(
            [paperhouse_exe(), "--home", str(home), "ingest", str(SAMPLES), "--captured-on", CAPTURED_ON.isoformat(),
             "--full-refresh"],
            env=env, stdout=subprocess.DEVNULL, stderr=self._stderr, start_new_session=True,
        )

    def temporary_server(self) -> int | None:
        """The PID of the temporary server this run started, once it exists."""
        for pid, env in marked_processes(self.marker).items():
            if env.get(OWNER_ENV) == str(self.proc.pid):
                return pid
        return None

    def paused(self) -> bool:
        return Path(f"{self.pause}.paused").exists()

    def stop(self, signum: int) -> int:
        """Send ``signum`` to the CLI process alone; its exit code."""
        os.kill(self.proc.pid, signum)
        try:
            return self.proc.wait(timeout=EXIT_BOUND)
        finally:
            self._stderr.close()

    def stderr_lines(self) -> list[str]:
        return [line for line in self.stderr_path.read_text().splitlines() if line.strip()]

    def leftovers(self) -> dict[int, dict[str, str]]:
        """Marked processes still alive a moment after the CLI ended (the kernel's PDEATHSIG is immediate)."""
        try:
            wait_until(lambda: not marked_processes(self.marker), bound=10, what="marked processes to end")
        except AssertionError:
            pass
        return marked_processes(self.marker)

    def cleanup(self) -> None:
        """Whatever a failed assertion left running is killed here, by PID."""
        for pid in marked_processes(self.marker):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture
def start(prefect_home, tmp_path):
    runs: list[Run] = []

    def _start(pause_at: str | None = None, home: Path | None = None) -> Run:
        run = Run(home or tmp_path / "home", prefect_home, tmp_path, pause_at)
        runs.append(run)
        return run

    yield _start
    for run in runs:
        run.cleanup()


def latest_flow_run_state(prefect_home: Path) -> str:
    with sqlite3.connect(prefect_home / "prefect.db") as db:
        return db.execute("SELECT state_type FROM flow_run ORDER BY created DESC LIMIT 1").fetchone()[0]


def test_sigkill_during_prefect_startup_leaves_no_server(start):
    run = start()
    server = wait_until(run.temporary_server, STARTUP_BOUND, "the temporary server to be spawned")
    assert run.stop(signal.SIGKILL) == -signal.SIGKILL
    assert run.leftovers() == {}, f"temporary server {server} outlived its run"


def test_sigkill_mid_run_leaves_no_server_and_the_previous_snapshot(start, tmp_path):
    from tests.conftest import plain_ingest

    home = tmp_path / "home"
    _, layout = plain_ingest(home, [SAMPLES])
    before = layout.current_run_id()
    run = start(pause_at="during-parse", home=home)
    wait_until(run.paused, STARTUP_BOUND, "the run to reach during-parse")
    assert run.temporary_server() is not None
    assert run.stop(signal.SIGKILL) == -signal.SIGKILL
    assert run.leftovers() == {}
    assert layout.current_run_id() == before


def test_sigterm_during_startup_ends_with_one_line_and_143(start):
    run = start()
    wait_until(run.temporary_server, STARTUP_BOUND, "the temporary server to be spawned")
    assert run.stop(signal.SIGTERM) == 143
    lines = [line for line in run.stderr_lines() if not line.startswith("note: ")]
    assert lines == ["error: terminated (SIGTERM): stopped; the warehouse keeps its last complete snapshot"], lines
    assert run.leftovers() == {}


def test_sigterm_mid_run_ends_with_one_line_143_and_a_crashed_flow_run(start, prefect_home):
    run = start(pause_at="during-parse")
    wait_until(run.paused, STARTUP_BOUND, "the run to reach during-parse")
    assert run.stop(signal.SIGTERM) == 143
    lines = [line for line in run.stderr_lines() if not line.startswith("note: ")]
    assert lines == ["error: terminated (SIGTERM): stopped; the warehouse keeps its last complete snapshot"], lines
    assert run.leftovers() == {}
    assert latest_flow_run_state(prefect_home) == "CRASHED"  # Prefect was told before its server stopped


def test_ctrl_c_mid_run_ends_with_one_line_and_130(start):
    run = start(pause_at="during-parse")
    wait_until(run.paused, STARTUP_BOUND, "the run to reach during-parse")
    assert run.stop(signal.SIGINT) == 130
    lines = [line for line in run.stderr_lines() if not line.startswith("note: ")]
    assert lines == ["error: interrupted (Ctrl-C): stopped; the warehouse keeps its last complete snapshot"], lines
    assert run.leftovers() == {}
