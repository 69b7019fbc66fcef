"""Find a movie by id or by title the way people type titles.

Lookup ignores case, accents and punctuation, accepts `The Matrix` for `Matrix, The (1999)`,
works with or without the year and with alternate titles. An ambiguous title lists the
candidates instead of guessing.
"""

from __future__ import annotations

import re
from collections import defaultdict

import pandas as pd

from reelgraph.data.titles import drop_article, fold, front_article, lookup_keys, parse_title
from reelgraph.errors import MovieNotFound

MAX_CANDIDATES = 10
_BARE_YEAR = re.compile(r"^(?P<title>.+?)\s+(?P<year>(18|19|20)\d\d)$")


class TitleIndex:
    """Folded title keys of a catalogue, for exact and partial title lookup.

    Args:
        movies: a frame with columns movie_id, title, year (see `Dataset.movies`).
    """

    def __init__(self, movies: pd.DataFrame) -> None:
        self.movies = movies.set_index("movie_id", drop=False)
        self._keys: dict[str, list[int]] = defaultdict(list)
        self._folded: list[tuple[str, int]] = []
        for movie_id, title in zip(movies["movie_id"], movies["title"], strict=True):
            parsed = parse_title(title)
            for key in lookup_keys(parsed):
                self._keys[key].append(int(movie_id))
            self._folded.append((fold(front_article(parsed.name)) + " " + fold(title),
                                 int(movie_id)))  # fmt: skip

    def resolve(self, query: str | int) -> int:
        """The movie_id `query` designates, or MovieNotFound (with candidates if ambiguous)."""
        text = str(query).strip()
        if text.lstrip("-").isdigit():
            movie_id = int(text)
            if movie_id in self.movies.index:
                return movie_id
            raise MovieNotFound(f"no movie with id {movie_id}")

        matches = self.search(text)
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise MovieNotFound(f"no movie matches {text!r}")
        shown = matches[:MAX_CANDIDATES]
        candidates = [(m, str(self.movies.at[m, "title"])) for m in shown]
        which = f"the first {len(shown)}" if len(matches) > len(shown) else "they are"
        listing = "; ".join(f"{m}: {t}" for m, t in candidates)
        raise MovieNotFound(
            f"{text!r} matches {len(matches)} movies; {which}: {listing}. "
            "Give the movie id or add the year.",
            candidates,
        )

    def search(self, text: str) -> list[int]:
        """Movie ids matching `text`: exact title matches if any, else titles containing it.

        A year may follow the title in parentheses or bare: `Emma (2009)`, `the matrix 1999`.
        """
        bare = _BARE_YEAR.match(text.strip())
        if bare and "(" not in text:
            with_year = self.search(f"{bare.group('title')} ({bare.group('year')})")
            if with_year:
                return with_year
        parsed = parse_title(text)
        keys = {fold(parsed.name), drop_article(fold(front_article(parsed.name)))}
        exact = sorted({m for key in keys for m in self._keys.get(key, [])})
        if parsed.year is not None:
            exact = [m for m in exact if self.movies.at[m, "year"] == parsed.year]
        if exact:
            return exact
        needle = fold(text)
        if not needle:
            return []
        return sorted({m for hay, m in self._folded if needle in hay})
