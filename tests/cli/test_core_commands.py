"""`build`, `similar` and `export` end to end on the real ml-latest-small."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest

from tests.cli.helpers import reelgraph


@pytest.fixture(scope="module")
def home(small_dir, tmp_path_factory):
    home = tmp_path_factory.mktemp("home")
    out = reelgraph("build", "--data", str(small_dir), "--recipe", "seed", "--k", "10", home=home)
    assert "movies:   9,742" in out.stdout
    assert "edges:    97,420 (k=10)" in out.stdout
    assert "genres   weight 0.25  covers  99.65% of movies" in out.stdout
    return home


def test_similar_by_title_shows_views(home):
    out = reelgraph("similar", "toy story", "--k", "5", home=home).stdout
    lines = out.splitlines()
    assert lines[0].startswith("Toy Story (1995)  [1]")
    assert "genome" in lines[1] and "genres" in lines[1] and "stats" in lines[1]
    assert len(lines) == 2 + 5
    assert "Toy Story 2 (1999)" in out


def test_similar_json_contributions_sum_to_score(home):
    answer = json.loads(reelgraph("similar", "The Matrix", "--json", home=home).stdout)
    assert answer["movie"]["movie_id"] == 2571
    assert len(answer["similar"]) == 10
    for row in answer["similar"]:
        assert sum(row["contributions"].values()) == pytest.approx(row["score"], abs=1e-9)
        assert row["movie_id"] != 2571


def test_similar_accepts_ids_accents_and_years(home):
    by_id = json.loads(reelgraph("similar", "1", "--json", home=home).stdout)
    assert by_id["movie"]["title"] == "Toy Story (1995)"
    emma = json.loads(reelgraph("similar", "Emma (2009)", "--json", home=home).stdout)
    assert emma["movie"]["movie_id"] == 84847
    amelie = json.loads(reelgraph("similar", "AMELIE", "--json", home=home).stdout)
    assert "Amélie" in amelie["movie"]["title"]


def test_ambiguous_and_unknown_movies_exit_1(home):
    out = reelgraph("similar", "Emma", home=home, check=False)
    assert out.returncode == 1
    assert "838: Emma (1996)" in out.stderr and "26958: Emma (1996)" in out.stderr
    assert "Traceback" not in out.stderr
    out = reelgraph("similar", "no such film at all", home=home, check=False)
    assert out.returncode == 1 and "no movie matches 'no such film at all'" in out.stderr
    out = reelgraph("similar", "999999999", home=home, check=False)
    assert out.returncode == 1 and "no movie with id 999999999" in out.stderr


def test_export_csv_and_parquet_agree(home, tmp_path):
    text = reelgraph("export", "--format", "csv", home=home).stdout
    csv = pd.read_csv(io.StringIO(text))
    assert list(csv.columns) == ["movie_id", "rank", "similar_id", "score", "genome", "genres",
                                 "stats"]  # fmt: skip
    assert len(csv) == 97_420 and csv["movie_id"].nunique() == 9_742
    target = tmp_path / "edges.parquet"
    reelgraph("export", "--format", "parquet", "--out", str(target), home=home)
    parquet = pd.read_parquet(target)
    pd.testing.assert_frame_equal(csv, parquet, check_dtype=False)


def test_commands_without_a_build_say_what_to_do(tmp_path):
    out = reelgraph("similar", "1", home=tmp_path / "empty", check=False)
    assert out.returncode == 1
    assert "no build found" in out.stderr and "reelgraph build --data" in out.stderr


def test_title_with_a_bare_year(home):
    answer = json.loads(reelgraph("similar", "the matrix 1999", "--json", home=home).stdout)
    assert answer["movie"]["movie_id"] == 2571


def test_export_errors_and_stdout_dash(home, tmp_path):
    out = reelgraph("export", "--out", "/proc/no/such/edges.csv", home=home, check=False)
    assert out.returncode == 1 and "cannot write '/proc/no/such/edges.csv'" in out.stderr
    assert "Traceback" not in out.stderr
    dash = reelgraph("export", "--out", "-", home=home).stdout
    assert dash.startswith("movie_id,rank,similar_id,score")
    target = tmp_path / "edges.csv"
    reelgraph("export", "--out", str(target), home=home)
    assert target.stat().st_mode & 0o044 == 0o044  # readable by others, as files usually are


def test_unwritable_home_is_a_clear_error(small_dir):
    out = reelgraph("build", "--data", str(small_dir), home="/proc/reelgraph", check=False)
    assert out.returncode == 1
    assert "cannot write builds under '/proc/reelgraph'" in out.stderr
    assert "Traceback" not in out.stderr


def test_view_without_data_is_warned(home, small_dir, tmp_path):
    out = reelgraph("build", "--data", str(small_dir), "--recipe", "seed", "--k", "2",
                    home=tmp_path / "warned")  # fmt: skip
    assert "warning:  view 'genome' (weight 0.5) describes no movie of this release" in out.stdout
