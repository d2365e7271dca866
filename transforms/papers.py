"""Collapse listing entries into distinct papers.

A paper is identified by its title key (folded, TeX and punctuation
neutralised) plus its date.  Entries with the same key whose dates lie within
:data:`MAX_GAP_DAYS` of each other are one paper (a yearless date, a badge
added later or another organisation list do not split it); the same title
with dates further apart -- a workshop and a journal version years apart --
stays two papers.  Dates are chained (each within the gap of the previous),
which is done with a sorted ``diff`` and a cumulative sum, not pairwise.
"""

from __future__ import annotations

import polars as pl

from transforms.ids import stable_id
from transforms.text import title_key

#: Same title, dates at most this far apart: one paper.
MAX_GAP_DAYS = 60

_PRECISION_RANK = {"day": 0, "day_inferred_year": 1}


def assign_papers(entries: pl.LazyFrame) -> pl.LazyFrame:
    """Add ``title_key`` and ``paper_id`` to every entry."""
    keyed = entries.with_columns(title_key=title_key(pl.col("title"))).sort(
        "title_key", "published_date", "source_file", "source_line"
    )
    gap = pl.col("published_date").diff().over("title_key").dt.total_days()
    return (
        keyed.with_columns(new_paper=gap.is_null() | (gap > MAX_GAP_DAYS))
        .with_columns(cluster=pl.col("new_paper").cast(pl.Int64).cum_sum())
        .with_columns(
            paper_id=stable_id(pl.col("title_key"), pl.col("published_date").min().over("cluster"))
        )
        .drop("new_paper", "cluster")
    )


def representative_order() -> list[pl.Expr]:
    """How to pick the entry that speaks for a paper: most precise date, most
    authors shown, untruncated, with code, then location (for determinism)."""
    return [
        pl.col("date_precision").replace_strict(_PRECISION_RANK, default=9, return_dtype=pl.Int32),
        -pl.col("authors").list.len().cast(pl.Int32),
        pl.col("authors_truncated"),
        ~pl.col("has_code"),
        pl.col("source_file"),
        pl.col("source_line"),
    ]


def representative_entries(assigned: pl.LazyFrame) -> pl.LazyFrame:
    """``paper_id, source_file, source_line`` of the one entry per paper that speaks for it.

    Only the ranking columns are sorted: moving abstracts through a million-row
    sort would cost more than the rest of the choice.
    """
    ranking = ["paper_id", "date_precision", "authors", "authors_truncated", "has_code", "source_file", "source_line"]
    return (
        assigned.select(ranking)
        .sort([pl.col("paper_id"), *representative_order()])
        .group_by("paper_id", maintain_order=True)
        .first()
        .select("paper_id", "source_file", "source_line")
    )


def build_papers(assigned: pl.LazyFrame, abstracts: pl.LazyFrame | None = None) -> pl.LazyFrame:
    """One row per paper from entries carrying ``paper_id``.

    The representative entry gives title, abstract, date and category; merged
    entries OR their ``has_code``, the longest author list counts, and
    ``n_sources`` counts distinct source files.  Abstracts come from the entries
    or, when those were kept light, from ``abstracts`` (joined for representatives only).
    """
    if abstracts is None:
        abstracts = assigned.select("source_file", "source_line", "abstract")
    merged = assigned.group_by("paper_id").agg(
        pl.col("has_code").any(),
        pl.col("authors").list.len().max().cast(pl.Int32).alias("n_listed_authors"),
        pl.col("source_file").n_unique().cast(pl.Int32).alias("n_sources"),
        pl.len().cast(pl.Int32).alias("n_entries"),
    )
    representatives = representative_entries(assigned)
    spoken = representatives.join(
        assigned.select(
            "source_file", "source_line", "title", "title_key", "published_date", "year",
            "date_precision", "category", "category_code", "category_ambiguous", "authors_truncated",
        ),
        on=["source_file", "source_line"],
    ).join(
        abstracts.join(representatives.select("source_file", "source_line"), on=["source_file", "source_line"]),
        on=["source_file", "source_line"],
        how="left",
    )
    return (
        spoken.join(merged, on="paper_id")
        .select(
            "paper_id", "title", "title_key", "abstract", "published_date", "year", "date_precision",
            "category", "category_code", "category_ambiguous", "has_code", "n_listed_authors",
            "authors_truncated", "n_sources", "n_entries",
        )
        .sort("paper_id")
    )
