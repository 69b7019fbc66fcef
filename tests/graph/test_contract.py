"""One contract for every graph store: loading, idempotence, resuming, and every query.

Each store runs against the real ml-latest-small build (see conftest). Answers are checked
against oracles computed from the build files with pandas and against the in-memory
recommender of `reelgraph.recommend.walk`, and compared across stores.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from reelgraph.errors import MovieNotFound, RecipeError, StoreError, UserNotFound
from reelgraph.graph import SimilarFilters, cypher
from reelgraph.graph.model import graph_data
from reelgraph.neighbours import similar_movies
from reelgraph.recommend.walk import EdgeMatrix, recommend_from_liked, recommend_many

from .conftest import ensure_loaded, store_params, subset_build

MOVIES = [1, 2, 260, 2571, 40697, 171749]
"""Toy Story, Jumanji, Star Wars, The Matrix, a title without year, an en-dash year range."""
USERS = [1, 2, 5, 15, 42, 77, 91, 100]


class Interrupt(Exception):
    """Stands for a load killed part-way."""


def interrupting(after: int):
    """A progress factory whose callbacks raise once `after` batches were reported."""
    seen = []

    def factory(step: str, total: int):
        def tick(n: int) -> None:
            seen.append(n)
            if len(seen) >= after:
                raise Interrupt(f"killed after {after} batches ({step})")

        return tick

    return factory


def expected_counts(build) -> dict[str, int]:
    data = graph_data(build)
    return {name: data.count(name) for name in data.tables}


def similar_pairs(store) -> list[tuple[int, int]]:
    rows = store._read("MATCH (a:Movie)-[:SIMILAR]->(b:Movie) RETURN a.movieId, b.movieId")
    return [(int(a), int(b)) for a, b in rows]


def assert_exact_graph(store, build) -> None:
    """One node per id, one edge per pair, and exactly the build's rows."""
    assert store.counts() == expected_counts(build)
    data = graph_data(build)
    for spec in data.model.nodes:
        distinct = store._scalar(cypher.count_distinct_keys(spec))
        assert distinct == data.count(spec.label), spec.label
    pairs = similar_pairs(store)
    edges = build.edges
    assert sorted(pairs) == sorted(zip(edges["movie_id"], edges["similar_id"], strict=True))
    assert store.info()["complete"] is True


# --- loading -----------------------------------------------------------------------------


def test_load_gives_exactly_the_build(store, contract_build):
    assert_exact_graph(store, contract_build)
    info = store.info()
    assert info["build_id"] == contract_build.manifest["build_id"]
    assert info["views"] == contract_build.view_names
    assert info["weights"] == contract_build.weights


@pytest.fixture(scope="module")
def tiny_builds(graph_build, tmp_path_factory):
    """Two small real subsets (movies <= 1000 and <= 600) for load-mutating tests."""
    folder = tmp_path_factory.mktemp("tiny")
    return (subset_build(graph_build, folder / "a", max_user=30, max_movie=1000),
            subset_build(graph_build, folder / "b", max_user=20, max_movie=600))  # fmt: skip


@pytest.mark.parametrize("name", store_params())
def test_reload_is_idempotent_and_a_new_build_replaces_the_old(name, make_store, tiny_builds):
    first, second = tiny_builds
    with make_store(name)() as store:
        store.load(first, batch_size=700)
        store.load(first, batch_size=300)
        assert_exact_graph(store, first)

        store.load(second, batch_size=700)
        assert_exact_graph(store, second)
        assert store.info()["build_id"] == second.manifest["build_id"]


@pytest.mark.parametrize("name", store_params())
def test_killed_load_then_resumed_is_exact(name, make_store, tiny_builds):
    first, second = tiny_builds
    with make_store(name)() as store:
        store.load(first, batch_size=500)
        with pytest.raises(Interrupt):
            store.load(second, batch_size=500, progress=interrupting(after=5))
        if name == "embedded":  # the previous graph stays live and whole
            assert_exact_graph(store, first)
        else:  # readers refuse the half-loaded graph
            with pytest.raises(StoreError, match="partly loaded"):
                store.similar(1)

        store.load(second, batch_size=500)
        assert_exact_graph(store, second)


def test_embedded_failed_first_load_leaves_nothing(make_store, tiny_builds):
    with make_store("embedded")() as store:
        with pytest.raises(Interrupt):
            store.load(tiny_builds[0], progress=interrupting(after=3))
        assert store.info() is None
        assert not list((store.home / "graphs").iterdir())
        with pytest.raises(StoreError, match="holds no graph"):
            store.similar(1)


# --- similar -----------------------------------------------------------------------------


@pytest.mark.parametrize("movie_id", MOVIES)
def test_similar_equals_the_build_files(store, contract_build, movie_id):
    expected = similar_movies(contract_build, movie_id, 10)
    answer = store.similar(movie_id, k=10)
    assert len(answer["similar"]) == contract_build.manifest["k"]
    assert answer["movie"] == expected["movie"]
    assert answer["weights"] == expected["weights"]
    drop = ("rating_count", "contributions")
    got = [{k: v for k, v in e.items() if k not in drop} for e in answer["similar"]]
    assert got == [{k: v for k, v in e.items() if k not in drop} for e in expected["similar"]]
    for entry, oracle in zip(answer["similar"], expected["similar"], strict=True):
        assert entry["contributions"] == pytest.approx(oracle["contributions"], rel=1e-14)


def _oracle_similar(build, movie_id, filters: SimilarFilters, weights=None, k=10):
    edges = build.edges[build.edges["movie_id"] == movie_id]
    movies = build.movies.set_index("movie_id")
    keep = []
    for row in edges.itertuples(index=False):
        movie = movies.loc[row.similar_id]
        genres = set(movie["genres"])
        year = None if pd.isna(movie["year"]) else int(movie["year"])
        ok = (not filters.genres or genres & set(filters.genres)) and not (
            genres & set(filters.exclude_genres))  # fmt: skip
        ok = ok and (filters.year_from is None or (year is not None and year >= filters.year_from))
        ok = ok and (filters.year_to is None or (year is not None and year <= filters.year_to))
        ok = ok and (filters.min_ratings is None or movie["n_ratings"] >= filters.min_ratings)
        if ok:
            chosen = {**build.weights, **(weights or {})}
            score = row.score
            if weights is not None:
                score = 0.0
                for view in build.view_names:
                    score += chosen[view] * getattr(row, view)
            keep.append((row.rank, int(row.similar_id), score))
    if weights is not None:
        keep.sort(key=lambda t: (-t[2], t[1]))
    return [(m, s) for _, m, s in keep[:k]]


FILTERS = [
    SimilarFilters(genres=("Comedy",)),
    SimilarFilters(genres=("Drama", "Romance"), exclude_genres=("Comedy",)),
    SimilarFilters(exclude_genres=("Action", "Children")),
    SimilarFilters(year_from=1990, year_to=1999),
    SimilarFilters(min_ratings=30),
    SimilarFilters(genres=("Sci-Fi",), year_from=1980, min_ratings=5),
]


@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: str(f.to_dict()))
@pytest.mark.parametrize("movie_id", [1, 260, 2571, 318])
def test_similar_filters_match_a_pandas_oracle(store, contract_build, movie_id, filters):
    answer = store.similar(movie_id, k=10, filters=filters)
    got = [(e["movie_id"], e["score"]) for e in answer["similar"]]
    assert got == _oracle_similar(contract_build, movie_id, filters)
    assert [e["rank"] for e in answer["similar"]] == list(range(1, len(got) + 1))
    assert answer["filters"] == filters.to_dict()


def test_filters_do_filter_on_real_data(store):
    plain = store.similar(318, k=10)["similar"]
    comedies = store.similar(318, k=10, filters=SimilarFilters(exclude_genres=("Drama",)))
    assert len(comedies["similar"]) < len(plain)
    assert all("Drama" not in e["genres"] for e in comedies["similar"])


@pytest.mark.parametrize("weights", [{"stats": 1.0, "genres": 0.0}, {"genres": 2.0}])
def test_similar_reweights_at_query_time(store, contract_build, weights):
    answer = store.similar(2571, k=5, weights=weights)
    got = [(e["movie_id"], e["score"]) for e in answer["similar"]]
    expected = _oracle_similar(contract_build, 2571, SimilarFilters(), weights, k=5)
    assert [m for m, _ in got] == [m for m, _ in expected]
    assert [s for _, s in got] == pytest.approx([s for _, s in expected], abs=1e-12)
    assert answer["weights"] == {**contract_build.weights, **weights}
    for entry in answer["similar"]:
        assert sum(entry["contributions"].values()) == pytest.approx(entry["score"])


def test_unknown_view_weight_and_unknown_movie(store):
    with pytest.raises(RecipeError, match="unknown view 'plot'"):
        store.similar(1, weights={"plot": 1.0})
    with pytest.raises(MovieNotFound, match="999999999"):
        store.similar(999999999)


# --- recommend ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def walk_lists(contract_build):
    ratings = contract_build.table("ratings")
    graph = EdgeMatrix.from_edges(
        contract_build.edges, contract_build.movies["movie_id"].to_numpy()
    )
    return graph, recommend_many(graph, ratings, k=10)


@pytest.mark.parametrize("user_id", USERS)
def test_recommend_user_equals_the_in_memory_walk(store, walk_lists, user_id):
    _, lists = walk_lists
    answer = store.recommend(user_id=user_id, k=10)
    assert answer["fallback"] is False
    assert [r["movie_id"] for r in answer["recommendations"]] == lists[user_id].tolist()


@pytest.mark.parametrize("liked", [[1], [260, 1196, 1210], [2571, 318, 40697, 6]])
def test_recommend_liked_equals_the_in_memory_walk(store, walk_lists, liked):
    graph, _ = walk_lists
    ids, scores = recommend_from_liked(graph, np.array(sorted(liked)), np.array(liked), 10)
    answer = store.recommend(liked=liked, k=10)
    assert answer["user_id"] is None and answer["liked"] == sorted(liked)
    assert [r["movie_id"] for r in answer["recommendations"]] == ids.tolist()
    assert [r["score"] for r in answer["recommendations"]] == scores.tolist()


def test_recommend_never_returns_a_rated_movie(store, contract_build):
    ratings = contract_build.table("ratings")
    for user_id in USERS:
        rated = set(ratings.loc[ratings["user_id"] == user_id, "movie_id"])
        recs = store.recommend(user_id=user_id, k=20)["recommendations"]
        assert recs and not rated & {r["movie_id"] for r in recs}


def test_explain_lists_contributions_and_shared_features(store, contract_build):
    movies = contract_build.movies.set_index("movie_id")
    answer = store.recommend(user_id=1, k=5, explain=True)
    for rec in answer["recommendations"]:
        because = rec["because"]
        assert because and sum(b["contribution"] for b in because) == pytest.approx(rec["score"])
        assert [b["contribution"] for b in because] == sorted(
            (b["contribution"] for b in because), reverse=True)  # fmt: skip
        for b in because:
            assert b["movie_id"] in answer["liked"]
            assert b["title"] == movies.at[b["movie_id"], "title"]
            shared = set(movies.at[b["movie_id"], "genres"]) & set(rec["genres"])
            assert b["shared_genres"] == sorted(shared)


def test_explain_shares_tags(store, contract_build):
    tags = graph_data(contract_build).tables["HAS_TAG"]
    by_movie = tags.groupby("src")["dst"].agg(set)
    most_tagged = by_movie.map(len).sort_values(ascending=False).index[:3]
    answer = store.recommend(liked=sorted(int(m) for m in most_tagged), k=10, explain=True)
    found = 0
    for rec in answer["recommendations"]:
        for b in rec["because"]:
            expected = by_movie.get(b["movie_id"], set()) & by_movie.get(rec["movie_id"], set())
            assert b["shared_tags"] == sorted(expected)
            found += bool(expected)
    assert found, "no recommendation shares a tag with the liked movies: the check is vacuous"


def test_user_without_liked_movies_gets_a_labelled_fallback(store, contract_build):
    ratings = contract_build.table("ratings")
    best = ratings.groupby("user_id")["rating"].max()
    user_id = int(best[best < 5.0].index[0])  # no user here rated everything below 4
    answer = store.recommend(user_id=user_id, k=10, min_rating=5.0)
    assert answer["fallback"] is True and "fallback" in answer["note"]
    recs = answer["recommendations"]
    movies = contract_build.movies
    popular = movies[(movies["mean_rating"] >= 4.0) & (movies["n_ratings"] >= 20)]
    rated = set(ratings.loc[ratings["user_id"] == user_id, "movie_id"])
    popular = popular[~popular["movie_id"].isin(rated)]
    expected = popular.sort_values(["n_ratings", "movie_id"], ascending=[False, True])
    assert [r["movie_id"] for r in recs] == expected["movie_id"].head(10).tolist()
    assert store.recommend(liked=[], k=3)["fallback"] is True


def test_unknown_user_and_liked_movie(store):
    with pytest.raises(UserNotFound, match="999999"):
        store.recommend(user_id=999999)
    with pytest.raises(MovieNotFound, match="888888888"):
        store.recommend(liked=[1, 888888888])


# --- across stores -----------------------------------------------------------------------


def test_every_store_gives_identical_answers(loaded_stores, contract_build):
    assert len(loaded_stores) >= 2, "the embedded store and FalkorDB must both run"
    for store in loaded_stores.values():
        ensure_loaded(store, contract_build)
    queries = [
        lambda s: s.similar(1, k=10),
        lambda s: s.similar(2571, k=7, filters=FILTERS[1], weights={"stats": 0.7}),
        lambda s: s.recommend(user_id=1, k=10, explain=True),
        lambda s: s.recommend(liked=[260, 1196], k=10, explain=True),
        lambda s: s.counts(),
        lambda s: s.info(),
    ]
    for query in queries:
        answers = {name: query(s) for name, s in loaded_stores.items()}
        first = answers.pop("embedded")
        for name, answer in answers.items():
            assert answer == first, name
