"""The store-backed graph recommender ranks exactly like the in-memory walk."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reelgraph.graph import StoreOptions, open_store
from reelgraph.recommend.graph import liked_and_rated, rank_candidates
from reelgraph.recommend.walk import EdgeMatrix, recommend_from_liked, recommend_many

SCORES = st.sampled_from([0.25, 0.5, 0.4970923414, 0.1234567891, 0.3, 0.7, 1.0])


@st.composite
def graphs(draw):
    """A small random edge list with many tied scores, and a set of liked movies."""
    n = draw(st.integers(3, 12))
    movie_ids = np.array(sorted(draw(st.sets(st.integers(1, 500), min_size=n, max_size=n))))
    pairs = draw(st.sets(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=40))
    pairs = [(a, b) for a, b in pairs if a != b]
    edges = pd.DataFrame({
        "movie_id": [int(movie_ids[a]) for a, _ in pairs],
        "similar_id": [int(movie_ids[b]) for _, b in pairs],
        "score": [draw(SCORES) for _ in pairs],
    })  # fmt: skip
    liked = draw(st.sets(st.sampled_from(movie_ids.tolist()), min_size=1, max_size=n))
    return movie_ids, edges, sorted(liked)


@settings(max_examples=200, deadline=None)
@given(graphs(), st.integers(1, 8))
def test_rank_candidates_equals_the_walk(graph, k):
    movie_ids, edges, liked = graph
    matrix = EdgeMatrix.from_edges(edges, movie_ids)
    ids, scores = recommend_from_liked(matrix, np.array(liked), np.array(liked), k)
    rows = [(a, b, s) for a, b, s in edges.itertuples(index=False) if a in liked
            and b not in liked]  # fmt: skip
    ranked = rank_candidates(rows, k)
    assert [m for m, _, _ in ranked] == ids.tolist()
    assert [s for _, s, _ in ranked] == scores.tolist()  # bit-identical sums
    for _, score, parts in ranked:
        assert sum(c for _, c in sorted(parts)) == score


def test_rank_candidates_orders_ties_by_movie_id():
    rows = [(1, 30, 0.5), (1, 20, 0.5), (2, 20, 0.25), (2, 10, 0.75), (2, 30, 0.25)]
    assert [(m, s) for m, s, _ in rank_candidates(rows, 10)] == [(10, 0.75), (20, 0.75),
                                                                 (30, 0.75)]  # fmt: skip
    assert rank_candidates(rows, 2)[1][2] == [(1, 0.5), (2, 0.25)]


def test_liked_and_rated_uses_the_threshold():
    liked, rated = liked_and_rated([(5, 4.0), (3, 3.5), (9, 5.0), (1, 0.5)], 4.0)
    assert liked == [5, 9] and rated == [1, 3, 5, 9]


@pytest.fixture(scope="module")
def full_embedded(graph_build, tmp_path_factory):
    """The whole real build (all 610 users) in the embedded store."""
    home = tmp_path_factory.mktemp("full-embedded")
    with open_store("embedded", StoreOptions(home=home)) as store:
        store.load(graph_build)
        yield store


def test_embedded_store_equals_the_walk_for_sampled_users(full_embedded, graph_build, rng):
    ratings = graph_build.table("ratings")
    graph = EdgeMatrix.from_edges(graph_build.edges, graph_build.movies["movie_id"].to_numpy())
    expected = recommend_many(graph, ratings, k=10)
    users = rng.choice(sorted(expected), size=60, replace=False)
    for user_id in sorted(int(u) for u in users):
        answer = full_embedded.recommend(user_id=user_id, k=10)
        if not len(expected[user_id]):
            assert answer["fallback"] is True
            continue
        assert [r["movie_id"] for r in answer["recommendations"]] == expected[user_id].tolist()
