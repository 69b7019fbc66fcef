"""The Spark engine on a local[2] Spark session, against the local engine, on real data."""

from __future__ import annotations

import os
import sys

import numpy as np
import pytest

from reelgraph.errors import ReelgraphError
from reelgraph.pipeline import compute_views
from reelgraph.recipe import load_recipe
from reelgraph.similarity.engine import top_k
from reelgraph.similarity.engines import get_engine
from tests.similarity.test_plan import assert_identical, structured_views


@pytest.fixture(scope="module")
def spark():
    pyspark_sql = pytest.importorskip("pyspark.sql", reason="the spark extra is not installed")
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    session = (
        pyspark_sql.SparkSession.builder.master("local[2]")
        .appName("reelgraph-test")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "2")
        .getOrCreate()
    )
    yield session
    session.stop()


@pytest.mark.spark
@pytest.mark.slow
def test_spark_equals_local_on_real_data(spark, small):
    views = compute_views(small, load_recipe("seed"))
    expected = top_k(views, 20)
    got = get_engine("spark")(views, 20, session=spark, block_rows=700)
    assert_identical(expected, got)
    assert len(got.source) == 20 * len(small.movies)


@pytest.mark.spark
@pytest.mark.slow
def test_spark_equals_local_with_a_large_view_and_renormalise(spark, rng):
    views = structured_views(rng, 600, coverage=0.3, sparse=True)
    expected = top_k(views, 8, renormalise=True)
    got = get_engine("spark")(views, 8, renormalise=True, session=spark, partitions=5)
    assert_identical(expected, got)
    assert np.all(got.source != got.target)


def test_missing_pyspark_names_the_extra(monkeypatch, rng):
    # pyspark made unimportable for this test only: the engine must say what to install.
    for name in [m for m in sys.modules if m == "pyspark" or m.startswith("pyspark.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "pyspark", None)
    engine = get_engine("spark")
    with pytest.raises(ReelgraphError, match=r"reelgraph\[spark\]"):
        engine(structured_views(rng, 10, coverage=0.5), 3)
