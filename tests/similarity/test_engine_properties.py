"""Invariants of the engine over random catalogues (Hypothesis)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from reelgraph.similarity.engine import top_k
from tests.similarity.helpers import random_views

catalogues = st.tuples(
    st.integers(min_value=2, max_value=60),  # movies
    st.integers(min_value=1, max_value=12),  # k
    st.integers(min_value=0, max_value=2**32 - 1),  # seed
    st.booleans(),  # renormalise
)


def _run(n, k, seed, renormalise, block_rows=None):
    views = random_views(np.random.default_rng(seed), n)
    return views, top_k(views, k, renormalise=renormalise, block_rows=block_rows)


@settings(max_examples=60, deadline=None)
@given(catalogues)
def test_scores_bounded_no_self_and_full_rows(case):
    n, k, seed, renormalise = case
    _, result = _run(n, k, seed, renormalise)
    assert np.all(result.score >= -1 - 1e-9) and np.all(result.score <= 1 + 1e-9)
    assert not np.any(result.source == result.target)
    counts = np.bincount(result.source, minlength=n)
    assert np.all(counts == min(k, n - 1))
    # each movie's neighbours are distinct and ranked 1..k by non-increasing score
    for i in range(n):
        mine = result.source == i
        assert len(set(result.target[mine])) == mine.sum()
        assert np.all(np.diff(result.score[mine]) <= 1e-12)


@settings(max_examples=40, deadline=None)
@given(catalogues, st.integers(min_value=1, max_value=70))
def test_block_size_does_not_change_the_result(case, block_rows):
    n, k, seed, renormalise = case
    _, whole = _run(n, k, seed, renormalise, block_rows=n)
    _, blocked = _run(n, k, seed, renormalise, block_rows=block_rows)
    np.testing.assert_array_equal(whole.source, blocked.source)
    np.testing.assert_array_equal(whole.target, blocked.target)
    np.testing.assert_array_equal(whole.score, blocked.score)
