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
    file name and line.  Titles are grouped by a 64-bit hash of their key (an
    in-memory grouping aid, never stored); a hash shared by two different keys
    is detected and those titles take the exact, string-keyed path.
    """
    keyed = entries.select(DEDUPE_COLUMNS).with_columns(tk=pl.col("title_key").hash())
    multi_mask = keyed["tk"].is_duplicated()
    single = keyed.filter(~multi_mask)
    multi = keyed.filter(multi_mask)
    if multi.height and multi.select(pl.col("title_key").n_unique().over("tk").max()).item() > 1:
        multi = multi.with_columns(tk=pl.col("title_key").rank("dense").cast(pl.UInt64))  # a hash collision
    multi = multi.sort("tk", "published_date", "entry")
    same_title = pl.col("tk") == pl.col("tk").shift(1)
    gap = pl.when(same_title).then((pl.col("published_date") - pl.col("published_date").shift(1)).dt.total_days())
    multi = (
        multi.with_columns(new_paper=gap.is_null() | (gap > MAX_GAP_DAYS))
        .with_columns(
            cluster=pl.col("new_paper").cast(pl.Int64).cum_sum(),
            # dates are sorted within a title, so a paper's first date is its first entry's
            first_date=pl.when(pl.col("new_paper")).then(pl.col("published_date")).forward_fill(),
            rank=_representative_rank(),
        )
    )
    chosen = multi.group_by("cluster").agg(pl.col("entry").sort_by("rank").first().alias("paper"))
    multi = multi.join(chosen, on="cluster").with_columns(is_representative=pl.col("entry") == pl.col("paper"))
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
