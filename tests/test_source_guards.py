"""A source that shrinks, or stops being a listing, must not empty the warehouse."""

from __future__ import annotations

import shutil

import polars as pl
import pytest

from flows.guards import FormatAlarm, ShrinkRefused
from tests.conftest import SAMPLES, plain_ingest, write_listing

BIG = SAMPLES / "001_fddaf41e1dd2e878.txt"  # 50 records


def papers(home) -> pl.DataFrame:
    return pl.read_parquet(home / "warehouse" / "current" / "papers.parquet")


def test_a_page_that_shrinks_to_one_line_keeps_its_previous_records(tmp_path):
    inbox = tmp_path / "inbox"
    shutil.copytree(SAMPLES, inbox)
    first, _ = plain_ingest(tmp_path / "home", [inbox])
    before = papers(tmp_path / "home")
    write_listing(inbox / BIG.name, "<html><body>Please enable JavaScript to continue.</body></html>\n")
    summary, _ = plain_ingest(tmp_path / "home", [inbox])
    assert summary["kept_after_shrink"] == [
        {"source": str(inbox / BIG.name), "records_before": 50, "records_now": 0}
    ]
    assert papers(tmp_path / "home").sort("paper_id").equals(before.sort("paper_id"))
    assert summary["run_id"] == first["run_id"]  # the previous version is what the warehouse holds


def test_accept_shrink_takes_the_new_content(tmp_path):
    inbox = tmp_path / "inbox"
    shutil.copytree(SAMPLES, inbox)
    plain_ingest(tmp_path / "home", [inbox])
    n_before = papers(tmp_path / "home").height
    write_listing(inbox / BIG.name, "LGFeb 16, 2022\nA Lone PaperAda Lovelace\nAbstract.\n")
    summary, _ = plain_ingest(tmp_path / "home", [inbox], accept_shrink=True)
    assert summary["kept_after_shrink"] == []
    assert summary["sources"]["changed"] == 1
    assert papers(tmp_path / "home").height < n_before


def test_shrunk_source_without_its_previous_parse_is_refused(tmp_path):
    inbox = tmp_path / "inbox"
    shutil.copytree(SAMPLES, inbox)
    plain_ingest(tmp_path / "home", [inbox])
    shutil.rmtree(tmp_path / "home" / "warehouse" / "cache")
    write_listing(inbox / BIG.name, "junk\n")
    with pytest.raises(ShrinkRefused, match="shrank from 50 to 0 records"):
        plain_ingest(tmp_path / "home", [inbox])


def test_a_new_page_that_is_not_a_listing_is_quarantined_and_the_rest_publishes(tmp_path):
    inbox = tmp_path / "inbox"
    shutil.copytree(SAMPLES, inbox)
    page = write_listing(inbox / "login.txt", "".join(f"<div>menu item {i}</div>\n" for i in range(40)))
    summary, layout = plain_ingest(tmp_path / "home", [inbox])
    assert summary["quarantined"] == [str(page)]
    assert papers(tmp_path / "home").height == 97
    rejects = pl.read_parquet(layout.current / "rejects.parquet")
    assert rejects.filter(pl.col("source_file") == str(page))["raw"].str.count_matches("\n").sum() + 1 == 40


def test_all_new_input_quarantined_publishes_nothing(tmp_path):
    inbox = tmp_path / "inbox"
    for n in range(3):
        write_listing(inbox / f"page{n}.txt", "".join(f"<p>redesigned {i}</p>\n" for i in range(20)))
    with pytest.raises(FormatAlarm, match="no listing record"):
        plain_ingest(tmp_path / "home", [inbox])
    assert not (tmp_path / "home" / "warehouse" / "current").exists()
