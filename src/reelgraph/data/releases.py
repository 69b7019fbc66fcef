"""Recognise a MovieLens release from the files in a folder and load it.

Each layout registers a `Release`: the files that identify it and a loader. Adding a layout is
one `register(...)` call.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from reelgraph.data.dataset import Dataset
from reelgraph.errors import DataError, ReleaseNotRecognised


@dataclass(frozen=True)
class Release:
    """A MovieLens file layout.

    Attributes:
        name: short name shown to users, e.g. `movielens-csv`.
        marker: files whose presence identifies the layout (all must exist).
        load: reads the folder into a Dataset.
    """

    name: str
    marker: tuple[str, ...]
    load: Callable[[Path], Dataset]


_RELEASES: list[Release] = []


def register(release: Release) -> Release:
    """Add a layout to those `detect` recognises (first registered, first tried)."""
    _RELEASES.append(release)
    return release


def releases() -> list[Release]:
    """Every registered layout."""
    _ensure_builtin()
    return list(_RELEASES)


def detect(folder: str | Path) -> Release:
    """The layout of `folder`, or an error listing the files each layout expects."""
    folder = Path(folder)
    if not folder.is_dir():
        raise DataError(folder, "not a folder; expected a MovieLens release folder")
    for release in releases():
        if all((folder / name).is_file() for name in release.marker):
            return release

    present = sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))
    expected = "; ".join(f"{r.name}: {', '.join(r.marker)}" for r in releases())
    found = ", ".join(present[:12]) + (", ..." if len(present) > 12 else "") or "no files"
    near = [r for r in releases() if any((folder / name).is_file() for name in r.marker)]
    if near:
        missing = [n for n in near[0].marker if not (folder / n).is_file()]
        raise ReleaseNotRecognised(
            folder,
            f"looks like a {near[0].name} release but required file(s) "
            f"{', '.join(missing)} are missing; expected {', '.join(near[0].marker)}, "
            f"found {found}",
        )
    raise ReleaseNotRecognised(
        folder,
        f"no MovieLens release recognised; expected the files of one of: {expected}; "
        f"found {found}",
    )


def load(folder: str | Path) -> Dataset:
    """Detect the layout of `folder` and load it."""
    release = detect(folder)
    dataset = release.load(Path(folder))
    dataset.report.release = release.name
    return dataset


def _ensure_builtin() -> None:
    if _RELEASES:
        return
    from reelgraph.data import legacy, movielens_csv

    register(Release("movielens-csv", ("movies.csv", "ratings.csv"),
                     movielens_csv.load_csv_release))  # fmt: skip
    for release in legacy.RELEASES:
        register(release)
