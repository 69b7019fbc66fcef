"""The graph recommender computed in memory from the edges table.

Candidates are the movies reached by a SIMILAR edge from the movies a user liked; a candidate's
score is the sum of the scores of the edges reaching it; movies the user rated are never
recommended; ties go to the smaller movieId. The graph stores answer the same question in
Cypher; this version serves evaluation, where thousands of users are scored at once.
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
    pos = np.searchsorted(graph.movie_ids, liked)
    reached = np.asarray(graph.matrix[pos].sum(axis=0)).ravel()
    touched = np.zeros(len(reached), dtype=bool)
    touched[graph.matrix[pos].indices] = True
    touched[np.searchsorted(graph.movie_ids, exclude)] = False
    candidates = np.flatnonzero(touched)
    order = np.lexsort((candidates, -reached[candidates]))[:k]
    chosen = candidates[order]
    return graph.movie_ids[chosen], reached[chosen]


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
