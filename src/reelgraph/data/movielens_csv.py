"""Reader for the current MovieLens CSV releases (ml-latest-small, ml-latest, ml-20m/25m/32m)."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from reelgraph.data.csvio import numpy_columns, read_csv
from reelgraph.data.dataset import Dataset, Genome, LoadReport
from reelgraph.data.validate import (
    check_positive_ids,
    check_unit_interval,
    clean_ratings,
    known_mask,
    movies_frame,
    split_genres,
)

log = logging.getLogger(__name__)

HALF_STARS = (0.5, 5.0, 0.5)


def load_csv_release(folder: Path, release: str = "movielens-csv") -> Dataset:
    """Load a current-format release folder; only movies.csv and ratings.csv are required."""
    started = time.perf_counter()
    report = LoadReport(release=release)
    movies = read_movies(folder / "movies.csv")
    columns = read_rating_columns(folder / "ratings.csv")
    ratings = clean_ratings(columns, folder / "ratings.csv", movies, HALF_STARS, report)
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
        files += [p for p in (folder / "genome-scores.csv", folder / "genome-tags.csv")
                  if p.is_file()]  # fmt: skip

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
        [split_genres(g) for g in table["genres"].to_pylist()],
    )


def read_rating_columns(path: Path) -> tuple[np.ndarray, ...]:
    """ratings.csv -> (user ids int32, movie ids int32, ratings float32, timestamps int64).

    The Arrow table is dropped on return, so it is never held alongside the final frame.
    """
    table = read_csv(
        path,
        {"userId": pa.int32(), "movieId": pa.int32(), "rating": pa.float32(),
         "timestamp": pa.int64()},
    )  # fmt: skip
    return numpy_columns(table)


def read_tags(path: Path, movies: pd.DataFrame, report: LoadReport) -> pd.DataFrame:
    """tags.csv -> user tags of known movies (columns user_id, movie_id, tag, timestamp)."""
    table = read_csv(
        path,
        {"userId": pa.int32(), "movieId": pa.int32(), "tag": pa.string(),
         "timestamp": pa.int64()},
    )  # fmt: skip
    for column in ("userId", "movieId"):
        check_positive_ids(path, table[column].to_numpy(), column)
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
    # float64 keeps the file's digits: the matrix is converted to float64 for the cosine anyway
    table = read_csv(
        scores_path, {"movieId": pa.int32(), "tagId": pa.int32(), "relevance": pa.float64()}
    )
    relevance = table["relevance"].to_numpy()
    check_unit_interval(scores_path, relevance, "relevance")
    items = table["movieId"].to_numpy()
    tag_col = table["tagId"].to_numpy()
    check_positive_ids(scores_path, items, "movieId")
    check_positive_ids(scores_path, tag_col, "tagId")

    known = known_mask(items, movies["movie_id"].to_numpy())
    if not known.all():
        report.genome_unknown_movie = len(np.unique(items[~known]))
        items, tag_col, relevance = items[known], tag_col[known], relevance[known]

    movie_ids, tag_ids, matrix = _sorted_grid(items, tag_col, relevance) or _scatter(
        items, tag_col, relevance
    )
    names = _tag_names(tags_path, tag_ids)
    return Genome(movie_ids.astype(np.int32), tag_ids.astype(np.int32), matrix, names)


def _sorted_grid(
    items: np.ndarray, tags: np.ndarray, relevance: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """The genome matrix in one linear pass, when the file is a full sorted grid; else None.

    GroupLens ships genome-scores.csv sorted by (movieId, tagId) with every tag for every
    movie, so the rows are the matrix in row-major order and no sort is needed.

    Args:
        items: movie ids, shape (n,); tags: tag ids, shape (n,); relevance: float64, shape (n,).

    Returns:
        (movie ids, shape (m,); tag ids, shape (t,); float64 matrix, shape (m, t)), or None.
    """
    if len(items) == 0 or np.any(np.diff(items) < 0):
        return None
    starts = np.concatenate(([0], np.flatnonzero(np.diff(items)) + 1))
    n_tags = len(items) // len(starts)
    tag_ids = tags[:n_tags]
    if len(starts) * n_tags != len(items) or np.any(np.diff(tag_ids) <= 0):
        return None
    if not np.array_equal(
        tags.reshape(len(starts), n_tags), np.broadcast_to(tag_ids, (len(starts), n_tags))
    ):
        return None
    matrix = np.array(relevance, dtype=np.float64).reshape(len(starts), n_tags)
    return items[starts], tag_ids.copy(), matrix


def _scatter(
    items: np.ndarray, tags: np.ndarray, relevance: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The genome matrix from rows in any order; a missing (movie, tag) pair stays 0."""
    movie_ids, movie_pos = np.unique(items, return_inverse=True)
    tag_ids, tag_pos = np.unique(tags, return_inverse=True)
    matrix = np.zeros((len(movie_ids), len(tag_ids)), dtype=np.float64)
    matrix[movie_pos, tag_pos] = relevance
    return movie_ids, tag_ids, matrix


def _tag_names(path: Path, tag_ids: np.ndarray) -> list[str]:
    if not path.is_file():
        return [str(t) for t in tag_ids]
    table = read_csv(path, {"tagId": pa.int32(), "tag": pa.string()})
    names = dict(zip(table["tagId"].to_pylist(), table["tag"].to_pylist(), strict=True))
    return [names.get(int(t), str(t)) for t in tag_ids]
