"""Builds are published atomically, reproducible, and independent of input row order."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from reelgraph.builds import Build, BuildWriter
from reelgraph.errors import DataError
from reelgraph.pipeline import run_build
from reelgraph.recipe import load_recipe


@pytest.fixture(scope="module")
def first(small_dir, tmp_path_factory):
    home = tmp_path_factory.mktemp("home")
    run_build(small_dir, load_recipe("seed"), 5, home)
    return home


def test_manifest_records_recipe_k_fingerprints_and_version(first):
    manifest = Build.open(first).manifest
    assert manifest["k"] == 5
    assert manifest["recipe"]["name"] == "seed"
    names = {f["name"]: f for f in manifest["data"]["files"]}
    assert {"movies.csv", "ratings.csv", "tags.csv"} <= set(names)
    assert len(names["ratings.csv"]["sha256"]) == 64
    assert manifest["reelgraph_version"]
    assert manifest["counts"] == {"movies": 9742, "ratings": 100836, "users": 610,
                                  "edges": 48710}  # fmt: skip


def test_failed_build_leaves_the_previous_one(first, tmp_path):
    before = Build.open(first)
    edges_before = before.edges
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "movies.csv").write_text("movieId,title,genres\n1,A (2000),Drama\n")
    (broken / "ratings.csv").write_text("userId,movieId,rating,timestamp\n1,1,9.0,1\n")
    with pytest.raises(DataError, match=r"ratings\.csv, line 2, column .rating."):
        run_build(broken, load_recipe("seed"), 5, first)
    after = Build.open(first)
    assert after.folder == before.folder
    pd.testing.assert_frame_equal(after.edges, edges_before)
    assert not any(p.name.startswith(".tmp") for p in (first / "builds").iterdir())


def test_interrupted_writer_publishes_nothing(first):
    current = Build.open(first).folder
    with pytest.raises(KeyboardInterrupt), BuildWriter(first) as writer:
        writer.frame("edges", pd.DataFrame({"movie_id": [1]}))
        raise KeyboardInterrupt
    assert Build.open(first).folder == current
    assert not writer.folder.exists()


def test_two_builds_are_identical_and_row_order_does_not_matter(first, small_dir, tmp_path):
    shuffled = tmp_path / "shuffled"
    shuffled.mkdir()
    rng = np.random.default_rng(7)
    for name in ("movies.csv", "ratings.csv"):
        frame = pd.read_csv(small_dir / name)
        frame.iloc[rng.permutation(len(frame))].to_csv(shuffled / name, index=False)
    home = tmp_path / "home"
    run_build(shuffled, load_recipe("seed"), 5, home)
    pd.testing.assert_frame_equal(Build.open(home).edges, Build.open(first).edges)


def test_old_builds_are_pruned(small_dir, tmp_path):
    recipe = load_recipe("seed")
    for _ in range(3):
        run_build(small_dir, recipe, 2, tmp_path)
    kept = [p for p in (tmp_path / "builds").iterdir()]
    assert len(kept) == 2
    assert json.loads((Build.open(tmp_path).folder / "manifest.json").read_text())["k"] == 2
