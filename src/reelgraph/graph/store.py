"""The graph store interface every back-end implements, and the registry that names them.

A store holds one build's graph (see `reelgraph.graph.model`) and answers the queries the
CLI and the HTTP API need, always with JSON-ready plain data. Back-ends:

- `embedded`: LadybugDB files under the reelgraph home (the default; nothing to start).
- `falkordb`: a FalkorDB server (settings FALKORDB_HOST, FALKORDB_PORT, FALKORDB_GRAPH).
- `neo4j`: a Neo4j 5 server (settings NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD).

Open one with `open_store(name, StoreOptions(...))` and use it as a context manager.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

from reelgraph.errors import StoreError
from reelgraph.recommend.graph import LIKED_THRESHOLD

DEFAULT_BATCH_SIZE = 1000
DEFAULT_STORE = "embedded"

Progress = Callable[[str, int], Callable[[int], None]]
"""Progress factory: given a step name and a total, returns a callback taking increments."""


@dataclass(frozen=True)
class SimilarFilters:
    """Which of a movie's stored neighbours `similar` may return.

    Attributes:
        genres: keep neighbours having at least one of these genres (empty: no condition).
        exclude_genres: drop neighbours having any of these genres.
        year_from: keep neighbours released in this year or later (unknown year: dropped).
        year_to: keep neighbours released in this year or earlier (unknown year: dropped).
        min_ratings: keep neighbours with at least this many ratings.
    """

    genres: tuple[str, ...] = ()
    exclude_genres: tuple[str, ...] = ()
    year_from: int | None = None
    year_to: int | None = None
    min_ratings: int | None = None

    def keeps(self, genres: Iterable[str], year: int | None, n_ratings: int) -> bool:
        """Whether a movie with these fields passes every filter (the in-memory form of the
        store's Cypher condition)."""
        genres = set(genres)
        if self.genres and not genres & set(self.genres):
            return False
        if genres & set(self.exclude_genres):
            return False
        if (self.year_from is not None or self.year_to is not None) and year is None:
            return False
        if self.year_from is not None and year < self.year_from:
            return False
        if self.year_to is not None and year > self.year_to:
            return False
        return self.min_ratings is None or n_ratings >= self.min_ratings

    def mask(self, records: Sequence[dict[str, Any]]) -> np.ndarray:
        """bool array, shape (len(records),): which movie records (genres, year, n_ratings)
        pass."""
        return np.fromiter(
            (self.keeps(r["genres"], r["year"], r["n_ratings"]) for r in records),
            dtype=bool,
            count=len(records),
        )

    def to_dict(self) -> dict[str, Any]:
        """The filters that are set, as plain data."""
        out: dict[str, Any] = {}
        if self.genres:
            out["genres"] = list(self.genres)
        if self.exclude_genres:
            out["exclude_genres"] = list(self.exclude_genres)
        for name in ("year_from", "year_to", "min_ratings"):
            if getattr(self, name) is not None:
                out[name] = int(getattr(self, name))
        return out


@dataclass(frozen=True)
class LoadResult:
    """What a load did.

    Attributes:
        store: the store name.
        counts: label or relationship type -> rows sent to the store.
        seconds: wall time of the whole load.
        timings: label or relationship type -> seconds spent on it.
    """

    store: str
    counts: dict[str, int]
    seconds: float
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def edges_per_second(self) -> float:
        """SIMILAR edges loaded per second of the whole load."""
        return self.counts.get("SIMILAR", 0) / self.seconds if self.seconds > 0 else 0.0


@runtime_checkable
class GraphStore(Protocol):
    """What every graph store offers. All return values are JSON-ready (dicts, lists, str,
    int, float, bool, None)."""

    name: str

    def load(
        self, build, *, progress: Progress | None = None, batch_size: int = DEFAULT_BATCH_SIZE
    ) -> LoadResult:
        """Load a `reelgraph.builds.Build` (idempotent: a re-run or a resumed run leaves one
        node per id and one edge per pair). `progress(step, total)` returns a callback
        taking the number of rows just written."""

    def similar(
        self,
        movie_id: int,
        k: int = 10,
        filters: SimilarFilters | None = None,
        weights: Mapping[str, float] | None = None,
    ) -> dict[str, Any]:
        """The k most similar movies, re-weighted at query time when `weights` is given.

        Returns:
            {"movie": {movie_id, title, year, genres}, "k_built": int, "views": [str],
            "weights": {view: float}, "filters": {...}, "similar": [{rank, movie_id, title,
            year, genres, rating_count, score, contributions: {view: float}}]}.
            Raises MovieNotFound for an unknown movie_id.
        """

    def recommend(
        self,
        *,
        user_id: int | None = None,
        liked: Sequence[int] | None = None,
        k: int = 10,
        explain: bool = False,
        min_rating: float = LIKED_THRESHOLD,
    ) -> dict[str, Any]:
        """Graph recommendations for a user (by id) or for a list of liked movie ids.

        Returns:
            {"user_id": int | None, "liked": [int], "k": int, "fallback": bool,
            "note": str | None, "recommendations": [{rank, movie_id, title, year, genres,
            score, "because": [{movie_id, title, contribution, shared_genres: [str],
            shared_tags: [str]}] (only with explain)}]}.
            Raises UserNotFound / MovieNotFound for an unknown user or liked movie.
        """

    def movie(self, movie_id: int) -> dict[str, Any]:
        """{movie_id, title, year, genres, rating_count, mean_rating}; MovieNotFound if absent."""

    def info(self) -> dict[str, Any] | None:
        """{build_id, k, views, weights, complete} of the loaded graph, or None when empty."""

    def counts(self) -> dict[str, int]:
        """Label and relationship type -> number of nodes or edges in the store."""

    def close(self) -> None:
        """Release connections and files."""

    def __enter__(self) -> GraphStore: ...

    def __exit__(self, *exc_info) -> None: ...


@dataclass(frozen=True)
class StoreOptions:
    """How to open a store.

    Attributes:
        home: the reelgraph home (the embedded store lives under it).
        read_only: open for queries only (the embedded store then reads the live graph).
        settings: connection settings (NEO4J_URI, FALKORDB_PORT, ...); defaults to the
            process environment.
    """

    home: Path = Path(".reelgraph")
    read_only: bool = True
    settings: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))


StoreFactory = Callable[[StoreOptions], GraphStore]

_REGISTRY: dict[str, str | StoreFactory] = {
    "embedded": "reelgraph.graph.embedded:open_embedded",
    "falkordb": "reelgraph.graph.falkordb_store:open_falkordb",
    "neo4j": "reelgraph.graph.neo4j_store:open_neo4j",
}


def register_store(name: str, factory: str | StoreFactory) -> None:
    """Register a store factory, or a "module:function" path imported on first use."""
    _REGISTRY[name] = factory


def store_names() -> list[str]:
    """Registered store names, the default first."""
    return sorted(_REGISTRY, key=lambda n: (n != DEFAULT_STORE, n))


def open_store(name: str, options: StoreOptions | None = None) -> GraphStore:
    """Open the store registered as `name`; StoreError if unknown or unreachable."""
    if name not in _REGISTRY:
        raise StoreError(f"unknown graph store {name!r}; expected one of {store_names()}")
    factory = _REGISTRY[name]
    if isinstance(factory, str):
        module, _, attr = factory.partition(":")
        factory = getattr(importlib.import_module(module), attr)
    return factory(options or StoreOptions())
