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
#: Topics are compared as bit sets of this many 64-bit words (the arXiv taxonomy has 155 categories).
_TOPIC_WORDS = 4


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


def _other_side(pairs: pl.DataFrame, small: pl.DataFrame) -> pl.DataFrame:
    """``pairs`` with, per pair, which node is the one with fewer mentions (``small``)
    and the other (``large``); ``small`` has node and n (mentions per node)."""
    return (
        pairs.select(_PAIR)
        .join(small.rename({"n": "n_a"}), on="node", how="left")
        .join(small.rename({"node": "node_b", "n": "n_b"}), on="node_b", how="left")
        .with_columns(a_smaller=pl.col("n_a").fill_null(0) <= pl.col("n_b").fill_null(0))
        .select(
            *_PAIR,
            pl.when(pl.col("a_smaller")).then(pl.col("node")).otherwise(pl.col("node_b")).alias("small"),
            pl.when(pl.col("a_smaller")).then(pl.col("node_b")).otherwise(pl.col("node")).alias("large"),
        )
    )


def _listed_at(oriented: pl.DataFrame, mine: pl.DataFrame, mentions: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """The pairs whose large node is listed at one of the small node's ``keys`` (an entry,
    or a paper's author slot): looked up from the small side, whose mentions are few."""
    small_at = oriented.join(mine.select(pl.col("node").alias("small"), *keys), on="small")
    # probe every mention against the (small) expansion: cheaper than hashing every mention
    listed = mentions.select(pl.col("node").alias("large"), *keys).join(small_at, on=["large", *keys], how="inner")
    return listed.select(_PAIR).unique()


def _topic_masks(nodes: pl.DataFrame, mine: pl.DataFrame, entries: pl.DataFrame) -> pl.DataFrame:
    """Per node, its topics as a 256-bit set (four words): a shared topic is then one AND.

    ``entries`` is indexed by ``entry`` (row i is entry i), so an entry's topic is a gather, not a join.
    """
    here = mine.join(nodes, on="node", how="semi")
    topics = here.select("node", entries["topic"].gather(here["entry"]).alias("topic")).drop_nulls("topic")
    n_topics = 64 * _TOPIC_WORDS
    bit = pl.col("topic").cast(pl.UInt32).replace_strict(
        list(range(n_topics)), [1 << (t % 64) for t in range(n_topics)], return_dtype=pl.UInt64
    )
    word = pl.col("topic").cast(pl.UInt32) // 64
    return (
        topics.group_by("node")
        .agg(*[pl.when(word == w).then(bit).otherwise(0).cast(pl.UInt64).bitwise_or().alias(f"t{w}")
               for w in range(_TOPIC_WORDS)])
    )


def gather_evidence(pairs: pl.DataFrame, mentions: pl.DataFrame, entries: pl.DataFrame) -> pl.DataFrame:
    """Add the strongest ``evidence`` kind to compatible ``pairs`` (and make a pair
    listed together on one record a ``conflict``).

    ``mentions``: entry, paper, position, node (every mention).  ``entries``:
    entry, topic (integer below 256), orgs (list of integer organisation keys),
    with row i holding entry i.
    Only whether a pair shares a fact matters, never how many, and only the
    strongest kind is reported.  A typical pair is a prolific name and a rare
    variant of it, so every look-up starts from the side with fewer mentions:
    a shared record or slot is found by looking where the rare side is listed;
    coauthors and organisations are compared from the side with fewer of them;
    topics are compared as bit sets.
    """
    candidates = pl.concat([pairs.select("node"), pairs.select(pl.col("node_b").alias("node"))]).unique()
    mine = mentions.join(candidates, on="node", how="semi").select("entry", "paper", "position", "node")
    counts = mine.group_by("node").agg(pl.len().alias("n"))
    oriented = _other_side(pairs, counts)
    found = {
        "together": _listed_at(oriented, mine, mentions, ["entry"]),
        SAME_SLOT: _listed_at(oriented, mine, mentions, ["paper", "position"]),
    }
    open_pairs = pairs.join(found[SAME_SLOT], on=_PAIR, how="anti")
    coauthors = _coauthors(open_pairs, mine, mentions)
    found[COAUTHOR] = _pairs_sharing(open_pairs, coauthors)
    open_pairs = open_pairs.join(found[COAUTHOR], on=_PAIR, how="anti")
    open_mentions = _nodes_of(open_pairs, mine)
    orgs = (
        open_mentions.select("node", entries["orgs"].gather(open_mentions["entry"]).alias("value"))
        .filter(pl.col("value").list.len() > 0)
        .explode("value")
        .unique()
    )
    found[ORGANISATION] = _pairs_sharing(open_pairs, orgs)
    open_pairs = open_pairs.join(found[ORGANISATION], on=_PAIR, how="anti")
    masks = _topic_masks(candidates, mine, entries)
    words = [f"t{w}" for w in range(_TOPIC_WORDS)]
    shared_topic = pl.any_horizontal([(pl.col(w) & pl.col(f"{w}_b")) != 0 for w in words])
    found[TOPIC] = (
        open_pairs.select(_PAIR)
        .join(masks, on="node")
        .join(masks.rename({"node": "node_b", **{w: f"{w}_b" for w in words}}), on="node_b")
        .filter(shared_topic)
        .select(_PAIR)
    )

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
