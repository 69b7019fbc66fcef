"""The published recipe's method, rewritten for benchmarks: dense N x N matrices per view.

The published code reads the CSV files with pandas, pivots the genome scores into a
movie x tag table, takes scikit-learn's `cosine_similarity` of each view (genome, genres
one-hot, the [year, count, mean] group vector) as dense N x N float64 matrices, pads the
genome matrix to the catalogue, blends 0.5 / 0.25 / 0.25 and sorts every row. Its memory
grows as ~56 N^2 bytes, which is why it stopped at 1,000 sampled movies.

One bug is fixed here so that the neighbours can be compared with reelgraph's: the published
code padded the genome matrix without aligning its rows to the catalogue (genome movie i was
treated as catalogue movie i); here the genome rows go to their movieIds' positions. Ties
break by catalogue position (movieId order), as in reelgraph.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics.pairwise import cosine_similarity

WEIGHTS = {"genome": 0.5, "genres": 0.25, "stats": 0.25}
NO_GENRES = "(no genres listed)"


def published_top_k(folder: Path, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The top-k neighbours of every movie of the release in `folder`, the published way.

    Returns:
        movie_ids: int64 array, shape (N,), ascending.
        neighbours: int64 array, shape (N, k): neighbour movieIds, best first.
        scores: float64 array, shape (N, k): blended scores.
    """
    movies = pd.read_csv(folder / "movies.csv").sort_values("movieId", ignore_index=True)
    ratings = pd.read_csv(folder / "ratings.csv")
    genome_file = folder / "genome-scores.csv"
    genome = pd.read_csv(genome_file) if genome_file.is_file() else None
    n = len(movies)

    blended = WEIGHTS["genome"] * _genome_similarity(movies, genome)
    blended += WEIGHTS["genres"] * cosine_similarity(_genre_table(movies))
    blended += WEIGHTS["stats"] * cosine_similarity(_stats_table(movies, ratings))
    np.fill_diagonal(blended, -np.inf)

    k = min(k, n - 1)
    order = np.argsort(-blended, axis=1, kind="stable")[:, :k]
    scores = np.take_along_axis(blended, order, axis=1)
    ids = movies["movieId"].to_numpy(np.int64)
    return ids, ids[order], scores


def _genome_similarity(movies: pd.DataFrame, genome: pd.DataFrame | None) -> np.ndarray:
    """(N, N) genome cosines, zero for movies without genome rows, aligned by movieId."""
    padded = np.zeros((len(movies), len(movies)))
    if genome is None:
        return padded
    table = genome.pivot(index="movieId", columns="tagId", values="relevance")
    table = table[table.index.isin(movies["movieId"])]
    similarity = cosine_similarity(table.to_numpy())
    where = np.searchsorted(movies["movieId"].to_numpy(), table.index.to_numpy())
    padded[np.ix_(where, where)] = similarity
    return padded


def _genre_table(movies: pd.DataFrame) -> np.ndarray:
    onehot = movies["genres"].str.get_dummies(sep="|")
    return onehot.drop(columns=[NO_GENRES], errors="ignore").to_numpy(np.float64)


def _stats_table(movies: pd.DataFrame, ratings: pd.DataFrame) -> np.ndarray:
    """[year_group, count_group, mean_group] per movie, the published groupings."""
    year = movies["title"].str.strip().str.extract(r"\((\d{4})(?:\s*[-–]\s*\d{0,4})?\)$")[0]
    year = pd.to_numeric(year)
    year_group = pd.cut(year, bins=5, labels=[1, 2, 3, 4, 5]).astype(float).fillna(0.0)

    per_movie = ratings.groupby("movieId")["rating"].agg(["count", "mean"])
    per_movie = per_movie.reindex(movies["movieId"])
    count = per_movie["count"].fillna(0).to_numpy()
    mean = per_movie["mean"].fillna(0).to_numpy()
    count_group = np.select([count < 2, count <= 6, count <= 33], [0, 1, 2], default=3)
    mean_group = np.select([mean <= 2, mean <= 3, mean <= 4], [0, 1, 2], default=3)
    count_group = np.where(count == 0, -1, count_group)
    mean_group = np.where(count == 0, -1, mean_group)
    return np.column_stack([year_group.to_numpy(), count_group, mean_group]).astype(np.float64)
