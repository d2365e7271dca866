"""Collapse listing entries into distinct papers.

A paper is identified by its title key (folded, TeX and punctuation
neutralised, computed at parse time) plus its date.  Entries with the same
key whose dates lie within :data:`MAX_GAP_DAYS` of each other are one paper
(a yearless date, a badge added later or another organisation list do not
split it); the same title with dates further apart -- a workshop and a journal
version years apart -- stays two papers.  Dates are chained (each within the
gap of the previous), which is done with a sorted ``diff`` and a cumulative
sum, not pairwise.

Nine entries in ten are the only listing of their title, so they are papers on
their own: only titles listed more than once are sorted and chained, and only
their papers need a representative chosen among several entries.
"""

from __future__ import annotations

import polars as pl

from transforms.ids import stable_id

#: Same title, dates at most this far apart: one paper.
MAX_GAP_DAYS = 60

_PRECISION_RANK = {"day": 0, "day_inferred_year": 1}
#: Columns the dedupe reads from each entry.
DEDUPE_COLUMNS = [
    "entry", "src", "source_line", "title_key", "published_date", "date_precision",
    "n_authors", "authors_truncated", "has_code",
]


def assign_papers(entries: pl.DataFrame) -> pl.DataFrame:
    """``entry`` -> ``paper_id``, ``paper`` (the representative's ``entry``: an
    integer key for the paper), ``is_representative`` for every entry.

    ``entries`` has DEDUPE_COLUMNS; ``entry`` numbers entries in source order
    (``src``, ``source_line``), which breaks every tie the same way as sorting by
    file name and line.
    """
    keyed = entries.select(DEDUPE_COLUMNS).with_columns(multi=pl.col("title_key").is_duplicated())
    single = keyed.filter(~pl.col("multi"))
    multi = keyed.filter(pl.col("multi")).sort("title_key", "published_date", "entry")
    gap = pl.col("published_date").diff().over("title_key").dt.total_days()
    multi = (
        multi.with_columns(new_paper=gap.is_null() | (gap > MAX_GAP_DAYS))
        .with_columns(cluster=pl.col("new_paper").cast(pl.Int64).cum_sum())
        .with_columns(first_date=pl.col("published_date").min().over("cluster"))
        .with_columns(_representative_rank().alias("rank"))
        .with_columns(paper=pl.col("entry").sort_by("rank").first().over("cluster"))
        .with_columns(is_representative=pl.col("entry") == pl.col("paper"))
    )
    single = single.with_columns(
        first_date=pl.col("published_date"), paper=pl.col("entry"), is_representative=pl.lit(True)
    )
    columns = ["entry", "title_key", "first_date", "paper", "is_representative"]
    both = pl.concat([single.select(columns), multi.select(columns)])
    reps = both.filter(pl.col("is_representative")).select(
        "paper", stable_id(pl.col("title_key"), pl.col("first_date")).alias("paper_id")
    )
    return both.select("entry", "paper", "is_representative").join(reps, on="paper").sort("entry")


def _representative_rank() -> pl.Expr:
    """One sortable key per entry: which entry speaks for a paper -- most precise
    date, most authors shown, untruncated, with code, then location (``entry``)."""
    precision = pl.col("date_precision").replace_strict(_PRECISION_RANK, default=9, return_dtype=pl.Int64)
    authors = (1_000 - pl.col("n_authors").cast(pl.Int64).clip(0, 999))
    return (
        precision * 10**15
        + authors * 10**12
        + pl.col("authors_truncated").cast(pl.Int64) * 10**11
        + (~pl.col("has_code")).cast(pl.Int64) * 10**10
        + pl.col("entry").cast(pl.Int64)
    )


def paper_facts(entries: pl.DataFrame) -> pl.DataFrame:
    """Per paper (``paper_id``, ``paper``): merged facts over all its entries.

    A merged paper ORs ``has_code``, counts the longest author list shown,
    distinct source files and entries.  ``entries`` carries ``paper`` and
    ``paper_id`` from :func:`assign_papers`.
    """
    return entries.group_by("paper").agg(
        pl.col("paper_id").first(),
        pl.col("has_code").any(),
        pl.col("n_authors").max().cast(pl.Int32).alias("n_listed_authors"),
        pl.col("src").n_unique().cast(pl.Int32).alias("n_sources"),
        pl.len().cast(pl.Int32).alias("n_entries"),
    )
