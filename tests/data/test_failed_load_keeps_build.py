"""A release that fails to load leaves the previously published build exactly as it was."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from reelgraph.builds import Build
from reelgraph.errors import DataError, ReleaseNotRecognised
from reelgraph.pipeline import run_build
from reelgraph.recipe import load_recipe

FIXTURES = Path(__file__).parent / "fixtures"


def _snapshot(home: Path) -> dict[str, bytes]:
    current = Build.open(home).folder
    return {p.name: p.read_bytes() for p in sorted(current.iterdir())}


@pytest.mark.parametrize("breakage", ["unrecognised", "duplicate-id", "bad-rating"])
def test_failed_load_leaves_current_build(tmp_path, breakage):
    home = tmp_path / "home"
    run_build(FIXTURES / "ml-1m-mini", load_recipe("seed"), 3, home)
    before = Build.open(home)
    files_before = _snapshot(home)

    bad = tmp_path / "bad"
    shutil.copytree(FIXTURES / "ml-1m-mini", bad)
    if breakage == "unrecognised":
        (bad / "movies.dat").rename(bad / "movies.txt")
    elif breakage == "duplicate-id":
        (bad / "movies.dat").write_bytes((bad / "movies.dat").read_bytes() + b"1::Again::Drama\n")
    else:
        (bad / "ratings.dat").write_bytes(b"1::1::6::978824268\n")
    error = ReleaseNotRecognised if breakage == "unrecognised" else DataError
    with pytest.raises(error):
        run_build(bad, load_recipe("seed"), 3, home)

    after = Build.open(home)
    assert after.folder == before.folder
    assert _snapshot(home) == files_before
    pd.testing.assert_frame_equal(after.edges, before.edges)
    assert sorted(p.name for p in (home / "builds").iterdir()) == [before.folder.name]
