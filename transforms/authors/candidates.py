"""Which person nodes could be one person, and by which name rule.

Nodes are compared only inside a block -- same surname key and same first
initial -- and pairs are generated only where the first names allow a merge:
equal full first names (joined on surname + first name), or an initial-only
first name against everyone with that surname and initial.  Two different
full first names can never merge, so those pairs -- most of a big surname
block (``Wang``, ``Smith``) -- are never materialised: the work grows with the
plausible pairs, not with the square of the block.
"""

from __future__ import annotations

import polars as pl

#: Name rules, weakest evidence needed first; ``conflict`` never merges.
CONFLICT = "conflict"
MIDDLE_INITIAL = "middle_initial"  # full first name, compatible middle names
MIDDLE_MISSING = "middle_missing"  # full first name, middle name on one side only
FIRST_INITIAL = "first_initial"  # one first name is an initial of the other


def candidate_pairs(people: pl.DataFrame) -> pl.DataFrame:
    """Person node pairs ``node < node_b`` that *could* be one person, with their ``rule``."""
    full_first = people.filter(pl.col("first").str.len_chars() > 1)
    initial_only = people.filter(pl.col("first").str.len_chars() == 1)
    same_first = full_first.join(full_first, on=["surname_key", "first"], suffix="_b").filter(
        pl.col("node") < pl.col("node_b")
    )
    with_initial = (
        initial_only.join(people, on=["surname_key", "first_initial"], suffix="_b")
        .filter(pl.col("node") != pl.col("node_b"))
        .select(
            pl.min_horizontal("node", "node_b").alias("node"),
            pl.max_horizontal("node", "node_b").alias("node_b"),
        )
    )
    pairs = pl.concat([same_first.select("node", "node_b"), with_initial]).unique()
    return name_rules(pairs, people)


def name_rules(pairs: pl.DataFrame, people: pl.DataFrame) -> pl.DataFrame:
    """The name rule (or ``conflict``) for given person node pairs ``node < node_b``."""
    attrs = people.select("node", "first", "middle")
    pairs = pairs.join(attrs, on="node").join(attrs.rename({"node": "node_b"}), on="node_b", suffix="_b")
    len_a, len_b = pl.col("middle").list.len(), pl.col("middle_b").list.len()
    with_middles = pairs.filter((len_a > 0) & (len_a == len_b))
    middles = (
        with_middles.select("node", "node_b", "middle", "middle_b")
        .explode("middle", "middle_b")
        .with_columns(
            same=pl.col("middle") == pl.col("middle_b"),
            initial=((pl.col("middle").str.len_chars() == 1) & pl.col("middle_b").str.starts_with(pl.col("middle")))
            | ((pl.col("middle_b").str.len_chars() == 1) & pl.col("middle").str.starts_with(pl.col("middle_b"))),
        )
        .group_by("node", "node_b")
        .agg(
            middle_all_same=pl.col("same").all(),
            middle_compatible=(pl.col("same") | pl.col("initial")).all(),
        )
    )
    full = lambda c: pl.col(c).str.len_chars() > 1  # noqa: E731
    return (
        pairs.join(middles, on=["node", "node_b"], how="left")
        .with_columns(
            first_conflict=pl.col("first").is_null()
            | pl.col("first_b").is_null()
            | (pl.col("first").str.slice(0, 1) != pl.col("first_b").str.slice(0, 1))
            | (full("first") & full("first_b") & (pl.col("first") != pl.col("first_b"))),
            middle_state=pl.when((len_a == 0) & (len_b == 0))
            .then(pl.lit("same"))
            .when((len_a == 0) | (len_b == 0))
            .then(pl.lit("missing"))
            .when(len_a != len_b)
            .then(pl.lit("conflict"))
            .when(pl.col("middle_all_same"))
            .then(pl.lit("same"))
            .when(pl.col("middle_compatible"))
            .then(pl.lit("initial"))
            .otherwise(pl.lit("conflict")),
        )
        .with_columns(
            rule=pl.when(pl.col("first_conflict") | (pl.col("middle_state") == "conflict"))
            .then(pl.lit(CONFLICT))
            .when(~(full("first") & full("first_b")))
            .then(pl.lit(FIRST_INITIAL))
            .when(pl.col("middle_state") == "missing")
            .then(pl.lit(MIDDLE_MISSING))
            .otherwise(pl.lit(MIDDLE_INITIAL))  # same or initial-compatible middles
        )
        .select("node", "node_b", "rule")
    )
