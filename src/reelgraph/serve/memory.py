"""The API's answers computed from a build's tables held in memory.

Everything a request needs is indexed once when the build is opened: movie records as plain
dicts, the edges sorted by source movie with row offsets, each user's ratings with offsets, and
the sparse edge matrix the recommender walks. A request then costs a few array slices, so the
server answers in well under a millisecond of Python work.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from reelgraph.builds import Build
from reelgraph.errors import MovieNotFound, RecipeError, UserNotFound
from reelgraph.graph.store import SimilarFilters
from reelgraph.recipe import check_weights
from reelgraph.recommend.walk import LIKED_THRESHOLD, EdgeMatrix, LikedWalk
from reelgraph.serve.search import TitleSearch
from reelgraph.serve.similar import rank_edges

log = logging.getLogger(__name__)

TOP_TAGS = 8
FALLBACK_MIN_MEAN = 4.0
REASONS_SHOWN = 3


class MemoryBackend:
    """Answers search, movie, similar, neighbourhood and recommendation queries from a build.

    Args:
        build: an opened build; its tables are read here, so a corrupt file fails now.
    """

    name = "build"
    in_memory = True

    def __init__(self, build: Build) -> None:
        started = time.perf_counter()
        self.build = build
        self.note: str | None = None
        self.views = build.view_names
        self.weights = build.weights
        self.k_built = int(build.manifest["k"])
        movies = build.movies.sort_values("movie_id", kind="stable").reset_index(drop=True)
        self.movie_ids = movies["movie_id"].to_numpy(np.int64)
        self.records = _movie_records(movies)
        self.briefs = {m: _brief(r) for m, r in self.records.items()}
        self.genre_names = sorted({g for r in self.records.values() for g in r["genres"]})
        self._tag_sets: dict[int, set[str]] = {}
        self.search = TitleSearch(movies)
        self._index_edges(build.edges)
        self._index_ratings(build.table("ratings"))
        self.user_tags = _top_user_tags(build.table("tags"))
        self.genome_tags = _genome_tags(build.table("genome_tags"))
        self.popular = self._popular()
        log.info(
            "build %s indexed in memory: %d movies, %d edges, %d users, %.2f s",
            build.manifest.get("build_id"),
            len(self.movie_ids),
            len(self.edge_target),
            len(self.user_ids),
            time.perf_counter() - started,
        )

    # -- indexing --------------------------------------------------------------------------

    def _index_edges(self, edges: pd.DataFrame) -> None:
        edges = edges.sort_values(["movie_id", "rank"], kind="stable")
        source = edges["movie_id"].to_numpy(np.int64)
        self.edge_source = source
        self.edge_target = edges["similar_id"].to_numpy(np.int64)
        self.edge_score = edges["score"].to_numpy(np.float64)
        self.edge_cosines = np.column_stack(
            [edges[v].to_numpy(np.float64) for v in self.views]
        ).reshape(len(edges), len(self.views))
        self.walk = LikedWalk(EdgeMatrix.from_edges(edges, self.movie_ids))

    def _index_ratings(self, ratings: pd.DataFrame | None) -> None:
        if ratings is None:
            ratings = pd.DataFrame({"user_id": [], "movie_id": [], "rating": [], "timestamp": []})
        ratings = ratings.sort_values(
            ["user_id", "rating", "timestamp", "movie_id"],
            ascending=[True, False, False, True],
            kind="stable",
        )
        users = ratings["user_id"].to_numpy(np.int64)
        self.user_ids, starts = np.unique(users, return_index=True)
        self.user_offsets = np.append(starts, len(users))
        self.rating_movie = ratings["movie_id"].to_numpy(np.int64)
        self.rating_value = ratings["rating"].to_numpy(np.float64)
        self.rating_time = ratings["timestamp"].to_numpy(np.int64)

    def _popular(self) -> list[int]:
        """Well-rated movies, most rated first: the fallback for users with nothing liked."""
        good = [r for r in self.records.values() if (r["mean_rating"] or 0) >= FALLBACK_MIN_MEAN]
        good.sort(key=lambda r: (-r["n_ratings"], r["movie_id"]))
        return [r["movie_id"] for r in good]

    # -- movies ----------------------------------------------------------------------------

    def info(self) -> dict[str, Any]:
        """What is being served: build id, recipe, k and counts."""
        manifest = self.build.manifest
        return {
            "backend": self.name,
            "build_id": manifest.get("build_id"),
            "created": manifest.get("created"),
            "recipe": manifest["recipe"].get("name"),
            "views": self.views,
            "weights": self.weights,
            "k_built": self.k_built,
            "counts": manifest.get("counts", {}),
            "message": self.note,
        }

    def close(self) -> None:
        """Nothing to release: the tables are plain memory."""

    def record(self, movie_id: int) -> dict[str, Any]:
        """The catalogue record of a movie, or MovieNotFound."""
        try:
            return self.records[int(movie_id)]
        except KeyError:
            raise MovieNotFound(f"no movie with id {movie_id}") from None

    def movie(self, movie_id: int) -> dict[str, Any]:
        """A movie's details: catalogue fields, rating stats and its most frequent tags."""
        record = self.record(movie_id)
        rows = self._edge_slice(record["movie_id"])
        return {
            **record,
            "user_tags": self.user_tags.get(record["movie_id"], []),
            "genome_tags": self.genome_tags.get(record["movie_id"], []),
            "n_similar": rows.stop - rows.start,
        }

    def _edge_slice(self, movie_id: int) -> slice:
        lo = np.searchsorted(self.edge_source, movie_id, side="left")
        hi = np.searchsorted(self.edge_source, movie_id, side="right")
        return slice(int(lo), int(hi))

    def similar(
        self,
        movie_id: int,
        k: int,
        weights: dict[str, float] | None = None,
        filters: SimilarFilters | None = None,
    ) -> dict[str, Any]:
        """The k most similar movies among the stored edges, optionally re-weighted/filtered.

        Re-weighting re-ranks the build's k stored neighbours by sum(weight x view cosine);
        filters drop neighbours, so fewer than k may come back. For a recipe that renormalises,
        the re-weighted score is not renormalised: which views both movies have is not stored
        per edge.
        """
        source = self.record(movie_id)
        used = self._weights(weights)
        rows = self._edge_slice(source["movie_id"])
        targets = self.edge_target[rows]
        keep = (filters or SimilarFilters()).mask([self.records[int(t)] for t in targets])
        order, scores, parts = rank_edges(
            self.edge_cosines[rows],
            self.edge_score[rows],
            targets,
            used,
            self.views,
            reweighted=weights is not None,
            keep=keep,
        )
        similar = [
            {
                "rank": i + 1,
                **self.records[int(targets[j])],
                "score": float(scores[j]),
                "contributions": dict(zip(self.views, map(float, parts[j]), strict=True)),
            }
            for i, j in enumerate(order[:k])
        ]
        return {
            "movie": source,
            "k_built": self.k_built,
            "views": self.views,
            "weights": used,
            "similar": similar,
        }

    def _weights(self, overrides: dict[str, float] | None) -> dict[str, float]:
        if not overrides:
            return dict(self.weights)
        unknown = sorted(set(overrides) - set(self.views))
        if unknown:
            raise RecipeError(
                f"query parameter 'weight': unknown view {', '.join(map(repr, unknown))}; "
                f"this build has views {', '.join(self.views)}"
            )
        used = {v: overrides.get(v, self.weights[v]) for v in self.views}
        return check_weights(used, "query parameter 'weight'")

    def neighbourhood(self, movie_id: int, k: int, depth: int) -> dict[str, Any]:
        """The movie, its k nearest neighbours and theirs, up to `depth` hops, as a graph."""
        centre = self.record(movie_id)["movie_id"]
        hops = {centre: 0}
        edges = []
        frontier = [centre]
        for hop in range(1, depth + 1):
            nxt = []
            for source in frontier:
                rows = self._edge_slice(source)
                for target, score in list(
                    zip(self.edge_target[rows], self.edge_score[rows], strict=True)
                )[:k]:
                    target = int(target)
                    edges.append({"source": source, "target": target, "score": float(score)})
                    if target not in hops:
                        hops[target] = hop
                        nxt.append(target)
            frontier = nxt
        nodes = [{**self.briefs[m], "hop": h} for m, h in sorted(hops.items(), key=_by_hop)]
        return {"movie_id": centre, "k": k, "depth": depth, "nodes": nodes, "edges": edges}

    # -- users -----------------------------------------------------------------------------

    def _ratings_of(self, user_id: int) -> slice:
        pos = int(np.searchsorted(self.user_ids, user_id))
        if pos == len(self.user_ids) or self.user_ids[pos] != user_id:
            raise UserNotFound(f"no user with id {user_id} has ratings in this build")
        return slice(int(self.user_offsets[pos]), int(self.user_offsets[pos + 1]))

    def user(self, user_id: int, top: int) -> dict[str, Any]:
        """A user's rating count, mean and top-rated movies (best, then most recent, first)."""
        rows = self._ratings_of(user_id)
        top_rows = range(rows.start, min(rows.stop, rows.start + top))
        return {
            "user_id": int(user_id),
            "n_ratings": rows.stop - rows.start,
            "mean_rating": float(self.rating_value[rows].mean()),
            "n_liked": int((self.rating_value[rows] >= LIKED_THRESHOLD).sum()),
            "top_rated": [
                {
                    **self.briefs[int(self.rating_movie[i])],
                    "rating": float(self.rating_value[i]),
                    "timestamp": int(self.rating_time[i]),
                }
                for i in top_rows
            ],
        }

    def recommend_user(self, user_id: int, k: int) -> dict[str, Any]:
        """Top-k graph recommendations for a known user, each with the liked movies behind it."""
        rows = self._ratings_of(user_id)
        rated = self.rating_movie[rows]
        liked = rated[self.rating_value[rows] >= LIKED_THRESHOLD]
        answer = self._recommend(liked, rated, k)
        return {"user_id": int(user_id), **answer}

    def recommend_liked(self, liked: Iterable[int], k: int) -> dict[str, Any]:
        """Top-k graph recommendations for a new user who liked `liked` (movie ids)."""
        ids = np.array(sorted({int(m) for m in liked}), dtype=np.int64)
        for movie_id in ids:
            self.record(int(movie_id))
        answer = self._recommend(ids, ids, k)
        return {"liked": [self.briefs[int(m)] for m in ids], **answer}

    def _recommend(self, liked: np.ndarray, exclude: np.ndarray, k: int) -> dict[str, Any]:
        walked = self.walk(liked, exclude, k)
        if len(walked.movie_ids) == 0:
            return self._fallback(exclude, k)
        items = []
        for j, (movie_id, score) in enumerate(zip(walked.movie_ids, walked.scores, strict=True)):
            record = self.records[int(movie_id)]
            sources, parts = walked.reasons[j]
            because = [
                self._reason(record, int(m), float(c))
                for m, c in zip(sources[:REASONS_SHOWN], parts[:REASONS_SHOWN], strict=True)
            ]
            items.append(
                {
                    "rank": j + 1,
                    **self.briefs[int(movie_id)],
                    "score": float(score),
                    "because": because,
                    "n_because": len(sources),
                }
            )
        return {"k": k, "fallback": None, "recommendations": items}

    def _reason(self, record: dict[str, Any], liked: int, contribution: float) -> dict[str, Any]:
        source = self.records[liked]
        return {
            **self.briefs[liked],
            "contribution": contribution,
            "shared_genres": sorted(set(source["genres"]) & set(record["genres"])),
            "shared_tags": sorted(self._tags(liked) & self._tags(record["movie_id"])),
        }

    def _tags(self, movie_id: int) -> set[str]:
        """A movie's genome tags and most used user tags, case-folded (cached)."""
        found = self._tag_sets.get(movie_id)
        if found is None:
            tags = self.genome_tags.get(movie_id, []) + self.user_tags.get(movie_id, [])
            found = self._tag_sets[movie_id] = {t["tag"].lower() for t in tags}
        return found

    def _fallback(self, exclude: np.ndarray, k: int) -> dict[str, Any]:
        skip = {int(m) for m in exclude}
        chosen = [m for m in self.popular if m not in skip][:k]
        items = [
            {"rank": i + 1, **self.briefs[m], "score": None, "because": [], "n_because": 0}
            for i, m in enumerate(chosen)
        ]
        reason = (
            f"no liked movie (rated >= {LIKED_THRESHOLD}) leads anywhere in the graph: "
            f"these are the most rated movies with a mean rating >= {FALLBACK_MIN_MEAN}"
        )
        return {"k": k, "fallback": reason, "recommendations": items}


def _by_hop(item: tuple[int, int]) -> tuple[int, int]:
    return item[1], item[0]


def _brief(record: dict[str, Any]) -> dict[str, Any]:
    keys = ("movie_id", "title", "year", "genres", "n_ratings", "mean_rating")
    return {key: record[key] for key in keys}


def _movie_records(movies: pd.DataFrame) -> dict[int, dict[str, Any]]:
    """movie_id -> JSON-ready catalogue record (missing year or mean -> None)."""
    out = {}
    columns = ("movie_id", "title", "year", "genres", "n_ratings", "mean_rating")
    for movie_id, title, year, genres, count, mean in zip(
        *(movies[c] for c in columns), strict=True
    ):
        out[int(movie_id)] = {
            "movie_id": int(movie_id),
            "title": str(title),
            "year": None if pd.isna(year) else int(year),
            "genres": [str(g) for g in genres],
            "n_ratings": int(count),
            "mean_rating": None if pd.isna(mean) or count == 0 else round(float(mean), 4),
        }
    return out


def _top_user_tags(tags: pd.DataFrame | None) -> dict[int, list[dict[str, Any]]]:
    """movie_id -> its most used user tags (case-folded), with how many users gave each."""
    if tags is None or tags.empty:
        return {}
    frame = tags.assign(tag=tags["tag"].astype(str).str.strip().str.lower())
    counts = frame.groupby(["movie_id", "tag"]).size().reset_index(name="count")
    counts = counts.sort_values(["movie_id", "count", "tag"], ascending=[True, False, True])
    out: dict[int, list[dict[str, Any]]] = {}
    for movie_id, group in counts.groupby("movie_id", sort=False):
        out[int(movie_id)] = [
            {"tag": str(t), "count": int(c)}
            for t, c in zip(group["tag"][:TOP_TAGS], group["count"][:TOP_TAGS], strict=True)
        ]
    return out


def _genome_tags(genome: pd.DataFrame | None) -> dict[int, list[dict[str, Any]]]:
    """movie_id -> its most relevant genome tags, most relevant first."""
    if genome is None or genome.empty:
        return {}
    out: dict[int, list[dict[str, Any]]] = {}
    ordered = genome.sort_values(["movie_id", "relevance"], ascending=[True, False])
    for movie_id, group in ordered.groupby("movie_id", sort=False):
        out[int(movie_id)] = [
            {"tag": str(t), "relevance": round(float(r), 4)}
            for t, r in zip(group["tag"], group["relevance"], strict=True)
        ]
    return out
