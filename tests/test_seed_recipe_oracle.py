"""End to end on real data: the saved graph is exactly the seed recipe's top-k.

The reference here rebuilds the seed recipe independently from the raw CSV files with pandas
(the published recipe's own tools: pd.cut for year bins, group thresholds, one-hot genres),
takes dense cosine matrices in float64 and ranks by score then movieId.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from reelgraph.builds import Build
from reelgraph.pipeline import run_build
from reelgraph.recipe import load_recipe

K = 10


@pytest.fixture(scope="module")
def seed_build(small_dir, tmp_path_factory):
    home = tmp_path_factory.mktemp("home")
    run_build(small_dir, load_recipe("seed"), K, home)
    return Build.open(home)


def reference_vectors(folder) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    movies = pd.read_csv(folder / "movies.csv").sort_values("movieId")
    ratings = pd.read_csv(folder / "ratings.csv")
    ratings = ratings[ratings["movieId"].isin(movies["movieId"])]

    genres = movies["genres"].str.get_dummies("|").drop(columns="(no genres listed)")
    year = movies["title"].str.strip().str.extract(r"\((\d{4})[^()]*\)\)?$")[0].astype(float)
    year_group = pd.cut(year, bins=5, labels=False).add(1).fillna(0)
    stats = ratings.groupby("movieId")["rating"].agg(["count", "mean"])
    stats = stats.reindex(movies["movieId"])
    count_group = pd.cut(stats["count"], [0, 1, 6, 33, np.inf], labels=False)
    mean_group = pd.cut(stats["mean"], [-np.inf, 2, 3, 4, np.inf], labels=False)
    stats_vec = np.column_stack(
        [year_group.to_numpy(), count_group.fillna(-1).to_numpy(),
         mean_group.fillna(-1).to_numpy()]
    )  # fmt: skip
    return movies["movieId"].to_numpy(), genres.to_numpy(float), stats_vec.astype(float)


def cosine(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1)
    unit = np.divide(matrix, norms[:, None], out=np.zeros_like(matrix), where=norms[:, None] > 0)
    return unit @ unit.T


def test_every_movie_has_exactly_its_k_best_neighbours(small_dir, seed_build):
    movie_ids, genres, stats = reference_vectors(small_dir)
    n = len(movie_ids)
    assert n == 9742
    scores = 0.25 * cosine(genres) + 0.25 * cosine(stats)  # no genome in this release
    np.fill_diagonal(scores, -np.inf)

    edges = seed_build.edges
    assert len(edges) == n * K
    assert edges["movie_id"].nunique() == n
    got_ids = edges["similar_id"].to_numpy().reshape(n, K)
    got_scores = edges["score"].to_numpy().reshape(n, K)
    assert np.array_equal(edges["movie_id"].to_numpy().reshape(n, K)[:, 0], movie_ids)

    rounded = np.round(scores, 10)
    for i in range(n):
        order = np.lexsort((movie_ids, -rounded[i]))[:K]
        assert np.array_equal(got_ids[i], movie_ids[order]), movie_ids[i]
        np.testing.assert_allclose(got_scores[i], scores[i, order], atol=1e-9)
