"""The web page in a real headless Chromium: search, a movie page with its similar movies and
the drawn neighbourhood, and a recommendation's explanation.

Needs Debian's `chromium` (apt-get install chromium) and pip `playwright`; Playwright drives the
system browser because it cannot download its own here. The screenshots land in the test's
tmp folder (pytest prints where with -rA; see `screenshots`).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("REELGRAPH_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


LABELS = """reelgraphGraph.nodes().map((n) => ({
    label: n.data('label'),
    px: parseFloat(n.style('font-size')) * reelgraphGraph.zoom(),
    box: n.boundingBox({includeNodes: false, includeEdges: false, includeLabels: true}),
}))"""
"""Each drawn label: its text, its on-screen font size (px) and its box (model coordinates)."""


def worst_label_overlap(labels: list[dict]) -> float:
    """The largest overlap of two label boxes, as a fraction of the smaller box's area."""
    worst = 0.0
    for i, a in enumerate(labels):
        for b in labels[i + 1 :]:
            p, q = a["box"], b["box"]
            w = min(p["x2"], q["x2"]) - max(p["x1"], q["x1"])
            h = min(p["y2"], q["y2"]) - max(p["y1"], q["y1"])
            if w > 0 and h > 0:
                smaller = min(p["w"] * p["h"], q["w"] * q["h"])
                worst = max(worst, w * h / smaller)
    return worst


@pytest.fixture(scope="module")
def page(live_server):
    try:
        from playwright import sync_api
    except ImportError:
        pytest.fail("pip playwright is not installed: pip install -e '.[dev]'")
    if not Path(CHROMIUM).is_file() and not shutil.which(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: apt-get install chromium")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.errors = errors
        yield page
        browser.close()


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory) -> Path:
    folder = Path(os.environ.get("REELGRAPH_SCREENSHOTS") or tmp_path_factory.mktemp("shots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_search_open_movie_see_similar_and_graph(page, live_server, screenshots):
    page.goto(live_server.url + "/")
    page.fill("#search", "toy story")
    suggestion = page.locator("#suggestions li a", has_text="Toy Story (1995)")
    suggestion.wait_for(timeout=10_000)
    suggestion.click()

    page.wait_for_url("**/movies/1")
    assert page.locator("#movie-title").inner_text() == "Toy Story (1995)"
    items = page.locator("li.similar-item")
    items.first.wait_for(timeout=10_000)
    assert items.count() == 10
    segments = page.locator("li.similar-item").first.locator(".bar span")
    assert segments.count() == 3  # one bar segment per view of the seed recipe

    page.wait_for_function("window.reelgraphGraph && window.reelgraphGraph.nodes().length > 1")
    drawn = page.evaluate(
        "({nodes: reelgraphGraph.nodes().length, edges: reelgraphGraph.edges().length,"
        " widths: reelgraphGraph.edges().map(e => e.data('width'))})"
    )
    assert drawn["nodes"] > 5
    assert drawn["edges"] >= drawn["nodes"] - 1
    assert page.locator("#graph canvas").count() >= 1
    labels = page.evaluate(LABELS)
    assert min(label["px"] for label in labels) >= 12, labels  # on screen, whatever the zoom
    assert worst_label_overlap(labels) < 0.25, labels
    page.screenshot(path=str(screenshots / "movie.png"), full_page=True)
    assert not page.errors, page.errors


def test_recommendation_explanation_opens(page, live_server, screenshots):
    page.goto(live_server.url + "/users/1")
    first = page.locator("li.recommendation").first
    first.wait_for(timeout=10_000)
    assert page.locator("li.recommendation").count() == 10
    explanation = first.locator("details.because")
    summary = explanation.locator("summary")
    assert summary.inner_text().startswith("because you liked ")
    summary.click()
    reasons = explanation.locator("ul li")
    reasons.first.wait_for(state="visible", timeout=5_000)
    assert reasons.first.locator("a.movie-link").inner_text()
    shown = page.inner_text("main")
    assert "null" not in shown and "undefined" not in shown
    page.screenshot(path=str(screenshots / "user.png"), full_page=True)
    assert not page.errors, page.errors


def test_liked_movies_form(page, live_server, screenshots):
    page.goto(live_server.url + "/liked")
    page.fill("#liked-search", "matrix")
    page.locator("#liked-options button", has_text="Matrix, The (1999)").click()
    page.fill("#liked-search", "amelie")
    page.locator("#liked-options button", has_text="Amelie").click()
    assert page.locator("#liked-list li").count() == 2
    page.click("#liked-go")
    page.locator("#recommendations li.recommendation").first.wait_for(timeout=10_000)
    assert "ids=" in page.url
    shown = page.inner_text("#recommendations")
    assert "because you liked" in shown
    assert "null" not in shown and "undefined" not in shown
    page.screenshot(path=str(screenshots / "liked.png"), full_page=True)
    assert not page.errors, page.errors
