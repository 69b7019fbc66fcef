"""Top-k list metrics with binary relevance (every test movie of a user is relevant).

Accuracy metrics are computed per user and averaged over the users with test ratings (a user
whose list is empty scores 0). Beyond-accuracy metrics describe the lists themselves:
catalogue coverage, novelty, intra-list diversity and the share going to the most popular
movies. Each definition is written in docs/evaluation.md.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

Lists = Mapping[int, np.ndarray]
"""user_id -> int array of recommended movie_ids, best first."""

POPULAR_SHARE = 0.10


def precision_at_k(ranked: np.ndarray, relevant: set[int], k: int) -> float:
    """|top-k ∩ relevant| / k."""
    return _hits(ranked, relevant, k).sum() / k


def recall_at_k(ranked: np.ndarray, relevant: set[int], k: int) -> float:
    """|top-k ∩ relevant| / |relevant| (0 without relevant movies)."""
    return _hits(ranked, relevant, k).sum() / len(relevant) if relevant else 0.0


def ndcg_at_k(ranked: np.ndarray, relevant: set[int], k: int) -> float:
    """DCG of the list over the ideal DCG, gains 1/log2(rank + 1), the ideal list holding
    min(|relevant|, k) hits."""
    hits = _hits(ranked, relevant, k)
    ideal = min(len(relevant), k)
    if ideal == 0:
        return 0.0
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    return float(hits @ discounts[: len(hits)] / discounts[:ideal].sum())


def average_precision_at_k(ranked: np.ndarray, relevant: set[int], k: int) -> float:
    """Sum of precision@i over the ranks i <= k holding a hit, over min(|relevant|, k)."""
    hits = _hits(ranked, relevant, k)
    ideal = min(len(relevant), k)
    if ideal == 0 or not hits.any():
        return 0.0
    precision = np.cumsum(hits) / np.arange(1, len(hits) + 1)
    return float(precision[hits > 0].sum() / ideal)


def hit_at_k(ranked: np.ndarray, relevant: set[int], k: int) -> float:
    """1 if any of the top-k is relevant, else 0."""
    return float(_hits(ranked, relevant, k).any())


UserMetric = Callable[[np.ndarray, set[int], int], float]
USER_METRICS: dict[str, UserMetric] = {
    "precision": precision_at_k,
    "recall": recall_at_k,
    "ndcg": ndcg_at_k,
    "map": average_precision_at_k,
    "hit_rate": hit_at_k,
}
"""Per-user accuracy metrics by name; the report averages them over users."""


@dataclass
class Catalogue:
    """What the beyond-accuracy metrics need to know about the movies.

    Attributes:
        movie_ids: int array, shape (N,), ascending: the whole catalogue.
        train_count: int64 array, shape (N,): training ratings of each movie.
        n_users: users with training ratings.
        genres: float64 array, shape (N, G): L2-normalised genre one-hot (zero rows allowed).
        genome: float64 array, shape (N, T): L2-normalised genome vectors, or None.
    """

    movie_ids: np.ndarray
    train_count: np.ndarray
    n_users: int
    genres: np.ndarray
    genome: np.ndarray | None = None

    def positions(self, movie_ids: np.ndarray) -> np.ndarray:
        """Catalogue positions of `movie_ids` (each must be in the catalogue)."""
        return np.searchsorted(self.movie_ids, movie_ids)

    def popular_set(self, share: float = POPULAR_SHARE) -> np.ndarray:
        """bool array, shape (N,): the top `share` of the movies with training ratings, by
        training count (ties by movie_id)."""
        rated = np.flatnonzero(self.train_count > 0)
        n_top = int(np.ceil(share * len(rated)))
        order = rated[np.lexsort((rated, -self.train_count[rated]))][:n_top]
        out = np.zeros(len(self.movie_ids), dtype=bool)
        out[order] = True
        return out


def relevant_sets(test: pd.DataFrame) -> dict[int, set[int]]:
    """user_id -> set of test movie_ids."""
    grouped = test.groupby("user_id")["movie_id"]
    return {int(u): set(map(int, m)) for u, m in grouped}


def accuracy(lists: Lists, relevant: Mapping[int, set[int]], k: int) -> dict[str, float]:
    """Each `USER_METRICS` entry averaged over the users of `relevant`."""
    empty = np.zeros(0, dtype=np.int64)
    out = {}
    for name, metric in USER_METRICS.items():
        values = [metric(lists.get(u, empty), rel, k) for u, rel in relevant.items()]
        out[name] = float(np.mean(values)) if values else 0.0
    return out


def coverage(lists: Lists, catalogue: Catalogue) -> float:
    """Distinct recommended movies over the catalogue size."""
    chosen = np.unique(np.concatenate([np.zeros(0, np.int64), *lists.values()]))
    return len(chosen) / len(catalogue.movie_ids)


def novelty(lists: Lists, catalogue: Catalogue) -> float:
    """Mean self-information -log2(p) of the recommended movies, p = (training raters + 1) /
    (training users + 1), over every recommended slot."""
    movies = _all_slots(lists)
    if len(movies) == 0:
        return 0.0
    count = catalogue.train_count[catalogue.positions(movies)]
    return float(np.mean(-np.log2((count + 1) / (catalogue.n_users + 1))))


def popular_share(lists: Lists, catalogue: Catalogue, share: float = POPULAR_SHARE) -> float:
    """Share of the recommended slots taken by the most popular `share` of movies."""
    movies = _all_slots(lists)
    if len(movies) == 0:
        return 0.0
    return float(catalogue.popular_set(share)[catalogue.positions(movies)].mean())


def intra_list_diversity(lists: Lists, catalogue: Catalogue, vectors: np.ndarray) -> float:
    """Mean over lists of the mean pairwise (1 - cosine) of the list's movies, over the
    movies with a vector (lists with fewer than two such movies are skipped); NaN if none."""
    values = []
    has = np.linalg.norm(vectors, axis=1) > 0
    for movies in lists.values():
        pos = catalogue.positions(movies)
        pos = pos[has[pos]]
        m = len(pos)
        if m < 2:
            continue
        sims = vectors[pos] @ vectors[pos].T
        values.append(1.0 - (sims.sum() - np.trace(sims)) / (m * (m - 1)))
    return float(np.mean(values)) if values else float("nan")


def list_metrics(lists: Lists, catalogue: Catalogue) -> dict[str, float]:
    """Coverage, novelty, diversity (genres, genome) and popular share of the lists."""
    genome = catalogue.genome
    return {
        "coverage": coverage(lists, catalogue),
        "novelty": novelty(lists, catalogue),
        "ild_genres": intra_list_diversity(lists, catalogue, catalogue.genres),
        "ild_genome": (
            intra_list_diversity(lists, catalogue, genome) if genome is not None else float("nan")
        ),
        "popular_share": popular_share(lists, catalogue),
    }


def bucket_ndcg(
    lists: Lists, relevant: Mapping[int, set[int]], k: int, in_bucket: set[int]
) -> float:
    """NDCG@k with only the relevant movies inside `in_bucket` counted as relevant, averaged
    over the users with at least one such movie (NaN if no user has one)."""
    values = []
    empty = np.zeros(0, dtype=np.int64)
    for user, rel in relevant.items():
        kept = rel & in_bucket
        if kept:
            values.append(ndcg_at_k(lists.get(user, empty), kept, k))
    return float(np.mean(values)) if values else float("nan")


def _hits(ranked: np.ndarray, relevant: set[int], k: int) -> np.ndarray:
    """float64 array, shape (min(k, len(ranked)),): 1 where the ranked movie is relevant."""
    top = np.asarray(ranked)[:k]
    return np.fromiter((int(m) in relevant for m in top), dtype=np.float64, count=len(top))


def _all_slots(lists: Lists) -> np.ndarray:
    parts = [np.asarray(v, dtype=np.int64) for v in lists.values()]
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
