"""The build: load a release, compute every view, find each movie's top-k, save it all."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from reelgraph import __version__
from reelgraph.builds import BuildWriter, fingerprint
from reelgraph.data import Dataset, load
from reelgraph.features.stats import rating_stats
from reelgraph.recipe import Recipe
from reelgraph.similarity.engine import Neighbours, WeightedView
from reelgraph.similarity.engines import get_engine

log = logging.getLogger(__name__)

GENOME_TAGS_PER_MOVIE = 10

Progress = Callable[[str, int], Callable[[int], None]]
"""Progress factory: given a step name and a total, returns a callback taking increments."""


@dataclass
class BuildResult:
    """What a build produced, for the CLI summary."""

    folder: Path
    manifest: dict[str, Any]
    timings: dict[str, float] = field(default_factory=dict)


def compute_views(
    dataset: Dataset, recipe: Recipe, ratings: pd.DataFrame | None = None
) -> list[WeightedView]:
    """Every view of `recipe` over the dataset's catalogue (ratings default to all of them)."""
    ratings = dataset.ratings if ratings is None else ratings
    out = []
    for spec in recipe.views:
        started = time.perf_counter()
        vectors = spec.make().vectors(dataset, ratings)
        log.info("view %s: %d of %d movies, dim %d, %.1f s", spec.name, len(vectors.rows),
                 vectors.n_movies, vectors.dim, time.perf_counter() - started)  # fmt: skip
        out.append(WeightedView(spec.name, spec.weight, vectors))
    for line in view_warnings(out):
        log.info(line)
    return out


def view_warnings(views: list[WeightedView]) -> list[str]:
    """A line for each weighted view that describes no movie of the release."""
    return [
        f"view {v.name!r} (weight {v.weight:g}) describes no movie of this release, so it "
        "adds nothing to any score"
        for v in views
        if v.weight > 0 and len(v.vectors.rows) == 0
    ]


def edges_frame(movie_ids: np.ndarray, result: Neighbours) -> pd.DataFrame:
    """Neighbours (catalogue positions) -> the edges table keyed by movieId."""
    frame = pd.DataFrame(
        {
            "movie_id": movie_ids[result.source].astype(np.int32),
            "rank": result.rank.astype(np.int16),
            "similar_id": movie_ids[result.target].astype(np.int32),
            "score": result.score,
        }
    )
    for name, values in result.components.items():
        frame[name] = values
    return frame


def run_build(
    data: str | Path,
    recipe: Recipe,
    k: int,
    home: Path,
    *,
    engine: str = "local",
    block_rows: int | None = None,
    progress: Progress | None = None,
) -> BuildResult:
    """Load `data`, build the similarity graph under `recipe` and publish it under `home`.

    Plan: 1. load and validate the release; 2. compute the views; 3. top-k with the chosen
    engine; 4. write tables and manifest to a temporary folder and swap it in.
    """
    timings: dict[str, float] = {}
    clock = time.perf_counter()
    dataset = load(data)
    timings["load"] = time.perf_counter() - clock

    clock = time.perf_counter()
    views = compute_views(dataset, recipe)
    timings["features"] = time.perf_counter() - clock

    clock = time.perf_counter()
    n = len(dataset.movies)
    tick = progress("top-k", n) if progress else None
    result = get_engine(engine)(views, k, renormalise=recipe.renormalise,
                                block_rows=block_rows, progress=tick)  # fmt: skip
    timings["top_k"] = time.perf_counter() - clock

    clock = time.perf_counter()
    edges = edges_frame(dataset.movie_ids, result)
    with BuildWriter(home) as writer:
        writer.frame("movies", catalogue_frame(dataset))
        writer.frame("edges", edges)
        writer.frame("ratings", dataset.ratings)
        if dataset.tags is not None:
            writer.frame("tags", dataset.tags)
        if dataset.genome is not None:
            writer.frame("genome_tags", top_genome_tags(dataset, GENOME_TAGS_PER_MOVIE))
        timings["save"] = time.perf_counter() - clock
        manifest = _manifest(data, dataset, recipe, k, views, edges, timings)
        folder = writer.publish(manifest)
    return BuildResult(folder, manifest, timings)


def catalogue_frame(dataset: Dataset) -> pd.DataFrame:
    """The movies table of a build: the catalogue plus rating count and mean."""
    count, mean = rating_stats(dataset.movie_ids, dataset.ratings)
    movies = dataset.movies.copy()
    movies["n_ratings"] = count.astype(np.int32)
    movies["mean_rating"] = mean
    has_genome = np.zeros(len(movies), dtype=bool)
    if dataset.genome is not None:
        has_genome[np.searchsorted(dataset.movie_ids, dataset.genome.movie_ids)] = True
    movies["has_genome"] = has_genome
    return movies


def top_genome_tags(dataset: Dataset, per_movie: int) -> pd.DataFrame:
    """Each genome movie's `per_movie` most relevant tags (ties by tagId)."""
    genome = dataset.genome
    assert genome is not None
    per_movie = min(per_movie, len(genome.tag_ids))
    order = np.argsort(-genome.relevance, axis=1, kind="stable")[:, :per_movie]
    rows = np.repeat(np.arange(len(genome.movie_ids)), per_movie)
    cols = order.ravel()
    names = np.asarray(genome.tag_names, dtype=object)
    return pd.DataFrame(
        {
            "movie_id": genome.movie_ids[rows],
            "tag_id": genome.tag_ids[cols],
            "tag": names[cols],
            "relevance": genome.relevance[rows, cols],
        }
    )


def _manifest(data, dataset, recipe, k, views, edges, timings) -> dict[str, Any]:
    return {
        "reelgraph_version": __version__,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "data": {
            "folder": str(Path(data).resolve()),
            "release": dataset.report.release,
            "files": [fingerprint(p) for p in dataset.files],
        },
        "recipe": recipe.to_dict(),
        "k": k,
        "counts": {
            "movies": len(dataset.movies),
            "ratings": len(dataset.ratings),
            "users": int(dataset.ratings["user_id"].nunique()),
            "edges": len(edges),
        },
        "coverage": {v.name: round(v.vectors.coverage, 6) for v in views},
        "warnings": view_warnings(views),
        "load_report": dataset.report.lines(),
        "timings_s": {name: round(s, 3) for name, s in timings.items()},
    }
