"""The default recipe's graph recommends better than the published seed recipe's."""

from __future__ import annotations

from reelgraph.evaluation.run import evaluate
from reelgraph.recipe import load_recipe


def test_default_beats_seed_on_held_out_ratings(subset):
    result = evaluate(subset, "stratified", k=10, recommenders=["graph-seed", "graph-default"],
                      tune_options=False)  # fmt: skip
    seed, default = (r.scores for r in result.results)
    assert default["ndcg"] > 2 * seed["ndcg"]
    assert default["recall"] > 2 * seed["recall"]


def test_seed_recipe_is_the_published_blend():
    seed = load_recipe("seed")
    assert seed.weights == {"genome": 0.5, "genres": 0.25, "stats": 0.25}
    assert not seed.renormalise
    assert all(not v.options for v in seed.views)
