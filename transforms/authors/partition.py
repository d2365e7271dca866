"""Which resolution partition a node belongs to.

Candidate pairs never leave a block (same surname key and first initial), so
nodes can be resolved in independent partitions as long as a block is never
split: a node's partition is a hash of its surname's last word
(:func:`transforms.authors.keys.partition_token`), which every node of a block
shares.  A manual merge may join two blocks; the tokens it joins are mapped to
one token first, so such blocks share a partition too.
"""

from __future__ import annotations

import polars as pl

from transforms.authors.keys import partition_token

#: Resolution holds about this many entries' worth of names per partition: at a
#: million records the whole corpus is one partition.
ENTRIES_PER_PARTITION = 2_000_000
_PARTITION_SEED = 20_261_203


def partition_count(n_entries: int) -> int:
    return max(1, -(-n_entries // ENTRIES_PER_PARTITION))


def merged_tokens(edges: pl.DataFrame | None, nodes: pl.DataFrame) -> dict[str, str]:
    """token -> representative token, for the tokens that manual merges join (union-find)."""
    if edges is None or edges.height == 0:
        return {}
    names = dict(nodes.select("node", "node_name").iter_rows())
    token_of = dict(
        nodes.select("node", partition_token(pl.col("node_name")).alias("t")).iter_rows()
    )
    parent: dict[str, str] = {}

    def find(t: str) -> str:
        while parent.get(t, t) != t:
            t = parent[t]
        return t

    for a, b, decision in edges.select("node", "node_b", "decision").iter_rows():
        if decision != "merge" or a not in names or b not in names:
            continue
        ra, rb = find(token_of[a]), find(token_of[b])
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return {t: find(t) for t in list(parent)}


def partition_of(node_name: pl.Expr, partitions: int, joined: dict[str, str]) -> pl.Expr:
    """The partition (UInt32) of each node."""
    token = partition_token(node_name)
    if joined:
        token = token.replace(joined)
    if partitions == 1:
        return pl.lit(0, dtype=pl.UInt32)
    return (token.hash(seed=_PARTITION_SEED) % partitions).cast(pl.UInt32)
