"""Random views and a brute-force dense reference for engine tests."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from reelgraph.features.base import normalised
from reelgraph.similarity.engine import Neighbours, WeightedView


def random_views(
    rng: np.random.Generator, n: int, *, sparse_view: bool = False, coverage: float = 0.6
) -> list[WeightedView]:
    """Three views shaped like genome (dense, partial coverage), genres (0/1, repetitive) and
    stats (small ints, repetitive), optionally a sparse fourth."""
    genome = rng.random((n, 16)) ** 3
    genome[rng.random(n) > coverage] = 0.0
    genres = (rng.random((n, 5)) < 0.3).astype(float)
    stats = rng.integers(-1, 4, size=(n, 3)).astype(float)
    views = [
        WeightedView("genome", 0.5, normalised(genome, n)),
        WeightedView("genres", 0.25, normalised(genres, n)),
        WeightedView("stats", 0.25, normalised(stats, n)),
    ]
    if sparse_view:
        tags = sp.random(n, 40, density=0.08, random_state=np.random.RandomState(1))
        views.append(WeightedView("tags", 0.3, normalised(sp.csr_matrix(tags), n)))
    return views


def dense_blend(views: list[WeightedView], renormalise: bool = False) -> np.ndarray:
    """The full N x N blended score matrix in float64, the slow obvious way."""
    n = views[0].vectors.n_movies
    total = np.zeros((n, n))
    weight_sum = np.zeros((n, n))
    for view in views:
        full = np.zeros((n, view.vectors.dim))
        matrix = view.vectors.matrix
        full[view.vectors.rows] = matrix.toarray() if sp.issparse(matrix) else matrix
        total += view.weight * (full @ full.T)
        present = np.zeros(n)
        present[view.vectors.rows] = 1.0
        weight_sum += view.weight * np.outer(present, present)
    if renormalise:
        total = np.divide(total, weight_sum, out=np.zeros_like(total), where=weight_sum > 0)
    return total


def dense_top_k(scores: np.ndarray, k: int) -> list[list[tuple[int, float]]]:
    """Per row, the k best (column, score) by score descending then column ascending,
    never the row itself."""
    n = len(scores)
    out = []
    for i in range(n):
        cols = [j for j in range(n) if j != i]
        cols.sort(key=lambda j: (-scores[i, j], j))
        out.append([(j, scores[i, j]) for j in cols[: min(k, n - 1)]])
    return out


def as_lists(result: Neighbours, n: int) -> list[list[tuple[int, float]]]:
    """Engine output regrouped per source row."""
    out: list[list[tuple[int, float]]] = [[] for _ in range(n)]
    for s, t, score in zip(result.source, result.target, result.score, strict=True):
        out[int(s)].append((int(t), float(score)))
    return out
