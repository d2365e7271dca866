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


#: Same title, dates at most this far apart: one paper.
MAX_GAP_DAYS = 60

_PRECISION_RANK = {"day": 0, "day_inferred_year": 1}
#: Columns the dedupe reads from each entry.
DEDUPE_COLUMNS = [
    "entry", "title_hash", "paper_key", "published_date", "date_precision", "n_authors", "authors_truncated",
    "has_code",
]


def assign_papers(entries: pl.DataFrame) -> pl.DataFrame:
    """``entry`` -> ``paper_id``, ``paper`` (the representative's ``entry``: an
    integer key for the paper), ``is_representative`` for every entry.

    ``entries`` has DEDUPE_COLUMNS; ``entry`` numbers entries in source order
    (file name, line), which breaks every tie.  Titles are grouped by
    ``title_hash`` (checked against the keys by the caller); a paper's id is the
    ``paper_key`` (hash of title key and date) of its earliest entry.
    """
    keyed = entries.select(DEDUPE_COLUMNS)
    multi_mask = keyed["title_hash"].is_duplicated()
    single = keyed.filter(~multi_mask).select(
        "entry", pl.col("entry").alias("paper"), pl.lit(True).alias("is_representative"),
        pl.col("paper_key").alias("paper_id"),
    )
    multi = keyed.filter(multi_mask).sort("title_hash", "published_date", "entry")
    same_title = pl.col("title_hash") == pl.col("title_hash").shift(1)
    gap = pl.when(same_title).then((pl.col("published_date") - pl.col("published_date").shift(1)).dt.total_days())
    multi = (
        multi.with_columns(new_paper=gap.is_null() | (gap > MAX_GAP_DAYS))
        .with_columns(
            cluster=pl.col("new_paper").cast(pl.Int64).cum_sum(),
            # dates are sorted within a title: the first entry of a paper is its earliest
            paper_id=pl.when(pl.col("new_paper")).then(pl.col("paper_key")).forward_fill(),
            rank=_representative_rank(),
        )
    )
    chosen = multi.group_by("cluster").agg(pl.col("entry").sort_by("rank").first().alias("paper"))
    multi = multi.join(chosen, on="cluster").select(
        "entry", "paper", (pl.col("entry") == pl.col("paper")).alias("is_representative"), "paper_id"
    )
    return pl.concat([single, multi]).sort("entry")


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
