"""Dates: impossible days and implausible years are rejected with their reason."""

from __future__ import annotations

import datetime

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import examples
from transforms.parse import MAX_YEARS_AFTER_CAPTURE, MIN_YEAR, REASON_BAD_DATE, REASON_DATE_RANGE, parse_texts

CAPTURED = datetime.date(2026, 11, 23)


def parse_one(header: str, captured_on: datetime.date = CAPTURED) -> tuple[pl.DataFrame, pl.DataFrame]:
    chunk = parse_texts([f"{header}\nA TitleAda Lovelace\nAn abstract.\n"], [captured_on])
    return chunk.entries, chunk.rejects


@settings(max_examples=examples(200), deadline=None)
@given(year=st.integers(0, 9999), month=st.integers(1, 12), day=st.integers(1, 28))
def test_listed_years_outside_the_plausible_range_are_rejected(year, month, day):
    month_name = datetime.date(2001, month, 1).strftime("%b")
    entries, rejects = parse_one(f"LG{month_name} {day}, {year:04d}")
    plausible = MIN_YEAR <= year <= CAPTURED.year + MAX_YEARS_AFTER_CAPTURE
    if plausible:
        assert entries["published_date"].to_list() == [datetime.date(year, month, day)]
        assert rejects.height == 0
    elif year == 0:  # there is no year 0
        assert rejects["reason"].to_list() == [REASON_BAD_DATE]
    else:
        assert entries.height == 0
        assert rejects["reason"].to_list() == [REASON_DATE_RANGE]


def test_impossible_days_are_invalid_dates_and_leap_days_are_checked():
    for header, ok in [("LGFeb 29, 2024", True), ("LGFeb 29, 2023", False), ("LGApr 31, 2020", False),
                       ("LGDec 31, 2020", True), ("LGJan 0, 2020", False), ("LGFeb 29, 2000", True),
                       ("LGFeb 29, 1900", False)]:
        entries, rejects = parse_one(header)
        assert (entries.height == 1) is ok, header
        if not ok:
            assert rejects["reason"].to_list() in ([REASON_BAD_DATE], [REASON_DATE_RANGE]), header


def test_yearless_dates_never_fall_outside_the_range():
    entries, _ = parse_one("LGDec 31", captured_on=datetime.date(2026, 1, 1))
    assert entries["published_date"].to_list() == [datetime.date(2025, 12, 31)]
    assert entries["date_precision"].to_list() == ["day_inferred_year"]
