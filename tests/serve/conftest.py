"""A real ml-latest-small build made once per session, and apps and servers over it."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest
import uvicorn
from fastapi.testclient import TestClient

from reelgraph.pipeline import run_build
from reelgraph.recipe import load_recipe
from reelgraph.serve import create_app


@pytest.fixture(scope="session")
def serve_home(small_dir, tmp_path_factory) -> Path:
    """A reelgraph home holding a seed-recipe k=10 build of ml-latest-small."""
    home = tmp_path_factory.mktemp("serve-home")
    run_build(small_dir, load_recipe("seed"), 10, home)
    return home


@pytest.fixture(scope="session")
def client(serve_home) -> TestClient:
    """An in-process client of the app over the session build."""
    with TestClient(create_app(serve_home)) as test_client:
        yield test_client


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    """uvicorn serving an app on 127.0.0.1 in a thread, stopped on exit."""

    def __init__(self, app) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError(f"uvicorn did not start on {self.url}")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc_info) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="session")
def live_server(serve_home):
    """The real server over the session build, on a free loopback port."""
    with LiveServer(create_app(serve_home)) as server:
        yield server
