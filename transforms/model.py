"""The global decisions of a run: which entries are one paper, which nodes one author.

Everything here works on compact, integer-keyed frames read column by column
from the corpus (transforms/corpus.py): per entry a dozen numbers, per mention
three.  Strings are read only where a decision needs them (the rare titles that
share a hash, and the written forms of one resolution partition at a time), so
memory grows with the number of records by tens of bytes each, not by their
text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

from transforms.authors.keys import listed_authors, node_ids, node_names_of_lists
from transforms.authors.overrides import OverrideError, override_edges
from transforms.authors.partition import merged_tokens, partition_count, partition_of
from transforms.authors.resolve import Resolution, quality_summary, resolve_partition
from transforms.categories import ARXIV_CATEGORIES
from transforms.corpus import CorpusReader, CorrectedCorpus, Spill
from transforms.ids import stable_id
from transforms.parse import TITLE_HASH_SEED
from transforms.split import CONFIDENT, RULE_CORPUS, RULE_OVERRIDE, choose_splits
from transforms.text import title_key_series
from transforms.papers import assign_papers, paper_facts

#: Columns of the compact entries frame read from the corpus.
_ENTRY_COLUMNS = [
    "published_date", "date_precision", "authors_truncated", "has_code", "title_hash", "paper_key",
    "category", "authors",
]


class HashCollision(RuntimeError):
    """Two different names share a 64-bit hash (never seen; refuses rather than merging them)."""


@dataclass(frozen=True)
class Model:
    """What the tables are built from."""

    sources: pl.DataFrame  # src, source_file, captured_on
    entries: pl.DataFrame  # entry, src, source_line, paper, is_representative, has_code, n_authors, ...
    papers: pl.DataFrame  # paper, paper_id, has_code, n_listed_authors, n_sources, n_entries
    org_links: pl.DataFrame  # entry, slug
    node_author: pl.DataFrame  # node, author_id
    authors: pl.DataFrame  # the ``authors`` table
    links: pl.DataFrame  # the ``author_links`` table
    quality: dict[str, Any]


def load_entries(corpus: CorpusReader) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(compact entries, organisation links) of the whole corpus, in source order."""
    categories = [c for c, _ in ARXIV_CATEGORIES]
    topics = pl.int_range(len(categories), eager=True, dtype=pl.UInt16)
    frames, orgs = [], []
    offset = 0
    for src, frame in corpus.entries([*_ENTRY_COLUMNS, "orgs"]):
        n = frame.height
        frames.append(
            frame.select(
                pl.lit(src, dtype=pl.UInt32).alias("src"),
                "source_line", "published_date", "date_precision", "authors_truncated", "has_code",
                "title_hash", "paper_key",
                pl.col("category").replace_strict(categories, topics, default=None).alias("topic"),
                pl.col("authors").list.len().cast(pl.Int32).alias("n_authors"),
            )
        )
        with_orgs = frame.select(pl.int_range(offset, offset + n, dtype=pl.UInt32).alias("entry"), "orgs").filter(
            pl.col("orgs").list.len() > 0
        )
        if with_orgs.height:
            orgs.append(with_orgs.explode("orgs").rename({"orgs": "slug"}))
        offset += n
    schema = {"entry": pl.UInt32, "slug": pl.String}
    entries = pl.concat(frames) if frames else None
    if entries is None:
        raise ValueError("the corpus has no entries")
    return entries.with_row_index("entry"), (pl.concat(orgs) if orgs else pl.DataFrame(schema=schema)).unique()


def _verify_title_hashes(corpus: CorpusReader, entries: pl.DataFrame) -> None:
    """Entries sharing a title hash must share the title key: read the keys of those
    entries only (a tenth of them) and refuse a collision instead of merging papers."""
    shared = entries.filter(pl.col("title_hash").is_duplicated()).select("src", "source_line", "title_hash")
    if shared.height == 0:
        return
    wanted = shared.partition_by("src", as_dict=True)
    keys = []
    for src, frame in corpus.entries(["title_key"]):
        rows = wanted.get((src,))
        if rows is not None:
            keys.append(rows.join(frame, on="source_line"))
    found = pl.concat(keys)
    clash = found.group_by("title_hash").agg(pl.col("title_key").n_unique().alias("n")).filter(pl.col("n") > 1)
    if clash.height:
        raise HashCollision(f"{clash.height} title hash(es) shared by different titles; refusing to merge them")


def load_mentions(
    corpus: CorpusReader, entries: pl.DataFrame, partitions: int, joined: dict[str, str], watch: set[str]
) -> tuple[pl.DataFrame, Spill, set[str]]:
    """(mentions, written forms parked per partition, the ``watch`` node names seen).

    ``mentions``: entry, paper, position, node -- every mention of the corpus.
    Written forms (``name_as_listed, node_name, n_mentions``) are counted per
    source and parked in their partition for :func:`resolve`.
    """
    start = dict(entries.group_by("src").agg(pl.col("entry").min()).iter_rows())
    papers = entries["paper"]
    spill = corpus.spill(partitions)
    mentions: list[pl.DataFrame] = []
    seen: set[str] = set()
    for src, frame in corpus.entries(["authors", "author_nodes"]):
        base = start.get(src)
        if base is None:
            continue
        exploded = listed_authors(
            frame.with_columns((pl.int_range(pl.len(), dtype=pl.UInt32) + base).alias("entry")), "entry"
        )
        mentions.append(exploded.select("entry", "position", "node"))
        forms = exploded.group_by("name_as_listed", "node_name").agg(pl.len().cast(pl.UInt32).alias("n_mentions"))
        if watch:
            seen.update(forms.filter(pl.col("node_name").is_in(list(watch)))["node_name"].to_list())
        forms = forms.with_columns(partition=partition_of(pl.col("node_name"), partitions, joined))
        for (part,), chunk in forms.partition_by("partition", as_dict=True, include_key=False).items():
            spill.append(part, chunk)
    if not mentions:
        empty = pl.DataFrame(schema={"entry": pl.UInt32, "position": pl.Int32, "node": pl.UInt64, "paper": pl.UInt32})
        return empty, spill, seen
    joined_mentions = pl.concat(mentions)
    return joined_mentions.with_columns(papers.gather(joined_mentions["entry"]).alias("paper")), spill, seen


def resolve(
    corpus: CorpusReader, entries: pl.DataFrame, overrides: pl.DataFrame | None
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, dict[str, Any]]:
    """(node_author, authors, links, quality) for the whole corpus, partition by partition."""
    partitions = partition_count(entries.height)
    override_nodes = _override_nodes(overrides)
    edges = override_edges(overrides, override_nodes) if override_nodes.height else None
    joined = merged_tokens(edges, override_nodes)
    mentions, spill, seen = load_mentions(
        corpus, entries, partitions, joined, set(override_nodes["node_name"].to_list())
    )
    _require_observed(overrides, override_nodes, seen)
    context = entries.select(  # row i is entry i
        "entry", "topic", pl.col("org_ids").fill_null(pl.lit([], dtype=pl.List(pl.UInt32))).alias("orgs")
    )
    results: list[Resolution] = []
    try:
        for part in range(partitions):
            forms = spill.read(part)
            if forms.height == 0:
                continue
            forms = forms.group_by("name_as_listed", "node_name").agg(pl.col("n_mentions").sum())
            local_edges = None
            if edges is not None:
                here = forms.select(node_ids(pl.col("node_name")).alias("node")).unique()
                local_edges = edges.join(here, on="node", how="semi").join(
                    here.rename({"node": "node_b"}), on="node_b", how="semi"
                )
            results.append(resolve_partition(forms, mentions, context, local_edges))
    finally:
        spill.close()
    if not results:
        return _empty_resolution()
    node_author = pl.concat([r.node_author for r in results])
    if node_author["node"].is_duplicated().any():
        raise HashCollision("two different author names share a 64-bit hash; refusing to merge them")
    authors = pl.concat([r.authors for r in results]).sort("author_id")
    links = pl.concat([r.links for r in results]).sort("author_id", "name_as_listed")
    decisions: dict[str, int] = {}
    for r in results:
        for k, v in r.decisions.items():
            decisions[k] = decisions.get(k, 0) + v
    return node_author, authors, links, quality_summary(authors, links, decisions)


def _override_nodes(overrides: pl.DataFrame | None) -> pl.DataFrame:
    """``name, node_name, node, key`` of every name an override row uses (folded as the parser folds)."""
    schema = {"name": pl.String, "node_name": pl.String, "node": pl.UInt64, "key": pl.String}
    if overrides is None or overrides.height == 0:
        return pl.DataFrame(schema=schema)
    names = pl.concat([overrides["name_a"], overrides["name_b"]]).unique().alias("name")
    nodes = node_names_of_lists(names.to_frame().select(pl.concat_list("name")).to_series()).list.first()
    return pl.DataFrame({"name": names, "node_name": nodes}).with_columns(
        node=node_ids(pl.col("node_name")), key=pl.col("node_name").str.slice(2)
    )


def _require_observed(overrides: pl.DataFrame | None, override_nodes: pl.DataFrame, seen: set[str]) -> None:
    """A name in the overrides that no listing shows is a typo: fail the run, naming it."""
    if overrides is None or overrides.height == 0:
        return
    node_of = dict(override_nodes.select("name", "node_name").iter_rows())
    for name in overrides["name_a"].to_list() + overrides["name_b"].to_list():
        if node_of.get(name) not in seen:
            raise OverrideError(f"override names an author never observed: {name!r}")


def _empty_resolution() -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, dict[str, Any]]:
    authors = pl.DataFrame(schema={"author_id": pl.String, "name": pl.String, "is_group": pl.Boolean,
                                   "name_variants": pl.String, "n_variants": pl.Int32, "n_papers": pl.Int32,
                                   "is_ambiguous": pl.Boolean})
    links = pl.DataFrame(schema={"author_id": pl.String, "name_as_listed": pl.String, "name": pl.String,
                                 "rule": pl.String, "evidence": pl.String, "confidence": pl.Float64,
                                 "is_low_confidence": pl.Boolean, "n_mentions": pl.Int32})
    node_author = pl.DataFrame(schema={"node": pl.UInt64, "author_id": pl.String})
    return node_author, authors, links, quality_summary(authors, links, {})


def build_model(
    corpus: CorpusReader, overrides: pl.DataFrame | None = None, split_overrides: pl.DataFrame | None = None
) -> tuple[Model, CorpusReader]:
    """Dedupe papers and resolve authors over the whole corpus.

    Returns the model and the corpus as the tables must read it: with the splits
    that the corpus evidence or an override decided applied to every read.
    """
    corrections = split_corrections(corpus, split_overrides)
    if corrections is not None:
        corpus = CorrectedCorpus(corpus, corrections)
    entries, org_links = load_entries(corpus)
    _verify_title_hashes(corpus, entries)
    assigned = assign_papers(entries)
    entries = entries.drop("paper_key").with_columns(assigned["paper"], assigned["is_representative"])
    papers = paper_facts(entries.with_columns(assigned["paper_id"]))
    slugs = org_links["slug"].unique().sort()
    slug_ids = org_links.with_columns(
        pl.col("slug").replace_strict(slugs, pl.int_range(slugs.len(), eager=True, dtype=pl.UInt32)).alias("org")
    )
    per_entry = slug_ids.group_by("entry").agg(pl.col("org").alias("org_ids"))
    entries = entries.join(per_entry, on="entry", how="left", maintain_order="left")
    node_author, authors, links, quality = resolve(corpus, entries, overrides)
    model = Model(
        sources=corpus.sources, entries=entries.drop("org_ids"), papers=papers, org_links=org_links,
        node_author=node_author, authors=authors, links=links, quality=quality,
    )
    return model, corpus


def split_corrections(corpus: CorpusReader, split_overrides: pl.DataFrame | None) -> pl.DataFrame | None:
    """The entries whose title/author split the corpus or an override decides after parsing,
    with every column derived from the split recomputed; None when there is none.

    Only uncertain splits (and, with overrides, every entry, to find its title line)
    are read; the corpus evidence is the authors of the confident splits.
    """
    columns = ["title", "authors", "split_rule", "split_confidence", "published_date"]
    uncertain = []
    for src, frame in corpus.entries(columns):
        picked = frame if split_overrides is not None else frame.filter(pl.col("split_confidence") < CONFIDENT)
        if picked.height:
            uncertain.append(picked.with_columns(src=pl.lit(src, dtype=pl.UInt32)))
    if not uncertain:
        return None
    candidates = pl.concat(uncertain)
    names = []
    for _, frame in corpus.entries(["authors", "split_confidence"]):
        confident = frame.filter(pl.col("split_confidence") >= CONFIDENT)
        names.append(confident.select(pl.col("authors").explode().drop_nulls().unique().alias("name")))
    corpus_names = pl.concat(names).unique() if names else pl.DataFrame(schema={"name": pl.String})
    decided = (
        choose_splits(candidates.lazy(), corpus_names.lazy(), split_overrides, key=["src", "source_line"])
        .filter(pl.col("split_rule").is_in([RULE_CORPUS, RULE_OVERRIDE]))
        .collect()
    )
    if decided.height == 0:
        return None
    keys = title_key_series(decided["title"])
    return decided.select(
        "src", "source_line", "title", "authors", "split_rule", "split_confidence",
        pl.lit(keys).alias("title_key"),
        pl.lit(keys).hash(seed=TITLE_HASH_SEED).alias("title_hash"),
        stable_id(pl.lit(keys), pl.col("published_date")).alias("paper_key"),
        pl.lit(node_names_of_lists(decided["authors"])).alias("author_nodes"),
    )
