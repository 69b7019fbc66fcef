"""Similar movies read from a build's files, with each view's contribution to the score.

This is the reader used before the graph is loaded (`reelgraph similar` says so); the graph
stores answer the same question with the same filters and weights through Cypher.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd
import pyarrow.compute as pc
import pyarrow.parquet as pq

from reelgraph.builds import Build
from reelgraph.errors import DataError
from reelgraph.graph.queries import query_weights
from reelgraph.graph.store import SimilarFilters
from reelgraph.lookup import TitleIndex


def similar_movies(
    build: Build,
    movie: str | int,
    k: int,
    filters: SimilarFilters | None = None,
    weights: Mapping[str, float] | None = None,
) -> dict[str, Any]:
    """The k most similar movies to `movie` (an id or a title) as plain data.

    Each entry carries rank, movie_id, title, year, genres, score and `contributions`: view
    name -> weight x that view's cosine (they sum to the score unless the recipe
    renormalises). `filters` keep some of the stored neighbours; `weights` (view -> weight)
    re-score them from the stored per-view cosines and re-rank them (ties by movie_id).
    """
    movies = build.movies
    movie_id = TitleIndex(movies).resolve(movie)
    check_edges(build)
    edges = build.edges
    rows = edges[edges["movie_id"] == movie_id].sort_values("rank")
    if filters is not None:
        rows = rows[_keep(movies.set_index("movie_id").loc[rows["similar_id"]], filters)]
    chosen = query_weights(build.weights, weights)
    entries = [_entry(build, movies, row, chosen) for row in rows.itertuples(index=False)]
    if weights is not None:
        for entry in entries:
            entry["score"] = sum(entry["contributions"].values())
        entries.sort(key=lambda e: (-e["score"], e["movie_id"]))
        for rank, entry in enumerate(entries, start=1):
            entry["rank"] = rank
    answer = {"movie": movie_record(movies, movie_id), "k_built": build.manifest["k"],
              "views": build.view_names, "weights": chosen, "similar": entries[:k]}  # fmt: skip
    if filters is not None:
        answer["filters"] = filters.to_dict()
    return answer


def check_edges(build: Build) -> None:
    """DataError unless the build's edges table has every view's column and no NaN score.

    Older builds could store NaN scores (and lack a view's column); such a build cannot be
    ranked and has to be made again.
    """
    path = build.folder / "edges.parquet"
    columns = pq.read_schema(path).names
    rebuild = "; run `reelgraph build` again to make a current build"
    for view in build.view_names:
        if view not in columns:
            raise DataError(path, f"the build's recipe has view {view!r} but the edges table "
                            f"has no column for it (found {columns}){rebuild}")  # fmt: skip
    scores = pq.read_table(path, columns=["score"]).column("score")
    missing = pc.sum(pc.or_kleene(pc.is_nan(scores), pc.is_null(scores))).as_py() or 0
    if missing:
        raise DataError(path, f"{missing:,} of {len(scores):,} edge scores are missing (NaN)"
                        f"{rebuild}", column="score")  # fmt: skip


def _keep(targets: pd.DataFrame, filters: SimilarFilters) -> list[bool]:
    """Per neighbour (rows of the catalogue, in edge order): does it pass the filters?"""
    years = [None if pd.isna(y) else int(y) for y in targets["year"]]
    return [
        filters.keeps(genres, year, count)
        for genres, year, count in zip(targets["genres"], years, targets["n_ratings"], strict=True)
    ]


def movie_record(movies: pd.DataFrame, movie_id: int) -> dict[str, Any]:
    """A movie's catalogue fields as JSON-ready plain values (absent year -> None)."""
    row = movies.loc[movies["movie_id"] == movie_id].iloc[0]
    year = row["year"]
    return {
        "movie_id": int(movie_id),
        "title": str(row["title"]),
        "year": None if pd.isna(year) else int(year),
        "genres": [str(g) for g in row["genres"]],
    }


def _entry(build: Build, movies: pd.DataFrame, row, weights: dict[str, float]) -> dict[str, Any]:
    record = movie_record(movies, int(row.similar_id))
    return {
        "rank": int(row.rank),
        **record,
        "score": float(row.score),
        "contributions": {v: weights[v] * _cosine(getattr(row, v)) for v in build.view_names},
    }


def _cosine(value: float) -> float:
    """A stored per-view cosine; a missing one (NaN) counts 0, as in the graph stores."""
    number = float(value)
    return 0.0 if math.isnan(number) else number
