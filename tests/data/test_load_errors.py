"""Every way a CSV release can be wrong gives an error naming file, line, column, expected and
found; the repairable quirks are repaired and counted. Releases here are small copies of the
real ml-latest-small files with one change each."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from reelgraph.data import load
from reelgraph.errors import DataError

RATING_LINES = 300  # header + the first 299 real ratings (users 1-3)


@pytest.fixture
def release(small_dir, tmp_path) -> Path:
    """A writable release: the real movies.csv, the first real ratings, the real tags.csv."""
    folder = tmp_path / "release"
    folder.mkdir()
    shutil.copy(small_dir / "movies.csv", folder / "movies.csv")
    shutil.copy(small_dir / "tags.csv", folder / "tags.csv")
    lines = (small_dir / "ratings.csv").read_bytes().split(b"\r\n")[:RATING_LINES]
    (folder / "ratings.csv").write_bytes(b"\r\n".join(lines) + b"\r\n")
    return folder


def edit_line(path: Path, number: int, text: str) -> str:
    """Replace 1-based line `number` of a CRLF file; returns the old line."""
    lines = path.read_bytes().decode("utf8").split("\r\n")
    old, lines[number - 1] = lines[number - 1], text
    path.write_bytes("\r\n".join(lines).encode("utf8"))
    return old


def append_line(path: Path, text: str) -> None:
    path.write_bytes(path.read_bytes() + text.encode("utf8") + b"\r\n")


def test_the_copy_itself_loads(release):
    dataset = load(release)
    assert len(dataset.ratings) == RATING_LINES - 1
    assert dataset.report.lines() == []


def test_non_numeric_movie_id(release):
    edit_line(release / "movies.csv", 5, "abc,Waiting to Exhale (1995),Comedy|Drama|Romance")
    with pytest.raises(DataError) as info:
        load(release)
    error = info.value
    assert (error.path.name, error.line, error.column) == ("movies.csv", 5, "movieId")
    assert str(error).endswith(
        "movies.csv, line 5, column 'movieId': expected an integer (int32), found 'abc'"
    )


def test_line_numbers_count_quoted_line_breaks_and_blank_lines(release):
    path = release / "movies.csv"
    edit_line(path, 3, '2,"Jumanji\r\n(1995)",Adventure|Children|Fantasy\r\n')
    # the file now has a two-line record at line 3 and a blank line at 5: old line 6 is line 8
    edit_line(path, 8, "x6,Heat (1995),Action|Crime|Thriller")
    with pytest.raises(DataError, match=r"line 8, column 'movieId': .* found 'x6'"):
        load(release)


def test_non_numeric_rating(release):
    old = edit_line(release / "ratings.csv", 42, "")
    edit_line(release / "ratings.csv", 42, old.rsplit(",", 2)[0] + ",four," + old.split(",")[-1])
    with pytest.raises(DataError, match=r"ratings\.csv, line 42, column 'rating': expected a "
                       r"number, found 'four'"):  # fmt: skip
        load(release)


def test_empty_user_id(release):
    old = edit_line(release / "ratings.csv", 7, "")
    edit_line(release / "ratings.csv", 7, "," + old.split(",", 1)[1])
    with pytest.raises(DataError, match=r"ratings\.csv, line 7, column 'userId': expected an "
                       r"integer \(int32\), found an empty value"):  # fmt: skip
        load(release)


def test_id_too_large_for_its_type(release):
    old = edit_line(release / "ratings.csv", 10, "")
    edit_line(release / "ratings.csv", 10, "99999999999," + old.split(",", 1)[1])
    with pytest.raises(DataError, match=r"line 10, column 'userId': .* found '99999999999'"):
        load(release)


@pytest.mark.parametrize("bad", ["5.5", "0.0", "3.25", "-1.0"])
def test_rating_outside_the_scale(release, bad):
    old = edit_line(release / "ratings.csv", 120, "")
    user, movie, _, stamp = old.split(",")
    edit_line(release / "ratings.csv", 120, f"{user},{movie},{bad},{stamp}")
    with pytest.raises(DataError) as info:
        load(release)
    assert str(info.value).endswith(
        f"ratings.csv, line 120, column 'rating': expected a rating from 0.5 to 5 in steps of "
        f"0.5, found {float(bad):g}"
    )


def test_duplicate_movie_id(release):
    edit_line(release / "movies.csv", 101, "1,Toy Story again (1995),Comedy")
    with pytest.raises(DataError) as info:
        load(release)
    assert "movies.csv, line 101, column 'movieId': duplicate movieId 1 (first on line 2); " \
        "expected each movieId once" in str(info.value)  # fmt: skip


def test_missing_column(release):
    edit_line(release / "ratings.csv", 1, "userId,movieId,stars,timestamp")
    with pytest.raises(DataError) as info:
        load(release)
    message = str(info.value)
    assert "ratings.csv, line 1: missing column(s) 'rating'" in message
    assert "expected columns userId, movieId, rating, timestamp" in message
    assert "found 'userId', 'movieId', 'stars', 'timestamp'" in message


def test_wrong_number_of_fields(release):
    edit_line(release / "ratings.csv", 33, "1,2,3.0")
    with pytest.raises(DataError, match=r"ratings\.csv, line 33: expected 4 fields, found 3"):
        load(release)


def test_invalid_utf8(release):
    path = release / "movies.csv"
    lines = path.read_bytes().split(b"\r\n")
    lines[9] = b"9,Sudden Death (1995)\xff,Action"
    path.write_bytes(b"\r\n".join(lines))
    with pytest.raises(
        DataError,
        match=r"movies\.csv, line 10: expected utf8 text, found the invalid bytes b'\\xff'$",
    ):
        load(release)


@pytest.mark.parametrize(("name", "content", "message"), [
    ("movies.csv", b"", r"movies\.csv: file is empty \(0 bytes\); expected a header line"),
    ("ratings.csv", b"", r"ratings\.csv: file is empty \(0 bytes\)"),
    ("movies.csv", b"movieId,title,genres\r\n",
     r"movies\.csv: file has no data rows; expected data rows, found only a header line"),
    ("ratings.csv", b"userId,movieId,rating,timestamp\r\n",
     r"ratings\.csv: file has no data rows; .* found only a header line"),
])  # fmt: skip
def test_empty_files(release, name, content, message):
    (release / name).write_bytes(content)
    with pytest.raises(DataError, match=message):
        load(release)


def test_relevance_outside_unit_interval(release, catalog_dir):
    sample = (catalog_dir / "genome-scores.sample.csv").read_bytes().split(b"\r\n")
    sample[7] = b"1,7,1.25"
    (release / "genome-scores.csv").write_bytes(b"\r\n".join(sample))
    shutil.copy(catalog_dir / "genome-tags.csv", release / "genome-tags.csv")
    with pytest.raises(DataError) as info:
        load(release)
    assert str(info.value).endswith(
        "genome-scores.csv, line 8, column 'relevance': expected a relevance in [0, 1], found 1.25"
    )


def test_ratings_of_unknown_movies_are_skipped_and_counted(release):
    append_line(release / "ratings.csv", "3,999999,4.0,1306463000")
    append_line(release / "ratings.csv", "3,888888,2.5,1306463001")
    dataset = load(release)
    assert len(dataset.ratings) == RATING_LINES - 1
    assert dataset.report.ratings_unknown_movie == 2
    assert not dataset.ratings["movie_id"].isin([999999, 888888]).any()
    assert "skipped 2 ratings of movies missing from the movie list" in dataset.report.lines()


def test_repeated_ratings_keep_the_latest(release):
    path = release / "ratings.csv"
    first = path.read_bytes().decode().split("\r\n")[1]  # 1,1,4.0,964982703
    user, movie, _, stamp = first.split(",")
    append_line(path, f"{user},{movie},2.5,{int(stamp) + 10}")  # later: wins
    append_line(path, f"{user},{movie},1.0,{int(stamp) - 10}")  # earlier: dropped
    append_line(path, f"2,{movie},3.0,1")  # user 2 has no rating of movie 1: kept
    dataset = load(release)
    assert dataset.report.ratings_duplicate == 2
    assert len(dataset.ratings) == RATING_LINES - 1 + 1
    kept = dataset.ratings.set_index(["user_id", "movie_id"]).loc[(int(user), int(movie))]
    assert (kept["rating"], kept["timestamp"]) == (2.5, int(stamp) + 10)
    assert not dataset.ratings.duplicated(["user_id", "movie_id"]).any()
    assert any("repeated (user, movie) ratings" in line for line in dataset.report.lines())


@pytest.mark.parametrize("bad", ["-4", "0"])
def test_movie_id_below_one_is_rejected(release, bad):
    old = edit_line(release / "movies.csv", 5, "")
    edit_line(release / "movies.csv", 5, bad + "," + old.split(",", 1)[1])
    with pytest.raises(DataError) as info:
        load(release)
    error = info.value
    assert (error.path.name, error.line, error.column) == ("movies.csv", 5, "movieId")
    assert str(error).endswith(
        f"expected a positive movieId (MovieLens ids start at 1), found {bad}"
    )


@pytest.mark.parametrize(("field", "column"), [(0, "userId"), (1, "movieId")])
@pytest.mark.parametrize("bad", ["-4", "0"])
def test_rating_ids_below_one_are_rejected(release, field, column, bad):
    fields = edit_line(release / "ratings.csv", 42, "").split(",")
    fields[field] = bad
    edit_line(release / "ratings.csv", 42, ",".join(fields))
    with pytest.raises(DataError) as info:
        load(release)
    assert str(info.value).endswith(
        f"ratings.csv, line 42, column {column!r}: expected a positive {column} "
        f"(MovieLens ids start at 1), found {bad}"
    )


@pytest.mark.parametrize(("field", "column"), [(0, "userId"), (1, "movieId")])
def test_tag_ids_below_one_are_rejected(release, field, column):
    fields = edit_line(release / "tags.csv", 7, "").split(",")
    fields[field] = "0"
    edit_line(release / "tags.csv", 7, ",".join(fields))
    with pytest.raises(DataError, match=rf"tags\.csv, line 7, column '{column}': expected a "
                       rf"positive {column} \(MovieLens ids start at 1\), found 0$"):  # fmt: skip
        load(release)


@pytest.mark.parametrize(("row", "column"), [(b"-1,7,0.25", "movieId"), (b"1,0,0.25", "tagId")])
def test_genome_ids_below_one_are_rejected(release, catalog_dir, row, column):
    sample = (catalog_dir / "genome-scores.sample.csv").read_bytes().split(b"\r\n")
    sample[7] = row
    (release / "genome-scores.csv").write_bytes(b"\r\n".join(sample))
    shutil.copy(catalog_dir / "genome-tags.csv", release / "genome-tags.csv")
    with pytest.raises(DataError) as info:
        load(release)
    error = info.value
    assert (error.path.name, error.line, error.column) == ("genome-scores.csv", 8, column)
    assert "expected a positive" in str(error)
