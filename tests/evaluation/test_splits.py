"""Split rules: no overlap, per-user proportions, temporal order, reported exclusions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from reelgraph.errors import ReelgraphError
from reelgraph.evaluation.run import training_dataset
from reelgraph.evaluation.splits import make_split, validation_split


def _pairs(frame: pd.DataFrame) -> set[tuple[int, int]]:
    return set(zip(frame["user_id"], frame["movie_id"], strict=True))


@pytest.mark.parametrize("protocol", ["stratified", "temporal"])
def test_split_partitions_each_users_ratings(small, protocol):
    split = make_split(protocol, small.ratings, seed=7)

    assert not _pairs(split.train) & _pairs(split.test)
    assert len(split.train) + len(split.test) == len(small.ratings)
    sizes = small.ratings.groupby("user_id").size()
    tested = split.test.groupby("user_id").size().reindex(sizes.index, fill_value=0)
    expected = np.maximum(1, np.rint(sizes * 0.25))
    assert (tested == expected).all()


def test_stratified_is_seeded(small):
    first = make_split("stratified", small.ratings, seed=3)
    again = make_split("stratified", small.ratings, seed=3)
    other = make_split("stratified", small.ratings, seed=4)
    assert _pairs(first.test) == _pairs(again.test)
    assert _pairs(first.test) != _pairs(other.test)


def test_temporal_tests_each_users_latest_ratings(small):
    split = make_split("temporal", small.ratings)
    last_train = split.train.groupby("user_id")["timestamp"].max()
    first_test = split.test.groupby("user_id")["timestamp"].min()
    assert (first_test >= last_train.reindex(first_test.index)).all()


def test_users_with_too_few_ratings_stay_in_training_and_are_reported(small):
    few = small.ratings[small.ratings["user_id"] == 1].head(3)
    ratings = pd.concat([few, small.ratings[small.ratings["user_id"] == 2]])
    split = make_split("stratified", ratings, min_ratings=4)
    assert list(split.users_too_few) == [1]
    assert 1 not in set(split.test["user_id"])
    assert (split.train["user_id"] == 1).sum() == 3


def test_unseen_test_movies_are_reported(small):
    split = make_split("stratified", small.ratings)
    trained = set(split.train["movie_id"])
    expected = sorted(set(split.test["movie_id"]) - trained)
    assert list(split.test_movies_unseen) == expected
    assert any("no training rating" in line for line in split.lines())


def test_validation_split_comes_from_training_only(small):
    split = make_split("stratified", small.ratings)
    validation = validation_split(split)
    assert _pairs(validation.train) | _pairs(validation.test) == _pairs(split.train)
    assert not (_pairs(validation.train) | _pairs(validation.test)) & _pairs(split.test)


def test_run_dataset_holds_no_test_rating_or_test_tag(small):
    split = make_split("temporal", small.ratings)
    seen = training_dataset(small, split)
    assert _pairs(seen.ratings) == _pairs(split.train)
    assert not _pairs(seen.tags) & _pairs(split.test)
    assert len(seen.tags) < len(small.tags)  # some users tag movies they rated later


def test_unknown_protocol_and_bad_share_are_rejected(small):
    with pytest.raises(ReelgraphError, match="unknown protocol 'random'"):
        make_split("random", small.ratings)
    with pytest.raises(ReelgraphError, match="test_share"):
        make_split("stratified", small.ratings, test_share=1.5)
