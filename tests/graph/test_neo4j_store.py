"""The Neo4j store without a Neo4j server: settings, password redaction, plain values, batches.

No Neo4j server can run here, so what needs one is in the contract suite, which runs on Neo4j
whenever NEO4J_URI is set (tests/graph/conftest.py `store_params`), and in the live test at
the end of this file. The password tests talk to a real TCP peer on 127.0.0.1 that speaks
just enough Bolt (the handshake, then one FAILURE) for the real driver to send credentials.
"""

from __future__ import annotations

import logging
import os
import re
import socket
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
from neo4j.exceptions import ServiceUnavailable, SessionExpired

from reelgraph.errors import StoreError
from reelgraph.graph import StoreOptions, open_store
from reelgraph.graph.model import graph_data
from reelgraph.graph.neo4j_store import (
    Neo4jConfig,
    Neo4jStore,
    check_plain,
    load_config,
    write_resumable,
)

PASSWORD = "pw-Zq7-never-shown"


# --- settings ------------------------------------------------------------------------------


def _config_file(tmp_path: Path, text: str, mode: int = 0o600) -> Path:
    path = tmp_path / "neo4j.toml"
    path.write_text(text)
    path.chmod(mode)
    return path


def test_settings_from_the_environment():
    config = load_config({"NEO4J_URI": "neo4j://db:7687", "NEO4J_USER": "reader",
                          "NEO4J_PASSWORD": PASSWORD, "NEO4J_DATABASE": "movies"})  # fmt: skip
    assert (config.uri, config.user, config.password, config.database) == (
        "neo4j://db:7687", "reader", PASSWORD, "movies")  # fmt: skip
    assert config.source == "environment"
    assert load_config({}) == Neo4jConfig()


def test_the_config_file_wins_and_the_environment_fills_gaps(tmp_path):
    path = _config_file(tmp_path, '[neo4j]\nuri = "bolt://file:7687"\nresume_attempts = 2\n')
    config = load_config({"NEO4J_CONFIG": str(path), "NEO4J_URI": "bolt://env:7687",
                          "NEO4J_PASSWORD": PASSWORD})  # fmt: skip
    assert config.uri == "bolt://file:7687"
    assert config.password == PASSWORD
    assert config.resume_attempts == 2
    assert config.source == f"{path} + environment"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[neo4j]\nurl = "bolt://x"\n', "unknown key 'url'"),
        ("[neo4j]\nresume_attempts = 'many'\n", "resume_attempts has the wrong type"),
        ("[neo4j]\nresume_attempts = true\n", "resume_attempts has the wrong type"),
        ('uri = "bolt://x"\n', "expected one [neo4j] table"),
        ("[neo4j\n", "not valid TOML"),
        ('[neo4j]\nuri = "bolt://neo4j:secret@db:7687"\n', "must not hold credentials"),
        ('[neo4j]\nuri = "http://db:7474"\n', "must start with one of bolt://"),
        ('[neo4j]\nuri = "db:7687"\n', "must start with one of bolt://"),
    ],
)
def test_bad_config_files_are_rejected_with_the_file_named(tmp_path, text, message):
    path = _config_file(tmp_path, text)
    with pytest.raises(StoreError, match=re.escape(message)) as caught:
        load_config({"NEO4J_CONFIG": str(path)})
    assert "neo4j.toml" in str(caught.value)
    assert "secret" not in str(caught.value)


def test_a_missing_config_file_is_named(tmp_path):
    with pytest.raises(StoreError, match="not found"):
        load_config({"NEO4J_CONFIG": str(tmp_path / "absent.toml")})


def test_a_readable_file_with_a_password_warns_without_showing_it(tmp_path, caplog):
    path = _config_file(tmp_path, f'[neo4j]\npassword = "{PASSWORD}"\n', mode=0o644)
    with caplog.at_level(logging.WARNING):
        assert load_config({"NEO4J_CONFIG": str(path)}).password == PASSWORD
    assert "other users can read it" in caplog.text
    assert PASSWORD not in caplog.text


def test_repr_and_str_hide_the_password():
    config = load_config({"NEO4J_PASSWORD": PASSWORD})
    for text in (repr(config), str(config), f"{config}", f"{config!r}", str([config])):
        assert PASSWORD not in text
        assert "password='<hidden>'" in text


# --- the password on the wire, in logs and in errors -------------------------------------


def _packstream_text(text: str) -> bytes:
    data = text.encode()
    return (bytes([0x80 + len(data)]) if len(data) < 16 else bytes([0xD0, len(data)])) + data


class BoltPeer:
    """A TCP peer on 127.0.0.1 that accepts one Bolt 5.0 handshake, reads the HELLO, then
    answers FAILURE with `code` and `message`; keeps every byte the driver sent."""

    def __init__(self, code: str, message: str) -> None:
        self.received = bytearray()
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = self._server.getsockname()[1]
        body = (b"\xb1\x7f\xa2" + _packstream_text("code") + _packstream_text(code)
                + _packstream_text("message") + _packstream_text(message))  # fmt: skip
        self._failure = len(body).to_bytes(2, "big") + body + b"\x00\x00"
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        conn, _ = self._server.accept()
        with conn:
            conn.settimeout(10)
            self.received += conn.recv(20)
            conn.sendall(b"\x00\x00\x00\x05")  # Bolt 5.0: credentials go in HELLO
            while not self._hello_received():
                chunk = conn.recv(65536)
                if not chunk:
                    return
                self.received += chunk
            conn.sendall(self._failure)
            conn.recv(1024)

    def _hello_received(self) -> bool:
        at = self.received.find(PASSWORD.encode())
        return at >= 0 and b"\x00\x00" in self.received[at:]  # the message's end marker

    def close(self) -> None:
        self._server.close()
        self._thread.join(timeout=10)


def _connect_to(peer: BoltPeer) -> StoreError:
    settings = {"NEO4J_URI": f"bolt://127.0.0.1:{peer.port}", "NEO4J_PASSWORD": PASSWORD}
    with pytest.raises(StoreError) as caught:
        open_store("neo4j", StoreOptions(settings=settings))
    peer.close()
    assert PASSWORD.encode() in peer.received  # the driver really sent the password
    return caught.value


def test_the_password_is_sent_but_never_logged(caplog):
    peer = BoltPeer("Neo.ClientError.Security.Unauthorized", "The client is unauthorized")
    with caplog.at_level(logging.DEBUG):
        error = _connect_to(peer)
    assert "refused user 'neo4j'" in str(error)
    assert "HELLO" in caplog.text  # the driver logged the message that carried it...
    assert PASSWORD not in caplog.text  # ...with the credentials masked
    assert PASSWORD not in str(error)


def test_a_server_message_echoing_the_password_is_redacted():
    peer = BoltPeer("Neo.ClientError.Request.Invalid", f"bad request for {PASSWORD}")
    error = _connect_to(peer)
    assert "bad request for <hidden>" in str(error)
    assert PASSWORD not in str(error)


def test_load_command_with_debug_logs_never_shows_the_password(graph_build, tmp_path):
    """`reelgraph -vv load --store neo4j --neo4j-config FILE`, the password in the
    environment: the driver sends it, the debug log and the error message do not show it."""
    peer = BoltPeer("Neo.ClientError.Security.Unauthorized", "The client is unauthorized")
    config = _config_file(tmp_path, f'[neo4j]\nuri = "bolt://127.0.0.1:{peer.port}"\n')
    env = {**os.environ, "NEO4J_PASSWORD": PASSWORD}
    env.pop("NEO4J_URI", None)
    proc = subprocess.run(
        [sys.executable, "-c", "from reelgraph.cli import main; main()", "-vv",
         "--home", str(graph_build.folder.parent.parent), "load", "--store", "neo4j",
         "--neo4j-config", str(config)],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    peer.close()
    assert PASSWORD.encode() in peer.received
    assert proc.returncode == 1
    assert "refused user 'neo4j'" in proc.stderr and "HELLO" in proc.stderr
    assert PASSWORD not in proc.stdout + proc.stderr


def test_an_unreachable_server_is_a_store_error(caplog):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound, not listening: connections are refused
        settings = {"NEO4J_URI": f"bolt://127.0.0.1:{port}", "NEO4J_PASSWORD": PASSWORD}
        with caplog.at_level(logging.DEBUG), pytest.raises(StoreError, match="cannot reach"):
            open_store("neo4j", StoreOptions(settings=settings))
    assert PASSWORD not in caplog.text


# --- only plain Python values reach the driver -------------------------------------------


def test_check_plain_accepts_plain_values():
    check_plain({"rows": [{"movieId": 1, "title": "Heat", "genres": ["Crime"], "score": 0.5,
                           "hasGenome": False, "year": None}]})  # fmt: skip


@pytest.mark.parametrize(
    "bad",
    [np.int64(1), np.float64(0.5), np.bool_(True), float("nan"), float("inf"),
     np.array([1, 2]), (1, 2), {1: "x"}],
)  # fmt: skip
def test_check_plain_rejects_numpy_and_nan(bad):
    with pytest.raises(TypeError):
        check_plain({"rows": [{"value": bad}]})


def test_every_row_of_a_real_build_is_plain(graph_build):
    data = graph_data(graph_build)
    sent = 0
    for spec in data.parts():
        name = getattr(spec, "label", None) or spec.type
        for rows in data.rows(name, 5_000):
            check_plain({"rows": rows})
            sent += len(rows)
    assert sent == sum(data.count(getattr(s, "label", None) or s.type) for s in data.parts())
    check_plain(data.info)


# --- batches that survive a dropped connection -------------------------------------------


def _flaky_writer(fail_at: dict[int, str]):
    """A writer that commits batches into `committed`, failing as told: batch number ->
    'before' (the connection drops before the commit) or 'after' (after it)."""
    committed: list[dict] = []
    calls = {"n": 0}

    def write(batch: list[dict]) -> None:
        calls["n"] += 1
        when = fail_at.pop(calls["n"], None)
        if when == "before":
            raise ServiceUnavailable("connection dropped")
        committed.extend(batch)
        if when == "after":
            raise SessionExpired("connection dropped after commit")

    return write, committed


def test_a_dropped_connection_resumes_at_the_first_uncommitted_batch(graph_build):
    data = graph_data(graph_build)
    batches = []
    write, committed = _flaky_writer({3: "before", 6: "after", 7: "before"})

    def rows(done):
        batches.append(done)
        return data.rows("SIMILAR", 10_000, start=done)

    reconnects = []
    total = write_resumable(write, rows, what="SIMILAR", attempts=2, wait=0,
                            lost=(ServiceUnavailable, SessionExpired),
                            reconnect=lambda: reconnects.append(1))  # fmt: skip
    assert total == data.count("SIMILAR") == 97_420
    assert batches == [0, 20_000, 40_000, 40_000]  # resumed where the commits stopped
    assert len(reconnects) == 3
    pairs = [(r["src"], r["dst"]) for r in committed]
    assert len(set(pairs)) == data.count("SIMILAR")  # each edge once...
    assert len(pairs) == data.count("SIMILAR") + 10_000  # ...one batch re-sent, MERGE absorbs


def test_resuming_gives_up_after_the_allowed_attempts(graph_build):
    data = graph_data(graph_build)
    write, _ = _flaky_writer({2: "before", 3: "before", 4: "before"})
    with pytest.raises(StoreError, match="after 1,000 rows, 2 reconnections failed"):
        write_resumable(write, lambda done: data.rows("Movie", 1_000, start=done),
                        what="Movie", attempts=2, wait=0, lost=(ServiceUnavailable,))  # fmt: skip


def test_other_errors_are_not_retried(graph_build):
    data = graph_data(graph_build)

    def write(batch):
        raise ValueError("not a connection problem")

    with pytest.raises(ValueError):
        write_resumable(write, lambda done: data.rows("Movie", 1_000, start=done),
                        what="Movie", attempts=5, wait=0, lost=(ServiceUnavailable,))  # fmt: skip


def test_a_server_gone_mid_load_is_retried_then_reported(graph_build):
    """The real driver against a port nobody listens on: its errors count as a lost
    connection, the store reconnects once (resume_attempts=1), then gives up clearly."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        config = Neo4jConfig(uri=f"bolt://127.0.0.1:{sock.getsockname()[1]}", password=PASSWORD,
                             resume_attempts=1, max_retry_time=0.0)  # fmt: skip
        store = Neo4jStore.__new__(Neo4jStore)  # as if connected before the server went away
        store.config = config
        store._driver = store._new_driver()
        data = graph_data(graph_build)
        with pytest.raises(StoreError, match="loading Movie after 0 rows, 1 reconnections"):
            store._load_part(data, data.model.nodes[0], 1_000, None)
        store.close()


# --- a live Neo4j, only when NEO4J_URI is set --------------------------------------------


@pytest.mark.neo4j
@pytest.mark.skipif(not os.environ.get("NEO4J_URI"), reason="needs a live Neo4j (NEO4J_URI)")
def test_live_load_with_dropped_connections_leaves_one_node_per_id(graph_build):
    """Loads the real build into the live Neo4j, dropping the connection twice mid-load."""
    from reelgraph.graph import cypher

    drops = {"calls": 0, "left": ["before", "after"]}

    class Dropping(Neo4jStore):
        """Loses the connection twice: once before a batch commits, once after."""

        def _write(self, statement, params=None):
            if not (params and "rows" in params):
                return super()._write(statement, params)
            drops["calls"] += 1
            when = drops["left"].pop(0) if drops["calls"] % 7 == 0 and drops["left"] else None
            if when == "before":
                raise ServiceUnavailable("connection dropped (test)")
            answer = super()._write(statement, params)
            if when == "after":
                raise SessionExpired("connection dropped after the commit (test)")
            return answer

    store = Dropping(load_config())
    try:
        result = store.load(graph_build, batch_size=5_000)
        counts = store.counts()
        data = graph_data(graph_build)
        for spec in data.model.nodes:
            assert counts[spec.label] == data.count(spec.label)
            distinct = store._scalar(cypher.count_distinct_keys(spec))
            assert distinct == counts[spec.label]
        for spec in data.model.rels:
            assert counts[spec.type] == data.count(spec.type)
        assert result.counts["SIMILAR"] == len(graph_build.edges)
        assert drops["left"] == []
    finally:
        store.close()
