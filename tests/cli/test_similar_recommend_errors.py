"""`similar` and `recommend` on bad input, on old builds and before `reelgraph load`.

Every case runs the real entry point (`reelgraph.cli.main`, which turns errors into exit
codes) on a real ml-latest-small build made with the default recipe.
"""

from __future__ import annotations

import json
import math
import shutil
import sys
from types import SimpleNamespace

import pandas as pd
import pytest

from reelgraph.builds import Build
from reelgraph.cli import main
from tests.cli.helpers import reelgraph as reelgraph_process


@pytest.fixture(scope="module")
def home(small_dir, tmp_path_factory):
    """A home with a default-recipe build of ml-latest-small (k=10), not loaded."""
    home = tmp_path_factory.mktemp("unloaded-home")
    reelgraph_process("build", "--data", str(small_dir), "--k", "10", home=home)
    assert not (home / "graph").exists()
    return home


@pytest.fixture
def run(monkeypatch, capsys):
    """Run `reelgraph ARGS` through `main` in this process; (returncode, stdout, stderr)."""

    def call(*args: str, home) -> SimpleNamespace:
        monkeypatch.setattr(sys, "argv", ["reelgraph", "--home", str(home), *args])
        code = 0
        try:
            main()
        except SystemExit as exc:
            code = exc.code
        out = capsys.readouterr()
        return SimpleNamespace(returncode=code, stdout=out.out, stderr=out.err)

    return call


@pytest.mark.parametrize("weight", ["genres=inf", "genres=nan", "genres=-1", "collab=-0.5"])
def test_non_finite_or_negative_weight_exits_1(run, home, weight):
    proc = run("similar", "1", "--json", "--weight", weight, home=home)
    assert proc.returncode == 1 and proc.stdout == ""
    assert (
        "must be a finite number from 0 to 1e+06" in proc.stderr
        and weight.split("=")[0] in proc.stderr
    )


def test_all_zero_weights_exit_1(run, home):
    views = Build.open(home).view_names
    args = [a for v in views for a in ("--weight", f"{v}=0")]
    proc = run("similar", "1", "--json", *args, home=home)
    assert proc.returncode == 1 and proc.stdout == ""
    assert "every view weight is 0" in proc.stderr


def test_weights_that_are_fine_give_valid_json(run, home):
    proc = run("similar", "1", "--json", "--weight", "genres=1", "--weight", "collab=0",
               home=home)  # fmt: skip
    assert proc.returncode == 0
    answer = json.loads(proc.stdout, parse_constant=pytest.fail)
    assert answer["weights"]["genres"] == 1.0 and answer["weights"]["collab"] == 0.0
    for row in answer["similar"]:
        assert math.isclose(row["score"], sum(row["contributions"].values()))


def test_unknown_genre_lists_the_known_ones(run, home):
    for option in ("--genre", "--exclude-genre"):
        proc = run("similar", "1", option, "Nope", home=home)
        assert proc.returncode == 1 and proc.stdout == ""
        assert "unknown genre 'Nope'" in proc.stderr
        assert "Comedy" in proc.stderr and "Sci-Fi" in proc.stderr


def test_reversed_year_range_is_a_usage_error(run, home):
    proc = run("similar", "1", "--year-from", "2000", "--year-to", "1990", home=home)
    assert proc.returncode == 2 and proc.stdout == ""
    assert "--year-from 2000 is after --year-to 1990" in proc.stderr


@pytest.mark.parametrize("value", ["6", "-3", "nan", "inf", "0.4"])
def test_min_rating_off_the_rating_scale_is_a_usage_error(run, home, value):
    proc = run("recommend", "--user", "1", "--min-rating", value, home=home)
    assert proc.returncode == 2 and proc.stdout == ""
    assert "--min-rating" in proc.stderr and "rated no movie" not in proc.stderr


def test_min_rating_scale_comes_from_the_build(run, home):
    ratings = Build.open(home).table("ratings")["rating"]
    top = run("recommend", "--user", "1", "--min-rating", f"{ratings.max():g}", home=home)
    low = run("recommend", "--user", "1", "--min-rating", f"{ratings.min():g}", home=home)
    assert top.returncode == 0 and low.returncode == 0


def _old_build(home, tmp_path, change) -> object:
    """A copy of `home` whose edges table went through `change(edges) -> edges`."""
    old = tmp_path / "old"
    shutil.copytree(home, old, symlinks=True)
    path = Build.open(old).folder / "edges.parquet"
    change(pd.read_parquet(path)).to_parquet(path)
    return old


def test_build_with_nan_scores_is_a_clear_error(run, home, tmp_path):
    def nan_scores(edges):
        edges["score"] = edges["score"].where(edges["rank"] > 1)
        return edges

    old = _old_build(home, tmp_path, nan_scores)
    for args in (["similar", "1"], ["recommend", "--user", "1"]):
        proc = run(*args, home=old)
        assert proc.returncode == 1 and "Traceback" not in proc.stderr
        assert "edge scores are missing (NaN)" in proc.stderr and "edges.parquet" in proc.stderr


def test_build_without_a_view_column_is_a_clear_error(run, home, tmp_path):
    old = _old_build(home, tmp_path, lambda edges: edges.drop(columns=["genome"]))
    proc = run("similar", "1", "--weight", "genres=0.5", home=old)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "view 'genome'" in proc.stderr and "no column" in proc.stderr


def test_missing_view_cosines_count_zero(run, home, tmp_path):
    def nan_genres(edges):
        edges["genres"] = float("nan")
        return edges

    old = _old_build(home, tmp_path, nan_genres)
    proc = run("similar", "1", "--json", "--weight", "genres=1", home=old)
    assert proc.returncode == 0
    answer = json.loads(proc.stdout, parse_constant=pytest.fail)
    assert answer["similar"]
    assert all(row["contributions"]["genres"] == 0.0 for row in answer["similar"])


def test_recommend_before_load_equals_the_loaded_graph(run, home, small_dir, tmp_path):
    ratings = pd.read_csv(small_dir / "ratings.csv")
    best = ratings.groupby("userId")["rating"].max()
    picky = int(best[best < 5].index[0])  # rated no movie 5: falls back at --min-rating 5
    queries = [["--user", "1", "--explain"], ["--liked", "260,1196,1210", "--k", "5"],
               ["--user", str(picky), "--min-rating", "5"]]  # fmt: skip
    loaded = tmp_path / "loaded"
    shutil.copytree(home, loaded, symlinks=True)
    assert run("load", home=loaded).returncode == 0
    for query in queries:
        before = run("recommend", *query, "--json", home=home)
        assert before.returncode == 0, before.stderr
        assert "the graph is not loaded yet" in before.stderr
        after = run("recommend", *query, "--json", home=loaded)
        assert after.returncode == 0 and "not loaded" not in after.stderr
        assert json.loads(before.stdout) == json.loads(after.stdout)
    fallback = json.loads(run("recommend", *queries[2], "--json", home=home).stdout)
    assert fallback["fallback"] and fallback["recommendations"]
    explained = json.loads(run("recommend", *queries[0], "--json", home=home).stdout)
    assert not explained["fallback"]
    assert any(b["shared_genres"] for r in explained["recommendations"] for b in r["because"])


def test_recommend_before_load_in_a_real_process(home):
    proc = reelgraph_process("recommend", "--user", "1", "--explain", "--k", "3", home=home)
    assert "the graph is not loaded yet" in proc.stderr
    assert proc.stdout.startswith("recommendations for user 1 (from ")
    assert "shares genres:" in proc.stdout


def test_a_graph_of_an_older_build_is_not_read(small_dir, tmp_path, run):
    home = tmp_path / "stale"
    reelgraph_process("build", "--data", str(small_dir), "--k", "5", "--load", home=home)
    reelgraph_process("build", "--data", str(small_dir), "--recipe", "seed", "--k", "5",
                      home=home)  # fmt: skip
    similar = run("similar", "1", "--json", "--weight", "stats=1", home=home)
    assert similar.returncode == 0, similar.stderr
    assert (
        "not the current build" in similar.stderr and "reading the build files" in similar.stderr
    )
    assert json.loads(similar.stdout)["views"] == ["genome", "genres", "stats"]
    recommend = run("recommend", "--user", "1", "--json", home=home)
    assert recommend.returncode == 0 and "not the current build" in recommend.stderr


def test_liked_without_ids_and_k_beyond_the_build(home, run):
    empty = run("recommend", "--liked", ",", home=home)
    assert empty.returncode == 2 and "expected at least one movie id" in empty.stderr
    wide = run("similar", "1", "--k", "1000", "--json", home=home)
    assert wide.returncode == 0
    assert "the build kept 10 neighbours per movie" in wide.stderr
    assert len(json.loads(wide.stdout)["similar"]) == 10


def test_a_bad_falkordb_port_is_a_clear_error(home, run, monkeypatch):
    monkeypatch.setenv("FALKORDB_PORT", "abc")
    out = run("load", "--store", "falkordb", home=home)
    assert out.returncode == 1
    assert "FALKORDB_PORT must be a port number (1-65535), not 'abc'" in out.stderr


def test_exported_cosines_never_exceed_one(home):
    edges = Build.open(home).edges
    for view in Build.open(home).view_names:
        assert edges[view].between(-1.0, 1.0).all(), view
