"""Author mentions -> authors.

For now a person is an exact normalised name (NFC, single spaces): the
resolution of variants (``Théophane``/``Theophane``, ``Danilo J.``/``Danilo
Jimenez``) replaces :func:`resolve_authors` without changing its contract:
mentions in, ``author_id`` per mention plus an ``authors`` table out.
Group authors (``Gemini Team``) are flagged so no later step merges them
with people.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from transforms.grammar import group_name_pattern
from transforms.ids import stable_id

#: Separator of the ``name_variants`` string (BI tools read no nested types).
VARIANT_SEPARATOR = " | "


@dataclass(frozen=True)
class ResolvedAuthors:
    mentions: pl.LazyFrame  # one row per (entry, position) with author_id
    authors: pl.LazyFrame


MENTION_KEY = ["source_file", "source_line", "position"]


def explode_mentions(entries: pl.LazyFrame) -> pl.LazyFrame:
    """One row per (listing entry, listed author) with its 1-based position.

    Mentions come from every listing of a paper, not only the one whose list
    is published: two profiles spelling the same slot differently are the
    strongest evidence that two spellings are one person.
    """
    return (
        entries.select(
            "source_file", "source_line", "paper_id", "category", "orgs",
            pl.col("authors").alias("name_as_listed"),
        )
        .with_columns(position=pl.int_ranges(1, pl.col("name_as_listed").list.len() + 1, dtype=pl.Int32))
        .explode("name_as_listed", "position")
        .filter(pl.col("name_as_listed").is_not_null())
    )


def representative_authorships(mentions: pl.LazyFrame, representatives: pl.LazyFrame) -> pl.LazyFrame:
    """``paper_authors``: the author list of each paper's representative entry."""
    return (
        mentions.join(representatives.select("source_file", "source_line"), on=["source_file", "source_line"])
        .select("paper_id", "author_id", "position", "name_as_listed")
        .sort("paper_id", "position")
    )


def resolve_authors(mentions: pl.LazyFrame) -> ResolvedAuthors:
    """Give each mention an ``author_id`` and build the ``authors`` table."""
    keyed = mentions.with_columns(
        is_group=pl.col("name_as_listed").str.contains(group_name_pattern()),
    ).with_columns(
        author_id=stable_id(
            pl.when(pl.col("is_group")).then(pl.lit("group")).otherwise(pl.lit("person")),
            pl.col("name_as_listed"),
        )
    )
    authors = (
        keyed.group_by("author_id")
        .agg(
            pl.col("name_as_listed").mode().sort().first().alias("name"),
            pl.col("is_group").first(),
            pl.col("name_as_listed").unique().sort().str.join(VARIANT_SEPARATOR).alias("name_variants"),
            pl.col("name_as_listed").n_unique().cast(pl.Int32).alias("n_variants"),
            pl.col("paper_id").n_unique().cast(pl.Int32).alias("n_papers"),
        )
        .sort("author_id")
    )
    return ResolvedAuthors(mentions=keyed, authors=authors)
