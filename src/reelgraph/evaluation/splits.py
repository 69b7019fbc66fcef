"""Train/test splits of the ratings, per user, with what they dropped reported.

Two protocols share one shape: each user's ratings are cut into a training part and a test
part. `stratified` draws a random share of each user's ratings for the test part (a fixed
seed); `temporal` takes each user's most recent ratings. Users with too few ratings to give
both parts stay whole in training and are reported, as is every test movie that has no
training rating at all (kept: a content-based recommender can still find it).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from reelgraph.errors import ReelgraphError

log = logging.getLogger(__name__)

TEST_SHARE = 0.25
MIN_RATINGS = 4


@dataclass
class Split:
    """One protocol's cut of the ratings.

    Attributes:
        protocol: the protocol's name.
        train: training ratings (the `Dataset.ratings` columns).
        test: test ratings, same columns; no (user, movie) pair is in both.
        users_too_few: user_ids kept whole in training: fewer than `min_ratings` ratings.
        test_movies_unseen: movie_ids in `test` with no rating in `train`.
    """

    protocol: str
    train: pd.DataFrame
    test: pd.DataFrame
    users_too_few: np.ndarray
    test_movies_unseen: np.ndarray

    def lines(self) -> list[str]:
        """Human-readable summary for reports."""
        unseen_rows = int(self.test["movie_id"].isin(self.test_movies_unseen).sum())
        return [
            f"{self.protocol}: {len(self.train):,} training and {len(self.test):,} test "
            f"ratings, {self.test['user_id'].nunique():,} test users",
            f"{len(self.users_too_few):,} users with fewer than the minimum ratings kept "
            "in training only",
            f"{len(self.test_movies_unseen):,} test movies ({unseen_rows:,} test ratings) have "
            "no training rating",
        ]


Splitter = Callable[..., Split]
_SPLITTERS: dict[str, Splitter] = {}


def register_split(name: str):
    """Function decorator: make a splitter available under `name`."""

    def add(fn: Splitter) -> Splitter:
        _SPLITTERS[name] = fn
        return fn

    return add


def split_names() -> list[str]:
    """Names of the registered protocols."""
    return sorted(_SPLITTERS)


def make_split(
    protocol: str,
    ratings: pd.DataFrame,
    *,
    test_share: float = TEST_SHARE,
    seed: int = 42,
    min_ratings: int = MIN_RATINGS,
) -> Split:
    """Cut `ratings` by the protocol named `protocol`."""
    if protocol not in _SPLITTERS:
        raise ReelgraphError(
            f"unknown protocol {protocol!r}; known protocols: {', '.join(split_names())}"
        )
    if not 0.0 < test_share < 1.0:
        raise ReelgraphError(f"test_share must lie strictly between 0 and 1, not {test_share!r}")
    return _SPLITTERS[protocol](ratings, test_share=test_share, seed=seed,
                               min_ratings=min_ratings)  # fmt: skip


@register_split("stratified")
def stratified(ratings: pd.DataFrame, *, test_share: float, seed: int, min_ratings: int) -> Split:
    """Per user, a random `test_share` of the ratings (at least one) for test."""
    rng = np.random.default_rng(seed)
    order = np.lexsort((rng.random(len(ratings)), ratings["user_id"].to_numpy()))
    return _cut(ratings, order, "stratified", test_share, min_ratings)


@register_split("temporal")
def temporal(ratings: pd.DataFrame, *, test_share: float, seed: int, min_ratings: int) -> Split:
    """Per user, the most recent `test_share` of the ratings (at least one) for test; equal
    timestamps are ordered by movie_id, so the cut is deterministic (`seed` is unused)."""
    order = np.lexsort((
        ratings["movie_id"].to_numpy(),
        ratings["timestamp"].to_numpy(),
        ratings["user_id"].to_numpy(),
    ))  # fmt: skip
    return _cut(ratings, order, "temporal", test_share, min_ratings)


def validation_split(split: Split, *, seed: int = 42) -> Split:
    """A split of `split.train` by the same protocol, for tuning without touching the test."""
    return make_split(split.protocol, split.train, seed=seed + 1)


def _cut(
    ratings: pd.DataFrame, order: np.ndarray, protocol: str, test_share: float, min_ratings: int
) -> Split:
    """Rows in `order` are grouped by user; the last share of each user's rows is the test."""
    users = ratings["user_id"].to_numpy()[order]
    starts = np.flatnonzero(np.r_[True, users[1:] != users[:-1]])
    sizes = np.diff(np.r_[starts, len(users)])
    n_test = np.where(sizes >= min_ratings, np.maximum(1, np.rint(sizes * test_share)), 0)
    position = np.arange(len(users)) - np.repeat(starts, sizes)
    is_test = position >= np.repeat(sizes - n_test, sizes)

    train = ratings.iloc[order[~is_test]].reset_index(drop=True)
    test = ratings.iloc[order[is_test]].reset_index(drop=True)
    too_few = users[starts[sizes < min_ratings]]
    unseen = np.setdiff1d(test["movie_id"].unique(), train["movie_id"].unique())
    split = Split(protocol, train, test, np.sort(too_few), unseen)
    for line in split.lines():
        log.info(line)
    return split
