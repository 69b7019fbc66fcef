"""A missing or corrupt build is a 503 JSON error; missing JS packages a clear error page;
the page and /docs load nothing from the internet."""

from __future__ import annotations

import re
import shutil

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from fastapi.testclient import TestClient

from reelgraph.builds import Build
from reelgraph.pipeline import run_build
from reelgraph.recipe import load_recipe
from reelgraph.serve import create_app
from reelgraph.serve.assets import find_assets


def test_no_build_is_503_with_what_to_do(tmp_path):
    client = TestClient(create_app(tmp_path / "empty-home"))
    for path in ("/api/health", "/api/movies/1", "/api/movies/search?q=x", "/api/users/1"):
        response = client.get(path)
        assert response.status_code == 503, path
        body = response.json()
        message = body["message"] if path == "/api/health" else body["error"]["message"]
        assert "reelgraph build" in message


def test_no_build_pages_say_what_to_do(tmp_path):
    client = TestClient(create_app(tmp_path / "empty-home"))
    for path in ("/", "/movies/1", "/users/1", "/liked"):
        response = client.get(path, headers={"accept": "text/html"})
        assert response.status_code == 503, path
        assert "<html" in response.text
        assert "reelgraph build" in response.text, path


def test_non_finite_scores_are_a_json_500_not_invalid_json(serve_home, tmp_path, caplog):
    home = tmp_path / "home"
    source = Build.open(serve_home).folder
    shutil.copytree(source, home / "builds" / source.name)
    (home / "current").symlink_to(f"builds/{source.name}")
    edges_path = home / "builds" / source.name / "edges.parquet"
    edges = pq.read_table(edges_path).to_pandas()
    edges.loc[edges["movie_id"] == 1, "score"] = np.nan  # as a build with odd weights could
    pq.write_table(pa.Table.from_pandas(edges, preserve_index=False), edges_path)

    client = TestClient(create_app(home), raise_server_exceptions=False)
    response = client.get("/api/movies/1/similar")
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/json"
    error = response.json()["error"]
    assert error["status"] == 500
    assert "NaN or infinite" in error["message"]
    assert "Traceback" not in response.text
    assert any(r.exc_info for r in caplog.records if r.name == "reelgraph.serve.app")
    assert client.get("/api/movies/2/similar").status_code == 200


def test_corrupt_build_is_503_then_a_new_build_is_served(serve_home, small_dir, tmp_path):
    home = tmp_path / "home"
    source = Build.open(serve_home).folder
    shutil.copytree(source, home / "builds" / source.name)
    (home / "current").symlink_to(f"builds/{source.name}")
    edges = home / "builds" / source.name / "edges.parquet"
    edges.write_bytes(edges.read_bytes()[: edges.stat().st_size // 2])

    client = TestClient(create_app(home), raise_server_exceptions=False)
    response = client.get("/api/movies/1/similar")
    assert response.status_code == 503
    error = response.json()["error"]
    assert error["type"] == "BuildNotFound"
    assert "cannot be read" in error["message"]
    assert "Traceback" not in response.text

    run_build(small_dir, load_recipe("seed"), 5, home)
    response = client.get("/api/movies/1/similar")
    assert response.status_code == 200
    assert response.json()["k_built"] == 5


def test_missing_js_packages_give_a_clear_page_while_the_api_works(serve_home, tmp_path):
    client = TestClient(create_app(serve_home, node_modules=tmp_path / "node_modules"))
    page = client.get("/movies/1", headers={"accept": "text/html"})
    assert page.status_code == 503
    assert "npm ci" in page.text
    assert client.get("/docs").status_code == 503
    assert client.get("/vendor/cytoscape/cytoscape.min.js").status_code == 503
    assert client.get("/api/movies/1").status_code == 200
    assert client.get("/api/health").json()["web_assets"] is False


def test_node_modules_found_from_the_repository(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # not from the working directory: from the package's location
    monkeypatch.delenv("REELGRAPH_NODE_MODULES", raising=False)
    assets = find_assets()
    assert assets.folder is not None, assets.problem
    assert (assets.folder / "cytoscape" / "package.json").is_file()


def test_pages_and_docs_load_only_local_assets(client):
    for path in ("/", "/movies/1", "/users/1", "/liked", "/docs"):
        response = client.get(path)
        assert response.status_code == 200, path
        external = re.findall(r"(?:src|href)=[\"'](https?:)?//", response.text)
        assert not external, (path, external)
        for url in re.findall(r"(?:src|href)=[\"'](/[^\"'?]+)", response.text):
            assert client.get(url).status_code == 200, (path, url)


def test_openapi_lists_every_endpoint(client):
    paths = client.get("/openapi.json").json()["paths"]
    expected = {
        "/api/health",
        "/api/movies/search",
        "/api/movies/{movie_id}",
        "/api/movies/{movie_id}/similar",
        "/api/movies/{movie_id}/neighbourhood",
        "/api/users/{user_id}",
        "/api/users/{user_id}/recommendations",
        "/api/recommendations",
    }
    assert expected <= set(paths)


def test_unknown_page_is_an_html_404(client):
    response = client.get("/no/such/page", headers={"accept": "text/html"})
    assert response.status_code == 404
    assert "<html" in response.text
