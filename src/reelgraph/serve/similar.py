"""Filtering and re-weighting a movie's stored neighbours at query time."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


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
