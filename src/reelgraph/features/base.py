"""What a view is, and the registry that turns a recipe's view names into views.

A view describes each movie by one family of features (genome, genres, stats, ...). Its output
is a set of L2-normalised vectors for the movies that have any; the similarity engine takes the
cosine per view and blends the views by the recipe's weights. Adding a view is one class with
`@register_view("name")`: its dataclass fields are its options, settable from a recipe file.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd
import scipy.sparse as sp

from reelgraph.data.dataset import Dataset
from reelgraph.errors import RecipeError


@dataclass
class ViewVectors:
    """One view's vectors for the movies of a catalogue that have a non-zero vector.

    Attributes:
        rows: int64 array, shape (m,), ascending positions in the catalogue (`Dataset.movies`
            order) of the movies that have a vector. Every other movie has the zero vector,
            whose cosine with anything is 0.
        matrix: shape (m, d), float64, each row of L2 norm 1; dense ndarray or scipy CSR.
        n_movies: the catalogue size N.
    """

    rows: np.ndarray
    matrix: np.ndarray | sp.csr_matrix
    n_movies: int

    @property
    def dim(self) -> int:
        """d, the vector length."""
        return int(self.matrix.shape[1])

    @property
    def coverage(self) -> float:
        """Share of the catalogue with a non-zero vector."""
        return len(self.rows) / self.n_movies if self.n_movies else 0.0

    def positions(self) -> np.ndarray:
        """int64 array, shape (N,): the row in `matrix` of each catalogue movie, -1 if none."""
        where = np.full(self.n_movies, -1, dtype=np.int64)
        where[self.rows] = np.arange(len(self.rows))
        return where


def normalised(matrix: np.ndarray | sp.spmatrix, n_movies: int) -> ViewVectors:
    """Keep the non-zero rows of an (N, d) matrix and scale each to unit L2 norm (float64)."""
    if sp.issparse(matrix):
        csr = sp.csr_matrix(matrix, dtype=np.float64)
        norms = np.sqrt(np.asarray(csr.multiply(csr).sum(axis=1)).ravel())
        rows = np.flatnonzero(norms > 0)
        kept = sp.diags(1.0 / norms[rows]) @ csr[rows]
        return ViewVectors(rows, sp.csr_matrix(kept), n_movies)
    dense = np.asarray(matrix, dtype=np.float64)
    peak = np.abs(dense).max(axis=1) if dense.shape[1] else np.zeros(len(dense))
    rows = np.flatnonzero(peak > 0)
    # Dividing by the largest entry first makes proportional vectors (stats [2,2,2] and
    # [3,3,3]) bit-identical before the L2 step, since IEEE division is correctly rounded:
    # their cosines then tie exactly instead of differing in the last bit.
    scaled = dense[rows] / peak[rows, None]
    return ViewVectors(rows, scaled / np.linalg.norm(scaled, axis=1)[:, None], n_movies)


class View:
    """Base class of views. Subclasses are dataclasses whose fields are their options."""

    name: ClassVar[str] = ""

    def vectors(self, dataset: Dataset, ratings: pd.DataFrame) -> ViewVectors:
        """The view's vectors for every movie of `dataset.movies`.

        Args:
            dataset: the release (catalogue, genome, tags).
            ratings: the ratings the view may learn from (all of them for a build, the
                training part for an evaluation run); same columns as `Dataset.ratings`.
        """
        raise NotImplementedError

    def describe(self) -> dict[str, Any]:
        """The view's options, for the build manifest."""
        return dataclasses.asdict(self) if dataclasses.is_dataclass(self) else {}


_VIEWS: dict[str, type[View]] = {}


def register_view(name: str):
    """Class decorator: make a view available to recipes under `name`."""

    def add(cls: type[View]) -> type[View]:
        cls.name = name
        _VIEWS[name] = cls
        return cls

    return add


def view_names() -> list[str]:
    """Names of every registered view."""
    _load_builtin()
    return sorted(_VIEWS)


def make_view(name: str, options: dict[str, Any] | None = None) -> View:
    """Instantiate the view `name` with `options`, rejecting unknown names and options."""
    _load_builtin()
    if name not in _VIEWS:
        raise RecipeError(f"unknown view {name!r}; known views: {', '.join(sorted(_VIEWS))}")
    cls = _VIEWS[name]
    options = dict(options or {})
    allowed = {f.name for f in dataclasses.fields(cls)} if dataclasses.is_dataclass(cls) else set()
    unknown = sorted(set(options) - allowed)
    if unknown:
        raise RecipeError(
            f"view {name!r} has no option(s) {', '.join(map(repr, unknown))}; "
            f"its options are: {', '.join(sorted(allowed)) or 'none'}"
        )
    for field in dataclasses.fields(cls) if dataclasses.is_dataclass(cls) else ():
        if field.name in options:
            _check_option_type(name, field, options[field.name])
    try:
        return cls(**options)
    except (TypeError, ValueError) as exc:
        raise RecipeError(f"view {name!r}: {exc}") from None


def _check_option_type(view: str, field: dataclasses.Field, value: Any) -> None:
    """Reject an option whose type differs from its default's (`idf = "yes"` for a bool)."""
    default = field.default
    if default is dataclasses.MISSING or default is None:
        return
    if isinstance(default, bool):
        ok = isinstance(value, bool)
    elif isinstance(default, int | float):
        ok = isinstance(value, int | float) and not isinstance(value, bool)
    else:
        ok = isinstance(value, type(default))
    if not ok:
        raise RecipeError(
            f"view {view!r}: option {field.name!r} must be {type(default).__name__} "
            f"(like its default {default!r}), not {value!r}"
        )


def _load_builtin() -> None:
    # Importing the modules runs their @register_view decorators.
    from reelgraph.features import collab, genome, genres, stats, usertags  # noqa: F401
