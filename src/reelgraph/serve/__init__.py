"""The HTTP API and web page over a build: `create_app(home)` makes the FastAPI app."""

from reelgraph.serve.app import create_app

__all__ = ["create_app"]
