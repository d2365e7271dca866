"""Assemble the warehouse tables from the corpus and the run's decisions.

This is the one place that knows the table set; each table is built by its
own function, registered by name in :data:`TABLE_BUILDERS`.  The tables that
grow with the records (``papers`` with its abstracts, ``listing_entries``,
``paper_authors``, ``rejects``) are *streams*: built source by source from the
columns they need, in listing order, so the snapshot writer holds one source's
rows at a time.  The others come from the model's compact frames.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

import polars as pl

from transforms.affiliations import build_affiliations
from transforms.authors.keys import listed_authors
from transforms.categories import topics_frame
from transforms.corpus import CorpusReader, corpus_of
from transforms.ids import stable_id
from transforms.model import Model, build_model
from transforms.parse import Parsed

TABLE_NAMES = (
    "papers", "authors", "paper_authors", "author_links", "affiliations", "paper_affiliations",
    "topics", "listing_entries", "rejects",
)
#: Tables built source by source (the others are single frames).
STREAMED = ("papers", "paper_authors", "listing_entries", "rejects")

#: The published columns of ``papers``, in order.
PAPER_COLUMNS = (
    "paper_id", "title", "title_key", "abstract", "published_date", "year", "date_precision",
    "category", "category_code", "category_ambiguous", "has_code", "n_listed_authors",
    "authors_truncated", "n_sources", "n_entries",
)
_SPOKEN = [
    "title", "title_key", "published_date", "year", "date_precision", "category", "category_code",
    "category_ambiguous", "authors_truncated", "abstract",
]


#: Streamed tables are produced in chunks of at least this many rows: per-chunk
#: costs (hashing calls, writer batches) then stay small against the work.
CHUNK_ROWS = 64 * 1024


def rebatch(frames: Iterable[pl.DataFrame], rows: int = CHUNK_ROWS) -> Iterator[pl.DataFrame]:
    """The same rows, in the same order, in frames of at least ``rows`` (the last may be smaller)."""
    pending: list[pl.DataFrame] = []
    size = 0
    for frame in frames:
        pending.append(frame)
        size += frame.height
        if size >= rows:
            yield pl.concat(pending)
            pending, size = [], 0
    if pending:
        yield pl.concat(pending)


def _by_source(frame: pl.DataFrame) -> dict[int, pl.DataFrame]:
    return {key[0]: part for key, part in frame.partition_by("src", as_dict=True, include_key=False).items()}


def papers_table(corpus: CorpusReader, m: Model) -> Iterator[pl.DataFrame]:
    """``papers``, in the listing order of each paper's representative entry.

    The representative's own columns (abstract included) are read a source at a
    time and joined to that source's representatives and the merged facts.
    """
    reps = _by_source(
        m.entries.filter(pl.col("is_representative")).select("src", "source_line", "paper")
        .join(m.papers, on="paper", how="left", maintain_order="left")
    )
    for src, frame in corpus.entries(_SPOKEN):
        here = reps.get(src)
        if here is None:
            continue
        yield here.join(frame, on="source_line", how="inner", maintain_order="left").select(PAPER_COLUMNS)


def paper_authors_table(corpus: CorpusReader, m: Model) -> Iterator[pl.DataFrame]:
    """``paper_authors``: the author list of each paper's representative entry, in listing order."""
    reps = _by_source(
        m.entries.filter(pl.col("is_representative")).select("src", "source_line", "paper")
        .join(m.papers.select("paper", "paper_id"), on="paper", how="left", maintain_order="left")
    )
    for src, frame in corpus.entries(["authors", "author_nodes"]):
        here = reps.get(src)
        if here is None:
            continue
        yield (
            listed_authors(here.join(frame, on="source_line", how="inner", maintain_order="left"), "paper_id")
            .join(m.node_author, on="node", how="left", maintain_order="left")
            .select("paper_id", "author_id", "position", "name_as_listed")
        )



def listing_entries_table(corpus: CorpusReader, m: Model, run_id: str) -> Iterator[pl.DataFrame]:
    """``listing_entries``: one row per parsed record, in listing order (lineage)."""
    located = _by_source(
        m.entries.select("src", "source_line", "paper")
        .join(m.papers.select("paper", "paper_id"), on="paper", how="left", maintain_order="left")
    )
    sources = m.sources.select("src", "source_file", "captured_on")

    def located_chunks() -> Iterator[pl.DataFrame]:
        for src, frame in corpus.entries(["content_hash", "split_rule", "split_confidence", "has_invalid_bytes"]):
            here = located.get(src)
            if here is not None:
                yield frame.join(here, on="source_line", how="inner", maintain_order="left").with_columns(
                    src=pl.lit(src, dtype=pl.UInt32)
                )

    for chunk in rebatch(located_chunks()):
        yield (
            chunk.join(sources, on="src", how="left", maintain_order="left")
            .select(
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
            )
        )


def rejects_table(corpus: CorpusReader, m: Model, run_id: str) -> Iterator[pl.DataFrame]:
    """``rejects``: one row per quarantined group of lines, in listing order."""
    files = dict(m.sources.select("src", "source_file").iter_rows())
    for src, frame in corpus.rejects():
        if frame.height:
            yield frame.select(
                pl.lit(files[src], dtype=pl.String).alias("source_file"),
                "source_line", "reason", "raw", "content_hash", pl.lit(run_id).alias("run_id"),
            )


def _org_links(m: Model) -> pl.DataFrame:
    return (
        m.org_links.join(m.entries.select("entry", "paper"), on="entry")
        .join(m.papers.select("paper", "paper_id"), on="paper")
        .select("paper_id", "slug")
        .unique()
    )


def affiliations_table(m: Model) -> pl.DataFrame:
    links = _org_links(m)
    counts = links.group_by("slug").agg(pl.col("paper_id").n_unique().cast(pl.Int32).alias("n_papers"))
    return build_affiliations(links.lazy()).collect().join(counts, on="slug").sort("slug")


def paper_affiliations_table(m: Model) -> pl.DataFrame:
    links = _org_links(m)
    ids = build_affiliations(links.lazy()).collect().select("slug", "affiliation_id")
    return links.join(ids, on="slug").select("paper_id", "affiliation_id").sort("paper_id", "affiliation_id")


#: How each table is built from the corpus, the model and the run id.
TABLE_BUILDERS: dict[str, Callable[[CorpusReader, Model, str], Any]] = {
    "papers": lambda c, m, run_id: papers_table(c, m),
    "authors": lambda c, m, run_id: m.authors,
    "paper_authors": lambda c, m, run_id: paper_authors_table(c, m),
    "author_links": lambda c, m, run_id: m.links,
    "affiliations": lambda c, m, run_id: affiliations_table(m),
    "paper_affiliations": lambda c, m, run_id: paper_affiliations_table(m),
    "topics": lambda c, m, run_id: topics_frame(),
    "listing_entries": listing_entries_table,
    "rejects": rejects_table,
}


def build_tables(
    corpus: CorpusReader | Parsed, run_id: str, overrides: pl.DataFrame | None = None, *, stream: bool = False,
    split_overrides: pl.DataFrame | None = None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """All warehouse tables for one run, plus the resolution's quality summary.

    With ``stream``, the large tables (:data:`STREAMED`) are iterators of frames
    for the snapshot writer; otherwise every table is one frame.  ``corpus`` may
    also be parsed frames located by ``source_file`` (small inputs, tests).
    """
    reader = corpus_of(corpus) if isinstance(corpus, Parsed) else corpus
    m, reader = build_model(reader, overrides, split_overrides)
    tables: dict[str, Any] = {name: TABLE_BUILDERS[name](reader, m, run_id) for name in TABLE_NAMES}
    if not stream:
        for name in STREAMED:
            frames = list(tables[name])
            tables[name] = pl.concat(frames) if frames else pl.DataFrame()
    return tables, m.quality


def resolve(parsed: Parsed, overrides: pl.DataFrame | None = None) -> Any:
    """For tests: papers of entries and authors of mentions, keyed by file and line."""
    from dataclasses import dataclass

    m, reader = build_model(corpus_of(parsed), overrides)
    files = m.sources.select("src", "source_file")
    titles = pl.concat([f.with_columns(src=pl.lit(s, dtype=pl.UInt32)) for s, f in reader.entries(["title", "title_key"])])
    assigned = (
        m.entries.select("src", "source_line", "paper")
        .join(m.papers.select("paper", "paper_id"), on="paper")
        .join(titles, on=["src", "source_line"])
        .join(files, on="src")
        .select("source_file", "source_line", "paper_id", "title", "title_key")
    )
    mention_frames = []
    for src, frame in reader.entries(["authors", "author_nodes"]):
        mention_frames.append(listed_authors(frame, "source_line").with_columns(src=pl.lit(src, dtype=pl.UInt32)))
    mentions = (
        pl.concat(mention_frames).join(m.node_author, on="node").join(files, on="src")
        .select("source_file", "source_line", "position", "name_as_listed", "author_id")
    )

    @dataclass(frozen=True)
    class _Authors:
        mentions: pl.LazyFrame
        links: pl.LazyFrame
        authors: pl.LazyFrame

    @dataclass(frozen=True)
    class _Resolved:
        assigned: pl.LazyFrame
        authors: _Authors

    return _Resolved(assigned.lazy(), _Authors(mentions.lazy(), m.links.lazy(), m.authors.lazy()))
