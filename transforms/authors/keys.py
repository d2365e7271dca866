"""Written names -> nodes: the unit author resolution works on.

Written forms that fold alike (accents, case, hyphens, dots: ``Théophane
Weber`` / ``Theophane Weber``) are one *node* from the start.  A node is a
folded key with a prefix telling persons (``p:``) from groups (``g:``), so a
group is never compared with a person.  Keys are computed once per distinct
written form, not per mention: a prolific author's name is folded once.

A node's id is a 64-bit hash of its name, so a mention is three integers
(entry, position, node) from the first pass on; the alphabetically first node
name of a component is its label, hence its author id.
"""

from __future__ import annotations

import polars as pl

from transforms.grammar import group_name_pattern
from transforms.names import name_key_series, name_parts

PERSON_PREFIX = "p:"
GROUP_PREFIX = "g:"


#: Seed of the node hash: node ids are 64-bit hashes of node names, so that
#: mentions carry an integer from the first pass on (collisions are checked).
NODE_HASH_SEED = 20_261_202


def node_ids(node_name: pl.Expr) -> pl.Expr:
    """The integer id of a node: a hash of its name (stable within one Polars version)."""
    return node_name.hash(seed=NODE_HASH_SEED)


def listed_authors(entries: pl.DataFrame, *keep: str) -> pl.DataFrame:
    """One row per author of each entry: ``keep`` columns, ``name_as_listed``,
    ``node_name``, 1-based ``position`` and the ``node`` id (from ``authors`` and
    ``author_nodes``)."""
    return (
        entries.select(
            *keep,
            pl.col("authors").alias("name_as_listed"),
            pl.col("author_nodes").alias("node_name"),
            pl.int_ranges(1, pl.col("authors").list.len() + 1, dtype=pl.Int32).alias("position"),
        )
        .explode("name_as_listed", "node_name", "position")
        .filter(pl.col("name_as_listed").is_not_null())
        .with_columns(node=node_ids(pl.col("node_name")))
    )


def nodes_of_forms(forms: pl.DataFrame) -> pl.DataFrame:
    """``node, node_name, key, is_group`` for the nodes of ``forms`` (name_as_listed, node_name, ...)."""
    return (
        forms.select("node_name").unique()
        .with_columns(
            node=node_ids(pl.col("node_name")),
            key=pl.col("node_name").str.slice(len(PERSON_PREFIX)),
            is_group=pl.col("node_name").str.starts_with(GROUP_PREFIX),
        )
        .select("node", "node_name", "key", "is_group")
    )


def node_names_of_lists(authors: pl.Series) -> pl.Series:
    """The node (``p:``/``g:`` + folded key) of every written name of a List(String)
    column, list by list.

    Computed once per distinct name and mapped back: a batch lists the same
    prolific names many times.
    """
    distinct = authors.explode().drop_nulls().unique()
    frame = pl.DataFrame({"name": distinct, "key": name_key_series(distinct)})
    nodes = frame.select(
        pl.when(pl.col("name").str.contains(group_name_pattern())).then(pl.lit(GROUP_PREFIX))
        .otherwise(pl.lit(PERSON_PREFIX)) + pl.col("key")
    ).to_series()
    return authors.list.eval(
        pl.element().replace_strict(distinct, nodes, default=None, return_dtype=pl.String)
    ).alias("author_nodes")


#: Surname suffixes, ignored when choosing a node's partition (as name_parts ignores them).
_SUFFIX_TAIL = r"(?: (?:jr|sr|ii|iii|iv))+$"


def partition_token(node_name: pl.Expr) -> pl.Expr:
    """What decides a node's resolution partition: a person's surname's last word
    (every node of one block shares it), a group's whole name."""
    key = node_name.str.slice(len(PERSON_PREFIX))
    last_word = key.str.replace(_SUFFIX_TAIL, "").str.extract(r"([^ ]+)$", 1)
    return pl.when(node_name.str.starts_with(GROUP_PREFIX)).then(node_name).otherwise(pl.coalesce(last_word, key))


def people(nodes: pl.DataFrame) -> pl.DataFrame:
    """One row per person node with its name taken apart (surname key, first name,
    first initial, middle names): the block is surname key + first initial."""
    return (
        nodes.filter(~pl.col("is_group"))
        .select("node", "key")
        .with_columns(name_parts(pl.col("key")))
        .select("node", "surname_key", "first", "first_initial", "middle")
    )
