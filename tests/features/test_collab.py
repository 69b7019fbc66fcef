"""The collab view: shrunk co-rating cosine learned from the given ratings only."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from reelgraph.errors import RecipeError
from reelgraph.features.base import make_view
from reelgraph.features.collab import CollabView
from reelgraph.similarity.engine import WeightedView, top_k


def _ratings(rows):
    frame = pd.DataFrame(rows, columns=["user_id", "movie_id", "rating"])
    frame["timestamp"] = 0
    return frame


def _cosine(vectors, a, b):
    where = vectors.positions()
    matrix = vectors.matrix
    return float(matrix[where[a]].multiply(matrix[where[b]]).sum())


def _toy(small, movie_ids):
    movies = small.movies[small.movies["movie_id"].isin(movie_ids)].reset_index(drop=True)
    return dataclasses.replace(small, movies=movies)


def test_one_shared_rater_does_not_score_one(small):
    dataset = _toy(small, [1, 2, 3, 4])
    # movies 1 and 2 share their single rater; 3 and 4 share 40 raters
    rows = [(1, 1, 4.0), (1, 2, 3.0)]
    rows += [(u, m, 4.0) for u in range(10, 50) for m in (3, 4)]
    vectors = CollabView(shrinkage=10.0).vectors(dataset, _ratings(rows))

    assert _cosine(vectors, 0, 1) == pytest.approx(1 / 11)
    assert _cosine(vectors, 2, 3) == pytest.approx(40 / 50)
    plain = CollabView(shrinkage=0.0).vectors(dataset, _ratings(rows))
    assert _cosine(plain, 0, 1) == pytest.approx(1.0)


def test_movies_without_ratings_have_no_vector(small):
    dataset = _toy(small, [1, 2, 3])
    vectors = CollabView().vectors(dataset, _ratings([(1, 1, 4.0), (2, 3, 2.0)]))
    assert list(vectors.rows) == [0, 2]
    norms = np.sqrt(np.asarray(vectors.matrix.multiply(vectors.matrix).sum(axis=1)).ravel())
    assert np.allclose(norms, 1.0)


def test_user_weight_and_centred_ratings(small):
    dataset = _toy(small, [1, 2, 3])
    # user 1 rated all three, user 2 only movies 1 and 2
    rows = [(1, 1, 5.0), (1, 2, 1.0), (1, 3, 3.0), (2, 1, 4.0), (2, 2, 4.0)]
    weighted = CollabView(shrinkage=0.0, user_weight=0.5).vectors(dataset, _ratings(rows))
    # entries 1/sqrt(3) (user 1) and 1/sqrt(2) (user 2): cos(1, 2) = 1, cos(1, 3) = ...
    assert _cosine(weighted, 0, 2) == pytest.approx(
        (1 / 3) / np.sqrt(1 / 3 + 1 / 2) / np.sqrt(1 / 3)
    )
    centred = CollabView(shrinkage=0.0, binary=False).vectors(dataset, _ratings(rows))
    # user 2 rated both 4.0 (centred 0); user 1: movie 1 +2, movie 2 -2 -> opposite
    assert _cosine(centred, 0, 1) == pytest.approx(-1.0)


def test_learns_only_from_the_ratings_given(small):
    dataset = _toy(small, small.movie_ids[:200])
    ratings = small.ratings[small.ratings["movie_id"].isin(dataset.movie_ids)]
    some = ratings[ratings["user_id"] <= 100]
    vectors = CollabView().vectors(dataset, some)
    again = CollabView().vectors(dataclasses.replace(dataset, ratings=some), some)
    assert (vectors.matrix != again.matrix).nnz == 0
    assert set(dataset.movie_ids[vectors.rows]) == set(some["movie_id"])


def test_engine_neighbours_on_real_ratings(subset_small):
    dataset, ratings = subset_small
    vectors = CollabView(shrinkage=5.0).vectors(dataset, ratings)
    result = top_k([WeightedView("collab", 1.0, vectors)], 5)
    assert len(result.score) == 5 * len(dataset.movies)
    assert (result.score <= 1.0 + 1e-9).all()
    assert (result.source != result.target).all()


def test_options_are_validated_from_recipes():
    with pytest.raises(RecipeError, match="shrinkage"):
        make_view("collab", {"shrinkage": -1.0})
    assert make_view("collab", {"user_weight": 0.5}).user_weight == 0.5


@pytest.fixture
def subset_small(small):
    dataset = _toy(small, small.movie_ids[:500])
    ratings = small.ratings[small.ratings["movie_id"].isin(dataset.movie_ids)]
    return dataset, ratings


def _dense_cosines(vectors) -> np.ndarray:
    """Full N x N dot products of a view's vectors (zero rows for movies without one)."""
    full = np.zeros((vectors.n_movies, vectors.dim))
    matrix = vectors.matrix
    full[vectors.rows] = matrix.toarray() if hasattr(matrix, "toarray") else matrix
    return full @ full.T


def test_low_rank_factors_reproduce_the_exact_view_when_the_rank_allows(small, rng):
    # 40 movies, each rated by one of 4 groups of users: the rater matrix has rank 4, so 8
    # factors capture it exactly and every pair's dot product equals the exact shrunk cosine
    # (a movie's similarity with itself differs, and never counts).
    ids = small.movies["movie_id"].to_numpy()[:40]
    dataset = _toy(small, ids)
    patterns = rng.random((4, 12)) < 0.5
    rows = [
        (u + 1, int(movie), 4.0)
        for movie, group in zip(ids, rng.integers(0, 4, size=40), strict=True)
        for u in np.flatnonzero(patterns[group])
    ]
    exact = _dense_cosines(CollabView(shrinkage=0.5).vectors(dataset, _ratings(rows)))
    low_view = CollabView(shrinkage=0.5, factors=8).vectors(dataset, _ratings(rows))
    low = _dense_cosines(low_view)
    off = ~np.eye(len(ids), dtype=bool)
    np.testing.assert_allclose(low[off], exact[off], atol=1e-9)
    assert np.all(np.linalg.norm(low_view.matrix, axis=1) < 1.0)


def test_low_rank_view_runs_in_the_engine_like_the_simple_engine(small):
    from reelgraph.similarity.engine import top_k_simple

    view = CollabView(shrinkage=0.05, user_weight=0.5, factors=16)
    vectors = view.vectors(small, small.ratings)
    views = [WeightedView("collab", 1.0, vectors)]
    fast, simple = top_k(views, 10), top_k_simple(views, 10)
    np.testing.assert_array_equal(fast.target, simple.target)
    np.testing.assert_array_equal(fast.score, simple.score)
    assert fast.score.max() <= 1.0


def test_negative_factors_are_rejected():
    with pytest.raises(RecipeError, match="factors must be >= 0"):
        make_view("collab", {"factors": -1})
