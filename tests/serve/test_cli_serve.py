"""`reelgraph serve` starts the real server from the command line."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.serve.conftest import free_port


def reelgraph() -> list[str]:
    script = Path(sys.executable).with_name("reelgraph")
    return (
        [str(script)]
        if script.is_file()
        else [sys.executable, "-c", "from reelgraph.cli import main; main()"]
    )


def get_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.loads(response.read())


def test_serve_command_answers_then_stops(serve_home):
    port = free_port()
    cmd = [*reelgraph(), "--home", str(serve_home), "serve", "--port", str(port)]
    server = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            assert server.poll() is None, server.stderr.read()
            try:
                health = get_json(f"http://127.0.0.1:{port}/api/health")
                break
            except OSError:
                assert time.monotonic() < deadline, "server did not answer within 30 s"
                time.sleep(0.2)
        assert health["status"] == "ok"
        assert health["backend"] in {"build", "embedded"}
        similar = get_json(f"http://127.0.0.1:{port}/api/movies/1/similar?k=3")
        assert len(similar["similar"]) == 3
    finally:
        server.terminate()
        server.wait(timeout=20)
    assert server.returncode is not None


def test_serve_help_lists_the_stores():
    out = subprocess.run([*reelgraph(), "serve", "--help"], capture_output=True, text=True)
    assert out.returncode == 0
    assert "--store" in out.stdout
    assert "embedded" in out.stdout


def test_serve_on_a_busy_port_fails_clearly_before_serving(serve_home):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        cmd = [*reelgraph(), "--home", str(serve_home), "serve", "--port", str(port)]
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert out.returncode == 1, out.stderr
    assert f"127.0.0.1:{port}" in out.stderr
    assert "in use" in out.stderr
    assert "serving" not in out.stdout
    assert "Traceback" not in out.stderr
