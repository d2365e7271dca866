"""Wall time of an ad hoc `paperhouse ingest` of the samples, with and without `paperhouse server`.

    .venv/bin/python benchmarks/adhoc_server.py [--runs 3] [--keep DIR]

Two data homes get the same work: an ingest of samples/ with --full-refresh (every
record re-parsed, the snapshot re-published).  Home "served" has `paperhouse server`
running (recorded in its DIR/prefect/server.json, found by ingest on its own); home
"temporary" has none, so each of its runs starts and stops a temporary Prefect server.
Both homes are ingested once before timing, so both Prefect databases exist and are
migrated (a cold start costs far more and is not what a user pays each time).  Runs
alternate between the homes so that load from other processes hits both alike.
Measured in separate processes, as a user runs them; reported, never asserted.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples"
CAPTURED_ON = "2026-11-23"
SERVER_READY_BOUND = 300.0


def paperhouse() -> str:
    return str(Path(sys.executable).with_name("paperhouse"))


def user_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "PAPERHOUSE_"))}


def timed_ingest(home: Path) -> float:
    started = time.perf_counter()
    run = subprocess.run(
        [paperhouse(), "--home", str(home), "ingest", str(SAMPLES), "--captured-on", CAPTURED_ON, "--full-refresh"],
        env=user_env(), capture_output=True, text=True,
    )
    elapsed = time.perf_counter() - started
    if run.returncode != 0:
        raise SystemExit(f"ingest into {home} failed: {run.stderr.strip()}")
    return elapsed


def start_server(home: Path, port: int) -> subprocess.Popen[bytes]:
    log = (home / "server.log").open("wb")
    proc = subprocess.Popen([paperhouse(), "--home", str(home), "server", "--port", str(port)],
                            env=user_env(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + SERVER_READY_BOUND
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"paperhouse server did not start: see {home / 'server.log'}")
        time.sleep(0.5)


def stop(proc: subprocess.Popen[bytes]) -> None:
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="work in this directory and keep it (default: a temporary one)")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="paperhouse-adhoc-"))
    served, temporary = work / "served", work / "temporary"
    for home in (served, temporary):
        home.mkdir(parents=True, exist_ok=True)
        timed_ingest(home)  # warm-up: creates and migrates the home's Prefect database
    server = start_server(served, free_port())
    times: dict[str, list[float]] = {"with paperhouse server": [], "temporary server": []}
    try:
        for i in range(args.runs):
            order = [("with paperhouse server", served), ("temporary server", temporary)]
            for label, home in order if i % 2 == 0 else reversed(order):
                times[label].append(timed_ingest(home))
    finally:
        stop(server)
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    load = os.getloadavg()[0]
    print(f"ingest of {SAMPLES.name}/ (--full-refresh), {args.runs} run(s) each, load average {load:.1f} "
          f"on {os.cpu_count()} cores")
    for label, values in times.items():
        print(f"  {label:24} median {statistics.median(values):6.2f} s   "
              f"(min {min(values):.2f}, max {max(values):.2f}; {', '.join(f'{v:.2f}' for v in values)})")
    ratio = statistics.median(times["with paperhouse server"]) / statistics.median(times["temporary server"])
    print(f"  with server / without: {ratio:.2f}")


if __name__ == "__main__":
    main()
