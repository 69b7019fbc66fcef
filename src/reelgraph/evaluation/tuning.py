"""Hyper-parameter search on the validation split (never on the test split).

The search is coordinate-wise: starting from a recommender's defaults it tries every value of
one option with the others held at their best so far, keeps the best, moves to the next option,
and repeats the round until nothing changes. Each configuration is fitted once (cached).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from reelgraph.evaluation.metrics import USER_METRICS
from reelgraph.evaluation.recommenders import Interactions, make_recommender

log = logging.getLogger(__name__)

MAX_ROUNDS = 3


@dataclass
class Tuned:
    """The outcome of a search.

    Attributes:
        options: the best options found.
        score: their validation score.
        tried: every configuration tried with its score, in order.
        seconds: wall time of the search.
    """

    options: dict[str, Any]
    score: float
    tried: list[tuple[dict[str, Any], float]] = field(default_factory=list)
    seconds: float = 0.0


def validation_score(
    name: str,
    options: dict[str, Any],
    data: Interactions,
    relevant: Mapping[int, set[int]],
    k: int,
    metric: str = "ndcg",
) -> float:
    """Mean `metric`@k of recommender `name` fitted on `data` over the users of `relevant`."""
    model = make_recommender(name, nested(options)).fit(data)
    users = np.array(sorted(relevant), dtype=np.int64)
    lists = model.recommend(users, k)
    empty = np.zeros(0, dtype=np.int64)
    score = USER_METRICS[metric]
    return float(np.mean([score(lists.get(u, empty), relevant[u], k) for u in users]))


def tune(
    name: str,
    grid: Mapping[str, list[Any]],
    data: Interactions,
    relevant: Mapping[int, set[int]],
    k: int,
    *,
    start: dict[str, Any] | None = None,
    metric: str = "ndcg",
) -> Tuned:
    """Coordinate search of `grid` for recommender `name` on validation data."""
    started = time.perf_counter()
    best = dict(start or {})
    cache: dict[str, float] = {}
    tried: list[tuple[dict[str, Any], float]] = []

    def score(options: dict[str, Any]) -> float:
        key = repr(sorted(options.items()))
        if key not in cache:
            cache[key] = validation_score(name, options, data, relevant, k, metric)
            tried.append((dict(options), cache[key]))
            log.info("tune %s %s: %s@%d %.4f", name, options, metric, k, cache[key])
        return cache[key]

    best_score = score(best)
    for _ in range(MAX_ROUNDS):
        changed = False
        for option, values in grid.items():
            for value in values:
                candidate = {**best, option: value}
                if score(candidate) > best_score:
                    best, best_score, changed = candidate, score(candidate), True
        if not changed:
            break
    return Tuned(best, best_score, tried, time.perf_counter() - started)


def nested(options: Mapping[str, Any]) -> dict[str, Any]:
    """{"weights.collab": 1.0, "neighbours": 50} -> {"weights": {"collab": 1.0}, ...}: dotted
    names tune one entry of a dict option."""
    out: dict[str, Any] = {}
    for key, value in options.items():
        outer, dot, inner = key.partition(".")
        if dot:
            out.setdefault(outer, {})[inner] = value
        else:
            out[key] = value
    return out
