"""Assemble the warehouse tables from parsed entries.

This is the one place that knows the table set; each table's logic lives in
its own module (papers, authors, affiliations, categories).  Everything is
built lazily and collected together so Polars can share the common subplans.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from transforms.affiliations import build_affiliations
from transforms.authors import (
    ResolvedAuthors,
    explode_mentions,
    quality_summary,
    representative_authorships,
    resolve_authors,
)
from transforms.categories import topics_frame
from transforms.ids import content_hash, stable_id
from transforms.papers import assign_papers, build_papers, representative_entries
from transforms.parse import Parsed

TABLE_NAMES = (
    "papers", "authors", "paper_authors", "author_links", "affiliations", "paper_affiliations",
    "topics", "listing_entries", "rejects",
)


@dataclass(frozen=True)
class Resolved:
    """Entities before they become tables: entries with their paper, mentions with their author."""

    assigned: pl.LazyFrame  # parsed entries + title_key, paper_id, content_hash
    authors: ResolvedAuthors  # .mentions: one row per (entry, position) with author_id


def resolve(parsed: Parsed, overrides: pl.DataFrame | None = None) -> Resolved:
    """Decide which entries are one paper and which mentions are one author."""
    assigned = (
        assign_papers(parsed.entries).collect().lazy()
    )
    return Resolved(assigned=assigned, authors=resolve_authors(explode_mentions(assigned), overrides))


def build_tables(
    parsed: Parsed, run_id: str, overrides: pl.DataFrame | None = None, abstracts: pl.LazyFrame | None = None
) -> tuple[dict[str, pl.DataFrame], dict[str, object]]:
    """All warehouse tables for one run, collected and sorted, plus the resolution's quality summary.

    ``abstracts`` (``source_file, source_line, abstract``) is given when the
    entries were kept without their abstracts to save memory; otherwise the
    entries carry them.
    """
    resolved = resolve(parsed, overrides)
    assigned = resolved.assigned
    papers = build_papers(assigned, abstracts)
    authorships = representative_authorships(resolved.authors.mentions, representative_entries(assigned))

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
        "split_confidence",
        "has_invalid_bytes",
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
            resolved.authors.authors,
            authorships,
            resolved.authors.links,
            affiliations.sort("slug"),
            paper_affiliations,
            topics_frame().lazy(),
            listing_entries,
            rejects,
            resolved.authors.pairs,
        ]
    )
    tables = dict(zip(TABLE_NAMES, frames[:-1], strict=True))
    return tables, quality_summary(tables["authors"], tables["author_links"], frames[-1])
