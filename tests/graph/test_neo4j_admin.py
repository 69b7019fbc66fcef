"""`reelgraph export --format neo4j-admin` on a real ml-latest-small build.

Every file is read back with Python's csv module and checked against the build's own tables:
typed headers, ID spaces, integer ids, row counts, exact scores, and a command line that names
every file.
"""

from __future__ import annotations

import csv
import math
import shlex
import shutil
from pathlib import Path

import pandas as pd
import pytest

from reelgraph.builds import Build
from reelgraph.errors import StoreError
from reelgraph.graph import neo4j_admin
from reelgraph.graph.neo4j_admin import COMMAND_FILE, SCHEMA_FILE, write_admin_import
from tests.cli.helpers import reelgraph

NODE_HEADERS = {
    "Movie": ["movieId:ID(Movie)", "title:string", "year:long", "genres:string[]",
              "ratingCount:long", "meanRating:double", "hasGenome:boolean"],
    "Genre": [":ID(Genre)", "name:string"],
    "User": ["userId:ID(User)"],
    "Tag": [":ID(Tag)", "name:string", "tagId:long"],
}  # fmt: skip
REL_HEADERS = {
    "IN_GENRE": [":START_ID(Movie)", ":END_ID(Genre)"],
    "RATED": [":START_ID(User)", ":END_ID(Movie)", "rating:double", "timestamp:long"],
    "HAS_TAG": [":START_ID(Movie)", ":END_ID(Tag)", "relevance:double", "userCount:long"],
}


@pytest.fixture(scope="module")
def export(graph_build, tmp_path_factory):
    """The export of the session's real build, with its files read back."""
    out = tmp_path_factory.mktemp("admin") / "neo4j-import"
    result = write_admin_import(graph_build, out)
    files = {name: _read(out / f"{name}.csv") for name in result.counts}
    return result, files


def _read(path: Path) -> tuple[list[str], list[list[str]]]:
    """Header and rows of a CSV file, checking that every line parses to the header's width."""
    with path.open(newline="", encoding="utf-8") as f:
        header, *rows = list(csv.reader(f, strict=True))
    widths = {len(row) for row in rows}
    assert widths <= {len(header)}, f"{path.name}: rows of {widths} fields, header {header}"
    return header, rows


def _column(files, name: str, field: str) -> list[str]:
    header, rows = files[name]
    index = header.index(field)
    return [row[index] for row in rows]


def _is_int(text: str) -> bool:
    return text.lstrip("-").isdigit() and str(int(text)) == text


def test_headers_are_typed_with_one_id_space_per_label(export, graph_build):
    _, files = export
    for name, header in {**NODE_HEADERS, **REL_HEADERS}.items():
        assert files[name][0] == header
    views = graph_build.view_names
    similar = [":START_ID(Movie)", ":END_ID(Movie)", "score:double", "rank:long"]
    assert files["SIMILAR"][0] == similar + [f"{v}:double" for v in views]
    assert files["GraphInfo"][0][0] == ":ID(GraphInfo)"


def test_row_counts_match_the_build(export, graph_build):
    result, files = export
    movies, ratings = graph_build.movies, graph_build.table("ratings")
    expected = {
        "Movie": len(movies),
        "User": ratings["user_id"].nunique(),
        "Genre": len({g for gs in movies["genres"] for g in gs}),
        "SIMILAR": len(graph_build.edges),
        "RATED": len(ratings),
        "IN_GENRE": sum(len(set(gs)) for gs in movies["genres"]),
        "GraphInfo": 1,
    }
    for name, count in expected.items():
        assert result.counts[name] == count == len(files[name][1]), name
    assert result.counts["Tag"] == len(files["Tag"][1]) > 0
    assert result.counts["HAS_TAG"] == len(files["HAS_TAG"][1]) > 0


def test_ids_are_integers_and_every_edge_end_exists(export):
    _, files = export
    ids = {}
    for label, header in NODE_HEADERS.items():
        values = _column(files, label, header[0])
        assert all(_is_int(v) for v in values), f"{label}: non-integer id"
        assert len(set(values)) == len(values), f"{label}: duplicate id"
        ids[label] = set(values)
    assert "1" in ids["Movie"] and "1" in ids["User"]  # two nodes, told apart by ID space
    for rel, header in {**REL_HEADERS, "SIMILAR": [":START_ID(Movie)", ":END_ID(Movie)"]}.items():
        for field in header[:2]:
            label = field.split("(")[1].rstrip(")")
            values = _column(files, rel, field)
            assert all(_is_int(v) for v in values), f"{rel} {field}: non-integer id"
            assert set(values) <= ids[label], f"{rel} {field}: refers to a missing node"


def test_typed_values_parse(export):
    _, files = export
    for name, (header, rows) in files.items():
        for index, field in enumerate(header):
            kind = field.rsplit(":", 1)[1]
            values = [row[index] for row in rows if row[index] != ""]
            if kind == "long":
                assert all(_is_int(v) for v in values), f"{name}.{field}"
            elif kind == "double":
                assert all(math.isfinite(float(v)) for v in values), f"{name}.{field}"
            elif kind == "boolean":
                assert set(values) <= {"true", "false"}, f"{name}.{field}"


def test_movies_round_trip_from_the_build(export, graph_build):
    _, files = export
    header, rows = files["Movie"]
    by_id = {int(row[0]): dict(zip(header, row, strict=True)) for row in rows}
    for movie in graph_build.movies.itertuples():
        row = by_id[int(movie.movie_id)]
        assert row["title:string"] == movie.title  # quotes, commas, non-ASCII kept
        if pd.isna(movie.year):
            assert row["year:long"] == ""  # absent property, never NaN
        else:
            assert int(row["year:long"]) == int(movie.year)
        expected = ";".join(movie.genres)
        assert row["genres:string[]"] == expected
        assert int(row["ratingCount:long"]) == int(movie.n_ratings)


def test_similar_scores_are_exact(export, graph_build):
    _, files = export
    edges = graph_build.edges
    rows = files["SIMILAR"][1]
    assert [int(r[0]) for r in rows] == edges["movie_id"].tolist()
    assert [int(r[1]) for r in rows] == edges["similar_id"].tolist()
    assert [float(r[2]) for r in rows] == edges["score"].tolist()
    assert [int(r[3]) for r in rows] == edges["rank"].tolist()


def test_ratings_round_trip(export, graph_build):
    _, files = export
    ratings = graph_build.table("ratings")
    rows = files["RATED"][1]
    assert [float(r[2]) for r in rows] == ratings["rating"].astype(float).tolist()
    assert [int(r[3]) for r in rows] == ratings["timestamp"].tolist()


def test_command_names_every_file_and_option(export):
    result, _ = export
    args = shlex.split(result.command)
    assert args[:4] == ["neo4j-admin", "database", "import", "full"]
    assert args[-1] == "neo4j"
    for option in ("--id-type=integer", "--array-delimiter=;", "--overwrite-destination=true"):
        assert option in args
    named = [a.split("=", 2)[1:] for a in args if a.startswith(("--nodes=", "--relationships="))]
    assert {label for label, _ in named} == set(result.counts)
    for label, path in named:
        assert Path(path).is_absolute() and Path(path).is_file()
        assert Path(path).name == f"{label}.csv"
    assert (result.folder / COMMAND_FILE).read_text() == result.command + "\n"
    schema = (result.folder / SCHEMA_FILE).read_text()
    assert "REQUIRE n.movieId IS UNIQUE" in schema and "REQUIRE n.userId IS UNIQUE" in schema


def test_cli_prints_the_command_and_replaces_its_own_folder(graph_build, tmp_path):
    home = graph_build.folder.parent.parent
    out = tmp_path / "export"
    first = reelgraph("export", "--format", "neo4j-admin", "--out", str(out),
                      "--database", "movies", home=home)  # fmt: skip
    assert first.stdout.strip() == (out / COMMAND_FILE).read_text().strip()
    assert first.stdout.strip().endswith(" movies")
    assert "SIMILAR" in first.stderr and "97,420" in first.stderr
    again = reelgraph("export", "--format", "neo4j-admin", "--out", str(out), home=home)
    assert again.stdout.strip().endswith(" neo4j")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export"]  # no temporary left over


def test_refuses_to_replace_a_folder_it_did_not_write(graph_build, tmp_path):
    (tmp_path / "keep.txt").write_text("not an export")
    with pytest.raises(StoreError, match="not a previous neo4j-admin export"):
        write_admin_import(graph_build, tmp_path)
    assert (tmp_path / "keep.txt").read_text() == "not an export"
    proc = reelgraph("export", "--format", "neo4j-admin", "--out", str(tmp_path),
                     home=graph_build.folder.parent.parent, check=False)  # fmt: skip
    assert proc.returncode == 1 and "not a previous neo4j-admin export" in proc.stderr


def test_a_failed_export_leaves_the_previous_one(graph_build, tmp_path, monkeypatch):
    out = tmp_path / "export"
    write_admin_import(graph_build, out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    real = neo4j_admin._write_csv
    written = []

    def fail_on_third(path, header, columns):
        written.append(path.name)
        if len(written) == 3:
            raise OSError("disk full")
        return real(path, header, columns)

    monkeypatch.setattr(neo4j_admin, "_write_csv", fail_on_third)
    with pytest.raises(OSError, match="disk full"):
        write_admin_import(graph_build, out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export"]


def test_a_build_without_tags_or_ratings_exports_empty_files(graph_build, tmp_path):
    folder = tmp_path / "build"
    shutil.copytree(graph_build.folder, folder)
    (folder / "tags.parquet").unlink()
    (folder / "ratings.parquet").unlink()
    result = write_admin_import(Build(folder), tmp_path / "export")
    for name in ("User", "Tag", "RATED", "HAS_TAG"):
        assert result.counts[name] == 0
        header, rows = _read(tmp_path / "export" / f"{name}.csv")
        assert header == {**NODE_HEADERS, **REL_HEADERS}[name] and rows == []
    assert result.counts["SIMILAR"] == len(graph_build.edges)
