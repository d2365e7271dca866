"""Author mentions -> persons and groups, with the evidence for every merge.

The steps, each in its own module:

1. written forms -> nodes (keys.py): forms that fold alike are one node;
2. candidate pairs within blocks, with their name rule (candidates.py);
3. evidence for compatible pairs, and the decision (evidence.py);
4. manual overrides (overrides.py);
5. components of the merge edges, bridges and conflicts defused (clustering.py);
6. here: author ids, the ``authors`` and ``author_links`` tables, and the
   quality summary.

Every mention of one written form belongs to one author (form -> node ->
component), so the result maps *forms* to authors; tables that list mentions
join that small map instead of carrying ids through millions of rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

from transforms.authors.candidates import CONFLICT, candidate_pairs
from transforms.authors.clustering import cluster
from transforms.authors.evidence import MERGE, POSSIBLE_MATCH, decide, gather_evidence
from transforms.authors.keys import nodes_of_names, people
from transforms.authors.overrides import apply_overrides, override_edges
from transforms.ids import stable_id
from transforms.names import completeness

#: Separator of the ``name_variants`` string (BI tools read no nested types).
VARIANT_SEPARATOR = " | "
#: Merges below this confidence are flagged for review.
LOW_CONFIDENCE = 0.8
#: Confidence of a written form that folds to the canonical form's node (accents, case, dots).
FOLDED_CONFIDENCE = 0.97
CANONICAL_CONFIDENCE = 1.0
CANONICAL, FOLDED, SAME_FOLDED_FORM = "canonical", "folded", "same folded form"


@dataclass(frozen=True)
class Resolution:
    forms: pl.DataFrame  # name_as_listed, node, author_id: every written form
    authors: pl.DataFrame  # the ``authors`` table
    links: pl.DataFrame  # the ``author_links`` table
    pairs: pl.DataFrame  # every compared pair with its rule, evidence, decision
    mention_authors: pl.DataFrame  # entry, position, author_id (every mention)


def explode_mentions(entries: pl.DataFrame) -> pl.DataFrame:
    """One row per (entry, listed author): ``entry, paper, position, name_as_listed``.

    Mentions come from every listing of a paper, not only the one whose list is
    published: two profiles spelling the same slot differently are the strongest
    evidence that two spellings are one person.
    """
    return (
        entries.select("entry", "paper", pl.col("authors").alias("name_as_listed"))
        .with_columns(position=pl.int_ranges(1, pl.col("name_as_listed").list.len() + 1, dtype=pl.Int32))
        .explode("name_as_listed", "position")
        .filter(pl.col("name_as_listed").is_not_null())
    )


def resolve_authors(
    mentions: pl.DataFrame, context: pl.DataFrame, overrides: pl.DataFrame | None = None
) -> Resolution:
    """Give each written form an ``author_id``; build ``authors`` and ``author_links``.

    ``mentions``: entry, paper, position, name_as_listed.  ``context``: entry,
    category, orgs (the facts of each entry that can support a merge).
    """
    forms, nodes = nodes_of_names(mentions["name_as_listed"])
    located = mentions.join(forms, on="name_as_listed", how="left", maintain_order="left")
    persons = people(nodes)
    candidates = candidate_pairs(persons)
    compatible = decide(gather_evidence(candidates.filter(pl.col("rule") != CONFLICT), located, context))
    conflicting = candidates.filter(pl.col("rule") == CONFLICT).with_columns(decision=pl.lit(CONFLICT))
    decided = apply_overrides(
        pl.concat([compatible, conflicting], how="diagonal_relaxed"), override_edges(overrides, nodes)
    )
    labels, bridges = cluster(decided, persons)

    node_author = (
        nodes.select("node", "node_name", "is_group")
        .join(labels, on="node", how="left")
        .with_columns(label=pl.coalesce("label", "node"))
    )
    label_names = node_author.filter(pl.col("node") == pl.col("label")).select(
        "label", stable_id(pl.col("node_name")).alias("author_id")
    )
    node_author = node_author.join(label_names, on="label").select("node", "author_id", "is_group")
    forms = forms.join(node_author, on="node")
    mention_authors = located.join(node_author.select("node", "author_id"), on="node", how="left", maintain_order="left")

    counted = (
        mention_authors.group_by("name_as_listed")
        .agg(pl.len().alias("n_mentions"))
        .join(forms, on="name_as_listed")
        .with_columns(score=completeness(pl.col("name_as_listed")))
    )
    canonical = (
        counted.sort(["author_id", "score", "n_mentions", "name_as_listed"], descending=[False, True, True, False])
        .group_by("author_id", maintain_order=True)
        .first()
        .select("author_id", pl.col("name_as_listed").alias("name"), pl.col("node").alias("canonical_node"),
                "is_group")
    )
    ambiguous = (
        forms.join(bridges, on="node", how="semi").select("author_id").unique()
        .with_columns(is_ambiguous=pl.lit(True))
    )
    papers = mention_authors.group_by("author_id").agg(pl.col("paper").n_unique().cast(pl.Int32).alias("n_papers"))
    variants = counted.group_by("author_id").agg(
        pl.col("name_as_listed").sort().str.join(VARIANT_SEPARATOR).alias("name_variants"),
        pl.len().cast(pl.Int32).alias("n_variants"),
    )
    authors = (
        canonical.join(variants, on="author_id")
        .join(papers, on="author_id")
        .join(ambiguous, on="author_id", how="left")
        .with_columns(pl.col("is_ambiguous").fill_null(False))
        .select("author_id", "name", "is_group", "name_variants", "n_variants", "n_papers", "is_ambiguous")
        .sort("author_id")
    )
    links = _links(counted, canonical, decided)
    return Resolution(
        forms=forms,
        authors=authors,
        links=links,
        pairs=decided,
        mention_authors=mention_authors.select("entry", "position", "name_as_listed", "author_id"),
    )


def _links(counted: pl.DataFrame, canonical: pl.DataFrame, decided: pl.DataFrame) -> pl.DataFrame:
    """Why each written form belongs to its author: the best merge edge of its node
    (most confident; ties broken by rule, evidence and partner, so the table is a
    function of the input)."""
    merges = decided.filter(pl.col("decision") == MERGE)
    incident = pl.concat(
        [merges.select("node", pl.col("node_b").alias("partner"), "rule", "evidence", "confidence"),
         merges.select(pl.col("node_b").alias("node"), pl.col("node").alias("partner"), "rule", "evidence",
                       "confidence")]
    )
    best = (
        incident.sort(["node", "confidence", "rule", "evidence", "partner"],
                      descending=[False, True, False, False, False])
        .group_by("node", maintain_order=True)
        .first()
        .select("node", "rule", "evidence", "confidence")
    )
    is_name = pl.col("name_as_listed") == pl.col("name")
    folded = pl.col("node") == pl.col("canonical_node")
    return (
        counted.join(canonical.drop("is_group"), on="author_id")
        .join(best, on="node", how="left")
        .with_columns(
            rule=pl.when(is_name).then(pl.lit(CANONICAL)).when(folded).then(pl.lit(FOLDED)).otherwise(pl.col("rule")),
            evidence=pl.when(is_name).then(pl.lit("none")).when(folded).then(pl.lit(SAME_FOLDED_FORM))
            .otherwise(pl.col("evidence")),
            confidence=pl.when(is_name).then(pl.lit(CANONICAL_CONFIDENCE)).when(folded)
            .then(pl.lit(FOLDED_CONFIDENCE)).otherwise(pl.col("confidence")),
        )
        .select(
            "author_id", "name_as_listed", "name", "rule", "evidence", "confidence",
            (pl.col("confidence") < LOW_CONFIDENCE).alias("is_low_confidence"),
            pl.col("n_mentions").cast(pl.Int32),
        )
        .sort("author_id", "name_as_listed")
    )


def quality_summary(authors: pl.DataFrame, links: pl.DataFrame, pairs: pl.DataFrame) -> dict[str, Any]:
    """Counts that tell, per run, how much the resolution had to guess."""
    merged = links.filter(pl.col("rule") != CANONICAL)
    return {
        "mentions": int(links["n_mentions"].sum() or 0),
        "written_forms": links.height,
        "persons": authors.filter(~pl.col("is_group")).height,
        "groups": authors.filter(pl.col("is_group")).height,
        "merges_by_rule": dict(sorted(merged.group_by("rule").len().iter_rows())),
        "low_confidence_merges": links.filter(pl.col("is_low_confidence")).height,
        "ambiguous_names": authors.filter(pl.col("is_ambiguous")).height,
        "possible_matches_left_apart": pairs.filter(pl.col("decision") == POSSIBLE_MATCH).height,
        "conflicting_pairs_kept_apart": pairs.filter(pl.col("decision") == CONFLICT).height,
    }
