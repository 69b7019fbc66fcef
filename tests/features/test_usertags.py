"""The usertags view: TF-IDF over tags.csv."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from reelgraph.features.usertags import UserTagsView, normalise_tags


def _with_tags(small, rows):
    movies = small.movies[small.movies["movie_id"].isin([1, 2, 3, 4])].reset_index(drop=True)
    tags = pd.DataFrame(rows, columns=["user_id", "movie_id", "tag"])
    tags["timestamp"] = 0
    return dataclasses.replace(small, movies=movies, tags=tags)


def test_tfidf_by_hand(small):
    dataset = _with_tags(small, [
        (1, 1, "Pixar"), (2, 1, "pixar "), (1, 1, "PIXAR"),  # two users: tf = log(3)
        (1, 2, "pixar"), (1, 2, "funny"),
        (1, 3, "funny"),
    ])  # fmt: skip
    vectors = UserTagsView().vectors(dataset, dataset.ratings)
    assert list(vectors.rows) == [0, 1, 2]  # movie 4 has no tags
    idf = np.log(3 / 2)  # both tags are on 2 of the 3 tagged movies
    dense = np.zeros((3, 2))
    dense[0, 1] = np.log(3) * idf  # columns in tag order: funny, pixar
    dense[1] = [np.log(2) * idf, np.log(2) * idf]
    dense[2, 0] = np.log(2) * idf
    dense /= np.linalg.norm(dense, axis=1, keepdims=True)
    assert np.allclose(vectors.matrix.toarray(), dense)


def test_tag_on_every_tagged_movie_weighs_nothing(small):
    dataset = _with_tags(small, [(1, 1, "film"), (1, 2, "film"), (1, 2, "noir")])
    vectors = UserTagsView().vectors(dataset, dataset.ratings)
    assert list(vectors.rows) == [1]  # movie 1 has only the zero-idf tag


def test_min_movies_drops_rare_tags(small):
    dataset = _with_tags(small, [(1, 1, "a"), (1, 2, "a"), (1, 3, "b"), (1, 4, "c")])
    vectors = UserTagsView(min_movies=2).vectors(dataset, dataset.ratings)
    assert vectors.dim == 1
    with pytest.raises(ValueError, match="min_movies"):
        UserTagsView(min_movies=0)


def test_release_without_tags_gives_no_vectors(small):
    vectors = UserTagsView().vectors(dataclasses.replace(small, tags=None), small.ratings)
    assert len(vectors.rows) == 0 and vectors.n_movies == len(small.movies)


def test_real_tags_cover_the_tagged_movies(small):
    vectors = UserTagsView().vectors(small, small.ratings)
    tagged = set(small.tags["movie_id"])
    assert set(small.movie_ids[vectors.rows]) <= tagged
    assert len(vectors.rows) > 0.8 * len(tagged)
    norms = np.sqrt(np.asarray(vectors.matrix.multiply(vectors.matrix).sum(axis=1)).ravel())
    assert np.allclose(norms, 1.0)


def test_normalise_tags():
    out = normalise_tags(pd.Series(["  Dark   Comedy ", "dark comedy"]))
    assert list(out) == ["dark comedy", "dark comedy"]
