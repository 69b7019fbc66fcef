"""Ranked title search for the API and the page's suggestions.

A query is folded like the catalogue's titles (case, accents and punctuation ignored, a leading
or trailing article optional, a year in parentheses optional) and each movie gets the best tier
any of its names reaches: the whole name, the start of the name, the start of a word, anywhere
in the name. Within a tier the most rated movie comes first, then the title and movie_id.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

import numpy as np
import pandas as pd

from reelgraph.data.titles import drop_article, fold, front_article, lookup_keys, parse_title

EXACT, PREFIX, WORD_PREFIX, ANYWHERE = range(4)
TIERS = ("exact", "prefix", "word", "contains")


@dataclass(frozen=True, slots=True)
class Hit:
    """One search result: the movie and how well its title matched (0 best)."""

    movie_id: int
    tier: int


class TitleSearch:
    """Folded names of every movie, with one text of all of them to find candidates fast.

    Args:
        movies: a frame with columns movie_id, title, year, n_ratings.
    """

    def __init__(self, movies: pd.DataFrame) -> None:
        self._entries: list[tuple[tuple[str, ...], int, int | None, int, str]] = []
        lines, owners = [], []
        for movie_id, title, count in zip(
            movies["movie_id"], movies["title"], movies["n_ratings"], strict=True
        ):
            parsed = parse_title(str(title))
            keys = tuple(sorted(lookup_keys(parsed) | {fold(parsed.title)}, key=len))
            lines.extend(keys)
            owners.extend([len(self._entries)] * len(keys))
            self._entries.append((keys, int(movie_id), parsed.year, -int(count), parsed.title))
        # Every key on its own line, a movie's keys together: str.find scans the text at C
        # speed, the line a match falls in names the movie, and the scan then jumps past that
        # movie's lines, so Python only touches each matching movie once.
        self._text = "\n".join(lines)
        ends = np.cumsum([len(line) + 1 for line in lines])
        self._line_starts = [0, *ends[:-1].tolist()]
        self._owners = owners
        last_line = {owner: i for i, owner in enumerate(owners)}
        self._block_end = [int(ends[last_line[e]]) for e in range(len(self._entries))]

    def search(self, query: str) -> list[Hit]:
        """Every movie matching `query`, best first (empty for a query with no letters)."""
        parsed = parse_title(query)
        needles = _needles(parsed.name) or _needles(query)
        hits = []
        for index in self._candidates(needles):
            keys, movie_id, year, minus_count, title = self._entries[index]
            if parsed.year is not None and year != parsed.year:
                continue
            tier = min(_tier(key, n) for key in keys for n in needles)
            if tier <= ANYWHERE:
                hits.append((tier, minus_count, title, movie_id))
        hits.sort()
        return [Hit(movie_id, tier) for tier, _, _, movie_id in hits]

    def _candidates(self, needles: set[str]) -> set[int]:
        """Entries with a key containing one of `needles`."""
        found: set[int] = set()
        for needle in needles:
            start = self._text.find(needle)
            while start >= 0:
                entry = self._owners[bisect_right(self._line_starts, start) - 1]
                found.add(entry)
                start = self._text.find(needle, self._block_end[entry])
        return found


def _needles(text: str) -> set[str]:
    folded = fold(front_article(text.strip()))
    return {n for n in (folded, drop_article(folded)) if n}


def _tier(key: str, needle: str) -> int:
    if key == needle:
        return EXACT
    if key.startswith(needle):
        return PREFIX
    if f" {needle}" in key:
        return WORD_PREFIX
    if needle in key:
        return ANYWHERE
    return ANYWHERE + 1
