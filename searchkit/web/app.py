"""The ASGI application: the JSON API and the HTML pages over one shared `SearchEngine`.

Routes hold no search logic: they check parameters (`params.py`), call the engine's public
API and render its `Results`. Engine calls run in a worker thread, one at a time in the
order they came (`Searches`): the engine serialises them anyway, and a first-come queue
keeps the slowest answers close to the others, where threads racing for the engine's lock
let an unlucky request wait many turns.
"""

from __future__ import annotations

import os
from functools import partial
from pathlib import Path
from urllib.parse import quote

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from searchkit import __version__
from searchkit.engine import SearchEngine
from searchkit.errors import IndexBusyError, IndexFormatError, IndexNotFoundError, QueryError, SearchkitError
from searchkit.web.markup import mark, vietnamese_date
from searchkit.web.openapi import description
from searchkit.web.params import MAX_QUERY_CHARS, SearchRequest
from searchkit.web.safety import SecurityHeaders
from searchkit.web.views import results_view

HERE = Path(__file__).resolve().parent
#: Where `searchkit serve` tells worker processes which index to open.
INDEX_VARIABLE = "SEARCHKIT_INDEX"
#: Stored fields the article API leaves out: where the file was on the server.
PRIVATE_FIELDS = ("path",)


def create_app(index: str | os.PathLike | None = None, *, engine: SearchEngine | None = None,
               in_turn: bool = True) -> Starlette:
    """The web application over the index at `index` (default: $SEARCHKIT_INDEX, else `index`).
    `in_turn=False` lets engine calls run in parallel threads: only for an `engine` object that
    gains from it (bench/serve_apps.py measures one SearchEngine per thread that way).

    >>> app = create_app("index")  # then: uvicorn.run(app), or searchkit serve
    """
    engine = engine or SearchEngine(index or os.environ.get(INDEX_VARIABLE, "index"))
    searches = Searches(engine, in_turn)
    pages = Pages(searches, _templates())
    api = Api(searches)
    routes = [
        Route("/", pages.search, name="search"),
        Route("/articles/{id:path}", pages.article, name="article"),
        Route("/api/search", api.search),
        Route("/api/articles/{id:path}", api.article),
        Route("/api/stats", api.stats),
        Route("/healthz", api.health),
        Route("/openapi.json", api.openapi),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    handlers = {HTTPException: pages.http_error, Exception: pages.server_error}
    app = Starlette(routes=routes, exception_handlers=handlers, lifespan=_warmed(engine))
    app.add_middleware(SecurityHeaders)
    app.state.engine = engine
    return app


def app_from_environment() -> Starlette:
    """The factory uvicorn's worker processes call (`searchkit serve --workers N`)."""
    return create_app()


def _warmed(engine: SearchEngine):
    """Lifespan: one search before the first request, so no user waits for the imports,
    the abbreviation table and the first searcher (about 0.2 s on the 16k index)."""
    from contextlib import asynccontextmanager

    @asynccontextmanager
    async def lifespan(app):
        try:
            engine.search("thông tin", limit=1)
        except SearchkitError:  # no index yet: the requests will say so
            pass
        yield

    return lifespan


def _templates() -> Jinja2Templates:
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    environment = Environment(loader=FileSystemLoader(HERE / "templates"),
                              autoescape=select_autoescape(default=True), trim_blocks=True, lstrip_blocks=True)
    environment.globals.update(mark=mark, article_href=article_href, version=__version__)
    environment.filters["vietnamese_date"] = vietnamese_date
    return Jinja2Templates(env=environment)


def status_for(error: SearchkitError) -> int:
    """HTTP status of a library error: the user's query (400) or the server's index or
    backend (503: a cluster whose nodes do not answer is unavailable, not broken)."""
    if isinstance(error, QueryError):
        return 400
    from searchkit.backends import BackendUnavailableError

    if isinstance(error, (IndexNotFoundError, IndexFormatError, IndexBusyError, BackendUnavailableError)):
        return 503
    return 500


def error_json(status: int, kind: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"status": status, "type": kind, "message": message}}, status_code=status)


def article_href(id: str, query: str | None = None) -> str:
    """Link to an article's page; the id is one path segment whatever it holds ('/', '?')."""
    return f"/articles/{quote(id, safe='')}" + (f"?q={quote(query, safe='')}" if query else "")


def safe_url(url: str | None) -> str | None:
    """An article's link only when it is http(s): a `javascript:` URL must never become a link."""
    return url if url and url.strip().lower().startswith(("http://", "https://")) else None


class Searches:
    """The engine's calls, each in a worker thread; the ones that take the engine's lock run
    one at a time, first come first served (anyio's capacity limiter queues in order)."""

    def __init__(self, engine: SearchEngine, in_turn: bool = True):
        self.engine, self.in_turn = engine, in_turn
        self._queue = None  # made in the event loop that uses it

    async def run(self, method: str, *args, in_turn: bool = True, **kwargs):
        import anyio

        in_turn = in_turn and self.in_turn
        if in_turn and self._queue is None:
            self._queue = anyio.CapacityLimiter(1)
        call = partial(getattr(self.engine, method), *args, **kwargs)
        return await anyio.to_thread.run_sync(call, limiter=self._queue if in_turn else None)


class Api:
    """The JSON endpoints."""

    def __init__(self, searches: Searches):
        self.searches = searches

    async def search(self, request: Request) -> Response:
        try:
            checked = SearchRequest.parse(request.query_params)
            results = await self.searches.run("search", checked.q, **checked.engine_options())
        except SearchkitError as error:
            return error_json(status_for(error), type(error).__name__, str(error))
        return JSONResponse({**results.to_dict(), "offset": checked.offset, "limit": checked.limit})

    async def article(self, request: Request) -> Response:
        try:
            found = await self.searches.run("article", request.path_params["id"])
        except SearchkitError as error:
            return error_json(status_for(error), type(error).__name__, str(error))
        if found is None:
            return error_json(404, "NotFound", f"no article with id {request.path_params['id']!r} in the index")
        return JSONResponse({k: v for k, v in found.items() if k not in PRIVATE_FIELDS})

    async def stats(self, request: Request) -> Response:
        try:
            info = await self.searches.run("stats", in_turn=False)
        except SearchkitError as error:
            return error_json(status_for(error), type(error).__name__, str(error))
        return JSONResponse({k: v for k, v in info.items() if k != "index"})

    async def health(self, request: Request) -> Response:
        try:
            return JSONResponse({"status": "ok", "articles": await self.searches.run("count", in_turn=False)})
        except SearchkitError as error:
            return error_json(status_for(error), type(error).__name__, str(error))

    def openapi(self, request: Request) -> Response:
        return JSONResponse(description(__version__))


class Pages:
    """The HTML pages: search (with filters, facets, pages) and one article."""

    def __init__(self, searches: Searches, templates: Jinja2Templates):
        self.searches, self.templates = searches, templates

    async def search(self, request: Request) -> Response:
        typed = SearchRequest(q=request.query_params.get("q", "")[:MAX_QUERY_CHARS])  # for the form
        try:
            checked = SearchRequest.parse(request.query_params, facets=True)
            if not checked.q.strip():
                articles = await self.searches.run("count", in_turn=False)
                return self._render(request, "search.html", {"search": checked, "articles": articles})
            results = await self.searches.run("search", checked.q, **checked.engine_options())
        except SearchkitError as error:
            return self._error(request, status_for(error), error, typed)
        return self._render(request, "search.html", {"search": checked, **results_view(checked, results)})

    async def article(self, request: Request) -> Response:
        query = request.query_params.get("q", "")[:MAX_QUERY_CHARS]
        search = SearchRequest(q=query)
        try:
            found = await self.searches.run("article", request.path_params["id"])
        except SearchkitError as error:
            return self._error(request, status_for(error), error, search)
        if found is None:
            return self._error(request, 404, None, search)
        marks = await self._marks(query)
        title = mark(found["title"], marks[0].spans(found["title"]) if marks else ())
        paragraphs = [(text, marks[1].spans(text) if marks else []) for text in found["body"].split("\n")
                      if text.strip()]  # per paragraph: a span never runs across a line break
        context = {"search": search, "article": found, "title": title, "url": safe_url(found.get("url")),
                   "paragraphs": [(mark(text, spans), bool(spans)) for text, spans in paragraphs],
                   "first_match": next((i for i, (_, spans) in enumerate(paragraphs) if spans), None),
                   "matches": sum(len(spans) for _, spans in paragraphs)}
        return self._render(request, "article.html", context)

    async def _marks(self, query: str):
        """The search's own highlighting of `query` (None for no or a useless query): the
        article page marks what the results page marked."""
        if not query.strip():
            return None
        try:
            return await self.searches.run("highlighting", query)
        except SearchkitError:
            return None

    def http_error(self, request: Request, error: HTTPException) -> Response:
        if request.url.path.startswith("/api/"):
            return error_json(error.status_code, "HTTPError", str(error.detail))
        return self._error(request, error.status_code, None, SearchRequest(q=""))

    def server_error(self, request: Request, error: Exception) -> Response:
        if request.url.path.startswith("/api/"):
            return error_json(500, "InternalError", "the server failed on this request; see its log")
        return self._error(request, 500, None, SearchRequest(q=""))

    def _error(self, request: Request, status: int, error: SearchkitError | None, search: SearchRequest) -> Response:
        context = {"search": search, "status": status, "detail": str(error) if error else None}
        return self._render(request, "error.html", context, status)

    def _render(self, request: Request, name: str, context: dict, status: int = 200) -> Response:
        return self.templates.TemplateResponse(request, name, context, status_code=status)
