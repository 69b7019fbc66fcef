"""The `stats` view: release year and rating statistics as small group numbers."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from reelgraph.data.dataset import Dataset, catalogue_positions
from reelgraph.features.base import View, ViewVectors, normalised, register_view

YEAR_BINS = 5


@register_view("stats")
@dataclass
class StatsView(View):
    """The published 3-vector [year_group, count_group, mean_group].

    year_group: 5 equal-width bins between the catalogue's smallest and largest known year,
    labelled 1..5, bins closed on the right with the smallest year in bin 1; 0 without a year.
    count_group: ratings < 2 -> 0, 2..6 -> 1, 7..33 -> 2, > 33 -> 3.
    mean_group: mean <= 2 -> 0, <= 3 -> 1, <= 4 -> 2, above -> 3.
    Both rating groups are -1 for a movie without ratings.

    The cosine of these 3-vectors is near 1 for most pairs; `encoding = "onehot"` instead puts
    each group in its own block of indicator columns, so the cosine is the share of groups two
    movies have in common (a group a movie lacks: no year, no ratings, is left empty).
    """

    encoding: str = "groups"
    """How the groups become a vector: "groups" (the published 3-vector) or "onehot"."""

    mean_shrinkage: float = 0.0
    """Shrink each movie's mean rating towards the mean of all ratings by this many pseudo
    ratings before grouping, (sum + m * global mean) / (count + m), so that a movie with one
    5-star rating is not in the top group. 0 reproduces the published recipe."""

    def __post_init__(self) -> None:
        if self.encoding not in STATS_ENCODINGS:
            raise ValueError(
                f"encoding must be one of {', '.join(sorted(STATS_ENCODINGS))}, "
                f"not {self.encoding!r}"
            )
        if self.mean_shrinkage < 0:
            raise ValueError(f"mean_shrinkage must be >= 0, not {self.mean_shrinkage!r}")

    def vectors(self, dataset: Dataset, ratings: pd.DataFrame) -> ViewVectors:
        count, mean = rating_stats(dataset.movie_ids, ratings)
        if self.mean_shrinkage > 0 and len(ratings):
            prior = float(ratings["rating"].mean())
            m = self.mean_shrinkage
            mean = np.where(count > 0, (np.nan_to_num(mean) * count + m * prior) / (count + m),
                            np.nan)  # fmt: skip
        groups = np.column_stack(
            [year_groups(dataset.movies["year"]), count_groups(count), mean_groups(mean, count)]
        )
        matrix = STATS_ENCODINGS[self.encoding](groups)
        return normalised(matrix, len(dataset.movies))


def _as_groups(groups: np.ndarray) -> np.ndarray:
    """The published encoding: the (N, 3) group numbers as they are."""
    return groups.astype(np.float64)


def _as_onehot(groups: np.ndarray) -> np.ndarray:
    """(N, 3) groups -> (N, 5 + 4 + 4) indicators; year 0 and rating groups -1 (unknown)
    leave their block empty."""
    year, count, mean = groups.T
    blocks = [
        year[:, None] == np.arange(1, YEAR_BINS + 1),
        count[:, None] == np.arange(4),
        mean[:, None] == np.arange(4),
    ]
    return np.hstack(blocks).astype(np.float64)


STATS_ENCODINGS = {"groups": _as_groups, "onehot": _as_onehot}
"""Encoding name -> function from the (N, 3) int64 groups to an (N, d) float64 matrix."""


def rating_stats(movie_ids: np.ndarray, ratings: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Per-movie rating count (int64) and mean (float64, NaN without ratings), shape (N,)."""
    pos = catalogue_positions(movie_ids, ratings["movie_id"].to_numpy())
    n = len(movie_ids)
    count = np.bincount(pos, minlength=n).astype(np.int64)
    total = np.bincount(pos, weights=ratings["rating"].to_numpy(np.float64), minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(count > 0, total / np.maximum(count, 1), np.nan)
    return count, mean


def year_groups(years: pd.Series) -> np.ndarray:
    """1..5 by equal-width bins over the known years (right-closed, smallest in bin 1), 0 if
    the year is unknown."""
    known = years.dropna().astype(np.int64)
    out = np.zeros(len(years), dtype=np.int64)
    if known.empty:
        return out
    low, high = int(known.min()), int(known.max())
    if low == high:
        out[years.notna().to_numpy()] = 1
        return out
    width = (high - low) / YEAR_BINS
    edges = low + width * np.arange(1, YEAR_BINS)  # inner edges; a year on an edge goes left
    values = years.to_numpy(dtype=np.float64, na_value=np.nan)
    groups = np.searchsorted(edges, values, side="left") + 1
    return np.where(np.isnan(values), 0, groups).astype(np.int64)


def count_groups(count: np.ndarray) -> np.ndarray:
    """0 below 2 ratings, 1 for 2..6, 2 for 7..33, 3 above 33; -1 without ratings."""
    groups = np.select([count < 2, count <= 6, count <= 33], [0, 1, 2], default=3)
    return np.where(count == 0, -1, groups)


def mean_groups(mean: np.ndarray, count: np.ndarray) -> np.ndarray:
    """0 for a mean <= 2, 1 for <= 3, 2 for <= 4, 3 above; -1 without ratings."""
    filled = np.nan_to_num(mean, nan=0.0)
    groups = np.select([filled <= 2, filled <= 3, filled <= 4], [0, 1, 2], default=3)
    return np.where(count == 0, -1, groups)
