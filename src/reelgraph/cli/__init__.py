"""The `reelgraph` command line: one module per command, registered on one click group."""

from __future__ import annotations

import importlib
import logging
import os
import sys
from pathlib import Path

import click

from reelgraph import __version__
from reelgraph.config import HOME_ENV, home
from reelgraph.errors import ReelgraphError

# Each name is a module of this package defining a click command called `command`.
COMMANDS = [
    "build", "similar", "export", "load", "recommend", "evaluate", "serve", "download",
    "synth", "bench",
]  # fmt: skip


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="reelgraph")
@click.option(
    "--home",
    "home_dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar=HOME_ENV,
    help=f"Folder holding builds and the embedded graph [env {HOME_ENV}; default ./.reelgraph].",
)
@click.option("-v", "--verbose", count=True, help="More log output (-v info, -vv debug).")
@click.pass_context
def cli(ctx: click.Context, home_dir: Path | None, verbose: int) -> None:
    """Exact movie-similarity graphs and graph recommendations from MovieLens data."""
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    ctx.obj = {"home": home(home_dir)}


for _name in COMMANDS:
    cli.add_command(importlib.import_module(f"reelgraph.cli.{_name}").command)


def main() -> None:
    """Entry point: run the CLI, turning user-fixable errors into a message and exit code 1."""
    try:
        cli.main(standalone_mode=False)
    except ReelgraphError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except BrokenPipeError:
        # The reader went away (`reelgraph export | head`): stop quietly, as SIGPIPE would.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(141)
