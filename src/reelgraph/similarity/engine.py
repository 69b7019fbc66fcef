"""Exact top-k over blended per-view cosine similarities: the result types, the exact scorer,
and two engines that give bit-identical results.

Neither engine forms the N x N similarity matrix. Both score blocks of queries in float32,
keep every candidate within a small margin of each row's k-th best score, recompute those
candidates' per-view cosines in float64 (`BlendedScorer.exact`) and rank them by (score
descending, movie position ascending). The positions are in movieId order, so ties resolve by
movieId and the result does not depend on block size, thread count or the order the movies
were read in.

- `top_k` (engine "local"): the structured engine of `reelgraph.similarity.plan`, which scores
  movies without large views (genome, ...) per class of identical small-view vectors.
- `top_k_simple` (engine "local-simple"): every block of query rows against the whole
  catalogue; the reference the structured engine is tested against.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from reelgraph.features.base import ViewVectors

log = logging.getLogger(__name__)

# float32 dot products of unit vectors err by far less than this; candidates within the
# margin of the k-th score are re-scored exactly, so the margin only costs a few extra rows.
MARGIN = 1e-4
SCORES_PER_BLOCK = 1 << 23  # float32 scores held at once (32 MiB): bounds working memory
# Blended scores are rounded to this many decimals before ranking and saving, so that pairs
# whose scores are mathematically equal (and differ only in the last bits of float64
# arithmetic) tie exactly and fall back to movieId order on every machine.
SCORE_DECIMALS = 10
WIDE_VIEW = 64  # views at least this wide are re-scored one query row at a time...
WIDE_RUN = 8  # ...when its candidates are this many on average


@dataclass(frozen=True)
class WeightedView:
    """A view's vectors and its weight in the blend."""

    name: str
    weight: float
    vectors: ViewVectors


@dataclass
class Neighbours:
    """The top-k result, one entry per (movie, rank).

    Attributes:
        source: int64 array, shape (E,): catalogue position of the movie.
        rank: int16 array, shape (E,): 1 for the most similar neighbour.
        target: int64 array, shape (E,): catalogue position of the neighbour.
        score: float64 array, shape (E,): blended score.
        components: view name -> float64 array, shape (E,): that view's cosine for the pair.
    """

    source: np.ndarray
    rank: np.ndarray
    target: np.ndarray
    score: np.ndarray
    components: dict[str, np.ndarray]


class BlendedScorer:
    """The blend of several views over one catalogue, prepared for block scoring.

    Args:
        views: the weighted views; all of the same catalogue size N.
        renormalise: divide each pair's score by the total weight of the views both have.
    """

    def __init__(self, views: Sequence[WeightedView], renormalise: bool = False) -> None:
        self.views = [v for v in views if v.weight > 0]
        self.n = views[0].vectors.n_movies if views else 0
        self.renormalise = renormalise
        self._where = [v.vectors.positions() for v in self.views]
        self._weights = np.array([v.weight for v in self.views])
        presence = np.zeros((self.n, len(self.views)), dtype=np.float32)
        for j, where in enumerate(self._where):
            presence[where >= 0, j] = 1.0
        self._presence = presence

    @functools.cached_property
    def _scan(self) -> list[np.ndarray | sp.csr_matrix]:
        # built on first use: the structured engine only needs `exact`
        return [_padded_float32(v.vectors) for v in self.views]

    def scan(self, start: int, stop: int) -> np.ndarray:
        """Approximate (float32) blended scores of rows start..stop-1 against all movies.

        Returns:
            float32 array, shape (stop - start, N).
        """
        scores = np.zeros((stop - start, self.n), dtype=np.float32)
        for weight, matrix in zip(self._weights, self._scan, strict=True):
            product = matrix[start:stop] @ matrix.T
            if sp.issparse(product):
                product = product.toarray()
            scores += np.float32(weight) * product
        if self.renormalise:
            total = (self._presence[start:stop] * self._weights.astype(np.float32)) @ (
                self._presence.T
            )
            np.divide(scores, total, out=scores, where=total > 0)
        return scores

    def exact(self, source: np.ndarray, target: np.ndarray) -> tuple[np.ndarray, dict]:
        """float64 blended scores and per-view cosines of the pairs (source[i], target[i])."""
        components = {}
        score = np.zeros(len(source), dtype=np.float64)
        total = np.zeros(len(source), dtype=np.float64)
        for view, where, weight in zip(self.views, self._where, self._weights, strict=True):
            cosine = _pair_cosines(view.vectors.matrix, where[source], where[target])
            np.clip(cosine, -1.0, 1.0, out=cosine)  # unit vectors can overshoot by an ulp
            components[view.name] = cosine
            score += weight * cosine
            total += weight * ((where[source] >= 0) & (where[target] >= 0))
        if self.renormalise:
            np.divide(score, total, out=score, where=total > 0)
        return np.round(score, SCORE_DECIMALS), components


def top_k(
    views: Sequence[WeightedView],
    k: int,
    *,
    renormalise: bool = False,
    block_rows: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> Neighbours:
    """Each movie's k most similar other movies, exactly (the structured engine).

    Movies without any vector in a large view fall into classes of identical small-view
    vectors (genres, stats), scored once per class; see `reelgraph.similarity.plan`.
    The result equals `top_k_simple`'s: same neighbours, same tie order, same float64 scores.

    Args:
        views: weighted views over one catalogue of N movies.
        k: neighbours per movie; each movie gets min(k, N - 1).
        renormalise: see `BlendedScorer`.
        block_rows: query movies per block of the large views; by default enough for
            ~32 MiB of scores. The result does not depend on it.
        progress: called with the number of movies finished after each unit of work.

    Returns:
        Neighbours sorted by (source, rank).
    """
    from reelgraph.similarity.plan import TopKPlan

    started = time.perf_counter()
    plan = TopKPlan(views, k, renormalise=renormalise)
    parts, strips = [], plan.reuse()
    for unit in plan.units(block_rows):
        parts.append(plan.solve(unit, strips))
        if progress:
            progress(unit.movies)
    result = plan.assemble(parts)
    seconds = time.perf_counter() - started
    log.info("top-%d of %d movies in %.1f s (%s)", plan.kk, plan.n, seconds, plan.describe())
    return result


def top_k_simple(
    views: Sequence[WeightedView],
    k: int,
    *,
    renormalise: bool = False,
    block_rows: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> Neighbours:
    """Each movie's k most similar other movies, exactly.

    Args:
        views: weighted views over one catalogue of N movies.
        k: neighbours per movie; each movie gets min(k, N - 1).
        renormalise: see `BlendedScorer`.
        block_rows: query rows per block; by default enough for ~32 MiB of scores.
        progress: called with the number of rows finished after each block.

    The plain blocked engine: every query row against the whole catalogue. Kept as the
    reference the structured engine is tested against.

    Returns:
        Neighbours sorted by (source, rank).
    """
    scorer = BlendedScorer(views, renormalise)
    n = scorer.n
    kk = min(k, n - 1)
    if kk <= 0:
        empty = np.zeros(0, dtype=np.int64)
        comps = {v.name: np.zeros(0) for v in scorer.views}
        return Neighbours(empty, empty.astype(np.int16), empty, np.zeros(0), comps)
    block = block_rows or max(1, SCORES_PER_BLOCK // n)
    started = time.perf_counter()

    parts = []
    for start in range(0, n, block):
        stop = min(n, start + block)
        parts.append(_block_top_k(scorer, start, stop, kk))
        if progress:
            progress(stop - start)

    source = np.concatenate([p[0] for p in parts])
    target = np.concatenate([p[1] for p in parts])
    score = np.concatenate([p[2] for p in parts])
    components = {name: np.concatenate([p[3][name] for p in parts]) for name in parts[0][3]}
    rank = np.tile(np.arange(1, kk + 1, dtype=np.int16), n)
    log.info("top-%d of %d movies in %.1f s", kk, n, time.perf_counter() - started)
    return Neighbours(source, rank, target, score, components)


def _block_top_k(scorer: BlendedScorer, start: int, stop: int, kk: int):
    rows = np.arange(start, stop)
    scores = scorer.scan(start, stop)
    scores[rows - start, rows] = -np.inf

    # 1. a threshold per row: its k-th best approximate score, less the margin
    kth = np.partition(scores, scores.shape[1] - kk, axis=1)[:, scores.shape[1] - kk]
    cand_row, cand_col = np.nonzero(scores >= (kth - MARGIN)[:, None])
    del scores

    # 2. exact scores for the candidates, ranked by score then movie position
    source = cand_row + start
    exact, components = scorer.exact(source, cand_col)
    order = np.lexsort((cand_col, -exact, source))
    first = np.searchsorted(source[order], rows)  # rows are contiguous and each has >= kk
    take = (first[:, None] + np.arange(kk)).ravel()
    chosen = order[take]
    return (
        source[chosen],
        cand_col[chosen].astype(np.int64),
        exact[chosen],
        {name: c[chosen] for name, c in components.items()},
    )


def _padded_float32(vectors: ViewVectors) -> np.ndarray | sp.csr_matrix:
    """The (N, d) float32 matrix with zero rows for movies without a vector."""
    if sp.issparse(vectors.matrix):
        coo = sp.csr_matrix(vectors.matrix).tocoo()
        return sp.csr_matrix(
            (coo.data.astype(np.float32), (vectors.rows[coo.row], coo.col)),
            shape=(vectors.n_movies, vectors.dim),
        )
    out = np.zeros((vectors.n_movies, vectors.dim), dtype=np.float32)
    out[vectors.rows] = vectors.matrix
    return out


def _pair_cosines(matrix, left: np.ndarray, right: np.ndarray, chunk: int = 1 << 12):
    """Row-wise dot products matrix[left[i]] . matrix[right[i]] in float64; 0 where either
    index is -1 (no vector).

    Each dot is the pairwise sum numpy's `sum` takes over one C-contiguous row of products,
    a function of the two rows alone: equal rows give bit-equal results wherever they sit
    in a batch or in memory (BLAS and einsum may sum in another order at another alignment,
    which would make exact ties depend on the block layout).
    """
    out = np.zeros(len(left), dtype=np.float64)
    both = np.flatnonzero((left >= 0) & (right >= 0))
    if len(both) == 0:
        return out
    if sp.issparse(matrix):
        for begin in range(0, len(both), chunk):
            idx = both[begin : begin + chunk]
            product = matrix[left[idx]].multiply(matrix[right[idx]])
            out[idx] = np.asarray(product.sum(axis=1)).ravel()
        return out
    if matrix.shape[1] < WIDE_VIEW:
        for begin in range(0, len(both), chunk):
            part = both[begin : begin + chunk]
            out[part] = (matrix[left[part]] * matrix[right[part]]).sum(axis=1)
        return out

    # Wide views: one query row against its candidates at a time, no gather of the query.
    idx = both[np.argsort(left[both], kind="stable")]
    runs = np.flatnonzero(np.diff(left[idx], prepend=-1) != 0)
    if len(idx) < WIDE_RUN * len(runs):
        for begin in range(0, len(idx), chunk):
            part = idx[begin : begin + chunk]
            out[part] = (matrix[left[part]] * matrix[right[part]]).sum(axis=1)
        return out
    for begin, end in zip(runs, np.append(runs[1:], len(idx)), strict=True):
        run = idx[begin:end]
        out[run] = (matrix[right[run]] * matrix[left[run[0]]]).sum(axis=1)
    return out
