"""Clustering-quality metrics for the resolution tests: B³ and pairwise precision/recall/F1.

Test helpers, not product code: nothing in the pipeline scores itself against gold labels.

Why this module exists: author resolution and paper dedup both *cluster* items
(mentions into persons, listing entries into papers).  Whether a change to the
resolution is an improvement can only be told by scoring its clusters against
a hand-labelled gold clustering, with the same metrics every time.

Two complementary metrics are provided:

* **B³** (Bagga & Baldwin, 1998): per item, precision is the share of the
  item's predicted cluster that truly belongs with it, recall the share of its
  gold cluster that was predicted with it; both are averaged over items with
  equal weight and F1 is their harmonic mean.  Every item counts once, so a
  wrong merge of two big clusters and a wrong split are both visible, and
  singletons are not ignored.
* **Pairwise**: precision and recall over the unordered item pairs placed in
  one cluster.  Pair counts grow quadratically with cluster size, so this
  metric punishes a single wrong merge of two large clusters much harder than
  B³ does -- the right alarm for "two people were chained together".

Both are computed from the *contingency table* -- one row per non-empty
(predicted cluster, gold cluster) intersection with its size -- built with
group-bys.  Pairs are counted as ``n * (n - 1) / 2`` per intersection and per
cluster; no pair is ever materialised, so the cost is one group-by over the
items (linear), which scales to millions of items.  Pure Polars, no I/O.

Conventions for degenerate inputs (documented because they are choices):
pairwise precision is 1.0 when the prediction forms no pair at all (nothing
was wrongly merged) and pairwise recall is 1.0 when the gold has no pair
(nothing was missed); F1 is 0.0 when precision and recall are both 0.  An
empty frame or a null cluster label is an error: a score over nothing, or
over items the join failed to label, would hide a bug in the caller.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

_PRED = "__predicted"
_GOLD = "__gold"


@dataclass(frozen=True)
class Scores:
    """Precision, recall and their harmonic mean, each in [0, 1]."""

    precision: float
    recall: float
    f1: float

    def __str__(self) -> str:
        return f"P={self.precision:.4f} R={self.recall:.4f} F1={self.f1:.4f}"


def f1_score(precision: float, recall: float) -> float:
    """Harmonic mean of precision and recall (0.0 when both are 0)."""
    total = precision + recall
    return 0.0 if total == 0 else 2.0 * precision * recall / total


def contingency(frame: pl.DataFrame | pl.LazyFrame, predicted: str, gold: str) -> pl.DataFrame:
    """One row per non-empty (predicted, gold) cluster intersection.

    Columns: ``n`` (items in the intersection), ``n_predicted`` (size of the
    predicted cluster) and ``n_gold`` (size of the gold cluster), all Int64.
    Both metrics derive from these three numbers alone, which is why they can
    be computed without looking at item pairs.  ``predicted`` and ``gold`` may
    be the same column (a perfect prediction).

    Raises ``ValueError`` for an empty frame or a null label.
    """
    cells = (
        frame.lazy()
        .select(pl.col(predicted).alias(_PRED), pl.col(gold).alias(_GOLD))
        .group_by(_PRED, _GOLD)
        .agg(pl.len().cast(pl.Int64).alias("n"))
        .with_columns(
            pl.col("n").sum().over(_PRED).alias("n_predicted"),
            pl.col("n").sum().over(_GOLD).alias("n_gold"),
        )
        .collect()
    )
    if cells.height == 0:
        raise ValueError("cannot score an empty clustering")
    nulls = cells.filter(pl.col(_PRED).is_null() | pl.col(_GOLD).is_null())
    if nulls.height:
        raise ValueError(
            f"{int(nulls['n'].sum())} item(s) have a null label in {predicted!r} or {gold!r}; "
            "every item needs both a predicted and a gold cluster"
        )
    return cells.select("n", "n_predicted", "n_gold")


def b_cubed(frame: pl.DataFrame | pl.LazyFrame, predicted: str, gold: str) -> Scores:
    """B³ precision, recall and F1, averaged per item (Bagga & Baldwin, 1998).

    For an item in intersection cell ``c`` its precision is ``n_c / n_predicted``
    and its recall ``n_c / n_gold``; the ``n_c`` items of a cell share them, so
    the per-item sums are ``sum(n_c² / n_predicted)`` and ``sum(n_c² / n_gold)``.
    """
    cells = contingency(frame, predicted, gold)
    n = pl.col("n").cast(pl.Float64)
    sums = cells.select(
        pl.col("n").sum().alias("items"),
        (n * n / pl.col("n_predicted")).sum().alias("precision"),
        (n * n / pl.col("n_gold")).sum().alias("recall"),
    ).row(0, named=True)
    precision = _clamp(sums["precision"] / sums["items"])
    recall = _clamp(sums["recall"] / sums["items"])
    return Scores(precision, recall, f1_score(precision, recall))


def pairwise(frame: pl.DataFrame | pl.LazyFrame, predicted: str, gold: str) -> Scores:
    """Pairwise precision, recall and F1 over unordered same-cluster item pairs.

    True positives are the pairs inside each intersection, ``n (n - 1) / 2``.
    Predicted (gold) pairs are ``s (s - 1) / 2`` per predicted (gold) cluster of
    size ``s``; such a cluster appears in one row per intersection, whose ``n``
    sum to ``s``, so ``sum(n * (s - 1)) / 2`` over the rows counts it exactly once.
    All counts are exact integers.
    """
    n = pl.col("n")
    counts = contingency(frame, predicted, gold).select(
        (n * (n - 1)).sum().alias("true"),
        (n * (pl.col("n_predicted") - 1)).sum().alias("predicted"),
        (n * (pl.col("n_gold") - 1)).sum().alias("gold"),
    ).row(0, named=True)
    true_pairs, predicted_pairs, gold_pairs = (int(counts[k]) // 2 for k in ("true", "predicted", "gold"))
    precision = 1.0 if predicted_pairs == 0 else _clamp(true_pairs / predicted_pairs)
    recall = 1.0 if gold_pairs == 0 else _clamp(true_pairs / gold_pairs)
    return Scores(precision, recall, f1_score(precision, recall))


def _clamp(value: float) -> float:
    """Guard against float rounding pushing a ratio a hair outside [0, 1]."""
    return min(1.0, max(0.0, value))
