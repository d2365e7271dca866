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


_PAIR = ["node", "node_b"]
#: Authors per record are numbered below this, so (paper, position) packs into one integer.
_SLOT_BASE = 1 << 20


def _ordered_pairs(frame: pl.DataFrame) -> pl.DataFrame:
    """Distinct pairs ``node < node_b`` from a frame with columns ``node`` and ``node_b``."""
    return frame.filter(pl.col("node") < pl.col("node_b")).select(_PAIR).unique()


def _pairs_sharing(pairs: pl.DataFrame, facts: pl.DataFrame) -> pl.DataFrame:
    """The ``pairs`` whose two nodes share at least one ``value`` of ``facts`` (node, value; unique).

    Each pair is expanded from its side with *fewer* facts and checked against
    the other's: a variant spelling seen on three papers next to a prolific
    author with thousands of coauthors costs three lookups, not thousands.
    """
    degree = facts.group_by("node").agg(pl.len().alias("deg"))
    oriented = (
        pairs.select(_PAIR)
        .join(degree, on="node", how="left")
        .join(degree.rename({"node": "node_b", "deg": "deg_b"}), on="node_b", how="left")
        .with_columns(a_smaller=pl.col("deg").fill_null(0) <= pl.col("deg_b").fill_null(0))
        .select(
            *_PAIR,
            pl.when(pl.col("a_smaller")).then(pl.col("node")).otherwise(pl.col("node_b")).alias("small"),
            pl.when(pl.col("a_smaller")).then(pl.col("node_b")).otherwise(pl.col("node")).alias("large"),
        )
    )
    return (
        oriented.join(facts.rename({"node": "small"}), on="small")
        .join(facts.rename({"node": "large"}), on=["large", "value"], how="semi")
        .select(_PAIR)
        .unique()
    )


def gather_evidence(pairs: pl.DataFrame, mentions: pl.DataFrame, entries: pl.DataFrame) -> pl.DataFrame:
    """Add the strongest ``evidence`` kind to compatible ``pairs`` (and make a pair
    listed together on one record a ``conflict``).

    ``mentions``: entry, paper, position, node (every mention).  ``entries``:
    entry, topic (integer), orgs (list of integer organisation keys).  Only
    whether a pair shares a fact matters, never how many, and only the strongest
    kind is reported, so each kind is looked for only among the pairs the
    stronger kinds left undecided (most pairs stop at the shared slot); every
    look-up goes from the pair's side with fewer facts (:func:`_pairs_sharing`).
    """
    candidates = pl.concat([pairs.select("node"), pairs.select(pl.col("node_b").alias("node"))]).unique()
    mine = mentions.join(candidates, on="node", how="semi").select("entry", "paper", "position", "node")
    records = mine.select("node", pl.col("entry").cast(pl.UInt64).alias("value")).unique()
    slots = mine.select(
        "node", (pl.col("paper").cast(pl.UInt64) * _SLOT_BASE + pl.col("position").cast(pl.UInt64)).alias("value")
    ).unique()
    together = _pairs_sharing(pairs, records)
    same_slot = _pairs_sharing(pairs, slots)
    found = {"together": together, SAME_SLOT: same_slot}

    open_pairs = pairs.join(same_slot, on=_PAIR, how="anti")
    coauthors = _coauthors(open_pairs, mine, mentions)
    found[COAUTHOR] = _pairs_sharing(open_pairs, coauthors)
    open_pairs = open_pairs.join(found[COAUTHOR], on=_PAIR, how="anti")
    context = _nodes_of(open_pairs, mine).select("node", "entry").join(entries, on="entry")
    orgs = context.select("node", pl.col("orgs").alias("value")).explode("value").drop_nulls().unique()
    found[ORGANISATION] = _pairs_sharing(open_pairs, orgs)
    open_pairs = open_pairs.join(found[ORGANISATION], on=_PAIR, how="anti")
    topics = context.select("node", pl.col("topic").alias("value")).drop_nulls().unique()
    found[TOPIC] = _pairs_sharing(open_pairs, topics)

    out = pairs
    for name, flagged in found.items():
        out = out.join(flagged.with_columns(pl.lit(True).alias(name)), on=_PAIR, how="left").with_columns(
            pl.col(name).fill_null(False)
        )
    return out.with_columns(
        evidence=pl.when(pl.col(SAME_SLOT))
        .then(pl.lit(SAME_SLOT))
        .when(pl.col(COAUTHOR))
        .then(pl.lit(COAUTHOR))
        .when(pl.col(ORGANISATION))
        .then(pl.lit(ORGANISATION))
        .when(pl.col(TOPIC))
        .then(pl.lit(TOPIC))
        .otherwise(pl.lit(NO_EVIDENCE)),
        rule=pl.when(pl.col("together")).then(pl.lit(CONFLICT)).otherwise(pl.col("rule")),
    ).drop("together", SAME_SLOT, COAUTHOR, ORGANISATION, TOPIC)


def _nodes_of(pairs: pl.DataFrame, mine: pl.DataFrame) -> pl.DataFrame:
    """The mentions of the nodes of ``pairs``."""
    nodes = pl.concat([pairs.select("node"), pairs.select(pl.col("node_b").alias("node"))]).unique()
    return mine.join(nodes, on="node", how="semi")


def _coauthors(pairs: pl.DataFrame, mine: pl.DataFrame, mentions: pl.DataFrame) -> pl.DataFrame:
    """(node, value): every other name listed with a node of ``pairs`` on one record."""
    return (
        _nodes_of(pairs, mine).select("entry", "node")
        .join(mentions.select("entry", pl.col("node").alias("value")), on="entry")
        .filter(pl.col("node") != pl.col("value"))
        .select("node", "value")
        .unique()
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
