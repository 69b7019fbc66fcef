"""Where the page's JavaScript packages are: the npm install of the repository's package.json.

The packages are not copied into the repository; `npm ci` at the repository root installs them
into `node_modules/`, and the app serves them from there. The folder is looked for, in order, at
`$REELGRAPH_NODE_MODULES`, beside a `package.json` above this file (a source checkout), then
above the working directory.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

NODE_MODULES_ENV = "REELGRAPH_NODE_MODULES"

PACKAGES = {
    "cytoscape": "dist/cytoscape.min.js",
    "swagger-ui-dist": "swagger-ui-bundle.js",
}
"""npm package -> a file it must contain, proving the install is complete."""


@dataclass(frozen=True)
class Assets:
    """The located node_modules folder, or why it was not found.

    Attributes:
        folder: the node_modules folder holding every package of PACKAGES, or None.
        problem: when folder is None, what is missing and how to install it.
    """

    folder: Path | None
    problem: str | None = None

    def package(self, name: str) -> Path:
        """The installed folder of npm package `name` (only valid when folder is set)."""
        assert self.folder is not None
        return self.folder / name


def _candidates() -> list[Path]:
    found = []
    env = os.environ.get(NODE_MODULES_ENV)
    if env:
        found.append(Path(env))
    for start in (Path(__file__).resolve(), Path.cwd().resolve()):
        for parent in start.parents if start.is_file() else (start, *start.parents):
            if (parent / "package.json").is_file():
                found.append(parent / "node_modules")
    return list(dict.fromkeys(found))


def _missing(folder: Path) -> list[str]:
    return [
        f"{name}/{file}" for name, file in PACKAGES.items() if not (folder / name / file).is_file()
    ]


def find_assets(folder: Path | None = None) -> Assets:
    """Locate node_modules (`folder` if given) and check every needed package is installed."""
    candidates = [Path(folder)] if folder is not None else _candidates()
    for candidate in candidates:
        if candidate.is_dir() and not _missing(candidate):
            log.info("serving JavaScript packages from %s", candidate)
            return Assets(candidate)
    where = ", ".join(str(c) for c in candidates) or "no package.json found above the package"
    needed = ", ".join(PACKAGES)
    problem = (
        f"the web page's JavaScript packages ({needed}) are not installed: looked in {where}. "
        "Run `npm ci` in the reelgraph repository root (where package.json is), or set "
        f"{NODE_MODULES_ENV} to an installed node_modules folder."
    )
    log.warning(problem)
    return Assets(None, problem)
