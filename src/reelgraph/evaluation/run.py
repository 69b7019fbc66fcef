"""One evaluation run: split, tune on validation, fit on training, score on test.

Plan: 1. cut the ratings by the protocol, and the training part again for validation;
2. for each recommender, search its grid on the validation split; 3. fit it with the best
options on the whole training part and recommend k movies to every test user; 4. score the
lists (accuracy per user, beyond-accuracy over all lists, NDCG per popularity bucket).
Every view and statistic sees only the run's training ratings: the dataset handed to the
recommenders has its ratings replaced by the training part and loses the tags that users put
on the movies of their own test ratings.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from reelgraph.data.dataset import Dataset
from reelgraph.evaluation import metrics
from reelgraph.evaluation.recommenders import (
    GraphRecommender,
    Interactions,
    make_recommender,
)
from reelgraph.evaluation.splits import Split, make_split, validation_split
from reelgraph.evaluation.tuning import Tuned, nested, tune
from reelgraph.features.genome import GenomeView
from reelgraph.features.genres import GenresView

log = logging.getLogger(__name__)

DEFAULT_RECOMMENDERS = ("graph-seed", "graph-default", "popular", "itemknn", "als", "ease")
COLD_MAX_RATINGS = 5
BUCKETS = ((0, COLD_MAX_RATINGS), (6, 20), (21, 100), (101, None))
"""Training-rating count ranges (inclusive) of the popularity buckets; the first is `cold`."""

Progress = Callable[[str, int], Callable[[int], None]]


@dataclass
class RecommenderResult:
    """One recommender's outcome in a run.

    Attributes:
        name: the registered name.
        options: the options it was fitted with (tuned on validation).
        scores: metric name -> value (accuracy averaged over test users, list metrics).
        buckets: bucket label -> NDCG@k counting only that bucket's test movies.
        seconds: "tune", "fit" and "recommend" wall times.
        edge_scores: float64 array of the similarity graph's edge scores (graph recommenders).
    """

    name: str
    options: dict[str, Any]
    scores: dict[str, float]
    buckets: dict[str, float]
    seconds: dict[str, float]
    edge_scores: np.ndarray | None = None
    tried: list[tuple[dict[str, Any], float]] = field(default_factory=list)


@dataclass
class Evaluation:
    """A whole run: the split summary and one result per recommender."""

    protocol: str
    k: int
    seed: int
    split_lines: list[str]
    results: list[RecommenderResult]


def evaluate(
    dataset: Dataset,
    protocol: str = "stratified",
    *,
    k: int = 10,
    seed: int = 42,
    recommenders: Sequence[str] = DEFAULT_RECOMMENDERS,
    tune_options: bool = True,
    progress: Progress | None = None,
) -> Evaluation:
    """Compare `recommenders` on one split of `dataset`'s ratings."""
    split = make_split(protocol, dataset.ratings, seed=seed)
    validation = validation_split(split, seed=seed)
    train_data = Interactions.from_dataset(training_dataset(dataset, split), seed)
    valid_data = Interactions.from_dataset(training_dataset(train_data.dataset, validation), seed)
    relevant = metrics.relevant_sets(split.test)
    valid_relevant = metrics.relevant_sets(validation.test)
    catalogue = catalogue_of(train_data.dataset)
    results = []
    for name in recommenders:
        tick = progress(name, 1) if progress else None  # one bar per recommender, named
        tuned = Tuned({}, float("nan"))
        grid = make_recommender(name).grid
        if tune_options and grid:
            tuned = tune(name, grid, valid_data, valid_relevant, k)
        results.append(_fit_and_score(name, tuned, train_data, relevant, catalogue, k))
        if tick:
            tick(1)
    lines = split.lines() + [f"validation (from training), {line}" for line in validation.lines()]
    return Evaluation(protocol, k, seed, lines, results)


def training_dataset(dataset: Dataset, split: Split) -> Dataset:
    """`dataset` as a run may see it: ratings = the training part, no tag a user put on a
    movie of their own test ratings."""
    tags = dataset.tags
    if tags is not None:
        held_out = pd.MultiIndex.from_frame(split.test[["user_id", "movie_id"]])
        pairs = pd.MultiIndex.from_frame(tags[["user_id", "movie_id"]])
        tags = tags[~pairs.isin(held_out)].reset_index(drop=True)
    return dataclasses.replace(dataset, ratings=split.train, tags=tags)


def catalogue_of(train: Dataset) -> metrics.Catalogue:
    """The beyond-accuracy metrics' view of a training dataset."""
    n = len(train.movies)
    count = np.bincount(
        np.searchsorted(train.movie_ids, train.ratings["movie_id"].to_numpy()), minlength=n
    )
    genres = _dense(GenresView().vectors(train, train.ratings))
    genome = _dense(GenomeView().vectors(train, train.ratings)) if train.genome else None
    n_users = int(train.ratings["user_id"].nunique())
    return metrics.Catalogue(train.movie_ids, count, n_users, genres, genome)


def bucket_labels() -> list[str]:
    """Labels of the popularity buckets, coldest first."""
    return [f"{lo}-{hi}" if hi is not None else f">{lo - 1}" for lo, hi in BUCKETS]


def _fit_and_score(name, tuned, data, relevant, catalogue, k) -> RecommenderResult:
    started = time.perf_counter()
    model = make_recommender(name, nested(tuned.options)).fit(data)
    fitted = time.perf_counter()
    users = np.array(sorted(relevant), dtype=np.int64)
    lists = model.recommend(users, k)
    done = time.perf_counter()

    scores = {**metrics.accuracy(lists, relevant, k), **metrics.list_metrics(lists, catalogue)}
    buckets = {}
    for label, (lo, hi) in zip(bucket_labels(), BUCKETS, strict=True):
        inside = (catalogue.train_count >= lo) & (
            catalogue.train_count <= (hi if hi is not None else np.inf)
        )
        movies = set(map(int, catalogue.movie_ids[inside]))
        buckets[label] = metrics.bucket_ndcg(lists, relevant, k, movies)
    seconds = {"tune": tuned.seconds, "fit": fitted - started, "recommend": done - fitted}
    log.info("%s: ndcg@%d %.4f in %.1f s", name, k, scores["ndcg"], sum(seconds.values()))
    edge_scores = model.edges["score"].to_numpy() if isinstance(model, GraphRecommender) else None
    return RecommenderResult(name, model.options(), scores, buckets, seconds, edge_scores,
                             tuned.tried)  # fmt: skip


def _dense(vectors) -> np.ndarray:
    """ViewVectors -> float64 array, shape (N, d), zero rows for movies without a vector."""
    out = np.zeros((vectors.n_movies, vectors.dim), dtype=np.float64)
    matrix = vectors.matrix.toarray() if hasattr(vectors.matrix, "toarray") else vectors.matrix
    out[vectors.rows] = matrix
    return out
