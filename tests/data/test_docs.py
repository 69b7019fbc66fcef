"""docs/data.md states the exit codes the CLI really gives."""

from __future__ import annotations

import re
from pathlib import Path

from tests.cli.helpers import reelgraph

DOC = Path(__file__).parents[2] / "docs" / "data.md"


def _sentence_about(text: str, words: str) -> str:
    flat = " ".join(text.split())
    match = re.search(rf"[^.]*{re.escape(words)}[^.]*\.", flat)
    assert match, f"docs/data.md has no sentence about {words!r}"
    return match.group(0)


def test_unknown_download_name_exit_code_matches_the_doc(tmp_path):
    done = reelgraph("download", "ml-5m", "--dest", str(tmp_path), home=tmp_path, check=False)
    assert done.returncode == 2, done.stderr
    sentence = _sentence_about(DOC.read_text(encoding="utf-8"), "unknown release name")
    assert f"exits with code {done.returncode}" in sentence
    assert not any(tmp_path.iterdir())


def test_bad_data_exit_code_matches_the_doc(tmp_path):
    release = tmp_path / "release"
    release.mkdir()
    (release / "movies.csv").write_text("movieId,title,genres\n-4,Bad (1995),Drama\n")
    (release / "ratings.csv").write_text("userId,movieId,rating,timestamp\n1,-4,4.0,1\n")
    done = reelgraph("build", "--data", str(release), "--k", "5", home=tmp_path, check=False)
    assert done.returncode == 1, done.stderr
    assert "line 2, column 'movieId': expected a positive movieId" in done.stderr
    sentence = _sentence_about(DOC.read_text(encoding="utf-8"), "Bad input stops the load")
    assert f"exit code {done.returncode}" in sentence
