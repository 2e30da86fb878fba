"""Backend URLs and the errors of backends: `typesense://API_KEY@HOST:PORT[,HOST:PORT…]/COLLECTION`.

>>> parse_backend_url("typesense://k@127.0.0.1:8108,127.0.0.1:8109/news").nodes
(('127.0.0.1', 8108), ('127.0.0.1', 8109))
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import unquote

from searchkit.errors import SearchkitError

#: The environment variable a backend URL is read from when none is given (by `backends.choose` only).
BACKEND_VARIABLE = "SEARCHKIT_BACKEND"
#: Schemes whose URL names an API key, nodes and a collection (`backends.REGISTRY` lists them all).
SCHEMES = ("typesense",)
_URL = re.compile(r"^(?P<scheme>[a-z]+)://(?:(?P<key>[^@/]*)@)?(?P<nodes>[^/]*)(?:/(?P<collection>[^/?#]*))?$")
_COLLECTION = re.compile(r"^[A-Za-z0-9_\-]{1,64}$")
EXAMPLE = "typesense://API_KEY@127.0.0.1:8108/news"


class BackendError(SearchkitError):
    """A backend URL that cannot be used (bad form, unknown scheme): fix the option."""

    exit_code = 2


class BackendUnavailableError(SearchkitError):
    """The backend's nodes cannot be reached or refuse the request (down, no leader, bad key)."""

    exit_code = 6


@dataclass(frozen=True)
class BackendURL:
    """A parsed backend URL: scheme, API key, nodes (host, port) and collection. The key is
    a secret: `str`, `repr` and `to_dict` leave it out (logs, tracebacks, `stats`), only
    `api_key` itself holds it.

    >>> url = parse_backend_url("typesense://bí-mật@127.0.0.1:8108/news")
    >>> url, str(url), "bí-mật" in repr(url.to_dict())
    (BackendURL('typesense://127.0.0.1:8108/news', api_key=<hidden>), 'typesense://127.0.0.1:8108/news', False)
    """

    scheme: str
    api_key: str = field(repr=False)
    nodes: tuple[tuple[str, int], ...] = ()
    collection: str = ""

    def __str__(self) -> str:
        """The URL without its key, for messages and `stats`."""
        nodes = ",".join(f"{host}:{port}" for host, port in self.nodes)
        return f"{self.scheme}://{nodes}/{self.collection}"

    def __repr__(self) -> str:
        return f"BackendURL({str(self)!r}, api_key=<hidden>)"

    def to_dict(self) -> dict:
        return {"scheme": self.scheme, "nodes": [f"{h}:{p}" for h, p in self.nodes], "collection": self.collection}


def parse_backend_url(url: str) -> BackendURL:
    """Read a backend URL; BackendError says what is wrong and shows the form.

    >>> parse_backend_url("typesense://secret@localhost:8108/news").collection
    'news'
    >>> parse_backend_url("typesense://k@localhost/news")
    Traceback (most recent call last):
    searchkit.backends.url.BackendError: backend typesense://…@localhost/news: node 'localhost' has no port; write HOST:PORT, e.g. typesense://API_KEY@127.0.0.1:8108/news
    """
    if not isinstance(url, str) or not url.strip():
        raise BackendError(kind="backend.empty", field="backend", value=url, hint={"example": EXAMPLE})
    shown = re.sub(r"//[^@/]*@", "//…@", url.strip())  # never echo the key
    match = _URL.match(url.strip())
    if not match:
        raise BackendError(kind="backend.not_a_url", field="backend", value=shown, hint={"example": EXAMPLE})
    scheme = match.group("scheme")
    if scheme not in SCHEMES:
        raise BackendError(kind="backend.unknown_scheme", field="backend", value=shown,
                           hint={"scheme": scheme, "schemes": SCHEMES, "example": EXAMPLE})
    key = unquote(match.group("key") or "")
    if not key:
        raise BackendError(kind="backend.no_key", field="backend", value=shown, hint={"example": EXAMPLE})
    nodes = tuple(_node(part.strip(), shown) for part in match.group("nodes").split(",") if part.strip())
    if not nodes:
        raise BackendError(kind="backend.no_node", field="backend", value=shown, hint={"example": EXAMPLE})
    collection = match.group("collection") or ""
    if not _COLLECTION.match(collection):
        raise BackendError(kind="backend.bad_collection", field="backend", value=shown,
                           hint={"collection": collection, "example": EXAMPLE})
    return BackendURL(scheme, key, nodes, collection)


def _node(text: str, shown: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":") if ":" in text else (text, "", "")
    if not port:
        raise BackendError(kind="backend.no_port", field="backend", value=shown, hint={"node": text, "example": EXAMPLE})
    host = host.strip("[]")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise BackendError(kind="backend.bad_node", field="backend", value=shown, hint={"node": text})
    return host, int(port)
