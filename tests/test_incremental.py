"""Incremental runs equal full rebuilds, and unchanged input costs almost nothing."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from tests.conftest import flow_ingest, CAPTURED_ON, SAMPLES
from transforms.tables import TABLE_NAMES

FILES = sorted(SAMPLES.glob("*.txt"))
RECORDS = {f.name: n for f, n in zip(FILES, [12, 50, 21, 21])}


def run(home: Path, paths: list[Path], **kwargs) -> dict:

    return flow_ingest(str(home), [str(p) for p in paths], captured_on=CAPTURED_ON, **kwargs)


def tables(home: Path) -> dict[str, pl.DataFrame]:
    return {n: pl.read_parquet(home / "warehouse" / "current" / f"{n}.parquet") for n in TABLE_NAMES}


def assert_same_warehouse(a: Path, b: Path) -> None:
    ta, tb = tables(a), tables(b)
    for name in TABLE_NAMES:
        assert_frame_equal(ta[name], tb[name], check_row_order=True)


@pytest.fixture()
def inbox(tmp_path: Path) -> Path:
    box = tmp_path / "inbox"
    box.mkdir()
    for f in FILES[:2]:
        shutil.copy2(f, box / f.name)
    return box


def test_new_file_parses_only_its_records_and_equals_a_full_rebuild(prefect_harness, inbox, tmp_path):
    home = tmp_path / "home"
    first = run(home, [inbox])
    assert first["sources"] == {"new": 2, "changed": 0, "unchanged": 0, "removed": 0}
    shutil.copy2(FILES[2], inbox / FILES[2].name)

    second = run(home, [inbox])
    assert second["sources"] == {"new": 1, "changed": 0, "unchanged": 2, "removed": 0}
    assert second["n_records_parsed"] == RECORDS[FILES[2].name]
    assert second["n_bytes_read"] == FILES[2].stat().st_size  # unchanged files were not even read
    # 21 records; Gemini, Gemini 1.5, Gemini 2.5 and "Learning to Navigate in Complex
    # Environments" are already listed in the first two files
    assert second["papers_added"] == 17

    scratch = tmp_path / "scratch"
    rebuilt = run(scratch, [inbox])
    assert rebuilt["run_id"] == second["run_id"]
    assert_same_warehouse(home, scratch)


def test_unchanged_input_is_a_no_op(prefect_harness, inbox, tmp_path):
    home = tmp_path / "home"
    first = run(home, [inbox])
    again = run(home, [inbox])
    assert again["published_new"] is False and again["switched"] is False
    assert again["run_id"] == first["run_id"]
    assert again["n_bytes_read"] == 0 and again["n_records_parsed"] == 0
    assert again["sources"]["unchanged"] == 2
    snapshots = [p for p in (home / "warehouse" / "snapshots").iterdir() if not p.name.startswith(".")]
    assert len(snapshots) == 1


def test_changed_file_reparses_only_itself(prefect_harness, inbox, tmp_path):
    home = tmp_path / "home"
    run(home, [inbox])
    target = inbox / FILES[0].name
    text = target.read_text(encoding="utf-8")
    target.write_text(text.replace("Hierarchical Attention Encoder Decoder", "Hierarchical Attention Encoder Decoder Networks"), encoding="utf-8")
    os.utime(target, ns=(target.stat().st_atime_ns, target.stat().st_mtime_ns + 10**9))

    summary = run(home, [inbox])
    assert summary["sources"] == {"new": 0, "changed": 1, "unchanged": 1, "removed": 0}
    assert summary["n_records_parsed"] == RECORDS[FILES[0].name]
    assert (summary["papers_added"], summary["papers_removed"]) == (1, 1)  # the retitled paper

    scratch = tmp_path / "scratch"
    run(scratch, [inbox])
    assert_same_warehouse(home, scratch)


def test_removed_file_drops_papers_nobody_else_lists(prefect_harness, inbox, tmp_path):
    home = tmp_path / "home"
    run(home, [inbox])
    before = tables(home)["papers"]
    (inbox / FILES[0].name).unlink()

    summary = run(home, [inbox])
    assert summary["sources"]["removed"] == 1
    after = tables(home)["papers"]
    # 12 records in the removed file: 10 papers only it listed, 2 (the Gemini reports) also in the other file
    assert before.height - after.height == 10
    gemini = after.filter(pl.col("title").str.starts_with("Gemini 2.5"))
    assert gemini.height == 1 and gemini["n_sources"].item() == 1

    scratch = tmp_path / "scratch"
    run(scratch, [inbox])
    assert_same_warehouse(home, scratch)


def test_sources_accumulate_across_runs_and_full_refresh_rebuilds(prefect_harness, tmp_path):
    home = tmp_path / "home"
    run(home, [FILES[0]])
    summary = run(home, [FILES[1]])  # naming one new file keeps the earlier one
    assert summary["sources"] == {"new": 1, "changed": 0, "unchanged": 1, "removed": 0}
    refreshed = run(home, [], full_refresh=True)
    assert refreshed["n_records_parsed"] == RECORDS[FILES[0].name] + RECORDS[FILES[1].name]
    assert refreshed["run_id"] == summary["run_id"]  # same inputs, same code: same snapshot


def test_full_refresh_keeps_each_sources_recorded_capture_date(prefect_harness, tmp_path):
    """Files whose modification day is far from their capture day: a refresh that names
    nothing must re-read them under the capture date the manifest recorded, not their mtime."""
    import json

    box = tmp_path / "box"
    box.mkdir()
    for f in FILES[:2]:
        shutil.copy(f, box / f.name)
        os.utime(box / f.name, ns=(978_307_200 * 10**9, 978_307_200 * 10**9))  # 2001-01-01
    home = tmp_path / "home"
    first = run(home, [box])
    refreshed = ingest_full_refresh(home)
    assert refreshed["n_records_parsed"] == RECORDS[FILES[0].name] + RECORDS[FILES[1].name]
    assert refreshed["sources"] == {"new": 0, "changed": 0, "unchanged": 2, "removed": 0}
    assert refreshed["run_id"] == first["run_id"]
    manifest = json.loads((home / "warehouse" / "current" / "_snapshot.json").read_text())
    assert {s["captured_on"] for s in manifest["sources"]} == {CAPTURED_ON.isoformat()}


def ingest_full_refresh(home: Path) -> dict:

    return flow_ingest(str(home), [], full_refresh=True)
