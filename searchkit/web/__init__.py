"""searchkit's web front door: a JSON API and server-rendered search pages (Starlette).

    >>> from searchkit.web import create_app
    >>> app = create_app("index")      # an ASGI app: uvicorn.run(app), or `searchkit serve`

Imported only by `searchkit serve` and by those who ask for it: the query path never loads it.
"""

from searchkit.web.app import create_app

__all__ = ["create_app"]
