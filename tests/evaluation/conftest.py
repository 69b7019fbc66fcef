"""A small real subset of ml-latest-small: the first users' ratings over the movies they rated."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

N_USERS = 60


@pytest.fixture(scope="session")
def subset(small):
    """ml-latest-small cut to users 1..60 and the movies they rated or tagged."""
    ratings = small.ratings[small.ratings["user_id"] <= N_USERS].reset_index(drop=True)
    tags = small.tags[small.tags["user_id"] <= N_USERS].reset_index(drop=True)
    keep = np.union1d(ratings["movie_id"].unique(), tags["movie_id"].unique())
    movies = small.movies[small.movies["movie_id"].isin(keep)].reset_index(drop=True)
    return dataclasses.replace(small, movies=movies, ratings=ratings, tags=tags)
