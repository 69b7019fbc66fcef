"""Recognising a release from its files; folders that are no release say what was expected."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from reelgraph.data import detect, load
from reelgraph.data.releases import releases
from reelgraph.errors import DataError, ReleaseNotRecognised

FIXTURES = Path(__file__).parent / "fixtures"


def test_real_release_is_csv(small_dir):
    assert detect(small_dir).name == "movielens-csv"


def test_every_layout_is_registered():
    assert [r.name for r in releases()] == ["movielens-csv", "ml-100k", "ml-1m"]


def test_unrecognised_folder_names_every_layouts_files(tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(ReleaseNotRecognised) as info:
        detect(tmp_path)
    message = str(info.value)
    assert message.startswith(f"{tmp_path}: no MovieLens release recognised")
    assert "movielens-csv: movies.csv, ratings.csv" in message
    assert "ml-100k: u.data, u.item, u.genre" in message
    assert "ml-1m: movies.dat, ratings.dat" in message
    assert message.endswith("found notes.txt")


def test_empty_folder(tmp_path):
    with pytest.raises(ReleaseNotRecognised, match=r"found no files$"):
        load(tmp_path)


def test_missing_required_file_is_named(small_dir, tmp_path):
    shutil.copy(small_dir / "ratings.csv", tmp_path / "ratings.csv")
    shutil.copy(small_dir / "tags.csv", tmp_path / "tags.csv")
    with pytest.raises(ReleaseNotRecognised) as info:
        load(tmp_path)
    assert str(info.value) == (
        f"{tmp_path}: looks like a movielens-csv release but required file(s) movies.csv are "
        "missing; expected movies.csv, ratings.csv, found ratings.csv, tags.csv"
    )


def test_missing_u_genre_is_named(tmp_path):
    for name in ("u.data", "u.item"):
        shutil.copy(FIXTURES / "ml-100k-mini" / name, tmp_path / name)
    with pytest.raises(ReleaseNotRecognised, match=r"looks like a ml-100k release but required "
                       r"file\(s\) u\.genre are missing"):  # fmt: skip
        load(tmp_path)


def test_not_a_folder(tmp_path):
    with pytest.raises(DataError, match=r"not a folder; expected a MovieLens release folder"):
        load(tmp_path / "nowhere")


def test_optional_files_are_optional(small_dir, tmp_path):
    for name in ("movies.csv", "ratings.csv"):
        shutil.copy(small_dir / name, tmp_path / name)
    dataset = load(tmp_path)
    assert dataset.tags is None and dataset.genome is None
    assert [p.name for p in dataset.files] == ["movies.csv", "ratings.csv"]
