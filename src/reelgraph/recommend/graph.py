"""The graph recommender's ranking, shared by every graph store.

A store returns the SIMILAR edges from the liked movies to the movies the user has not rated;
this module turns them into the ranked list. It follows `reelgraph.recommend.walk` exactly:
a candidate's score is the sum of the scores of the edges reaching it, added in ascending
liked-movie order (so the floating-point sums, and hence the ties, come out bit-identical),
and ties go to the smaller movieId.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

LIKED_THRESHOLD = 4.0
"""A rating at or above this makes a movie liked (a starting point of the walk)."""

FALLBACK_MIN_MEAN = 4.0
"""Fallback recommendations: movies whose mean rating is at least this..."""
FALLBACK_MIN_COUNT = 20
"""...and that at least this many users rated, most rated first."""

Ranked = list[tuple[int, float, list[tuple[int, float]]]]
"""[(movie_id, score, [(liked_id, contribution), ...])], best first."""


def rank_candidates(edges: Iterable[Sequence], k: int) -> Ranked:
    """Top-k candidates from (liked_id, candidate_id, score) rows.

    Args:
        edges: one row per SIMILAR edge from a liked movie to a candidate (the caller has
            already removed movies the user rated).
        k: list length.

    Returns:
        At most k (movie_id, score, contributions) tuples, best first, ties by movie_id.
        Each score is the sum of its contributions in ascending liked_id order; the
        contributions are listed largest first, ties by liked_id.
    """
    reached: dict[int, list[tuple[int, float]]] = defaultdict(list)
    for liked_id, movie_id, score in edges:
        reached[int(movie_id)].append((int(liked_id), float(score)))
    totals = []
    for movie_id, parts in reached.items():
        parts.sort()
        total = 0.0
        for _, score in parts:
            total += score
        totals.append((movie_id, total, sorted(parts, key=lambda p: (-p[1], p[0]))))
    totals.sort(key=lambda t: (-t[1], t[0]))
    return totals[:k]


def liked_and_rated(
    ratings: Iterable[Sequence], min_rating: float = LIKED_THRESHOLD
) -> tuple[list[int], list[int]]:
    """(liked movie_ids, rated movie_ids), both ascending, from (movie_id, rating) rows."""
    rows = [(int(m), r) for m, r in ratings]
    rated = sorted(m for m, _ in rows)
    liked = sorted(m for m, r in rows if r is not None and float(r) >= min_rating)
    return liked, rated
