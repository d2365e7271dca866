"""The ingest flow end to end: real Prefect, real files, real Parquet and DuckDB."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import polars as pl
import pyarrow.parquet as pq
import pytest
from polars.testing import assert_frame_equal

from tests.conftest import flow_ingest, CAPTURED_ON, SAMPLES, write_listing
from transforms.tables import TABLE_NAMES
from warehouse.schema import TABLE_SCHEMAS


def read_tables(directory: Path) -> dict[str, pl.DataFrame]:
    return {name: pl.read_parquet(directory / f"{name}.parquet") for name in TABLE_NAMES}


def test_every_table_has_the_documented_columns_and_types(sample_warehouse):
    current = sample_warehouse["layout"].current
    for name, schema in TABLE_SCHEMAS.items():
        written = pq.read_schema(current / f"{name}.parquet")
        assert written.names == schema.names, name
        assert [f.type for f in written] == [f.type for f in schema], name


def test_counts_on_the_samples(sample_warehouse):
    summary = sample_warehouse["summary"]
    assert summary["published_new"] is True
    assert summary["n_entries"] == 104
    assert summary["n_rejects"] == 0
    assert summary["table_rows"]["papers"] == 97


def test_views_answer_from_another_working_directory(sample_warehouse, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    catalog = sample_warehouse["layout"].catalog
    con = duckdb.connect(str(catalog), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM papers").fetchone() == (97,)
        per_topic = con.execute(
            "SELECT sum(n_papers) FROM publications_per_topic_year"
        ).fetchone()
        assert per_topic == (97,)
        lg_2016 = con.execute(
            "SELECT n_papers FROM publications_per_topic_year WHERE category = 'cs.LG' AND year = 2016"
        ).fetchone()
        # counted by hand in the seeds: nine LG headers dated 2016, none of them duplicates
        assert lg_2016 == (9,)
    finally:
        con.close()


def test_every_record_is_an_entry_or_a_reject(sample_warehouse):
    current = sample_warehouse["layout"].current
    entries = pl.read_parquet(current / "listing_entries.parquet")
    per_file = entries.group_by("source_file").len().sort("source_file")
    expected = pl.DataFrame(
        {
            "source_file": [str(p) for p in sorted(SAMPLES.glob("*.txt"))],
            "len": [12, 50, 21, 21],
        },
        schema_overrides={"len": pl.UInt32},
    )
    assert_frame_equal(per_file, expected)
    # every entry points at a paper that exists
    papers = pl.read_parquet(current / "papers.parquet")
    assert entries.join(papers, on="paper_id", how="anti").height == 0


def test_rerun_on_same_input_publishes_nothing_and_tables_are_identical(prefect_harness, sample_warehouse):

    layout = sample_warehouse["layout"]
    before = read_tables(layout.current)
    summary = flow_ingest(str(layout.home), [str(SAMPLES)], captured_on=CAPTURED_ON)
    assert summary["published_new"] is False
    assert summary["run_id"] == sample_warehouse["summary"]["run_id"]
    after = read_tables(layout.current)
    for name in TABLE_NAMES:
        assert_frame_equal(before[name], after[name])


def test_fresh_rebuild_elsewhere_gives_identical_tables(prefect_harness, sample_warehouse, tmp_path):
    """Ids derive from content, so a new home with the same input reproduces every table."""

    summary = flow_ingest(str(tmp_path), [str(SAMPLES)], captured_on=CAPTURED_ON)
    assert summary["published_new"] is True
    original = read_tables(sample_warehouse["layout"].current)
    rebuilt = read_tables(tmp_path / "warehouse" / "current")
    for name in TABLE_NAMES:
        assert_frame_equal(original[name], rebuilt[name])


def test_bad_records_are_quarantined_beside_good_ones(prefect_harness, tmp_path):

    good = "LGFeb 16, 2022Code\nA Good TitleRobert Meier, Asier Mujika\nAn abstract.\n"
    bad_date = "LGFeb 30, 2022\nAnother TitleFlorian Meier\nAbstract two.\n"
    no_abstract = "CLMar 1, 2021\nThird TitleAngelika Steger\n"
    listing = write_listing(tmp_path / "in" / "mixed.txt", good + bad_date + no_abstract + good.replace("Good", "Fine"))
    summary = flow_ingest(str(tmp_path / "home"), [str(listing)], captured_on=CAPTURED_ON, max_reject_share=1.0)
    current = tmp_path / "home" / "warehouse" / "current"
    rejects = pl.read_parquet(current / "rejects.parquet").select("source_file", "source_line", "reason")
    assert_frame_equal(
        rejects,
        pl.DataFrame(
            {
                "source_file": [str(listing)] * 2,
                "source_line": [4, 7],
                "reason": ["invalid date", "record has no abstract line"],
            }
        ),
    )
    assert summary["n_entries"] == 2
    assert pl.read_parquet(current / "papers.parquet")["title"].sort().to_list() == ["A Fine Title", "A Good Title"]


def test_format_alarm_publishes_nothing(prefect_harness, tmp_path):
    from flows.ingest import FormatAlarm

    junk = "".join(f"this is not a listing line {i}\n\n" for i in range(30))
    listing = write_listing(tmp_path / "junk.txt", junk + (SAMPLES / "000_bac2de915468d2e7.txt").read_text())
    with pytest.raises(FormatAlarm):
        flow_ingest(str(tmp_path / "home"), [str(listing)], captured_on=CAPTURED_ON)
    assert not os.path.lexists(tmp_path / "home" / "warehouse" / "current")
