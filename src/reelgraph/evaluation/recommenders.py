"""The recommenders an evaluation compares, behind one small protocol and a registry.

Every recommender is fitted on one run's training ratings and then returns, for each asked
user, k movie_ids the user did not rate in training, best first. Its tunable options are its
dataclass fields, and `grid` lists the values the tuner tries on the validation split.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import scipy.sparse as sp
from scipy.linalg import lapack
from threadpoolctl import threadpool_limits

from reelgraph.data.dataset import Dataset
from reelgraph.errors import ReelgraphError
from reelgraph.pipeline import compute_views, edges_frame
from reelgraph.recipe import load_recipe
from reelgraph.recommend.walk import LIKED_THRESHOLD, EdgeMatrix, recommend_many
from reelgraph.similarity.engine import top_k

log = logging.getLogger(__name__)

Lists = dict[int, np.ndarray]
MAX_DENSE_ITEMS = 30_000
"""Largest catalogue item-kNN and EASE accept: their dense matrix then takes 3.6 GB."""


@dataclass
class Interactions:
    """Training ratings as a binary user x movie matrix over the whole catalogue.

    Attributes:
        dataset: the release, its `ratings` replaced by the training ratings.
        user_ids: int array, shape (U,), ascending: users with training ratings.
        matrix: CSR float64, shape (U, N): 1 where the user rated the movie in training.
        seed: seed for anything random.
    """

    dataset: Dataset
    user_ids: np.ndarray
    matrix: sp.csr_matrix
    seed: int = 42

    @classmethod
    def from_dataset(cls, dataset: Dataset, seed: int = 42) -> Interactions:
        """From a dataset whose `ratings` are the training ratings."""
        ratings = dataset.ratings
        user_ids, rows = np.unique(ratings["user_id"].to_numpy(), return_inverse=True)
        cols = np.searchsorted(dataset.movie_ids, ratings["movie_id"].to_numpy())
        shape = (len(user_ids), len(dataset.movie_ids))
        matrix = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=shape)
        return cls(dataset, user_ids, matrix, seed)

    @property
    def movie_ids(self) -> np.ndarray:
        """int array, shape (N,): the catalogue, ascending."""
        return self.dataset.movie_ids

    def user_rows(self, user_ids: np.ndarray) -> np.ndarray:
        """Rows of `matrix` for `user_ids` (each must have training ratings)."""
        return np.searchsorted(self.user_ids, user_ids)


class Recommender:
    """Base class: a dataclass whose fields are the options; subclasses set `grid`."""

    name: ClassVar[str] = ""
    grid: ClassVar[dict[str, list[Any]]] = {}
    """Option name -> values the tuner tries on the validation split."""

    def fit(self, data: Interactions) -> Recommender:
        """Learn from the training interactions; returns self."""
        raise NotImplementedError

    def recommend(self, user_ids: np.ndarray, k: int) -> Lists:
        """user_id -> int array of at most k unrated movie_ids, best first."""
        raise NotImplementedError

    def options(self) -> dict[str, Any]:
        """The tunable options and their values."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.init}


_RECOMMENDERS: dict[str, type[Recommender]] = {}


def register_recommender(name: str):
    """Class decorator: make a recommender available to evaluations under `name`."""

    def add(cls: type[Recommender]) -> type[Recommender]:
        cls.name = name
        _RECOMMENDERS[name] = cls
        return cls

    return add


def recommender_names() -> list[str]:
    """Names of every registered recommender, in registration order."""
    return list(_RECOMMENDERS)


def make_recommender(name: str, options: dict[str, Any] | None = None) -> Recommender:
    """Instantiate the recommender `name` with `options`."""
    if name not in _RECOMMENDERS:
        raise ReelgraphError(
            f"unknown recommender {name!r}; known: {', '.join(recommender_names())}"
        )
    return _RECOMMENDERS[name](**(options or {}))


class ScoreMatrixRecommender(Recommender):
    """A recommender that scores every movie for a block of users at once."""

    data: Interactions

    def scores(self, rows: np.ndarray) -> np.ndarray:
        """float array, shape (len(rows), N): scores of every movie for the user rows."""
        raise NotImplementedError

    def recommend(self, user_ids: np.ndarray, k: int) -> Lists:
        rows = self.data.user_rows(np.asarray(user_ids))
        out: Lists = {}
        for begin in range(0, len(rows), 512):
            block = rows[begin : begin + 512]
            scores = np.asarray(self.scores(block), dtype=np.float64)
            seen = self.data.matrix[block]
            scores[seen.nonzero()] = -np.inf
            for i, row in enumerate(block):
                user = int(self.data.user_ids[row])
                out[user] = self.data.movie_ids[_top_positions(scores[i], k)]
        return out


def _check_dense(name: str, n_items: int) -> None:
    """Refuse an item x item float32 matrix that would not fit in a few GiB."""
    if n_items > MAX_DENSE_ITEMS:
        raise ReelgraphError(
            f"{name} keeps a dense {n_items:,} x {n_items:,} matrix; at most "
            f"{MAX_DENSE_ITEMS:,} movies are supported (leave {name} out with --recommender)"
        )


def _top_positions(scores: np.ndarray, k: int) -> np.ndarray:
    """Positions of the k best finite scores, best first, ties by position (movie_id)."""
    finite = np.flatnonzero(np.isfinite(scores))
    if len(finite) > k:
        kth = np.partition(scores[finite], len(finite) - k)[len(finite) - k]
        finite = finite[scores[finite] >= kth]
    order = np.lexsort((finite, -scores[finite]))[:k]
    return finite[order]


@register_recommender("popular")
@dataclass
class Popular(ScoreMatrixRecommender):
    """The most-rated movies in training, the same list for everyone (less what they rated)."""

    def fit(self, data: Interactions) -> Popular:
        self.data = data
        self._count = np.asarray(data.matrix.sum(axis=0)).ravel()
        return self

    def scores(self, rows: np.ndarray) -> np.ndarray:
        return np.broadcast_to(self._count, (len(rows), len(self._count))).copy()


@register_recommender("itemknn")
@dataclass
class ItemKNN(ScoreMatrixRecommender):
    """Item-based kNN: cosine between movies' binary rating vectors; a movie's score for a user
    is the sum of its similarities to the user's rated movies among its `neighbours` nearest
    (0: all of them)."""

    neighbours: int = 0
    grid: ClassVar[dict[str, list[Any]]] = {"neighbours": [0, 50, 200]}

    def fit(self, data: Interactions) -> ItemKNN:
        self.data = data
        _check_dense(self.name, data.matrix.shape[1])
        x = data.matrix.tocsc()
        norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=0)).ravel())
        scaled = x @ sp.diags(np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 0))
        sims = (scaled.T @ scaled).toarray().astype(np.float32)
        np.fill_diagonal(sims, 0.0)
        if self.neighbours and self.neighbours < sims.shape[0]:
            # keep, for each target movie (column), its `neighbours` most similar movies
            cut = sims.shape[0] - self.neighbours
            kth = np.partition(sims, cut, axis=0)[cut]
            sims[sims < kth[None, :]] = 0.0
        self._sims = sims
        return self

    def scores(self, rows: np.ndarray) -> np.ndarray:
        return self.data.matrix[rows] @ self._sims


@register_recommender("als")
@dataclass
class ALS(ScoreMatrixRecommender):
    """Implicit-feedback matrix factorisation (the `implicit` library's ALS, on the CPU)."""

    factors: int = 64
    regularization: float = 0.05
    alpha: float = 1.0
    iterations: int = 15
    grid: ClassVar[dict[str, list[Any]]] = {
        "factors": [32, 64, 128],
        "regularization": [0.01, 0.1, 1.0],
        "alpha": [1.0, 5.0],
    }

    def fit(self, data: Interactions) -> ALS:
        from implicit.cpu.als import AlternatingLeastSquares

        self.data = data
        # implicit parallelises itself; BLAS threads on top of it only oversubscribe
        with threadpool_limits(1, "blas"):
            model = AlternatingLeastSquares(
                factors=self.factors, regularization=self.regularization, alpha=self.alpha,
                iterations=self.iterations, random_state=data.seed, num_threads=1,
            )  # fmt: skip
            model.fit(data.matrix.astype(np.float32).tocsr(), show_progress=False)
        self._users = np.asarray(model.user_factors)
        self._items = np.asarray(model.item_factors)
        return self

    def scores(self, rows: np.ndarray) -> np.ndarray:
        return self._users[rows] @ self._items.T


@register_recommender("ease")
@dataclass
class EASE(ScoreMatrixRecommender):
    """EASE (Steck 2019): B = I - P diagMat(1 / diag(P)), P = (X'X + lambda I)^-1, diag(B) = 0;
    scores = X B. Fitted over the movies with training ratings, in float32."""

    l2: float = 500.0
    grid: ClassVar[dict[str, list[Any]]] = {"l2": [250.0, 500.0, 1000.0]}

    def fit(self, data: Interactions) -> EASE:
        self.data = data
        self._items = np.flatnonzero(np.diff(data.matrix.tocsc().indptr) > 0)
        _check_dense(self.name, len(self._items))
        x = data.matrix[:, self._items]
        gram = (x.T @ x).toarray().astype(np.float32)
        gram[np.diag_indices_from(gram)] += self.l2
        precision = _spd_inverse(gram)
        weights = precision / (-np.diag(precision))[None, :]
        np.fill_diagonal(weights, 0.0)
        self._weights = weights
        return self

    def scores(self, rows: np.ndarray) -> np.ndarray:
        out = np.zeros((len(rows), len(self.data.movie_ids)), dtype=np.float32)
        out[:, self._items] = self.data.matrix[rows][:, self._items] @ self._weights
        return out


def _spd_inverse(matrix: np.ndarray) -> np.ndarray:
    """Inverse of a symmetric positive definite float32 matrix via Cholesky (LAPACK potri)."""
    factor, info = lapack.spotrf(matrix, lower=False, overwrite_a=True)
    if info != 0:
        raise ReelgraphError(f"EASE: Gram matrix not positive definite (LAPACK info {info})")
    inverse, info = lapack.spotri(factor, lower=False, overwrite_c=True)
    upper = np.triu(inverse)
    return upper + np.triu(upper, 1).T


@dataclass
class GraphRecommender(Recommender):
    """reelgraph's graph walk: build the similarity graph of `recipe` from the training
    ratings, then score movies by summed edge scores from each user's liked movies."""

    recipe: str = "seed"
    neighbours: int = 20
    weights: dict[str, float] = field(default_factory=dict)
    """Overrides of the recipe's view weights (what weight learning tunes)."""
    liked: float = LIKED_THRESHOLD
    """The walk starts from the movies the user rated at least this."""

    def fit(self, data: Interactions) -> GraphRecommender:
        self.data = data
        recipe = load_recipe(self.recipe).with_weights(self.weights)
        views = compute_views(data.dataset, recipe, ratings=data.dataset.ratings)
        result = top_k(views, self.neighbours, renormalise=recipe.renormalise)
        self.edges = edges_frame(data.movie_ids, result)
        self._graph = EdgeMatrix.from_edges(self.edges, data.movie_ids)
        return self

    def recommend(self, user_ids: np.ndarray, k: int) -> Lists:
        ratings = self.data.dataset.ratings
        ratings = ratings[ratings["user_id"].isin(user_ids)]
        lists = recommend_many(self._graph, ratings, k, threshold=self.liked)
        empty = np.zeros(0, dtype=self.data.movie_ids.dtype)
        return {int(u): lists.get(int(u), empty) for u in user_ids}


@register_recommender("graph-seed")
@dataclass
class SeedGraph(GraphRecommender):
    """The graph walk over the published recipe, 20 edges per movie, as published."""

    recipe: str = "seed"


@register_recommender("graph-default")
@dataclass
class DefaultGraph(GraphRecommender):
    """The graph walk over the `default` recipe, 100 edges per movie (chosen with the recipe
    on the validation split: 200 scores a little higher there but reaches cold movies half
    as often)."""

    recipe: str = "default"
    neighbours: int = 100


@register_recommender("graph-learned")
@dataclass
class LearnedGraph(GraphRecommender):
    """The `default` recipe's graph walk with its content views' weights fitted on the
    validation split (the collaborative view's weight stays 1: only ratios matter)."""

    recipe: str = "default"
    neighbours: int = 100
    grid: ClassVar[dict[str, list[Any]]] = {
        "weights.genres": [0.0, 0.05, 0.1, 0.2],
        "weights.usertags": [0.0, 0.05, 0.1, 0.2, 0.4],
    }
