"""Time `reelgraph.data.load` on an ML-25M-sized release (prints figures; not a test).

The ratings are SYNTHETIC: N rows (default 25,000,095, the size of the real ML-25M
ratings.csv) drawn with a seeded generator over the real ML-25M catalogue's movieIds, sorted by
(userId, movieId) like the real file, half-star ratings, CRLF line endings. They sit next to the
real `movies.csv` (62,423 movies) in a temporary folder. The file is written by a child process
so that the peak RSS printed is the loader's own.

    python benchmarks/load_bench.py [--rows N] [--catalog DIR] [--seed S] [--keep DIR]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

DEFAULT_ROWS = 25_000_095
DEFAULT_CATALOG = Path(__file__).resolve().parents[2] / "shared" / "data" / "ml-25m-catalog"
USERS_PER_ROW = 162_541 / 25_000_095  # the real ML-25M ratio of users to ratings


def write_ratings(path: Path, movies_csv: Path, rows: int, seed: int) -> None:
    """Write `rows` synthetic, seeded ratings sorted by (userId, movieId), without repeats."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.csv as pacsv

    from reelgraph.data.movielens_csv import read_movies

    rng = np.random.default_rng(seed)
    catalogue = read_movies(movies_csv)["movie_id"].to_numpy()
    users = max(1, int(rows * USERS_PER_ROW))

    # Popular movies first: index ~ N * u**3. Draw until `rows` distinct (user, movie) pairs.
    key = np.zeros(0, dtype=np.int64)
    while len(key) < rows:
        drawn = int((rows - len(key)) * 1.1) + 10
        user = rng.integers(1, users + 1, drawn, dtype=np.int64)
        movie = catalogue[(len(catalogue) * rng.random(drawn) ** 3).astype(np.int64)]
        key = np.unique(np.concatenate([key, (user << 32) | movie.astype(np.int64)]))
    key = np.sort(rng.choice(key, rows, replace=False)) if len(key) > rows else key
    n = len(key)
    table = pa.table(
        {
            "userId": (key >> 32).astype(np.int32),
            "movieId": (key & 0xFFFFFFFF).astype(np.int32),
            "rating": rng.integers(1, 11, n).astype(np.float32) / 2,
            "timestamp": rng.integers(789_652_009, 1_574_327_703, n, dtype=np.int64),
        }
    )
    options = pacsv.WriteOptions(quoting_style="none", eol="\r\n")
    pacsv.write_csv(table, path, write_options=options)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=DEFAULT_ROWS)
    parser.add_argument("--catalog", type=Path, default=DEFAULT_CATALOG)
    parser.add_argument("--seed", type=int, default=20261203)
    parser.add_argument("--keep", type=Path, help="write the release here and keep it")
    args = parser.parse_args()

    folder = args.keep or Path(tempfile.mkdtemp(prefix="reelgraph-load-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        shutil.copy(args.catalog / "movies.csv", folder / "movies.csv")
        ratings = folder / "ratings.csv"
        if not ratings.is_file():
            started = time.perf_counter()
            child = multiprocessing.Process(
                target=write_ratings, args=(ratings, folder / "movies.csv", args.rows, args.seed)
            )
            child.start()
            child.join()
            if child.exitcode:
                return child.exitcode
            print(f"wrote synthetic ratings.csv: {ratings.stat().st_size / 2**20:,.0f} MiB "
                  f"in {time.perf_counter() - started:.1f} s")  # fmt: skip
        return _time_load(folder)
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)


def _time_load(folder: Path) -> int:
    from reelgraph.data import load

    usage = resource.getrusage(resource.RUSAGE_SELF)
    before, cpu_before = usage.ru_maxrss, usage.ru_utime + usage.ru_stime
    started = time.perf_counter()
    dataset = load(folder)
    seconds = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    peak, cpu = usage.ru_maxrss, usage.ru_utime + usage.ru_stime - cpu_before
    n = len(dataset.ratings)
    print(f"cpu cores: {os.cpu_count()}")
    print(f"movies: {len(dataset.movies):,}  ratings: {n:,}  "
          f"users: {dataset.ratings['user_id'].nunique():,}")  # fmt: skip
    print(f"load: {seconds:.2f} s wall, {n / seconds:,.0f} ratings/s; {cpu:.2f} s CPU")
    print(f"load average: {', '.join(f'{x:.1f}' for x in os.getloadavg())} (other work slows it)")
    print(f"peak RSS: {peak / 2**10:,.0f} MiB (before load {before / 2**10:,.0f} MiB)")
    print(f"ratings frame: {dataset.ratings.memory_usage(deep=True).sum() / 2**20:,.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
