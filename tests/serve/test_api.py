"""Every API endpoint on a real ml-latest-small build, checked against the build's tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from reelgraph.builds import Build


@pytest.fixture(scope="module")
def build(serve_home) -> Build:
    return Build.open(serve_home)


def oracle_recommend(build: Build, liked: set[int], rated: set[int], k: int) -> list[int]:
    """Brute force: sum the scores of the edges leaving liked movies, drop rated ones."""
    edges = build.edges
    reached = edges[edges["movie_id"].isin(liked)].groupby("similar_id")["score"].sum()
    reached = reached[~reached.index.isin(rated)].reset_index()
    reached = reached.sort_values(["score", "similar_id"], ascending=[False, True])
    return reached["similar_id"].head(k).astype(int).tolist()


# -- health --------------------------------------------------------------------------------


def test_health_names_the_served_build(client, build):
    answer = client.get("/api/health").json()
    assert answer["status"] == "ok"
    assert answer["build_id"] == build.manifest["build_id"]
    assert answer["counts"]["edges"] == len(build.edges)
    assert answer["views"] == build.view_names
    assert answer["web_assets"] is True


# -- search --------------------------------------------------------------------------------


def test_search_ranks_the_exact_title_first(client, build):
    answer = client.get("/api/movies/search", params={"q": "toy story"}).json()
    movies = build.movies
    toy_story = int(movies.loc[movies["title"] == "Toy Story (1995)", "movie_id"].iloc[0])
    assert answer["results"][0]["movie_id"] == toy_story
    assert answer["results"][0]["match"] == "exact"
    expected = movies["title"].str.lower().str.contains("toy story").sum()
    assert answer["total"] == expected


@pytest.mark.parametrize(
    ("query", "title"),
    [
        ("THE MATRIX", "Matrix, The (1999)"),
        ("matrix, the", "Matrix, The (1999)"),
        ("Amélie", "Amelie (Fabuleux destin d'Amélie Poulain, Le) (2001)"),
        ("amelie", "Amelie (Fabuleux destin d'Amélie Poulain, Le) (2001)"),
        ("godfather (1972)", "Godfather, The (1972)"),
    ],
)
def test_search_ignores_case_accents_and_articles(client, query, title):
    results = client.get("/api/movies/search", params={"q": query}).json()["results"]
    assert results[0]["title"] == title


def test_search_with_a_year_keeps_that_year_only(client, build):
    results = client.get("/api/movies/search", params={"q": "emma (1996)"}).json()["results"]
    movies = build.movies.set_index("movie_id")
    assert results
    assert all(movies.at[r["movie_id"], "year"] == 1996 for r in results)


def test_search_pages_do_not_overlap(client):
    first = client.get("/api/movies/search", params={"q": "love", "per_page": 5}).json()
    second = client.get("/api/movies/search", params={"q": "love", "per_page": 5, "page": 2})
    second = second.json()
    assert first["total"] == second["total"] > 10
    ids = [r["movie_id"] for r in first["results"] + second["results"]]
    assert len(ids) == len(set(ids)) == 10
    everything = client.get("/api/movies/search", params={"q": "love", "per_page": 10}).json()
    assert [r["movie_id"] for r in everything["results"]] == ids


def test_search_within_a_tier_puts_the_most_rated_first(client):
    results = client.get("/api/movies/search", params={"q": "star", "per_page": 50}).json()
    tiers = ["exact", "prefix", "word", "contains"]
    keys = [(tiers.index(r["match"]), -r["n_ratings"]) for r in results["results"]]
    assert keys == sorted(keys)


@pytest.mark.parametrize(
    "params", [{}, {"q": ""}, {"q": "x", "per_page": 0}, {"q": "x", "page": 0}, {"q": "x", "n": 1}]
)
def test_search_rejects_bad_parameters(client, params):
    response = client.get("/api/movies/search", params=params)
    assert response.status_code == 422
    assert response.json()["error"]["message"]


# -- movie details -------------------------------------------------------------------------


def test_movie_details_match_the_catalogue(client, build):
    row = build.movies.set_index("movie_id").loc[1]
    answer = client.get("/api/movies/1").json()
    assert answer["title"] == row["title"]
    assert answer["year"] == row["year"]
    assert answer["genres"] == list(row["genres"])
    assert answer["n_ratings"] == row["n_ratings"]
    assert answer["n_similar"] == build.manifest["k"]
    tags = build.table("tags")
    given = set(tags.loc[tags["movie_id"] == 1, "tag"].str.lower())
    assert {t["tag"] for t in answer["user_tags"]} <= given


def test_movie_without_a_year_has_null_year(client):
    answer = client.get("/api/movies/40697").json()  # a real title with no year
    assert answer["year"] is None


@pytest.mark.parametrize(
    ("path", "status"), [("abc", 422), ("0", 422), ("-3", 422), ("99999999", 404), ("1.5", 422)]
)
def test_movie_bad_ids(client, path, status):
    response = client.get(f"/api/movies/{path}")
    assert response.status_code == status
    error = response.json()["error"]
    assert error["status"] == status
    assert error["message"]


# -- similar -------------------------------------------------------------------------------


def test_similar_is_the_stored_edges_in_rank_order(client, build):
    answer = client.get("/api/movies/1/similar", params={"k": 7}).json()
    edges = build.edges[build.edges["movie_id"] == 1].sort_values("rank").head(7)
    assert [s["movie_id"] for s in answer["similar"]] == edges["similar_id"].tolist()
    np.testing.assert_allclose([s["score"] for s in answer["similar"]], edges["score"])
    for entry in answer["similar"]:
        assert sum(entry["contributions"].values()) == pytest.approx(entry["score"])
    assert answer["weights"] == build.weights


def test_similar_reweighted_ranks_by_the_new_blend(client, build):
    params = [("weight", "genres=0.9"), ("weight", "stats=0.1"), ("k", "10")]
    answer = client.get("/api/movies/260/similar", params=params).json()
    edges = build.edges[build.edges["movie_id"] == 260]
    blended = (
        0.9 * edges["genres"] + 0.1 * edges["stats"] + build.weights["genome"] * edges["genome"]
    )
    expected = (
        pd.DataFrame({"id": edges["similar_id"], "s": blended})
        .sort_values(["s", "id"], ascending=[False, True])["id"]
        .tolist()
    )
    assert [s["movie_id"] for s in answer["similar"]] == expected
    assert answer["weights"]["genres"] == 0.9
    scores = [s["score"] for s in answer["similar"]]
    assert scores == sorted(scores, reverse=True)


def test_similar_filters(client, build):
    params = {"k": 10, "genre": "Comedy", "year_min": 1990, "year_max": 2005, "min_ratings": 5}
    answer = client.get("/api/movies/1/similar", params=params).json()
    movies = build.movies.set_index("movie_id")
    stored = build.edges.loc[build.edges["movie_id"] == 1, "similar_id"]
    passing = [
        m
        for m in stored
        if "Comedy" in movies.at[m, "genres"]
        and 1990 <= movies.at[m, "year"] <= 2005
        and movies.at[m, "n_ratings"] >= 5
    ]
    assert sorted(s["movie_id"] for s in answer["similar"]) == sorted(passing)


def test_similar_exclude_genre(client):
    answer = client.get("/api/movies/1/similar", params={"exclude_genre": "Fantasy"}).json()
    assert all("Fantasy" not in s["genres"] for s in answer["similar"])


@pytest.mark.parametrize(
    "params",
    [
        {"k": 0},
        {"k": 101},
        {"k": "ten"},
        {"kk": 5},
        {"weight": "genres"},
        {"weight": "nosuchview=1"},
        {"weight": "genres=-1"},
        {"year_min": 2000, "year_max": 1990},
        {"min_ratings": -1},
    ],
)
def test_similar_rejects_bad_parameters(client, params):
    response = client.get("/api/movies/1/similar", params=params)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["message"]


@pytest.mark.parametrize(
    "weights",
    [
        ["genres=inf"],
        ["genres=nan"],
        ["genres=1e400"],
        ["stats=-0.5"],
        ["genome=0", "genres=0", "stats=0"],
    ],
)
def test_similar_rejects_weights_that_are_not_finite_or_all_zero(client, weights):
    response = client.get("/api/movies/1/similar", params=[("weight", w) for w in weights])
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["type"] == "RecipeError"
    assert error["message"].startswith("query parameter 'weight': "), error


def test_similar_unknown_movie_is_404(client):
    response = client.get("/api/movies/424242/similar")
    assert response.status_code == 404
    assert "424242" in response.json()["error"]["message"]


# -- neighbourhood -------------------------------------------------------------------------


def test_neighbourhood_holds_neighbours_and_theirs(client, build):
    answer = client.get("/api/movies/1/neighbourhood", params={"k": 4, "depth": 2}).json()
    nodes = {n["movie_id"]: n["hop"] for n in answer["nodes"]}
    assert nodes[1] == 0
    first = build.edges[build.edges["movie_id"] == 1].sort_values("rank")["similar_id"][:4]
    assert all(nodes[int(m)] <= 1 for m in first)
    assert all(e["source"] in nodes and e["target"] in nodes for e in answer["edges"])
    sources = {e["source"] for e in answer["edges"]}
    assert sources == {m for m, hop in nodes.items() if hop <= 1}


def test_neighbourhood_rejects_deep_walks(client):
    assert client.get("/api/movies/1/neighbourhood", params={"depth": 9}).status_code == 422


# -- users ---------------------------------------------------------------------------------


def test_user_profile_matches_the_ratings(client, build):
    ratings = build.table("ratings")
    mine = ratings[ratings["user_id"] == 1]
    answer = client.get("/api/users/1", params={"top": 5}).json()
    assert answer["n_ratings"] == len(mine)
    assert answer["mean_rating"] == pytest.approx(mine["rating"].mean())
    assert [m["rating"] for m in answer["top_rated"]] == sorted(mine["rating"], reverse=True)[:5]


@pytest.mark.parametrize("user_id", [1, 414])
def test_user_recommendations_match_a_brute_force_walk(client, build, user_id):
    ratings = build.table("ratings")
    mine = ratings[ratings["user_id"] == user_id]
    liked = set(mine.loc[mine["rating"] >= 4.0, "movie_id"])
    expected = oracle_recommend(build, liked, set(mine["movie_id"]), 10)
    answer = client.get(f"/api/users/{user_id}/recommendations").json()
    assert [r["movie_id"] for r in answer["recommendations"]] == expected
    assert answer["fallback"] is None


def test_explanations_are_liked_movies_with_their_edge_scores(client, build):
    ratings = build.table("ratings")
    liked = set(ratings.loc[(ratings["user_id"] == 1) & (ratings["rating"] >= 4.0), "movie_id"])
    edges = build.edges.set_index(["movie_id", "similar_id"])["score"]
    answer = client.get("/api/users/1/recommendations", params={"k": 5}).json()
    for rec in answer["recommendations"]:
        assert rec["because"], rec
        for reason in rec["because"]:
            assert reason["movie_id"] in liked
            assert reason["contribution"] == pytest.approx(
                edges[(reason["movie_id"], rec["movie_id"])]
            )
        assert sum(r["contribution"] for r in rec["because"]) <= rec["score"] + 1e-9
        assert rec["n_because"] >= len(rec["because"])


def test_user_with_nothing_liked_gets_the_labelled_fallback(client, build):
    ratings = build.table("ratings")
    best = ratings.groupby("user_id")["rating"].max()
    grumpy = int(best[best < 4.0].index[0])
    answer = client.get(f"/api/users/{grumpy}/recommendations").json()
    assert answer["fallback"]
    rated = set(ratings.loc[ratings["user_id"] == grumpy, "movie_id"])
    assert answer["recommendations"]
    assert not {r["movie_id"] for r in answer["recommendations"]} & rated


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/api/users/99999", 404),
        ("/api/users/abc", 422),
        ("/api/users/99999/recommendations", 404),
        ("/api/users/1/recommendations?k=0", 422),
        ("/api/users/1/recommendations?explain=1", 422),
    ],
)
def test_user_errors(client, path, status):
    response = client.get(path)
    assert response.status_code == status
    assert response.json()["error"]["message"]


# -- recommendations from liked movies -----------------------------------------------------


def test_liked_recommendations_match_a_brute_force_walk(client, build):
    liked = [1, 260, 2571]
    answer = client.post("/api/recommendations", json={"liked": liked, "k": 8}).json()
    assert [m["movie_id"] for m in answer["liked"]] == sorted(liked)
    expected = oracle_recommend(build, set(liked), set(liked), 8)
    assert [r["movie_id"] for r in answer["recommendations"]] == expected
    assert all(r["because"] for r in answer["recommendations"])


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"liked": []}, 422),
        ({"liked": [1], "k": 0}, 422),
        ({"liked": ["toy story"]}, 422),
        ({"liked": [1], "colour": "red"}, 422),
        ({}, 422),
        ({"liked": [1, 424242]}, 404),
    ],
)
def test_liked_recommendations_errors(client, body, status):
    response = client.post("/api/recommendations", json=body)
    assert response.status_code == status
    assert response.json()["error"]["message"]


def test_unknown_endpoint_is_a_json_404(client):
    response = client.get("/api/nothing/here")
    assert response.status_code == 404
    assert response.json()["error"]["status"] == 404


# -- every answer matches its documented model ----------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "model"),
    [
        ("get", "/api/movies/1", "MovieDetails"),
        ("get", "/api/movies/40697", "MovieDetails"),
        ("get", "/api/movies/1/similar?genre=Comedy", "SimilarAnswer"),
        ("get", "/api/movies/1/neighbourhood", "Neighbourhood"),
        ("get", "/api/users/1", "UserProfile"),
        ("get", "/api/users/1/recommendations", "UserRecommendations"),
        ("post", "/api/recommendations", "LikedRecommendations"),
        ("get", "/api/movies/search?q=star", "SearchAnswer"),
        ("get", "/api/health", "Health"),
        ("get", "/api/movies/0", "ErrorAnswer"),
    ],
)
def test_answers_match_their_response_models(client, method, path, model):
    from reelgraph.serve import schemas

    kwargs = {"json": {"liked": [1, 2]}} if method == "post" else {}
    body = getattr(client, method)(path, **kwargs).json()
    parsed = getattr(schemas, model).model_validate(body)
    assert parsed.model_dump(mode="json", exclude_unset=True) == body


@pytest.mark.parametrize("param", ["genre=Nope", "exclude_genre=sci-fi"])
def test_similar_rejects_unknown_genres(client, param):
    response = client.get(f"/api/movies/1/similar?{param}")
    assert response.status_code == 422
    message = response.json()["error"]["message"]
    assert "query parameter 'genre': unknown genre" in message and "Sci-Fi" in message


def test_similar_rejects_huge_weights(client):
    response = client.get("/api/movies/1/similar?weight=genres%3D1.7e308")
    assert response.status_code == 422
    assert "from 0 to 1e+06" in response.json()["error"]["message"]


@pytest.mark.parametrize(
    ("path", "status"),
    [("/movies/1", 200), ("/movies/999999", 404), ("/users/1", 200), ("/users/999999", 404)],
)
def test_pages_of_unknown_movies_and_users_are_404(client, path, status):
    response = client.get(path, headers={"accept": "text/html"})
    assert response.status_code == status
    assert "<html" in response.text.lower()


def test_liked_ids_must_be_integers_not_booleans(client):
    response = client.post("/api/recommendations", json={"liked": [True]})
    assert response.status_code == 422
    assert "body field 'liked.0'" in response.json()["error"]["message"]
