"""The other servers `bench/serve.py` loads, on the same stack as `searchkit serve`
(Starlette under uvicorn, `--workers`), each an app factory uvicorn calls in every worker:

- `fts5_app`: the peer row, a minimal `/api/search` over SQLite FTS5, the query handled as
  `peers.Fts5Engine` does (every piece quoted; AND, then OR to fill), one connection per
  thread, the database in WAL mode so that the writer never blocks readers.
- `per_thread_app`: searchkit's own app with one `SearchEngine` per server thread, searching in
  parallel threads, instead of one shared engine whose searches take turns: the alternative
  design, measured.

Configured by environment: FTS5_DB, SEARCHKIT_INDEX.
"""

from __future__ import annotations

import os
import threading

from peers import Fts5Engine
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


def fts5_app() -> Starlette:
    local = threading.local()
    path = os.environ["FTS5_DB"]

    def engine() -> Fts5Engine:
        if not hasattr(local, "engine"):
            local.engine = Fts5Engine(path)
            local.engine._conn().execute("PRAGMA busy_timeout = 5000")
        return local.engine

    def search(request: Request) -> JSONResponse:
        query = request.query_params.get("q", "")[:500]
        limit = max(1, min(int(request.query_params.get("limit", "10")), 100))
        found = engine()
        ids = found.search(query, limit=limit, snippets=True)
        hits = [{"id": id, "snippet": snippet} for id, snippet in zip(ids, found.last_snippets)]
        return JSONResponse({"query": query, "hits": hits})

    def health(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    return Starlette(routes=[Route("/api/search", search), Route("/healthz", health)])


class PerThreadEngine:
    """`SearchEngine`'s public API with one engine (searcher, decoded arrays) per thread."""

    def __init__(self, path: str):
        self.path, self._local = path, threading.local()

    def _engine(self):
        from searchkit import SearchEngine

        if not hasattr(self._local, "engine"):
            self._local.engine = SearchEngine(self.path)
        return self._local.engine

    def search(self, *args, **kwargs):
        return self._engine().search(*args, **kwargs)

    def article(self, id):
        return self._engine().article(id)

    def count(self):
        return self._engine().count()

    def stats(self):
        return self._engine().stats()


def per_thread_app() -> Starlette:
    from searchkit.web import create_app

    return create_app(engine=PerThreadEngine(os.environ["SEARCHKIT_INDEX"]), in_turn=False)
