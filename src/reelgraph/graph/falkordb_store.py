"""The FalkorDB store: a FalkorDB server reached through the official `falkordb` client.

Settings (environment or `StoreOptions.settings`): FALKORDB_HOST (default 127.0.0.1),
FALKORDB_PORT (6379), FALKORDB_GRAPH (reelgraph), FALKORDB_PASSWORD (optional, never logged).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from falkordb import FalkorDB
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

from reelgraph.errors import StoreError
from reelgraph.graph.cypher import FALKORDB
from reelgraph.graph.cypher_store import CypherStore
from reelgraph.graph.model import GraphData
from reelgraph.graph.store import StoreOptions

log = logging.getLogger(__name__)

RETRIES = 3
RETRY_PAUSE_S = 0.5
_TRANSIENT = (RedisConnectionError, RedisTimeoutError)


class FalkorDBStore(CypherStore):
    """A graph named `graph` on a FalkorDB server."""

    name = "falkordb"
    dialect = FALKORDB

    def __init__(self, host: str, port: int, graph: str, password: str | None = None) -> None:
        self.address = f"{host}:{port}/{graph}"
        try:
            self._db = FalkorDB(host=host, port=port, password=password)
            self._db.connection.ping()
        except _TRANSIENT as exc:
            raise StoreError(f"cannot reach FalkorDB at {host}:{port}: {exc}") from exc
        self._graph = self._db.select_graph(graph)

    def _read(self, statement: str, params: dict[str, Any] | None = None) -> list[list[Any]]:
        return self._retry(self._graph.ro_query, statement, params)

    def _write(self, statement: str, params: dict[str, Any] | None = None) -> list[list[Any]]:
        return self._retry(self._graph.query, statement, params)

    def _retry(self, method, statement: str, params) -> list[list[Any]]:
        for attempt in range(1, RETRIES + 1):
            try:
                return method(statement, params or {}).result_set
            except _TRANSIENT as exc:
                if attempt == RETRIES:
                    raise StoreError(f"FalkorDB at {self.address} failed: {exc}") from exc
                log.warning("FalkorDB: %s; retrying (%d/%d)", exc, attempt, RETRIES)
                time.sleep(RETRY_PAUSE_S * attempt)
        raise AssertionError("unreachable")

    def _ensure_schema(self, data: GraphData) -> None:
        for statement in self.dialect.schema(data.model):
            try:
                self._write(statement)
            except ResponseError as exc:  # FalkorDB has no IF NOT EXISTS for indexes
                if "already indexed" not in str(exc):
                    raise

    def close(self) -> None:
        """Close the connection pool."""
        self._db.connection.close()


def open_falkordb(options: StoreOptions) -> FalkorDBStore:
    """A FalkorDBStore from FALKORDB_* settings."""
    s = options.settings
    port = s.get("FALKORDB_PORT", "6379")
    if not str(port).isdigit() or not 0 < int(port) < 65536:
        raise StoreError(f"FALKORDB_PORT must be a port number (1-65535), not {port!r}")
    return FalkorDBStore(
        s.get("FALKORDB_HOST", "127.0.0.1"),
        int(port),
        s.get("FALKORDB_GRAPH", "reelgraph"),
        s.get("FALKORDB_PASSWORD") or None,
    )
