"""The legacy layouts ml-100k and ml-1m, read from small fixtures in their exact formats."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from reelgraph.data import detect, load
from reelgraph.errors import DataError

FIXTURES = Path(__file__).parent / "fixtures"
RATING_DTYPES = ["int32", "int32", "float32", "int64"]


@pytest.fixture(scope="module")
def ml100k():
    return load(FIXTURES / "ml-100k-mini")


@pytest.fixture(scope="module")
def ml1m():
    return load(FIXTURES / "ml-1m-mini")


def _row(dataset, movie_id: int) -> pd.Series:
    return dataset.movies.set_index("movie_id").loc[movie_id]


def test_detects_each_layout():
    assert detect(FIXTURES / "ml-100k-mini").name == "ml-100k"
    assert detect(FIXTURES / "ml-1m-mini").name == "ml-1m"


@pytest.mark.parametrize("name", ["ml100k", "ml1m"])
def test_same_dataset_shape_as_csv_reader(request, small, name):
    dataset = request.getfixturevalue(name)
    assert list(dataset.movies.columns) == list(small.movies.columns)
    assert list(dataset.ratings.columns) == list(small.ratings.columns)
    assert [str(t) for t in dataset.ratings.dtypes] == RATING_DTYPES
    assert dataset.movies["movie_id"].dtype == "int32"
    assert dataset.movies["year"].dtype == "Int16"
    assert dataset.movies["movie_id"].is_monotonic_increasing
    assert dataset.rating_scale == (1.0, 5.0, 1.0)
    assert dataset.tags is None and dataset.genome is None
    assert all(p.is_file() for p in dataset.files)


def test_100k_latin1_titles_and_genre_flags(ml100k):
    assert _row(ml100k, 2)["title"] == "Misérables, Les (1995)"
    assert _row(ml100k, 8)["title"] == "Rêve de Noël, Le (1998)"
    assert _row(ml100k, 1)["genres"] == ["Animation", "Children's", "Comedy"]
    assert _row(ml100k, 3)["title"] == "Ciudad de los niños, La (1996)"  # spaces cleaned


def test_100k_unknown_genre_means_no_genre(ml100k):
    assert _row(ml100k, 6)["genres"] == []
    assert _row(ml100k, 8)["genres"] == ["Fantasy"]  # flagged unknown and Fantasy
    assert "unknown" not in ml100k.genre_names()


def test_100k_year_falls_back_to_release_date(ml100k):
    assert _row(ml100k, 7)["title"] == "Crêpes Suzette"
    assert _row(ml100k, 7)["year"] == 1996  # from 04-Oct-1996
    assert pd.isna(_row(ml100k, 6)["year"])  # no year, no date


def test_100k_duplicate_titles_kept(ml100k):
    assert (ml100k.movies["title"] == "Chasing Amy (1997)").sum() == 2


def test_100k_ratings_cleaned(ml100k):
    # 14 lines: one of unknown movie 99, one repeat of (196, 2) whose later rating (5) wins
    assert len(ml100k.ratings) == 12
    assert ml100k.report.ratings_unknown_movie == 1
    assert ml100k.report.ratings_duplicate == 1
    kept = ml100k.ratings.set_index(["user_id", "movie_id"]).loc[(196, 2)]
    assert (kept["rating"], kept["timestamp"]) == (5.0, 881251000)
    assert 99 not in set(ml100k.ratings["movie_id"])


def test_1m_titles_genres_and_ratings(ml1m):
    assert len(ml1m.movies) == 10
    assert _row(ml1m, 73)["title"] == "Misérables, Les (1995)"
    assert _row(ml1m, 3189)["name"] == "Crónicas de un pueblo"
    assert _row(ml1m, 2851)["title"] == "Saturn 3 (1979)"
    assert _row(ml1m, 2)["genres"] == ["Adventure", "Children's", "Fantasy"]
    assert _row(ml1m, 1281)["year"] == 1940
    assert ml1m.report.ratings_unknown_movie == 1
    assert ml1m.report.ratings_duplicate == 1
    kept = ml1m.ratings.set_index(["user_id", "movie_id"]).loc[(3, 73)]
    assert kept["rating"] == 2.0  # the later of the two
    assert len(ml1m.ratings) == 15


def _copy(name: str, tmp_path: Path) -> Path:
    folder = tmp_path / name
    shutil.copytree(FIXTURES / name, folder)
    return folder


def _replace_line(path: Path, number: int, text: str) -> None:
    lines = path.read_bytes().decode("latin-1").split("\n")
    lines[number - 1] = text
    path.write_bytes("\n".join(lines).encode("latin-1"))


def test_1m_rating_off_the_whole_star_scale(tmp_path):
    folder = _copy("ml-1m-mini", tmp_path)
    _replace_line(folder / "ratings.dat", 6, "2::2::3.5::978299941")
    with pytest.raises(DataError, match=r"ratings\.dat, line 6, column 'rating': expected a "
                       r"rating from 1 to 5 in steps of 1, found 3\.5"):  # fmt: skip
        load(folder)


def test_100k_rating_zero_is_off_the_scale(tmp_path):
    folder = _copy("ml-100k-mini", tmp_path)
    _replace_line(folder / "u.data", 3, "22\t4\t0\t878887116")
    with pytest.raises(DataError, match=r"u\.data, line 3, column 'rating': .*found 0$"):
        load(folder)


def test_1m_non_numeric_id(tmp_path):
    folder = _copy("ml-1m-mini", tmp_path)
    _replace_line(folder / "movies.dat", 4, "7x3::Misérables, Les (1995)::Drama|Musical")
    with pytest.raises(DataError, match=r"movies\.dat, line 4, column 'movie_id': expected an "
                       r"integer \(int32\), found '7x3'"):  # fmt: skip
        load(folder)


def test_1m_duplicate_movie_id(tmp_path):
    folder = _copy("ml-1m-mini", tmp_path)
    _replace_line(folder / "movies.dat", 9, "17::Another (1999)::Drama")
    with pytest.raises(DataError, match=r"movies\.dat, line 9, column 'movie_id': duplicate "
                       r"movie_id 17 \(first on line 3\)"):  # fmt: skip
        load(folder)


def test_100k_item_missing_a_field(tmp_path):
    folder = _copy("ml-100k-mini", tmp_path)
    path = folder / "u.item"
    line = path.read_bytes().decode("latin-1").split("\n")[4]
    _replace_line(path, 5, line.rsplit("|", 1)[0])
    with pytest.raises(DataError, match=r"u\.item, line 5: expected 24 fields, found 23"):
        load(folder)


def test_100k_bad_genre_flag(tmp_path):
    folder = _copy("ml-100k-mini", tmp_path)
    path = folder / "u.item"
    line = path.read_bytes().decode("latin-1").split("\n")[1]
    _replace_line(path, 2, line[:-1] + "2")
    with pytest.raises(DataError, match=r"u\.item, line 2, column \"genre 'Western'\": "
                       r"expected a genre flag 0 or 1, found 2"):  # fmt: skip
        load(folder)


def test_100k_empty_u_data(tmp_path):
    folder = _copy("ml-100k-mini", tmp_path)
    (folder / "u.data").write_bytes(b"")
    with pytest.raises(DataError, match=r"u\.data: file is empty \(0 bytes\)"):
        load(folder)


def test_1m_movie_id_zero_is_rejected(tmp_path):
    folder = _copy("ml-1m-mini", tmp_path)
    _replace_line(folder / "movies.dat", 4, "0::Misérables, Les (1995)::Drama|Musical")
    with pytest.raises(DataError, match=r"movies\.dat, line 4, column 'movie_id': expected a "
                       r"positive movie_id \(MovieLens ids start at 1\), found 0$"):  # fmt: skip
        load(folder)


def test_100k_negative_user_id_is_rejected(tmp_path):
    folder = _copy("ml-100k-mini", tmp_path)
    _replace_line(folder / "u.data", 3, "-22\t4\t1\t878887116")
    with pytest.raises(DataError, match=r"u\.data, line 3, column 'user_id': .*found -22$"):
        load(folder)
