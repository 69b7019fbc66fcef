"""The embedded store: a LadybugDB database under the reelgraph home, swapped in atomically.

Layout under the home folder::

    graphs/<build-id>-<suffix>/graph.lbdb   one loaded graph (plus LadybugDB's side files)
    graph -> graphs/<build-id>-<suffix>     the live graph, a symbolic link replaced atomically

A load bulk-copies every table (COPY from Arrow: about a million edges in a few seconds, where
row-by-row MERGE manages about a thousand a second) into a fresh database beside the live one,
then points `graph` at it. Readers open the live database read-only, so they never see a
half-loaded graph, and a failed load leaves the previous graph in place.

LadybugDB must not have two Database handles on one path in one process (a second handle
returned edges with NULL properties), so handles are shared through `_HANDLES`.
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import ladybug

from reelgraph.errors import StoreError
from reelgraph.graph import cypher
from reelgraph.graph.cypher import LADYBUG
from reelgraph.graph.model import GraphData, NodeSpec, graph_data
from reelgraph.graph.queries import StoreQueries
from reelgraph.graph.store import DEFAULT_BATCH_SIZE, LoadResult, Progress, StoreOptions

log = logging.getLogger(__name__)

GRAPHS = "graphs"
LIVE = "graph"
DB_FILE = "graph.lbdb"
KEEP_GRAPHS = 2


class _Handles:
    """One shared ladybug.Database per path in this process, reference counted."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open: dict[Path, list] = {}

    def acquire(self, path: Path, read_only: bool) -> ladybug.Database:
        with self._lock:
            entry = self._open.get(path)
            if entry is None:
                entry = self._open[path] = [ladybug.Database(str(path), read_only=read_only), 0]
            entry[1] += 1
            return entry[0]

    def release(self, path: Path) -> None:
        with self._lock:
            entry = self._open.get(path)
            if entry is None:
                return
            entry[1] -= 1
            if entry[1] == 0:
                entry[0].close()
                del self._open[path]


_HANDLES = _Handles()


def live_path(home: Path) -> Path | None:
    """The live graph's database file under `home`, or None when none is loaded."""
    link = Path(home) / LIVE
    if not link.exists():
        return None
    path = link.resolve() / DB_FILE
    return path if path.exists() else None


class EmbeddedStore(StoreQueries):
    """The live LadybugDB graph under a reelgraph home (see module docstring)."""

    name = "embedded"

    def __init__(self, home: Path) -> None:
        self.home = Path(home)
        self._path: Path | None = None
        self._conn: ladybug.Connection | None = None

    def _connect(self) -> ladybug.Connection:
        if self._conn is None:
            path = live_path(self.home)
            if path is None:
                raise StoreError(f"no graph loaded in {str(self.home)!r}; run `reelgraph load`")
            self._conn = ladybug.Connection(_HANDLES.acquire(path, read_only=True))
            self._path = path
        return self._conn

    def _read(self, statement: str, params: dict[str, Any] | None = None) -> list[list[Any]]:
        result = self._connect().execute(statement, params or {})
        try:
            return result.get_all()
        finally:
            result.close()

    def info(self) -> dict[str, Any] | None:
        """See `GraphStore.info` (None when no graph is loaded)."""
        if self._conn is None and live_path(self.home) is None:
            return None
        return super().info()

    def close(self) -> None:
        """Close the connection and release the shared database handle."""
        if self._conn is not None:
            self._conn.close()
            _HANDLES.release(self._path)
            self._conn = self._path = None

    def load(
        self, build, *, progress: Progress | None = None, batch_size: int = DEFAULT_BATCH_SIZE
    ) -> LoadResult:
        """Bulk-load `build` into a fresh database and make it the live graph.

        `batch_size` does not apply: each table goes in with one COPY.
        """
        started = time.perf_counter()
        data = graph_data(build)
        name = f"{data.info['buildId']}-{uuid.uuid4().hex[:6]}"
        tmp = self.home / GRAPHS / f".tmp-{name}"
        tmp.mkdir(parents=True)
        try:
            timings = _fill(tmp / DB_FILE, data, progress)
            final = self.home / GRAPHS / name
            os.replace(tmp, final)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        self.close()
        _point(self.home / LIVE, Path(GRAPHS) / name)
        _prune(self.home / GRAPHS, keep=final)

        seconds = time.perf_counter() - started
        counts = {n: data.count(n) for n in timings}
        log.info("embedded store: loaded build %s (%d edges) in %.1f s into %s",
                 data.info["buildId"], counts["SIMILAR"], seconds, final)  # fmt: skip
        return LoadResult(self.name, counts, seconds, timings)


def _fill(path: Path, data: GraphData, progress: Progress | None) -> dict[str, float]:
    """Create the schema and COPY every table into a new database at `path`."""
    database = ladybug.Database(str(path))
    conn = ladybug.Connection(database)
    try:
        for statement in LADYBUG.schema(data.model):
            conn.execute(statement)
        timings = {}
        for spec in data.parts():
            clock = time.perf_counter()
            name = spec.label if isinstance(spec, NodeSpec) else spec.type
            tick = progress(name, data.count(name)) if progress else None
            if data.count(name):
                conn.execute(LADYBUG.copy(name), {"rows": data.arrow(name, spec)})
            if tick:
                tick(data.count(name))
            timings[name] = time.perf_counter() - clock
        conn.execute(cypher.SET_INFO, {**data.info, "complete": True})
        return timings
    finally:
        conn.close()
        database.close()


def _point(link: Path, target: Path) -> None:
    tmp = link.with_name(f".{link.name}.{uuid.uuid4().hex[:6]}")
    os.symlink(target, tmp)
    os.replace(tmp, link)  # atomic on POSIX: readers see the old graph or the new one


def _prune(graphs: Path, keep: Path) -> None:
    finished = sorted((p for p in graphs.iterdir() if not p.name.startswith(".")),
                      key=lambda p: p.stat().st_mtime)  # fmt: skip
    for old in finished[:-KEEP_GRAPHS]:
        if old != keep:
            shutil.rmtree(old, ignore_errors=True)


def open_embedded(options: StoreOptions) -> EmbeddedStore:
    """The embedded store of `options.home` (reads always open the live graph read-only)."""
    if not hasattr(ladybug, "Database"):  # `ladybug-core` (weather files) has the same name
        raise StoreError(
            f"the installed `ladybug` module ({ladybug.__file__}) is not LadybugDB; "
            "pip uninstall ladybug-core && pip install ladybug"
        )
    return EmbeddedStore(options.home)
