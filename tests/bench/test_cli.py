"""`reelgraph synth` and `reelgraph bench` end to end, as a user runs them."""

from __future__ import annotations

import re

import pytest

from tests.cli.helpers import reelgraph


@pytest.mark.slow
def test_synth_then_bench_prints_the_comparisons(tmp_path, catalog_dir):
    release = tmp_path / "release"
    reelgraph("synth", "--catalog", str(catalog_dir), "--out", str(release), "--scale", "0.002",
              home=tmp_path)  # fmt: skip
    assert "SYNTHETIC" in (release / "README.txt").read_text()

    done = reelgraph("bench", "--data", str(release), "--k", "5", "--sizes", "1500",
                     "--no-faiss", "--no-build", "--workdir", str(tmp_path / "work"),
                     home=tmp_path)  # fmt: skip
    out = done.stdout
    assert "BLAS:" in out and "GFLOP/s" in out
    assert re.search(r"reelgraph\s+[\d.]+ s", out)
    assert "hardware bound, full product" in out
    row = re.search(r"^\s+1,500\s+[\d.]+s.*\s([\d.]+)% / ([\d.]+)%$", out, re.MULTILINE)
    assert row, out
    assert float(row.group(2)) == 100.0  # the published method finds the same neighbours
    assert not (tmp_path / "work").exists()  # scratch removed
