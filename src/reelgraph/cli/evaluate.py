"""`reelgraph evaluate`: compare the graph recommender with baselines on held-out ratings."""

from __future__ import annotations

import shlex
import sys
import time
from pathlib import Path

import click

from reelgraph.cli.progress import bars
from reelgraph.data import load
from reelgraph.evaluation.recommenders import recommender_names
from reelgraph.evaluation.report import text_table, write_report
from reelgraph.evaluation.run import DEFAULT_RECOMMENDERS, evaluate
from reelgraph.evaluation.splits import split_names


@click.command("evaluate")
@click.option(
    "--data",
    "data",
    required=True,
    type=click.Path(path_type=Path),
    help="MovieLens release folder (ml-latest-small, ...).",
)
@click.option(
    "--protocol",
    default="stratified",
    show_default=True,
    type=click.Choice(split_names()),
    help="How the ratings are split per user.",
)
@click.option(
    "--k",
    default=10,
    show_default=True,
    type=click.IntRange(min=1),
    help="Length of each recommendation list.",
)
@click.option(
    "--out",
    "out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Report folder [default: ./evaluation-PROTOCOL].",
)
@click.option(
    "--seed",
    default=42,
    show_default=True,
    type=int,
    help="Seed of the split and of the randomised recommenders.",
)
@click.option(
    "--recommender",
    "names",
    multiple=True,
    type=click.Choice(recommender_names()),
    help="Recommenders to compare (repeatable) [default: all but graph-learned].",
)
@click.option("--no-tune", is_flag=True, help="Use default options, skip the validation search.")
def command(data, protocol, k, out, seed, names, no_tune) -> None:
    """Split the ratings, tune on validation, and print and save the comparison."""
    names = names or DEFAULT_RECOMMENDERS
    out = out or Path(f"evaluation-{protocol}")
    started = time.perf_counter()
    dataset = load(data)
    click.echo(f"evaluating {', '.join(names)} on {data} ({protocol}, k={k})", err=True)
    with bars() as progress:
        result = evaluate(dataset, protocol, k=k, seed=seed, recommenders=names,
                          tune_options=not no_tune, progress=progress)  # fmt: skip
    for line in result.split_lines[:3]:
        click.echo(f"split:    {line}")
    click.echo(text_table(result))
    command_line = "reelgraph " + shlex.join(sys.argv[1:]) if sys.argv[1:] else ""
    paths = write_report(result, out, command_line)
    click.echo(f"report:   {out} ({', '.join(p.name for p in paths)})")
    click.echo(f"time:     {time.perf_counter() - started:.1f} s")
