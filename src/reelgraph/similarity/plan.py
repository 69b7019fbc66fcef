"""The structured top-k kernel: large views scored per movie, small views per class.

A recipe's views split in two kinds:

- *small* views (genres, stats): dense, few dimensions, few distinct rows. Movies with the same
  rows in every small view form a *class*; ML-25M's 62k movies fall into a few thousand.
- *large* views (genome, and any sparse or high-entropy view): scored per movie.

Let L be the movies with a vector in some large view (13,816 genome movies in ML-25M) and R
the rest. A movie in R scores the same against every member of a class, and two movies of R
in the same class have the same scores against everyone. So:

- a query in L is scored against the movies of L one by one (one fused float32 product:
  all views, square-root-weighted, side by side) and against the classes of R;
- a query class of R is scored against all classes, once for all its members.

The scan keeps every candidate within `MARGIN` of the k-th best approximate score, counting a
class as many times as it has members (capped at k), expands candidate classes to their first
members in catalogue order (members of a class tie exactly, so later members can never be
chosen), and ranks the candidates by their exact float64 scores, ties by catalogue position:
the same result as `top_k_simple`. The plan holds only numpy arrays, so it pickles: the Spark
engine broadcasts it and runs `solve` on each partition's units.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from reelgraph.similarity.engine import (
    MARGIN,
    SCORES_PER_BLOCK,
    BlendedScorer,
    Neighbours,
    WeightedView,
)
from reelgraph.similarity.select import (
    above,
    expand,
    first_k_per_row,
    lower_bound,
    within_margin,
)

SMALL_VIEW_DIM = 64  # a dense view this narrow may be a small view...
SMALL_VIEW_DISTINCT = 0.5  # ...if its distinct rows are at most this share of its rows
REUSE_BYTES = 1 << 29  # the symmetric half of the L x L product is kept up to 512 MiB


@dataclass(frozen=True)
class Unit:
    """One piece of work: rows start..stop-1 of the L queries, or of the R query classes.

    Attributes:
        kind: "movies" (queries in L, one by one) or "classes" (query classes of R).
        start, stop: the range, in L order or in R-class order.
        movies: how many movies the unit finishes (for progress).
    """

    kind: str
    start: int
    stop: int
    movies: int


@dataclass
class Part:
    """A unit's result: kk neighbours per query movie, rank order, grouped by source."""

    source: np.ndarray
    target: np.ndarray
    score: np.ndarray
    components: dict[str, np.ndarray]


class TopKPlan:
    """The prepared catalogue: classes, fused vectors and member lists.

    Args:
        views: weighted views over one catalogue of N movies.
        k: neighbours per movie (each gets kk = min(k, N - 1)).
        renormalise: divide each pair's score by the weight of the views both movies have.
    """

    def __init__(self, views: Sequence[WeightedView], k: int, *, renormalise: bool = False):
        self.scorer = BlendedScorer(views, renormalise)
        self.n = self.scorer.n
        self.kk = max(0, min(k, self.n - 1))
        self.renormalise = renormalise
        used = self.scorer.views
        self.weights = np.array([v.weight for v in used], dtype=np.float32)
        small = [j for j, v in enumerate(used) if _is_small(v)]
        large = [j for j in range(len(used)) if j not in small]
        # the most a pair can score through small views alone (a bound used to skip
        # classes outside L); renormalised scores reach 1 through any view
        small_weight = float(sum(used[j].weight for j in small))
        self.small_bound = np.inf if renormalise else small_weight
        self.view_kinds = {
            used[j].name: "small" if j in small else "large" for j in range(len(used))
        }

        self._classes(used, small)
        self._large(used, large)
        self._members()

    # -- preparation -------------------------------------------------------------------

    def _classes(self, used: list[WeightedView], small: list[int]) -> None:
        """class_of (N,), class_vec (C, d_small) float32 sqrt-weighted, class_pres (C, V)."""
        ids = np.zeros((self.n, max(len(small), 1)), dtype=np.int64)
        pieces = []
        for col, j in enumerate(small):
            vectors = used[j].vectors
            distinct, inverse = np.unique(np.asarray(vectors.matrix), axis=0, return_inverse=True)
            ids[:, col] = -1
            ids[vectors.rows, col] = inverse.ravel()
            pieces.append((j, distinct))
        keys, self.class_of = np.unique(ids, axis=0, return_inverse=True)
        self.class_of = self.class_of.ravel()
        n_classes = len(keys)

        dims = [distinct.shape[1] for _, distinct in pieces]
        self.class_vec = np.zeros((n_classes, sum(dims)), dtype=np.float32)
        self.class_pres = np.zeros((n_classes, len(used)), dtype=np.float32)
        offset = 0
        for col, (j, distinct) in enumerate(pieces):
            has = keys[:, col] >= 0
            block = np.sqrt(used[j].weight) * distinct[keys[has, col]]
            self.class_vec[has, offset : offset + distinct.shape[1]] = block
            self.class_pres[has, j] = 1.0
            offset += distinct.shape[1]

    def _large(self, used: list[WeightedView], large: list[int]) -> None:
        """L (positions with a large view) and its fused vectors, sparse parts, presence."""
        in_large = np.zeros(self.n, dtype=bool)
        for j in large:
            in_large[used[j].vectors.rows] = True
        self.large_rows = np.flatnonzero(in_large)
        self.in_large = in_large
        local = np.full(self.n, -1, dtype=np.int64)
        local[self.large_rows] = np.arange(len(self.large_rows))

        dense = [j for j in large if not sp.issparse(used[j].vectors.matrix)]
        width = sum(used[j].vectors.dim for j in dense) + self.class_vec.shape[1]
        fused = np.zeros((len(self.large_rows), width), dtype=np.float32)
        offset = 0
        for j in dense:
            vectors = used[j].vectors
            fused[local[vectors.rows], offset : offset + vectors.dim] = (
                np.sqrt(used[j].weight) * vectors.matrix
            )
            offset += vectors.dim
        fused[:, offset:] = self.class_vec[self.class_of[self.large_rows]]
        self.large_vec = fused

        self.large_sparse = []
        for j in large:
            vectors = used[j].vectors
            if sp.issparse(vectors.matrix):
                coo = sp.csr_matrix(vectors.matrix).tocoo()
                matrix = sp.csr_matrix(
                    (coo.data.astype(np.float32), (local[vectors.rows[coo.row]], coo.col)),
                    shape=(len(self.large_rows), vectors.dim),
                )
                self.large_sparse.append((np.float32(used[j].weight), matrix))

        pres = self.class_pres[self.class_of[self.large_rows]].copy()
        for j in large:
            pres[local[used[j].vectors.rows], j] = 1.0
        self.large_pres = pres

    def _members(self) -> None:
        """Member lists of every class (whole catalogue) and of each class's R movies."""
        n_classes = len(self.class_vec)
        order = np.lexsort((np.arange(self.n), self.class_of))
        self.all_members = order
        self.all_count = np.bincount(self.class_of, minlength=n_classes)
        self.all_start = np.cumsum(self.all_count) - self.all_count

        rest = np.flatnonzero(~self.in_large)
        rest_class = self.class_of[rest]
        order = np.lexsort((rest, rest_class))
        self.rest_members = rest[order]
        self.rest_classes, first, counts = np.unique(
            rest_class[order], return_index=True, return_counts=True
        )
        self.rest_start = first
        self.rest_count = counts

    # -- work --------------------------------------------------------------------------

    def units(self, block_rows: int | None = None) -> list[Unit]:
        """The work, in blocks: L query movies, then R query classes."""
        if self.kk == 0:
            return []
        out = []
        n_large = len(self.large_rows)
        width = n_large + len(self.rest_classes)
        block = block_rows or max(1, SCORES_PER_BLOCK // max(width, 1))
        for start in range(0, n_large, block):
            stop = min(n_large, start + block)
            out.append(Unit("movies", start, stop, stop - start))
        block = max(1, SCORES_PER_BLOCK // max(len(self.class_vec), 1))
        for start in range(0, len(self.rest_classes), block):
            stop = min(len(self.rest_classes), start + block)
            movies = int(self.rest_count[start:stop].sum())
            out.append(Unit("classes", start, stop, movies))
        return out

    def solve(self, unit: Unit, strips: Strips | None = None) -> Part:
        """The top-kk of every query movie of `unit`.

        Args:
            unit: the work.
            strips: products kept from earlier units (see `reuse`); only when the units are
                solved in order in one process.
        """
        if unit.kind == "movies":
            return self._solve_movies(unit.start, unit.stop, strips)
        return self._solve_classes(unit.start, unit.stop)

    def reuse(self) -> Strips | None:
        """A store for the symmetric half of the L x L product, or None when it would hold
        more than REUSE_BYTES."""
        n_large = len(self.large_rows)
        return Strips() if 2 * n_large * n_large <= REUSE_BYTES else None

    def _solve_movies(self, start: int, stop: int, strips: Strips | None = None) -> Part:
        kk, b = self.kk, stop - start
        query = self.large_rows[start:stop]

        # 1. candidates among L, and each row's kk-th best score among L alone
        scores = self._large_scores(start, stop, strips)
        scores[np.arange(b), np.arange(start, stop)] = -np.inf
        row, col, value = above(scores, lower_bound(scores, kk))
        del scores
        keep, reached = within_margin(row, value, np.ones(len(row), np.int64), kk, b)
        row, targets, value = row[keep], self.large_rows[col[keep]], value[keep]

        # 2. classes outside L, only for rows whose kk-th best they could still beat
        need = np.flatnonzero(~(reached - 2 * MARGIN > self.small_bound))
        if len(need) and len(self.rest_classes):
            class_scores = self._class_scores(
                self.large_vec[start + need], self.large_pres[start + need], self.rest_classes
            )
            bound = np.maximum(reached[need], lower_bound(class_scores, kk))
            c_row, c_col, c_value = above(class_scores, bound)
            del class_scores
            counts = np.minimum(self.rest_count[c_col], kk)
            keep, _ = within_margin(
                np.concatenate([row, need[c_row]]),
                np.concatenate([value, c_value]),
                np.concatenate([np.ones(len(row), np.int64), counts]),
                kk,
                b,
            )
            c_keep = keep[len(row) :]
            row, targets = row[keep[: len(row)]], targets[keep[: len(row)]]
            c_rows, c_targets = expand(
                need[c_row[c_keep]],
                self.rest_start[c_col[c_keep]],
                counts[c_keep],
                self.rest_members,
            )
            row = np.concatenate([row, c_rows])
            targets = np.concatenate([targets, c_targets])
        return self._rank(query[row], targets, kk)

    def _solve_classes(self, start: int, stop: int) -> Part:
        kk, b = self.kk, stop - start
        query_class = self.rest_classes[start:stop]
        reps = self.rest_members[self.rest_start[start:stop]]
        scores = self._class_scores(
            self.class_vec[query_class], self.class_pres[query_class], None
        )
        # one more than kk: a query's own class holds the query itself, which does not count
        row, col, value = above(scores, lower_bound(scores, kk + 1))
        del scores
        counts = np.minimum(self.all_count[col], kk + 1) - (col == query_class[row])
        keep, _ = within_margin(row, value, counts, kk, b)
        row, col = row[keep], col[keep]

        rows, targets = expand(
            row, self.all_start[col], np.minimum(self.all_count[col], kk + 1), self.all_members
        )
        ranked = self._rank(reps[rows], targets, None)
        return self._per_member(ranked, start, stop)

    # -- scoring helpers ---------------------------------------------------------------

    def _large_scores(self, start: int, stop: int, strips: Strips | None = None) -> np.ndarray:
        """float32 (b, |L|): approximate blended scores of L queries start..stop-1 against L.

        With `strips` (blocks solved in order), the columns of earlier blocks come from their
        stored products, transposed: the product is symmetric, so half of it is computed.
        """
        vectors = self.large_vec
        if strips is None:
            scores = vectors[start:stop] @ vectors.T
        else:
            scores = np.empty((stop - start, len(vectors)), dtype=np.float32)
            strips.fill(scores, start, stop)
            right = vectors[start:stop] @ vectors[start:].T
            scores[:, start:] = right
            strips.add(start, stop, right[:, stop - start :])
        for weight, matrix in self.large_sparse:
            scores += weight * (matrix[start:stop] @ matrix.T).toarray()
        if self.renormalise:
            total = (self.large_pres[start:stop] * self.weights) @ self.large_pres.T
            np.divide(scores, total, out=scores, where=total > 0)
        return scores

    def _class_scores(self, query_vec, query_pres, classes) -> np.ndarray:
        """float32 (b, C'): approximate scores of queries against classes (all if None),
        using only the small views (a class member has no large view, or is scored as if)."""
        width = self.class_vec.shape[1]
        target_vec = self.class_vec if classes is None else self.class_vec[classes]
        target_pres = self.class_pres if classes is None else self.class_pres[classes]
        scores = np.ascontiguousarray(query_vec[:, query_vec.shape[1] - width :]) @ target_vec.T
        if self.renormalise:
            total = (query_pres * self.weights) @ target_pres.T
            np.divide(scores, total, out=scores, where=total > 0)
        return scores

    def _rank(self, source: np.ndarray, target: np.ndarray, kk: int | None) -> Part:
        """Exact scores of the candidate pairs, ranked by (source, -score, target); the first
        kk per source when kk is given, else all."""
        score, components = self.scorer.exact(source, target)
        order = np.lexsort((target, -score, source))
        if kk is not None:
            order = order[first_k_per_row(source[order], kk)]
        return Part(
            source[order],
            target[order],
            score[order],
            {name: c[order] for name, c in components.items()},
        )

    def _per_member(self, ranked: Part, start: int, stop: int) -> Part:
        """Spread each query class's ranked list to its R members, dropping each member
        itself from its own list."""
        kk = self.kk
        reps = self.rest_members[self.rest_start[start:stop]]
        list_start = np.searchsorted(ranked.source, reps)  # lists are sorted by their rep

        # where each member sits in its own class's list (if it made the list at all)
        source, target = ranked.source, ranked.target
        fresh = np.concatenate([[True], source[1:] != source[:-1]])
        group = np.maximum.accumulate(np.where(fresh, np.arange(len(source)), 0))
        own = (self.class_of[target] == self.class_of[source]) & ~self.in_large[target]
        place = np.full(self.n, np.iinfo(np.int64).max // 2, dtype=np.int64)
        place[target[own]] = (np.arange(len(source)) - group)[own]

        counts = self.rest_count[start:stop]
        members = self.rest_members[self.rest_start[start] : self.rest_start[start] + counts.sum()]
        base = np.repeat(list_start, counts)
        skip = place[members]
        steps = np.arange(kk)
        index = base[:, None] + steps + (steps >= skip[:, None])
        index = index.ravel()
        return Part(
            np.repeat(members, kk),
            ranked.target[index],
            ranked.score[index],
            {name: c[index] for name, c in ranked.components.items()},
        )

    # -- result ------------------------------------------------------------------------

    def assemble(self, parts: list[Part]) -> Neighbours:
        """All parts' rows as one Neighbours sorted by (source, rank)."""
        kk = self.kk
        names = [v.name for v in self.scorer.views]
        if kk == 0 or not parts:
            empty = np.zeros(0, dtype=np.int64)
            return Neighbours(
                empty,
                empty.astype(np.int16),
                empty,
                np.zeros(0),
                {name: np.zeros(0) for name in names},
            )
        source = np.concatenate([p.source for p in parts])
        order = (np.argsort(source[::kk], kind="stable")[:, None] * kk + np.arange(kk)).ravel()
        target = np.concatenate([p.target for p in parts])[order]
        score = np.concatenate([p.score for p in parts])[order]
        components = {
            name: np.concatenate([p.components[name] for p in parts])[order] for name in names
        }
        rank = np.tile(np.arange(1, kk + 1, dtype=np.int16), self.n)
        return Neighbours(
            source[order].astype(np.int64), rank, target.astype(np.int64), score, components
        )

    def describe(self) -> str:
        """One line on the structure found, for the log."""
        kinds = ", ".join(f"{name} {kind}" for name, kind in self.view_kinds.items())
        return (
            f"{len(self.large_rows)} movies with large views, {len(self.class_vec)} "
            f"classes, {len(self.rest_classes)} classes without; views: {kinds}"
        )


class Strips:
    """Products of solved blocks of L with the columns after them (float32), so that a later
    block takes its columns of earlier blocks transposed instead of multiplying again."""

    def __init__(self) -> None:
        self._strips: list[tuple[int, int, np.ndarray]] = []

    def add(self, start: int, stop: int, strip: np.ndarray) -> None:
        """Keep block start..stop-1's products with columns stop.. (shape (b, |L| - stop))."""
        self._strips.append((start, stop, strip))

    def fill(self, scores: np.ndarray, start: int, stop: int) -> None:
        """Write columns 0..start-1 of block start..stop-1 (all earlier blocks) into scores."""
        for first, last, strip in self._strips:
            scores[:, first:last] = strip[:, start - last : stop - last].T


def _is_small(view: WeightedView) -> bool:
    """Dense, narrow and repetitive enough to be scored per class."""
    matrix = view.vectors.matrix
    if sp.issparse(matrix) or view.vectors.dim > SMALL_VIEW_DIM or len(view.vectors.rows) == 0:
        return False
    distinct = len(np.unique(np.asarray(matrix), axis=0))
    return distinct <= SMALL_VIEW_DISTINCT * len(view.vectors.rows)
