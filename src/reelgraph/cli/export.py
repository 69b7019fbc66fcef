"""`reelgraph export`: write the build's edges as CSV or Parquet."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from reelgraph.builds import Build
from reelgraph.export import write_edges

FORMATS = ["csv", "parquet"]


@click.command("export")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="csv", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Output file (default: standard output; required for parquet).")
@click.pass_context
def command(ctx, fmt, out) -> None:
    """Write every edge: movie_id, rank, similar_id, score and one column per view."""
    build = Build.open(ctx.obj["home"])
    if out is None and fmt == "parquet" and sys.stdout.isatty():
        raise click.UsageError("parquet is binary: give --out FILE or redirect stdout")
    write_edges(build, fmt, out)
