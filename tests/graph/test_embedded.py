"""The embedded store's files: atomic swap, readers during a load, one handle per path."""

from __future__ import annotations

import pytest

from reelgraph.graph import StoreOptions, open_store
from reelgraph.graph.embedded import _HANDLES, LIVE, live_path

from .conftest import subset_build


@pytest.fixture(scope="module")
def two_builds(graph_build, tmp_path_factory):
    folder = tmp_path_factory.mktemp("swap")
    return (subset_build(graph_build, folder / "a", max_user=10, max_movie=800),
            subset_build(graph_build, folder / "b", max_user=12, max_movie=500))  # fmt: skip


def test_a_reader_keeps_a_whole_graph_while_a_load_runs(tmp_path, two_builds):
    first, second = two_builds
    with open_store("embedded", StoreOptions(home=tmp_path)) as writer:
        writer.load(first)
    reader = open_store("embedded", StoreOptions(home=tmp_path))
    before = reader.similar(1, k=5)
    seen = []

    def progress(step, total):
        def tick(n):  # runs between COPY steps of the second load
            seen.append((reader.info()["build_id"], reader.counts()["Movie"]))

        return tick

    with open_store("embedded", StoreOptions(home=tmp_path)) as writer:
        writer.load(second, progress=progress)
    first_id = first.manifest["build_id"]
    assert seen and set(seen) == {(first_id, len(first.movies))}
    assert reader.similar(1, k=5) == before  # the open reader still reads the old graph
    reader.close()

    with open_store("embedded", StoreOptions(home=tmp_path)) as fresh:
        assert fresh.info()["build_id"] == second.manifest["build_id"]
        assert fresh.counts()["Movie"] == len(second.movies)
    assert (tmp_path / LIVE).is_symlink()


def test_stores_in_one_process_share_one_database_handle(tmp_path, two_builds):
    with open_store("embedded", StoreOptions(home=tmp_path)) as writer:
        writer.load(two_builds[0])
    path = live_path(tmp_path)
    one = open_store("embedded", StoreOptions(home=tmp_path))
    two = open_store("embedded", StoreOptions(home=tmp_path))
    answers = [one.recommend(user_id=1, k=5), two.recommend(user_id=1, k=5)]
    assert answers[0] == answers[1]
    assert all(r["score"] is not None for r in answers[0]["recommendations"])
    assert _HANDLES._open[path][1] == 2
    one.close()
    assert _HANDLES._open[path][1] == 1
    two.close()
    assert path not in _HANDLES._open
