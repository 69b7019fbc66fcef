"""`reelgraph recommend`: graph recommendations for a user or for a list of liked movies."""

from __future__ import annotations

import json
import math

import click

from reelgraph.builds import Build
from reelgraph.cli.source import current_graph
from reelgraph.neighbours import check_edges
from reelgraph.recommend.build_files import BuildQueries, rating_scale
from reelgraph.recommend.graph import LIKED_THRESHOLD

SHOWN_REASONS = 3
"""Liked movies listed per recommendation in the table (--json lists all)."""


def parse_liked(text: str) -> list[int]:
    """`1,260,2571` -> [1, 260, 2571]; BadParameter naming the item that is not an id."""
    ids = []
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        if not item.lstrip("-").isdigit():
            raise click.BadParameter(f"expected movie ids separated by commas, found {item!r}",
                                     param_hint="--liked")  # fmt: skip
        ids.append(int(item))
    if not ids:
        raise click.BadParameter("expected at least one movie id, found none",
                                 param_hint="--liked")  # fmt: skip
    return ids


@click.command("recommend")
@click.option("--user", "user_id", type=int, default=None, help="A user id of the build.")
@click.option(
    "--liked",
    default=None,
    metavar="ID,ID,...",
    help="Movie ids a new user liked (instead of --user).",
)
@click.option(
    "--k",
    default=10,
    show_default=True,
    type=click.IntRange(min=1),
    help="How many movies to recommend.",
)
@click.option(
    "--min-rating",
    default=LIKED_THRESHOLD,
    show_default=True,
    type=float,
    help="With --user: ratings at or above this make a movie liked.",
)
@click.option("--explain", is_flag=True, help="Show which liked movies led to each one.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.pass_context
def command(ctx, user_id, liked, k, min_rating, explain, as_json) -> None:
    """Recommend movies by walking the similarity graph from the movies a user liked."""
    if (user_id is None) == (liked is None):
        raise click.UsageError("give exactly one of --user ID and --liked ID,ID,...")
    liked_ids = None if liked is None else parse_liked(liked)
    home = ctx.obj["home"]
    build = Build.open(home)
    check_min_rating(min_rating, rating_scale(build))
    check_edges(build)
    store = current_graph(home, build) or BuildQueries(build)
    with store:
        answer = store.recommend(user_id=user_id, liked=liked_ids, k=k, explain=explain,
                                 min_rating=min_rating)  # fmt: skip
    if as_json:
        click.echo(json.dumps(answer, indent=2, ensure_ascii=False))
        return
    _table(answer)


def check_min_rating(value: float, scale: tuple[float, float] | None) -> None:
    """BadParameter unless `value` is a finite rating on the build's scale (lowest, highest)."""
    if not math.isfinite(value):
        raise click.BadParameter(f"expected a finite rating, found {value!r}",
                                 param_hint="--min-rating")  # fmt: skip
    if scale is not None and not scale[0] <= value <= scale[1]:
        raise click.BadParameter(f"expected a rating from {scale[0]:g} to {scale[1]:g} (the "
                                 f"build's rating scale), found {value:g}",
                                 param_hint="--min-rating")  # fmt: skip


def _table(answer: dict) -> None:
    who = f"user {answer['user_id']}" if answer["user_id"] is not None else "liked movies"
    click.echo(f"recommendations for {who} (from {len(answer['liked'])} liked movies)")
    if answer["fallback"]:
        click.echo(answer["note"])
    for rec in answer["recommendations"]:
        score = "   -  " if rec["score"] is None else f"{rec['score']:6.3f}"
        genres = ", ".join(rec["genres"]) or "no genres"
        click.echo(f"{rec['rank']:>3}  {rec['movie_id']:>7}  {score}  {rec['title']} ({genres})")
        because = rec.get("because", [])
        for item in because[:SHOWN_REASONS]:
            click.echo(f"{'':>14}+{item['contribution']:.3f} from {item['title']} "
                       f"[{item['movie_id']}]{_shared(item)}")  # fmt: skip
        if len(because) > SHOWN_REASONS:
            rest = sum(b["contribution"] for b in because[SHOWN_REASONS:])
            click.echo(f"{'':>14}+{rest:.3f} from {len(because) - SHOWN_REASONS} more liked "
                       "movies (--json lists them all)")  # fmt: skip


def _shared(item: dict) -> str:
    parts = []
    if item["shared_tags"]:
        parts.append(f"tags: {', '.join(item['shared_tags'])}")
    if item["shared_genres"]:
        parts.append(f"genres: {', '.join(item['shared_genres'])}")
    return f"; shares {'; '.join(parts)}" if parts else ""
