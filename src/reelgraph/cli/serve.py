"""`reelgraph serve`: the HTTP API and web page over the current build."""

from __future__ import annotations

import logging
import os
import socket

import click

from reelgraph.errors import ReelgraphError
from reelgraph.serve.backends import DEFAULT, backend_names

log = logging.getLogger(__name__)


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    default=8000,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to listen on.",
)
@click.option(
    "--store",
    type=click.Choice(backend_names()),
    default=DEFAULT,
    show_default=True,
    help="Where similar movies and recommendations come from: the build in memory, "
    "or a graph store loaded with `reelgraph load` (falls back to the build).",
)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Server processes (each holds the build in memory).",
)
@click.pass_context
def command(ctx, host, port, store, workers) -> None:
    """Serve the JSON API (under /api, docs at /docs) and the web page for the current build."""
    import uvicorn

    from reelgraph.serve.app import create_app

    home = ctx.obj["home"]
    check_port(host, port)
    click.echo(f"reelgraph: serving {home} on http://{host}:{port}/ (API docs at /docs)")
    if workers == 1:
        uvicorn.run(create_app(home, store=store), host=host, port=port, log_level="warning")
        return
    # Several processes need an import string; the factory reads its settings from the env.
    os.environ["REELGRAPH_SERVE_HOME"] = str(home)
    os.environ["REELGRAPH_SERVE_STORE"] = store
    uvicorn.run(
        "reelgraph.serve.app:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
    )


def check_port(host: str, port: int) -> None:
    """Bind `host:port` once and let go, so a busy port fails here with a clear message.

    Raises:
        ReelgraphError: the host does not resolve, or the port is in use or not allowed.
    """
    if port == 0:
        return  # any free port: nothing to check
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except socket.gaierror as exc:
        raise ReelgraphError(f"--host {host!r}: cannot be resolved ({exc})") from None
    with socket.socket(family, kind, proto) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            sock.bind(address)
        except OSError as exc:
            reason = (exc.strerror or str(exc)).lower()
            raise ReelgraphError(
                f"cannot serve on {host}:{port}: {reason}; stop what is listening there or "
                "choose another --port"
            ) from None
