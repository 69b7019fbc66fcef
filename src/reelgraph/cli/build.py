"""`reelgraph build`: compute and save the similarity graph of a MovieLens release."""

from __future__ import annotations

from pathlib import Path

import click

from reelgraph.cli.progress import bars
from reelgraph.graph.store import DEFAULT_BATCH_SIZE
from reelgraph.pipeline import run_build
from reelgraph.recipe import load_recipe, parse_weight_overrides
from reelgraph.similarity.engines import engine_names


@click.command("build")
@click.option(
    "--data",
    "data",
    required=True,
    type=click.Path(path_type=Path),
    help="MovieLens release folder (ml-latest-small, ml-25m, ml-100k, ml-1m, ...).",
)
@click.option(
    "--recipe",
    default="default",
    show_default=True,
    help="Built-in recipe name (seed, default, ...) or a recipe .toml file.",
)
@click.option(
    "--weight",
    "weights",
    multiple=True,
    metavar="VIEW=W",
    help="Override a view's weight, e.g. --weight genome=0.6 (repeatable).",
)
@click.option(
    "--k",
    default=20,
    show_default=True,
    type=click.IntRange(min=1),
    help="Neighbours kept per movie.",
)
@click.option(
    "--engine",
    default="local",
    show_default=True,
    type=click.Choice(engine_names()),
    help="Where the top-k runs.",
)
@click.option(
    "--block-rows",
    type=click.IntRange(min=1),
    default=None,
    help="Query rows per block (default: about 32 MiB of scores).",
)
@click.option(
    "--load",
    "load_graph",
    is_flag=True,
    help="Then load the build into the embedded graph store (`reelgraph load`).",
)
@click.pass_context
def command(ctx, data, recipe, weights, k, engine, block_rows, load_graph) -> None:
    """Compute every movie's k most similar movies and save the build."""
    chosen = load_recipe(recipe).with_weights(parse_weight_overrides(weights))
    home = ctx.obj["home"]
    click.echo(f"building {data} with recipe {chosen.name!r}, k={k}", err=True)
    with bars() as progress:
        result = run_build(data, chosen, k, home, engine=engine, block_rows=block_rows,
                           progress=progress)  # fmt: skip
    _summary(result.manifest, result.folder)
    if load_graph:
        from reelgraph.cli.load import echo_load, load_current

        echo_load(*load_current(home, "embedded", DEFAULT_BATCH_SIZE))


def _summary(manifest: dict, folder: Path) -> None:
    counts = manifest["counts"]
    click.echo(f"release:  {manifest['data']['release']}")
    click.echo(f"movies:   {counts['movies']:,}")
    click.echo(f"ratings:  {counts['ratings']:,} by {counts['users']:,} users")
    for line in manifest["load_report"]:
        click.echo(f"note:     {line}")
    for line in manifest.get("warnings", []):
        click.echo(f"warning:  {line}")
    for view, share in manifest["coverage"].items():
        weight = manifest["recipe"]["views"][view]["weight"]
        click.echo(f"view:     {view:<8} weight {weight:<5g} covers {share:7.2%} of movies")
    click.echo(f"edges:    {counts['edges']:,} (k={manifest['k']})")
    timings = manifest["timings_s"]
    steps = ", ".join(f"{name} {secs:.1f} s" for name, secs in timings.items())
    click.echo(f"time:     {sum(timings.values()):.1f} s ({steps})")
    click.echo(f"saved:    {folder}")
