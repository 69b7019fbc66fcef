"""The evaluation run end to end: the table, the report files and the CLI."""

from __future__ import annotations

import json
import math

import pytest

from reelgraph.evaluation.report import markdown_table, text_table, write_report
from reelgraph.evaluation.run import bucket_labels, evaluate
from tests.cli.helpers import reelgraph

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def evaluation(subset):
    return evaluate(subset, "temporal", k=5, recommenders=["graph-seed", "popular", "itemknn"])


def test_run_scores_every_recommender(evaluation):
    assert [r.name for r in evaluation.results] == ["graph-seed", "popular", "itemknn"]
    for result in evaluation.results:
        assert 0.0 <= result.scores["ndcg"] <= 1.0
        assert 0.0 <= result.scores["popular_share"] <= 1.0
        assert set(result.buckets) == set(bucket_labels())
        assert result.seconds["fit"] >= 0.0
    popular = evaluation.results[1]
    assert popular.scores["popular_share"] == 1.0
    assert popular.scores["ndcg"] > evaluation.results[0].scores["ndcg"]
    itemknn = evaluation.results[2]
    assert itemknn.tried  # its neighbours were tuned on validation
    assert evaluation.results[0].edge_scores is not None


def test_report_files(evaluation, tmp_path):
    paths = write_report(evaluation, tmp_path / "report", "reelgraph evaluate --k 5")
    names = sorted(p.name for p in paths)
    assert names == ["buckets.png", "metrics.png", "report.json", "report.md", "scores.png"]
    for png in ("buckets.png", "metrics.png", "scores.png"):
        assert (tmp_path / "report" / png).read_bytes()[:8] == PNG

    data = json.loads((tmp_path / "report" / "report.json").read_text())
    assert [row["recommender"] for row in data["rows"]] == ["graph-seed", "popular", "itemknn"]
    assert data["rows"][1]["ndcg"] == pytest.approx(evaluation.results[1].scores["ndcg"])
    assert data["rows"][0]["ild_genome"] is None  # no genome in ml-latest-small
    text = (tmp_path / "report" / "report.md").read_text()
    assert markdown_table(evaluation) in text
    assert "NDCG@5" in text_table(evaluation).splitlines()[0]


@pytest.mark.slow
def test_evaluate_command_on_ml_latest_small(small_dir, tmp_path):
    out = tmp_path / "report"
    proc = reelgraph(
        "evaluate", "--data", str(small_dir), "--protocol", "stratified", "--out", str(out),
        "--recommender", "graph-seed", "--recommender", "popular", "--no-tune",
        home=tmp_path / "home",
    )  # fmt: skip
    assert "graph-seed" in proc.stdout and "popular" in proc.stdout
    rows = {r["recommender"]: r for r in json.loads((out / "report.json").read_text())["rows"]}
    # the reference figures for this protocol: most popular P@10 ~0.183, NDCG@10 ~0.212
    assert rows["popular"]["precision"] == pytest.approx(0.183, abs=0.01)
    assert rows["popular"]["ndcg"] == pytest.approx(0.212, abs=0.01)
    assert rows["graph-seed"]["ndcg"] == pytest.approx(0.056, abs=0.01)
    assert not math.isnan(rows["graph-seed"]["coverage"])
    assert (out / "metrics.png").is_file()
