"""Paper dedupe: which entries are one paper, and what the merged paper says."""

from __future__ import annotations

import datetime

import polars as pl
from polars.testing import assert_frame_equal

from tests.conftest import parsed_listing
from transforms.tables import build_tables

CAPTURED = datetime.date(2026, 3, 1)


def tables_for(*files: str) -> dict[str, pl.DataFrame]:
    tables, _quality = build_tables(parsed_listing(*files, captured_on=CAPTURED), "test-run")
    return tables


def test_badge_orgs_and_yearless_date_variants_are_one_paper():
    a = "LGFeb 10, 2026\nTowards Autonomous Mathematics ResearchTony Feng, Trieu H. Trinh · deepmind\nAbs.\n"
    b = "LGFeb 10Code\nTowards autonomous mathematics researchTony Feng, Trieu H. Trinh · mila\nAbs.\n"
    t = tables_for(a, b)
    assert t["rejects"].height == 0 and t["listing_entries"].height == 2
    papers = t["papers"]
    assert papers.height == 1
    row = papers.row(0, named=True)
    assert row["has_code"] is True  # ORed over listings
    assert row["date_precision"] == "day"  # the full date wins over the inferred one
    assert row["published_date"] == datetime.date(2026, 2, 10)
    assert row["n_sources"] == 2 and row["n_entries"] == 2
    slugs = t["paper_affiliations"].join(t["affiliations"], on="affiliation_id")["slug"].sort().to_list()
    assert slugs == ["deepmind", "mila"]  # union of both listings' organisations


def test_same_title_years_apart_stays_two_papers():
    workshop = "LGDec 8, 2019\nA Study of ThingsAda Lovelace\nWorkshop version.\n"
    journal = "LGMar 3, 2021\nA Study of ThingsAda Lovelace\nJournal version.\n"
    papers = tables_for(workshop + journal)["papers"].sort("published_date")
    assert papers["published_date"].to_list() == [datetime.date(2019, 12, 8), datetime.date(2021, 3, 3)]
    assert papers["paper_id"].n_unique() == 2


def test_tex_and_punctuation_do_not_split_a_paper():
    a = "LGMar 31, 2022\nScaling Up Models and Data with $\\texttt{t5x}$ and $\\texttt{seqio}$Adam Roberts\nX.\n"
    b = "LGMar 31, 2022\nScaling up models and data with t5x and seqio.Adam Roberts\nX.\n"
    papers = tables_for(a, b)["papers"]
    assert papers.height == 1
    assert papers["title"].item() == "Scaling Up Models and Data with $\\texttt{t5x}$ and $\\texttt{seqio}$"


def test_paper_ids_do_not_depend_on_row_order():
    a = "LGJun 1, 2023\nFirst PaperAsier Mujika\nA.\n"
    b = "CLJul 7, 2025\nSecond PaperGemini Team, Rohan Anil\nB.\n"
    one = tables_for(a + b)
    two = tables_for(b + a)
    # papers are published in listing order; their content may not depend on it
    assert_frame_equal(one["papers"], two["papers"], check_row_order=False)
    assert one["papers"]["title"].to_list() == ["First Paper", "Second Paper"]
    assert two["papers"]["title"].to_list() == ["Second Paper", "First Paper"]
    assert_frame_equal(one["paper_authors"], two["paper_authors"], check_row_order=False)


def test_group_authors_are_flagged():
    text = "CVAug 13, 2024\nImagen 3Imagen-Team-Google, Jason Baldridge\nA.\n"
    authors = tables_for(text)["authors"].sort("name").select("name", "is_group")
    assert_frame_equal(
        authors, pl.DataFrame({"name": ["Imagen-Team-Google", "Jason Baldridge"], "is_group": [True, False]})
    )
