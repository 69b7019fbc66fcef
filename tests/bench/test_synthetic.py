"""The synthetic release generator: shape, scale, determinism, and that reelgraph reads it."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pytest

from reelgraph.bench.synthetic import Shape, generate
from reelgraph.data import load

SMALL = Shape(movies=62_423, users=300, ratings=30_000, genome_movies=40)


@pytest.fixture(scope="module")
def release(tmp_path_factory, catalog_dir):
    return generate(catalog_dir, tmp_path_factory.mktemp("synth") / "rel", SMALL, seed=3)


def test_ratings_look_like_a_release(release):
    ratings = pd.read_csv(release / "ratings.csv")
    assert len(ratings) == SMALL.ratings
    assert ratings["userId"].nunique() == SMALL.users
    per_user = ratings.groupby("userId").size()
    assert per_user.min() >= 20
    assert per_user.max() > 5 * per_user.median()  # long-tailed activity
    assert set(ratings["rating"].unique()) <= set(np.arange(1, 11) / 2)
    assert ratings["rating"].mode()[0] in (3.0, 4.0)
    key = ratings["userId"].to_numpy() * 10**7 + ratings["movieId"].to_numpy()
    assert np.all(np.diff(key) > 0)  # sorted by (user, movie), each pair once
    popularity = ratings.groupby("movieId").size().sort_values(ascending=False)
    assert popularity.iloc[0] > 20 * popularity.median()  # long-tailed popularity


def test_genome_is_mostly_low_with_a_few_high(release):
    genome = pd.read_csv(release / "genome-scores.csv")
    tags = pd.read_csv(release / "genome-tags.csv")
    assert len(genome) == SMALL.genome_movies * len(tags)
    relevance = genome["relevance"]
    assert relevance.between(0, 1).all()
    assert relevance.median() < 0.15
    assert 0.001 < (relevance > 0.8).mean() < 0.1


def test_reelgraph_reads_it_and_it_says_synthetic(release):
    dataset = load(release)
    assert len(dataset.movies) == SMALL.movies
    assert dataset.genome is not None and len(dataset.genome.movie_ids) == SMALL.genome_movies
    assert "SYNTHETIC" in (release / "README.txt").read_text()


def test_same_seed_same_files(release, catalog_dir, tmp_path):
    again = generate(catalog_dir, tmp_path / "again", SMALL, seed=3)
    for name in ("ratings.csv", "genome-scores.csv", "movies.csv"):
        assert _digest(again / name) == _digest(release / name)


def test_larger_catalogue_is_extended_with_marked_movies(catalog_dir, tmp_path):
    shape = Shape(movies=62_523, users=50, ratings=2_000, genome_movies=5)
    folder = generate(catalog_dir, tmp_path / "big", shape, seed=1)
    movies = load(folder).movies
    assert len(movies) == 62_523
    extra = movies[movies["title"].str.startswith("Synthetic movie")]
    assert len(extra) == 100
    assert movies["movie_id"].is_unique


def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()
