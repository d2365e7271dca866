"""SIGKILL the ingest at its worst moments: the previous snapshot survives, the next run heals.

Each test runs the real CLI in its own process against a real Prefect server,
pauses it at a named point (warehouse/faults.py) and kills it with SIGKILL.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import duckdb
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from tests.conftest import SAMPLES, cli_env, paperhouse_exe, wait_until_paused
from transforms.tables import TABLE_NAMES


def ingest(home: Path, inputs: list[Path], env: dict[str, str], *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [paperhouse_exe(), "--home", str(home), "ingest", *map(str, inputs), "--captured-on", "2026-11-23", *extra],
        env=env, capture_output=True, text=True, timeout=300,
    )


def start_paused(home: Path, inputs: list[Path], env: dict[str, str], point: str, marker: Path) -> subprocess.Popen:
    env = {**env, "PAPERHOUSE_PAUSE_AT": point, "PAPERHOUSE_PAUSE_FILE": str(marker)}
    proc = subprocess.Popen(
        [paperhouse_exe(), "--home", str(home), "ingest", *map(str, inputs), "--captured-on", "2026-11-23"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    wait_until_paused(proc, marker, point, timeout=120)
    return proc


def snapshot_tables(directory: Path) -> dict[str, pl.DataFrame]:
    return {name: pl.read_parquet(directory / f"{name}.parquet") for name in TABLE_NAMES}


def query_count(catalog: Path, table: str) -> int:
    con = duckdb.connect(str(catalog), read_only=True)
    try:
        return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # table names are fixed literals
    finally:
        con.close()


@pytest.fixture(scope="module")
def reference(prefect_server, tmp_path_factory) -> dict:
    """A complete warehouse of all samples, built without interference, to compare against."""
    tmp = tmp_path_factory.mktemp("reference")
    env = cli_env(prefect_server, tmp)
    inputs = tmp / "inputs"
    inputs.mkdir()
    for f in SAMPLES.glob("*.txt"):
        shutil.copy(f, inputs / f.name)
    home = tmp / "home"
    run = ingest(home, [inputs], env)
    assert run.returncode == 0, run.stderr
    return {"home": home, "inputs": inputs, "tables": snapshot_tables(home / "warehouse" / "current")}


@pytest.mark.parametrize("point", ["during-parse", "during-table-write", "before-switch", "after-switch"])
def test_kill_at_point_keeps_previous_snapshot_and_next_run_heals(prefect_server, reference, tmp_path, point):
    env = cli_env(prefect_server, tmp_path)
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    first = sorted(reference["inputs"].glob("*.txt"))[:2]
    for f in first:
        shutil.copy(f, inputs / f.name)
    home = tmp_path / "home"
    assert ingest(home, [inputs], env).returncode == 0
    warehouse = home / "warehouse"
    before_run = os.readlink(warehouse / "current")
    before = snapshot_tables(warehouse / "current")
    papers_before = query_count(warehouse / "paperhouse.duckdb", "papers")

    for f in sorted(reference["inputs"].glob("*.txt"))[2:]:  # new input arrives
        shutil.copy(f, inputs / f.name)
    proc = start_paused(home, [inputs], env, point, tmp_path / "pause")
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()

    current_target = os.readlink(warehouse / "current")
    if point == "after-switch":
        assert current_target != before_run  # the switch happened: the new snapshot is complete
    else:
        assert current_target == before_run  # nothing a reader uses has changed
        for name, frame in before.items():
            assert_frame_equal(pl.read_parquet(warehouse / "current" / f"{name}.parquet"), frame)
        assert query_count(warehouse / "paperhouse.duckdb", "papers") == papers_before
    # whatever current points at is complete: manifest present, every table readable
    assert (warehouse / "current" / "_snapshot.json").exists()
    for name in TABLE_NAMES:
        pl.read_parquet(warehouse / "current" / f"{name}.parquet")
    assert not [p for p in (warehouse / "current").iterdir() if p.name.startswith(".")]

    healed = ingest(home, [inputs], env)
    assert healed.returncode == 0, healed.stderr
    after = snapshot_tables(warehouse / "current")
    for name in TABLE_NAMES:
        if name in ("listing_entries", "rejects"):  # paths differ between the two homes' inputs
            continue
        assert_frame_equal(after[name], reference["tables"][name], check_row_order=True)
    leftovers = [p.name for p in (warehouse / "snapshots").iterdir() if p.name.startswith(".")]
    assert leftovers == []  # the healing run cleared the crashed run's temporaries


def test_second_writer_waits_or_exits_clearly(prefect_server, reference, tmp_path):
    env = cli_env(prefect_server, tmp_path)
    home = tmp_path / "home"
    holder = start_paused(home, [reference["inputs"]], env, "after-lock", tmp_path / "hold")
    try:
        refused = ingest(home, [reference["inputs"]], env)
        assert refused.returncode == 1
        assert refused.stderr.strip().startswith("error: another ingest is running on")
        assert len(refused.stderr.strip().splitlines()) == 1

        waiter = subprocess.Popen(
            [paperhouse_exe(), "--home", str(home), "ingest", str(reference["inputs"]),
             "--captured-on", "2026-11-23", "--wait", "120"],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        time.sleep(3)
        assert waiter.poll() is None  # still waiting for the lock
        Path(f"{tmp_path / 'hold'}.release").touch()
        assert holder.wait(timeout=120) == 0
        out, err = waiter.communicate(timeout=180)
        assert waiter.returncode == 0, err
        assert "inputs unchanged" in out  # the first run published; the second found nothing new
    finally:
        Path(f"{tmp_path / 'hold'}.release").touch()
        holder.kill()
