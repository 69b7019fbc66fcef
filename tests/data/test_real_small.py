"""The real ml-latest-small release and the real ML-25M catalogue, quirks included."""

from __future__ import annotations

import csv
import re

import pandas as pd
import pytest

from reelgraph.data.movielens_csv import read_movies


def _raw_rows(path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf8") as f:
        return list(csv.DictReader(f))


def _movie(small, movie_id: int) -> pd.Series:
    return small.movies.set_index("movie_id").loc[movie_id]


def test_counts_match_the_release(small):
    assert len(small.movies) == 9_742
    assert len(small.ratings) == 100_836
    assert small.ratings["user_id"].nunique() == 610
    assert small.report.release == "movielens-csv"
    assert small.report.lines() == []  # nothing skipped or repaired in the real file
    assert small.rating_scale == (0.5, 5.0, 0.5)


def test_files_use_crlf_and_load_clean(small_dir, small):
    raw = (small_dir / "movies.csv").read_bytes()
    assert raw.count(b"\r\n") == raw.count(b"\n") > 9_742
    assert not small.movies["title"].str.contains("\r").any()
    assert not any("\r" in g for gs in small.movies["genres"] for g in gs)


def test_dtypes_and_order(small):
    movies, ratings = small.movies, small.ratings
    assert movies["movie_id"].dtype == "int32" and movies["year"].dtype == "Int16"
    assert movies["movie_id"].is_monotonic_increasing
    assert [str(t) for t in ratings.dtypes] == ["int32", "int32", "float32", "int64"]


def test_titles_without_a_year(small_dir, small):
    raw = _raw_rows(small_dir / "movies.csv")
    plain_year = re.compile(r"\(\d{4}\)\s*$")
    no_plain_year = [int(r["movieId"]) for r in raw if not plain_year.search(r["title"])]
    assert len(no_plain_year) == 13  # as the data README counts them
    # 171749 ends in a year range, which counts as its first year; the other 12 have none.
    unknown = small.movies.loc[small.movies["year"].isna(), "movie_id"].tolist()
    assert sorted(unknown) == sorted(set(no_plain_year) - {171749})
    assert pd.isna(_movie(small, 40697)["year"])
    assert _movie(small, 40697)["title"] == "Babylon 5"


def test_year_range_takes_the_first_year(small, catalog_dir):
    assert _movie(small, 171749)["year"] == 2006
    catalogue = read_movies(catalog_dir / "movies.csv").set_index("movie_id")
    assert catalogue.loc[171749, "title"] == "Death Note: Desu nôto (2006–2007)"
    assert catalogue.loc[171749, "year"] == 2006


def test_spaces_in_titles_are_cleaned(small_dir, small):
    raw = {int(r["movieId"]): r["title"] for r in _raw_rows(small_dir / "movies.csv")}
    assert raw[27008].endswith(" ") and "  " in raw[72641]  # the quirks are really there
    assert _movie(small, 27008)["title"] == "From Dusk Till Dawn 2: Texas Blood Money (1999)"
    assert _movie(small, 72641)["title"] == "Blind Side, The (2009)"
    titles = small.movies["title"]
    assert not (titles.str.contains("  ") | (titles != titles.str.strip())).any()


def test_quoted_commas_and_quotes(small):
    assert _movie(small, 7789)["title"] == "11'09\"01 - September 11 (2002)"
    assert _movie(small, 7789)["year"] == 2002
    assert _movie(small, 72641)["name"] == "Blind Side, The"


def test_no_genres_listed_means_no_genre(small_dir, small):
    raw = _raw_rows(small_dir / "movies.csv")
    listed = {int(r["movieId"]) for r in raw if r["genres"] == "(no genres listed)"}
    assert len(listed) == 34
    empty = set(small.movies.loc[small.movies["genres"].map(len) == 0, "movie_id"])
    assert empty == listed
    assert "(no genres listed)" not in small.genre_names()
    assert len(small.genre_names()) == 19


def test_duplicate_titles_are_both_kept(small):
    emma = small.movies[small.movies["title"] == "Emma (1996)"]
    assert emma["movie_id"].tolist() == [838, 26958]
    assert emma["genres"].tolist() == [["Comedy", "Drama", "Romance"], ["Romance"]]


def test_movies_without_ratings_are_kept(small_dir, small):
    rated = set(small.ratings["movie_id"])
    unrated = set(small.movies["movie_id"]) - rated
    assert len(unrated) == 18
    tagged = set(small.tags["movie_id"])
    assert unrated <= tagged  # the release's unrated movies all carry tags
    assert small.report.ratings_unknown_movie == 0


def test_non_ascii_titles_are_utf8(small):
    assert any(not t.isascii() for t in small.movies["title"])
    assert _movie(small, 171749)["name"] == "Death Note: Desu nôto"


@pytest.mark.parametrize(
    ("movie_id", "title", "year", "genres"),
    [(1, "Toy Story (1995)", 1995, ["Adventure", "Animation", "Children", "Comedy", "Fantasy"]),
     (2571, "Matrix, The (1999)", 1999, ["Action", "Sci-Fi", "Thriller"])],
)  # fmt: skip
def test_known_movies(small, movie_id, title, year, genres):
    row = _movie(small, movie_id)
    assert (row["title"], row["year"], row["genres"]) == (title, year, genres)


def test_whole_ml25m_catalogue(catalog_dir):
    path = catalog_dir / "movies.csv"
    movies = read_movies(path)
    raw = _raw_rows(path)
    assert len(movies) == len(raw) == 62_423
    assert movies["movie_id"].min() == 1 and movies["movie_id"].max() == 209_171
    empty = int((movies["genres"].map(len) == 0).sum())
    assert empty == sum(r["genres"] == "(no genres listed)" for r in raw) == 5_062
    assert movies["year"].isna().sum() <= 412


def test_loaded_arrays_are_writable(small):
    # Arrow hands out read-only views; callers may edit the frames in place.
    assert all(small.ratings[c].to_numpy().flags.writeable for c in small.ratings)
