"""Title parsing: years, ranges, aliases and whitespace, as they appear in real releases."""

from __future__ import annotations

import pytest

from reelgraph.data.titles import parse_title


@pytest.mark.parametrize(
    ("raw", "title", "name", "year"),
    [
        ("Toy Story (1995)", "Toy Story (1995)", "Toy Story", 1995),
        ("Death Note: Desu nôto (2006–2007)", "Death Note: Desu nôto (2006–2007)",
         "Death Note: Desu nôto", 2006),
        ("Fawlty Towers (2007-)", "Fawlty Towers (2007-)", "Fawlty Towers", 2007),
        ("Show (1999 - 2001)", "Show (1999 - 2001)", "Show", 1999),
        ("Babylon 5", "Babylon 5", "Babylon 5", None),
        ("From Dusk Till Dawn 2: Texas Blood Money (1999) ",
         "From Dusk Till Dawn 2: Texas Blood Money (1999)",
         "From Dusk Till Dawn 2: Texas Blood Money", 1999),
        ("Blind Side, The  (2009)", "Blind Side, The (2009)", "Blind Side, The", 2009),
        ("2001: A Space Odyssey (1968)", "2001: A Space Odyssey (1968)",
         "2001: A Space Odyssey", 1968),
        ("1984 (1956)", "1984 (1956)", "1984", 1956),
    ],
)  # fmt: skip
def test_parse_title(raw, title, name, year):
    parsed = parse_title(raw)
    assert (parsed.title, parsed.name, parsed.year) == (title, name, year)


def test_alternate_titles_become_aliases():
    parsed = parse_title("After the Rain (Ame agaru) (1999)")
    assert parsed.name == "After the Rain"
    assert parsed.aliases == ("Ame agaru",)
    assert parsed.year == 1999


def test_aka_prefix_is_dropped():
    parsed = parse_title("Shadows (a.k.a. Cienie) (1988)")
    assert parsed.aliases == ("Cienie",)


def test_empty_title():
    parsed = parse_title("")
    assert (parsed.title, parsed.year) == ("", None)
