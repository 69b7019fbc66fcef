"""Every error class reelgraph raises on purpose.

A user can fix each of these, so each message names the file, line, column or parameter,
what was expected and what was found. The CLI prints the message and exits with code 1.
"""

from __future__ import annotations

from pathlib import Path


class ReelgraphError(Exception):
    """Base class: an error the user can act on; the CLI shows only its message."""


class DataError(ReelgraphError):
    """A MovieLens file is missing, malformed or inconsistent.

    Args:
        path: the offending file (or folder).
        message: what was expected and what was found.
        line: 1-based line number in the file, header included, when known.
        column: the column name, when known.
    """

    def __init__(
        self,
        path: str | Path,
        message: str,
        *,
        line: int | None = None,
        column: str | None = None,
    ) -> None:
        self.path = Path(path)
        self.line = line
        self.column = column
        where = str(self.path)
        if line is not None:
            where += f", line {line}"
        if column is not None:
            where += f", column {column!r}"
        super().__init__(f"{where}: {message}")


class ReleaseNotRecognised(DataError):
    """A folder holds none of the MovieLens layouts reelgraph reads."""


class RecipeError(ReelgraphError):
    """A recipe file or a weight override is invalid."""


class BuildNotFound(ReelgraphError):
    """No finished build exists where one was looked for."""


class MovieNotFound(ReelgraphError):
    """A movie id or title matches no movie, or a title matches several."""

    def __init__(self, message: str, candidates: list[tuple[int, str]] | None = None) -> None:
        self.candidates = candidates or []
        super().__init__(message)


class UserNotFound(ReelgraphError):
    """A user id has no ratings in the build."""


class StoreError(ReelgraphError):
    """A graph store cannot be reached, opened or loaded."""


class DownloadError(ReelgraphError):
    """A release could not be downloaded or failed its checksum."""
