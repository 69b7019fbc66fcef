"""Every Cypher statement reelgraph sends to a graph store, in one place.

Query statements are plain openCypher that LadybugDB, FalkorDB and Neo4j all accept: walk
seeds go in as `WHERE m.movieId IN $ids`, exclusions as `NOT (x IN $list)` (FalkorDB has no
`NOT EXISTS { MATCH ... }` subquery), genre filters as list predicates over the `genres`
property. What differs between stores (schema, constraints, indexes, how bulk rows go in)
lives in one `Dialect` object per store at the end of this module.

Every statement returns columns in a fixed order; the stores return rows as lists.
"""

from __future__ import annotations

from dataclasses import dataclass

from reelgraph.graph.model import (
    FLOATS,
    INFO,
    SOURCE,
    STRINGS,
    TARGET,
    GraphModel,
    NodeSpec,
    RelSpec,
)
from reelgraph.graph.store import SimilarFilters

# --- load statements (server stores: batched, idempotent MERGE) -------------------------


def merge_nodes(spec: NodeSpec) -> str:
    """One batch of nodes: `$rows` is a list of property maps holding at least the key."""
    sets = ", ".join(f"n.{p.name} = row.{p.name}" for p in spec.props if p.name != spec.key)
    statement = f"UNWIND $rows AS row MERGE (n:{spec.label} {{{spec.key}: row.{spec.key}}})"
    return statement + (f" SET {sets}" if sets else "")


def merge_rels(spec: RelSpec) -> str:
    """One batch of relationships: `$rows` maps hold `src`, `dst` and the properties."""
    statement = (
        f"UNWIND $rows AS row "
        f"MATCH (a:{spec.source.label} {{{spec.source.key}: row.{SOURCE}}}) "
        f"MATCH (b:{spec.target.label} {{{spec.target.key}: row.{TARGET}}}) "
        f"MERGE (a)-[r:{spec.type}]->(b)"
    )
    sets = ", ".join(f"r.{p.name} = row.{p.name}" for p in spec.props)
    return statement + (f" SET {sets}" if sets else "")


SET_INFO = (
    "MERGE (i:GraphInfo {key: $key}) SET i.buildId = $buildId, i.k = $k, i.views = $views, "
    "i.weights = $weights, i.complete = $complete"
)
"""Record which build the graph holds and whether its load finished."""


def clear_batch(label: str) -> str:
    """Delete up to $limit nodes of a label with their relationships (repeat until 0)."""
    return f"MATCH (n:{label}) WITH n LIMIT $limit DETACH DELETE n RETURN count(*)"


# --- query statements (every store) ------------------------------------------------------

MOVIE_FIELDS = "m.movieId, m.title, m.year, m.genres, m.ratingCount, m.meanRating"
"""Columns of a movie record, in the order `reelgraph.graph.queries.movie_record` reads."""

INFO_QUERY = (
    "MATCH (i:GraphInfo) WHERE i.key = $key RETURN i.buildId, i.k, i.views, i.weights, i.complete"
)
MOVIE_BY_ID = f"MATCH (m:Movie) WHERE m.movieId = $movieId RETURN {MOVIE_FIELDS}"
"""One movie, by key."""
MOVIES_BY_ID = f"UNWIND $ids AS id MATCH (m:Movie {{movieId: id}}) RETURN {MOVIE_FIELDS}"
"""Several movies, by key. For node lookups alone UNWIND is the fast form in LadybugDB (0.05 ms
for 10 ids among 62k movies, where `WHERE m.movieId IN $ids` scans: 4 ms); for walks from
seeds it is the other way round (UNWIND: 600 ms, IN: 6 ms), hence IN everywhere else."""
USER_EXISTS = "MATCH (u:User) WHERE u.userId = $userId RETURN u.userId"
USER_RATINGS = (
    "MATCH (u:User)-[r:RATED]->(m:Movie) WHERE u.userId = $userId RETURN m.movieId, r.rating"
)
RECOMMEND_EDGES = (
    "MATCH (m:Movie)-[s:SIMILAR]->(c:Movie) "
    "WHERE m.movieId IN $liked AND NOT (c.movieId IN $rated) "
    "RETURN m.movieId, c.movieId, s.score"
)
"""Every SIMILAR edge from a liked movie to a movie the user has not rated."""

SHARED_GENRES = (
    "MATCH (a:Movie)-[:IN_GENRE]->(g:Genre)<-[:IN_GENRE]-(b:Movie) "
    "WHERE a.movieId IN $liked AND b.movieId IN $recommended RETURN a.movieId, b.movieId, g.name"
)
SHARED_TAGS = (
    "MATCH (a:Movie)-[:HAS_TAG]->(t:Tag)<-[:HAS_TAG]-(b:Movie) "
    "WHERE a.movieId IN $liked AND b.movieId IN $recommended RETURN a.movieId, b.movieId, t.name"
)
POPULAR = (
    f"MATCH (m:Movie) WHERE m.meanRating >= $minMean AND m.ratingCount >= $minCount "
    f"AND NOT (m.movieId IN $exclude) RETURN {MOVIE_FIELDS} "
    "ORDER BY m.ratingCount DESC, m.movieId ASC LIMIT $k"
)
"""The fallback: the most rated movies among the well-rated ones."""


def similar_query(views: tuple[str, ...] | list[str], filters: SimilarFilters) -> tuple[str, dict]:
    """A movie's stored neighbours passing `filters`, with every view's component.

    Returns:
        (statement, parameters without $movieId). Columns: movieId, title, year, genres,
        ratingCount, rank, score, then one per view; ordered by rank.
    """
    where = ["a.movieId = $movieId"]
    params: dict = {}
    if filters.genres:
        where.append("any(g IN $genres WHERE g IN m.genres)")
        params["genres"] = list(filters.genres)
    if filters.exclude_genres:
        where.append("none(g IN $excludeGenres WHERE g IN m.genres)")
        params["excludeGenres"] = list(filters.exclude_genres)
    for name, test in (("year_from", "m.year >= $yearFrom"), ("year_to", "m.year <= $yearTo"),
                       ("min_ratings", "m.ratingCount >= $minRatings")):  # fmt: skip
        value = getattr(filters, name)
        if value is not None:
            where.append(test)
            params[test.rsplit("$", 1)[1]] = int(value)
    components = "".join(f", s.{v}" for v in views)
    statement = (
        f"MATCH (a:Movie)-[s:SIMILAR]->(m:Movie) WHERE {' AND '.join(where)} "
        f"RETURN m.movieId, m.title, m.year, m.genres, m.ratingCount, s.rank, s.score"
        f"{components} ORDER BY s.rank"
    )
    return statement, params


def count_nodes(label: str) -> str:
    """Number of nodes with a label."""
    return f"MATCH (n:{label}) RETURN count(n)"


def count_distinct_keys(spec: NodeSpec) -> str:
    """Number of distinct key values of a label (equal to count_nodes when keys are unique)."""
    return f"MATCH (n:{spec.label}) RETURN count(DISTINCT n.{spec.key})"


def count_rels(spec: RelSpec) -> str:
    """Number of relationships of a type."""
    return f"MATCH (:{spec.source.label})-[r:{spec.type}]->(:{spec.target.label}) RETURN count(r)"


# --- dialects -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Dialect:
    """What one store needs beyond the shared statements.

    Attributes:
        name: the store name.
        node_schema: format of the statement making a label's key unique or indexed, with
            {label}, {key} and {name} (a lower-case identifier) placeholders; empty for none.
    """

    name: str
    node_schema: str

    def schema(self, model: GraphModel) -> list[str]:
        """Statements creating constraints or indexes before a load (idempotent)."""
        if not self.node_schema:
            return []
        specs = [*model.nodes, INFO]
        return [self.node_schema.format(label=s.label, key=s.key, name=f"{s.label.lower()}_key")
                for s in specs]  # fmt: skip


NEO4J = Dialect(
    "neo4j", "CREATE CONSTRAINT {name} IF NOT EXISTS FOR (n:{label}) REQUIRE n.{key} IS UNIQUE"
)
FALKORDB = Dialect("falkordb", "CREATE INDEX FOR (n:{label}) ON (n.{key})")
"""FalkorDB: a range index per key (re-creating one fails; the adapter ignores that)."""


@dataclass(frozen=True)
class LadybugDialect(Dialect):
    """LadybugDB: typed node and rel tables instead of constraints, bulk rows by COPY."""

    def schema(self, model: GraphModel) -> list[str]:
        """CREATE NODE TABLE / CREATE REL TABLE statements for a fresh database."""
        out = []
        for spec in [*model.nodes, INFO]:
            columns = ", ".join(f"{p.name} {_ladybug_type(p.type)}" for p in spec.props)
            out.append(f"CREATE NODE TABLE {spec.label}({columns}, PRIMARY KEY({spec.key}))")
        for spec in model.rels:
            columns = "".join(f", {p.name} {_ladybug_type(p.type)}" for p in spec.props)
            out.append(f"CREATE REL TABLE {spec.type}(FROM {spec.source.label} "
                       f"TO {spec.target.label}{columns})")  # fmt: skip
        return out

    @staticmethod
    def copy(name: str) -> str:
        """Bulk-load a node or rel table from the Arrow table passed as $rows."""
        return f"COPY {name} FROM $rows"


def _ladybug_type(type_name: str) -> str:
    return {STRINGS: "STRING[]", FLOATS: "DOUBLE[]"}.get(type_name, type_name)


LADYBUG = LadybugDialect("embedded", "")
