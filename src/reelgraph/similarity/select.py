"""Cheap top-k selection over blocks of approximate scores, with counted columns.

A column may stand for one movie or for a class of movies that all score the same; its count
says how many movies it stands for. Selection finds, per row, every column whose score is
within `MARGIN` of the row's k-th best score counted with multiplicity.
"""

from __future__ import annotations

import numpy as np

from reelgraph.similarity.engine import MARGIN


def threshold_candidates(
    scores: np.ndarray,
    counts: np.ndarray,
    kk: int,
    own: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Columns of each row scoring within MARGIN of the row's kk-th best (with multiplicity).

    Plan: 1. a lower bound: the plain kk-th largest column (each column counts at least once);
    2. the columns above it less the margin, few per row; 3. among those, the exact counted
    kk-th best, and the columns within the margin of it.

    Args:
        scores: float32 array, shape (b, m).
        counts: int64 array, shape (m,): movies each column stands for (>= 1).
        kk: movies wanted per row; the counted total of every row is at least kk.
        own: (rows, cols): in each of these cells one movie, the query itself, is not a
            candidate, so the cell counts one less.

    Returns:
        row, col: int64 arrays of the candidate cells.
    """
    b, m = scores.shape
    j = min(kk + (0 if own is None else 1), m)
    plain = np.partition(scores, m - j, axis=1)[:, m - j]
    row, col = np.nonzero(scores >= (plain - MARGIN)[:, None])
    value = scores[row, col]
    weight = counts[col].astype(np.int64)
    if own is not None:
        own_col = np.full(b, -1, dtype=np.int64)
        own_col[own[0]] = own[1]
        weight -= col == own_col[row]

    order = np.lexsort((-value, row))
    row, col, value, weight = row[order], col[order], value[order], weight[order]
    starts = _group_starts(row)
    total = np.cumsum(weight)
    before = np.repeat(total[starts] - weight[starts], np.diff(np.append(starts, len(row))))
    reached = (total - before) >= kk
    first = reached & ~np.concatenate([[False], reached[:-1] & (row[1:] == row[:-1])])
    threshold = np.full(b, -np.inf, dtype=np.float32)
    threshold[row[first]] = value[first]
    keep = value >= threshold[row] - MARGIN
    return row[keep], col[keep]


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
    starts = _group_starts(sorted_rows)
    return (starts[:, None] + np.arange(kk)).ravel()


def _group_starts(sorted_rows: np.ndarray) -> np.ndarray:
    if len(sorted_rows) == 0:
        return np.zeros(0, dtype=np.int64)
    return np.flatnonzero(np.concatenate([[True], sorted_rows[1:] != sorted_rows[:-1]]))
