"""reelgraph: exact movie-similarity graphs and graph recommendations from MovieLens data."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("reelgraph")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
