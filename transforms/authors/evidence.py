"""What two candidate nodes have in common, and whether that is enough to merge them.

The weaker the name rule, the more evidence it needs: a full first name with a
compatible middle initial merges on the name alone; a missing middle name or an
initial-only first name needs the same author slot of the same paper on
another profile (``same_slot``), a shared coauthor (``coauthor``), or --
flagged low-confidence -- a shared organisation.  A shared topic alone never
merges: that is a *possible match*, counted but left apart (precision first).
Two names on the same record are two people, whatever their names say.

Facts are gathered only for the nodes of candidate pairs, and each pair's
shared facts are counted from its side with *fewer* facts: a variant seen on
three papers next to a prolific author with thousands of coauthors costs three
lookups, not thousands.
"""

from __future__ import annotations

import polars as pl

from transforms.authors.candidates import CONFLICT, FIRST_INITIAL, MIDDLE_INITIAL, MIDDLE_MISSING

SAME_SLOT = "same_slot"
COAUTHOR = "coauthor"
ORGANISATION = "organisation"
TOPIC = "topic"
NO_EVIDENCE = "none"
MERGE, POSSIBLE_MATCH = "merge", "possible_match"

#: (rule, evidence) -> confidence of the merge; a missing entry means "not enough to merge".
CONFIDENCE: dict[tuple[str, str], float] = {
    (MIDDLE_INITIAL, SAME_SLOT): 0.97,
    (MIDDLE_INITIAL, COAUTHOR): 0.95,
    (MIDDLE_INITIAL, ORGANISATION): 0.93,
    (MIDDLE_INITIAL, TOPIC): 0.92,
    (MIDDLE_INITIAL, NO_EVIDENCE): 0.9,
    (MIDDLE_MISSING, SAME_SLOT): 0.95,
    (MIDDLE_MISSING, COAUTHOR): 0.9,
    (MIDDLE_MISSING, ORGANISATION): 0.75,
    (FIRST_INITIAL, SAME_SLOT): 0.95,
    (FIRST_INITIAL, COAUTHOR): 0.85,
    (FIRST_INITIAL, ORGANISATION): 0.7,
}
#: Authors per record are numbered below this, so (paper, position) packs into one integer.
_SLOT_BASE = 1 << 20


#: Kinds of fact, and the evidence column each one counts.
FACT_KINDS = ("n_shared_coauthors", "n_shared_orgs", "n_shared_topics", "n_same_slot", "n_same_record")


def shared_counts(pairs: pl.DataFrame, facts: pl.DataFrame) -> pl.DataFrame:
    """Per pair (``node``, ``node_b``) and fact ``kind``, how many ``value``s both nodes have.

    ``facts`` is (node, kind, value), unique.  Each pair is expanded from its
    side with fewer facts and checked against the other's.
    """
    degree = facts.group_by("node").agg(pl.len().alias("deg"))
    oriented = (
        pairs.select("node", "node_b")
        .join(degree, on="node", how="left")
        .join(degree.rename({"node": "node_b", "deg": "deg_b"}), on="node_b", how="left")
        .with_columns(a_smaller=pl.col("deg").fill_null(0) <= pl.col("deg_b").fill_null(0))
        .select(
            "node", "node_b",
            pl.when(pl.col("a_smaller")).then(pl.col("node")).otherwise(pl.col("node_b")).alias("small"),
            pl.when(pl.col("a_smaller")).then(pl.col("node_b")).otherwise(pl.col("node")).alias("large"),
        )
    )
    return (
        oriented.join(facts.rename({"node": "small"}), on="small")
        .join(facts.rename({"node": "large"}), on=["large", "kind", "value"], how="semi")
        .group_by("node", "node_b", "kind")
        .agg(pl.len().cast(pl.UInt32).alias("n"))
    )


def gather_evidence(pairs: pl.DataFrame, mentions: pl.DataFrame, entries: pl.DataFrame) -> pl.DataFrame:
    """Add evidence counts and the strongest evidence kind to compatible ``pairs``.

    ``mentions``: entry, paper, position, node (every mention).  ``entries``:
    entry, topic (integer), orgs (list of integer organisation keys).  A pair
    listed together on one record becomes a ``conflict``.
    """
    candidates = pl.concat([pairs.select("node"), pairs.select(pl.col("node_b").alias("node"))]).unique()
    mine = mentions.join(candidates, on="node", how="semi").select("entry", "paper", "position", "node")
    value = pl.col("value").cast(pl.UInt64)

    def kind(name: str) -> pl.Expr:
        return pl.lit(FACT_KINDS.index(name), dtype=pl.UInt8).alias("kind")

    co = (
        mine.select("entry", "node")
        .join(mentions.select("entry", pl.col("node").alias("value")), on="entry")
        .filter(pl.col("node") != pl.col("value"))
        .select("node", kind("n_shared_coauthors"), value)
    )
    context = mine.select("node", "entry").join(entries, on="entry")
    orgs = context.select("node", pl.col("orgs").alias("value")).explode("value").drop_nulls().select(
        "node", kind("n_shared_orgs"), value
    )
    topics = context.select("node", pl.col("topic").alias("value")).drop_nulls().select(
        "node", kind("n_shared_topics"), value
    )
    slots = mine.select(
        "node", kind("n_same_slot"),
        (pl.col("paper").cast(pl.UInt64) * _SLOT_BASE + pl.col("position").cast(pl.UInt64)).alias("value"),
    )
    same_record = mine.select("node", kind("n_same_record"), pl.col("entry").cast(pl.UInt64).alias("value"))
    facts = pl.concat([co, orgs, topics, slots, same_record]).unique()
    counts = (
        shared_counts(pairs, facts)
        .with_columns(pl.col("kind").replace_strict(list(range(len(FACT_KINDS))), list(FACT_KINDS),
                                                    return_dtype=pl.String))
        .pivot(on="kind", index=["node", "node_b"], values="n")
    )
    out = pairs.join(counts, on=["node", "node_b"], how="left")
    out = out.with_columns(
        (pl.col(name) if name in out.columns else pl.lit(None, dtype=pl.UInt32)).fill_null(0).cast(pl.UInt32)
        .alias(name)
        for name in FACT_KINDS
    )
    return out.with_columns(
        evidence=pl.when(pl.col("n_same_slot") > 0)
        .then(pl.lit(SAME_SLOT))
        .when(pl.col("n_shared_coauthors") > 0)
        .then(pl.lit(COAUTHOR))
        .when(pl.col("n_shared_orgs") > 0)
        .then(pl.lit(ORGANISATION))
        .when(pl.col("n_shared_topics") > 0)
        .then(pl.lit(TOPIC))
        .otherwise(pl.lit(NO_EVIDENCE)),
        rule=pl.when(pl.col("n_same_record") > 0).then(pl.lit(CONFLICT)).otherwise(pl.col("rule")),
    )


def decide(pairs: pl.DataFrame) -> pl.DataFrame:
    """``confidence`` and ``decision`` (merge / possible_match / conflict) of each pair."""
    table = pl.DataFrame(
        {
            "rule": [r for r, _ in CONFIDENCE],
            "evidence": [e for _, e in CONFIDENCE],
            "confidence": list(CONFIDENCE.values()),
        }
    )
    return pairs.join(table, on=["rule", "evidence"], how="left").with_columns(
        decision=pl.when(pl.col("rule") == CONFLICT)
        .then(pl.lit(CONFLICT))
        .when(pl.col("confidence").is_not_null())
        .then(pl.lit(MERGE))
        .otherwise(pl.lit(POSSIBLE_MATCH))
    )
