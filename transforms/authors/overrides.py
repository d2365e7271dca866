"""Manual author decisions (merge / split of two written forms), validated and applied.

Overrides name written forms as they appear in listings.  Every name must have
been observed (a typo must fail the run, not silently do nothing), and a pair
may not be both merged and split.  A merge adds an edge of confidence 1 (it
may join two blocks); a split makes the pair a conflict, which also keeps any
chain of merges from joining the two.
"""

from __future__ import annotations

import polars as pl

from transforms.authors.candidates import CONFLICT
from transforms.authors.evidence import MERGE
from transforms.names import name_key

OVERRIDE_MERGE, OVERRIDE_SPLIT = "override_merge", "override_split"
MANUAL = "manual"
ACTIONS = ("merge", "split")


class OverrideError(ValueError):
    """An override names an author that does not exist, contradicts itself, or is malformed."""


def override_keys(overrides: pl.DataFrame | None) -> set[str]:
    """The folded keys the override rows name (to look for among the corpus's nodes)."""
    if overrides is None or overrides.height == 0:
        return set()
    keyed = overrides.select(name_key(pl.col("name_a")).alias("a"), name_key(pl.col("name_b")).alias("b"))
    return set(keyed["a"].to_list()) | set(keyed["b"].to_list())


def override_edges(overrides: pl.DataFrame | None, nodes: pl.DataFrame) -> pl.DataFrame | None:
    """Decided edges (node < node_b, rule, evidence, confidence, decision) from the override rows.

    ``nodes`` has ``node`` and ``key`` (the folded form a name is matched by).
    """
    if overrides is None or overrides.height == 0:
        return None
    bad_action = overrides.filter(~pl.col("action").is_in(ACTIONS))
    if bad_action.height:
        raise OverrideError(f"override action must be merge or split, got {bad_action['action'][0]!r}")
    keyed = overrides.with_row_index("row", offset=1).with_columns(
        key=name_key(pl.col("name_a")), key_b=name_key(pl.col("name_b"))
    )
    known_keys = set(nodes["key"].to_list())
    for name, key in zip(keyed["name_a"].to_list() + keyed["name_b"].to_list(),
                         keyed["key"].to_list() + keyed["key_b"].to_list()):
        if key not in known_keys:
            raise OverrideError(f"override names an author never observed: {name!r}")
    pair_key = pl.concat_list(pl.min_horizontal("key", "key_b"), pl.max_horizontal("key", "key_b"))
    contradictions = (
        keyed.with_columns(pair=pair_key)
        .group_by("pair")
        .agg(pl.col("action").n_unique().alias("n_actions"), pl.col("row"), pl.col("name_a"), pl.col("name_b"))
        .filter(pl.col("n_actions") > 1)
    )
    if contradictions.height:
        rows, a, b = contradictions.row(0)[2:5]
        raise OverrideError(
            f"overrides both merge and split {a[0]!r} and {b[0]!r} (rows {', '.join(map(str, sorted(rows)))})"
        )
    node_of = nodes.select("key", "node")
    merge = pl.col("action") == "merge"
    return (
        keyed.join(node_of, on="key")
        .join(node_of.rename({"key": "key_b", "node": "node_b"}), on="key_b")
        .filter(pl.col("node") != pl.col("node_b"))
        .select(
            pl.min_horizontal("node", "node_b").alias("node"),
            pl.max_horizontal("node", "node_b").alias("node_b"),
            pl.when(merge).then(pl.lit(OVERRIDE_MERGE)).otherwise(pl.lit(OVERRIDE_SPLIT)).alias("rule"),
            pl.lit(MANUAL).alias("evidence"),
            pl.when(merge).then(pl.lit(1.0)).otherwise(pl.lit(None, dtype=pl.Float64)).alias("confidence"),
            pl.when(merge).then(pl.lit(MERGE)).otherwise(pl.lit(CONFLICT)).alias("decision"),
        )
        .unique(["node", "node_b"], keep="first", maintain_order=True)
    )


def apply_overrides(decided: pl.DataFrame, edges: pl.DataFrame | None) -> pl.DataFrame:
    """Replace the automatic decision of every overridden pair by the manual one."""
    if edges is None or edges.height == 0:
        return decided
    kept = decided.join(edges.select("node", "node_b"), on=["node", "node_b"], how="anti")
    return pl.concat([kept, edges], how="diagonal_relaxed")
