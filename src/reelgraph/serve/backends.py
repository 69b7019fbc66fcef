"""Where the API's answers come from: the build in memory, or a graph store beside it.

`build` answers everything from the build's tables in memory. A graph store name (`embedded`,
`neo4j`, `falkordb`; see `reelgraph.graph.store`) answers similar movies and recommendations
with Cypher while search, details, neighbourhoods and user profiles still come from memory.
When the store cannot be opened, is empty or holds another build, the server says so in the
log and in /api/health and answers from memory, so it never serves a stale graph.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from reelgraph.builds import CURRENT, Build
from reelgraph.errors import ReelgraphError
from reelgraph.graph.store import SimilarFilters
from reelgraph.serve.memory import REASONS_SHOWN, MemoryBackend

log = logging.getLogger(__name__)

MEMORY = "build"
DEFAULT = "embedded"
"""What `reelgraph serve` answers from unless told: the embedded graph, else the build."""


def backend_names() -> list[str]:
    """`build` and every registered graph store."""
    try:
        from reelgraph.graph.store import store_names
    except ImportError:  # the graph package is optional at run time
        return [MEMORY]
    return [MEMORY, *store_names()]


def backend_factory(name: str, home: Path) -> Callable[[Build], Any]:
    """A function making the named backend from an opened build."""
    if name == MEMORY:
        return MemoryBackend
    if name not in backend_names():
        raise ReelgraphError(f"unknown store {name!r}; expected one of {backend_names()}")

    def make(build: Build) -> Any:
        memory = MemoryBackend(build)
        try:
            return StoreBackend(memory, _open_store(name, home, build))
        except ReelgraphError as exc:
            log.warning("graph store %r not used, answering from the build: %s", name, exc)
            memory.note = f"graph store {name!r} not used: {exc}"
            return memory

    return make


def watched_links(name: str) -> tuple[str, ...]:
    """Links under the home whose moving means the backend must be rebuilt."""
    if name != "embedded":
        return (CURRENT,)
    from reelgraph.graph.embedded import LIVE

    return (CURRENT, LIVE)


def _open_store(name: str, home: Path, build: Build) -> Any:
    from reelgraph.graph.store import StoreOptions, open_store

    store = open_store(name, StoreOptions(home=home, read_only=True))
    info = store.info()
    wanted = build.manifest.get("build_id")
    if not info or info.get("build_id") != wanted:
        store.close()
        found = info.get("build_id") if info else "nothing"
        raise ReelgraphError(
            f"it holds {found}, not build {wanted}; run `reelgraph load --store {name}`"
        )
    return store


class StoreBackend:
    """Similar movies and recommendations from a graph store, the rest from memory.

    Args:
        memory: the build in memory (records, search, users).
        store: an open `reelgraph.graph.store.GraphStore` holding the same build.
    """

    in_memory = False

    def __init__(self, memory: MemoryBackend, store: Any) -> None:
        self.memory = memory
        self.store = store
        self.name = store.name
        self.search = memory.search
        self.records = memory.records
        self.genre_names = memory.genre_names
        self._lock = threading.Lock()  # one query at a time per store handle

    def info(self) -> dict[str, Any]:
        """The memory backend's info, naming the store."""
        return {**self.memory.info(), "backend": self.name}

    def movie(self, movie_id: int) -> dict[str, Any]:
        """See `MemoryBackend.movie`."""
        return self.memory.movie(movie_id)

    def neighbourhood(self, movie_id: int, k: int, depth: int) -> dict[str, Any]:
        """See `MemoryBackend.neighbourhood`."""
        return self.memory.neighbourhood(movie_id, k, depth)

    def user(self, user_id: int, top: int) -> dict[str, Any]:
        """See `MemoryBackend.user`."""
        return self.memory.user(user_id, top)

    def similar(
        self, movie_id: int, k: int, weights: dict[str, float] | None, filters: SimilarFilters
    ) -> dict[str, Any]:
        """See `MemoryBackend.similar`; asked of the store."""
        source = self.memory.record(movie_id)
        used = self.memory._weights(weights)
        with self._lock:
            answer = self.store.similar(movie_id, k, filters, weights)
        similar = [
            {
                "rank": e["rank"],
                **self.records[int(e["movie_id"])],
                "score": float(e["score"]),
                "contributions": {v: float(x) for v, x in e["contributions"].items()},
            }
            for e in answer["similar"]
        ]
        return {
            "movie": source,
            "k_built": self.memory.k_built,
            "views": self.memory.views,
            "weights": used,
            "similar": similar,
        }

    def recommend_user(self, user_id: int, k: int) -> dict[str, Any]:
        """See `MemoryBackend.recommend_user`; asked of the store."""
        self.memory._ratings_of(user_id)  # UserNotFound before the store is asked
        with self._lock:
            answer = self.store.recommend(user_id=user_id, k=k, explain=True)
        return {"user_id": int(user_id), **self._recommendations(answer, k)}

    def recommend_liked(self, liked: Iterable[int], k: int) -> dict[str, Any]:
        """See `MemoryBackend.recommend_liked`; asked of the store."""
        ids = sorted({int(m) for m in liked})
        for movie_id in ids:
            self.memory.record(movie_id)
        with self._lock:
            answer = self.store.recommend(liked=ids, k=k, explain=True)
        brief = [self._brief(m) for m in ids]
        return {"liked": brief, **self._recommendations(answer, k)}

    def _brief(self, movie_id: int) -> dict[str, Any]:
        return dict(self.records[int(movie_id)])

    def _recommendations(self, answer: dict[str, Any], k: int) -> dict[str, Any]:
        items = []
        for item in answer["recommendations"]:
            reasons = sorted(
                item.get("because", []), key=lambda r: (-r["contribution"], r["movie_id"])
            )
            because = [
                {
                    **self._brief(r["movie_id"]),
                    "contribution": float(r["contribution"]),
                    "shared_genres": list(r.get("shared_genres", [])),
                    "shared_tags": list(r.get("shared_tags", [])),
                }
                for r in reasons[:REASONS_SHOWN]
            ]
            score = None if answer.get("fallback") else float(item["score"])
            items.append(
                {
                    "rank": item["rank"],
                    **self._brief(item["movie_id"]),
                    "score": score,
                    "because": because,
                    "n_because": len(reasons),
                }
            )
        note = answer.get("note") or "fallback: most popular well-rated movies"
        return {
            "k": k,
            "fallback": note if answer.get("fallback") else None,
            "recommendations": items,
        }

    def close(self) -> None:
        """Close the store."""
        self.store.close()
