"""Readers for the legacy MovieLens layouts: ml-100k (`u.data`, `u.item`) and ml-1m (`.dat`).

Both are Latin-1, headerless and unquoted, with whole stars from 1 to 5:

- ml-100k: `u.data` is tab-separated `user id, item id, rating, timestamp`; `u.item` is
  `|`-separated `movie id | title | release date | video release date | IMDb URL` followed by
  one 0/1 flag per genre, in the order `u.genre` lists them (`name|index` lines). The genre
  `unknown` means the movie has no genre.
- ml-1m: `movies.dat` is `MovieID::Title::Genres` (genres `|`-separated) and `ratings.dat` is
  `UserID::MovieID::Rating::Timestamp`.
"""

from __future__ import annotations

import logging
import re
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from reelgraph.data.csvio import Layout, line_of, numpy_columns, read_csv, require_file
from reelgraph.data.dataset import Dataset, LoadReport
from reelgraph.data.releases import Release
from reelgraph.data.validate import clean_ratings, movies_frame, split_genres
from reelgraph.errors import DataError

log = logging.getLogger(__name__)

WHOLE_STARS = (1.0, 5.0, 1.0)
LATIN_1 = "latin-1"
NO_GENRE_100K = "unknown"
RATING_COLUMNS = ("user_id", "movie_id", "rating", "timestamp")
RATING_TYPES = {"user_id": pa.int32(), "movie_id": pa.int32(), "rating": pa.float32(),
                "timestamp": pa.int64()}  # fmt: skip
_RELEASE_DATE = re.compile(r"(\d{4})\s*$")


def load_100k(folder: Path) -> Dataset:
    """Load an ml-100k folder (`u.data`, `u.item`, `u.genre`)."""
    started = time.perf_counter()
    report = LoadReport(release="ml-100k")
    genres = read_genre_names(folder / "u.genre")
    movies = read_items(folder / "u.item", genres)
    ratings = _ratings(folder / "u.data", Layout("\t", LATIN_1, RATING_COLUMNS, False),
                       movies, report)  # fmt: skip
    return _finish(folder, movies, ratings, report, started,
                   [folder / "u.item", folder / "u.genre", folder / "u.data"])  # fmt: skip


def load_1m(folder: Path) -> Dataset:
    """Load an ml-1m folder (`movies.dat`, `ratings.dat`)."""
    started = time.perf_counter()
    report = LoadReport(release="ml-1m")
    movies = read_movies_dat(folder / "movies.dat")
    ratings = _ratings(folder / "ratings.dat", Layout("::", LATIN_1, RATING_COLUMNS, False),
                       movies, report)  # fmt: skip
    return _finish(folder, movies, ratings, report, started,
                   [folder / "movies.dat", folder / "ratings.dat"])  # fmt: skip


def read_genre_names(path: Path) -> list[str]:
    """u.genre -> genre names ordered by their index (the order of u.item's flags)."""
    require_file(path)
    indexed: dict[int, str] = {}
    lines = path.read_bytes().decode(LATIN_1).splitlines()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        name, sep, index = line.rpartition("|")
        if not sep or not index.strip().isdigit() or not name.strip():
            raise DataError(path, f"expected 'name|index', found {line!r}", line=number)
        indexed[int(index)] = name.strip()
    if sorted(indexed) != list(range(len(indexed))):
        raise DataError(path, f"expected genre indexes 0 to {len(indexed) - 1}, found "
                        f"{sorted(indexed)}")  # fmt: skip
    if not indexed:
        raise DataError(path, "file has no genres; expected 'name|index' lines")
    return [indexed[i] for i in range(len(indexed))]


def read_items(path: Path, genre_names: list[str]) -> pd.DataFrame:
    """u.item -> the `Dataset.movies` frame; the year falls back to the release date's."""
    flags = [f"genre {name!r}" for name in genre_names]
    names = ("movie_id", "title", "release_date", "video_date", "url", *flags)
    layout = Layout("|", LATIN_1, names, quoted=False)
    types = {"movie_id": pa.int32(), "title": pa.string(), "release_date": pa.string(),
             **dict.fromkeys(flags, pa.int8())}  # fmt: skip
    table = read_csv(path, types, layout=layout)

    matrix = np.column_stack([table[f].to_numpy() for f in flags])
    _check_flags(path, matrix, flags, layout)
    keep = np.array([name != NO_GENRE_100K for name in genre_names])
    genre_array = np.array(genre_names, dtype=object)
    genres = [list(genre_array[row.astype(bool) & keep]) for row in matrix]

    movies = movies_frame(path, table["movie_id"].to_numpy(), table["title"].to_pylist(),
                          genres, layout=layout, id_column="movie_id")  # fmt: skip
    dates = dict(zip(table["movie_id"].to_pylist(), table["release_date"].to_pylist(),
                     strict=True))  # fmt: skip
    missing = movies["year"].isna()
    movies.loc[missing, "year"] = [_date_year(dates[m]) for m in movies["movie_id"][missing]]
    return movies


def read_movies_dat(path: Path) -> pd.DataFrame:
    """movies.dat -> the `Dataset.movies` frame."""
    layout = Layout("::", LATIN_1, ("movie_id", "title", "genres"), quoted=False)
    table = read_csv(
        path, {"movie_id": pa.int32(), "title": pa.string(), "genres": pa.string()},
        layout=layout,
    )  # fmt: skip
    genres = [split_genres(g) for g in table["genres"].to_pylist()]
    return movies_frame(path, table["movie_id"].to_numpy(), table["title"].to_pylist(),
                        genres, layout=layout, id_column="movie_id")  # fmt: skip


def _ratings(path: Path, layout: Layout, movies: pd.DataFrame, report: LoadReport) -> pd.DataFrame:
    table = read_csv(path, RATING_TYPES, layout=layout)
    columns = numpy_columns(table)
    return clean_ratings(columns, path, movies, WHOLE_STARS, report, layout=layout,
                         id_columns=("user_id", "movie_id"))  # fmt: skip


def _check_flags(path: Path, matrix: np.ndarray, flags: list[str], layout: Layout) -> None:
    bad = (matrix != 0) & (matrix != 1)
    if bad.any():
        row, col = (int(i) for i in np.argwhere(bad)[0])
        raise DataError(path, f"expected a genre flag 0 or 1, found {int(matrix[row, col])}",
                        line=line_of(path, row, layout), column=flags[col])  # fmt: skip


def _date_year(date: str | None) -> int | None:
    match = _RELEASE_DATE.search(date or "")
    return int(match.group(1)) if match else None


def _finish(folder, movies, ratings, report, started, files) -> Dataset:
    log.info(
        "loaded %s (%s): %d movies, %d ratings, %d users in %.1f s",
        folder, report.release, len(movies), len(ratings), ratings["user_id"].nunique(),
        time.perf_counter() - started,
    )  # fmt: skip
    return Dataset(movies, ratings, None, None, WHOLE_STARS, files, report)


RELEASES: list[Release] = [
    Release("ml-100k", ("u.data", "u.item", "u.genre"), load_100k),
    Release("ml-1m", ("movies.dat", "ratings.dat"), load_1m),
]
