"""The FastAPI application: the JSON API, the web page and the OpenAPI docs, with every error
rendered as JSON (`{"error": {status, type, message}}`) for /api and as a page elsewhere."""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.exceptions import HTTPException

from reelgraph import __version__
from reelgraph.errors import (
    BuildNotFound,
    MovieNotFound,
    RecipeError,
    ReelgraphError,
    StoreError,
    UserNotFound,
)
from reelgraph.serve import api, pages
from reelgraph.serve.assets import find_assets
from reelgraph.serve.backends import backend_factory, watched_links
from reelgraph.serve.state import ServeState

log = logging.getLogger(__name__)

STATUS: dict[type[ReelgraphError], int] = {
    MovieNotFound: 404,
    UserNotFound: 404,
    RecipeError: 422,
    BuildNotFound: 503,
    StoreError: 503,
}
"""Error class -> HTTP status; the first class in an error's MRO found here wins."""


def create_app(home: Path, *, store: str = "build", node_modules: Path | None = None) -> FastAPI:
    """The reelgraph web app serving the build under `home`.

    Args:
        home: the reelgraph home folder (its `current` build is served, reopened when it moves).
        store: where similar movies and recommendations come from (see `backends`).
        node_modules: the npm install holding the page's JavaScript (found if None).
    """
    app = FastAPI(
        lifespan=_lifespan,
        title="reelgraph",
        version=__version__,
        summary="Similar movies and graph recommendations from a MovieLens build.",
        docs_url=None,
        redoc_url=None,
    )
    app.state.serve = ServeState(home, backend_factory(store, home), watched_links(store))
    app.state.assets = find_assets(node_modules)
    app.include_router(api.router)
    pages.install(app)
    app.add_exception_handler(ReelgraphError, _reelgraph_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected_error)
    return app


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Read the build before the first request (a missing one is reported, not fatal)."""
    try:
        app.state.serve.backend()
    except BuildNotFound as exc:
        log.warning("starting without a build: %s", exc)
    yield
    app.state.serve.close()


def app_from_env() -> FastAPI:
    """The app for `uvicorn --factory` with several workers: settings from the environment."""
    home = Path(os.environ.get("REELGRAPH_SERVE_HOME", ".reelgraph"))
    return create_app(home, store=os.environ.get("REELGRAPH_SERVE_STORE", "build"))


def error_response(request: Request, status: int, kind: str, message: str) -> Any:
    """JSON for /api (and non-HTML clients), a small HTML page for the browser."""
    if request.url.path.startswith("/api") or "text/html" not in request.headers.get("accept", ""):
        body = {"error": {"status": status, "type": kind, "message": message}}
        return JSONResponse(body, status_code=status)
    return HTMLResponse(pages.error_page(status, message), status_code=status)


async def _reelgraph_error(request: Request, exc: Exception) -> Any:
    status = next((STATUS[c] for c in type(exc).__mro__ if c in STATUS), 400)
    return error_response(request, status, type(exc).__name__, str(exc))


async def _validation_error(request: Request, exc: Exception) -> Any:
    assert isinstance(exc, RequestValidationError)
    problems = [_describe(e) for e in exc.errors()]
    return error_response(request, 422, "ValidationError", "; ".join(problems))


def _describe(error: dict[str, Any]) -> str:
    """`query parameter 'k': Input should be less than or equal to 100 (got '500')`."""
    loc = [str(p) for p in error.get("loc", ())]
    where = {"query": "query parameter", "path": "path parameter", "body": "body field"}
    place = where.get(loc[0], loc[0]) if loc else "request"
    name = ".".join(loc[1:])
    if error.get("type") == "extra_forbidden":
        return f"unknown {place} {name!r}"
    shown = (
        "input" in error and error["type"] != "missing" and not isinstance(error["input"], dict)
    )
    got = f" (got {error['input']!r})" if shown else ""
    label = f"{place} {name!r}" if name else place
    return f"{label}: {error.get('msg', 'invalid')}{got}"


async def _unexpected_error(request: Request, exc: Exception) -> Any:
    """Any other exception (a bug, or a NaN the JSON encoder refuses): a 500 in JSON, logged."""
    log.error("%s %s failed", request.method, request.url.path, exc_info=exc)
    message = f"internal error ({type(exc).__name__}: {exc}); the server log has the traceback"
    return error_response(request, 500, "InternalError", message)


async def _http_error(request: Request, exc: Exception) -> Any:
    assert isinstance(exc, HTTPException)
    message = str(exc.detail)
    if exc.status_code == 404:
        message = f"no such page or endpoint: {request.url.path}"
    return error_response(request, exc.status_code, "HTTPError", message)
