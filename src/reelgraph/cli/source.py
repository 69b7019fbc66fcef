"""Where `similar` and `recommend` read from: the loaded graph, or the build files."""

from __future__ import annotations

from pathlib import Path

import click

from reelgraph.builds import Build
from reelgraph.graph import GraphStore, StoreOptions, open_store
from reelgraph.graph.embedded import live_path


def current_graph(home: Path, build: Build) -> GraphStore | None:
    """The embedded store if it holds the current build, else None after a note on stderr.

    A graph loaded from an older build would answer with another recipe's views and edges,
    so the commands read the build files instead, as the API does.
    """
    if live_path(home) is None:
        click.echo("note: the graph is not loaded yet (run `reelgraph load`); reading the "
                   "build files", err=True)  # fmt: skip
        return None
    store = open_store("embedded", StoreOptions(home=home))
    info = store.info()
    current = build.manifest["build_id"]
    if info and info["build_id"] == current:
        return store
    store.close()
    held = info["build_id"] if info else "nothing"
    click.echo(f"note: the graph holds {held}, not the current build {current} (run "
               "`reelgraph load` to refresh it); reading the build files", err=True)  # fmt: skip
    return None
