"""Where reelgraph keeps its builds and finds data, from the environment with sane defaults."""

from __future__ import annotations

import os
from pathlib import Path

HOME_ENV = "REELGRAPH_HOME"
"""Environment variable naming the folder that holds builds and the embedded graph."""

DEFAULT_HOME = Path(".reelgraph")


def home(path: str | Path | None = None) -> Path:
    """The reelgraph home folder: `path` if given, else `$REELGRAPH_HOME`, else `./.reelgraph`."""
    if path is not None:
        return Path(path)
    return Path(os.environ.get(HOME_ENV) or DEFAULT_HOME)
