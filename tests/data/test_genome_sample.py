"""The real ML-25M genome sample: loaded vectors give the cosine computed by hand from the file."""

from __future__ import annotations

import csv
import math
import shutil
from pathlib import Path

import numpy as np
import pytest

from reelgraph.data import load
from reelgraph.features import make_view


@pytest.fixture(scope="module")
def genome_release(catalog_dir, tmp_path_factory) -> Path:
    """The real ML-25M movies.csv and genome sample, with a few ratings."""
    folder = tmp_path_factory.mktemp("genome-release")
    shutil.copy(catalog_dir / "movies.csv", folder / "movies.csv")
    shutil.copy(catalog_dir / "genome-scores.sample.csv", folder / "genome-scores.csv")
    shutil.copy(catalog_dir / "genome-tags.csv", folder / "genome-tags.csv")
    (folder / "ratings.csv").write_text(
        "userId,movieId,rating,timestamp\n1,1,4.0,1\n1,2,3.5,2\n2,3,5.0,3\n2,1,2.0,4\n"
    )
    return folder


def _by_hand(path: Path) -> dict[int, dict[int, float]]:
    vectors: dict[int, dict[int, float]] = {}
    with path.open(newline="") as f:
        for row in csv.DictReader(f):
            movie = vectors.setdefault(int(row["movieId"]), {})
            movie[int(row["tagId"])] = float(row["relevance"])
    return vectors


def _cosine(a: dict[int, float], b: dict[int, float]) -> float:
    dot = sum(a[t] * b.get(t, 0.0) for t in a)
    norm_a = math.sqrt(sum(v * v for v in a.values()))
    norm_b = math.sqrt(sum(v * v for v in b.values()))
    return dot / (norm_a * norm_b)


def test_genome_loads_every_tag(genome_release):
    dataset = load(genome_release)
    genome = dataset.genome
    assert genome.movie_ids.tolist() == [1, 2, 3]
    assert genome.tag_ids.tolist() == list(range(1, 1_129))
    assert genome.relevance.shape == (3, 1_128)
    assert genome.tag_names[:2] == ["007", "007 (series)"]
    assert len(dataset.movies) == 62_423


def test_genome_cosine_of_movies_1_and_2_equals_hand_computation(genome_release):
    by_hand = _by_hand(genome_release / "genome-scores.csv")
    assert len(by_hand[1]) == len(by_hand[2]) == 1_128
    expected = _cosine(by_hand[1], by_hand[2])

    dataset = load(genome_release)
    vectors = make_view("genome").vectors(dataset, dataset.ratings)
    where = vectors.positions()
    one, two = (where[np.searchsorted(dataset.movie_ids, m)] for m in (1, 2))
    got = float(vectors.matrix[one] @ vectors.matrix[two])
    assert got == pytest.approx(expected, abs=1e-9)
    assert 0.5 < expected < 0.99  # similar, not identical: the check is not vacuous
    assert vectors.rows.size == 3  # movies without genome rows get no vector


def _rewrite_scores(folder: Path, source: Path, edit) -> None:
    lines = source.read_bytes().split(b"\r\n")
    header, rows = lines[0], [r for r in lines[1:] if r]
    (folder / "genome-scores.csv").write_bytes(b"\r\n".join([header, *edit(rows)]) + b"\r\n")


@pytest.mark.parametrize(
    ("edit", "missing"),
    [
        pytest.param(lambda rows: rows[::-1], None, id="reversed"),
        pytest.param(lambda rows: rows[1128:] + rows[:1128], None, id="movies-out-of-order"),
        pytest.param(lambda rows: rows[:5] + rows[6:], (0, 5), id="movie-1-tag-6-missing"),
    ],
)
def test_genome_in_any_order_gives_the_same_matrix(genome_release, tmp_path, edit, missing):
    """The sorted file takes the linear pass; every other layout must give the same result."""
    sorted_genome = load(genome_release).genome
    folder = tmp_path / "release"
    shutil.copytree(genome_release, folder)
    _rewrite_scores(folder, genome_release / "genome-scores.csv", edit)
    genome = load(folder).genome
    assert genome.movie_ids.tolist() == sorted_genome.movie_ids.tolist()
    assert genome.tag_ids.tolist() == sorted_genome.tag_ids.tolist()
    assert genome.tag_names == sorted_genome.tag_names
    expected = sorted_genome.relevance.copy()
    if missing is not None:  # a pair absent from the file reads as 0
        assert expected[missing] > 0
        expected[missing] = 0.0
    np.testing.assert_array_equal(genome.relevance, expected)
    assert genome.relevance.dtype == np.float64 and genome.relevance.flags.writeable
