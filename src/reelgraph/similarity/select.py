"""Cheap top-k selection over blocks of approximate scores, with counted columns.

A column may stand for one movie or for a class of movies that all score the same; its count
says how many movies it stands for. Selection finds, per row, every column whose score is
within `MARGIN` of the row's k-th best score counted with multiplicity, in three steps:
a lower bound on that score from a sample of the columns (the k-th best of any subset is no
higher than the k-th best of all), the few columns above the bound (one pass), and the exact
counted k-th best among those.
"""

from __future__ import annotations

import numpy as np

from reelgraph.similarity.engine import MARGIN

SAMPLE_STRIDE = 8  # the lower bound looks at every 8th column...
SAMPLE_WIDTH = 4  # ...but at least 4 times as many columns as the rank it needs


def lower_bound(scores: np.ndarray, j: int) -> np.ndarray:
    """A lower bound on each row's j-th largest score: the j-th largest of a column sample.

    Args:
        scores: float32 array, shape (b, m).
        j: the rank, 1-based.

    Returns:
        float32 array, shape (b,); -inf where the row has fewer than j columns.
    """
    b, m = scores.shape
    if m < j or m == 0:
        return np.full(b, -np.inf, dtype=np.float32)
    stride = max(1, min(SAMPLE_STRIDE, m // (SAMPLE_WIDTH * j)))
    sample = scores[:, ::stride]
    width = sample.shape[1]
    return np.partition(sample, width - j, axis=1)[:, width - j]


def above(scores: np.ndarray, bound: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The cells of each row scoring at least its bound less the margin.

    Returns:
        row, col: int64 arrays; value: float32 array, the cells' scores.
    """
    m = scores.shape[1]
    flat = np.flatnonzero(scores >= (bound - MARGIN)[:, None])
    row, col = np.divmod(flat, m) if m else (flat, flat)
    return row, col, scores.ravel()[flat]


def within_margin(
    row: np.ndarray, value: np.ndarray, weight: np.ndarray, kk: int, b: int
) -> tuple[np.ndarray, np.ndarray]:
    """Which candidate cells lie within the margin of their row's counted kk-th best.

    Args:
        row: int64 array, shape (c,): each cell's row (0..b-1).
        value: float32 array, shape (c,): each cell's score.
        weight: int64 array, shape (c,): how many movies each cell stands for (may be 0).
        kk: the rank wanted; each row's cells weigh kk or more in total, unless the row has
            no cells worth keeping.
        b: number of rows.

    Returns:
        keep: bool array, shape (c,); threshold: float32 array, shape (b,), each row's
        counted kk-th best score (-inf where its cells weigh less than kk).
    """
    keep = np.zeros(len(row), dtype=bool)
    threshold = np.full(b, -np.inf, dtype=np.float32)
    if len(row) == 0:
        return keep, threshold

    # each row's cells side by side in a padded (rows, widest) table, sorted by score
    order = np.argsort(row, kind="stable")
    srow = row[order]
    starts = group_starts(srow)
    sizes = np.diff(np.append(starts, len(srow)))
    slot = np.arange(len(srow)) - np.repeat(starts, sizes)
    line = np.repeat(np.arange(len(starts)), sizes)
    table = np.full((len(starts), int(sizes.max())), -np.inf, dtype=np.float32)
    weights = np.zeros(table.shape, dtype=np.int64)
    table[line, slot] = value[order]
    weights[line, slot] = weight[order]
    by_score = np.argsort(-table, axis=1, kind="stable")
    total = np.cumsum(np.take_along_axis(weights, by_score, axis=1), axis=1)

    reached = total[:, -1] >= kk
    kth = np.argmax(total >= kk, axis=1)
    best = np.take_along_axis(table, np.take_along_axis(by_score, kth[:, None], axis=1), axis=1)
    threshold[srow[starts[reached]]] = best[reached, 0]
    return value >= threshold[row] - MARGIN, threshold


def expand(
    rows: np.ndarray, starts: np.ndarray, lengths: np.ndarray, members: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Each (row, class) candidate as its first `length` members.

    Args:
        rows: int64 array, shape (c,): the query row of each candidate class.
        starts, lengths: int64 arrays, shape (c,): where the class's members start in
            `members`, and how many of them to take.
        members: int64 array: catalogue positions, grouped by class, ascending in a class.

    Returns:
        rows, targets: int64 arrays, shape (lengths.sum(),).
    """
    lengths = np.asarray(lengths, dtype=np.int64)
    offsets = np.arange(int(lengths.sum())) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    return np.repeat(rows, lengths), members[np.repeat(starts, lengths) + offsets]


def first_k_per_row(sorted_rows: np.ndarray, kk: int) -> np.ndarray:
    """Indices of the first kk entries of each run of equal values in `sorted_rows` (every
    run has at least kk)."""
    starts = group_starts(sorted_rows)
    return (starts[:, None] + np.arange(kk)).ravel()


def group_starts(sorted_rows: np.ndarray) -> np.ndarray:
    """Where each run of equal values starts in a sorted array."""
    if len(sorted_rows) == 0:
        return np.zeros(0, dtype=np.int64)
    return np.flatnonzero(np.concatenate([[True], sorted_rows[1:] != sorted_rows[:-1]]))
