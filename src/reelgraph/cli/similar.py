"""`reelgraph similar`: the movies most similar to one movie, with where the score comes from."""

from __future__ import annotations

import json

import click

from reelgraph.builds import Build
from reelgraph.neighbours import similar_movies


@click.command("similar")
@click.argument("movie")
@click.option("--k", default=10, show_default=True, type=click.IntRange(min=1),
              help="How many similar movies to show.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.pass_context
def command(ctx, movie, k, as_json) -> None:
    """Show the movies most similar to MOVIE (a movieId or a title)."""
    build = Build.open(ctx.obj["home"])
    answer = similar_movies(build, movie, k)
    if as_json:
        click.echo(json.dumps(answer, indent=2, ensure_ascii=False))
        return
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
