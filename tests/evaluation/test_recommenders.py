"""Every recommender gives valid lists; the baselines match brute-force oracles."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from reelgraph.evaluation.metrics import relevant_sets
from reelgraph.evaluation.recommenders import (
    EASE,
    Interactions,
    ItemKNN,
    make_recommender,
    recommender_names,
)
from reelgraph.evaluation.run import training_dataset
from reelgraph.evaluation.splits import make_split
from reelgraph.evaluation.tuning import tune

K = 10


@pytest.fixture(scope="module")
def fitted_data(subset):
    """The subset's movies with at least 5 ratings, so EASE inverts a small matrix."""
    counts = subset.ratings.groupby("movie_id").size()
    kept = counts.index[counts >= 5]
    movies = subset.movies[subset.movies["movie_id"].isin(kept)].reset_index(drop=True)
    ratings = subset.ratings[subset.ratings["movie_id"].isin(kept)].reset_index(drop=True)
    tags = subset.tags[subset.tags["movie_id"].isin(kept)].reset_index(drop=True)
    dense = dataclasses.replace(subset, movies=movies, ratings=ratings, tags=tags)
    split = make_split("stratified", dense.ratings, seed=1)
    return split, Interactions.from_dataset(training_dataset(dense, split), seed=1)


@pytest.mark.parametrize("name", recommender_names())
def test_lists_are_valid(name, fitted_data):
    split, data = fitted_data
    users = np.unique(split.test["user_id"])
    lists = make_recommender(name).fit(data).recommend(users, K)

    assert set(lists) == set(map(int, users))
    train = data.dataset.ratings
    for user, movies in lists.items():
        rated = set(train.loc[train["user_id"] == user, "movie_id"])
        assert not rated & set(map(int, movies)), f"{name} recommended a training movie"
        assert len(set(map(int, movies))) == len(movies)
        assert set(movies) <= set(data.movie_ids)
        if not name.startswith("graph"):
            assert len(movies) == K
    lengths = [len(m) for m in lists.values()]
    assert np.mean(lengths) > 0.9 * K  # graph lists are short only for users with few likes


def test_popular_follows_training_counts(fitted_data):
    _, data = fitted_data
    lists = make_recommender("popular").fit(data).recommend(data.user_ids[:1], K)
    counts = data.dataset.ratings.groupby("movie_id").size()
    got = counts.reindex(lists[int(data.user_ids[0])]).to_numpy()
    assert (np.diff(got) <= 0).all()


def test_itemknn_matches_brute_force(fitted_data):
    _, data = fitted_data
    model = ItemKNN().fit(data)
    x = data.matrix.toarray()
    norms = np.linalg.norm(x, axis=0)
    unit = np.divide(x, norms, out=np.zeros_like(x), where=norms > 0)
    sims = unit.T @ unit
    np.fill_diagonal(sims, 0)
    rows = np.arange(5)
    assert np.allclose(model.scores(rows), x[rows] @ sims, atol=1e-5)


def test_ease_matches_the_closed_form(fitted_data):
    _, data = fitted_data
    model = EASE(l2=200.0).fit(data)
    x = data.matrix.toarray()
    items = np.flatnonzero(x.sum(axis=0) > 0)
    gram = x[:, items].T @ x[:, items] + 200.0 * np.eye(len(items))
    p = np.linalg.inv(gram)
    b = -p / np.diag(p)[None, :]
    np.fill_diagonal(b, 0.0)
    rows = np.arange(5)
    assert np.allclose(model.scores(rows)[:, items], x[rows][:, items] @ b, atol=1e-3)


def test_als_is_reproducible(fitted_data):
    _, data = fitted_data
    users = data.user_ids[:10]
    first = make_recommender("als", {"factors": 16}).fit(data).recommend(users, K)
    again = make_recommender("als", {"factors": 16}).fit(data).recommend(users, K)
    assert all(np.array_equal(first[u], again[u]) for u in first)


def test_tuning_keeps_the_best_validation_score(fitted_data):
    split, data = fitted_data
    relevant = relevant_sets(split.test)
    tuned = tune("ease", {"l2": [10.0, 100.0, 1000.0]}, data, relevant, K)
    scores = [s for _, s in tuned.tried]
    assert tuned.score == max(scores)
    assert tuned.options["l2"] in (10.0, 100.0, 1000.0)
    assert len(tuned.tried) == 4  # the defaults, then three values


@pytest.mark.parametrize("name", ["itemknn", "ease"])
def test_dense_baselines_refuse_huge_catalogues(name, fitted_data, monkeypatch):
    from reelgraph.errors import ReelgraphError
    from reelgraph.evaluation import recommenders

    _, data = fitted_data
    monkeypatch.setattr(recommenders, "MAX_DENSE_ITEMS", 10)
    with pytest.raises(ReelgraphError, match=f"{name} keeps a dense"):
        make_recommender(name).fit(data)
