"""Synthetic MovieLens-shaped releases for scale work (ML-25M and ML-32M shapes).

Everything this module writes is SYNTHETIC except the catalogue it starts from: the real
ML-25M movies.csv (real titles, years and genres) and the real genome-tags.csv (tag names).
Ratings, timestamps and genome relevances are drawn from a seeded model shaped like the real
release:

- movie popularity is log-normal (a long tail: a few movies get tens of thousands of ratings,
  thousands get a handful, about 5% none), and the genome covers the most popular movies;
- user activity is 20 + a log-normal count (every user has at least 20 ratings; median ~70,
  mean ~154 as in ML-25M);
- ratings are on the half-star scale (some users use whole stars only), from a movie quality,
  a user bias and noise, giving the real mix (4.0 most common, then 3.0, 5.0, 3.5);
- genome relevances are the logistic of a tag base level, per-genre tag loadings, a latent
  taste factor and noise: most relevances low (median ~0.06), a few near 1, and correlated
  with the movie's genres like the real genome.

The ML-32M shape extends the real catalogue with synthetic movies (titles start with
`Synthetic movie`) to 87,585 movies. The output is a normal release folder that
`reelgraph build --data` reads, plus a README.txt saying it is synthetic.
"""

from __future__ import annotations

import logging
import shutil
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from reelgraph.data.csvio import require_file
from reelgraph.errors import ReelgraphError

log = logging.getLogger(__name__)

HALF_STARS = np.arange(1, 11) / 2  # 0.5 .. 5.0
FIRST_TIMESTAMP = 789_652_009  # the first and last timestamps of ML-25M
LAST_TIMESTAMP = 1_574_327_703
LATENT = 8  # taste factors shared by genome tags and ratings


@dataclass(frozen=True)
class Shape:
    """The sizes of a synthetic release.

    Attributes:
        movies: catalogue size; the real catalogue is extended with synthetic movies above
            its 62,423.
        users: number of users, each with at least 20 ratings.
        ratings: number of ratings, exactly.
        genome_movies: movies with a genome relevance vector.
    """

    movies: int
    users: int
    ratings: int
    genome_movies: int


SHAPES = {
    "ml-25m": Shape(movies=62_423, users=162_541, ratings=25_000_095, genome_movies=13_816),
    "ml-32m": Shape(movies=87_585, users=200_948, ratings=32_000_204, genome_movies=13_816),
}


def generate(
    catalog: Path,
    out: Path,
    shape: Shape,
    *,
    seed: int = 25,
    min_user_ratings: int = 20,
    force: bool = False,
) -> Path:
    """Write a synthetic release shaped like `shape` into the folder `out`.

    Args:
        catalog: a folder with the real ML-25M movies.csv and genome-tags.csv.
        out: the release folder to create (must not exist or be empty).
        shape: the sizes to generate.
        seed: the random seed; the same seed gives the same files.
        min_user_ratings: the least ratings any user has.
        force: write even when `out` lies inside the reelgraph source checkout.

    Returns:
        The folder written.

    Raises:
        DataError: when the catalogue folder lacks movies.csv or genome-tags.csv.
        ReelgraphError: when `out` is not empty, or lies inside the source checkout and
            `force` is not set.
    """
    started = time.perf_counter()
    rng = np.random.default_rng(seed)
    out = Path(out)
    for name in ("movies.csv", "genome-tags.csv"):
        require_file(Path(catalog) / name)
    checkout = source_checkout(out)
    if checkout is not None and not force:
        raise ReelgraphError(
            f"output folder {str(out)!r} is inside the reelgraph source checkout "
            f"{str(checkout)!r}; a full release is about 1 GB: expected a folder outside it "
            "(or pass --force)"
        )
    if out.exists() and any(out.iterdir()):
        raise ReelgraphError(f"output folder {str(out)!r} is not empty; choose a new one")
    out.mkdir(parents=True, exist_ok=True)
    if shape.ratings < shape.users * min_user_ratings:
        raise ReelgraphError(
            f"{shape.ratings:,} ratings cannot give {shape.users:,} users "
            f"{min_user_ratings} ratings each"
        )

    movie_ids, genres = _write_movies(catalog / "movies.csv", out / "movies.csv", shape, rng)
    shutil.copyfile(catalog / "genome-tags.csv", out / "genome-tags.csv")
    n_tags = sum(1 for _ in (catalog / "genome-tags.csv").open(encoding="utf-8")) - 1

    popularity = rng.lognormal(0.0, 2.2, size=len(movie_ids))
    unrated = rng.random(len(movie_ids)) < 0.054
    genome_pos = np.sort(
        np.argsort(-(popularity * rng.lognormal(0, 0.5, len(movie_ids))))[: shape.genome_movies]
    )
    unrated[genome_pos] = False
    popularity[unrated] = 0.0
    taste = rng.normal(0.0, 1.0, size=(len(movie_ids), LATENT))

    _write_genome(
        out / "genome-scores.csv",
        movie_ids[genome_pos],
        genres[genome_pos],
        taste[genome_pos],
        n_tags,
        rng,
    )
    _write_ratings(out / "ratings.csv", movie_ids, popularity, taste, shape, min_user_ratings, rng)
    _write_readme(out / "README.txt", shape, seed)
    log.info(
        "synthetic release in %s: %d movies, %d ratings in %.1f s",
        out,
        len(movie_ids),
        shape.ratings,
        time.perf_counter() - started,
    )
    return out


def source_checkout(folder: Path) -> Path | None:
    """The reelgraph source checkout that holds `folder` (existing or not), or None.

    A checkout is a folder with a `.git` beside a pyproject.toml whose project is reelgraph.
    """
    start = Path(folder).resolve()
    for parent in (start, *start.parents):
        if (parent / ".git").exists() and _project_name(parent / "pyproject.toml") == "reelgraph":
            return parent
    return None


def _project_name(path: Path) -> str | None:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8")).get("project", {}).get("name")
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None


def _write_movies(source: Path, target: Path, shape: Shape, rng: np.random.Generator):
    """Copy the real catalogue, extended with synthetic movies; return ids and genre one-hot.

    Returns:
        movie_ids: int64 array, shape (N,), ascending; genres: float64 array, shape (N, G).
    """
    table = pacsv.read_csv(source)
    ids = table["movieId"].to_numpy().astype(np.int64)
    genre_field = table["genres"].to_pylist()
    extra = shape.movies - len(ids)
    if extra < 0:
        raise ReelgraphError(
            f"shape has {shape.movies:,} movies; the real catalogue alone has {len(ids):,}"
        )
    shutil.copyfile(source, target)  # the real file as GroupLens ships it (CRLF, quoting)
    if extra:
        new_ids = ids.max() + 1 + np.arange(extra)
        years = rng.integers(2019, 2024, size=extra)
        picks = rng.integers(0, len(genre_field), size=extra)
        new_genres = [genre_field[p] for p in picks]
        lines = [
            f"{i},Synthetic movie {i:06d} ({y}),{g}\r\n"
            for i, y, g in zip(new_ids, years, new_genres, strict=True)
        ]
        with target.open("a", encoding="utf-8", newline="") as f:
            f.writelines(lines)
        ids = np.concatenate([ids, new_ids])
        genre_field = genre_field + new_genres

    names = sorted({g for f in genre_field for g in f.split("|")} - {"(no genres listed)"})
    column = {g: j for j, g in enumerate(names)}
    onehot = np.zeros((len(ids), len(names)))
    for i, f in enumerate(genre_field):
        for g in f.split("|"):
            if g in column:
                onehot[i, column[g]] = 1.0
    return ids, onehot


def _write_genome(path: Path, movie_ids, genres, taste, n_tags: int, rng) -> None:
    """Relevance = logistic(tag base + genre loadings + taste loadings + noise), 5 decimals."""
    base = rng.normal(-3.0, 0.8, size=n_tags)
    genre_load = rng.normal(0.0, 0.9, size=(genres.shape[1], n_tags))
    genre_load *= rng.random(genre_load.shape) < 0.25  # each tag tied to a few genres
    taste_load = rng.normal(0.0, 0.45, size=(taste.shape[1], n_tags))
    logits = base + genres @ genre_load + taste @ taste_load
    logits += rng.normal(0.0, 0.6, size=logits.shape)
    relevance = np.round(1.0 / (1.0 + np.exp(-logits)), 5)
    relevance = np.clip(relevance, 0.00025, 1.0)

    m = len(movie_ids)
    frame = pa.table(
        {
            "movieId": pa.array(np.repeat(movie_ids, n_tags), pa.int64()),
            "tagId": pa.array(np.tile(np.arange(1, n_tags + 1), m), pa.int64()),
            "relevance": pa.array(relevance.ravel(), pa.float64()),
        }
    )
    _write_csv(frame, path)


def _write_ratings(path, movie_ids, popularity, taste, shape, min_user_ratings, rng) -> None:
    """Distinct (user, movie) pairs by popularity, half-star ratings, sorted by user, movie."""
    counts = _user_counts(shape, min_user_ratings, int((popularity > 0).sum()), rng)
    users, movies = _distinct_pairs(counts, popularity, rng)

    quality = rng.normal(3.35, 0.45, size=len(movie_ids))
    quality += 0.12 * (np.log(popularity + 1e-9) - np.log(popularity + 1e-9).mean()) / 2.2
    bias = rng.normal(0.15, 0.4, size=len(counts))
    user_taste = rng.normal(0.0, 0.15, size=(len(counts), taste.shape[1]))
    whole_stars = rng.random(len(counts)) < 0.4

    stars = quality[movies] + bias[users] + rng.normal(0.0, 0.85, size=len(users))
    stars += np.einsum("ij,ij->i", user_taste[users], taste[movies])
    half = np.clip(np.round(stars * 2), 1, 10).astype(np.int8)
    whole = np.clip(np.round(stars), 1, 5).astype(np.int8) * 2
    code = np.where(whole_stars[users], whole, half) - 1

    start = rng.integers(FIRST_TIMESTAMP, LAST_TIMESTAMP, size=len(counts))
    span = np.minimum(rng.exponential(3.0e7, size=len(counts)), LAST_TIMESTAMP - start)
    stamps = start[users] + (rng.random(len(users)) * span[users]).astype(np.int64)

    labels = pa.array([f"{s:.1f}" for s in HALF_STARS])
    frame = pa.table(
        {
            "userId": pa.array(users + 1, pa.int32()),
            "movieId": pa.array(movie_ids[movies], pa.int64()),
            "rating": pa.DictionaryArray.from_arrays(pa.array(code, pa.int8()), labels).cast(
                pa.string()
            ),
            "timestamp": pa.array(stamps, pa.int64()),
        }
    )
    _write_csv(frame, path)


def _user_counts(shape: Shape, least: int, rateable: int, rng) -> np.ndarray:
    """Ratings per user: least + log-normal, capped, summing to shape.ratings exactly."""
    cap = min(20_000, rateable // 2)
    extra = rng.lognormal(np.log(51.0), 1.39, size=shape.users)
    target = shape.ratings - least * shape.users
    extra = np.minimum(extra * target / extra.sum(), cap - least)
    counts = least + np.floor(extra).astype(np.int64)
    short = shape.ratings - counts.sum()
    while short > 0:  # hand out the rounding remainder to users below the cap
        room = np.flatnonzero(counts < cap)
        pick = rng.choice(room, size=min(short, len(room)), replace=False)
        counts[pick] += 1
        short = shape.ratings - counts.sum()
    return counts


def _distinct_pairs(counts, popularity, rng, rounds: int = 30):
    """Each user u gets counts[u] distinct movies, drawn by popularity (then a flatter mix).

    Returns:
        users, movies: int64 arrays sorted by (user, movie position).
    """
    n_movies = len(popularity)
    weights = popularity / popularity.sum()
    flat = (popularity > 0) / (popularity > 0).sum()
    keys = np.zeros(0, dtype=np.int64)  # user * n_movies + movie, sorted, distinct
    need = counts.copy()
    for r in range(rounds):
        mix = min(1.0, 0.25 * r)
        p = (1 - mix) * weights + mix * flat
        users = np.repeat(np.arange(len(counts)), need)
        fresh = np.unique(users * n_movies + rng.choice(n_movies, size=len(users), p=p))
        if len(keys):
            at = np.searchsorted(keys, fresh).clip(0, len(keys) - 1)
            fresh = fresh[keys[at] != fresh]
        keys = np.sort(np.concatenate([keys, fresh]), kind="stable")  # merges two sorted runs
        need = counts - np.bincount(keys // n_movies, minlength=len(counts))
        log.debug("distinct pairs round %d: %d still to draw", r, int(need.sum()))
        if not need.any():
            return keys // n_movies, keys % n_movies
    raise ReelgraphError("could not draw distinct ratings; lower the ratings per user")


def _write_csv(table: pa.Table, path: Path) -> None:
    options = pacsv.WriteOptions(include_header=True, quoting_style="none")
    pacsv.write_csv(table, path, write_options=options)


def _write_readme(path: Path, shape: Shape, seed: int) -> None:
    path.write_text(
        "SYNTHETIC MovieLens-shaped release written by `reelgraph synth` (seed "
        f"{seed}).\n\nmovies.csv: the real ML-25M catalogue (real titles, years, genres)"
        f"{', extended with synthetic movies' if shape.movies > 62_423 else ''}; "
        f"{shape.movies:,} movies.\n"
        "genome-tags.csv: the real ML-25M tag names.\n"
        f"ratings.csv: {shape.ratings:,} SYNTHETIC ratings by {shape.users:,} synthetic "
        "users.\n"
        f"genome-scores.csv: SYNTHETIC relevances for {shape.genome_movies:,} movies.\n\n"
        "The ratings and relevances are not GroupLens data and say nothing about real "
        "movies; use them only to measure speed and memory.\n",
        encoding="utf-8",
    )
