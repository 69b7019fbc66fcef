"""Checks and repairs shared by every release reader, done once at the boundary.

Every reader hands raw columns here: the catalogue becomes the `Dataset.movies` frame (titles
parsed, duplicate ids rejected), ratings are checked against the release's star scale, ratings
of unknown movies are dropped and counted, and repeated (user, movie) ratings keep the latest.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from reelgraph.data.csvio import CSV, Layout, line_of
from reelgraph.data.dataset import LoadReport
from reelgraph.data.titles import parse_title
from reelgraph.errors import DataError

NO_GENRES = "(no genres listed)"


def movies_frame(
    path: Path,
    movie_ids: np.ndarray,
    titles: list[str],
    genres: list[list[str]],
    *,
    layout: Layout = CSV,
    id_column: str = "movieId",
) -> pd.DataFrame:
    """Build the `Dataset.movies` frame from raw columns in file order.

    Args:
        path: the movie file, for error messages.
        movie_ids: integer array, shape (n,), in file order.
        titles: raw titles, length n.
        genres: genre names per movie, length n, `(no genres listed)` already removed.
        layout: the file's layout, to turn a row into a line number.
        id_column: the id column's name in the file, for error messages.

    Returns:
        The frame sorted by movie_id (see `Dataset.movies`).

    Raises:
        DataError: when a movie id is not positive or appears twice, naming the line(s).
    """
    ids = np.asarray(movie_ids, dtype=np.int32)
    check_positive_ids(path, ids, id_column, layout)
    reject_duplicate_ids(path, ids, layout, id_column)
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


def split_genres(field: str | None) -> list[str]:
    """`Action|Comedy` -> ['Action', 'Comedy']; empty or `(no genres listed)` -> []."""
    if not field:
        return []
    names = (g.strip() for g in field.split("|"))
    return [g for g in names if g and g != NO_GENRES]


def check_positive_ids(path: Path, ids: np.ndarray, column: str, layout: Layout = CSV) -> None:
    """Raise a DataError at the first id below 1: MovieLens user, movie and tag ids start at 1.

    Args:
        path: the file, for the message.
        ids: integer array, shape (n,), in file order.
        column: the id column's name in the file.
        layout: the file's layout, to turn a row into a line number.
    """
    bad = ids <= 0
    if bad.any():
        row = int(np.argmax(bad))
        raise DataError(
            path,
            f"expected a positive {column} (MovieLens ids start at 1), found {int(ids[row])}",
            line=line_of(path, row, layout),
            column=column,
        )


def reject_duplicate_ids(
    path: Path, ids: np.ndarray, layout: Layout = CSV, column: str = "movieId"
) -> None:
    """Raise a DataError naming both lines when an id appears twice."""
    seen = pd.Series(ids).duplicated().to_numpy()
    if not seen.any():
        return
    row = int(np.argmax(seen))
    first = int(np.argmax(ids == ids[row]))
    raise DataError(
        path,
        f"duplicate {column} {int(ids[row])} (first on line {line_of(path, first, layout)}); "
        f"expected each {column} once",
        line=line_of(path, row, layout),
        column=column,
    )


def clean_ratings(
    columns: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    path: Path,
    movies: pd.DataFrame,
    scale: tuple[float, float, float],
    report: LoadReport,
    *,
    layout: Layout = CSV,
    id_columns: tuple[str, str] = ("userId", "movieId"),
) -> pd.DataFrame:
    """Check ids and scale, drop ratings of unknown movies and repeated (user, movie) ratings.

    Args:
        columns: user ids (int32), movie ids (int32), ratings (float32) and timestamps (int64),
            each of shape (n,), in file order.
        path: the ratings file, for error messages.
        movies: the catalogue (`Dataset.movies`).
        scale: (lowest, highest, step) of the release's stars.
        report: receives the counts of what was dropped.
        layout: the file's layout, to turn a row into a line number.
        id_columns: the names of the user and movie id columns in the file, for messages.

    Returns:
        The `Dataset.ratings` frame.

    Raises:
        DataError: at the first id below 1 or the first rating off the scale.
    """
    users, items, stars, stamps = columns
    check_positive_ids(path, users, id_columns[0], layout)
    check_positive_ids(path, items, id_columns[1], layout)
    check_scale(path, stars, scale, layout)

    known = known_mask(items, movies["movie_id"].to_numpy())
    report.ratings_unknown_movie = int(len(known) - known.sum())
    if report.ratings_unknown_movie:
        users, items, stars, stamps = users[known], items[known], stars[known], stamps[known]

    frame = pd.DataFrame(
        {"user_id": users, "movie_id": items, "rating": stars, "timestamp": stamps}, copy=False
    )
    return drop_repeats(frame, report)


def check_scale(
    path: Path, stars: np.ndarray, scale: tuple[float, float, float], layout: Layout = CSV
) -> None:
    """Raise a DataError at the first rating that is off the (low, high, step) scale."""
    low, high, step = scale
    steps = (stars - low) / step
    bad = ~np.isfinite(stars) | (stars < low) | (stars > high) | (steps != np.round(steps))
    if bad.any():
        row = int(np.argmax(bad))
        raise DataError(
            path,
            f"expected a rating from {low:g} to {high:g} in steps of {step:g}, "
            f"found {float(stars[row]):g}",
            line=line_of(path, row, layout),
            column="rating",
        )


def check_unit_interval(path: Path, values: np.ndarray, column: str) -> None:
    """Raise a DataError at the first value outside [0, 1] (NaN included)."""
    bad = ~((values >= 0.0) & (values <= 1.0))
    if bad.any():
        row = int(np.argmax(bad))
        raise DataError(
            path,
            f"expected a {column} in [0, 1], found {float(values[row])!r}",
            line=line_of(path, row),
            column=column,
        )


def known_mask(movie_ids: np.ndarray, catalogue: np.ndarray) -> np.ndarray:
    """Boolean mask, shape (n,), of the entries of `movie_ids` in the sorted `catalogue`."""
    if len(catalogue) == 0:
        return np.zeros(len(movie_ids), dtype=bool)
    top = int(catalogue[-1])
    if catalogue[0] >= 0 and top < 50_000_000:  # a lookup table beats a binary search
        table = np.zeros(top + 1, dtype=bool)
        table[catalogue] = True
        inside = (movie_ids >= 0) & (movie_ids <= top)
        mask = np.zeros(len(movie_ids), dtype=bool)
        mask[inside] = table[movie_ids[inside]]
        return mask
    pos = np.searchsorted(catalogue, movie_ids).clip(0, len(catalogue) - 1)
    return catalogue[pos] == movie_ids


def drop_repeats(frame: pd.DataFrame, report: LoadReport) -> pd.DataFrame:
    """Keep the latest rating of each (user, movie): largest timestamp, then last in file.

    Releases are sorted by (user, movie) with no repeats, so that is checked first and the
    sort is skipped.
    """
    key = (frame["user_id"].to_numpy().astype(np.int64) << 32) | (
        frame["movie_id"].to_numpy().astype(np.int64) & 0xFFFFFFFF
    )
    if len(key) < 2 or bool(np.all(key[1:] > key[:-1])):
        return frame
    order = np.lexsort((frame["timestamp"].to_numpy(), key))
    sorted_key = key[order]
    last = np.ones(len(order), dtype=bool)
    last[:-1] = sorted_key[1:] != sorted_key[:-1]
    report.ratings_duplicate = int(len(order) - last.sum())
    keep = np.sort(order[last])
    return frame.iloc[keep].reset_index(drop=True)
