"""The seed recipe's three views, aligned by movieId."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from reelgraph.features import make_view
from reelgraph.features.stats import count_groups, mean_groups, year_groups


def test_year_groups_equal_width_right_closed():
    years = pd.Series([1900, 1920, 1940, 1960, 1980, 2000, None, 1901], dtype="Int16")
    # edges 1920, 1940, 1960, 1980: a year on an edge belongs to the lower bin
    assert year_groups(years).tolist() == [1, 1, 2, 3, 4, 5, 0, 1]


def test_count_and_mean_groups_boundaries():
    count = np.array([0, 1, 2, 6, 7, 33, 34, 1000])
    assert count_groups(count).tolist() == [-1, 0, 1, 1, 2, 2, 3, 3]
    mean = np.array([np.nan, 2.0, 2.01, 3.0, 4.0, 4.01, 0.5, 5.0])
    counts = np.array([0, 1, 1, 1, 1, 1, 1, 1])
    assert mean_groups(mean, counts).tolist() == [-1, 0, 1, 1, 2, 3, 0, 3]


def test_stats_view_aligned_by_movie_id(small):
    vectors = make_view("stats").vectors(small, small.ratings)
    where = vectors.positions()
    movies = small.movies.reset_index(drop=True)
    toy = int(movies.index[movies["movie_id"] == 1][0])
    # Toy Story: year 1995, 215 ratings (group 3), mean 3.92 (group 2)
    years = movies["year"].dropna().astype(int)
    width = (years.max() - years.min()) / 5
    year_group = int(np.ceil((1995 - years.min()) / width))
    expected = np.array([year_group, 3, 2], dtype=float)
    np.testing.assert_allclose(vectors.matrix[where[toy]], expected / np.linalg.norm(expected))


def test_genres_view_excludes_no_genres_listed(small):
    vectors = make_view("genres").vectors(small, small.ratings)
    assert "(no genres listed)" not in small.genre_names()
    assert len(small.genre_names()) == 19
    no_genres = small.movies["genres"].map(len).eq(0).to_numpy()
    assert no_genres.sum() == 34
    assert set(np.flatnonzero(no_genres)).isdisjoint(vectors.rows)


def test_genome_view_empty_without_genome(small):
    vectors = make_view("genome").vectors(small, small.ratings)
    assert len(vectors.rows) == 0 and vectors.n_movies == len(small.movies)


def test_movie_without_ratings_gets_minus_one_groups(small):
    vectors = make_view("stats").vectors(small, small.ratings)
    rated = set(small.ratings["movie_id"])
    unrated = [i for i, m in enumerate(small.movies["movie_id"]) if m not in rated]
    assert len(unrated) == 18
    where = vectors.positions()
    row = vectors.matrix[where[unrated[0]]]
    assert row[1] < 0 and row[2] < 0 and row[1] == pytest.approx(row[2])
