"""B³ and pairwise clustering metrics: hand-computed examples, a brute-force oracle, properties."""

from __future__ import annotations

from fractions import Fraction
from itertools import combinations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.metrics import Scores, b_cubed, contingency, f1_score, pairwise
from tests.conftest import examples


def f1(p: Fraction, r: Fraction) -> float:
    return float(2 * p * r / (p + r))


def assert_scores(got: Scores, precision: Fraction | float, recall: Fraction | float, f: float) -> None:
    assert got.precision == pytest.approx(float(precision), abs=1e-12)
    assert got.recall == pytest.approx(float(recall), abs=1e-12)
    assert got.f1 == pytest.approx(f, abs=1e-12)


# --- The example of Bagga & Baldwin (1998), Figure 2 ------------------------------------
# Truth: {1-5}, {6,7}, {8-12}.  Response (a) merges {6,7} with {8-12}; response (b) merges
# {1-5} with {8-12}.  The paper's point: B³ precision is 76% for (a) but 58% for (b), because
# (b) wrongly merges two *big* clusters.
BB_GOLD = ["A"] * 5 + ["B"] * 2 + ["C"] * 5
BB_A = ["x"] * 5 + ["y"] * 7
BB_B = ["x"] * 5 + ["y"] * 2 + ["x"] * 5


def bb_frame() -> pl.DataFrame:
    return pl.DataFrame({"gold": BB_GOLD, "a": BB_A, "b": BB_B})


def test_b_cubed_paper_example():
    # (a): items 1-5 precision 1; items 6,7 precision 2/7; items 8-12 precision 5/7.
    # P = (5 + 2*2/7 + 5*5/7) / 12 = (64/7) / 12 = 16/21 ~ 0.7619; recall 1 (no split).
    p_a = Fraction(16, 21)
    assert_scores(b_cubed(bb_frame(), "a", "gold"), p_a, 1, f1(p_a, Fraction(1)))
    # (b): items 1-5 and 8-12 precision 5/10; items 6,7 precision 1.  P = (10*1/2 + 2) / 12 = 7/12.
    p_b = Fraction(7, 12)
    assert_scores(b_cubed(bb_frame(), "b", "gold"), p_b, 1, f1(p_b, Fraction(1)))


def test_pairwise_paper_example():
    # gold pairs: C(5,2) + C(2,2) + C(5,2) = 10 + 1 + 10 = 21, all recovered by both responses.
    # (a) predicts C(5,2) + C(7,2) = 10 + 21 = 31 pairs -> P = 21/31.
    # (b) predicts C(10,2) + C(2,2) = 45 + 1 = 46 pairs -> P = 21/46.
    assert_scores(pairwise(bb_frame(), "a", "gold"), Fraction(21, 31), 1, f1(Fraction(21, 31), Fraction(1)))
    assert_scores(pairwise(bb_frame(), "b", "gold"), Fraction(21, 46), 1, f1(Fraction(21, 46), Fraction(1)))


# --- A hand-worked example with both kinds of error --------------------------------------
# items a..f; gold {a,b,c} {d,e} {f}; predicted {a,b} {c,d} {e,f}.
MIXED = pl.DataFrame(
    {
        "item": list("abcdef"),
        "gold": ["G1", "G1", "G1", "G2", "G2", "G3"],
        "pred": [1, 1, 2, 2, 3, 3],
    }
)


def test_b_cubed_mixed_errors():
    # precision per item: a,b 2/2; c 1/2 (c,d); d 1/2; e 1/2 (e,f); f 1/2  -> sum 4   -> P = 4/6 = 2/3
    # recall per item:    a,b 2/3; c 1/3;       d 1/2; e 1/2;        f 1/1 -> sum 11/3 -> R = 11/18
    # F1 = 2 * (2/3) * (11/18) / (2/3 + 11/18) = 44/69
    got = b_cubed(MIXED, "pred", "gold")
    assert_scores(got, Fraction(2, 3), Fraction(11, 18), 44 / 69)


def test_pairwise_mixed_errors():
    # predicted pairs: ab, cd, ef = 3; gold pairs: ab, ac, bc, de = 4; true: ab = 1.
    # P = 1/3, R = 1/4, F1 = 2 * (1/12) / (7/12) = 2/7
    assert_scores(pairwise(MIXED, "pred", "gold"), Fraction(1, 3), Fraction(1, 4), 2 / 7)


def test_contingency_counts_intersections_and_cluster_sizes():
    cells = contingency(MIXED, "pred", "gold").sort("n_predicted", "n_gold", "n")
    # (pred,gold) cells: (1,G1)=2 (2,G1)=1 (2,G2)=1 (3,G2)=1 (3,G3)=1
    assert sorted(cells.rows()) == sorted([(2, 2, 3), (1, 2, 3), (1, 2, 2), (1, 2, 2), (1, 2, 1)])


def test_degenerate_conventions_and_errors():
    one = pl.DataFrame({"p": [1], "g": [1]})
    assert b_cubed(one, "p", "g") == Scores(1.0, 1.0, 1.0)
    assert pairwise(one, "p", "g") == Scores(1.0, 1.0, 1.0)  # no pairs anywhere: nothing wrong
    merged = pl.DataFrame({"p": [1, 1], "g": [1, 2]})
    assert pairwise(merged, "p", "g") == Scores(0.0, 1.0, 0.0)
    assert f1_score(0.0, 0.0) == 0.0
    with pytest.raises(ValueError, match="empty"):
        b_cubed(pl.DataFrame({"p": [], "g": []}, schema={"p": pl.Int64, "g": pl.Int64}), "p", "g")
    with pytest.raises(ValueError, match="null label"):
        pairwise(pl.DataFrame({"p": [1, None], "g": [1, 1]}), "p", "g")


def test_same_column_and_lazy_input():
    assert b_cubed(MIXED, "gold", "gold") == Scores(1.0, 1.0, 1.0)
    assert pairwise(MIXED.lazy(), "pred", "gold") == pairwise(MIXED, "pred", "gold")


def test_scales_without_materialising_pairs():
    # 2 million items in 2 clusters: 2 * C(10^6, 2) ~ 10^12 pairs, far too many to list.
    n = 1_000_000
    frame = pl.DataFrame({"g": pl.int_range(2 * n, eager=True) // n}).with_columns(p=pl.lit(0))
    got = pairwise(frame, "p", "g")
    expected_p = (2 * n * (n - 1) // 2) / (2 * n * (2 * n - 1) // 2)
    assert got.recall == 1.0 and got.precision == pytest.approx(expected_p)
    assert b_cubed(frame, "p", "g").precision == pytest.approx(0.5)


# --- Brute-force oracle and properties -----------------------------------------------------


def brute_b_cubed(pred: list[int], gold: list[int]) -> tuple[float, float]:
    n = len(pred)
    p = r = Fraction(0)
    for i in range(n):
        same_pred = {j for j in range(n) if pred[j] == pred[i]}
        same_gold = {j for j in range(n) if gold[j] == gold[i]}
        both = len(same_pred & same_gold)
        p += Fraction(both, len(same_pred))
        r += Fraction(both, len(same_gold))
    return float(p / n), float(r / n)


def brute_pairwise(pred: list[int], gold: list[int]) -> tuple[float, float]:
    pairs = list(combinations(range(len(pred)), 2))
    in_pred = {(i, j) for i, j in pairs if pred[i] == pred[j]}
    in_gold = {(i, j) for i, j in pairs if gold[i] == gold[j]}
    tp = len(in_pred & in_gold)
    return (tp / len(in_pred) if in_pred else 1.0, tp / len(in_gold) if in_gold else 1.0)


LABELS = st.integers(min_value=0, max_value=6)
CLUSTERINGS = st.integers(min_value=1, max_value=30).flatmap(
    lambda n: st.tuples(st.lists(LABELS, min_size=n, max_size=n), st.lists(LABELS, min_size=n, max_size=n))
)


def frame_of(pred: list[int], gold: list[int]) -> pl.DataFrame:
    return pl.DataFrame({"pred": pred, "gold": gold})


@settings(max_examples=examples(200), deadline=None)
@given(CLUSTERINGS)
def test_matches_brute_force_definitions(labels):
    pred, gold = labels
    frame = frame_of(pred, gold)
    b3, pw = b_cubed(frame, "pred", "gold"), pairwise(frame, "pred", "gold")
    assert (b3.precision, b3.recall) == pytest.approx(brute_b_cubed(pred, gold), abs=1e-12)
    assert (pw.precision, pw.recall) == pytest.approx(brute_pairwise(pred, gold), abs=1e-12)
    for s in (b3, pw):
        assert s.f1 == pytest.approx(f1_score(s.precision, s.recall))


@settings(max_examples=examples(200), deadline=None)
@given(CLUSTERINGS)
def test_scores_are_in_unit_interval(labels):
    frame = frame_of(*labels)
    for metric in (b_cubed, pairwise):
        s = metric(frame, "pred", "gold")
        assert all(0.0 <= v <= 1.0 for v in (s.precision, s.recall, s.f1))


@settings(max_examples=examples(100), deadline=None)
@given(st.lists(LABELS, min_size=1, max_size=30))
def test_perfect_prediction_scores_one(gold):
    # a relabelled copy of the gold clustering is a perfect prediction
    frame = pl.DataFrame({"gold": gold, "pred": [f"cluster-{g * 7 + 3}" for g in gold]})
    for metric in (b_cubed, pairwise):
        assert metric(frame, "pred", "gold") == Scores(1.0, 1.0, 1.0)


@settings(max_examples=examples(100), deadline=None)
@given(st.lists(LABELS, min_size=1, max_size=30))
def test_all_singletons_have_full_precision(gold):
    frame = pl.DataFrame({"gold": gold, "pred": list(range(len(gold)))})
    for metric in (b_cubed, pairwise):
        assert metric(frame, "pred", "gold").precision == 1.0


@settings(max_examples=examples(100), deadline=None)
@given(st.lists(LABELS, min_size=1, max_size=30))
def test_one_big_cluster_has_full_recall(gold):
    frame = pl.DataFrame({"gold": gold, "pred": [0] * len(gold)})
    for metric in (b_cubed, pairwise):
        assert metric(frame, "pred", "gold").recall == 1.0


@settings(max_examples=examples(200), deadline=None)
@given(CLUSTERINGS)
def test_swapping_prediction_and_gold_swaps_precision_and_recall(labels):
    frame = frame_of(*labels)
    for metric in (b_cubed, pairwise):
        forward, backward = metric(frame, "pred", "gold"), metric(frame, "gold", "pred")
        assert forward.precision == pytest.approx(backward.recall, abs=1e-12)
        assert forward.recall == pytest.approx(backward.precision, abs=1e-12)
        assert forward.f1 == pytest.approx(backward.f1, abs=1e-12)


@settings(max_examples=examples(100), deadline=None)
@given(CLUSTERINGS, st.randoms(use_true_random=False))
def test_row_order_does_not_matter(labels, rnd):
    frame = frame_of(*labels)
    shuffled = frame.sample(fraction=1.0, shuffle=True, seed=rnd.randint(0, 2**32 - 1))
    for metric in (b_cubed, pairwise):
        a, b = metric(frame, "pred", "gold"), metric(shuffled, "pred", "gold")
        assert (a.precision, a.recall) == pytest.approx((b.precision, b.recall), abs=1e-12)
