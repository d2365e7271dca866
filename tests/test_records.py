"""Cutting raw text into records: broken input loses nothing and stops nothing."""

from __future__ import annotations

import datetime

import polars as pl
from polars.testing import assert_frame_equal

from transforms.parse import parse_sources
from tests.conftest import examples, parsed_listing

GOOD = "LGFeb 16, 2022Code\nOpen-Ended RL with Neural Reward FunctionsRobert Meier, Asier Mujika\nAbstract one.\n"
GOOD2 = "CLDec 19, 2023\nGemini: A Family of Highly Capable Multimodal ModelsGemini Team, Rohan Anil et al.\nAbstract two.\n"


def parse(text: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    parsed = parsed_listing(text, names=["x.txt"])
    entries, rejects = pl.collect_all([parsed.entries, parsed.rejects])
    return entries.sort("source_line"), rejects.sort("source_line")


def test_crlf_bom_and_blank_lines_parse_like_clean_text():
    clean, _ = parse(GOOD + GOOD2)
    messy, rejects = parse("\ufeff" + ("\n\n" + GOOD + "\n" + GOOD2 + "\n\n\n").replace("\n", "\r\n"))
    assert rejects.height == 0
    cols = ["title", "authors", "published_date", "has_code", "authors_truncated", "category"]
    assert_frame_equal(clean.select(cols), messy.select(cols))


def test_missing_date_line_rejects_only_the_orphaned_lines():
    orphan = "\n".join(GOOD2.splitlines()[1:]) + "\n"
    entries, rejects = parse(GOOD + orphan + GOOD)
    assert entries["source_line"].to_list() == [1, 6]
    assert rejects.select("source_line", "reason").rows() == [(4, "text outside a record (no date line above it)")]
    assert rejects["raw"].item() == orphan.rstrip("\n")


def test_missing_abstract_and_bad_date_and_junk():
    text = "garbage\x00\x01 header\n" + GOOD + "LGFeb 30, 2022\nTitleAda Lovelace\nAbs.\n" + "CLMar 1, 2021\nTitle TwoAda Lovelace\n" + GOOD2
    entries, rejects = parse(text)
    assert entries["source_line"].to_list() == [2, 10]
    assert rejects.select("source_line", "reason").rows() == [
        (1, "text outside a record (no date line above it)"),
        (5, "invalid date"),
        (8, "record has no abstract line"),
    ]


def test_unsplittable_title_line_is_kept_with_a_fallback_split():
    """Issue 15: a record with a valid header and abstract is never rejected for its split."""
    entries, rejects = parse("LGFeb 16, 2022\nall lowercase words and no author at all\nAbs.\n" + GOOD)
    assert rejects.height == 0
    kept = entries.filter(pl.col("source_line") == 1).row(0, named=True)
    assert (kept["title"], kept["authors"], kept["split_rule"]) == ("all lowercase words and no author at all", [], "fallback")
    assert kept["split_confidence"] == 0.0


def test_yearless_dates_take_the_capture_year_or_the_one_before():
    entries, _ = parse("LGFeb 10\nA TitleAda Lovelace\nA.\nLGDec 24\nB TitleAda Lovelace\nB.\n")
    assert entries.select("published_date", "date_precision").rows() == [
        (datetime.date(2026, 2, 10), "day_inferred_year"),
        (datetime.date(2025, 12, 24), "day_inferred_year"),  # after the 2026-03-01 capture: last year
    ]


def test_replacement_characters_are_flagged_not_dropped():
    text = GOOD.replace("Abstract one.", "Abstract \ufffd one.")
    entries, rejects = parse(text)
    assert rejects.height == 0
    assert entries["has_invalid_bytes"].to_list() == [True]


def test_lines_that_were_not_utf8_flag_their_record_only():
    sources = pl.LazyFrame(
        {"source_file": ["x.txt"], "text": [GOOD + GOOD2], "captured_on": [datetime.date(2026, 3, 1)],
         "invalid_lines": [[5]]},
    )
    entries = parse_sources(sources).entries.collect().sort("source_line")
    assert entries.select("source_line", "has_invalid_bytes").rows() == [(1, False), (4, True)]


def test_clean_long_text_equals_clean_text():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from transforms.text import clean_long_text, clean_text

    @settings(max_examples=examples(300), deadline=None)
    @given(st.lists(st.text(alphabet=st.sampled_from(list("ab é\u0301\t\u00a0 ÅZ\n")), max_size=30), max_size=8))
    def check(values):
        frame = pl.DataFrame({"v": values}, schema={"v": pl.String})
        fast = frame.select(clean_long_text(pl.col("v")))["v"]
        slow = frame.select(clean_text(pl.col("v")))["v"]
        assert fast.to_list() == slow.to_list()

    check()
