"""The ASGI application: the JSON API and the HTML pages over one shared `SearchEngine`.

Routes hold no search logic: they check parameters (`params.py`), call the engine's public
API and render its `Results`. Engine calls run in a worker thread, one at a time in the
order they came (`Searches`): the engine serialises them anyway, and a first-come queue
keeps the slowest answers close to the others, where threads racing for the engine's lock
let an unlucky request wait many turns. A search whose client has gone is dropped when it
comes next in turn. The API's answers are kept per state of the index folder
(`cache.AnswerCache`): a repeated search is answered without a turn.
"""

from __future__ import annotations

import dataclasses
import os
import threading
import time
from functools import partial
from pathlib import Path
from urllib.parse import quote

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from searchkit import __version__
from searchkit.engine import SearchEngine
from searchkit.models import heading
from searchkit.errors import SearchkitError
from searchkit.web.cache import MAX_BYTES, AnswerCache
from searchkit.web.errors import api_error, status_for, web_error
from searchkit.web.markup import mark, translator, vietnamese_date
from searchkit.web.openapi import description, readable
from searchkit.web.params import MAX_QUERY_CHARS, SearchRequest, language_of
from searchkit.web.safety import SecurityHeaders
from searchkit.web.views import date_input, filter_examples, last_offset, number, results_view, took

HERE = Path(__file__).resolve().parent
#: Where `searchkit serve` tells worker processes which index to open.
INDEX_VARIABLE = "SEARCHKIT_INDEX"
#: Stored fields the article API leaves out: where the file was on the server.
PRIVATE_FIELDS = ("path",)
#: Seconds a request may take, its wait for its turn included (`searchkit serve --timeout`).
TIME_LIMIT = 10.0
#: Searches waiting for their turn in one worker, at most; more are answered 503 at once.
MAX_WAITING = 100
#: Completions per request at most (`/api/suggest?limit=`), and by default.
MAX_SUGGESTIONS, DEFAULT_SUGGESTIONS = 20, 8


def create_app(index: str | os.PathLike | None = None, *, engine: SearchEngine | None = None,
               in_turn: bool = True, time_limit: float = TIME_LIMIT, security_headers: bool = True,
               cache_bytes: int = MAX_BYTES, shared: str | os.PathLike | None = None) -> Starlette:
    """The web application over the index at `index` (default: $SEARCHKIT_INDEX, else `index`).
    `in_turn=False` lets engine calls run in parallel threads: only for an `engine` object that
    gains from it (bench/serve_apps.py measures one SearchEngine per thread that way).
    `time_limit`: seconds a request may take before it is answered 503 (see `Searches`).
    `security_headers=False` when the server adds them itself (`searchkit serve` does, to
    its own error responses too: see web/server.py). `cache_bytes`: the API's kept answers
    at most (`cache.AnswerCache`; 0: none); `shared`: the folder the workers of one server
    share (`searchkit serve` makes it): the commits they answer from, so that each answers
    from a commit once it is published with its statistics, in step with the others
    (`LocalIndex.publish_with_statistics`), and their kept answers (`cache.SharedAnswers`).

    >>> app = create_app("index")  # then: uvicorn.run(app), or searchkit serve
    """
    engine = engine or SearchEngine(index or os.environ.get(INDEX_VARIABLE, "index"))
    searches = Searches(engine, in_turn, time_limit)
    pages = Pages(searches, _templates())
    index_folder = _folder(engine)
    if index_folder is not None and shared:  # a commit answered from with its statistics, every worker in step
        engine.backend.publish_with_statistics(Path(shared))
    if index_folder is not None:  # a commit's completion table built aside, the one before answering meanwhile
        engine.backend.complete_in_background()
    folder = index_folder if cache_bytes > 0 else None
    answers = AnswerCache(folder, max_bytes=cache_bytes, shared=Path(shared) if shared else None,
                          held=engine.backend.holds_previous if folder is not None else None)
    api = Api(searches, answers)
    routes = [
        Route("/", pages.search, name="search"),
        Route("/articles/{id:path}", pages.article, name="article"),
        Route("/api/search", api.search),
        Route("/api/articles/{id:path}", api.article),
        Route("/api/suggest", api.suggest),
        Route("/api/stats", api.stats),
        Route("/healthz", api.health),
        Route("/openapi.json", api.openapi),
        Route("/docs", pages.docs, name="docs"),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    handlers = {HTTPException: pages.http_error, ClientGone: _nobody, Exception: pages.server_error}
    app = Starlette(routes=routes, exception_handlers=handlers, lifespan=_warmed(engine, answers))
    if security_headers:
        app.add_middleware(SecurityHeaders)
    app.state.engine = engine
    return app


def _folder(engine) -> Path | None:
    """The local index's folder, whose state the kept answers follow; None for other stores."""
    backend = getattr(engine, "backend", None)
    return Path(backend.path) if getattr(backend, "name", "") == "local" else None


def app_from_environment() -> Starlette:
    """The factory uvicorn's worker processes call (`searchkit serve --workers N`)."""
    return create_app()


def _warmed(engine: SearchEngine, answers: AnswerCache | None = None):
    """Lifespan: one search before the first request, so no user waits for the imports,
    the abbreviation table, the first searcher and the facets' tables the search page reads
    (about 0.2 s on the 16k index, 0.5 s at 16 times the corpus); at the end, the kept answers'
    use in the log (bench/serve.py reports it)."""
    from contextlib import asynccontextmanager

    @asynccontextmanager
    async def lifespan(app):
        try:
            engine.search("thông tin", limit=1, facets=True)
            engine.complete("t", limit=1)  # the completion table: about a second on 16k articles
        except SearchkitError:  # no index yet: the requests will say so
            pass
        yield
        if answers is not None and answers.folder is not None:
            import logging

            logging.getLogger("uvicorn.error").info(
                "answer cache: %d hits, %d misses; %d of the hits from other workers, %d of the misses found "
                "meanwhile (searched by another request while they waited)", answers.hits, answers.misses,
                answers.shared_hits, answers.meanwhile)

    return lifespan


def _templates() -> Jinja2Templates:
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    environment = Environment(loader=FileSystemLoader(HERE / "templates"),
                              autoescape=select_autoescape(default=True), trim_blocks=True, lstrip_blocks=True)
    environment.globals.update(mark=mark, article_href=article_href, version=__version__)
    environment.filters["vietnamese_date"] = vietnamese_date
    environment.filters["number"] = number
    return Jinja2Templates(env=environment)


def error_json(status: int, kind: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"status": status, "type": kind, "message": message}}, status_code=status)


def article_href(id: str, query: str | None = None, keep: str = "") -> str:
    """Link to an article's page; the id is one path segment whatever it holds ('/', '?');
    `keep`: more of the query string (`lang=en`)."""
    parameters = "&".join(p for p in (f"q={quote(query, safe='')}" if query else "", keep) if p)
    return f"/articles/{quote(id, safe='')}" + (f"?{parameters}" if parameters else "")


def safe_url(url: str | None) -> str | None:
    """An article's link only when it is http(s): a `javascript:` URL must never become a link."""
    return url if url and url.strip().lower().startswith(("http://", "https://")) else None


class ClientGone(Exception):
    """The client closed its connection before its search's turn came: the search is skipped."""


def _nobody(request: Request, error: ClientGone) -> Response:
    return Response(status_code=499)  # nobody reads it: the connection is closed


class ServerBusyError(SearchkitError):
    """The server could not answer in time: the search ran past the time limit, or too many
    searches were waiting already. Not the request's fault: try again (HTTP 503)."""

    exit_code = 4
    http_status = 503


#: A search with more prefixes (`th*`) than this, or more words, is costly (see `Searches`).
COSTLY_PREFIXES, COSTLY_WORDS = 2, 40


def costly(method: str, args: tuple) -> bool:
    """Whether an engine call is a costly search: many prefixes or a long paragraph.

    >>> costly("search", ("th* l* đ* T*",)), costly("search", ("trạm BTS",)), costly("count", ())
    (True, False, False)
    """
    query = args[0] if method == "search" and args and isinstance(args[0], str) else ""
    return query.count("*") > COSTLY_PREFIXES or len(query.split()) > COSTLY_WORDS


class Searches:
    """The engine's calls, each in a worker thread; the ones that take the engine's lock run
    one at a time, first come first served (anyio's capacity limiter queues in order).

    The next call in turn already waits in its thread for the one before to end (`_when_free`),
    so the engine goes from one search to the next at once. Handed over by the event loop
    instead, each search waited about 1.4 ms for it after a commit, while the loop answered
    kept answers by the thousand: the engine stood idle a third of the time in the wave of
    searches a commit brings, and the queue grew (`bench/serve.py`).

    Every call is bounded: past `time_limit` seconds, waiting included, it raises
    ServerBusyError and the request is answered 503 at once; the thread, which cannot be
    stopped, finishes its search (a bounded one: see searching/rewrite.py) and drops it;
    the next search waits for the engine's lock. A call whose time runs out while it waits
    in its thread for its turn never runs. A call that would be the `max_waiting`-th
    in the queue is refused the same way; calls whose clients have closed their connection
    do not count (the server would refuse the living for the dead: a client that times out
    and retries leaves its first request queued), and are skipped when they come next in turn.

    Costly searches (`costly`: many prefixes, a pasted paragraph) first wait in a lane of
    their own, one at a time, so that however many of them come, the queue holds at most one
    and every other search waits behind it alone, not behind all of them.
    """

    def __init__(self, engine: SearchEngine, in_turn: bool = True, time_limit: float = TIME_LIMIT,
                 max_waiting: int = MAX_WAITING):
        self.engine, self.in_turn = engine, in_turn
        self.time_limit, self.max_waiting = time_limit, max_waiting
        self.waiting = 0
        self._turn = threading.Lock()  # held by the call running in turn; the next waits for it
        self._waiting_requests: set[Request] = set()  # waiting calls' requests (when given)
        self._gone_requests: set[Request] = set()  # those found closed, still waiting to be dropped
        self._queue = self._costly = None  # made in the event loop that uses them

    async def run(self, method: str, *args, in_turn: bool = True, request: Request | None = None, **kwargs):
        """`engine.method(*args, **kwargs)` in a thread (see the class); with `request`, skipped
        (ClientGone) when its client has gone before its turn."""
        call = partial(getattr(self.engine, method), *args, **kwargs)
        return await self.call(call, in_turn=in_turn, request=request, costly=costly(method, args))

    async def call(self, call, *, in_turn: bool = True, request: Request | None = None, costly: bool = False):
        """`call()` in a thread, in turn unless `in_turn=False`; `costly`: in the costly lane."""
        import anyio

        in_turn = in_turn and self.in_turn
        if in_turn and self._queue is None:  # the call running and the next, waiting in its thread
            self._queue, self._costly = anyio.CapacityLimiter(2), anyio.CapacityLimiter(1)
        if in_turn and self.waiting >= self.max_waiting and await self._live_waiting() >= self.max_waiting:
            raise ServerBusyError(kind="server.busy", hint={"waiting": self.waiting})
        self.waiting += in_turn
        if in_turn and request is not None:
            self._waiting_requests.add(request)
        try:
            with anyio.fail_after(self.time_limit):
                if not in_turn:
                    return await anyio.to_thread.run_sync(call, abandon_on_cancel=True)
                if costly:
                    async with self._costly:
                        return await self._in_turn(call, request)
                return await self._in_turn(call, request)
        except TimeoutError:
            raise ServerBusyError(kind="server.timeout", hint={"seconds": self.time_limit}) from None
        finally:
            self.waiting -= in_turn
            self._waiting_requests.discard(request)
            self._gone_requests.discard(request)

    async def _in_turn(self, call, request: Request | None):
        import anyio

        abandoned = threading.Event()
        async with self._queue:
            if request is not None and await request.is_disconnected():  # its client gave up
                raise ClientGone
            try:
                return await anyio.to_thread.run_sync(self._when_free, call, abandoned, abandon_on_cancel=True)
            except BaseException:  # its time ran out (or it failed): never run once abandoned
                abandoned.set()
                raise

    def _when_free(self, call, abandoned: threading.Event):
        """In the call's thread: `call()` as soon as the call before it ends; nothing when it
        was abandoned while it waited (its time ran out: its client has its 503 already)."""
        with self._turn:
            if abandoned.is_set():
                raise ClientGone
            return call()

    async def _live_waiting(self) -> int:
        """Calls waiting whose clients are still there. Asked only at the cap: the requests
        of connections closed meanwhile (a client's own timeout, then its retry) wait for
        their turn, to be dropped then, and must not crowd the living out meanwhile."""
        for request in list(self._waiting_requests):
            if await request.is_disconnected():
                self._waiting_requests.discard(request)
                self._gone_requests.add(request)
        return self.waiting - len(self._gone_requests)


class Api:
    """The JSON endpoints."""

    def __init__(self, searches: Searches, answers: AnswerCache | None = None):
        self.searches = searches
        self.answers = answers or AnswerCache(None)
        self._openapi: bytes | None = None  # the description's JSON: the same for every request

    async def search(self, request: Request) -> Response:
        """A kept answer at once, else the search in turn (kept when the index stayed still)."""
        try:
            checked = SearchRequest.parse(request.query_params)
            answer = self.answers.get(checked)
            if answer is None:
                stamp, answer = await self.searches.call(partial(self._search, checked), request=request,
                                                         costly=costly("search", (checked.q,)))
                self.answers.put(checked, stamp, answer)
        except SearchkitError as error:
            return JSONResponse(api_error(error), status_code=status_for(error))
        return Response(answer, media_type="application/json")

    def _search(self, checked: SearchRequest) -> tuple:
        """In the search's thread: its JSON, and the folder's stamp when it was the same
        before and after (see `AnswerCache.put`), else None."""
        before = self.answers.stamp()
        found = self.answers.found_meanwhile(checked, before)
        if found is not None:
            return before, found
        results = self.searches.engine.search(checked.q, **checked.engine_options())
        # rendered as every other API answer is (the bytes a kept answer repeats)
        answer = JSONResponse({**results.to_dict(), "offset": checked.offset, "limit": checked.limit}).body
        stamp = before if before is not None and self.answers.stamp() == before else None
        self.answers.share(checked, stamp, answer)
        return stamp, answer

    async def article(self, request: Request) -> Response:
        try:
            found = await self.searches.run("article", request.path_params["id"])
        except SearchkitError as error:
            return JSONResponse(api_error(error), status_code=status_for(error))
        if found is None:
            return error_json(404, "NotFound", f"no article with id {request.path_params['id']!r} in the index")
        return JSONResponse({k: v for k, v in found.items() if k not in PRIVATE_FIELDS})

    async def suggest(self, request: Request) -> Response:
        """Completions of what is typed in the search box: `{"suggestions": ["trạm BTS", …]}`."""
        typed = request.query_params.get("q", "")[:MAX_QUERY_CHARS]
        try:
            limit = SearchRequest.parse({"limit": request.query_params.get("limit") or str(DEFAULT_SUGGESTIONS)}).limit
            found = await self.searches.run("complete", typed, min(limit, MAX_SUGGESTIONS)) if typed.strip() else []
        except SearchkitError as error:
            return JSONResponse(api_error(error), status_code=status_for(error))
        return JSONResponse({"suggestions": found}, headers={"cache-control": "max-age=60"})

    async def stats(self, request: Request) -> Response:
        try:
            info = await self.searches.run("stats", in_turn=False)
        except SearchkitError as error:
            return JSONResponse(api_error(error), status_code=status_for(error))
        return JSONResponse({k: v for k, v in info.items() if k != "index"})

    async def health(self, request: Request) -> Response:
        try:
            return JSONResponse({"status": "ok", "articles": await self.searches.run("count", in_turn=False)})
        except SearchkitError as error:
            return JSONResponse(api_error(error), status_code=status_for(error))

    def openapi(self, request: Request) -> Response:
        if self._openapi is None:
            self._openapi = JSONResponse(description(__version__)).body
        return Response(self._openapi, media_type="application/json")


class Pages:
    """The HTML pages: search (with filters, facets, pages) and one article."""

    def __init__(self, searches: Searches, templates: Jinja2Templates):
        self.searches, self.templates = searches, templates
        self._api: dict | None = None  # the OpenAPI description as the docs page's rows, made once

    async def search(self, request: Request) -> Response:
        typed = SearchRequest(q=request.query_params.get("q", "")[:MAX_QUERY_CHARS],
                              lang=language_of(request.query_params))  # for the form
        try:
            checked = SearchRequest.parse(request.query_params, facets=True)
            if any(not value.strip() for value in request.query_params.values()):  # a form sent
                return RedirectResponse("/?" + checked.link() if checked.link() else "/", 303)  # without JS
            if not checked.q.strip():
                articles = await self.searches.run("count", in_turn=False)
                return self._render(request, "search.html", {"search": checked, "articles": articles})
            started = time.perf_counter()
            results = await self.searches.run("search", checked.q, request=request, **checked.engine_options())
            if not results.hits and results.total and checked.offset:  # past the last page: show it
                checked = dataclasses.replace(checked, offset=last_offset(results.total, checked.limit))
                results = await self.searches.run("search", checked.q, **checked.engine_options())
            seconds = time.perf_counter() - started
        except SearchkitError as error:
            return self._error(request, status_for(error), error, typed)
        context = {"search": checked, **results_view(checked, results), "took": took(seconds, checked.lang),
                   "examples": filter_examples(results.facets)}
        return self._render(request, "search.html", context)

    async def docs(self, request: Request) -> Response:
        """The OpenAPI description as a page: every path, parameter, response and schema."""
        search = SearchRequest(q="", lang=language_of(request.query_params))
        if self._api is None:
            self._api = readable(description(__version__))
        return self._render(request, "docs.html", {"search": search, "api": self._api})

    async def article(self, request: Request) -> Response:
        query = request.query_params.get("q", "")[:MAX_QUERY_CHARS]
        search = SearchRequest(q=query, lang=language_of(request.query_params))
        try:
            found = await self.searches.run("article", request.path_params["id"])
        except SearchkitError as error:
            return self._error(request, status_for(error), error, search)
        if found is None:
            return self._error(request, 404, None, search)
        marks = await self._marks(query)
        shown = heading(found["title"], found["body"])  # untitled: its first sentence
        title = mark(shown, marks[0].spans(shown) if marks else ())
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
        lang = "en" if request.query_params.get("lang") == "en" else "vi"
        context = {"search": search, "status": status, "detail": web_error(error, lang)[1] if error else None}
        return self._render(request, "error.html", context, status)

    def _render(self, request: Request, name: str, context: dict, status: int = 200) -> Response:
        search: SearchRequest = context.get("search") or SearchRequest(q="")
        lang = language_of(request.query_params)
        other = "en" if lang == "vi" else "vi"
        switch = request.url.include_query_params(lang=other) if other != "vi" else \
            request.url.remove_query_params("lang")
        context = {"lang": lang, "t": translator(lang), "switch": f"{switch.path}?{switch.query}".rstrip("?"),
                   "keep": f"lang={lang}" if lang != "vi" else "", "date_input": date_input, **context}
        if search.lang != lang:
            context["search"] = dataclasses.replace(search, lang=lang)
        return self.templates.TemplateResponse(request, name, context, status_code=status)
