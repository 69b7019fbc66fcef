"""The graph recommender computed in memory from the edges table.

Candidates are the movies reached by a SIMILAR edge from the movies a user liked; a candidate's
score is the sum of the scores of the edges reaching it; movies the user rated are never
recommended; ties go to the smaller movieId. The graph stores answer the same question in
Cypher; `recommend_many` serves evaluation, where thousands of users are scored at once, and
`LikedWalk` serves one request at a time, keeping the edges behind each recommendation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

LIKED_THRESHOLD = 4.0


@dataclass
class EdgeMatrix:
    """The similarity graph as a sparse matrix over a catalogue.

    Attributes:
        movie_ids: int array, shape (N,), ascending; row/column i is movie_ids[i].
        matrix: CSR float64, shape (N, N); entry (i, j) is the score of edge i -> j.
    """

    movie_ids: np.ndarray
    matrix: sp.csr_matrix

    @classmethod
    def from_edges(cls, edges: pd.DataFrame, movie_ids: np.ndarray) -> EdgeMatrix:
        """From an edges frame (movie_id, similar_id, score) over the catalogue `movie_ids`."""
        src = np.searchsorted(movie_ids, edges["movie_id"].to_numpy())
        dst = np.searchsorted(movie_ids, edges["similar_id"].to_numpy())
        n = len(movie_ids)
        matrix = sp.csr_matrix((edges["score"].to_numpy(np.float64), (src, dst)), shape=(n, n))
        return cls(np.asarray(movie_ids), matrix)


def recommend_from_liked(
    graph: EdgeMatrix, liked: np.ndarray, exclude: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray]:
    """Top-k movies for one user.

    Args:
        graph: the edge matrix.
        liked: int array of liked movie_ids (the walk's starting points).
        exclude: int array of movie_ids never to recommend (everything the user rated).
        k: list length.

    Returns:
        (movie_ids, scores), at most k each, best first, ties by movie_id ascending.
    """
    walked = LikedWalk(graph)(liked, exclude, k)
    return walked.movie_ids, walked.scores


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


def recommend_many(
    graph: EdgeMatrix, ratings: pd.DataFrame, k: int, threshold: float = LIKED_THRESHOLD
) -> dict[int, np.ndarray]:
    """Top-k movie_ids for every user of `ratings` (user_id, movie_id, rating), in one sparse
    product. Users with no liked movie get an empty list."""
    users, user_pos = np.unique(ratings["user_id"].to_numpy(), return_inverse=True)
    items = np.searchsorted(graph.movie_ids, ratings["movie_id"].to_numpy())
    n = len(graph.movie_ids)
    liked = (ratings["rating"].to_numpy() >= threshold).astype(np.float64)
    seen = sp.csr_matrix((np.ones(len(items)), (user_pos, items)), shape=(len(users), n))
    likes = sp.csr_matrix((liked, (user_pos, items)), shape=(len(users), n))
    likes.eliminate_zeros()
    scores = (likes @ graph.matrix).tocsr()
    out = {}
    for u, user_id in enumerate(users):
        start, stop = scores.indptr[u], scores.indptr[u + 1]
        cols, vals = scores.indices[start:stop], scores.data[start:stop]
        rated = seen.indices[seen.indptr[u] : seen.indptr[u + 1]]
        keep = ~np.isin(cols, rated)
        cols, vals = cols[keep], vals[keep]
        order = np.lexsort((cols, -vals))[:k]
        out[int(user_id)] = graph.movie_ids[cols[order]]
    return out
