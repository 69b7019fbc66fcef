"""The Spark engine: the local engine's kernel, run on a Spark cluster.

The driver prepares the plan (normalised views, classes, fused vectors: a few hundred MB for
ML-25M), broadcasts it once, and splits the work units (blocks of query movies and of query
classes) into partitions; each task runs `TopKPlan.solve` on its units, exactly as the local
engine does, and the driver assembles the parts. The result is identical to `top_k`'s.

PySpark is the optional `spark` extra (`pip install 'reelgraph[spark]'`); it is imported only
when this engine is chosen. Without an active Spark session the engine starts one: master from
`spark-submit`, else `REELGRAPH_SPARK_MASTER`, else `local[*]`.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

from reelgraph.errors import ReelgraphError
from reelgraph.similarity.engine import Neighbours, WeightedView
from reelgraph.similarity.plan import TopKPlan

log = logging.getLogger(__name__)

MASTER_ENV = "REELGRAPH_SPARK_MASTER"
UNITS_PER_CORE = 4  # partitions per core: keeps the cores busy when units differ in cost


def spark_top_k(
    views: Sequence[WeightedView],
    k: int,
    *,
    renormalise: bool = False,
    block_rows: int | None = None,
    progress: Callable[[int], None] | None = None,
    session: Any | None = None,
    partitions: int | None = None,
) -> Neighbours:
    """Each movie's k most similar other movies, exactly, computed by Spark tasks.

    Args:
        views, k, renormalise, block_rows, progress: as for `reelgraph.similarity.top_k`.
        session: a SparkSession to use; by default the active one, or a new one.
        partitions: number of partitions of the work units; default 4 per core.

    Returns:
        Neighbours sorted by (source, rank), equal to the local engine's.

    Raises:
        ReelgraphError: PySpark is not installed.
    """
    spark = session or _session()
    started = time.perf_counter()
    plan = TopKPlan(views, k, renormalise=renormalise)
    units = plan.units(block_rows)
    if not units:
        return plan.assemble([])

    context = spark.sparkContext
    shared = context.broadcast(plan)
    slices = partitions or max(1, min(len(units), context.defaultParallelism * UNITS_PER_CORE))
    try:
        parts = (
            context.parallelize(units, slices)
            .mapPartitions(lambda chunk: [shared.value.solve(unit) for unit in chunk])
            .collect()
        )
    finally:
        shared.unpersist()
    if progress:
        progress(sum(unit.movies for unit in units))
    result = plan.assemble(parts)
    log.info(
        "spark top-%d of %d movies in %d partitions, %.1f s (%s)",
        plan.kk,
        plan.n,
        slices,
        time.perf_counter() - started,
        plan.describe(),
    )
    return result


def _session():
    """The active SparkSession, or a new one."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise ReelgraphError(
            "the spark engine needs PySpark, which is not installed; install the optional "
            "extra: pip install 'reelgraph[spark]' (pyspark 4.3)"
        ) from None
    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    # Workers must run this interpreter (the one with reelgraph and numpy installed).
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.appName("reelgraph-top-k")
    if MASTER_ENV in os.environ:
        builder = builder.master(os.environ[MASTER_ENV])
    return builder.getOrCreate()
