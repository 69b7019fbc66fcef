"""The queries every graph store answers, written once over a store's `_read`.

A store subclass only says how to run one read statement (`_read`) and how to load; the
Cypher comes from `reelgraph.graph.cypher`. Filtering and the walk run in the store; the
final ranking runs here, in Python, from the rows the store returned
(`reelgraph.recommend.graph`), which keeps answers identical across stores and equal to the
in-memory recommender of `reelgraph.recommend.walk`.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from reelgraph.errors import MovieNotFound, RecipeError, StoreError, UserNotFound
from reelgraph.graph import cypher
from reelgraph.graph.model import INFO_KEY, GraphModel
from reelgraph.graph.store import LIKED_THRESHOLD, SimilarFilters
from reelgraph.recommend.graph import (
    FALLBACK_MIN_COUNT,
    FALLBACK_MIN_MEAN,
    liked_and_rated,
    rank_candidates,
)

log = logging.getLogger(__name__)


class StoreQueries:
    """Similar, recommend, movie, info and counts over `_read` (see GraphStore)."""

    name = "store"

    def _read(self, statement: str, params: dict[str, Any] | None = None) -> list[list[Any]]:
        """Run one read statement; rows as lists of plain values in RETURN order."""
        raise NotImplementedError(f"{type(self).__name__} does not implement _read")

    def _query(self, statement: str, params: dict[str, Any] | None = None) -> list[list[Any]]:
        """`_read` with every float rounded to 15 significant digits.

        FalkorDB replies with doubles printed to 15 significant digits, so every store's
        floats go through the same rounding to give identical answers. Edge scores are
        rounded to 1e-10 by the build, so they come through unchanged.
        """
        return [[_canonical(v) for v in row] for row in self._read(statement, params)]

    def close(self) -> None:
        """Release connections and files."""

    def __enter__(self):
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    # --- lookups --------------------------------------------------------------------------

    def info(self) -> dict[str, Any] | None:
        """{build_id, k, views, weights, complete} of the loaded graph, or None when empty."""
        rows = self._query(cypher.INFO_QUERY, {"key": INFO_KEY})
        if not rows:
            return None
        build_id, k, views, weights, complete = rows[0]
        views = [str(v) for v in views or []]
        return {"build_id": build_id, "k": int(k), "views": views,
                "weights": {v: float(w) for v, w in zip(views, weights or [], strict=True)},
                "complete": bool(complete)}  # fmt: skip

    def _ready_info(self) -> dict[str, Any]:
        info = self.info()
        if info is None:
            raise StoreError(f"the {self.name} graph store holds no graph; run `reelgraph load`")
        if not info["complete"]:
            raise StoreError(
                f"the {self.name} graph store holds a partly loaded graph (build "
                f"{info['build_id']}); run `reelgraph load` again to finish it"
            )
        return info

    def movie(self, movie_id: int) -> dict[str, Any]:
        """{movie_id, title, year, genres, rating_count, mean_rating}; MovieNotFound if absent."""
        rows = self._query(cypher.MOVIE_BY_ID, {"movieId": int(movie_id)})
        if not rows:
            raise MovieNotFound(f"no movie with id {int(movie_id)} in the {self.name} graph")
        return movie_record(rows[0])

    def _movies(self, ids: list[int]) -> dict[int, dict[str, Any]]:
        rows = self._query(cypher.MOVIES_BY_ID, {"ids": [int(i) for i in ids]})
        return {int(r[0]): movie_record(r) for r in rows}

    def counts(self) -> dict[str, int]:
        """Label and relationship type -> number of nodes or edges in the store."""
        model = GraphModel.for_views([])
        out = {s.label: self._scalar(cypher.count_nodes(s.label)) for s in model.nodes}
        out.update({s.type: self._scalar(cypher.count_rels(s)) for s in model.rels})
        return out

    def _scalar(self, statement: str, params: dict[str, Any] | None = None) -> int:
        rows = self._query(statement, params)
        return int(rows[0][0]) if rows else 0

    # --- similar --------------------------------------------------------------------------

    def similar(
        self,
        movie_id: int,
        k: int = 10,
        filters: SimilarFilters | None = None,
        weights: Mapping[str, float] | None = None,
    ) -> dict[str, Any]:
        """See `GraphStore.similar`: filters run in the store, re-weighting here."""
        info = self._ready_info()
        source = self.movie(movie_id)
        filters = filters or SimilarFilters()
        views = info["views"]
        chosen = query_weights(info["weights"], weights)
        statement, params = cypher.similar_query(views, filters)
        rows = self._query(statement, {**params, "movieId": int(movie_id)})
        entries = [_similar_entry(row, views, chosen, weights is not None) for row in rows]
        if weights is not None:
            entries.sort(key=lambda e: (-e["score"], e["movie_id"]))
        for rank, entry in enumerate(entries[:k], start=1):
            entry["rank"] = rank
        return {"movie": _public(source), "k_built": info["k"], "views": views,
                "weights": chosen, "filters": filters.to_dict(),
                "similar": entries[:k]}  # fmt: skip

    # --- recommend ------------------------------------------------------------------------

    def recommend(
        self,
        *,
        user_id: int | None = None,
        liked: Sequence[int] | None = None,
        k: int = 10,
        explain: bool = False,
        min_rating: float = LIKED_THRESHOLD,
    ) -> dict[str, Any]:
        """See `GraphStore.recommend`."""
        if (user_id is None) == (liked is None):
            raise ValueError("give exactly one of user_id and liked")
        self._ready_info()
        if user_id is not None:
            liked_ids, rated = self._user_likes(int(user_id), min_rating)
        else:
            liked_ids = self._known_movies(liked)
            rated = liked_ids
        answer = {"user_id": None if user_id is None else int(user_id), "liked": liked_ids,
                  "k": int(k), "fallback": False, "note": None}  # fmt: skip

        ranked = []
        if liked_ids:
            params = {"liked": liked_ids, "rated": rated}
            ranked = rank_candidates(self._query(cypher.RECOMMEND_EDGES, params), k)
        if not ranked:
            return {**answer, **self._fallback(user_id, liked_ids, rated, k, min_rating)}
        details = self._movies([m for m, _, _ in ranked])
        recs = []
        for rank, (movie_id, score, because) in enumerate(ranked, start=1):
            entry = {"rank": rank, **_public(details[movie_id]), "score": score}
            if explain:
                entry["because"] = [{"movie_id": m, "contribution": c} for m, c in because]
            recs.append(entry)
        if explain:
            self._explain(recs)
        return {**answer, "recommendations": recs}

    def _user_likes(self, user_id: int, min_rating: float) -> tuple[list[int], list[int]]:
        rows = self._query(cypher.USER_RATINGS, {"userId": user_id})
        if not rows and not self._query(cypher.USER_EXISTS, {"userId": user_id}):
            raise UserNotFound(f"no user with id {user_id} in the {self.name} graph")
        return liked_and_rated(rows, min_rating)

    def _known_movies(self, liked: Sequence[int]) -> list[int]:
        ids = sorted({int(m) for m in liked})
        missing = sorted(set(ids) - set(self._movies(ids)))
        if missing:
            raise MovieNotFound(f"no movie with id {', '.join(map(str, missing))} in the "
                                f"{self.name} graph (liked movies)")  # fmt: skip
        return ids

    def _fallback(self, user_id, liked, rated, k, min_rating) -> dict[str, Any]:
        if user_id is None:
            reason = "no liked movie given" if not liked else "the liked movies lead nowhere new"
        elif not liked:
            reason = f"user {user_id} rated no movie {min_rating:g} or higher"
        else:
            reason = f"no movie user {user_id} has not rated is similar to what they liked"
        params = {"minMean": FALLBACK_MIN_MEAN, "minCount": FALLBACK_MIN_COUNT,
                  "exclude": rated, "k": int(k)}  # fmt: skip
        rows = self._query(cypher.POPULAR, params)
        recs = [{"rank": i, **_public(movie_record(r)), "score": None}
                for i, r in enumerate(rows, start=1)]  # fmt: skip
        note = (f"fallback: {reason}; showing the most rated movies with a mean rating of "
                f"{FALLBACK_MIN_MEAN:g} or more")  # fmt: skip
        return {"fallback": True, "note": note, "recommendations": recs}

    def _explain(self, recs: list[dict[str, Any]]) -> None:
        liked = sorted({b["movie_id"] for r in recs for b in r["because"]})
        recommended = [r["movie_id"] for r in recs]
        params = {"liked": liked, "recommended": recommended}
        genres = _pairs(self._query(cypher.SHARED_GENRES, params))
        tags = _pairs(self._query(cypher.SHARED_TAGS, params))
        titles = {m: d["title"] for m, d in self._movies(liked).items()}
        for rec in recs:
            for because in rec["because"]:
                pair = (because["movie_id"], rec["movie_id"])
                because["title"] = titles.get(because["movie_id"])
                because["shared_genres"] = sorted(genres.get(pair, ()))
                because["shared_tags"] = sorted(tags.get(pair, ()))


def movie_record(row: Sequence[Any]) -> dict[str, Any]:
    """A movie row (cypher.MOVIE_FIELDS order) as plain data."""
    movie_id, title, year, genres, count, mean = row[:6]
    return {"movie_id": int(movie_id), "title": str(title),
            "year": None if year is None else int(year),
            "genres": [str(g) for g in genres or []],
            "rating_count": None if count is None else int(count),
            "mean_rating": None if mean is None else float(mean)}  # fmt: skip


def _public(record: dict[str, Any]) -> dict[str, Any]:
    return {k: record[k] for k in ("movie_id", "title", "year", "genres")}


def query_weights(built: dict[str, float], override: Mapping[str, float] | None) -> dict:
    """The built view weights with `override` applied; RecipeError naming an unknown view."""
    chosen = dict(built)
    for view, weight in (override or {}).items():
        if view not in chosen:
            raise RecipeError(f"unknown view {view!r} in weights; expected one of {list(built)}")
        chosen[view] = float(weight)
    return chosen


def _similar_entry(row, views, weights, reweighted: bool) -> dict[str, Any]:
    movie_id, title, year, genres, count, rank, score = row[:7]
    parts = {v: weights[v] * float(c or 0.0) for v, c in zip(views, row[7:], strict=True)}
    if reweighted:
        score = 0.0
        for view in views:
            score += parts[view]
    return {"rank": int(rank), "movie_id": int(movie_id), "title": str(title),
            "year": None if year is None else int(year),
            "genres": [str(g) for g in genres or []],
            "rating_count": None if count is None else int(count),
            "score": float(score), "contributions": parts}  # fmt: skip


def _canonical(value: Any) -> Any:
    if isinstance(value, float):
        return float(f"{value:.15g}")
    if isinstance(value, list):
        return [_canonical(v) for v in value]
    return value


def _pairs(rows: list[list[Any]]) -> dict[tuple[int, int], set[str]]:
    out: dict[tuple[int, int], set[str]] = defaultdict(set)
    for a, b, name in rows:
        out[(int(a), int(b))].add(str(name))
    return out
