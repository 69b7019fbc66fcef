"""A saved build: the similarity edges, the catalogue and a manifest, swapped in atomically.

Layout under the reelgraph home folder::

    builds/<build-id>/manifest.json   recipe, k, data fingerprints, counts, package version
    builds/<build-id>/movies.parquet  the catalogue with rating counts and means
    builds/<build-id>/edges.parquet   movie_id, rank, similar_id, score, one column per view
    builds/<build-id>/ratings.parquet the ratings the build used (for the graph and recommender)
    builds/<build-id>/tags.parquet    user tags, when the release has them
    builds/<build-id>/genome_tags.parquet  each movie's most relevant genome tags
    current -> builds/<build-id>      a symbolic link, replaced atomically

The newest KEEP_BUILDS builds are kept; older ones are deleted when a new one is published.

A build is written under a temporary name and only linked as `current` once complete, so an
interrupted or failed build leaves the previous one in place.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import time
import uuid
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from reelgraph.errors import BuildNotFound, ReelgraphError

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
CURRENT = "current"
KEEP_BUILDS = 2


def fingerprint(path: Path) -> dict[str, Any]:
    """Name, size and SHA-256 of a data file."""
    with path.open("rb") as f:
        digest = hashlib.file_digest(f, "sha256").hexdigest()
    return {"name": path.name, "bytes": path.stat().st_size, "sha256": digest}


class BuildWriter:
    """Writes one build into a temporary folder, then publishes it.

    Use as a context manager: leaving the block without `publish()` (an exception, an
    interrupt) removes the temporary folder and leaves the current build untouched.
    """

    def __init__(self, home: Path) -> None:
        self.home = Path(home)
        self.build_id = time.strftime("%Y%m%d-%H%M%S-") + uuid.uuid4().hex[:6]
        self.folder = self.home / "builds" / f".tmp-{self.build_id}"

    def __enter__(self) -> BuildWriter:
        try:
            self.folder.mkdir(parents=True)
        except OSError as exc:
            raise ReelgraphError(
                f"cannot write builds under {str(self.home)!r}: {exc.strerror or exc}; "
                "choose another folder with --home or REELGRAPH_HOME"
            ) from None
        return self

    def __exit__(self, *exc_info) -> None:
        if self.folder.exists():
            shutil.rmtree(self.folder, ignore_errors=True)

    def frame(self, name: str, frame: pd.DataFrame) -> None:
        """Write a table as `<name>.parquet`."""
        frame.to_parquet(self.folder / f"{name}.parquet", index=False)

    def publish(self, manifest: dict[str, Any]) -> Path:
        """Write the manifest, move the build into place and point `current` at it."""
        manifest = {"format_version": FORMAT_VERSION, "build_id": self.build_id, **manifest}
        (self.folder / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
        final = self.home / "builds" / self.build_id
        os.replace(self.folder, final)
        _point(self.home / CURRENT, Path("builds") / self.build_id)
        _prune(self.home / "builds", keep=final)
        log.info("build %s saved in %s", self.build_id, final)
        return final


def _point(link: Path, target: Path) -> None:
    tmp = link.with_name(f".{link.name}.{uuid.uuid4().hex[:6]}")
    os.symlink(target, tmp)
    os.replace(tmp, link)  # atomic on POSIX: readers see the old build or the new one


def _prune(builds: Path, keep: Path) -> None:
    finished = sorted(p for p in builds.iterdir() if not p.name.startswith("."))
    for old in finished[:-KEEP_BUILDS]:
        if old != keep:
            shutil.rmtree(old, ignore_errors=True)


@dataclass
class Build:
    """A published build, read lazily."""

    folder: Path

    @classmethod
    def open(cls, home: Path) -> Build:
        """The current build under `home`, or BuildNotFound saying how to make one."""
        link = Path(home) / CURRENT
        folder = link.resolve() if link.exists() else None
        if folder is None or not (folder / "manifest.json").is_file():
            raise BuildNotFound(
                f"no build found in {str(home)!r}; run `reelgraph build --data FOLDER` first "
                "(or set REELGRAPH_HOME / --home to where the build is)"
            )
        return cls(folder)

    @cached_property
    def manifest(self) -> dict[str, Any]:
        """The manifest.json content."""
        return json.loads((self.folder / "manifest.json").read_text())

    @cached_property
    def movies(self) -> pd.DataFrame:
        """The catalogue (see `Dataset.movies`) plus n_ratings and mean_rating."""
        return pd.read_parquet(self.folder / "movies.parquet")

    @cached_property
    def edges(self) -> pd.DataFrame:
        """All edges sorted by (movie_id, rank)."""
        return pd.read_parquet(self.folder / "edges.parquet")

    def table(self, name: str) -> pd.DataFrame | None:
        """An optional table of the build (`ratings`, `tags`, `genome_tags`), or None."""
        path = self.folder / f"{name}.parquet"
        return pd.read_parquet(path) if path.is_file() else None

    @property
    def view_names(self) -> list[str]:
        """The recipe's view names, in blend order."""
        return list(self.manifest["recipe"]["views"])

    @property
    def weights(self) -> dict[str, float]:
        """View name to weight, as built."""
        return {n: float(v["weight"]) for n, v in self.manifest["recipe"]["views"].items()}
