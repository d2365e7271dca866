"""The aggregate views in sql/, checked against answers worked out by hand.

One small warehouse is written with the project's own writer and the real
``create_views``; every expected row below is written out literally (nothing
is recomputed with SQL or Polars group-bys).  The fixture, in short:

=====  ========  ==========  ====  ===========================================  ==================
paper  category  date        code  authors (position order)                     organisations
=====  ========  ==========  ====  ===========================================  ==================
p1     cs.CL     2022-02-16  yes   Alan Turing, Ada Lovelace, Grace Hopper ...  deepmind, mila
p2     stat.ML   2022-05-01  no    Ada Lovelace, Alan Turing                    (none)
p3     cs.LG     2022-07-10  yes   Gemini Team, Grace Hopper                    deepmind
p4     cs.LG     2023-01-20  no    Grace Hopper, Ada Lovelace                   mila
p5     cs.LG     2023-01-20  yes   Gemini Team                                  deepmind
p6     stat.ML   2023-06-30  no    Barbara Liskov                               (none)
p7     cs.LG     2023-09-12  no    Ada Lovelace, Gemini Team                    (none)
=====  ========  ==========  ====  ===========================================  ==================

Author ids: a1 Ada Lovelace, a2 Grace Hopper, a3 Alan Turing, a4 Gemini Team
(group), a5 Barbara Liskov.  Ids are chosen so that id order, name order and
position order all differ (Alan Turing is first author of p1 but has the
largest id of the three).  Topics hold one category with no paper (cs.CV) and
affiliations one organisation with no paper (openai): neither may appear in
an aggregate.  Rows are written in a scrambled order so the views' ORDER BY
is exercised too.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import duckdb
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from warehouse.catalog import PLACEHOLDER, create_views
from warehouse.schema import TABLE_SCHEMAS
from warehouse.snapshots import write_table

SQL_DIR = Path(__file__).resolve().parents[1] / "sql"
D = dt.date


def _papers() -> pl.DataFrame:
    rows = [
        # paper_id, category, date, has_code, n_listed_authors, authors_truncated
        ("p7", "cs.LG", D(2023, 9, 12), False, 2, False),
        ("p3", "cs.LG", D(2022, 7, 10), True, 2, False),
        ("p5", "cs.LG", D(2023, 1, 20), True, 1, False),
        ("p1", "cs.CL", D(2022, 2, 16), True, 3, True),
        ("p6", "stat.ML", D(2023, 6, 30), False, 1, False),
        ("p4", "cs.LG", D(2023, 1, 20), False, 2, False),
        ("p2", "stat.ML", D(2022, 5, 1), False, 2, False),
    ]
    codes = {"cs.CL": "CL", "cs.LG": "LG", "stat.ML": "ML"}
    return pl.DataFrame(
        {
            "paper_id": [r[0] for r in rows],
            "title": [f"Title {r[0]}" for r in rows],
            "title_key": [f"title {r[0]}" for r in rows],
            "abstract": [f"Abstract of {r[0]}." for r in rows],
            "published_date": [r[2] for r in rows],
            "year": [r[2].year for r in rows],
            "date_precision": ["day"] * len(rows),
            "category": [r[1] for r in rows],
            "category_code": [codes[r[1]] for r in rows],
            "category_ambiguous": [r[1] == "stat.ML" for r in rows],
            "has_code": [r[3] for r in rows],
            "n_listed_authors": [r[4] for r in rows],
            "authors_truncated": [r[5] for r in rows],
            "n_sources": [2 if r[0] == "p1" else 1 for r in rows],
            "n_entries": [2 if r[0] == "p1" else 1 for r in rows],
        }
    )


def _authors() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "author_id": ["a4", "a2", "a5", "a1", "a3"],
            "name": ["Gemini Team", "Grace Hopper", "Barbara Liskov", "Ada Lovelace", "Alan Turing"],
            "is_group": [True, False, False, False, False],
            "name_variants": ["Gemini Team", "Grace Hopper", "Barbara Liskov", "Ada Lovelace", "Alan Turing"],
            "n_variants": [1, 1, 1, 1, 1],
            "n_papers": [3, 3, 1, 4, 2],
            "is_ambiguous": [False] * 5,
        }
    )


def _paper_authors() -> pl.DataFrame:
    rows = [  # deliberately not in (paper, position) order
        ("p1", "a2", 3), ("p1", "a3", 1), ("p1", "a1", 2),
        ("p2", "a3", 2), ("p2", "a1", 1),
        ("p3", "a2", 2), ("p3", "a4", 1),
        ("p4", "a1", 2), ("p4", "a2", 1),
        ("p5", "a4", 1),
        ("p6", "a5", 1),
        ("p7", "a4", 2), ("p7", "a1", 1),
    ]
    names = {"a1": "Ada Lovelace", "a2": "Grace Hopper", "a3": "Alan Turing", "a4": "Gemini Team", "a5": "Barbara Liskov"}
    return pl.DataFrame(
        {
            "paper_id": [r[0] for r in rows],
            "author_id": [r[1] for r in rows],
            "position": [r[2] for r in rows],
            "name_as_listed": [names[r[1]] for r in rows],
        }
    )


def _author_links(authors: pl.DataFrame) -> pl.DataFrame:
    return authors.select(
        "author_id",
        pl.col("name").alias("name_as_listed"),
        "name",
        pl.lit("exact").alias("rule"),
        pl.lit("").alias("evidence"),
        pl.lit(1.0).alias("confidence"),
        pl.lit(False).alias("is_low_confidence"),
        pl.col("n_papers").alias("n_mentions"),
    )


def _affiliations() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "affiliation_id": ["f2", "f3", "f1"],
            "slug": ["mila", "openai", "deepmind"],
            "name": ["Mila", "OpenAI", "Google DeepMind"],
            "ror_id": [None, None, None],
            "is_known": [True, True, True],
            "n_papers": [2, 0, 3],
        },
        schema_overrides={"ror_id": pl.String},
    )


def _paper_affiliations() -> pl.DataFrame:
    rows = [("p5", "f1"), ("p1", "f2"), ("p4", "f2"), ("p3", "f1"), ("p1", "f1")]
    return pl.DataFrame({"paper_id": [r[0] for r in rows], "affiliation_id": [r[1] for r in rows]})


def _topics() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "category": ["cs.LG", "stat.ML", "cs.CV", "cs.CL"],
            "code": ["LG", "ML", "CV", "CL"],
            "name": ["Machine Learning", "Machine Learning", "Computer Vision and Pattern Recognition",
                     "Computation and Language"],
            "archive": ["cs", "stat", "cs", "cs"],
            "code_is_ambiguous": [False, True, False, False],
            "is_code_default": [True, False, True, True],
        }
    )


def _listing_entries(papers: pl.DataFrame) -> pl.DataFrame:
    ids = papers["paper_id"].to_list() + ["p1"]  # p1 listed twice
    return pl.DataFrame(
        {
            "entry_id": [f"e{i}" for i in range(len(ids))],
            "source_file": ["a.txt"] * len(ids),
            "source_line": [1 + 3 * i for i in range(len(ids))],
            "paper_id": ids,
            "content_hash": [f"h{i}" for i in range(len(ids))],
            "run_id": ["run-1"] * len(ids),
            "captured_on": [D(2024, 1, 1)] * len(ids),
            "split_rule": ["strict"] * (len(ids) - 1) + ["fallback"],
            "split_confidence": [0.95] * (len(ids) - 1) + [0.2],
            "has_invalid_bytes": [False] * len(ids),
        }
    )


def _rejects() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "source_file": ["a.txt"],
            "source_line": [40],
            "reason": ["bad_date"],
            "raw": ["LGFeb 30, 2022"],
            "content_hash": ["h-bad"],
            "run_id": ["run-1"],
        }
    )


@pytest.fixture()
def con(tmp_path: Path):
    """An in-memory DuckDB with every view of sql/ over the hand-made tables."""
    papers, authors = _papers(), _authors()
    tables = {
        "papers": papers,
        "authors": authors,
        "author_links": _author_links(authors),
        "paper_authors": _paper_authors(),
        "affiliations": _affiliations(),
        "paper_affiliations": _paper_affiliations(),
        "topics": _topics(),
        "listing_entries": _listing_entries(papers),
        "rejects": _rejects(),
    }
    assert set(tables) == set(TABLE_SCHEMAS)
    for name, frame in tables.items():
        write_table(frame, name, tmp_path / f"{name}.parquet")
    connection = duckdb.connect()
    create_views(connection, tmp_path)
    yield connection
    connection.close()


def query(con: duckdb.DuckDBPyConnection, sql: str) -> pl.DataFrame:
    return pl.from_arrow(con.sql(sql).to_arrow_table())


def test_publications_per_topic_year(con):
    got = query(con, "SELECT * FROM publications_per_topic_year")
    expected = pl.DataFrame(
        {
            # cs.CV is in topics but has no paper: no row
            "category": ["cs.CL", "cs.LG", "stat.ML", "cs.LG", "stat.ML"],
            "topic_code": ["CL", "LG", "ML", "LG", "ML"],
            "topic_name": ["Computation and Language", "Machine Learning", "Machine Learning",
                           "Machine Learning", "Machine Learning"],
            "archive": ["cs", "cs", "stat", "cs", "stat"],
            "year": [2022, 2022, 2022, 2023, 2023],
            "n_papers": [1, 1, 1, 3, 1],
            "n_with_code": [1, 1, 0, 1, 0],
        },
        schema_overrides={"year": pl.Int32, "n_papers": pl.Int64, "n_with_code": pl.Int64},
    )
    assert_frame_equal(got, expected)


def test_publications_per_affiliation_year(con):
    got = query(con, "SELECT * FROM publications_per_affiliation_year")
    # p2, p6 and p7 list no organisation: they count nowhere; openai has no paper: no row.
    expected = pl.DataFrame(
        {
            "affiliation_id": ["f1", "f2", "f1", "f2"],
            "slug": ["deepmind", "mila", "deepmind", "mila"],
            "affiliation_name": ["Google DeepMind", "Mila", "Google DeepMind", "Mila"],
            "year": [2022, 2022, 2023, 2023],
            "n_papers": [2, 1, 1, 1],
        },
        schema_overrides={"year": pl.Int32, "n_papers": pl.Int64},
    )
    assert_frame_equal(got, expected)


def test_author_stats(con):
    got = query(con, "SELECT * FROM author_stats")
    expected = pl.DataFrame(
        {
            "author_id": ["a1", "a4", "a2", "a3", "a5"],
            "name": ["Ada Lovelace", "Gemini Team", "Grace Hopper", "Alan Turing", "Barbara Liskov"],
            "is_group": [False, True, False, False, False],
            "n_papers": [4, 3, 3, 2, 1],
            "first_year": [2022, 2022, 2022, 2022, 2023],
            "last_year": [2023, 2023, 2023, 2022, 2023],
            # Barbara Liskov wrote p6 alone: 0 coauthors, not null and not absent.
            "n_coauthors": [3, 2, 3, 2, 0],
            "n_first_author": [2, 2, 1, 1, 1],
            "topics": ["cs.CL, cs.LG, stat.ML", "cs.LG", "cs.CL, cs.LG", "cs.CL, stat.ML", "stat.ML"],
        },
        schema_overrides={
            "n_papers": pl.Int64, "first_year": pl.Int32, "last_year": pl.Int32,
            "n_coauthors": pl.Int64, "n_first_author": pl.Int64,
        },
    )
    assert_frame_equal(got, expected)


def test_coauthorship(con):
    got = query(con, "SELECT * FROM coauthorship")
    # Each unordered pair once, smaller id first, whatever the listed positions
    # (Alan Turing, a3, is first author of p1 yet is always author b).
    expected = pl.DataFrame(
        {
            "author_id_a": ["a1", "a1", "a1", "a2", "a2"],
            "name_a": ["Ada Lovelace", "Ada Lovelace", "Ada Lovelace", "Grace Hopper", "Grace Hopper"],
            "author_id_b": ["a3", "a2", "a4", "a3", "a4"],
            "name_b": ["Alan Turing", "Grace Hopper", "Gemini Team", "Alan Turing", "Gemini Team"],
            "n_papers": [2, 2, 1, 1, 1],
            "first_year": [2022, 2022, 2023, 2022, 2022],
            "last_year": [2022, 2023, 2023, 2022, 2022],
        },
        schema_overrides={"n_papers": pl.Int64, "first_year": pl.Int32, "last_year": pl.Int32},
    )
    assert_frame_equal(got, expected)
    # Solo authors (a5; a4 on p5) add no pair; no self-pairs.
    assert query(con, "SELECT count(*) AS n FROM coauthorship WHERE author_id_a >= author_id_b")["n"][0] == 0


def test_code_release_rate(con):
    got = query(con, "SELECT * FROM code_release_rate")
    expected = pl.DataFrame(
        {
            "category": ["cs.CL", "cs.LG", "stat.ML", "cs.LG", "stat.ML"],
            "topic_name": ["Computation and Language", "Machine Learning", "Machine Learning",
                           "Machine Learning", "Machine Learning"],
            "year": [2022, 2022, 2022, 2023, 2023],
            "n_papers": [1, 1, 1, 3, 1],
            "n_with_code": [1, 1, 0, 1, 0],
            # a fraction in 0..1 (1 of 3 -> 0.3333), not an integer division and not a percentage
            "code_release_rate": [1.0, 1.0, 0.0, 0.3333, 0.0],
        },
        schema_overrides={"year": pl.Int32, "n_papers": pl.Int64, "n_with_code": pl.Int64},
    )
    assert_frame_equal(got, expected, abs_tol=1e-4)


def test_topic_trends(con):
    got = query(con, "SELECT * FROM topic_trends")
    expected = pl.DataFrame(
        {
            "category": ["cs.CL", "cs.LG", "stat.ML", "cs.LG", "stat.ML"],
            "topic_name": ["Computation and Language", "Machine Learning", "Machine Learning",
                           "Machine Learning", "Machine Learning"],
            "year": [2022, 2022, 2022, 2023, 2023],
            "n_papers": [1, 1, 1, 3, 1],
            "n_papers_year": [3, 3, 3, 4, 4],
            "share_of_year": [1 / 3, 1 / 3, 1 / 3, 0.75, 0.25],
        },
        schema_overrides={"year": pl.Int32, "n_papers": pl.Int64, "n_papers_year": pl.Int64},
    )
    assert_frame_equal(got, expected, abs_tol=1e-9)
    # 2022 splits three ways: shares rounded to 4 places would sum to 0.9999
    sums = query(con, "SELECT year, sum(share_of_year) AS total FROM topic_trends GROUP BY year ORDER BY year")
    assert sums["year"].to_list() == [2022, 2023]
    assert sums["total"].to_list() == pytest.approx([1.0, 1.0], abs=1e-9)


def test_papers_wide(con):
    got = query(con, "SELECT * FROM papers_wide")
    order = ["p1", "p2", "p3", "p4", "p5", "p6", "p7"]  # by published_date, then paper_id (p4/p5 tie)
    expected = pl.DataFrame(
        {
            "paper_id": order,
            "title": [f"Title {p}" for p in order],
            "published_date": [D(2022, 2, 16), D(2022, 5, 1), D(2022, 7, 10), D(2023, 1, 20),
                               D(2023, 1, 20), D(2023, 6, 30), D(2023, 9, 12)],
            "year": [2022, 2022, 2022, 2023, 2023, 2023, 2023],
            "category": ["cs.CL", "stat.ML", "cs.LG", "cs.LG", "cs.LG", "stat.ML", "cs.LG"],
            "topic_name": ["Computation and Language", "Machine Learning", "Machine Learning",
                           "Machine Learning", "Machine Learning", "Machine Learning", "Machine Learning"],
            "has_code": [True, False, True, False, True, False, False],
            # listed order (position), not name or id order
            "authors": [
                "Alan Turing; Ada Lovelace; Grace Hopper",
                "Ada Lovelace; Alan Turing",
                "Gemini Team; Grace Hopper",
                "Grace Hopper; Ada Lovelace",
                "Gemini Team",
                "Barbara Liskov",
                "Ada Lovelace; Gemini Team",
            ],
            "authors_truncated": [True, False, False, False, False, False, False],
            "n_listed_authors": [3, 2, 2, 2, 1, 1, 2],
            "affiliations": ["Google DeepMind; Mila", None, "Google DeepMind", "Mila", "Google DeepMind", None, None],
            "n_sources": [2, 1, 1, 1, 1, 1, 1],
            "abstract": [f"Abstract of {p}." for p in order],
        },
        schema_overrides={"year": pl.Int32, "n_listed_authors": pl.Int32, "n_sources": pl.Int32,
                          "affiliations": pl.String},
    )
    assert_frame_equal(got, expected)


def test_low_confidence_splits(con):
    """Only the fallback entry (confidence 0.2) is listed, with its paper's title and authors."""
    got = query(con, "SELECT entry_id, split_rule, split_confidence, paper_title, paper_authors, category, paper_year "
                     "FROM low_confidence_splits")
    papers = query(con, "SELECT paper_id, title, category, year FROM papers")
    entries = query(con, "SELECT entry_id, paper_id FROM listing_entries")
    last = entries.filter(pl.col("entry_id") == f"e{entries.height - 1}").row(0, named=True)
    paper = papers.filter(pl.col("paper_id") == last["paper_id"]).row(0, named=True)
    authors = con.execute("SELECT string_agg(name_as_listed, ', ' ORDER BY position) FROM paper_authors "
                          "WHERE paper_id = ?", [paper["paper_id"]]).fetchone()[0]
    assert got.rows() == [(last["entry_id"], "fallback", 0.2, paper["title"], authors, paper["category"], paper["year"])]


AGGREGATE_VIEWS = [
    "publications_per_topic_year", "publications_per_affiliation_year", "author_stats",
    "coauthorship", "code_release_rate", "topic_trends", "papers_wide", "low_confidence_splits",
]


def test_every_aggregate_view_is_tested_here():
    shipped = {p.stem for p in SQL_DIR.glob("*.sql")} - set(TABLE_SCHEMAS)
    assert shipped == set(AGGREGATE_VIEWS)


@pytest.mark.parametrize("path", sorted(SQL_DIR.glob("*.sql")), ids=lambda p: p.name)
def test_sql_file_header_and_single_view(path: Path):
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    header = []
    for line in lines:
        if not line.startswith("--"):
            break
        header.append(line)
    assert header, f"{path.name} does not start with header comments"
    assert f"-- view: {path.stem}" in header
    grain = [line for line in header if line.startswith("-- grain: ")]
    assert len(grain) == 1 and grain[0].removeprefix("-- grain: ").strip()
    assert any(line.startswith("-- columns: ") for line in header)

    body = "\n".join(line for line in lines[len(header):] if not line.lstrip().startswith("--"))
    created = re.findall(r"\bCREATE\s+(?:OR\s+REPLACE\s+)?(?:TEMP(?:ORARY)?\s+)?(\w+)\s+(\w+)", body, re.IGNORECASE)
    assert [(kind.upper(), name) for kind, name in created] == [("VIEW", path.stem)]
    # one statement: nothing after the terminating semicolon
    code = re.sub(r"'(?:[^']|'')*'", "''", body)  # string literals may hold ';'
    assert code.strip().endswith(";") and code.count(";") == 1
    if path.stem in TABLE_SCHEMAS:
        assert f"read_parquet({PLACEHOLDER} || '/{path.stem}.parquet')" in body
