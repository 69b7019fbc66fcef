"""The stats view's options: one-hot groups and a shrunk rating mean; defaults unchanged."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from reelgraph.errors import RecipeError
from reelgraph.features.base import make_view
from reelgraph.features.stats import StatsView


def _dataset(small):
    movies = small.movies[small.movies["movie_id"].isin([1, 2, 3])].reset_index(drop=True)
    return dataclasses.replace(small, movies=movies)


def _ratings(rows):
    frame = pd.DataFrame(rows, columns=["user_id", "movie_id", "rating"])
    frame["timestamp"] = 0
    return frame


def test_default_is_the_published_3_vector(small):
    published = StatsView().vectors(small, small.ratings)
    explicit = StatsView(encoding="groups", mean_shrinkage=0.0).vectors(small, small.ratings)
    assert np.array_equal(published.rows, explicit.rows)
    assert np.array_equal(published.matrix, explicit.matrix)
    assert published.dim == 3


def test_onehot_cosine_is_the_share_of_common_groups(small):
    dataset = _dataset(small)  # 1995, 1995, 1995: same year group
    rows = [(u, 1, 4.5) for u in range(40)] + [(u, 2, 2.0) for u in range(40)] + [(1, 3, 4.5)]
    vectors = StatsView(encoding="onehot").vectors(dataset, _ratings(rows))
    sims = vectors.matrix @ vectors.matrix.T
    assert vectors.dim == 13
    assert sims[0, 1] == pytest.approx(2 / 3)  # year and count groups match, mean differs
    assert sims[0, 2] == pytest.approx(2 / 3)  # year and mean match, count differs


def test_shrunk_mean_moves_a_single_rating_towards_the_global_mean(small):
    dataset = _dataset(small)
    rows = [(u, 1, 2.5) for u in range(30)] + [(1, 2, 5.0)]
    raw = StatsView(encoding="groups").vectors(dataset, _ratings(rows))
    shrunk = StatsView(encoding="groups", mean_shrinkage=5.0).vectors(dataset, _ratings(rows))
    # movie 2 (one 5-star rating) leaves the top mean group once shrunk: (5 + 5 * 2.58) / 6
    assert not np.allclose(raw.matrix[1], shrunk.matrix[1])
    assert np.allclose(raw.matrix[0], shrunk.matrix[0])


def test_options_are_validated():
    with pytest.raises(RecipeError, match="encoding"):
        make_view("stats", {"encoding": "binary"})
    with pytest.raises(RecipeError, match="mean_shrinkage"):
        make_view("stats", {"mean_shrinkage": -1})
