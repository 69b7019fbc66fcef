"""`reelgraph export`: write the build's edges as CSV or Parquet."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from reelgraph.builds import Build
from reelgraph.export import write_edges

FORMATS = ["csv", "parquet", "neo4j-admin"]


@click.command("export")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="csv", show_default=True)
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="Output file; '-' or none for standard output (parquet only when it is "
                   "redirected); for neo4j-admin, the folder to write.")  # fmt: skip
@click.option("--database", default="neo4j", show_default=True,
              help="neo4j-admin: the database the printed command imports into.")  # fmt: skip
@click.pass_context
def command(ctx, fmt, out, database) -> None:
    """Write every edge: movie_id, rank, similar_id, score and one column per view.

    With --format neo4j-admin, write the whole graph as CSV files for
    `neo4j-admin database import full` into the folder --out, and print that command.
    """
    build = Build.open(ctx.obj["home"])
    if fmt == "neo4j-admin":
        _neo4j_admin(build, out, database)
        return
    if out is not None and str(out) == "-":
        out = None
    if out is not None and out.is_dir():
        raise click.UsageError(f"--out {str(out)!r} is a folder; {fmt} needs a file")
    if out is None and fmt == "parquet" and sys.stdout.isatty():
        raise click.UsageError("parquet is binary: give --out FILE or redirect standard output")
    write_edges(build, fmt, out)


def _neo4j_admin(build: Build, out: Path | None, database: str) -> None:
    from reelgraph.graph.neo4j_admin import write_admin_import

    if out is None:
        raise click.UsageError("neo4j-admin writes several files: give --out FOLDER")
    export = write_admin_import(build, out, database=database)
    for name, count in export.counts.items():
        click.echo(f"{name:<10} {count:>12,} rows", err=True)
    click.echo(export.command)
