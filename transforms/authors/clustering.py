"""Merge edges -> people: connected components, with bridges and conflicts defused.

A node compatible with two people who conflict with each other (``D. Smith``
with ``David`` and ``Daniel Smith``) keeps no edges: it is *ambiguous*, not a
bridge.  A component that still contains a conflicting pair falls back to its
strong edges only.  Components are found by min-label propagation, one
vectorised join per hop of the longest chain (a handful), over the nodes that
have edges at all.
"""

from __future__ import annotations

import polars as pl

from transforms.authors.candidates import CONFLICT, name_rules
from transforms.authors.evidence import MERGE

#: In a component that still joins two conflicting names, only edges at least this confident survive.
STRONG_EDGE = 0.95


def _undirected(edges: pl.DataFrame) -> pl.DataFrame:
    return pl.concat(
        [edges.select("node", "node_b"), edges.select(pl.col("node_b").alias("node"), pl.col("node").alias("node_b"))]
    )


def components(edges: pl.DataFrame) -> pl.DataFrame:
    """``node, label`` for every node with an edge: label = the smallest node of its component."""
    undirected = _undirected(edges)
    labels = undirected.select("node").unique().with_columns(label=pl.col("node"))
    while True:
        proposed = (
            undirected.join(labels.rename({"node": "node_b", "label": "label_b"}), on="node_b")
            .group_by("node")
            .agg(pl.col("label_b").min())
        )
        updated = labels.join(proposed, on="node", how="left").with_columns(
            label=pl.min_horizontal("label", "label_b")
        ).drop("label_b")
        if updated.join(labels, on=["node", "label"], how="anti").height == 0:
            return labels
        labels = updated


def _conflicting(pairs: pl.DataFrame, decided_conflicts: pl.DataFrame, people: pl.DataFrame) -> pl.DataFrame:
    """Which of ``pairs`` (node < node_b) are two different people: a decided
    conflict (e.g. a split override, or listed on one record) or incompatible names."""
    by_name = name_rules(pairs, people).filter(pl.col("rule") == CONFLICT).select("node", "node_b")
    decided = pairs.join(decided_conflicts, on=["node", "node_b"])
    return pl.concat([by_name, decided]).unique()


def cluster(decided: pl.DataFrame, people: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(labels of nodes in multi-node components, bridge nodes)."""
    merges = decided.filter(pl.col("decision") == MERGE).select("node", "node_b", "confidence")
    decided_conflicts = decided.filter(pl.col("decision") == CONFLICT).select("node", "node_b")
    undirected = _undirected(merges)
    # a node whose merge partners conflict with each other is a bridge: drop its edges
    partner_pairs = (
        undirected.join(undirected.rename({"node_b": "other"}), on="node")
        .filter(pl.col("node_b") < pl.col("other"))
    )
    partner_conflicts = _conflicting(
        partner_pairs.select(pl.col("node_b").alias("node"), pl.col("other").alias("node_b")).unique(),
        decided_conflicts, people,
    )
    bridges = (
        partner_pairs.join(partner_conflicts.rename({"node": "node_b", "node_b": "other"}), on=["node_b", "other"])
        .select("node")
        .unique()
    )
    edges = merges.join(bridges, on="node", how="anti").join(bridges.rename({"node": "node_b"}), on="node_b", how="anti")
    labels = components(edges)
    # a component still holding a conflicting pair keeps only its strong edges
    multi = labels.filter(pl.len().over("label") > 1)
    within = multi.join(multi.rename({"node": "node_b"}), on="label").filter(pl.col("node") < pl.col("node_b"))
    conflicted = (
        _conflicting(within.select("node", "node_b"), decided_conflicts, people)
        .join(within, on=["node", "node_b"])
        .select("label")
        .unique()
    )
    if conflicted.height:
        weak = (
            edges.join(labels, on="node").join(conflicted, on="label")
            .filter(pl.col("confidence") < STRONG_EDGE)
            .select("node", "node_b")
        )
        edges = edges.join(weak, on=["node", "node_b"], how="anti")
        labels = components(edges)
    return labels, bridges
