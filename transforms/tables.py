"""Assemble the warehouse tables from the parsed corpus.

This is the one place that knows the table set; each table's logic lives in
its own module (papers, authors, affiliations, categories) and each table is
built by its own function, registered by name in :data:`TABLE_BUILDERS`.

The corpus arrives *light* (no abstracts) with every entry numbered in source
order; entities are keyed by integers while they are computed and get their
published string ids only in the tables.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import polars as pl

from transforms.affiliations import build_affiliations
from transforms.authors import Resolution, explode_mentions, quality_summary, resolve_authors
from transforms.categories import topics_frame
from transforms.ids import stable_id
from transforms.papers import assign_papers, paper_facts
from transforms.parse import Parsed

TABLE_NAMES = (
    "papers", "authors", "paper_authors", "author_links", "affiliations", "paper_affiliations",
    "topics", "listing_entries", "rejects",
)


@dataclass(frozen=True)
class Corpus:
    """Every parsed record of a run's live sources.

    ``entries``: one row per parsed entry, ordered by (``src``, ``source_line``),
    without abstracts.  ``rejects``: ``src, source_line, reason, raw,
    content_hash``.  ``sources``: ``src, source_file, captured_on``.
    ``abstracts`` yields ``src, source_line, abstract`` frames in source order,
    each time it is called: the abstracts are read only for the papers table,
    a chunk at a time.
    """

    entries: pl.DataFrame
    rejects: pl.DataFrame
    sources: pl.DataFrame
    abstracts: Callable[[], Iterable[pl.DataFrame]]


@dataclass(frozen=True)
class Model:
    """Decisions before they become tables: each entry's paper, each form's author."""

    corpus: Corpus
    entries: pl.DataFrame  # corpus entries + entry, paper (index), paper_id, is_representative
    papers: pl.DataFrame  # per paper_id: merged facts and the representative entry
    authors: Resolution


def model(corpus: Corpus, overrides: pl.DataFrame | None = None) -> Model:
    """Decide which entries are one paper and which written forms are one author."""
    entries = corpus.entries.with_row_index("entry").with_columns(
        n_authors=pl.col("authors").list.len().cast(pl.Int32)
    )
    assigned = assign_papers(entries)
    entries = entries.with_columns(assigned["paper_id"], assigned["paper"], assigned["is_representative"])
    facts = paper_facts(entries)
    mentions = explode_mentions(entries)
    resolution = resolve_authors(mentions, _evidence_context(entries), overrides)
    return Model(corpus=corpus, entries=entries, papers=facts, authors=resolution)


#: The published columns of ``papers``, in order.
PAPER_COLUMNS = (
    "paper_id", "title", "title_key", "abstract", "published_date", "year", "date_precision",
    "category", "category_code", "category_ambiguous", "has_code", "n_listed_authors",
    "authors_truncated", "n_sources", "n_entries",
)


def _evidence_context(entries: pl.DataFrame) -> pl.DataFrame:
    """``entry, topic, orgs`` with integer keys: the facts of an entry that can support a merge."""
    slugs = entries.select(pl.col("orgs").explode().drop_nulls().unique().sort()).to_series()
    categories = entries.select(pl.col("category").drop_nulls().unique().sort()).to_series()
    return entries.select(
        "entry",
        pl.col("category").replace_strict(categories, pl.int_range(categories.len(), eager=True, dtype=pl.UInt32),
                                          default=None).alias("topic"),
        pl.col("orgs").list.eval(
            pl.element().replace_strict(slugs, pl.int_range(slugs.len(), eager=True, dtype=pl.UInt32), default=None)
        ),
    )


def papers_table(m: Model) -> Iterator[pl.DataFrame]:
    """``papers``, streamed in the listing order of each paper's representative entry.

    Everything but the abstract comes from the light corpus; abstracts are read
    a source at a time and joined to that source's representatives, so the
    table never sits in memory whole.
    """
    spoken = (
        m.entries.filter(pl.col("is_representative"))
        .select(
            "src", "source_line", "paper", "title", "title_key", "published_date", "year",
            "date_precision", "category", "category_code", "category_ambiguous", "authors_truncated",
        )
        .join(m.papers, on="paper", how="left", maintain_order="left")
    )
    by_source = spoken.partition_by("src", as_dict=True, include_key=True)
    for chunk in m.corpus.abstracts():
        if chunk.height == 0:
            continue
        src = chunk["src"][0]
        reps = by_source.get((src,))
        if reps is None:
            continue
        yield reps.join(chunk.select("source_line", "abstract"), on="source_line", how="left",
                        maintain_order="left").select(PAPER_COLUMNS)


def paper_authors_table(m: Model) -> pl.DataFrame:
    representatives = m.entries.filter(pl.col("is_representative")).select("entry", "paper_id")
    return (
        m.authors.mention_authors.join(representatives, on="entry")
        .select("paper_id", "author_id", "position", "name_as_listed")
        .sort("paper_id", "position")
    )


def _org_links(m: Model) -> pl.DataFrame:
    return (
        m.entries.select("paper_id", pl.col("orgs").alias("slug"))
        .explode("slug")
        .filter(pl.col("slug").is_not_null())
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


def listing_entries_table(m: Model, run_id: str) -> pl.DataFrame:
    return (
        m.entries.join(m.corpus.sources, on="src", how="left", maintain_order="left")
        .select(
            stable_id(pl.col("source_file"), pl.col("source_line"), pl.col("content_hash")).alias("entry_id"),
            "source_file",
            "source_line",
            "paper_id",
            "content_hash",
            pl.lit(run_id).alias("run_id"),
            "captured_on",
            "split_rule",
            "has_invalid_bytes",
        )
    )


def rejects_table(m: Model, run_id: str) -> pl.DataFrame:
    return (
        m.corpus.rejects.join(m.corpus.sources.select("src", "source_file"), on="src", how="left",
                              maintain_order="left")
        .select("source_file", "source_line", "reason", "raw", "content_hash", pl.lit(run_id).alias("run_id"))
        .sort("source_file", "source_line")
    )


#: How each table is built from the model (and the run id, for lineage columns).
TABLE_BUILDERS: dict[str, Callable[[Model, str], pl.DataFrame]] = {
    "papers": lambda m, run_id: papers_table(m),  # a stream of frames
    "authors": lambda m, run_id: m.authors.authors,
    "paper_authors": lambda m, run_id: paper_authors_table(m),
    "author_links": lambda m, run_id: m.authors.links,
    "affiliations": lambda m, run_id: affiliations_table(m),
    "paper_affiliations": lambda m, run_id: paper_affiliations_table(m),
    "topics": lambda m, run_id: topics_frame(),
    "listing_entries": listing_entries_table,
    "rejects": rejects_table,
}


def build_tables(
    corpus: Corpus | Parsed, run_id: str, overrides: pl.DataFrame | None = None, *, stream: bool = False
) -> tuple[dict[str, Any], dict[str, Any]]:
    """All warehouse tables for one run, plus the resolution's quality summary.

    With ``stream``, ``papers`` is an iterator of frames (for the snapshot writer);
    otherwise every table is one frame.  ``corpus`` may also be parsed frames
    located by ``source_file`` (small inputs, tests).
    """
    m = model(corpus if isinstance(corpus, Corpus) else corpus_of(corpus), overrides)
    tables: dict[str, Any] = {name: TABLE_BUILDERS[name](m, run_id) for name in TABLE_NAMES}
    if not stream:
        tables["papers"] = pl.concat(list(tables["papers"]) or [pl.DataFrame(schema=_paper_schema(m))])
    return tables, quality_summary(tables["authors"], tables["author_links"], m.authors.pairs)


def _paper_schema(m: Model) -> dict[str, pl.DataType]:
    schema = dict(m.entries.schema)
    schema.update(m.papers.schema)
    schema["abstract"] = pl.String
    return {c: schema[c] for c in PAPER_COLUMNS}


def corpus_of(parsed: Parsed) -> Corpus:
    """A corpus from parsed frames with ``source_file`` and ``captured_on`` columns
    (tests and small inputs; the ingest reads the parse cache instead)."""
    entries = parsed.entries.collect()
    rejects = parsed.rejects.collect()
    files = sorted(set(entries["source_file"].to_list()) | set(rejects["source_file"].to_list()))
    captured = dict(zip(entries["source_file"].to_list(), entries["captured_on"].to_list()))
    sources = pl.DataFrame(
        {"src": list(range(len(files))), "source_file": files, "captured_on": [captured.get(f) for f in files]},
        schema={"src": pl.UInt32, "source_file": pl.String, "captured_on": pl.Date},
    )
    index = sources.select("source_file", "src")
    light = entries.join(index, on="source_file").sort("src", "source_line")
    abstracts = light.select("src", "source_line", "abstract")
    return Corpus(
        entries=light.drop("source_file", "captured_on", "abstract", strict=False),
        rejects=rejects.join(index, on="source_file").sort("src", "source_line").drop("source_file"),
        sources=sources,
        abstracts=lambda: abstracts.partition_by("src", maintain_order=True),
    )


@dataclass(frozen=True)
class Resolved:
    """For tests: entries with their paper, and mentions with their author, by location."""

    assigned: pl.LazyFrame
    authors: Any


@dataclass(frozen=True)
class _MentionView:
    mentions: pl.LazyFrame
    links: pl.LazyFrame
    authors: pl.LazyFrame


def resolve(parsed: Parsed, overrides: pl.DataFrame | None = None) -> Resolved:
    """Decide papers and authors for parsed frames; results keyed by file and line (tests)."""
    corpus = corpus_of(parsed)
    m = model(corpus, overrides)
    located = m.entries.join(corpus.sources, on="src").select(
        "entry", "source_file", "source_line", "paper_id", "title", "title_key"
    )
    mentions = m.authors.mention_authors.join(located.select("entry", "source_file", "source_line"), on="entry")
    return Resolved(
        assigned=located.drop("entry").lazy(),
        authors=_MentionView(
            mentions=mentions.select("source_file", "source_line", "position", "name_as_listed", "author_id").lazy(),
            links=m.authors.links.lazy(),
            authors=m.authors.authors.lazy(),
        ),
    )
