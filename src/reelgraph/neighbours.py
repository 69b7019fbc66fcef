"""Similar movies read from a build, with each view's contribution to the score."""

from __future__ import annotations

from typing import Any

import pandas as pd

from reelgraph.builds import Build
from reelgraph.lookup import TitleIndex


def similar_movies(build: Build, movie: str | int, k: int) -> dict[str, Any]:
    """The k most similar movies to `movie` (an id or a title) as plain data.

    Each entry carries rank, movie_id, title, year, genres, score and `contributions`: view
    name -> weight x that view's cosine (they sum to the score unless the recipe
    renormalises).
    """
    movies = build.movies
    movie_id = TitleIndex(movies).resolve(movie)
    edges = build.edges
    rows = edges[edges["movie_id"] == movie_id].sort_values("rank").head(k)
    return {
        "movie": movie_record(movies, movie_id),
        "k_built": build.manifest["k"],
        "views": build.view_names,
        "weights": build.weights,
        "similar": [_entry(build, movies, row) for row in rows.itertuples(index=False)],
    }


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


def _entry(build: Build, movies: pd.DataFrame, row) -> dict[str, Any]:
    weights = build.weights
    record = movie_record(movies, int(row.similar_id))
    return {
        "rank": int(row.rank),
        **record,
        "score": float(row.score),
        "contributions": {v: weights[v] * float(getattr(row, v)) for v in build.view_names},
    }
