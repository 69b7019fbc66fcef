"""The structured engine against the simple blocked engine: bit-identical results."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from reelgraph.features.base import normalised
from reelgraph.similarity.engine import (
    BlendedScorer,
    Neighbours,
    WeightedView,
    top_k,
    top_k_simple,
)
from reelgraph.similarity.plan import TopKPlan


def structured_views(
    rng: np.random.Generator, n: int, *, coverage: float, sparse: bool = False, width: int = 24
):
    """Views shaped like ML-25M's: a partial wide view, repetitive small genres and stats."""
    genome = rng.random((n, width)) ** 4
    genome[rng.random(n) > coverage] = 0.0
    genome[1::7] = genome[0]  # duplicate rows: exact ties inside the large view
    genres = (rng.random((n, 6)) < 0.25).astype(float)
    stats = rng.integers(-1, 3, size=(n, 3)).astype(float) * rng.integers(1, 3, size=(n, 1))
    views = [
        WeightedView("genome", 0.5, normalised(genome, n)),
        WeightedView("genres", 0.25, normalised(genres, n)),
        WeightedView("stats", 0.25, normalised(stats, n)),
    ]
    if sparse:
        tags = sp.random(n, 30, density=0.05, random_state=np.random.RandomState(3))
        views.append(WeightedView("tags", 0.2, normalised(sp.csr_matrix(tags), n)))
    return views


def assert_identical(a: Neighbours, b: Neighbours) -> None:
    for field in ("source", "rank", "target", "score"):
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field), err_msg=field)
    assert a.components.keys() == b.components.keys()
    for name in a.components:
        np.testing.assert_array_equal(a.components[name], b.components[name], err_msg=name)


@pytest.mark.parametrize("renormalise", [False, True])
@pytest.mark.parametrize("coverage", [0.0, 0.15, 0.6, 1.0])
@pytest.mark.parametrize("sparse", [False, True])
def test_structured_equals_simple(rng, renormalise, coverage, sparse):
    n, k = 400, 9
    views = structured_views(rng, n, coverage=coverage, sparse=sparse)
    expected = top_k_simple(views, k, renormalise=renormalise)
    got = top_k(views, k, renormalise=renormalise, block_rows=37)
    assert_identical(expected, got)


@pytest.mark.parametrize("seed", range(12))
def test_structured_equals_simple_random_shapes(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 120))
    k = int(rng.integers(1, 20))
    views = structured_views(rng, n, coverage=float(rng.random()), sparse=seed % 3 == 0)
    renormalise = seed % 2 == 1
    expected = top_k_simple(views, k, renormalise=renormalise)
    assert_identical(expected, top_k(views, k, renormalise=renormalise,
                                     block_rows=int(rng.integers(1, 30))))  # fmt: skip


@pytest.mark.parametrize("renormalise", [False, True])
def test_structured_equals_simple_with_a_wide_view(rng, renormalise):
    # 96 columns: exact dots go row by row, each distinct pair once
    views = structured_views(rng, 300, coverage=0.5, width=96)
    expected = top_k_simple(views, 12, renormalise=renormalise)
    assert_identical(expected, top_k(views, 12, renormalise=renormalise, block_rows=41))


@pytest.mark.parametrize("width", [8, 96])
def test_exact_dots_depend_on_the_two_rows_only(rng, width):
    views = structured_views(rng, 200, coverage=0.9, width=width)
    scorer = BlendedScorer(views)
    left, right = rng.integers(0, 200, 3000), rng.integers(0, 200, 3000)
    whole, parts = scorer.exact(left, right)
    swapped, _ = scorer.exact(right, left)
    np.testing.assert_array_equal(whole, swapped)
    order = rng.permutation(3000)[:700]
    subset, subset_parts = scorer.exact(left[order], right[order])
    np.testing.assert_array_equal(subset, whole[order])
    for name in parts:
        np.testing.assert_array_equal(subset_parts[name], parts[name][order])
    # row 1 repeats row 0's genome: their genome cosines with anyone are bit-identical
    _, twin = scorer.exact(np.ones(200, dtype=np.int64), np.arange(200))
    _, first = scorer.exact(np.zeros(200, dtype=np.int64), np.arange(200))
    np.testing.assert_array_equal(twin["genome"], first["genome"])


def test_small_views_form_classes(rng):
    views = structured_views(rng, 400, coverage=0.2)
    plan = TopKPlan(views, 5)
    assert plan.view_kinds == {"genome": "large", "genres": "small", "stats": "small"}
    assert len(plan.large_rows) < 0.3 * 400
    assert 0 < len(plan.rest_classes) < 400 - len(plan.large_rows)
    # every movie in R sits in exactly one class, members ascending
    members = np.sort(plan.rest_members)
    np.testing.assert_array_equal(members, np.flatnonzero(~plan.in_large))


def test_one_huge_class_ties_by_position():
    # No large view and one signature: every pair ties, neighbours are the lowest positions.
    n = 500
    same = normalised(np.ones((n, 3)), n)
    result = top_k([WeightedView("stats", 1.0, same)], 4)
    assert result.target[:4].tolist() == [1, 2, 3, 4]
    assert result.target[4 * 2 : 4 * 3].tolist() == [0, 1, 3, 4]
    assert result.target[-4:].tolist() == [0, 1, 2, 3]


def test_plan_pickles(rng):
    import pickle

    views = structured_views(rng, 120, coverage=0.3)
    plan = pickle.loads(pickle.dumps(TopKPlan(views, 6)))
    parts = [plan.solve(u) for u in plan.units(17)]
    assert_identical(top_k_simple(views, 6), plan.assemble(parts))


def test_k_larger_than_catalogue(rng):
    views = structured_views(rng, 6, coverage=0.5)
    result = top_k(views, 50)
    assert np.bincount(result.source).tolist() == [5] * 6
    assert_identical(top_k_simple(views, 50), result)
