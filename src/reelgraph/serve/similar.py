"""Filtering and re-weighting a movie's stored neighbours at query time."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass(frozen=True)
class SimilarFilters:
    """Which neighbours to keep.

    Attributes:
        genres: keep a neighbour only if it has at least one of these genres (empty: all).
        exclude_genres: drop a neighbour having any of these genres.
        year_min: drop neighbours released before this year (and those without a year).
        year_max: drop neighbours released after this year (and those without a year).
        min_ratings: drop neighbours with fewer ratings than this.
    """

    genres: frozenset[str] = field(default_factory=frozenset)
    exclude_genres: frozenset[str] = field(default_factory=frozenset)
    year_min: int | None = None
    year_max: int | None = None
    min_ratings: int = 0

    def keeps(self, record: dict[str, Any]) -> bool:
        """Whether a movie record (genres, year, n_ratings) passes every filter."""
        genres = set(record["genres"])
        year = record["year"]
        if self.genres and not genres & self.genres:
            return False
        if genres & self.exclude_genres:
            return False
        if (self.year_min is not None or self.year_max is not None) and year is None:
            return False
        if self.year_min is not None and year < self.year_min:
            return False
        if self.year_max is not None and year > self.year_max:
            return False
        return record["n_ratings"] >= self.min_ratings

    def mask(self, records: Sequence[dict[str, Any]]) -> np.ndarray:
        """bool array, shape (len(records),): which records pass."""
        return np.fromiter((self.keeps(r) for r in records), dtype=bool, count=len(records))


def rank_edges(
    cosines: np.ndarray,
    built_scores: np.ndarray,
    targets: np.ndarray,
    weights: dict[str, float],
    views: Sequence[str],
    *,
    reweighted: bool,
    keep: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Order one movie's stored edges under `weights`, best first, ties by movie_id.

    Args:
        cosines: float64, shape (E, V): each edge's cosine in each view.
        built_scores: float64, shape (E,): the scores as built.
        targets: int64, shape (E,): the neighbour movie_ids.
        weights: view -> weight to score with.
        views: the V view names, in column order.
        reweighted: score as sum(weight x cosine) instead of keeping the built score.
        keep: bool, shape (E,): the edges passing the filters.

    Returns:
        (order, scores, contributions): int positions of kept edges best first; float64
        scores, shape (E,); float64 weight x cosine, shape (E, V).
    """
    w = np.array([weights[v] for v in views], dtype=np.float64)
    parts = cosines * w
    scores = parts.sum(axis=1) if reweighted else built_scores
    kept = np.flatnonzero(keep)
    order = kept[np.lexsort((targets[kept], -scores[kept]))]
    return order, scores, parts
