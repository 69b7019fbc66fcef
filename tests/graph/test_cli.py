"""`reelgraph build --load`, `load`, `similar` and `recommend` end to end on the real data."""

from __future__ import annotations

import json
import os
from types import SimpleNamespace

import pandas as pd
import pytest
from click.testing import CliRunner

from reelgraph.cli import cli
from tests.cli.helpers import reelgraph as reelgraph_process


def reelgraph(*args: str, home, check: bool = True) -> SimpleNamespace:
    """Run the CLI in this process (much faster than a subprocess); stdout and stderr apart."""
    result = CliRunner().invoke(cli, ["--home", str(home), *args])
    if check and result.exit_code != 0:
        raise AssertionError(f"reelgraph {' '.join(args)} exited {result.exit_code}:\n"
                             f"{result.output}\n{result.exception!r}")  # fmt: skip
    return SimpleNamespace(stdout=result.stdout, stderr=result.stderr,
                           returncode=result.exit_code, exception=result.exception)  # fmt: skip


@pytest.fixture(scope="module")
def home(small_dir, tmp_path_factory):
    """A home with a seed build of ml-latest-small (k=10) loaded into the embedded store."""
    home = tmp_path_factory.mktemp("cli-home")
    proc = reelgraph("build", "--data", str(small_dir), "--recipe", "seed", "--k", "10",
                     "--load", home=home)  # fmt: skip
    assert "SIMILAR:" in proc.stdout and "97,420 in store" in proc.stdout
    return home


def test_recommend_user_explain(home):
    out = reelgraph("recommend", "--user", "1", "--explain", "--k", "3", home=home).stdout
    lines = out.splitlines()
    assert lines[0].startswith("recommendations for user 1 (from ")
    assert sum(1 for line in lines if line[:3].strip().isdigit()) == 3
    assert "shares genres:" in out


def test_recommend_json_matches_the_explain_contract(home):
    answer = json.loads(reelgraph("recommend", "--liked", "260,1196", "--explain", "--json",
                                  home=home).stdout)  # fmt: skip
    assert answer["liked"] == [260, 1196] and answer["fallback"] is False
    recs = answer["recommendations"]
    assert 0 < len(recs) <= 10 and not {260, 1196} & {r["movie_id"] for r in recs}
    for rec in recs:
        assert sum(b["contribution"] for b in rec["because"]) == pytest.approx(rec["score"])


def test_fallback_is_labelled(home, small_dir):
    best = pd.read_csv(small_dir / "ratings.csv").groupby("userId")["rating"].max()
    picky = int(best[best < 5].index[0])
    out = reelgraph("recommend", "--user", str(picky), "--min-rating", "5", home=home).stdout
    assert f"fallback: user {picky} rated no movie 5 or higher" in out


def test_unknown_user_or_movie_exits_1(home):
    for args, message in [
        (["--user", "999999"], "error: no user with id 999999"),
        (["--liked", "1,999999999"], "error: no movie with id 999999999"),
    ]:
        proc = reelgraph_process("recommend", *args, home=home, check=False)
        assert proc.returncode == 1 and message in proc.stderr
        assert "Traceback" not in proc.stderr
    proc = reelgraph("recommend", "--user", "1", "--liked", "1", home=home, check=False)
    assert proc.returncode == 2 and "exactly one of --user" in proc.stderr


def test_similar_reads_the_graph_with_filters_and_weights(home):
    args = ["similar", "The Matrix", "--json", "--exclude-genre", "Thriller", "--year-from",
            "1995", "--min-ratings", "10", "--weight", "stats=1"]  # fmt: skip
    proc = reelgraph(*args, home=home)
    answer = json.loads(proc.stdout)
    assert "not loaded" not in proc.stderr
    assert answer["filters"] == {"exclude_genres": ["Thriller"], "year_from": 1995,
                                 "min_ratings": 10}  # fmt: skip
    assert answer["weights"]["stats"] == 1.0
    for row in answer["similar"]:
        assert "Thriller" not in row["genres"] and row["year"] >= 1995
        assert row["rating_count"] >= 10
    scores = [row["score"] for row in answer["similar"]]
    assert scores == sorted(scores, reverse=True)


def test_similar_before_load_reads_the_build_files(small_dir, tmp_path):
    reelgraph("build", "--data", str(small_dir), "--recipe", "seed", "--k", "5", home=tmp_path)
    proc = reelgraph("similar", "1", "--json", "--genre", "Comedy", home=tmp_path)
    assert "the graph is not loaded yet" in proc.stderr
    answer = json.loads(proc.stdout)
    assert answer["similar"] and all("Comedy" in r["genres"] for r in answer["similar"])
    proc = reelgraph("recommend", "--user", "1", "--explain", home=tmp_path)
    assert "the graph is not loaded yet" in proc.stderr
    assert proc.stdout.startswith("recommendations for user 1 (from ")


def test_reload_swaps_atomically_and_keeps_two_graphs(home):
    live = os.readlink(home / "graph")
    for _ in range(2):
        out = reelgraph("load", home=home).stdout
        assert "SIMILAR" in out and "edges/s into embedded" in out
    assert os.readlink(home / "graph") != live
    graphs = sorted(p.name for p in (home / "graphs").iterdir())
    assert len(graphs) == 2 and not any(g.startswith(".tmp") for g in graphs)
    assert reelgraph("recommend", "--user", "1", home=home).returncode == 0


def test_load_into_a_falkordb_server(graph_build, falkordb_server, tmp_path):
    from tests.graph.conftest import subset_build

    subset_build(graph_build, tmp_path / "b", max_user=20, max_movie=700)
    (tmp_path / "current").symlink_to(tmp_path / "b")
    env = {**falkordb_server, "FALKORDB_GRAPH": "cli-load"}
    result = CliRunner(env=env).invoke(cli, ["--home", str(tmp_path), "load", "--store",
                                             "falkordb", "--batch-size", "250"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "edges/s into falkordb" in result.stdout
    movies = next(line for line in result.stdout.splitlines() if line.startswith("Movie:"))
    assert movies.split()[1] == f"{sum(graph_build.movies['movie_id'] <= 700):,}"
