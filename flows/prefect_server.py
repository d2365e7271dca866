"""Which Prefect API a command talks to, and a temporary server that cannot outlive its run.

Prefect's own "ephemeral mode" starts a ``python -m uvicorn`` child the first
time a flow runs without ``PREFECT_API_URL``.  That child survives SIGKILL and
SIGTERM of its parent (it keeps ~200 MB and the parent's stdout), and its
start-up happens deep inside the first flow call, where neither a signal nor
a lock can be handled cleanly.  So the CLI decides up front:

1. an explicit ``PREFECT_API_URL`` wins;
2. else the server ``paperhouse server`` recorded under the data home
   (``DIR/prefect/server.json``), if its process is alive and ``/api/health``
   answers -- the cheap path for ad hoc runs;
3. else a :class:`TemporaryServer` of our own: the same uvicorn app Prefect's
   ephemeral mode runs, but in its own process group, with
   ``prctl(PR_SET_PDEATHSIG, SIGKILL)`` so the kernel kills it when the CLI
   dies by any means, and stopped by PID when the run ends.

Nothing here imports Prefect: the choice is made before Prefect's settings
are read (at its first import), and the temporary server starts while the
CLI is still importing Prefect and Polars.
"""

from __future__ import annotations

import ctypes
import importlib.util
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO

import httpx

from warehouse.layout import Layout
from warehouse.lock import pid_alive

#: The file ``paperhouse server`` writes under the data home's ``prefect/``.
SERVER_RECORD_NAME = "server.json"
#: Where the temporary server's own output goes (one run's worth, overwritten).
TEMPORARY_LOG_NAME = "temporary-server.log"
#: Environment variable set in the temporary server's environment: the PID of the
#: process it belongs to, so it can be found (and a leftover recognised) in /proc.
OWNER_ENV = "PAPERHOUSE_TEMPORARY_SERVER_OF"
#: An explicit API URL always wins.
API_URL_ENV = "PREFECT_API_URL"
#: A cold start (fresh SQLite database, migrations) took 18-37 s on a loaded 2-core machine.
STARTUP_TIMEOUT = 120.0
#: How often start-up polls ``/api/health``.
POLL_SECONDS = 0.1
#: A health probe of an existing server must not hold up a command.
PROBE_TIMEOUT = 2.0
#: Grace period for the temporary server to exit on SIGTERM before SIGKILL.
STOP_GRACE_SECONDS = 5.0
#: uvicorn's exit code when the port is taken (someone bound it after we chose it).
PORT_IN_USE_EXIT = 3
PORT_RETRIES = 3
#: linux/prctl.h
PR_SET_PDEATHSIG = 1
HOST = "127.0.0.1"


class ServerUnavailable(RuntimeError):
    """No Prefect API answers where one is required, or a temporary one failed to start."""


@dataclass(frozen=True)
class ServerRecord:
    """What ``paperhouse server`` leaves under the data home for later commands."""

    url: str
    pid: int
    port: int

    @classmethod
    def from_json(cls, data: dict) -> "ServerRecord":
        return cls(url=str(data["url"]), pid=int(data["pid"]), port=int(data["port"]))


def api_url(port: int, host: str = HOST) -> str:
    return f"http://{host}:{port}/api"


def record_path(layout: Layout) -> Path:
    return layout.prefect_home / SERVER_RECORD_NAME


def write_record(layout: Layout, record: ServerRecord) -> Path:
    """Write ``server.json`` atomically (temp file + rename): readers never see half of it."""
    path = record_path(layout)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    tmp.write_text(json.dumps(asdict(record)) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    return path


def read_record(layout: Layout) -> ServerRecord | None:
    """The recorded server, or None when there is none or the file is unreadable."""
    try:
        return ServerRecord.from_json(json.loads(record_path(layout).read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def clear_record(layout: Layout, pid: int) -> None:
    """Remove ``server.json`` if it still names ``pid`` (never another server's record)."""
    record = read_record(layout)
    if record is not None and record.pid == pid:
        record_path(layout).unlink(missing_ok=True)


def is_healthy(url: str, timeout: float = PROBE_TIMEOUT) -> bool:
    """Whether a Prefect API answers ``GET {url}/health`` with 200."""
    try:
        return httpx.get(f"{url.rstrip('/')}/health", timeout=timeout).status_code == httpx.codes.OK
    except httpx.HTTPError:
        return False


def live_record(layout: Layout) -> ServerRecord | None:
    """The recorded server if its process is alive and it answers; else None.

    Both checks: a stale record whose port was since taken by another home's
    server must not send this home's runs there.
    """
    record = read_record(layout)
    if record is None or not pid_alive(record.pid) or not is_healthy(record.url):
        return None
    return record


@dataclass(frozen=True)
class ApiChoice:
    """The API a command will use; ``url`` None means none answers (start a temporary one)."""

    url: str | None
    origin: str
    #: Whether ``url`` was just seen answering (a recorded server is probed; an explicit URL is not).
    verified: bool = False


def choose_api(layout: Layout) -> ApiChoice:
    """An explicit ``PREFECT_API_URL``, else the live recorded server, else nothing."""
    explicit = os.environ.get(API_URL_ENV)
    if explicit:
        return ApiChoice(explicit, API_URL_ENV)
    record = live_record(layout)
    if record is not None:
        return ApiChoice(record.url, f"paperhouse server, pid {record.pid}", verified=True)
    return ApiChoice(None, "")


def require_api(layout: Layout) -> ApiChoice:
    """The API for commands that cannot work without a server (``schedule``, ``deploy``).

    Answers at once: one health probe, no silent wait.
    """
    choice = choose_api(layout)
    if choice.url is None:
        raise ServerUnavailable(
            f"no Prefect server for {layout.home}: start one with `paperhouse --home {layout.home} server` "
            f"(or set {API_URL_ENV})"
        )
    if not choice.verified and not is_healthy(choice.url):
        raise ServerUnavailable(f"the Prefect server at {choice.url} ({choice.origin}) does not answer")
    return choice


def use_api(url: str) -> None:
    """Point this process (and Prefect, when it is imported next) at ``url``."""
    os.environ[API_URL_ENV] = url


def port_in_use(port: int, host: str = HOST) -> bool:
    """Whether ``host:port`` is taken (by another home's server, say): a server started
    there would exit at once, leaving a record that points at nothing."""
    with socket.socket() as sock:
        try:
            sock.bind((host, port))
        except OSError:
            return True
    return False


def free_port(host: str = HOST) -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def _die_with_parent() -> Callable[[], None]:
    """A ``preexec_fn`` that makes the child receive SIGKILL when this process dies.

    PR_SET_PDEATHSIG fires when the *thread* that forked the child exits, so
    the child must be started from the main thread.  If the parent already
    died between fork and prctl, the child exits at once (the parent PID it
    sees has changed).  Linux only; elsewhere the child is still stopped by
    PID at the end of a normal or interrupted run.
    """
    parent = os.getpid()
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl  # resolved here, not after fork
    except (OSError, AttributeError):
        prctl = None

    def preexec() -> None:
        if prctl is not None:
            prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != parent:
            os._exit(1)

    return preexec


def _prefect_parent_dir() -> str:
    """The directory holding the installed ``prefect`` package, without importing it."""
    spec = importlib.util.find_spec("prefect")
    if spec is None or not spec.submodule_search_locations:
        raise ServerUnavailable("Prefect is not installed in this environment")
    return str(Path(next(iter(spec.submodule_search_locations))).parent)


class TemporaryServer:
    """A Prefect API server for one command: started now, ready on :meth:`wait_ready`, stopped by PID.

    It runs the app Prefect's ephemeral mode runs (no UI, only the services
    a single run needs) against the data home's Prefect database, so a later
    ``paperhouse server`` shows its runs.  Use as a context manager.
    """

    def __init__(self, layout: Layout, startup_timeout: float = STARTUP_TIMEOUT) -> None:
        self.layout = layout
        self.startup_timeout = startup_timeout
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = layout.prefect_home / TEMPORARY_LOG_NAME
        self._log: IO[bytes] | None = None

    @property
    def url(self) -> str:
        return api_url(self.port)

    def start(self) -> "TemporaryServer":
        """Spawn the server (returns at once; it takes seconds to answer)."""
        self.layout.prefect_home.mkdir(parents=True, exist_ok=True)
        self._log = self.log_path.open("wb")
        self._spawn()
        return self

    def _spawn(self) -> None:
        self.port = free_port()
        env = {
            **os.environ,
            "PREFECT_UI_ENABLED": "0",
            "PREFECT__SERVER_EPHEMERAL": "1",
            "PREFECT__SERVER_FINAL": "1",
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            OWNER_ENV: str(os.getpid()),
        }
        env.pop(API_URL_ENV, None)
        self.process = subprocess.Popen(
            [
                sys.executable, "-m", "uvicorn", "--app-dir", _prefect_parent_dir(),
                "--factory", "prefect.server.api.server:create_app",
                "--host", HOST, "--port", str(self.port), "--log-level", "error", "--lifespan", "on",
            ],
            env=env, stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT,
            start_new_session=True, preexec_fn=_die_with_parent(), close_fds=True,
        )

    def wait_ready(self) -> str:
        """Block until ``/api/health`` answers; the API URL.  Raises ServerUnavailable."""
        assert self.process is not None, "start() first"
        deadline = time.monotonic() + self.startup_timeout
        retries = PORT_RETRIES
        while not is_healthy(self.url, timeout=1.0):
            code = self.process.poll()
            if code == PORT_IN_USE_EXIT and retries > 0:
                retries -= 1
                self._spawn()
                continue
            if code is not None:
                raise ServerUnavailable(
                    f"the temporary Prefect server exited with code {code}: {self._last_log_line()} "
                    f"(log: {self.log_path})"
                )
            if time.monotonic() > deadline:
                raise ServerUnavailable(
                    f"the temporary Prefect server did not answer within {self.startup_timeout:.0f} s "
                    f"(log: {self.log_path})"
                )
            time.sleep(POLL_SECONDS)
        return self.url

    def _last_log_line(self) -> str:
        try:
            lines = [line for line in self.log_path.read_text(errors="replace").splitlines() if line.strip()]
        except OSError:
            return "no output"
        return lines[-1].strip() if lines else "no output"

    def stop(self) -> None:
        """SIGTERM its process group, SIGKILL after a grace period; always reaps it."""
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=STOP_GRACE_SECONDS)
            except ProcessLookupError:
                pass
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        elif process is not None:
            process.wait()
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> "TemporaryServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def drain_prefect_clients(timeout: float = STOP_GRACE_SECONDS) -> None:
    """Send buffered logs and events before the server they go to stops.

    Without this, the last lines of a run (and its final state's events) are
    lost and Prefect prints connection errors at interpreter exit.
    """
    if "prefect" not in sys.modules:  # nothing was started
        return
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    for worker in (APILogWorker, EventsWorker):
        try:
            worker.drain_all(timeout=timeout)
        except Exception:  # a worker that never started, or a server that is already gone
            pass


def describe_server(layout: Layout) -> str:
    """One line for ``status``: the server ad hoc runs will use, or how to get one.

    Hook for ``paperhouse status``: ``("prefect server", describe_server(layout))``.
    """
    choice = choose_api(layout)
    if choice.url is None:
        return f"none running: each ingest starts a temporary one (`paperhouse --home {layout.home} server` avoids that)"
    state = "answers" if choice.verified or is_healthy(choice.url) else "does not answer"
    return f"{choice.url} ({choice.origin}; {state})"
