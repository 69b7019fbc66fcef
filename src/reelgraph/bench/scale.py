"""The scale benchmark: build stages, the top-k against faiss and the hardware bound, and the
published dense method against reelgraph on samples of the catalogue.

Every measured piece runs in its own process (`reelgraph.bench.worker`), so each peak memory
figure is that piece's own. Figures are printed through `echo` and returned as plain data.
"""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from reelgraph.bench.measure import blas_info, matmul_rate

log = logging.getLogger(__name__)

GIB = 2**30
PUBLISHED_BYTES_PER_PAIR = 56  # its dense float64 matrices and the row sort, per movie pair
PUBLISHED_BASE_BYTES = 1.5 * GIB  # pandas tables of the sample's ratings and genome


@dataclass
class BenchOptions:
    """What to run.

    Attributes:
        data: a release folder (e.g. from `reelgraph synth`).
        k: neighbours per movie.
        recipe: the recipe (its views must be genome, genres and stats for the published
            method to compare).
        sizes: sample sizes for the published method against reelgraph.
        max_memory_gib: skip a published run whose estimated peak exceeds this.
        build: time the whole `reelgraph build` per stage.
        faiss: run faiss's exact search on the full catalogue.
        approx_dims: genome widths for the approximate mode (empty: none).
        workdir: scratch folder for samples and builds (removed afterwards).
        repeat: times the full-catalogue top-k runs; the best is reported (shared machine).
        seed: the sampling seed.
    """

    data: Path
    k: int = 50
    recipe: str = "seed"
    sizes: Sequence[int] = (1000, 5000, 10000, 20000)
    max_memory_gib: float = 8.0
    build: bool = True
    faiss: bool = True
    approx_dims: Sequence[int] = ()
    workdir: Path = Path("/tmp/reelgraph-bench")
    seed: int = 7
    repeat: int = 3
    report: dict[str, Any] = field(default_factory=dict)


def run_benchmark(options: BenchOptions, echo: Callable[[str], None]) -> dict[str, Any]:
    """Run every part of the benchmark, printing figures as they come; return them all."""
    report = options.report
    work = Path(options.workdir)
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    try:
        _machine(report, echo)
        if options.build:
            _build(options, work, report, echo)
        _topk(options, report, echo)
        if options.sizes:
            _published(options, work, report, echo)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return report


def _machine(report: dict, echo) -> None:
    rate = matmul_rate()
    report["machine"] = {"blas": blas_info(), "matmul_flops": rate}
    echo(f"BLAS: {report['machine']['blas']}")
    echo(f"numpy float32 matmul: {rate / 1e9:.0f} GFLOP/s")


def _build(options: BenchOptions, work: Path, report: dict, echo) -> None:
    echo(f"\n== reelgraph build on {options.data} (recipe {options.recipe}, k={options.k})")
    figures = run_task(
        "build",
        {
            "data": str(options.data),
            "recipe": options.recipe,
            "k": options.k,
            "home": str(work / "home"),
        },
    )
    report["build"] = figures
    if "error" in figures:
        echo(f"build failed: {figures['error']}")
        return
    for name, stage in figures["stages"].items():
        echo(f"  {name:<9} {stage['seconds']:7.1f} s   peak {_gib(stage['peak_bytes'])}")
    echo(f"  total     {figures['total_seconds']:7.1f} s   peak {_gib(figures['peak_bytes'])}")


def _topk(options: BenchOptions, report: dict, echo) -> None:
    echo(f"\n== exact top-{options.k} on the full catalogue")
    figures = run_task(
        "topk",
        {
            "data": str(options.data),
            "recipe": options.recipe,
            "k": options.k,
            "faiss": options.faiss,
            "approx_dims": list(options.approx_dims),
            "repeat": options.repeat,
        },
    )
    report["topk"] = figures
    if "error" in figures:
        echo(f"top-k failed: {figures['error']}")
        return
    ours = figures["reelgraph"]
    echo(f"  movies {figures['movies']:,}; {figures['structure']}")
    echo(
        f"  reelgraph  {ours['seconds']:7.1f} s   added memory {_gib(ours['added_bytes'])}"
        f"   process peak {_gib(ours['peak_bytes'])}   (best of "
        f"{', '.join(f'{t:.1f}' for t in ours['all_seconds'])} s)"
    )
    if "faiss" in figures:
        theirs = figures["faiss"]
        echo(
            f"  faiss      {theirs['seconds']:7.1f} s   added memory "
            f"{_gib(theirs['added_bytes'])}   IndexFlatIP, {theirs['threads']} threads, "
            f"same neighbours for {theirs['same_neighbour_sets']:.1%} of movies, "
            f"{theirs['same_up_to_ties']:.1%} up to ties"
        )
        echo(f"  reelgraph / faiss time: {ours['seconds'] / theirs['seconds']:.3f}")
    rate = report["machine"]["matmul_flops"]
    for name, macs in figures["macs"].items():
        bound = 2 * macs / rate
        echo(
            f"  hardware bound, {name.replace('_', ' ')}: {macs:.3g} multiply-adds / "
            f"{rate / 1e9:.0f} GFLOP/s = {bound:.1f} s; reelgraph / bound "
            f"{ours['seconds'] / bound:.2f}"
        )
    for approx in figures.get("approx", []):
        echo(
            f"  approximate, genome SVD to {approx['genome_dims']} dims: "
            f"{approx['seconds']:.1f} s, recall@{options.k} {approx['recall_at_k']:.4f}"
        )


def _published(options: BenchOptions, work: Path, report: dict, echo) -> None:
    echo(f"\n== published dense method vs reelgraph on samples (k={options.k})")
    echo(
        f"  {'movies':>7} {'published':>10} {'peak':>9} {'reelgraph':>10} {'peak':>9} "
        f"{'time x':>8} {'memory x':>9}  same lists / up to ties"
    )
    rows = report.setdefault("published", [])
    for size in options.sizes:
        estimate = PUBLISHED_BYTES_PER_PAIR * size**2 + PUBLISHED_BASE_BYTES
        if estimate > options.max_memory_gib * GIB:
            rows.append({"movies": size, "skipped": f"needs ~{_gib(estimate)}"})
            echo(
                f"  {size:>7,} skipped: the published method needs ~{_gib(estimate)}, over the "
                f"{options.max_memory_gib:g} GiB allowed (--max-memory-gib)"
            )
            continue
        folder = write_sample(options.data, size, options.seed, work / f"sample-{size}")
        common = {"data": str(folder), "k": options.k, "recipe": options.recipe}
        theirs = run_task("published", {**common, "out": str(work / f"pub-{size}.npz")})
        ours = run_task("reelgraph", {**common, "out": str(work / f"rg-{size}.npz")})
        row = {"movies": size, "published": theirs, "reelgraph": ours}
        rows.append(row)
        if "error" in theirs or "error" in ours:
            echo(f"  {size:>7,} failed: {theirs.get('error') or ours.get('error')}")
            continue
        same, ties = compare_lists(work / f"pub-{size}.npz", work / f"rg-{size}.npz")
        row.update(same_lists=same, same_up_to_ties=ties)
        echo(
            f"  {size:>7,} {theirs['seconds']:9.1f}s {_gib(theirs['peak_bytes']):>9} "
            f"{ours['seconds']:9.1f}s {_gib(ours['peak_bytes']):>9} "
            f"{theirs['seconds'] / ours['seconds']:8.1f} "
            f"{theirs['peak_bytes'] / ours['peak_bytes']:9.1f}  {same:.1%} / {ties:.1%}"
        )


def run_task(task: str, args: dict[str, Any]) -> dict[str, Any]:
    """Run a worker task in a fresh Python process; its figures, or {"error": ...}."""
    command = [sys.executable, "-m", "reelgraph.bench.worker", task, json.dumps(args)]
    log.info("running %s", " ".join(command[2:4]))
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        tail = done.stderr.strip().splitlines()[-3:]
        return {"error": f"exit code {done.returncode}: {' | '.join(tail)}"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def write_sample(data: Path, size: int, seed: int, folder: Path) -> Path:
    """A release folder with `size` movies drawn at random (seeded), their ratings and genome
    rows, and the genome tag names."""
    folder.mkdir(parents=True)
    movies = pacsv.read_csv(data / "movies.csv")
    rng = np.random.default_rng(seed)
    picked = np.sort(rng.choice(movies.num_rows, size=min(size, movies.num_rows), replace=False))
    movies = movies.take(pa.array(picked))
    ids = movies["movieId"]
    _write(movies, folder / "movies.csv")
    for name in ("ratings.csv", "genome-scores.csv"):
        if (data / name).is_file():
            table = pacsv.read_csv(data / name)
            table = table.filter(pc.is_in(table["movieId"], value_set=ids))
            if table.num_rows:  # a release without genome rows has no genome files
                _write(table, folder / name)
    if (folder / "genome-scores.csv").is_file():
        shutil.copyfile(data / "genome-tags.csv", folder / "genome-tags.csv")
    return folder


def compare_lists(published: Path, ours: Path) -> tuple[float, float]:
    """Shares of movies whose neighbour lists agree exactly, and agree up to ties (scores
    equal within 1e-9 and ids equal above the last tied group)."""
    a, b = np.load(published), np.load(ours)
    assert np.array_equal(a["movie_ids"], b["movie_ids"])
    same = np.all(a["neighbours"] == b["neighbours"], axis=1)
    close = np.all(np.abs(a["scores"] - b["scores"]) <= 1e-9, axis=1)
    last = b["scores"][:, -1:]
    above = b["scores"] > last + 1e-9
    ties = close & np.all(
        np.sort(np.where(above, a["neighbours"], -1), axis=1)
        == np.sort(np.where(above, b["neighbours"], -1), axis=1),
        axis=1,
    )
    return float(same.mean()), float(ties.mean())


def _write(table: pa.Table, path: Path) -> None:
    pacsv.write_csv(table, path, write_options=pacsv.WriteOptions(quoting_style="needed"))


def _gib(n: float) -> str:
    return f"{n / GIB:.2f} GiB"
