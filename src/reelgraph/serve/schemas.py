"""The API's inputs and outputs as pydantic models: validated once here, trusted inside.

Query models forbid unknown fields, so a misspelt parameter (`?kk=5`) is a 422 naming it
rather than silently ignored.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

MAX_K = 100
YEAR = Field(default=None, ge=1870, le=2100)


class Query(BaseModel):
    """Base of query-string models: unknown parameters are rejected."""

    model_config = ConfigDict(extra="forbid")


class SearchQuery(Query):
    """GET /api/movies/search."""

    q: str = Field(
        min_length=1,
        max_length=200,
        description="Title text; case, accents, punctuation and articles do not matter; "
        "`(1995)` restricts the year.",
    )
    page: int = Field(default=1, ge=1, le=1000, description="1-based page number.")
    per_page: int = Field(default=10, ge=1, le=50, description="Results per page.")


class SimilarQuery(Query):
    """GET /api/movies/{movie_id}/similar."""

    k: int = Field(default=10, ge=1, le=MAX_K, description="How many similar movies.")
    weight: list[str] = Field(
        default=[],
        description="Per-view weight `VIEW=WEIGHT`, repeatable; re-ranks the stored neighbours.",
    )
    genre: list[str] = Field(default=[], description="Keep neighbours with one of these genres.")
    exclude_genre: list[str] = Field(default=[], description="Drop neighbours with any of these.")
    year_min: int | None = YEAR
    year_max: int | None = YEAR
    min_ratings: int = Field(default=0, ge=0, description="Drop neighbours rated fewer times.")

    @model_validator(mode="after")
    def _year_range(self) -> SimilarQuery:
        both = self.year_min is not None and self.year_max is not None
        if both and self.year_min > self.year_max:
            raise ValueError(
                f"query parameters 'year_min' ({self.year_min}) and 'year_max' "
                f"({self.year_max}): year_min is after year_max"
            )
        return self


class NeighbourhoodQuery(Query):
    """GET /api/movies/{movie_id}/neighbourhood."""

    k: int = Field(default=6, ge=1, le=20, description="Neighbours followed from each movie.")
    depth: int = Field(default=2, ge=1, le=3, description="Hops from the movie.")


class UserQuery(Query):
    """GET /api/users/{user_id}."""

    top: int = Field(default=10, ge=1, le=MAX_K, description="How many top-rated movies.")


class RecommendQuery(Query):
    """GET /api/users/{user_id}/recommendations."""

    k: int = Field(default=10, ge=1, le=MAX_K, description="How many recommendations.")


class LikedRequest(BaseModel):
    """POST /api/recommendations: a new user's liked movies."""

    model_config = ConfigDict(extra="forbid")

    liked: Annotated[
        list[Annotated[int, Field(ge=1, strict=True)]], Field(min_length=1, max_length=200)
    ]
    k: int = Field(default=10, ge=1, le=MAX_K)


# -- responses -----------------------------------------------------------------------------


class MovieBrief(BaseModel):
    """A movie as listed: catalogue fields and rating stats (null year or mean when absent)."""

    movie_id: int
    title: str
    year: int | None
    genres: list[str]
    n_ratings: int
    mean_rating: float | None


class SearchHit(MovieBrief):
    """A search result with how its title matched: exact, prefix, word or contains."""

    match: str


class SearchAnswer(BaseModel):
    """One page of search results."""

    query: str
    total: int
    page: int
    per_page: int
    results: list[SearchHit]


class TagCount(BaseModel):
    """A user tag and how many times it was given to the movie."""

    tag: str
    count: int


class GenomeTag(BaseModel):
    """A genome tag and its relevance to the movie (0-1)."""

    tag: str
    relevance: float


class MovieDetails(MovieBrief):
    """A movie's details."""

    user_tags: list[TagCount]
    genome_tags: list[GenomeTag]
    n_similar: int


class SimilarMovie(MovieBrief):
    """A neighbour: its rank, score and each view's part of the score (weight x cosine)."""

    rank: int
    score: float
    contributions: dict[str, float]


class SimilarAnswer(BaseModel):
    """A movie's most similar movies."""

    movie: MovieBrief
    k_built: int
    views: list[str]
    weights: dict[str, float]
    similar: list[SimilarMovie]


class GraphNode(BaseModel):
    """A movie in a neighbourhood drawing, with its distance in hops from the centre."""

    movie_id: int
    title: str
    year: int | None
    genres: list[str]
    n_ratings: int
    mean_rating: float | None
    hop: int


class GraphEdge(BaseModel):
    """A SIMILAR edge of the neighbourhood."""

    source: int
    target: int
    score: float


class Neighbourhood(BaseModel):
    """A movie's neighbours and theirs, as nodes and edges."""

    movie_id: int
    k: int
    depth: int
    nodes: list[GraphNode]
    edges: list[GraphEdge]


class RatedMovie(MovieBrief):
    """A movie a user rated."""

    rating: float
    timestamp: int


class UserProfile(BaseModel):
    """A user's ratings summary and top-rated movies."""

    user_id: int
    n_ratings: int
    mean_rating: float
    n_liked: int
    top_rated: list[RatedMovie]


class Reason(MovieBrief):
    """A liked movie that led to a recommendation, its part of the score, what they share."""

    contribution: float
    shared_genres: list[str]
    shared_tags: list[str]


class Recommendation(MovieBrief):
    """A recommended movie, its score (null for the fallback) and why: the liked movies with
    the largest contributions (at most 3) out of the `n_because` that lead to it."""

    rank: int
    score: float | None
    because: list[Reason]
    n_because: int


class Recommendations(BaseModel):
    """Recommendations; `fallback` explains when they are not personal."""

    k: int
    fallback: str | None
    recommendations: list[Recommendation]


class UserRecommendations(Recommendations):
    """A known user's recommendations."""

    user_id: int


class LikedRecommendations(Recommendations):
    """A new user's recommendations from their liked movies."""

    liked: list[MovieBrief]


class Health(BaseModel):
    """Whether a build is loaded, and which."""

    status: str
    backend: str | None = None
    build_id: str | None = None
    created: str | None = None
    recipe: str | None = None
    views: list[str] = []
    weights: dict[str, float] = {}
    k_built: int | None = None
    counts: dict[str, int] = {}
    web_assets: bool = False
    message: str | None = None


class ErrorBody(BaseModel):
    """Every error: HTTP status, error type and a message saying what to change."""

    status: int
    type: str
    message: str


class ErrorAnswer(BaseModel):
    """The JSON of every 4xx and 5xx answer."""

    error: ErrorBody
