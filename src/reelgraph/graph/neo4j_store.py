"""The Neo4j 5 graph store: the shared Cypher over Bolt with the official `neo4j` driver.

Connection settings come from a TOML file named by NEO4J_CONFIG (`reelgraph load
--neo4j-config FILE`), then from NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD and NEO4J_DATABASE for
what the file leaves out, then from defaults::

    # neo4j.toml
    [neo4j]
    uri = "neo4j://db.example.org:7687"   # default bolt://localhost:7687
    user = "neo4j"                        # default neo4j
    password = "..."                      # better in NEO4J_PASSWORD than in a file
    database = "neo4j"                    # default: the server's default database
    resume_attempts = 5                   # reconnections after a dropped connection
    max_retry_time = 30.0                 # seconds the driver retries a transient failure
    connection_timeout = 10.0             # seconds to open a connection

The password is never logged, printed or shown by `repr`. Loading creates the unique
constraints first, then sends each label and relationship type as `UNWIND $rows ... MERGE`
batches, each in its own managed write transaction (the driver retries transient errors).
When the connection drops between batches, the load reconnects and resumes at the first
batch not committed; MERGE makes any re-sent batch harmless.
"""

from __future__ import annotations

import logging
import math
import os
import stat
import time
import tomllib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from neo4j import Driver, GraphDatabase, ManagedTransaction, Session
from neo4j.exceptions import (
    AuthError,
    DriverError,
    Neo4jError,
    ServiceUnavailable,
    SessionExpired,
)

from reelgraph.errors import StoreError
from reelgraph.graph import cypher
from reelgraph.graph.cypher import NEO4J
from reelgraph.graph.cypher_store import CypherStore
from reelgraph.graph.model import INFO, GraphData, GraphModel, NodeSpec
from reelgraph.graph.store import SimilarFilters, StoreOptions

log = logging.getLogger(__name__)

CONFIG_SETTING = "NEO4J_CONFIG"
ENV_SETTINGS = {"uri": "NEO4J_URI", "user": "NEO4J_USER", "password": "NEO4J_PASSWORD",
                "database": "NEO4J_DATABASE"}  # fmt: skip
"""Config field -> the environment variable (or StoreOptions.settings key) that sets it."""
HIDDEN = "<hidden>"
SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")
"""Bolt URI schemes (the driver's HTTP preview is not supported)."""


@dataclass(frozen=True)
class Neo4jConfig:
    """How to reach a Neo4j server.

    Attributes:
        uri: the Bolt URI (bolt:// for one server, neo4j:// for a cluster; +s for TLS).
        user: the user name.
        password: the password; never shown by repr or str.
        database: the database name, or None for the server's default database.
        resume_attempts: how many times a load reconnects after a dropped connection
            before giving up.
        max_retry_time: seconds the driver keeps retrying a transaction that failed with a
            transient error.
        connection_timeout: seconds allowed to open one connection.
        source: where the settings came from (a file path, "environment", "defaults").
    """

    uri: str = "bolt://localhost:7687"
    user: str = "neo4j"
    password: str = field(default="", repr=False)
    database: str | None = None
    resume_attempts: int = 5
    max_retry_time: float = 30.0
    connection_timeout: float = 10.0
    source: str = "defaults"

    def __post_init__(self) -> None:
        scheme = self.uri.split("://", 1)[0] if "://" in self.uri else ""
        if scheme not in SCHEMES:
            raise StoreError(f"{self.source}: the Neo4j URI {self.uri!r} must start with one "
                             f"of {', '.join(s + '://' for s in SCHEMES)}")  # fmt: skip
        if "@" in self.uri.split("://", 1)[-1].split("/", 1)[0]:
            raise StoreError(f"{self.source}: the Neo4j URI must not hold credentials; give "
                             "the user and password as NEO4J_USER and NEO4J_PASSWORD")  # fmt: skip
        if self.resume_attempts < 0:
            raise StoreError(f"{self.source}: resume_attempts must be >= 0, "
                             f"found {self.resume_attempts}")  # fmt: skip

    def __repr__(self) -> str:
        shown = [f"{f.name}={getattr(self, f.name)!r}" for f in fields(self) if f.repr]
        shown.insert(2, f"password={HIDDEN if self.password else ''!r}")
        return f"Neo4jConfig({', '.join(shown)})"

    __str__ = __repr__

    @property
    def auth(self) -> tuple[str, str]:
        """(user, password) for the driver."""
        return (self.user, self.password)


_TYPES: dict[str, type | tuple[type, ...]] = {
    "uri": str, "user": str, "password": str, "database": str, "resume_attempts": int,
    "max_retry_time": (int, float), "connection_timeout": (int, float),
}  # fmt: skip


def load_config(settings: Mapping[str, str] | None = None) -> Neo4jConfig:
    """The Neo4j settings: the NEO4J_CONFIG file, then NEO4J_* variables, then defaults.

    Args:
        settings: the environment to read (default: the process environment).
    """
    settings = os.environ if settings is None else settings
    values: dict[str, Any] = {}
    sources = []
    path = settings.get(CONFIG_SETTING)
    if path:
        values = read_config_file(Path(path))
        sources.append(str(path))
    from_env = {k: settings[v] for k, v in ENV_SETTINGS.items() if settings.get(v)}
    if set(from_env) - set(values):
        sources.append("environment")
    values = {**from_env, **values}
    return Neo4jConfig(**values, source=" + ".join(sources) or "defaults")


def read_config_file(path: Path) -> dict[str, Any]:
    """The `[neo4j]` table of a TOML file, checked: unknown keys and wrong types rejected."""
    try:
        document = tomllib.loads(path.read_text())
    except FileNotFoundError:
        raise StoreError(f"{str(path)!r}: Neo4j config file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise StoreError(f"{str(path)!r}: not valid TOML ({exc})") from None
    table = document.get("neo4j")
    if not isinstance(table, dict) or set(document) != {"neo4j"}:
        raise StoreError(f"{str(path)!r}: expected one [neo4j] table, "
                         f"found {sorted(document) or 'nothing'}")  # fmt: skip
    for key, value in table.items():
        if key not in _TYPES:
            raise StoreError(f"{str(path)!r}: unknown key {key!r} in [neo4j]; "
                             f"expected some of {sorted(_TYPES)}")  # fmt: skip
        if not isinstance(value, _TYPES[key]) or isinstance(value, bool):
            raise StoreError(f"{str(path)!r}: [neo4j] {key} has the wrong type "
                             f"({type(value).__name__})")  # fmt: skip
    if "password" in table and path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        log.warning("%s holds the Neo4j password and other users can read it "
                    "(chmod 600 it, or set NEO4J_PASSWORD instead)", path)  # fmt: skip
    return dict(table)


# --- batched writes that survive a dropped connection -------------------------------------

Batches = Callable[[int], Iterator[list[dict]]]
"""Given the number of rows already written, yields the remaining rows in batches."""


def write_resumable(
    write: Callable[[list[dict]], None],
    batches: Batches,
    *,
    what: str,
    attempts: int,
    lost: tuple[type[BaseException], ...],
    reconnect: Callable[[], None] = lambda: None,
    tick: Callable[[int], None] | None = None,
    wait: float = 1.0,
) -> int:
    """Write every batch, resuming after the first uncommitted one when the connection drops.

    Args:
        write: commits one batch (one transaction); raises one of `lost` when the
            connection is gone.
        batches: `batches(done)` yields the batches from row `done` on.
        what: the label or relationship type, for messages.
        attempts: reconnections allowed in a row without a batch committing in between.
        lost: the exception types meaning "connection lost, try again".
        reconnect: called before resuming.
        tick: progress callback taking the number of rows just committed.
        wait: seconds before the first reconnection, doubled after each failed one.

    Returns:
        The number of rows written.
    """
    done, failures = 0, 0
    while True:
        try:
            for batch in batches(done):
                write(batch)
                done += len(batch)
                failures = 0
                if tick:
                    tick(len(batch))
            return done
        except lost as exc:
            failures += 1
            if failures > attempts:
                raise StoreError(f"lost the Neo4j connection while loading {what} after "
                                 f"{done:,} rows, {attempts} reconnections failed: "
                                 f"{exc}") from exc  # fmt: skip
            log.warning("Neo4j connection lost while loading %s after %s rows (%s); "
                        "resuming (attempt %d of %d)", what, f"{done:,}",
                        type(exc).__name__, failures, attempts)  # fmt: skip
            time.sleep(wait * 2 ** (failures - 1))
            reconnect()


# --- the store ----------------------------------------------------------------------------

_LOST = (ServiceUnavailable, SessionExpired)
"""Connection failures the driver gave up retrying: the load reconnects and resumes."""


class Neo4jStore(CypherStore):
    """One database on a Neo4j 5 server (see the module docstring)."""

    name = "neo4j"
    dialect = NEO4J

    def __init__(self, config: Neo4jConfig) -> None:
        self.config = config
        self._driver = self._connect()

    def _connect(self) -> Driver:
        config = self.config
        try:
            driver = self._new_driver()
            driver.verify_connectivity()
        except AuthError:
            raise StoreError(f"Neo4j at {config.uri} refused user {config.user!r} "
                             f"(settings from {config.source})") from None  # fmt: skip
        except (DriverError, Neo4jError, ValueError) as exc:
            raise StoreError(f"cannot reach Neo4j at {config.uri} (settings from "
                             f"{config.source}): {_safe(exc, config)}") from None  # fmt: skip
        log.info("neo4j store: connected to %s as %s", config.uri, config.user)
        return driver

    def _new_driver(self) -> Driver:
        """A driver with its pool; it connects on first use."""
        config = self.config
        return GraphDatabase.driver(
            config.uri, auth=config.auth, max_transaction_retry_time=config.max_retry_time,
            connection_timeout=config.connection_timeout,
        )  # fmt: skip

    def _read(self, statement: str, params: dict[str, Any] | None = None) -> list[list[Any]]:
        check_plain(params)
        with self._session() as session:
            return session.execute_read(_values, statement, params or {})

    def _write(self, statement: str, params: dict[str, Any] | None = None) -> list[list[Any]]:
        check_plain(params)
        with self._session() as session:
            return session.execute_write(_values, statement, params or {})

    def _session(self) -> Session:
        return self._driver.session(database=self.config.database)

    def _load_part(self, data: GraphData, spec, batch_size: int, progress) -> float:
        """Send one label or relationship type in batches, resuming after a dropped link."""
        started = time.perf_counter()
        name = spec.label if isinstance(spec, NodeSpec) else spec.type
        statement = cypher.merge_nodes(spec) if isinstance(spec, NodeSpec) else None
        statement = statement or cypher.merge_rels(spec)
        write_resumable(
            lambda rows: self._write(statement, {"rows": rows}),
            lambda done: data.rows(name, batch_size, start=done),
            what=name, attempts=self.config.resume_attempts, lost=_LOST,
            reconnect=self._reconnect, tick=progress(name, data.count(name)) if progress else None,
        )  # fmt: skip
        return time.perf_counter() - started

    def _reconnect(self) -> None:
        """A fresh connection pool; if the server is still away, the next batch says so."""
        self._driver.close()
        self._driver = self._new_driver()

    def close(self) -> None:
        """Close the driver and its connection pool."""
        self._driver.close()


def open_neo4j(options: StoreOptions) -> Neo4jStore:
    """A Neo4jStore from the NEO4J_* settings (or the NEO4J_CONFIG file)."""
    return Neo4jStore(load_config(options.settings))


def _values(tx: ManagedTransaction, statement: str, params: dict[str, Any]) -> list[list[Any]]:
    return tx.run(statement, params).values()


def _safe(exc: BaseException, config: Neo4jConfig) -> str:
    """An exception's message with the password cut out, should a server ever echo it."""
    text = str(exc)
    return text.replace(config.password, HIDDEN) if config.password else text


def check_plain(value: Any, where: str = "parameters") -> None:
    """Raise TypeError unless `value` is made only of None, bool, int, finite float, str, and
    lists and dicts of those: numpy types and NaN must never reach the driver."""
    kind = type(value)
    if value is None or kind in (bool, int, str):
        return
    if kind is float:
        if not math.isfinite(value):
            raise TypeError(f"{where}: {value!r} is not a finite number")
        return
    if kind is list:
        for i, item in enumerate(value):
            check_plain(item, f"{where}[{i}]")
        return
    if kind is dict:
        for key, item in value.items():
            if type(key) is not str:
                raise TypeError(f"{where}: key {key!r} is not a str")
            check_plain(item, f"{where}.{key}")
        return
    raise TypeError(f"{where}: {value!r} has type {kind.__module__}.{kind.__name__}, "
                    "expected a plain Python value")  # fmt: skip


# --- every statement, for the syntax check ------------------------------------------------

_CLAUSES = ("MATCH ", "MERGE ", "UNWIND ", "CREATE ", "RETURN ", "CALL ", "WITH ", "OPTIONAL ")
EXAMPLE_VIEWS = ("genome", "genres", "stats")


def neo4j_statements(views: tuple[str, ...] = EXAMPLE_VIEWS) -> dict[str, str]:
    """Every Cypher statement this store can send, by a name saying where it comes from.

    The shared statement constants of `reelgraph.graph.cypher` are found by their first
    clause, so a new one is listed without editing this function; statement builders are
    called for every label and relationship type, and `similar_query` with each filter.
    """
    model = GraphModel.for_views(list(views))
    out = {f"schema {i}": s for i, s in enumerate(NEO4J.schema(model))}
    for name, value in vars(cypher).items():
        if name.isupper() and isinstance(value, str) and value.startswith(_CLAUSES):
            out[name] = value
    for spec in [*model.nodes, INFO]:
        out[f"clear_batch {spec.label}"] = cypher.clear_batch(spec.label)
        out[f"count_nodes {spec.label}"] = cypher.count_nodes(spec.label)
        out[f"count_distinct_keys {spec.label}"] = cypher.count_distinct_keys(spec)
    for spec in model.nodes:
        out[f"merge_nodes {spec.label}"] = cypher.merge_nodes(spec)
    for spec in model.rels:
        out[f"merge_rels {spec.type}"] = cypher.merge_rels(spec)
        out[f"count_rels {spec.type}"] = cypher.count_rels(spec)
    for name, filters in _FILTER_CASES.items():
        out[f"similar_query {name}"] = cypher.similar_query(views, filters)[0]
    return out


_FILTER_CASES = {
    "unfiltered": SimilarFilters(),
    "genres": SimilarFilters(genres=("Comedy",)),
    "exclude_genres": SimilarFilters(exclude_genres=("Horror",)),
    "years": SimilarFilters(year_from=1990, year_to=1999),
    "min_ratings": SimilarFilters(min_ratings=10),
    "all": SimilarFilters(("Comedy", "Drama"), ("Horror",), 1990, 1999, 10),
}
