"""`reelgraph bench`: speed and memory against the published method, faiss and the hardware."""

from __future__ import annotations

import json
from pathlib import Path

import click

from reelgraph.bench.scale import BenchOptions, run_benchmark


def _sizes(_ctx, _param, value: str) -> tuple[int, ...]:
    try:
        return tuple(int(v) for v in value.split(",") if v.strip())
    except ValueError:
        raise click.BadParameter(f"expected comma-separated numbers, found {value!r}") from None


@click.command("bench")
@click.option(
    "--data",
    required=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Release folder, e.g. from `reelgraph synth`.",
)
@click.option("--k", default=50, show_default=True, type=click.IntRange(min=1))
@click.option(
    "--recipe",
    default="seed",
    show_default=True,
    help="Recipe; the published comparison assumes genome/genres/stats.",
)
@click.option(
    "--sizes",
    default="1000,5000,10000,20000",
    show_default=True,
    callback=_sizes,
    help="Sample sizes for the published method (empty string: skip).",
)
@click.option(
    "--max-memory-gib",
    default=8.0,
    show_default=True,
    help="Skip published runs estimated to need more memory than this.",
)
@click.option(
    "--build/--no-build",
    default=True,
    show_default=True,
    help="Time the whole `reelgraph build` per stage.",
)
@click.option(
    "--faiss/--no-faiss",
    default=True,
    show_default=True,
    help="Run faiss IndexFlatIP exact search on the full catalogue (~150 s on 2 cores).",
)
@click.option(
    "--approx-dims",
    default="",
    callback=_sizes,
    metavar="D1,D2",
    help="Also time the approximate mode with the genome SVD-compressed to these "
    "widths, with its recall@k.",
)
@click.option(
    "--workdir",
    default="/tmp/reelgraph-bench",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Scratch folder.",
)
@click.option(
    "--json-out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write every figure as JSON here.",
)
@click.option(
    "--repeat",
    default=3,
    show_default=True,
    type=click.IntRange(min=1),
    help="Run the full-catalogue top-k this many times and report the best.",
)
def command(
    data, k, recipe, sizes, max_memory_gib, build, faiss, approx_dims, workdir, json_out, repeat
) -> None:
    """Benchmark build stages, the top-k against faiss and the hardware bound, and the
    published dense method against reelgraph on samples. Prints the figures."""
    options = BenchOptions(
        data=data,
        k=k,
        recipe=recipe,
        sizes=sizes,
        max_memory_gib=max_memory_gib,
        build=build,
        faiss=faiss,
        repeat=repeat,
        approx_dims=approx_dims,
        workdir=workdir,
    )
    report = run_benchmark(options, click.echo)
    if json_out:
        json_out.write_text(json.dumps(report, indent=2) + "\n")
        click.echo(f"\nfigures written to {json_out}")
