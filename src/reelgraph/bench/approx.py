"""Fused vectors for other search libraries, and the approximate (SVD-compressed) mode.

The blended score sum_v w_v cos_v(a, b) (without renormalising) is the inner product of the
fused vectors [sqrt(w_1) x_1, sqrt(w_2) x_2, ...], so any exact inner-product search (faiss
`IndexFlatIP`) over them finds the same neighbours, up to float32 ties.

The approximate mode replaces one view (the genome, 1,128 dimensions) by its projection on its
top singular vectors, renormalised: the engine's products shrink with the width. It is not
exact, so the benchmark prints its recall@k against the exact result beside its time.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

from reelgraph.features.base import ViewVectors
from reelgraph.similarity.engine import Neighbours, WeightedView


def fused_vectors(views: Sequence[WeightedView]) -> np.ndarray:
    """float32 array, shape (N, sum of view widths): sqrt(weight)-scaled vectors side by side,
    zeros where a movie has no vector."""
    n = views[0].vectors.n_movies
    used = [v for v in views if v.weight > 0]
    out = np.zeros((n, sum(v.vectors.dim for v in used)), dtype=np.float32)
    offset = 0
    for view in used:
        matrix = view.vectors.matrix
        dense = matrix.toarray() if sp.issparse(matrix) else matrix
        out[view.vectors.rows, offset : offset + view.vectors.dim] = np.sqrt(view.weight) * dense
        offset += view.vectors.dim
    return out


def compressed_views(views: Sequence[WeightedView], name: str, dims: int) -> list[WeightedView]:
    """The views with view `name` projected on its top `dims` singular vectors (rows
    renormalised to unit length)."""
    out = []
    for view in views:
        if view.name != name or view.vectors.dim <= dims:
            out.append(view)
            continue
        matrix = np.asarray(view.vectors.matrix, dtype=np.float64)
        # the top right singular vectors are the top eigenvectors of the (d, d) Gram matrix:
        # far cheaper than an SVD of the (m, d) matrix when m >> d
        _, vectors = np.linalg.eigh(matrix.T @ matrix)
        reduced = matrix @ vectors[:, ::-1][:, :dims]
        norms = np.linalg.norm(reduced, axis=1)
        keep = norms > 0
        vectors = ViewVectors(
            view.vectors.rows[keep], reduced[keep] / norms[keep, None], view.vectors.n_movies
        )
        out.append(dataclasses.replace(view, vectors=vectors))
    return out


def recall_at_k(exact: Neighbours, approx: Neighbours, k: int) -> float:
    """Mean share of each movie's exact top-k found in its approximate top-k."""
    n = int(exact.source.max()) + 1 if len(exact.source) else 0
    if n == 0:
        return 1.0
    kk = len(exact.source) // n
    truth = exact.target.reshape(n, kk)
    found = approx.target.reshape(n, kk)
    hits = (np.sort(truth, axis=1)[:, :, None] == found[:, None, :]).any(axis=2).sum()
    return float(hits / truth.size)
