"""Title search: the fast candidate scan finds exactly what a scan of every title finds."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reelgraph.builds import Build
from reelgraph.data.titles import fold
from reelgraph.serve.search import ANYWHERE, TitleSearch, _needles, _tier


@pytest.fixture(scope="module")
def movies(serve_home):
    return Build.open(serve_home).movies


@pytest.fixture(scope="module")
def search(movies) -> TitleSearch:
    return TitleSearch(movies)


def brute_force(search: TitleSearch, query: str) -> list[tuple[int, int]]:
    """Every movie's best tier computed over all titles, in the documented order."""
    needles = _needles(query)
    hits = []
    for keys, movie_id, _, minus_count, title in search._entries:
        tier = min(_tier(key, n) for key in keys for n in needles) if needles else ANYWHERE + 1
        if tier <= ANYWHERE:
            hits.append((tier, minus_count, title, movie_id))
    return [(movie_id, tier) for tier, _, _, movie_id in sorted(hits)]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_search_equals_a_scan_of_every_title(search, movies, data):
    title = data.draw(st.sampled_from(movies["title"].tolist()))
    folded = fold(title)
    start = data.draw(st.integers(0, max(0, len(folded) - 1)))
    length = data.draw(st.integers(1, 12))
    query = folded[start : start + length].strip()
    if "(" in query or not query:
        return
    found = [(h.movie_id, h.tier) for h in search.search(query)]
    assert found == brute_force(search, query)


@pytest.mark.parametrize("query", ["", "   ", "!!!", "()"])
def test_queries_without_letters_find_nothing(search, query):
    assert search.search(query) == []


def test_every_title_finds_its_movie_first_tier(search, movies):
    sample = movies.sample(300, random_state=7)
    for movie_id, title in zip(sample["movie_id"], sample["title"], strict=True):
        hits = search.search(title)
        assert any(h.movie_id == movie_id and h.tier == 0 for h in hits), title
