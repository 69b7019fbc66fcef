"""`reelgraph load`: put the current build into a graph store."""

from __future__ import annotations

from pathlib import Path

import click

from reelgraph.builds import Build
from reelgraph.cli.progress import bars
from reelgraph.graph import LoadResult, StoreOptions, open_store, store_names
from reelgraph.graph.store import DEFAULT_BATCH_SIZE, DEFAULT_STORE

NEO4J_CONFIG_SETTING = "NEO4J_CONFIG"


def load_current(
    home: Path, store: str, batch_size: int, settings: dict[str, str] | None = None
) -> tuple[LoadResult, dict[str, int]]:
    """Load the current build under `home` into `store`, with progress bars.

    Returns:
        (what the load sent, the counts the store reports afterwards).
    """
    build = Build.open(home)
    options = StoreOptions(home=home, read_only=False)
    if settings:
        options = StoreOptions(home=home, read_only=False,
                               settings={**options.settings, **settings})  # fmt: skip
    click.echo(f"loading build {build.manifest['build_id']} into the {store} store", err=True)
    with open_store(store, options) as graph, bars() as progress:
        result = graph.load(build, progress=progress, batch_size=batch_size)
        counts = graph.counts()
    return result, counts


def echo_load(result: LoadResult, counts: dict[str, int]) -> None:
    """Print what a load did: rows per label and type, time and edges per second."""
    for name, sent in result.counts.items():
        secs = result.timings.get(name, 0.0)
        click.echo(f"{name + ':':<10}{counts.get(name, 0):>10,} in store "
                   f"({sent:,} loaded, {secs:.1f} s)")  # fmt: skip
    click.echo(f"time:     {result.seconds:.1f} s, {result.edges_per_second:,.0f} SIMILAR "
               f"edges/s into {result.store}")  # fmt: skip


@click.command("load")
@click.option(
    "--store",
    default=DEFAULT_STORE,
    show_default=True,
    type=click.Choice(store_names()),
    help="The graph store to load.",
)
@click.option(
    "--batch-size",
    default=DEFAULT_BATCH_SIZE,
    show_default=True,
    type=click.IntRange(min=1),
    help="Rows per transaction for server stores (the embedded store bulk-copies).",
)
@click.option(
    "--neo4j-config",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="A TOML file with Neo4j connection settings [env NEO4J_CONFIG].",
)
@click.pass_context
def command(ctx, store, batch_size, neo4j_config) -> None:
    """Load the current build into a graph store (the embedded one by default)."""
    settings = {NEO4J_CONFIG_SETTING: str(neo4j_config)} if neo4j_config else None
    result, counts = load_current(ctx.obj["home"], store, batch_size, settings)
    echo_load(result, counts)
