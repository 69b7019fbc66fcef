"""`reelgraph synth`: write a SYNTHETIC MovieLens-shaped release for scale benchmarks."""

from __future__ import annotations

from pathlib import Path

import click

from reelgraph.bench.synthetic import SHAPES, Shape, generate


@click.command("synth")
@click.option(
    "--catalog",
    required=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Folder with the real ML-25M movies.csv and genome-tags.csv.",
)
@click.option(
    "--out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Release folder to write (new or empty; keep it outside the repository).",
)
@click.option(
    "--force",
    is_flag=True,
    help="Write even when --out is inside the reelgraph source checkout.",
)
@click.option(
    "--shape",
    type=click.Choice(sorted(SHAPES)),
    default="ml-25m",
    show_default=True,
    help="ml-25m: 62,423 movies, 25,000,095 ratings; ml-32m: 87,585 movies, 32,000,204 ratings.",
)
@click.option("--seed", default=25, show_default=True, help="Random seed.")
@click.option(
    "--scale",
    default=1.0,
    show_default=True,
    type=click.FloatRange(0, 1, min_open=True),
    help="Shrink users, ratings and genome movies by this factor (the catalogue stays "
    "whole), for quick trials.",
)
def command(catalog: Path, out: Path, force: bool, shape: str, seed: int, scale: float) -> None:
    """Write a synthetic release: the real catalogue, synthetic ratings and genome.

    The ratings and genome relevances are SYNTHETIC (seeded, shaped like ML-25M); only the
    titles, years, genres and tag names are real. Use it to measure speed and memory.
    """
    click.echo(f"writing a synthetic {shape}-shaped release to {out} (seed {seed})", err=True)
    full = SHAPES[shape]
    sizes = Shape(
        movies=full.movies,
        users=max(1, round(full.users * scale)),
        ratings=max(20, round(full.ratings * scale)),
        genome_movies=max(1, round(full.genome_movies * scale)),
    )
    folder = generate(catalog, out, sizes, seed=seed, force=force)
    click.echo(f"wrote {folder}")
