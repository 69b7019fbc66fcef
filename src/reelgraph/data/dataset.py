"""The in-memory form of a MovieLens release, whatever file layout it came from."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

MOVIE_COLUMNS = ("movie_id", "title", "name", "year", "genres")
RATING_COLUMNS = ("user_id", "movie_id", "rating", "timestamp")
TAG_COLUMNS = ("user_id", "movie_id", "tag", "timestamp")


def catalogue_positions(catalogue: np.ndarray, movie_ids: np.ndarray) -> np.ndarray:
    """Position in the sorted `catalogue` of each of `movie_ids` (all present in it).

    A lookup table indexed by movieId (ids are positive and below a few hundred thousand in
    every release) is 20-50x faster than a binary search over 25M ratings.
    """
    if len(catalogue) and catalogue[0] > 0 and catalogue[-1] < 50_000_000:
        table = np.zeros(int(catalogue[-1]) + 1, dtype=np.int64)
        table[catalogue] = np.arange(len(catalogue))
        return table[movie_ids]
    return np.searchsorted(catalogue, movie_ids)


@dataclass
class Genome:
    """Tag-genome relevances of the movies that have them.

    Attributes:
        movie_ids: int32 array, shape (n,), ascending.
        tag_ids: int32 array, shape (t,), ascending.
        relevance: float64 array, shape (n, t); row i belongs to movie_ids[i], column j to
            tag_ids[j]. Values lie in [0, 1], with every digit of the file kept.
        tag_names: tag name per column, length t.
    """

    movie_ids: np.ndarray
    tag_ids: np.ndarray
    relevance: np.ndarray
    tag_names: list[str]


@dataclass
class LoadReport:
    """What loading found and did besides reading rows, for the build summary."""

    release: str = ""
    ratings_unknown_movie: int = 0
    ratings_duplicate: int = 0
    tags_unknown_movie: int = 0
    genome_unknown_movie: int = 0
    notes: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        """Human-readable lines for what was skipped or repaired (empty when nothing was)."""
        out = []
        if self.ratings_unknown_movie:
            out.append(
                f"skipped {self.ratings_unknown_movie:,} ratings of movies missing from the "
                "movie list"
            )
        if self.ratings_duplicate:
            out.append(
                f"dropped {self.ratings_duplicate:,} repeated (user, movie) ratings, "
                "keeping the latest"
            )
        if self.tags_unknown_movie:
            out.append(f"skipped {self.tags_unknown_movie:,} tags of unknown movies")
        if self.genome_unknown_movie:
            out.append(f"skipped genome rows of {self.genome_unknown_movie:,} unknown movies")
        return out + self.notes


@dataclass
class Dataset:
    """A loaded MovieLens release.

    Attributes:
        movies: one row per movie, sorted by movie_id, with columns movie_id (int32), title
            (str, cleaned), name (str, title without year), year (Int16, nullable),
            genres (list[str], empty when the release lists none).
        ratings: columns user_id (int32), movie_id (int32), rating (float32), timestamp
            (int64); one row per (user, movie), every movie_id present in `movies`.
        tags: user tags with columns user_id, movie_id, tag, timestamp, or None.
        genome: the tag genome, or None when the release has none.
        rating_scale: (lowest, highest, step) of the release's star scale.
        files: the data files read, for fingerprints.
        report: what loading skipped or repaired.
    """

    movies: pd.DataFrame
    ratings: pd.DataFrame
    tags: pd.DataFrame | None = None
    genome: Genome | None = None
    rating_scale: tuple[float, float, float] = (0.5, 5.0, 0.5)
    files: list[Path] = field(default_factory=list)
    report: LoadReport = field(default_factory=LoadReport)

    @property
    def movie_ids(self) -> np.ndarray:
        """int32 array, shape (n_movies,), ascending: the catalogue order every view uses."""
        return self.movies["movie_id"].to_numpy()

    def positions(self, movie_ids: np.ndarray) -> np.ndarray:
        """int64 catalogue positions of `movie_ids`, which must all be in the catalogue."""
        return catalogue_positions(self.movie_ids, movie_ids)

    def genre_names(self) -> list[str]:
        """The release's genres, sorted, `(no genres listed)` never among them."""
        return sorted({g for gs in self.movies["genres"] for g in gs})
