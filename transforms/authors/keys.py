"""Written names -> nodes: the unit author resolution works on.

Written forms that fold alike (accents, case, hyphens, dots: ``Théophane
Weber`` / ``Theophane Weber``) are one *node* from the start.  A node is a
folded key with a prefix telling persons (``p:``) from groups (``g:``), so a
group is never compared with a person.  Keys are computed once per distinct
written form, not per mention: a prolific author's name is folded once.

Nodes are numbered in the order of their strings, so comparing two node
numbers compares the strings -- which is what makes "the alphabetically first
node of a component" (its label, hence its author id) a plain ``min``.
"""

from __future__ import annotations

import polars as pl

from transforms.grammar import group_name_pattern
from transforms.names import name_key_series, name_parts

PERSON_PREFIX = "p:"
GROUP_PREFIX = "g:"


def nodes_of_names(names: pl.Series) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(forms, nodes) for the distinct written ``names``.

    ``forms``: ``name_as_listed, node`` (node number).  ``nodes``: ``node,
    node_name`` (the prefixed key), ``key``, ``is_group``, in string order.
    """
    distinct = names.unique().drop_nulls()
    forms = (
        pl.DataFrame({"name_as_listed": distinct, "key": name_key_series(distinct)})
        .with_columns(is_group=pl.col("name_as_listed").str.contains(group_name_pattern()))
        .with_columns(
            node_name=pl.when(pl.col("is_group")).then(pl.lit(GROUP_PREFIX)).otherwise(pl.lit(PERSON_PREFIX))
            + pl.col("key")
        )
    )
    nodes = (
        forms.select("node_name", "key", "is_group").unique("node_name").sort("node_name")
        .with_row_index("node")
        .with_columns(pl.col("node").cast(pl.UInt32))
    )
    forms = forms.join(nodes.select("node_name", "node"), on="node_name").select("name_as_listed", "node")
    return forms, nodes


def people(nodes: pl.DataFrame) -> pl.DataFrame:
    """One row per person node with its name taken apart (surname key, first name,
    first initial, middle names): the block is surname key + first initial."""
    return (
        nodes.filter(~pl.col("is_group"))
        .select("node", "key")
        .with_columns(name_parts(pl.col("key")))
        .select("node", "surname_key", "first", "first_initial", "middle")
    )
