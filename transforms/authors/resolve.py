"""Author mentions -> persons and groups, with the evidence for every merge.

The steps, each in its own module:

1. written forms -> nodes (keys.py): forms that fold alike are one node;
2. candidate pairs within blocks, with their name rule (candidates.py);
3. evidence for compatible pairs, and the decision (evidence.py);
4. manual overrides (overrides.py);
5. components of the merge edges, bridges and conflicts defused (clustering.py);
6. here: author ids, the ``authors`` and ``author_links`` rows, and the
   counts for the quality summary.

Resolution runs per *partition* of the nodes: every candidate pair lies inside
one block (surname key + first initial), every block inside one partition
(partition.py), and overrides that join blocks pull those blocks into one
partition, so partitions never need each other's decisions.  Every mention
of one written form belongs to one author (form -> node -> component), so the
result maps *nodes* to authors; tables that list mentions join that map.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

from transforms.authors.candidates import CONFLICT, candidate_pairs
from transforms.authors.clustering import cluster
from transforms.authors.evidence import MERGE, POSSIBLE_MATCH, decide, gather_evidence
from transforms.authors.keys import nodes_of_forms, people
from transforms.authors.overrides import apply_overrides
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
    """One partition's (or the whole corpus's) authors."""

    node_author: pl.DataFrame  # node, author_id: every node
    authors: pl.DataFrame  # rows of the ``authors`` table
    links: pl.DataFrame  # rows of the ``author_links`` table
    decisions: dict[str, int]  # compared pairs by decision (for the quality summary)


def resolve_partition(
    forms: pl.DataFrame, mentions: pl.DataFrame, context: pl.DataFrame, override_edges: pl.DataFrame | None
) -> Resolution:
    """Resolve the nodes of one partition.

    ``forms``: ``name_as_listed, node_name, n_mentions`` (each written form of the
    partition once).  ``mentions``: ``entry, paper, position, node`` -- every
    mention of the corpus, because coauthors may live in other partitions.
    ``context``: ``entry, topic, orgs``.  ``override_edges``: decided edges from
    the override file that fall in this partition (overrides.py).
    """
    nodes = nodes_of_forms(forms)
    forms = forms.join(nodes.select("node_name", "node"), on="node_name")
    persons = people(nodes)
    candidates = candidate_pairs(persons)
    compatible = decide(gather_evidence(candidates.filter(pl.col("rule") != CONFLICT), mentions, context))
    conflicting = candidates.filter(pl.col("rule") == CONFLICT).with_columns(decision=pl.lit(CONFLICT))
    decided = apply_overrides(pl.concat([compatible, conflicting], how="diagonal_relaxed"), override_edges)
    labels, bridges = cluster(decided, persons)

    # a component's label is its alphabetically first node name; its author id the hash of that name
    node_author = (
        nodes.select("node", "node_name", "is_group")
        .join(labels, on="node", how="left")
        .with_columns(label=pl.coalesce("label", "node"))
    )
    label_names = (
        node_author.group_by("label").agg(pl.col("node_name").min().alias("label_name"))
        .with_columns(author_id=stable_id(pl.col("label_name")))
        .select("label", "author_id")
    )
    node_author = node_author.join(label_names, on="label").select("node", "node_name", "author_id", "is_group")
    counted = (
        forms.join(node_author.select("node", "author_id", "is_group"), on="node")
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
        node_author.join(bridges, on="node", how="semi").select("author_id").unique()
        .with_columns(is_ambiguous=pl.lit(True))
    )
    papers = (
        mentions.join(node_author.select("node", "author_id"), on="node")
        .group_by("author_id")
        .agg(pl.col("paper").n_unique().cast(pl.Int32).alias("n_papers"))
    )
    variants = counted.group_by("author_id").agg(
        pl.col("name_as_listed").sort().str.join(VARIANT_SEPARATOR).alias("name_variants"),
        pl.len().cast(pl.Int32).alias("n_variants"),
    )
    authors = (
        canonical.join(variants, on="author_id")
        .join(papers, on="author_id", how="left")
        .join(ambiguous, on="author_id", how="left")
        .with_columns(pl.col("is_ambiguous").fill_null(False), pl.col("n_papers").fill_null(0))
        .select("author_id", "name", "is_group", "name_variants", "n_variants", "n_papers", "is_ambiguous")
    )
    links = _links(counted, canonical, decided, node_author.select("node", "node_name"))
    decisions = dict(decided.group_by("decision").len().iter_rows())
    return Resolution(node_author=node_author.select("node", "author_id"), authors=authors, links=links,
                      decisions={k: int(v) for k, v in decisions.items()})


def _links(counted: pl.DataFrame, canonical: pl.DataFrame, decided: pl.DataFrame, names: pl.DataFrame) -> pl.DataFrame:
    """Why each written form belongs to its author: the best merge edge of its node
    (most confident; ties broken by rule, evidence and the partner's name, so the
    table is a function of the input)."""
    merges = decided.filter(pl.col("decision") == MERGE)
    incident = pl.concat(
        [merges.select("node", pl.col("node_b").alias("partner"), "rule", "evidence", "confidence"),
         merges.select(pl.col("node_b").alias("node"), pl.col("node").alias("partner"), "rule", "evidence",
                       "confidence")]
    ).join(names.rename({"node": "partner", "node_name": "partner_name"}), on="partner", how="left")
    best = (
        incident.sort(["node", "confidence", "rule", "evidence", "partner_name"],
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
    )


def quality_summary(authors: pl.DataFrame, links: pl.DataFrame, decisions: dict[str, int]) -> dict[str, Any]:
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
        "possible_matches_left_apart": decisions.get(POSSIBLE_MATCH, 0),
        "conflicting_pairs_kept_apart": decisions.get(CONFLICT, 0),
    }
