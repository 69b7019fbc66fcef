"""MovieLens titles: the release year, a clean display title and keys for lookup.

Real titles carry quirks: `Matrix, The (1999)`, alternate titles in parentheses
(`After the Rain (Ame agaru) (1999)`), year ranges (`(2006–2007)`, `(2007-)`), no year at
all, a year that is not last (`The Naked Truth (1957) (Your Past Is Showing)`), stray
closing parentheses and doubled or trailing spaces.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_SPACES = re.compile(r"\s+")
# A year, or the first year of a range, in parentheses: (1999), (2006–2007), (2007-).
_YEAR = re.compile(r"\((\d{4})(?:\s*[-–—]\s*(?:\d{4})?)?\)+")
_PARENS = re.compile(r"\s*\(([^()]*)\)")
_ARTICLES = (
    "the", "a", "an", "les", "la", "le", "l'", "il", "el", "los", "las", "der", "die", "das",
    "den", "det", "un", "une", "i", "o",
)  # fmt: skip
_TRAILING_ARTICLE = re.compile(r"^(?P<body>.*), (?P<article>[^\s,]+)$")
_NON_WORD = re.compile(r"[^\w]+")


@dataclass(frozen=True, slots=True)
class ParsedTitle:
    """A title split into its parts.

    Attributes:
        title: the whitespace-normalised title as MovieLens gives it, year included.
        name: the title without its year, e.g. `Matrix, The`.
        year: the release year (the first year of a range), or None.
        aliases: alternate names found in parentheses, e.g. `Ame agaru`.
    """

    title: str
    name: str
    year: int | None
    aliases: tuple[str, ...]


def clean(text: str) -> str:
    """Collapse runs of whitespace and strip the ends."""
    return _SPACES.sub(" ", text).strip()


def parse_title(raw: str) -> ParsedTitle:
    """Split a raw MovieLens title into display title, name, year and aliases."""
    title = clean(raw)
    matches = list(_YEAR.finditer(title))
    year = int(matches[-1].group(1)) if matches else None
    name = title
    if matches:
        last = matches[-1]
        name = clean(title[: last.start()] + " " + title[last.end() :])

    aliases = tuple(clean(a) for a in _PARENS.findall(name) if clean(a))
    main = clean(_PARENS.sub(" ", name)) or name
    aliases = tuple(_strip_aka(a) for a in aliases)
    return ParsedTitle(title=title, name=main, year=year, aliases=aliases)


def _strip_aka(alias: str) -> str:
    for prefix in ("a.k.a. ", "aka "):
        if alias.lower().startswith(prefix):
            return alias[len(prefix) :]
    return alias


def fold(text: str) -> str:
    """A lookup key: lower case, accents removed, punctuation turned to single spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    no_marks = "".join(c for c in decomposed if not unicodedata.combining(c))
    return clean(_NON_WORD.sub(" ", no_marks.casefold()).replace("_", " "))


def front_article(name: str) -> str:
    """`Matrix, The` -> `The Matrix`; names without a trailing article are unchanged."""
    match = _TRAILING_ARTICLE.match(name)
    if match and match.group("article").lower() in _ARTICLES:
        article = match.group("article")
        sep = "" if article.endswith("'") else " "
        return f"{article}{sep}{match.group('body')}"
    return name


def lookup_keys(parsed: ParsedTitle) -> set[str]:
    """Every folded form a user may type for this movie, with and without the article."""
    keys: set[str] = set()
    for name in (parsed.name, *parsed.aliases):
        fronted = front_article(name)
        keys.add(fold(name))
        keys.add(fold(fronted))
        keys.add(drop_article(fold(fronted)))
    keys.discard("")
    return keys


def drop_article(folded: str) -> str:
    """Drop a leading article from a folded key: `the matrix` -> `matrix`."""
    head, _, rest = folded.partition(" ")
    return rest if rest and head in _ARTICLES else folded
