"""The JSON API under /api: search, movie details, similar movies, neighbourhood, users and
recommendations, health."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from reelgraph.errors import BuildNotFound, RecipeError
from reelgraph.graph.store import SimilarFilters
from reelgraph.recipe import parse_weight_overrides
from reelgraph.serve import schemas as s
from reelgraph.serve.search import TIERS

router = APIRouter(prefix="/api")

MovieId = Annotated[int, Path(ge=1, le=2**31 - 1, description="A MovieLens movieId.")]
UserId = Annotated[int, Path(ge=1, le=2**31 - 1, description="A MovieLens userId.")]
ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": s.ErrorAnswer, "description": text}
    for code, text in (
        (404, "Unknown movie or user."),
        (422, "Invalid or unknown parameter."),
        (503, "No build to serve, or the build cannot be read."),
    )
}


async def answer(request: Request, method: str, *args: Any) -> JSONResponse:
    """Call `method` of the backend and send its answer as JSON.

    The in-memory backend answers in well under a millisecond, so it runs right here on the
    event loop; a graph store's network or disk I/O runs in the thread pool. The answer is
    sent as is: the response models document it and the tests validate it (validating it
    again on every request would cost more than computing it).
    """
    data = backend(request)
    call = getattr(data, method)
    payload = call(*args) if data.in_memory else await run_in_threadpool(call, *args)
    try:
        return JSONResponse(payload)  # refuses NaN and infinity: a 500 (JSON) says why
    except ValueError as exc:
        raise ValueError(
            f"the answer holds a NaN or infinite number ({exc}); the build's scores or "
            "weights are not finite: run `reelgraph build` again"
        ) from exc


def backend(request: Request) -> Any:
    """The backend of the current build (BuildNotFound -> 503)."""
    return request.app.state.serve.backend()


@router.get("/health", response_model=s.Health, responses={503: ERRORS[503]})
def health(request: Request) -> Any:
    """Whether a build is loaded (200) or not (503), and which build, recipe and counts."""
    assets = request.app.state.assets.folder is not None
    try:
        return {"status": "ok", "web_assets": assets, **backend(request).info()}
    except BuildNotFound as exc:
        body = {"status": "unavailable", "web_assets": assets, "message": str(exc)}
        return JSONResponse(body, status_code=503)


@router.get("/movies/search", response_model=s.SearchAnswer, responses={422: ERRORS[422]})
def search(request: Request, query: Annotated[s.SearchQuery, Query()]) -> Any:
    """Movies whose title matches `q`, best match first, then the most rated."""
    data = backend(request)
    hits = data.search.search(query.q)
    start = (query.page - 1) * query.per_page
    results = [
        {**data.records[h.movie_id], "match": TIERS[h.tier]}
        for h in hits[start : start + query.per_page]
    ]
    return {
        "query": query.q,
        "total": len(hits),
        "page": query.page,
        "per_page": query.per_page,
        "results": results,
    }


@router.get("/movies/{movie_id}", response_model=s.MovieDetails, responses=ERRORS)
async def movie(request: Request, movie_id: MovieId) -> Any:
    """A movie's catalogue fields, rating count and mean, and its most frequent tags."""
    return await answer(request, "movie", movie_id)


@router.get("/movies/{movie_id}/similar", response_model=s.SimilarAnswer, responses=ERRORS)
async def similar(
    request: Request, movie_id: MovieId, query: Annotated[s.SimilarQuery, Query()]
) -> Any:
    """The k most similar movies, with each view's part of the score; optional per-view
    weights (`weight=genres=0.7`) re-rank the stored neighbours, filters drop some."""
    try:
        weights = parse_weight_overrides(query.weight) if query.weight else None
    except RecipeError as exc:
        raise RecipeError(f"query parameter 'weight': {exc}") from None
    known = backend(request).genre_names
    unknown = sorted((set(query.genre) | set(query.exclude_genre)) - set(known))
    if unknown:
        raise RecipeError(
            f"query parameter 'genre': unknown genre {', '.join(map(repr, unknown))}; "
            f"expected one of: {', '.join(known)}"
        )
    filters = SimilarFilters(
        genres=tuple(sorted(set(query.genre))),
        exclude_genres=tuple(sorted(set(query.exclude_genre))),
        year_from=query.year_min,
        year_to=query.year_max,
        min_ratings=query.min_ratings or None,
    )
    return await answer(request, "similar", movie_id, query.k, weights, filters)


@router.get("/movies/{movie_id}/neighbourhood", response_model=s.Neighbourhood, responses=ERRORS)
async def neighbourhood(
    request: Request, movie_id: MovieId, query: Annotated[s.NeighbourhoodQuery, Query()]
) -> Any:
    """The movie, its k nearest neighbours and theirs (up to `depth` hops), as a graph."""
    return await answer(request, "neighbourhood", movie_id, query.k, query.depth)


@router.get("/users/{user_id}", response_model=s.UserProfile, responses=ERRORS)
async def user(request: Request, user_id: UserId, query: Annotated[s.UserQuery, Query()]) -> Any:
    """A user's rating count and mean, and their top-rated movies."""
    return await answer(request, "user", user_id, query.top)


@router.get(
    "/users/{user_id}/recommendations", response_model=s.UserRecommendations, responses=ERRORS
)
async def user_recommendations(
    request: Request, user_id: UserId, query: Annotated[s.RecommendQuery, Query()]
) -> Any:
    """Graph recommendations for a user: movies reached from the ones they liked (rated 4.0
    or more), each with the liked movies behind it ("because you liked ...")."""
    return await answer(request, "recommend_user", user_id, query.k)


@router.post("/recommendations", response_model=s.LikedRecommendations, responses=ERRORS)
async def liked_recommendations(request: Request, body: s.LikedRequest) -> Any:
    """Graph recommendations for a new user from a few liked movie ids."""
    return await answer(request, "recommend_liked", body.liked, body.k)
