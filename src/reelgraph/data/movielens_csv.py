"""Reader for the current MovieLens CSV releases (ml-latest-small, ml-latest, ml-20m/25m/32m)."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from reelgraph.data.csvio import read_csv
from reelgraph.data.dataset import Dataset, Genome, LoadReport
from reelgraph.data.titles import parse_title
from reelgraph.errors import DataError

log = logging.getLogger(__name__)

NO_GENRES = "(no genres listed)"
HALF_STARS = (0.5, 5.0, 0.5)


def load_csv_release(folder: Path, release: str = "movielens-csv") -> Dataset:
    """Load a current-format release folder; only movies.csv and ratings.csv are required."""
    started = time.perf_counter()
    report = LoadReport(release=release)
    movies = read_movies(folder / "movies.csv")
    ratings_table = read_csv(
        folder / "ratings.csv",
        {"userId": pa.int32(), "movieId": pa.int32(), "rating": pa.float32(),
         "timestamp": pa.int64()},
    )  # fmt: skip
    ratings = clean_ratings(ratings_table, folder / "ratings.csv", movies, HALF_STARS, report)
    files = [folder / "movies.csv", folder / "ratings.csv"]

    tags = None
    if (folder / "tags.csv").is_file():
        tags = read_tags(folder / "tags.csv", movies, report)
        files.append(folder / "tags.csv")
    genome = None
    if (folder / "genome-scores.csv").is_file():
        genome = read_genome(
            folder / "genome-scores.csv", folder / "genome-tags.csv", movies, report
        )
        files += [folder / "genome-scores.csv", folder / "genome-tags.csv"]

    log.info(
        "loaded %s: %d movies, %d ratings, %d users in %.1f s",
        folder, len(movies), len(ratings), ratings["user_id"].nunique(),
        time.perf_counter() - started,
    )  # fmt: skip
    return Dataset(movies, ratings, tags, genome, HALF_STARS, files, report)


def read_movies(path: Path) -> pd.DataFrame:
    """movies.csv -> the `Dataset.movies` frame, sorted by movie_id."""
    table = read_csv(path, {"movieId": pa.int32(), "title": pa.string(), "genres": pa.string()})
    return movies_frame(
        path,
        table["movieId"].to_numpy(),
        table["title"].to_pylist(),
        [_split_genres(g) for g in table["genres"].to_pylist()],
    )


def movies_frame(
    path: Path, movie_ids: np.ndarray, titles: list[str], genres: list[list[str]]
) -> pd.DataFrame:
    """Build the movies frame from raw columns, rejecting duplicate ids (line numbers 1-based,
    assuming one header line)."""
    ids = np.asarray(movie_ids, dtype=np.int32)
    _reject_duplicate_ids(path, ids)
    parsed = [parse_title(t or "") for t in titles]
    frame = pd.DataFrame(
        {
            "movie_id": ids,
            "title": [p.title for p in parsed],
            "name": [p.name for p in parsed],
            "year": pd.array([p.year for p in parsed], dtype="Int16"),
            "genres": genres,
        }
    )
    return frame.sort_values("movie_id", kind="stable").reset_index(drop=True)


def _split_genres(field: str | None) -> list[str]:
    if not field:
        return []
    return [g.strip() for g in field.split("|") if g.strip() and g.strip() != NO_GENRES]


def _reject_duplicate_ids(path: Path, ids: np.ndarray) -> None:
    seen = pd.Series(ids).duplicated()
    if seen.any():
        row = int(np.argmax(seen.to_numpy()))
        first = int(np.argmax(ids == ids[row]))
        raise DataError(
            path,
            f"duplicate movieId {int(ids[row])} (first seen on line {first + 2}); "
            "expected each movieId once",
            line=row + 2,
            column="movieId",
        )


def clean_ratings(
    table: pa.Table,
    path: Path,
    movies: pd.DataFrame,
    scale: tuple[float, float, float],
    report: LoadReport,
) -> pd.DataFrame:
    """Validate the scale, drop unknown movies and repeated (user, movie) ratings.

    `table` has columns userId, movieId, rating, timestamp in that order.
    """
    users = table.column(0).to_numpy()
    items = table.column(1).to_numpy()
    stars = table.column(2).to_numpy()
    stamps = table.column(3).to_numpy()
    _check_scale(path, stars, scale)

    known = known_mask(items, movies["movie_id"].to_numpy())
    report.ratings_unknown_movie = int(len(known) - known.sum())
    if report.ratings_unknown_movie:
        users, items, stars, stamps = users[known], items[known], stars[known], stamps[known]

    frame = pd.DataFrame(
        {"user_id": users, "movie_id": items, "rating": stars, "timestamp": stamps}
    )
    return _drop_repeats(frame, report)


def _check_scale(path: Path, stars: np.ndarray, scale: tuple[float, float, float]) -> None:
    low, high, step = scale
    steps = (stars - low) / step
    bad = ~np.isfinite(stars) | (stars < low) | (stars > high) | (steps != np.round(steps))
    if bad.any():
        row = int(np.argmax(bad))
        raise DataError(
            path,
            f"rating {float(stars[row])!r} is outside the release's scale "
            f"{low:g} to {high:g} in steps of {step:g}",
            line=row + 2,
            column="rating",
        )


def known_mask(movie_ids: np.ndarray, catalogue: np.ndarray) -> np.ndarray:
    """Boolean mask of the entries of `movie_ids` that are in the sorted `catalogue`."""
    if len(catalogue) == 0:
        return np.zeros(len(movie_ids), dtype=bool)
    top = int(catalogue[-1])
    if 0 <= catalogue[0] and top < 50_000_000:
        table = np.zeros(top + 1, dtype=bool)
        table[catalogue] = True
        inside = (movie_ids >= 0) & (movie_ids <= top)
        mask = np.zeros(len(movie_ids), dtype=bool)
        mask[inside] = table[movie_ids[inside]]
        return mask
    pos = np.searchsorted(catalogue, movie_ids).clip(0, len(catalogue) - 1)
    return catalogue[pos] == movie_ids


def _drop_repeats(frame: pd.DataFrame, report: LoadReport) -> pd.DataFrame:
    """Keep the latest rating of each (user, movie); releases are sorted, so check that first."""
    key = (frame["user_id"].to_numpy().astype(np.int64) << 32) | frame["movie_id"].to_numpy()
    if len(key) < 2 or bool(np.all(key[1:] > key[:-1])):
        return frame
    order = np.lexsort((frame["timestamp"].to_numpy(), key))
    sorted_key = key[order]
    last = np.ones(len(order), dtype=bool)
    last[:-1] = sorted_key[1:] != sorted_key[:-1]
    report.ratings_duplicate = int(len(order) - last.sum())
    keep = np.sort(order[last])
    return frame.iloc[keep].reset_index(drop=True)


def read_tags(path: Path, movies: pd.DataFrame, report: LoadReport) -> pd.DataFrame:
    """tags.csv -> user tags of known movies (columns user_id, movie_id, tag, timestamp)."""
    table = read_csv(
        path,
        {"userId": pa.int32(), "movieId": pa.int32(), "tag": pa.string(),
         "timestamp": pa.int64()},
    )  # fmt: skip
    frame = pd.DataFrame(
        {
            "user_id": table["userId"].to_numpy(),
            "movie_id": table["movieId"].to_numpy(),
            "tag": table["tag"].to_pylist(),
            "timestamp": table["timestamp"].to_numpy(),
        }
    )
    known = known_mask(frame["movie_id"].to_numpy(), movies["movie_id"].to_numpy())
    report.tags_unknown_movie = int((~known).sum())
    return frame[known].reset_index(drop=True)


def read_genome(
    scores_path: Path, tags_path: Path, movies: pd.DataFrame, report: LoadReport
) -> Genome:
    """genome-scores.csv (+ genome-tags.csv) -> a dense relevance matrix of known movies."""
    table = read_csv(
        scores_path, {"movieId": pa.int32(), "tagId": pa.int32(), "relevance": pa.float32()}
    )
    relevance = table["relevance"].to_numpy()
    bad = ~((relevance >= 0.0) & (relevance <= 1.0))
    if bad.any():
        row = int(np.argmax(bad))
        raise DataError(
            scores_path,
            f"relevance {float(relevance[row])!r} is outside [0, 1]",
            line=row + 2,
            column="relevance",
        )
    items = table["movieId"].to_numpy()
    tag_col = table["tagId"].to_numpy()

    known = known_mask(items, movies["movie_id"].to_numpy())
    if not known.all():
        report.genome_unknown_movie = int(len(np.unique(items[~known])))
        items, tag_col, relevance = items[known], tag_col[known], relevance[known]

    movie_ids, movie_pos = np.unique(items, return_inverse=True)
    tag_ids, tag_pos = np.unique(tag_col, return_inverse=True)
    matrix = np.zeros((len(movie_ids), len(tag_ids)), dtype=np.float32)
    matrix[movie_pos, tag_pos] = relevance

    names = _tag_names(tags_path, tag_ids)
    return Genome(movie_ids.astype(np.int32), tag_ids.astype(np.int32), matrix, names)


def _tag_names(path: Path, tag_ids: np.ndarray) -> list[str]:
    if not path.is_file():
        return [str(t) for t in tag_ids]
    table = read_csv(path, {"tagId": pa.int32(), "tag": pa.string()})
    names = dict(zip(table["tagId"].to_pylist(), table["tag"].to_pylist(), strict=True))
    return [names.get(int(t), str(t)) for t in tag_ids]


