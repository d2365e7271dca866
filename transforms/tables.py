"""Assemble the warehouse tables from parsed entries.

This is the one place that knows the table set; each table's logic lives in
its own module (papers, authors, affiliations, categories).  Everything is
built lazily and collected together so Polars can share the common subplans.
"""

from __future__ import annotations

import polars as pl

from transforms.affiliations import build_affiliations
from transforms.authors import explode_mentions, resolve_authors
from transforms.categories import topics_frame
from transforms.ids import content_hash, stable_id
from transforms.papers import assign_papers, build_papers, representative_entries
from transforms.parse import Parsed

TABLE_NAMES = (
    "papers", "authors", "paper_authors", "affiliations", "paper_affiliations",
    "topics", "listing_entries", "rejects",
)


def build_tables(parsed: Parsed, run_id: str) -> dict[str, pl.DataFrame]:
    """All warehouse tables for one run, collected, each sorted by its key."""
    assigned = assign_papers(parsed.entries).with_columns(content_hash=content_hash(pl.col("raw")))
    papers = build_papers(assigned)
    resolved = resolve_authors(explode_mentions(representative_entries(assigned)))

    org_links = (
        assigned.select("paper_id", pl.col("orgs").alias("slug"))
        .explode("slug")
        .filter(pl.col("slug").is_not_null())
        .unique()
    )
    affiliations = build_affiliations(org_links).join(
        org_links.group_by("slug").agg(pl.col("paper_id").n_unique().cast(pl.Int32).alias("n_papers")),
        on="slug",
    )
    paper_affiliations = (
        org_links.join(affiliations.select("slug", "affiliation_id"), on="slug")
        .select("paper_id", "affiliation_id")
        .sort("paper_id", "affiliation_id")
    )

    listing_entries = assigned.select(
        stable_id(pl.col("source_file"), pl.col("source_line"), pl.col("content_hash")).alias("entry_id"),
        "source_file",
        "source_line",
        "paper_id",
        "content_hash",
        pl.lit(run_id).alias("run_id"),
        "captured_on",
        "split_rule",
        "has_replacement_chars",
    ).sort("source_file", "source_line")

    rejects = parsed.rejects.select(
        "source_file",
        "source_line",
        "reason",
        "raw",
        content_hash(pl.col("raw")).alias("content_hash"),
        pl.lit(run_id).alias("run_id"),
    ).sort("source_file", "source_line")

    frames = pl.collect_all(
        [
            papers,
            resolved.authors,
            resolved.authorships,
            affiliations.sort("slug"),
            paper_affiliations,
            topics_frame().lazy(),
            listing_entries,
            rejects,
        ]
    )
    return dict(zip(TABLE_NAMES, frames, strict=True))
