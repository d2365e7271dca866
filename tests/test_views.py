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
an aggregate.  Rows are written in a scrambled order; views have no ORDER BY
(order belongs to the query), so each test query orders its rows.

The last tests check the real ``sql/`` files against a real catalog built
from them: every file is a view in the catalog with the columns its header
lists, every view declares exactly the views it reads, and none orders its rows.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import duckdb
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from warehouse.catalog import (
    PLACEHOLDER, CatalogError, ViewFile, build_catalog, create_views, dependency_order, parse_view_file,
    sql_string_literal, view_files,
)
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


@pytest.fixture(scope="module")
def table_dir(tmp_path_factory) -> Path:
    """The hand-made tables written as Parquet files by the project's own writer."""
    tmp_path = tmp_path_factory.mktemp("view-tables")
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
    return tmp_path


@pytest.fixture(scope="module")
def con(table_dir: Path):
    """An in-memory DuckDB with every view of sql/ over the hand-made tables."""
    connection = duckdb.connect()
    create_views(connection, table_dir)
    yield connection
    connection.close()


def query(con: duckdb.DuckDBPyConnection, sql: str) -> pl.DataFrame:
    return pl.from_arrow(con.sql(sql).to_arrow_table())


def test_publications_per_topic_year(con):
    got = query(con, "SELECT * FROM publications_per_topic_year ORDER BY year, category")
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
    got = query(con, "SELECT * FROM publications_per_affiliation_year ORDER BY year, slug")
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
    got = query(con, "SELECT * FROM author_stats ORDER BY n_papers DESC, name")
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
    got = query(con, "SELECT * FROM coauthorship ORDER BY n_papers DESC, name_a, name_b")
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
    got = query(con, "SELECT * FROM code_release_rate ORDER BY year, category")
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
    got = query(con, "SELECT * FROM topic_trends ORDER BY year, category")
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
    got = query(con, "SELECT * FROM papers_wide ORDER BY published_date, paper_id")
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


SQL_FILES = sorted(SQL_DIR.glob("*.sql"))
AGGREGATE_VIEWS = sorted(p.stem for p in SQL_FILES if p.stem not in TABLE_SCHEMAS)


def test_every_aggregate_view_is_tested_here():
    """Each shipped aggregate view has a test_<view> above (found in this module, not a hand-kept list)."""
    assert AGGREGATE_VIEWS, "no aggregate view found in sql/"
    untested = [name for name in AGGREGATE_VIEWS if not callable(globals().get(f"test_{name}"))]
    assert untested == []


def header_lines(text: str) -> list[str]:
    header = []
    for line in text.splitlines():
        if not line.startswith("--"):
            break
        header.append(line)
    return header


def documented_columns(path: Path) -> list[str] | None:
    """The column names a view file's ``-- columns:`` header lists (None: it refers to the table)."""
    header = header_lines(path.read_text(encoding="utf-8"))
    start = next(i for i, line in enumerate(header) if line.startswith("-- columns: "))
    text = header[start].removeprefix("-- columns: ")
    for line in header[start + 1:]:  # continuation lines are indented, other headers are "-- key: ..."
        if re.match(r"^-- \w+: ", line):
            break
        text += " " + line.removeprefix("--")
    if text.startswith("see README"):
        return None
    text = re.sub(r"\([^()]*\)", "", text)  # drop "(0..1)", "(listed order, '; '-separated)"
    return [part.strip() for part in text.split(",")]


def test_real_catalog_has_exactly_the_views_of_sql_with_their_documented_columns(table_dir, tmp_path):
    """A catalog file built by build_catalog, read back with DuckDB, against the files in sql/."""
    catalog = tmp_path / "paperhouse.duckdb"
    build_catalog(catalog, table_dir, "run-1")
    con = duckdb.connect(str(catalog), read_only=True)
    try:
        views = {name for (name,) in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()}
        tables = {name for (name,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        assert views == {p.stem for p in SQL_FILES}
        assert tables == {"paperhouse_snapshot"}
        assert con.execute("SELECT run_id, table_dir FROM paperhouse_snapshot").fetchall() == [
            ("run-1", str(table_dir.resolve()))]
        for path in SQL_FILES:
            columns = [row[0] for row in con.execute(
                "SELECT column_name FROM duckdb_columns() WHERE table_name = ? ORDER BY column_index", [path.stem]
            ).fetchall()]
            expected = documented_columns(path)
            if expected is None:  # a table's view: the published schema
                expected = TABLE_SCHEMAS[path.stem].names
            assert columns == expected, path.name
    finally:
        con.close()


def select_body(view: ViewFile) -> str:
    """The SELECT a view file defines (the text after ``CREATE ... VIEW name AS``), placeholder filled."""
    text = view.sql.replace(PLACEHOLDER, sql_string_literal("/nowhere"))
    tokens = duckdb.tokenize(text)
    ends = [offset for offset, _ in tokens[1:]] + [len(text)]
    words = [(offset, text[offset:end].strip().upper())
             for (offset, kind), end in zip(tokens, ends) if kind != duckdb.token_type.comment]
    view_at = next(i for i, (_, word) in enumerate(words) if word == "VIEW")
    as_at = next(i for i, (_, word) in enumerate(words) if i > view_at and word == "AS")
    return text[words[as_at + 1][0]:].rstrip().rstrip(";")


def parsed(view: ViewFile) -> dict:
    """DuckDB's own parse tree of a view's SELECT (json_serialize_sql)."""
    con = duckdb.connect()
    try:
        tree = json.loads(con.execute("SELECT json_serialize_sql(?)", [select_body(view)]).fetchone()[0])
    finally:
        con.close()
    assert tree["error"] is False, (view.name, tree)
    return tree


def relations_read(tree: dict) -> set[str]:
    found: set[str] = set()

    def walk(node) -> None:
        if isinstance(node, dict):
            if node.get("type") == "BASE_TABLE":
                found.add(node["table_name"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(tree)
    return found


@pytest.mark.parametrize("view", view_files(), ids=lambda v: v.name)
def test_view_declares_exactly_the_views_it_reads(view: ViewFile):
    names = {v.name for v in view_files()}
    reads = relations_read(parsed(view)) & names
    assert reads == set(view.depends_on), f"sql/{view.name}.sql reads {sorted(reads)}"


@pytest.mark.parametrize("view", view_files(), ids=lambda v: v.name)
def test_view_does_not_order_its_rows(view: ViewFile):
    (statement,) = parsed(view)["statements"]
    modifiers = [m["type"] for m in statement["node"].get("modifiers", [])]
    assert "ORDER_MODIFIER" not in modifiers, f"sql/{view.name}.sql has an ORDER BY: order belongs to the query"


def test_views_are_created_after_the_views_they_read():
    ordered = [v.name for v in dependency_order(view_files())]
    for view in view_files():
        for dependency in view.depends_on:
            assert ordered.index(dependency) < ordered.index(view.name), (dependency, view.name)


def _view(name: str, depends_on: str) -> ViewFile:
    return parse_view_file(name, f"-- view: {name}\n-- grain: one row\n-- depends_on: {depends_on}\n"
                                 f"CREATE OR REPLACE VIEW {name} AS SELECT 1 AS x;\n")


def test_a_cycle_or_an_unknown_dependency_is_an_error_naming_the_views():
    with pytest.raises(CatalogError, match="cycle: a, b"):
        dependency_order([_view("a", "b"), _view("b", "a")])
    with pytest.raises(CatalogError, match="view a depends on unknown view.*: nope"):
        dependency_order([_view("a", "nope")])
    with pytest.raises(CatalogError, match="depends_on"):
        parse_view_file("c", "-- grain: one row\nCREATE VIEW c AS SELECT 1;")


def test_an_undeclared_dependency_fails_to_create_instead_of_being_retried(table_dir):
    """Creation follows the declarations only: a view reading an undeclared view that sorts
    after it fails at once, with its name (no catch-and-retry loop hides the mistake)."""
    early = parse_view_file("aaa_early", "-- grain: one row\n-- depends_on: none\n"
                                         "CREATE VIEW aaa_early AS SELECT * FROM zzz_late;\n")
    late = _view("zzz_late", "none")
    con = duckdb.connect()
    try:
        with pytest.raises(CatalogError, match="view aaa_early cannot be created"):
            create_views(con, table_dir, [early, late])
    finally:
        con.close()


@pytest.mark.parametrize("path", SQL_FILES, ids=lambda p: p.name)
def test_sql_file_header_and_single_view(path: Path):
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    header = header_lines(text)
    assert header, f"{path.name} does not start with header comments"
    assert f"-- view: {path.stem}" in header
    grain = [line for line in header if line.startswith("-- grain: ")]
    assert len(grain) == 1 and grain[0].removeprefix("-- grain: ").strip()
    assert len([line for line in header if line.startswith("-- depends_on: ")]) == 1
    assert any(line.startswith("-- columns: ") for line in header)

    body = "\n".join(line for line in lines[len(header):] if not line.lstrip().startswith("--"))
    created = re.findall(r"\bCREATE\s+(?:OR\s+REPLACE\s+)?(?:TEMP(?:ORARY)?\s+)?(\w+)\s+(\w+)", body, re.IGNORECASE)
    assert [(kind.upper(), name) for kind, name in created] == [("VIEW", path.stem)]
    # one statement: nothing after the terminating semicolon
    code = re.sub(r"'(?:[^']|'')*'", "''", body)  # string literals may hold ';'
    assert code.strip().endswith(";") and code.count(";") == 1
    if path.stem in TABLE_SCHEMAS:
        assert f"read_parquet({PLACEHOLDER} || '/{path.stem}.parquet')" in body
