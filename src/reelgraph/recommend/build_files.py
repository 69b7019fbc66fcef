"""Graph recommendations read from a build's files, before `reelgraph load` ran.

`BuildQueries` answers the graph stores' queries (`reelgraph.graph.queries.StoreQueries`) from
the tables a load would put into a store (`reelgraph.graph.model.graph_data`), so its
recommendations, explanations and fallback are the stores' own, ranked by the same code
(`reelgraph.recommend.graph.rank_candidates`).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from functools import cached_property
from typing import Any

import pandas as pd
import pyarrow.parquet as pq

from reelgraph.graph import cypher
from reelgraph.graph.model import SOURCE, TARGET, GraphData, frame_rows, graph_data
from reelgraph.graph.queries import StoreQueries

log = logging.getLogger(__name__)

MOVIE_COLUMNS = ["movieId", "title", "year", "genres", "ratingCount", "meanRating"]
"""Movie node properties in `cypher.MOVIE_FIELDS` order."""


class BuildQueries(StoreQueries):
    """A read-only "store" over a build's files (see module docstring).

    Args:
        build: the published build (`reelgraph.builds.Build`).
    """

    name = "build files"

    def __init__(self, build) -> None:
        self.build = build

    @cached_property
    def data(self) -> GraphData:
        """The build as graph tables, made on first use."""
        return graph_data(self.build)

    def _read(self, statement: str, params: dict[str, Any] | None = None) -> list[list[Any]]:
        handler = _HANDLERS.get(statement)
        if handler is None:
            raise NotImplementedError(f"{self.name} cannot answer {statement!r}")
        return handler(self, params or {})

    def _info(self, params: dict) -> list[list[Any]]:
        info = self.data.info
        return [[info["buildId"], info["k"], info["views"], info["weights"], True]]

    def _movie_rows(self, ids: list[int]) -> list[list[Any]]:
        movies = self.data.tables["Movie"]
        chosen = movies[movies["movieId"].isin([int(i) for i in ids])]
        return _rows(chosen, MOVIE_COLUMNS)

    def _user_ratings(self, params: dict) -> list[list[Any]]:
        rated = self.data.tables["RATED"]
        mine = rated[rated[SOURCE] == int(params["userId"])]
        return _rows(mine, [TARGET, "rating"])

    def _user_exists(self, params: dict) -> list[list[Any]]:
        users = self.data.tables["User"]["userId"]
        return [[int(params["userId"])]] if (users == int(params["userId"])).any() else []

    def _recommend_edges(self, params: dict) -> list[list[Any]]:
        edges = self.data.tables["SIMILAR"]
        keep = edges[SOURCE].isin(params["liked"]) & ~edges[TARGET].isin(params["rated"])
        return _rows(edges[keep], [SOURCE, TARGET, "score"])

    def _popular(self, params: dict) -> list[list[Any]]:
        movies = self.data.tables["Movie"]
        keep = ((movies["meanRating"] >= params["minMean"])
                & (movies["ratingCount"] >= params["minCount"])
                & ~movies["movieId"].isin(params["exclude"]))  # fmt: skip
        top = movies[keep].sort_values(["ratingCount", "movieId"], ascending=[False, True])
        return _rows(top.head(int(params["k"])), MOVIE_COLUMNS)

    def _shared(self, table: str, params: dict) -> list[list[Any]]:
        links = self.data.tables[table][[SOURCE, TARGET]]
        pairs = links[links[SOURCE].isin(params["liked"])].merge(
            links[links[SOURCE].isin(params["recommended"])], on=TARGET, suffixes=("_a", "_b")
        )
        return _rows(pairs, [f"{SOURCE}_a", f"{SOURCE}_b", TARGET])


def _rows(frame: pd.DataFrame, columns: list[str]) -> list[list[Any]]:
    """Rows as lists of plain values in `columns` order; missing values as None."""
    return [[row.get(c) for c in columns] for row in frame_rows(frame[columns])]


_HANDLERS: dict[str, Callable[[BuildQueries, dict], list[list[Any]]]] = {
    cypher.INFO_QUERY: BuildQueries._info,
    cypher.MOVIE_BY_ID: lambda q, p: q._movie_rows([p["movieId"]]),
    cypher.MOVIES_BY_ID: lambda q, p: q._movie_rows(p["ids"]),
    cypher.USER_RATINGS: BuildQueries._user_ratings,
    cypher.USER_EXISTS: BuildQueries._user_exists,
    cypher.RECOMMEND_EDGES: BuildQueries._recommend_edges,
    cypher.POPULAR: BuildQueries._popular,
    cypher.SHARED_GENRES: lambda q, p: q._shared("IN_GENRE", p),
    cypher.SHARED_TAGS: lambda q, p: q._shared("HAS_TAG", p),
}
"""The statements `StoreQueries.recommend` runs, each answered from the build's tables."""


def rating_scale(build) -> tuple[float, float] | None:
    """(lowest, highest) rating in the build's ratings table, or None when it has none.

    Read from the Parquet column statistics when they are there (no data read), else from
    the column.
    """
    path = build.folder / "ratings.parquet"
    if not path.is_file():
        return None
    meta = pq.ParquetFile(path).metadata
    index = meta.schema.to_arrow_schema().get_field_index("rating")
    lows, highs = [], []
    for group in range(meta.num_row_groups):
        stats = meta.row_group(group).column(index).statistics
        if stats is None or not stats.has_min_max:
            column = pd.read_parquet(path, columns=["rating"])["rating"]
            return (float(column.min()), float(column.max())) if len(column) else None
        lows.append(float(stats.min))
        highs.append(float(stats.max))
    if not lows or not all(math.isfinite(v) for v in lows + highs):
        return None
    return min(lows), max(highs)
