"""The web page: one HTML shell for every page, our own JS and CSS, the npm packages from
node_modules, and Swagger UI at /docs served locally (no CDN)."""

from __future__ import annotations

import html
from importlib import resources
from string import Template

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from reelgraph import __version__
from reelgraph.errors import BuildNotFound, UserNotFound

PAGES = ("/", "/movies/{movie_id:int}", "/users/{user_id:int}", "/liked")
VENDOR = {"cytoscape": "cytoscape/dist", "swagger-ui": "swagger-ui-dist"}
"""URL under /vendor -> folder inside node_modules."""


def _template(name: str) -> Template:
    return Template(resources.files("reelgraph.serve").joinpath("templates", name).read_text())


def error_page(status: int, message: str) -> str:
    """A minimal HTML page stating an error."""
    return _template("error.html").substitute(
        status=status, message=html.escape(message), version=__version__
    )


def install(app: FastAPI) -> None:
    """Add the page routes, the static files and /docs to `app`."""
    static = resources.files("reelgraph.serve").joinpath("static")
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    assets = app.state.assets
    if assets.folder is not None:
        for url, folder in VENDOR.items():
            app.mount(f"/vendor/{url}", StaticFiles(directory=assets.folder / folder), name=url)
    else:
        app.add_api_route("/vendor/{path:path}", _missing_vendor, include_in_schema=False)
    for path in PAGES:
        app.add_api_route(path, _page, response_class=HTMLResponse, include_in_schema=False)
    app.add_api_route("/docs", _docs, include_in_schema=False)
    app.add_api_route("/favicon.ico", _favicon, include_in_schema=False)


def _missing_assets(request: Request) -> HTMLResponse | None:
    problem = request.app.state.assets.problem
    return HTMLResponse(error_page(503, problem), status_code=503) if problem else None


def _missing_build(request: Request) -> HTMLResponse | None:
    """The 503 page saying what to do (as /api/health does) when there is no build to serve."""
    try:
        request.app.state.serve.backend()
    except BuildNotFound as exc:
        return HTMLResponse(error_page(503, str(exc)), status_code=503)
    return None


async def _page(request: Request) -> Response:
    missing = _missing_assets(request) or _missing_build(request)
    if missing is not None:
        return missing
    page = _template("page.html").substitute(version=__version__)
    return HTMLResponse(page, status_code=_page_status(request))


def _page_status(request: Request) -> int:
    """404 for the page of a movie or user the build does not have (the page still loads and
    says so), 200 otherwise."""
    data = request.app.state.serve.backend()
    movie_id = request.path_params.get("movie_id")
    if movie_id is not None and movie_id not in data.records:
        return 404
    user_id = request.path_params.get("user_id")
    if user_id is not None:
        try:
            data.user(user_id, 1)
        except UserNotFound:
            return 404
    return 200


async def _favicon() -> Response:
    return RedirectResponse("/static/favicon.svg")


async def _missing_vendor(request: Request, path: str) -> Response:
    problem = request.app.state.assets.problem
    return Response(f"/* {problem} */\n", status_code=503, media_type="text/javascript")


async def _docs(request: Request) -> Response:
    missing = _missing_assets(request)
    if missing is not None:
        return missing
    return get_swagger_ui_html(
        openapi_url=request.app.openapi_url,
        title="reelgraph API",
        swagger_js_url="/vendor/swagger-ui/swagger-ui-bundle.js",
        swagger_css_url="/vendor/swagger-ui/swagger-ui.css",
        swagger_favicon_url="/vendor/swagger-ui/favicon-32x32.png",
    )
