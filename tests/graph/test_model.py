"""The graph model: plain Python values only, integer ids, missing values absent."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from reelgraph.graph.model import (
    SOURCE,
    TARGET,
    GraphModel,
    frame_rows,
    graph_data,
    similar_spec,
    tag_tables,
)

PLAIN = (int, float, str, bool, list)


def _check_plain(row: dict) -> None:
    for key, value in row.items():
        assert type(value) in PLAIN, (key, value, type(value))
        if isinstance(value, float):
            assert not math.isnan(value), key
        if isinstance(value, list):
            assert all(type(v) is str for v in value), key


def test_every_row_is_plain_python(graph_build):
    data = graph_data(graph_build)
    for spec in data.parts():
        name = getattr(spec, "label", None) or spec.type
        for batch in data.rows(name, 5000):
            for row in batch:
                _check_plain(row)


def test_ids_are_ints_and_missing_years_are_absent(graph_build):
    data = graph_data(graph_build)
    movies = {r["movieId"]: r for b in data.rows("Movie", 20_000) for r in b}
    assert len(movies) == 9_742
    assert all(type(m) is int for m in movies)
    assert "year" not in movies[40697]  # a title without a year
    assert movies[1]["year"] == 1995 and movies[1]["genres"][0] == "Adventure"
    no_genres = [r for r in movies.values() if not r["genres"]]
    assert len(no_genres) == 34  # `(no genres listed)` -> an empty list
    unrated = [r for r in movies.values() if r["ratingCount"] == 0]
    assert unrated and all("meanRating" not in r for r in unrated)
    similar = next(data.rows("SIMILAR", 3))
    assert all(type(r[SOURCE]) is int and type(r[TARGET]) is int for r in similar)
    assert set(similar[0]) == {SOURCE, TARGET, "score", "rank", *graph_build.view_names}


def test_tables_have_no_duplicate_keys_or_pairs(graph_build):
    data = graph_data(graph_build)
    for spec in data.model.nodes:
        assert not data.tables[spec.label][spec.key].duplicated().any(), spec.label
    for spec in data.model.rels:
        assert not data.tables[spec.type].duplicated([SOURCE, TARGET]).any(), spec.type
    assert data.count("RATED") == 100_836 and data.count("SIMILAR") == 97_420


def test_genome_and_user_tags_meet_on_one_tag_node():
    genome = pd.DataFrame(
        {
            "movie_id": [1, 1, 2],
            "tag_id": [7, 8, 7],
            "tag": ["funny", "dark", "funny"],
            "relevance": [0.9, 0.8, 0.7],
        }
    )
    user = pd.DataFrame({"user_id": [3, 4, 4], "movie_id": [1, 1, 5],
                         "tag": ["Funny ", "funny", "pixar"], "timestamp": [0, 0, 0]})  # fmt: skip
    nodes, edges = tag_tables(genome, user, per_movie=1)
    assert frame_rows(nodes) == [{"name": "funny", "tagId": 7}, {"name": "pixar"}]
    rows = {(r[SOURCE], r[TARGET]): r for r in frame_rows(edges)}
    assert rows[(1, "funny")] == {SOURCE: 1, TARGET: "funny", "relevance": 0.9, "userCount": 2}
    assert rows[(5, "pixar")] == {SOURCE: 5, TARGET: "pixar", "userCount": 1}
    assert (1, "dark") not in rows  # only the top tag per movie


def test_view_names_must_be_property_names():
    assert [p.name for p in similar_spec(["genome", "stats"]).props][:3] == ["score", "rank",
                                                                           "genome"]  # fmt: skip
    for bad in ("two words", "score", "1st"):
        with pytest.raises(ValueError, match="cannot be a graph property"):
            GraphModel.for_views([bad])
