"""The graph model and the conversion of a build into plain rows for any graph store.

The graph::

    (:Movie {movieId, title, year, genres, ratingCount, meanRating, hasGenome})
    (:Movie)-[:IN_GENRE]->(:Genre {name})
    (:Movie)-[:SIMILAR {score, rank, <one property per view>}]->(:Movie)
    (:User {userId})-[:RATED {rating, timestamp}]->(:Movie)
    (:Movie)-[:HAS_TAG {relevance, userCount}]->(:Tag {name, tagId})
    (:GraphInfo {key, buildId, k, views, weights, complete})   one node: what was loaded

Tags are keyed by name: a genome tag (with its integer tagId and a relevance on HAS_TAG) and
the same words used as a user tag (lower-cased; userCount on HAS_TAG counts the users) meet
on one Tag node. Every row handed to a store holds only Python int, float, bool, str and
lists of str; a missing value is an absent key, never None or NaN.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

INT = "INT64"
FLOAT = "DOUBLE"
STRING = "STRING"
STRINGS = "STRING[]"
BOOL = "BOOLEAN"
FLOATS = "DOUBLE[]"

SOURCE = "src"
"""Row field holding a relationship's source key."""
TARGET = "dst"
"""Row field holding a relationship's target key."""

GENOME_TAGS_PER_MOVIE = 10
INFO_KEY = "graph"
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class Prop:
    """A property: its name in the graph and its type (one of the module's type names)."""

    name: str
    type: str


@dataclass(frozen=True)
class NodeSpec:
    """A node label with its unique integer or string key and its properties (key first)."""

    label: str
    key: str
    props: tuple[Prop, ...]


@dataclass(frozen=True)
class RelSpec:
    """A relationship type between two labels; rows carry `src`, `dst` keys and the props."""

    type: str
    source: NodeSpec
    target: NodeSpec
    props: tuple[Prop, ...] = ()


MOVIE = NodeSpec("Movie", "movieId", (
    Prop("movieId", INT), Prop("title", STRING), Prop("year", INT), Prop("genres", STRINGS),
    Prop("ratingCount", INT), Prop("meanRating", FLOAT), Prop("hasGenome", BOOL),
))  # fmt: skip
GENRE = NodeSpec("Genre", "name", (Prop("name", STRING),))
USER = NodeSpec("User", "userId", (Prop("userId", INT),))
TAG = NodeSpec("Tag", "name", (Prop("name", STRING), Prop("tagId", INT)))
INFO = NodeSpec("GraphInfo", "key", (
    Prop("key", STRING), Prop("buildId", STRING), Prop("k", INT), Prop("views", STRINGS),
    Prop("weights", FLOATS), Prop("complete", BOOL),
))  # fmt: skip
IN_GENRE = RelSpec("IN_GENRE", MOVIE, GENRE)
RATED = RelSpec("RATED", USER, MOVIE, (Prop("rating", FLOAT), Prop("timestamp", INT)))
HAS_TAG = RelSpec("HAS_TAG", MOVIE, TAG, (Prop("relevance", FLOAT), Prop("userCount", INT)))


def similar_spec(views: list[str]) -> RelSpec:
    """The SIMILAR relationship for a recipe's views: score, rank, then one float per view."""
    for view in views:
        if not _IDENTIFIER.match(view) or view in ("score", "rank"):
            raise ValueError(f"view name {view!r} cannot be a graph property name")
    props = (Prop("score", FLOAT), Prop("rank", INT), *(Prop(v, FLOAT) for v in views))
    return RelSpec("SIMILAR", MOVIE, MOVIE, props)


@dataclass(frozen=True)
class GraphModel:
    """Every label and relationship type of one build's graph, in load order.

    Attributes:
        views: the recipe's view names (the per-view properties of SIMILAR).
        nodes: node specs, loaded first.
        rels: relationship specs, loaded after every node.
    """

    views: tuple[str, ...]
    nodes: tuple[NodeSpec, ...]
    rels: tuple[RelSpec, ...]

    @classmethod
    def for_views(cls, views: list[str] | tuple[str, ...]) -> GraphModel:
        """The model of a build whose recipe has `views`."""
        similar = similar_spec(list(views))
        return cls(tuple(views), (MOVIE, GENRE, USER, TAG), (IN_GENRE, similar, RATED, HAS_TAG))

    @property
    def similar(self) -> RelSpec:
        """The SIMILAR spec of this model."""
        return self.rels[1]


@dataclass
class GraphData:
    """A build as tables keyed by label or relationship type, ready for any store.

    Each table is a DataFrame whose columns are the spec's property names (relationships:
    `src`, `dst`, then the properties), in spec order, one row per node or edge, with no
    duplicate key (nodes) or pair (relationships). Missing values are NA in the frame and
    absent from the rows `rows()` yields.

    Attributes:
        model: the graph model.
        tables: label or relationship type -> its table.
        info: the GraphInfo properties (build id, k, views, weights).
    """

    model: GraphModel
    tables: dict[str, pd.DataFrame]
    info: dict[str, Any] = field(default_factory=dict)

    def parts(self) -> list[NodeSpec | RelSpec]:
        """Specs in load order: nodes, then relationships."""
        return [*self.model.nodes, *self.model.rels]

    def count(self, name: str) -> int:
        """Number of rows of a label or relationship type."""
        return len(self.tables[name])

    def rows(self, name: str, batch_size: int, start: int = 0) -> Iterator[list[dict]]:
        """Batches of plain rows (dicts of Python values, missing keys absent)."""
        frame = self.tables[name]
        for begin in range(start, len(frame), batch_size):
            yield frame_rows(frame.iloc[begin : begin + batch_size])

    def arrow(self, name: str, spec: NodeSpec | RelSpec) -> pa.Table:
        """A table as Arrow with the spec's column types (for bulk COPY)."""
        frame = self.tables[name]
        columns = list(frame.columns)
        types = _key_types(spec) | {p.name: p.type for p in spec.props}
        fields = [pa.field(c, _ARROW[types[c]]) for c in columns]
        return pa.Table.from_pandas(frame, schema=pa.schema(fields), preserve_index=False)


_ARROW = {INT: pa.int64(), FLOAT: pa.float64(), STRING: pa.string(), BOOL: pa.bool_(),
          STRINGS: pa.list_(pa.string()), FLOATS: pa.list_(pa.float64())}  # fmt: skip


def _key_types(spec: NodeSpec | RelSpec) -> dict[str, str]:
    if isinstance(spec, NodeSpec):
        return {}
    key_type = {p.name: p.type for p in spec.source.props}[spec.source.key]
    target_type = {p.name: p.type for p in spec.target.props}[spec.target.key]
    return {SOURCE: key_type, TARGET: target_type}


def frame_rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows of a frame as dicts of plain Python values; NA and NaN values are left out."""
    columns = list(frame.columns)
    converted = [_plain_column(frame[c]) for c in columns]
    out = []
    for values in zip(*converted, strict=True):
        out.append({c: v for c, v in zip(columns, values, strict=True) if v is not None})
    return out


def _plain_column(series: pd.Series) -> list[Any]:
    if series.dtype == object:
        return [_plain(v) for v in series]
    values = series.astype(object).where(series.notna(), None).tolist()
    return [_plain(v) for v in values]


def _plain(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return None if math.isnan(value) else float(value)
    if isinstance(value, str):
        return value
    if isinstance(value, list | tuple | np.ndarray):
        return [str(v) for v in value]
    if value is pd.NA:
        return None
    raise TypeError(f"unsupported value {value!r} of type {type(value).__name__}")


def graph_data(build, tags_per_movie: int = GENOME_TAGS_PER_MOVIE) -> GraphData:
    """A build (`reelgraph.builds.Build`) as graph tables.

    Args:
        build: the published build.
        tags_per_movie: how many of a movie's most relevant genome tags become HAS_TAG edges
            (at most what the build kept).
    """
    model = GraphModel.for_views(build.view_names)
    movies = build.movies
    ratings = build.table("ratings")
    tags = tag_tables(build.table("genome_tags"), build.table("tags"), tags_per_movie)
    tables = {
        "Movie": movie_table(movies),
        "Genre": pd.DataFrame({"name": sorted({g for gs in movies["genres"] for g in gs})}),
        "User": _users(ratings),
        "Tag": tags[0],
        "IN_GENRE": _in_genre(movies),
        "SIMILAR": similar_table(build.edges, build.view_names),
        "RATED": _rated(ratings),
        "HAS_TAG": tags[1],
    }
    info = {"key": INFO_KEY, "buildId": str(build.manifest["build_id"]),
            "k": int(build.manifest["k"]), "views": list(build.view_names),
            "weights": [float(build.weights[v]) for v in build.view_names]}  # fmt: skip
    return GraphData(model, tables, info)


def movie_table(movies: pd.DataFrame) -> pd.DataFrame:
    """Movie nodes from a build's movies table."""
    return pd.DataFrame({
        "movieId": movies["movie_id"].astype("int64"),
        "title": movies["title"].astype(str),
        "year": movies["year"].astype("Int64"),
        "genres": [list(map(str, g)) for g in movies["genres"]],
        "ratingCount": movies["n_ratings"].astype("int64"),
        "meanRating": movies["mean_rating"].astype("float64"),
        "hasGenome": movies["has_genome"].astype(bool),
    })  # fmt: skip


def similar_table(edges: pd.DataFrame, views: list[str]) -> pd.DataFrame:
    """SIMILAR edges from a build's edges table: src, dst, score, rank, one column per view."""
    table = pd.DataFrame({
        SOURCE: edges["movie_id"].astype("int64"),
        TARGET: edges["similar_id"].astype("int64"),
        "score": edges["score"].astype("float64"),
        "rank": edges["rank"].astype("int64"),
    })  # fmt: skip
    for view in views:
        table[view] = edges[view].astype("float64")
    return table.reset_index(drop=True)


def _users(ratings: pd.DataFrame | None) -> pd.DataFrame:
    ids = [] if ratings is None else np.unique(ratings["user_id"].to_numpy())
    return pd.DataFrame({"userId": np.asarray(ids, dtype="int64")})


def _in_genre(movies: pd.DataFrame) -> pd.DataFrame:
    exploded = movies[["movie_id", "genres"]].explode("genres").dropna()
    return pd.DataFrame({
        SOURCE: exploded["movie_id"].astype("int64").to_numpy(),
        TARGET: exploded["genres"].astype(str).to_numpy(),
    }).drop_duplicates(ignore_index=True)  # fmt: skip


def _rated(ratings: pd.DataFrame | None) -> pd.DataFrame:
    if ratings is None:
        return pd.DataFrame({SOURCE: [], TARGET: [], "rating": [], "timestamp": []})
    return pd.DataFrame({
        SOURCE: ratings["user_id"].astype("int64").to_numpy(),
        TARGET: ratings["movie_id"].astype("int64").to_numpy(),
        "rating": ratings["rating"].astype("float64").to_numpy(),
        "timestamp": ratings["timestamp"].astype("int64").to_numpy(),
    })  # fmt: skip


def tag_tables(
    genome: pd.DataFrame | None, user_tags: pd.DataFrame | None, per_movie: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(Tag nodes, HAS_TAG edges) from genome top tags and user tags, keyed by tag name."""
    parts = []
    if genome is not None and len(genome):
        top = genome.sort_values(["movie_id", "relevance", "tag_id"],
                                 ascending=[True, False, True])  # fmt: skip
        top = top.groupby("movie_id", sort=False).head(per_movie)
        parts.append(pd.DataFrame({
            SOURCE: top["movie_id"].astype("int64"), TARGET: top["tag"].astype(str),
            "tagId": top["tag_id"].astype("Int64"), "relevance": top["relevance"].astype(float),
        }))  # fmt: skip
    if user_tags is not None and len(user_tags):
        names = user_tags["tag"].astype(str).str.strip().str.lower()
        keep = names != ""
        grouped = (pd.DataFrame({SOURCE: user_tags["movie_id"][keep].astype("int64"),
                                 TARGET: names[keep], "user": user_tags["user_id"][keep]})
                   .groupby([SOURCE, TARGET]).user.nunique().rename("userCount"))  # fmt: skip
        parts.append(grouped.reset_index())
    if not parts:
        empty = pd.DataFrame({SOURCE: pd.Series([], dtype="int64"), TARGET: []})
        return pd.DataFrame({"name": [], "tagId": pd.Series([], dtype="Int64")}), empty
    return _merge_tags(pd.concat(parts, ignore_index=True))


def _merge_tags(both: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    for column, dtype in (("tagId", "Int64"), ("relevance", "float64"), ("userCount", "Int64")):
        if column not in both:
            both[column] = pd.Series(None, index=both.index, dtype=dtype)
    both["tagId"] = both["tagId"].astype("Int64")
    both["userCount"] = both["userCount"].astype("Int64")
    ids = both.dropna(subset=["tagId"]).drop_duplicates(TARGET).set_index(TARGET)["tagId"]
    names = sorted(both[TARGET].unique())
    nodes = pd.DataFrame({"name": names})
    nodes["tagId"] = nodes["name"].map(ids).astype("Int64")
    edges = (
        both.groupby([SOURCE, TARGET], sort=True)
        .agg(relevance=("relevance", "max"), userCount=("userCount", "max"))
        .reset_index()
    )
    edges["userCount"] = edges["userCount"].astype("Int64")
    return nodes, edges
