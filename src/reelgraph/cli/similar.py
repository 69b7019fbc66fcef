"""`reelgraph similar`: the movies most similar to one movie, with where the score comes from."""

from __future__ import annotations

import json

import click

from reelgraph.builds import Build
from reelgraph.cli.source import current_graph
from reelgraph.errors import ReelgraphError
from reelgraph.graph import SimilarFilters
from reelgraph.graph.queries import query_weights
from reelgraph.lookup import TitleIndex
from reelgraph.neighbours import check_edges, similar_movies
from reelgraph.recipe import check_weights, parse_weight_overrides


@click.command("similar")
@click.argument("movie")
@click.option(
    "--k",
    default=10,
    show_default=True,
    type=click.IntRange(min=1),
    help="How many similar movies to show.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.option(
    "--genre",
    "genres",
    multiple=True,
    metavar="G",
    help="Keep movies with this genre (repeatable: any of them).",
)
@click.option(
    "--exclude-genre",
    "exclude_genres",
    multiple=True,
    metavar="G",
    help="Drop movies with this genre (repeatable).",
)
@click.option("--year-from", type=int, default=None, help="Keep movies from this year on.")
@click.option("--year-to", type=int, default=None, help="Keep movies up to this year.")
@click.option(
    "--min-ratings",
    type=click.IntRange(min=0),
    default=None,
    help="Keep movies rated at least this many times.",
)
@click.option(
    "--weight",
    "weights",
    multiple=True,
    metavar="VIEW=W",
    help="Re-weight a view at query time, e.g. --weight genres=0.7 (repeatable).",
)
@click.pass_context
def command(ctx, movie, k, as_json, genres, exclude_genres, year_from, year_to, min_ratings,
            weights) -> None:  # fmt: skip
    """Show the movies most similar to MOVIE (a movieId or a title).

    Filters and weights apply to the neighbours the build stored (its k); the answer comes
    from the loaded embedded graph, or from the build files until `reelgraph load` ran.
    """
    home = ctx.obj["home"]
    build = Build.open(home)
    if year_from is not None and year_to is not None and year_from > year_to:
        raise click.UsageError(f"--year-from {year_from} is after --year-to {year_to}; "
                               "expected year-from <= year-to")  # fmt: skip
    check_genres(build, (*genres, *exclude_genres))
    filters = SimilarFilters(tuple(genres), tuple(exclude_genres), year_from, year_to,
                             min_ratings)  # fmt: skip
    overrides = parse_weight_overrides(weights) if weights else None
    if overrides is not None:
        check_weights(query_weights(build.weights, overrides), "--weight")
    check_edges(build)
    if k > build.manifest["k"]:
        click.echo(f"note: the build kept {build.manifest['k']} neighbours per movie; showing at "
                   f"most that many (rebuild with --k {k} for more)", err=True)  # fmt: skip
    store = current_graph(home, build)
    if store is None:
        answer = similar_movies(build, movie, k, filters, overrides)
    else:
        movie_id = TitleIndex(build.movies).resolve(movie)
        with store:
            answer = store.similar(movie_id, k, filters, overrides)
    if as_json:
        click.echo(json.dumps(answer, indent=2, ensure_ascii=False))
        return
    _table(answer)


def check_genres(build: Build, names: tuple[str, ...]) -> None:
    """ReelgraphError naming the known genres unless every one of `names` is a build genre."""
    known = sorted({str(g) for gs in build.movies["genres"] for g in gs})
    unknown = [name for name in names if name not in known]
    if unknown:
        raise ReelgraphError(f"unknown genre {', '.join(map(repr, unknown))} in --genre / "
                             f"--exclude-genre; expected one of: {', '.join(known)}")  # fmt: skip


def _table(answer: dict) -> None:
    source = answer["movie"]
    click.echo(f"{source['title']}  [{source['movie_id']}]  {' | '.join(source['genres'])}")
    views = answer["views"]
    header = f"{'rank':>4}  {'id':>7}  {'score':>6}  " + "  ".join(f"{v:>7}" for v in views)
    click.echo(header + "  title (genres)")
    for row in answer["similar"]:
        parts = "  ".join(f"{row['contributions'][v]:7.3f}" for v in views)
        click.echo(
            f"{row['rank']:>4}  {row['movie_id']:>7}  {row['score']:6.3f}  {parts}  "
            f"{row['title']} ({', '.join(row['genres']) or 'no genres'})"
        )
