"""The published dense method (alignment fixed) finds reelgraph's neighbours."""

from __future__ import annotations

import numpy as np
import pytest

from reelgraph.bench.published import published_top_k
from reelgraph.bench.scale import compare_lists, write_sample
from reelgraph.bench.synthetic import Shape, generate
from reelgraph.data import load
from reelgraph.pipeline import compute_views
from reelgraph.recipe import load_recipe
from reelgraph.similarity.engine import top_k


@pytest.fixture(scope="module")
def sample(tmp_path_factory, catalog_dir):
    root = tmp_path_factory.mktemp("pub")
    release = generate(catalog_dir, root / "rel", Shape(62_423, 400, 60_000, 300), seed=5)
    return write_sample(release, 600, seed=2, folder=root / "sample")


def test_published_equals_reelgraph_up_to_ties(sample, tmp_path):
    k = 10
    ids, neighbours, scores = published_top_k(sample, k)
    np.savez(tmp_path / "pub.npz", movie_ids=ids, neighbours=neighbours, scores=scores)

    dataset = load(sample)
    result = top_k(compute_views(dataset, load_recipe("seed")), k)
    ours_ids = dataset.movie_ids.astype(np.int64)
    np.savez(tmp_path / "rg.npz", movie_ids=ours_ids,
             neighbours=ours_ids[result.target].reshape(-1, k),
             scores=result.score.reshape(-1, k))  # fmt: skip

    same, up_to_ties = compare_lists(tmp_path / "pub.npz", tmp_path / "rg.npz")
    assert up_to_ties == 1.0
    assert same > 0.5  # most lists agree even in tie order


def test_sample_keeps_only_its_movies(sample):
    dataset = load(sample)
    assert len(dataset.movies) == 600
    assert set(dataset.ratings["movie_id"]) <= set(dataset.movie_ids)
    assert set(dataset.genome.movie_ids) <= set(dataset.movie_ids)
