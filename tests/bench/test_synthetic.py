"""The synthetic release generator: shape, scale, determinism, and that reelgraph reads it."""

from __future__ import annotations

import hashlib
import shutil

import numpy as np
import pandas as pd
import pytest

from reelgraph.bench.synthetic import Shape, generate, source_checkout
from reelgraph.data import load
from reelgraph.errors import DataError, ReelgraphError
from tests.cli.helpers import reelgraph

SMALL = Shape(movies=62_423, users=300, ratings=30_000, genome_movies=40)


@pytest.fixture(scope="module")
def release(tmp_path_factory, catalog_dir):
    return generate(catalog_dir, tmp_path_factory.mktemp("synth") / "rel", SMALL, seed=3)


def test_ratings_look_like_a_release(release):
    ratings = pd.read_csv(release / "ratings.csv")
    assert len(ratings) == SMALL.ratings
    assert ratings["userId"].nunique() == SMALL.users
    per_user = ratings.groupby("userId").size()
    assert per_user.min() >= 20
    assert per_user.max() > 5 * per_user.median()  # long-tailed activity
    assert set(ratings["rating"].unique()) <= set(np.arange(1, 11) / 2)
    assert ratings["rating"].mode()[0] in (3.0, 4.0)
    key = ratings["userId"].to_numpy() * 10**7 + ratings["movieId"].to_numpy()
    assert np.all(np.diff(key) > 0)  # sorted by (user, movie), each pair once
    popularity = ratings.groupby("movieId").size().sort_values(ascending=False)
    assert popularity.iloc[0] > 20 * popularity.median()  # long-tailed popularity


def test_genome_is_mostly_low_with_a_few_high(release):
    genome = pd.read_csv(release / "genome-scores.csv")
    tags = pd.read_csv(release / "genome-tags.csv")
    assert len(genome) == SMALL.genome_movies * len(tags)
    relevance = genome["relevance"]
    assert relevance.between(0, 1).all()
    assert relevance.median() < 0.15
    assert 0.001 < (relevance > 0.8).mean() < 0.1


def test_reelgraph_reads_it_and_it_says_synthetic(release):
    dataset = load(release)
    assert len(dataset.movies) == SMALL.movies
    assert dataset.genome is not None and len(dataset.genome.movie_ids) == SMALL.genome_movies
    assert "SYNTHETIC" in (release / "README.txt").read_text()


def test_same_seed_same_files(release, catalog_dir, tmp_path):
    again = generate(catalog_dir, tmp_path / "again", SMALL, seed=3)
    for name in ("ratings.csv", "genome-scores.csv", "movies.csv"):
        assert _digest(again / name) == _digest(release / name)


def test_larger_catalogue_is_extended_with_marked_movies(catalog_dir, tmp_path):
    shape = Shape(movies=62_523, users=50, ratings=2_000, genome_movies=5)
    folder = generate(catalog_dir, tmp_path / "big", shape, seed=1)
    movies = load(folder).movies
    assert len(movies) == 62_523
    extra = movies[movies["title"].str.startswith("Synthetic movie")]
    assert len(extra) == 100
    assert movies["movie_id"].is_unique


@pytest.mark.parametrize("present", [(), ("movies.csv",)])
def test_catalog_without_its_files_names_the_missing_one(catalog_dir, tmp_path, present):
    catalog = tmp_path / "catalog"
    catalog.mkdir()
    for name in present:
        shutil.copy(catalog_dir / name, catalog / name)
    missing = "genome-tags.csv" if present else "movies.csv"
    with pytest.raises(DataError, match=rf"{missing}: required file is missing") as info:
        generate(catalog, tmp_path / "out", SMALL)
    assert info.value.path == catalog / missing
    assert not (tmp_path / "out").exists()


def test_synth_cli_missing_catalog_file_exits_1_without_traceback(tmp_path):
    done = reelgraph("synth", "--catalog", str(tmp_path), "--out", str(tmp_path / "s"),
                     home=tmp_path, check=False)  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert "movies.csv: required file is missing" in done.stderr
    assert "Traceback" not in done.stderr


def _fake_checkout(root, name="reelgraph"):
    (root / ".git").mkdir(parents=True)
    (root / "pyproject.toml").write_text(f'[project]\nname = "{name}"\n')
    return root


def test_source_checkout_is_found_above_a_new_folder(tmp_path):
    repo = _fake_checkout(tmp_path / "repo")
    assert source_checkout(repo / "bench" / "new" / "release") == repo.resolve()
    assert source_checkout(tmp_path / "elsewhere") is None
    other = _fake_checkout(tmp_path / "other", name="someproject")
    assert source_checkout(other / "release") is None


def test_synth_refuses_an_output_inside_the_checkout_unless_forced(catalog_dir, tmp_path):
    repo = _fake_checkout(tmp_path / "repo")
    out = repo / "data" / "synthetic"
    with pytest.raises(ReelgraphError, match=r"inside the reelgraph source checkout"):
        generate(catalog_dir, out, SMALL)
    assert not out.exists()

    args = ("synth", "--catalog", str(catalog_dir), "--out", str(out), "--scale", "0.0001")
    done = reelgraph(*args, home=tmp_path, check=False)
    assert done.returncode == 1, done.stderr
    assert "inside the reelgraph source checkout" in done.stderr and "--force" in done.stderr
    assert not out.exists()

    reelgraph(*args, "--force", home=tmp_path)
    assert (out / "ratings.csv").is_file()


def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()
