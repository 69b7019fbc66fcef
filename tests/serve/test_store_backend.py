"""The API answering from the embedded graph store gives the in-memory answers; an empty or
stale store falls back to the build and says so in /api/health."""

from __future__ import annotations

import shutil

import pytest
from fastapi.testclient import TestClient

from reelgraph.builds import Build
from reelgraph.serve import create_app

graph_store = pytest.importorskip("reelgraph.graph.store")


@pytest.fixture(scope="module")
def loaded_home(serve_home, tmp_path_factory):
    """A copy of the session build with the embedded graph loaded."""
    home = tmp_path_factory.mktemp("store-home")
    source = Build.open(serve_home).folder
    shutil.copytree(source, home / "builds" / source.name)
    (home / "current").symlink_to(f"builds/{source.name}")
    options = graph_store.StoreOptions(home=home, read_only=False)
    with graph_store.open_store("embedded", options) as store:
        store.load(Build.open(home))
    return home


@pytest.fixture(scope="module")
def store_client(loaded_home):
    with TestClient(create_app(loaded_home, store="embedded")) as client:
        yield client


def test_health_names_the_store(store_client):
    health = store_client.get("/api/health").json()
    assert health["backend"] == "embedded"
    assert health["message"] is None


@pytest.mark.parametrize(
    "path",
    [
        "/api/movies/1/similar?k=10",
        "/api/movies/260/similar?k=5&genre=Action&year_min=1980",
        "/api/movies/2571/similar?weight=genres=0.9&weight=stats=0.1",
        "/api/users/1/recommendations?k=10",
        "/api/users/414/recommendations?k=5",
    ],
)
def test_store_answers_equal_the_memory_answers(store_client, client, path):
    from_store = store_client.get(path).json()
    from_memory = client.get(path).json()
    key = "similar" if "similar" in from_memory else "recommendations"
    assert [m["movie_id"] for m in from_store[key]] == [m["movie_id"] for m in from_memory[key]]
    scores = [m["score"] for m in from_store[key]]
    assert scores == pytest.approx([m["score"] for m in from_memory[key]])


def test_store_liked_recommendations_explain(store_client, client):
    body = {"liked": [1, 260], "k": 5}
    from_store = store_client.post("/api/recommendations", json=body).json()
    from_memory = client.post("/api/recommendations", json=body).json()
    assert [r["movie_id"] for r in from_store["recommendations"]] == [
        r["movie_id"] for r in from_memory["recommendations"]
    ]
    assert all(r["because"] for r in from_store["recommendations"])


def test_store_errors_are_the_same(store_client):
    assert store_client.get("/api/movies/424242/similar").status_code == 404
    assert store_client.get("/api/users/99999/recommendations").status_code == 404


def test_empty_store_falls_back_then_serves_the_graph_once_loaded(serve_home, tmp_path):
    home = tmp_path / "home"
    source = Build.open(serve_home).folder
    shutil.copytree(source, home / "builds" / source.name)
    (home / "current").symlink_to(f"builds/{source.name}")
    with TestClient(create_app(home, store="embedded")) as client:
        health = client.get("/api/health").json()
        assert health["backend"] == "build"
        assert "reelgraph load" in health["message"]
        assert client.get("/api/movies/1/similar").status_code == 200

        options = graph_store.StoreOptions(home=home, read_only=False)
        with graph_store.open_store("embedded", options) as store:
            store.load(Build.open(home))
        health = client.get("/api/health").json()
        assert health["backend"] == "embedded"
        assert client.get("/api/movies/1/similar").status_code == 200


def test_store_explanations_equal_the_memory_ones(store_client, client):
    from_store = store_client.get("/api/users/1/recommendations?k=5").json()
    from_memory = client.get("/api/users/1/recommendations?k=5").json()
    for mine, theirs in zip(
        from_store["recommendations"], from_memory["recommendations"], strict=True
    ):
        assert mine["n_because"] == theirs["n_because"]
        assert [b["movie_id"] for b in mine["because"]] == [
            b["movie_id"] for b in theirs["because"]
        ]
        assert [b["shared_genres"] for b in mine["because"]] == [
            b["shared_genres"] for b in theirs["because"]
        ]
