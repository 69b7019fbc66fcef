"""Metrics on hand-computed lists, and against scikit-learn on equivalent inputs."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn.metrics import average_precision_score, ndcg_score, precision_score, recall_score

from reelgraph.evaluation import metrics

LIST = np.array([10, 20, 30, 40, 50])
RELEVANT = {20, 50, 70}


def test_hand_computed_accuracy():
    # hits at ranks 2 and 5; 3 relevant movies
    assert metrics.precision_at_k(LIST, RELEVANT, 5) == pytest.approx(2 / 5)
    assert metrics.recall_at_k(LIST, RELEVANT, 5) == pytest.approx(2 / 3)
    dcg = 1 / math.log2(3) + 1 / math.log2(6)
    idcg = 1 + 1 / math.log2(3) + 1 / math.log2(4)
    assert metrics.ndcg_at_k(LIST, RELEVANT, 5) == pytest.approx(dcg / idcg)
    assert metrics.average_precision_at_k(LIST, RELEVANT, 5) == pytest.approx((1 / 2 + 2 / 5) / 3)
    assert metrics.hit_at_k(LIST, RELEVANT, 5) == 1.0


def test_cut_off_and_short_lists():
    # at k = 2 only the hit at rank 2 counts and the ideal holds min(3, 2) = 2 hits
    assert metrics.precision_at_k(LIST, RELEVANT, 2) == pytest.approx(1 / 2)
    idcg = 1 + 1 / math.log2(3)
    assert metrics.ndcg_at_k(LIST, RELEVANT, 2) == pytest.approx((1 / math.log2(3)) / idcg)
    assert metrics.average_precision_at_k(LIST, RELEVANT, 2) == pytest.approx((1 / 2) / 2)
    # a list shorter than k is judged as k slots with empty tails
    assert metrics.precision_at_k(np.array([20]), RELEVANT, 10) == pytest.approx(0.1)
    assert metrics.ndcg_at_k(np.array([], dtype=np.int64), RELEVANT, 10) == 0.0
    assert metrics.hit_at_k(np.array([1, 2]), RELEVANT, 10) == 0.0


def _sklearn_inputs(ranked, relevant, universe):
    """Relevance and scores over `universe`: listed movies score by rank, others lowest."""
    truth = np.array([[m in relevant for m in universe]], dtype=float)
    rank = {m: i for i, m in enumerate(ranked)}
    scores = np.array([[len(ranked) - rank[m] if m in rank else 0 for m in universe]], float)
    return truth, scores


@pytest.mark.parametrize("seed", range(20))
def test_against_scikit_learn(seed):
    rng = np.random.default_rng(seed)
    universe = np.arange(100)
    k = 10
    ranked = rng.choice(universe, size=k, replace=False)
    relevant = set(map(int, rng.choice(universe, size=int(rng.integers(1, 25)), replace=False)))
    truth, scores = _sklearn_inputs(ranked, relevant, universe)

    expected_ndcg = ndcg_score(truth, scores, k=k)
    assert metrics.ndcg_at_k(ranked, relevant, k) == pytest.approx(expected_ndcg)

    listed = np.isin(universe, ranked)
    expected_p = precision_score(truth[0][listed], np.ones(k), zero_division=0.0)
    expected_r = recall_score(truth[0], listed.astype(float), zero_division=0.0)
    assert metrics.precision_at_k(ranked, relevant, k) == pytest.approx(expected_p)
    assert metrics.recall_at_k(ranked, relevant, k) == pytest.approx(expected_r)


@pytest.mark.parametrize("seed", range(20))
def test_average_precision_against_scikit_learn(seed):
    # With every relevant movie inside the list and k = the list length, AP@k is the
    # ordinary average precision of the ranking.
    rng = np.random.default_rng(seed)
    ranked = rng.permutation(30)
    relevant = set(map(int, rng.choice(ranked, size=int(rng.integers(1, 10)), replace=False)))
    truth, scores = _sklearn_inputs(ranked, relevant, ranked)
    expected = average_precision_score(truth[0], scores[0])
    assert metrics.average_precision_at_k(ranked, relevant, 30) == pytest.approx(expected)


def _catalogue():
    genres = np.array([[1, 0], [1, 0], [0, 1], [0.6, 0.8], [0, 0]], dtype=float)
    return metrics.Catalogue(
        movie_ids=np.array([1, 2, 3, 4, 5]),
        train_count=np.array([9, 3, 1, 0, 5]),
        n_users=9,
        genres=genres,
    )


def test_list_metrics_by_hand():
    catalogue = _catalogue()
    lists = {1: np.array([1, 2]), 2: np.array([3, 4])}

    assert metrics.coverage(lists, catalogue) == pytest.approx(4 / 5)
    info = -np.log2(np.array([10, 4, 2, 1]) / 10)
    assert metrics.novelty(lists, catalogue) == pytest.approx(info.mean())
    # list 1: identical genres -> 0; list 2: cosine 0.8 -> 0.2
    assert metrics.intra_list_diversity(lists, catalogue, catalogue.genres) == pytest.approx(0.1)
    # 4 movies have ratings; the top 10% rounds up to 1 movie: movie 1
    assert metrics.popular_share(lists, catalogue) == pytest.approx(1 / 4)


def test_diversity_skips_movies_without_vectors_and_is_nan_without_pairs():
    catalogue = _catalogue()
    lists = {1: np.array([5, 1])}
    assert math.isnan(metrics.intra_list_diversity(lists, catalogue, catalogue.genres))


def test_accuracy_averages_over_test_users_with_missing_lists_as_zero():
    relevant = {1: {10}, 2: {20}}
    lists = {1: np.array([10])}
    scores = metrics.accuracy(lists, relevant, 1)
    assert scores["precision"] == pytest.approx(0.5)
    assert scores["hit_rate"] == pytest.approx(0.5)


def test_bucket_ndcg_counts_only_bucket_movies():
    relevant = {1: {10, 20}, 2: {30}}
    lists = {1: np.array([20, 10]), 2: np.array([30])}
    # user 1: only 20 is in the bucket, found at rank 1; user 2 has no bucket movie
    assert metrics.bucket_ndcg(lists, relevant, 2, {20}) == pytest.approx(1.0)
    assert math.isnan(metrics.bucket_ndcg(lists, relevant, 2, {99}))
