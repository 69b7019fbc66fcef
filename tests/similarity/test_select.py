"""Selection helpers against brute force."""

from __future__ import annotations

import numpy as np

from reelgraph.similarity.select import above, expand, lower_bound, within_margin


def test_lower_bound_never_exceeds_the_kth_largest(rng):
    for _ in range(30):
        b, m = rng.integers(1, 8), rng.integers(1, 3000)
        j = int(rng.integers(1, m + 1))
        scores = rng.random((b, m), dtype=np.float32)
        kth = np.sort(scores, axis=1)[:, m - j]
        assert np.all(lower_bound(scores, j) <= kth)


def test_counted_threshold_matches_brute_force(rng):
    for _ in range(30):
        b, m, kk = 5, int(rng.integers(1, 60)), int(rng.integers(1, 12))
        scores = rng.integers(0, 6, size=(b, m)).astype(np.float32)  # many exact ties
        counts = rng.integers(1, 4, size=m)
        row, col, value = above(scores, np.full(b, -np.inf, dtype=np.float32))
        keep, threshold = within_margin(row, value, counts[col], kk, b)
        for r in range(b):
            expanded = np.sort(np.repeat(scores[r], counts))[::-1]
            expected = expanded[kk - 1] if len(expanded) >= kk else -np.inf
            assert threshold[r] == expected
        np.testing.assert_array_equal(keep, value >= threshold[row] - 1e-4)


def test_expand_takes_the_first_members():
    members = np.array([10, 11, 12, 20, 21, 30])
    rows, targets = expand(np.array([0, 1]), np.array([0, 3]), np.array([2, 1]), members)
    assert rows.tolist() == [0, 0, 1]
    assert targets.tolist() == [10, 11, 20]
