"""Every statement the Neo4j store sends passes Neo4j's own Cypher parser.

The parser is the npm package `@neo4j-cypher/language-support`, run by
tools/cypher-check/check.mjs with the machine's Node.js (install it with
`npm ci --prefix tools/cypher-check`; scripts/setup.sh does). Two sources of statements:

- `neo4j_statements()`: every statement the store can build, listed statically;
- the statements the store really sends while it loads the real ml-latest-small build and
  answers every query, captured by replacing only its two driver calls (`_read`, `_write`);
  the reads are answered by a real embedded graph holding the same build.
"""

from __future__ import annotations

import inspect
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from reelgraph.graph import StoreOptions, cypher, open_store
from reelgraph.graph.neo4j_store import Neo4jConfig, Neo4jStore, check_plain, neo4j_statements
from reelgraph.graph.store import SimilarFilters

CHECKER = Path(__file__).resolve().parents[2] / "tools" / "cypher-check"
SETUP_HINT = "run `npm ci --prefix tools/cypher-check` (scripts/setup.sh does it)"

# Statement builders of reelgraph.graph.cypher that neo4j_statements() calls; a new builder
# must be added there (and here) so that its statements are checked too.
CHECKED_BUILDERS = {"merge_nodes", "merge_rels", "clear_batch", "similar_query", "count_nodes",
                    "count_distinct_keys", "count_rels"}  # fmt: skip


def lint(statements: list[str]) -> list[dict[str, Any]]:
    """Diagnostics per statement from Neo4j's parser: [{index, errors, warnings}]."""
    if shutil.which("node") is None:
        pytest.fail("Node.js (`node`) is not installed; the Cypher check needs it")
    if not (CHECKER / "node_modules" / "@neo4j-cypher" / "language-support").is_dir():
        pytest.fail(f"the Cypher checker is not installed in {CHECKER}: {SETUP_HINT}")
    proc = subprocess.run(["node", str(CHECKER / "check.mjs")], input=json.dumps(statements),
                          capture_output=True, text=True, timeout=120, check=False)  # fmt: skip
    assert proc.returncode == 0, f"cypher-check failed:\n{proc.stderr}"
    return json.loads(proc.stdout)


BROKEN = {
    "typo": "MATCH (m:Movie) RETRN m",
    "unclosed": "UNWIND $rows AS row MERGE (n:Movie {movieId: row.movieId)",
    "falkordb index": "CREATE INDEX ON :Movie(movieId)",
    "undefined variable": "MATCH (m:Movie) RETURN x",
}
FINE = "MATCH (m:Movie) WHERE m.movieId IN $ids RETURN m.title"


DEPRECATED = "MATCH (m:Movie) RETURN id(m)"


@pytest.fixture(scope="module")
def diagnostics(recorded) -> dict[str, list[str]]:
    """Statement -> the parser's "error: ..." and "warning: ..." messages (empty when clean),
    for every statement of this module, checked in one run of the parser."""
    statements = list(dict.fromkeys([*BROKEN.values(), FINE, DEPRECATED,
                                     *neo4j_statements().values(), *recorded.sent]))  # fmt: skip
    results = lint(statements)
    assert len(results) == len(statements)
    return {s: [f"error: {e['message']}" for e in r["errors"]]
               + [f"warning: {w['message']}" for w in r["warnings"]]
            for s, r in zip(statements, results, strict=True)}  # fmt: skip


def test_the_checker_catches_broken_statements(diagnostics):
    for name, statement in BROKEN.items():
        found = diagnostics[statement]
        assert any(m.startswith("error: ") for m in found), f"{name}: accepted {statement!r}"
    assert "RETRN" in diagnostics[BROKEN["typo"]][0]
    assert diagnostics[FINE] == []
    assert diagnostics[DEPRECATED][0].startswith("warning: The query used a deprecated")


def test_every_listed_neo4j_statement_is_clean(diagnostics):
    """No error and no warning (deprecated syntax would break on a later Neo4j)."""
    statements = neo4j_statements()
    assert len(statements) > 30
    assert {name: diagnostics[s] for name, s in statements.items() if diagnostics[s]} == {}


def test_every_statement_builder_is_listed():
    builders = {name for name, value in vars(cypher).items()
                if inspect.isfunction(value) and value.__module__ == cypher.__name__
                and not name.startswith("_")}  # fmt: skip
    assert builders - CHECKED_BUILDERS == set(), "list the new builder in neo4j_statements()"


class RecordingNeo4j(Neo4jStore):
    """The Neo4j store with its driver calls recorded; reads answered by another store."""

    def __init__(self, reader) -> None:
        self.config = Neo4jConfig()
        self.reader = reader
        self.loading = True
        self.sent: list[str] = []
        self.written: dict[str, int] = {}

    def _read(self, statement, params=None):
        check_plain(params)
        self.sent.append(statement)
        return [] if self.loading else self.reader._read(statement, params)

    def _write(self, statement, params=None):
        check_plain(params)
        self.sent.append(statement)
        rows = (params or {}).get("rows", [])
        self.written[statement] = self.written.get(statement, 0) + len(rows)
        return []

    def close(self) -> None:
        self.reader.close()


@pytest.fixture(scope="module")
def recorded(graph_build, tmp_path_factory) -> RecordingNeo4j:
    """The statements the Neo4j store sends for a load and every kind of query."""
    home = tmp_path_factory.mktemp("syntax-embedded")
    with open_store("embedded", StoreOptions(home=home, read_only=False)) as writer:
        writer.load(graph_build)
    store = RecordingNeo4j(open_store("embedded", StoreOptions(home=home)))
    store.load(graph_build, batch_size=20_000)
    store.loading = False
    store.info()
    store.counts()
    store.movie(1)
    store.similar(1, k=5)
    store.similar(1, k=5, filters=SimilarFilters(("Comedy",), ("Horror",), 1980, 2010, 5),
                  weights={"genres": 1.0})  # fmt: skip
    store.recommend(user_id=1, k=5, explain=True)
    store.recommend(liked=[1, 2571], k=5)
    store.recommend(user_id=1, k=5, min_rating=6.0)  # no liked movie: the fallback
    store.close()
    return store


def test_every_statement_sent_is_clean(recorded, diagnostics):
    sent = dict.fromkeys(recorded.sent)
    assert len(sent) > 20
    assert {s: diagnostics[s] for s in sent if diagnostics[s]} == {}


def test_the_load_sends_every_row_once_in_batches(recorded, graph_build):
    from reelgraph.graph.model import graph_data

    data = graph_data(graph_build)
    for spec in data.parts():
        name = getattr(spec, "label", None) or spec.type
        statement = (cypher.merge_nodes(spec) if hasattr(spec, "label")
                     else cypher.merge_rels(spec))  # fmt: skip
        assert recorded.written.get(statement, 0) == data.count(name), name
