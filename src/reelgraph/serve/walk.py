"""The graph recommender for one request, with the edges behind each recommendation.

Same answer as `reelgraph.recommend.walk.recommend_from_liked` (sum of the scores of the edges
leaving the liked movies, rated movies excluded, ties by movieId), computed on the raw CSR
arrays so one request costs a few small numpy calls, and keeping the edges it walked so the
explanation needs no second lookup.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from reelgraph.recommend.walk import EdgeMatrix


@dataclass(frozen=True)
class Walked:
    """The top-k of one walk.

    Attributes:
        movie_ids: int64, shape (K,): recommended movies, best first.
        scores: float64, shape (K,): their summed edge scores.
        reasons: per recommended movie, (liked movie_ids int64, edge scores float64), the
            largest contribution first, ties by movie_id.
    """

    movie_ids: np.ndarray
    scores: np.ndarray
    reasons: list[tuple[np.ndarray, np.ndarray]]


class LikedWalk:
    """One-hop walk from liked movies over the similarity graph.

    Args:
        graph: the edge matrix (CSR, rows and columns in ascending movie_id order).
    """

    def __init__(self, graph: EdgeMatrix) -> None:
        matrix = graph.matrix
        self.movie_ids = graph.movie_ids
        self.indptr = matrix.indptr.astype(np.int64)
        self.indices = matrix.indices.astype(np.int64)
        self.data = matrix.data.astype(np.float64)

    def __call__(self, liked: np.ndarray, exclude: np.ndarray, k: int) -> Walked:
        """Top-k for a user who liked `liked` and rated `exclude` (movie_id int arrays)."""
        # 1. gather every edge leaving a liked movie; 2. sum per target; 3. drop rated
        # targets and rank; 4. keep the edges into the chosen targets as the reasons.
        liked = np.unique(liked)
        rows = np.searchsorted(self.movie_ids, liked)
        starts, stops = self.indptr[rows], self.indptr[rows + 1]
        counts = stops - starts
        edge = np.repeat(starts - np.cumsum(counts) + counts, counts) + np.arange(counts.sum())
        source = np.repeat(liked, counts)
        target, score = self.indices[edge], self.data[edge]

        targets, inverse = np.unique(target, return_inverse=True)
        sums = np.bincount(inverse, weights=score, minlength=len(targets))
        rated = np.isin(targets, np.searchsorted(self.movie_ids, exclude))
        candidates = np.flatnonzero(~rated)
        order = candidates[np.lexsort((targets[candidates], -sums[candidates]))][:k]

        reasons = []
        for pos in order:
            into = np.flatnonzero(inverse == pos)
            by = np.lexsort((source[into], -score[into]))
            reasons.append((source[into][by], score[into][by]))
        return Walked(self.movie_ids[targets[order]], sums[order], reasons)
