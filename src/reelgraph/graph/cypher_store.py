"""The shared base of the server stores (FalkorDB, Neo4j): batched, idempotent MERGE loads.

A server adapter subclasses `CypherStore` and supplies only `dialect`, `_read`, `_write`
(one managed write transaction, retried on transient errors) and `close`. Loading:

1. create the dialect's constraints or indexes;
2. if the store holds another build's graph, delete it (only reelgraph's labels);
3. mark the graph incomplete for this build id;
4. send every label, then every relationship type, as `UNWIND $rows ... MERGE` batches;
5. mark it complete.

MERGE makes each batch idempotent, so a re-run, or a run resumed after a failure, leaves one
node per id and one edge per pair; readers refuse a graph not marked complete.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from reelgraph.graph import cypher
from reelgraph.graph.cypher import Dialect
from reelgraph.graph.model import INFO, GraphData, NodeSpec, RelSpec, graph_data
from reelgraph.graph.queries import StoreQueries
from reelgraph.graph.store import DEFAULT_BATCH_SIZE, LoadResult, Progress

log = logging.getLogger(__name__)

CLEAR_BATCH_SIZE = 10_000


class CypherStore(StoreQueries):
    """A graph server reached by Cypher statements (see module docstring)."""

    dialect: Dialect

    def _write(self, statement: str, params: dict[str, Any] | None = None) -> list[list[Any]]:
        """Run one statement in a write transaction (retrying transient failures)."""
        raise NotImplementedError(f"{type(self).__name__} does not implement _write")

    def _ensure_schema(self, data: GraphData) -> None:
        """Create the dialect's constraints or indexes (they must tolerate re-creation)."""
        for statement in self.dialect.schema(data.model):
            self._write(statement)

    def load(
        self, build, *, progress: Progress | None = None, batch_size: int = DEFAULT_BATCH_SIZE
    ) -> LoadResult:
        """Load a build with batched MERGE (see module docstring)."""
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        started = time.perf_counter()
        data = graph_data(build)
        self._ensure_schema(data)
        self._replace_other_build(data)
        self._write(cypher.SET_INFO, {**data.info, "complete": False})

        timings = {}
        for spec in data.parts():
            timings[_name(spec)] = self._load_part(data, spec, batch_size, progress)
        self._write(cypher.SET_INFO, {**data.info, "complete": True})

        seconds = time.perf_counter() - started
        counts = {_name(s): data.count(_name(s)) for s in data.parts()}
        log.info("%s store: loaded build %s (%d edges) in %.1f s", self.name,
                 data.info["buildId"], counts["SIMILAR"], seconds)  # fmt: skip
        return LoadResult(self.name, counts, seconds, timings)

    def _load_part(self, data: GraphData, spec, batch_size: int, progress) -> float:
        started = time.perf_counter()
        name = _name(spec)
        node = isinstance(spec, NodeSpec)
        statement = cypher.merge_nodes(spec) if node else cypher.merge_rels(spec)
        tick = progress(name, data.count(name)) if progress else None
        for rows in data.rows(name, batch_size):
            self._write(statement, {"rows": rows})
            if tick:
                tick(len(rows))
        return time.perf_counter() - started

    def _replace_other_build(self, data: GraphData) -> None:
        info = self.info()
        if info is not None and info["build_id"] == data.info["buildId"]:
            log.info("%s store: resuming or refreshing build %s", self.name, info["build_id"])
            return
        for spec in [*data.model.nodes, INFO]:
            deleted = 1
            while deleted:
                rows = self._write(cypher.clear_batch(spec.label), {"limit": CLEAR_BATCH_SIZE})
                deleted = int(rows[0][0]) if rows else 0


def _name(spec: NodeSpec | RelSpec) -> str:
    return spec.label if isinstance(spec, NodeSpec) else spec.type
