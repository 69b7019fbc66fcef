"""Load benchmark of `reelgraph serve` on loopback with wrk: requests/s and p50/p99 latency of
the similar-movies and recommendations endpoints at N concurrent connections.

Starts the real server (the `reelgraph` CLI) over a build, drives each endpoint with `wrk`
(Debian: `apt-get install wrk`) for a fixed time with a Lua script that picks a random movie or
user per request, and prints one line per endpoint. Example::

    python benchmarks/load_bench_api.py --data ../shared/data/ml-latest-small --duration 10

`--home` reuses an existing build instead of building one in a temporary folder.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}

SIMILAR = """
ids = {%s}
request = function()
  return wrk.format("GET", "/api/movies/" .. ids[math.random(#ids)] .. "/similar?k=10")
end
"""
RECOMMEND = """
ids = {%s}
request = function()
  return wrk.format("GET", "/api/users/" .. ids[math.random(#ids)] .. "/recommendations?k=10")
end
"""
LIKED = """
ids = {%s}
request = function()
  local body = string.format('{"liked": [%%d, %%d, %%d], "k": 10}',
    ids[math.random(#ids)], ids[math.random(#ids)], ids[math.random(#ids)])
  return wrk.format("POST", "/api/recommendations", {["Content-Type"] = "application/json"}, body)
end
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def reelgraph_command() -> list[str]:
    script = Path(sys.executable).with_name("reelgraph")
    return (
        [str(script)]
        if script.is_file()
        else [sys.executable, "-c", "from reelgraph.cli import main; main()"]
    )


def ensure_build(args: argparse.Namespace, scratch: Path) -> Path:
    if args.home:
        return Path(args.home)
    from reelgraph.pipeline import run_build
    from reelgraph.recipe import load_recipe

    home = scratch / "home"
    run_build(args.data, load_recipe(args.recipe), args.k, home)
    return home


def start_server(home: Path, args: argparse.Namespace) -> tuple[subprocess.Popen, str]:
    port = free_port()
    cmd = [
        *reelgraph_command(),
        "--home",
        str(home),
        "serve",
        "--port",
        str(port),
        "--workers",
        str(args.workers),
        "--store",
        args.store,
    ]
    server = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"server exited: {server.stderr.read().decode()}")
        try:
            with urllib.request.urlopen(url + "/api/health", timeout=2) as response:
                if response.status == 200:
                    return server, url
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit(f"server did not answer on {url} within 60 s")


def run_wrk(url: str, script: str, args: argparse.Namespace, scratch: Path) -> dict:
    lua = scratch / "script.lua"
    lua.write_text(script)
    cmd = [
        "wrk",
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{args.duration}s",
        "--latency",
        "-s",
        str(lua),
        url,
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    return parse_wrk(out)


def parse_wrk(out: str) -> dict:
    """Requests/s, p50/p90/p99 in ms, requests and errors from wrk's --latency output."""

    def latency(pct: str) -> float:
        value, unit = re.search(rf"^\s+{pct}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M).groups()
        return float(value) * UNITS[unit]

    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    )
    return {
        "requests_per_s": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50_ms": latency("50"),
        "p90_ms": latency("90"),
        "p99_ms": latency("99"),
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
        "errors": (int(non_2xx.group(1)) if non_2xx else 0)
        + (sum(map(int, sockets.groups())) if sockets else 0),
    }


def scripts(home: Path, seed: int) -> dict[str, str]:
    from reelgraph.builds import Build

    build = Build.open(home)
    rng = random.Random(seed)
    movies = build.movies
    rated = movies.loc[movies["n_ratings"] > 0, "movie_id"].tolist()
    movie_ids = ", ".join(map(str, rng.sample(rated, min(1000, len(rated)))))
    users = sorted(set(build.table("ratings")["user_id"].tolist()))
    user_ids = ", ".join(map(str, rng.sample(users, min(1000, len(users)))))
    return {
        "similar": SIMILAR % movie_ids,
        "user_recommendations": RECOMMEND % user_ids,
        "liked_recommendations": LIKED % movie_ids,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--data",
        default=os.environ.get("REELGRAPH_DATA"),
        help="MovieLens folder to build (default $REELGRAPH_DATA)",
    )
    parser.add_argument("--home", help="serve this existing reelgraph home instead")
    parser.add_argument("--recipe", default="seed")
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--duration", type=int, default=10, help="seconds per endpoint")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument("--workers", type=int, default=1, help="server processes")
    parser.add_argument("--store", default="build")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk not found: apt-get install wrk")
    if not args.home and not args.data:
        raise SystemExit("give --data MOVIELENS_FOLDER (or --home with a build)")

    with tempfile.TemporaryDirectory(prefix="reelgraph-load-") as tmp:
        scratch = Path(tmp)
        home = ensure_build(args, scratch)
        server, url = start_server(home, args)
        try:
            results = {}
            for name, script in scripts(home, seed=20261203).items():
                load = os.getloadavg()[0]
                results[name] = {**run_wrk(url, script, args, scratch), "load_avg_1m": load}
                r = results[name]
                print(
                    f"{name:<22} {r['requests_per_s']:8.0f} req/s  p50 {r['p50_ms']:6.2f} ms  "
                    f"p90 {r['p90_ms']:6.2f} ms  p99 {r['p99_ms']:6.2f} ms  "
                    f"errors {r['errors']}/{r['requests']}  (load avg before {load:.2f})"
                )
        finally:
            server.terminate()
            server.wait(timeout=20)
    settings = {k: getattr(args, k) for k in ("duration", "connections", "threads", "workers")}
    if args.json:
        args.json.write_text(json.dumps({"settings": settings, "results": results}, indent=2))


if __name__ == "__main__":
    main()
