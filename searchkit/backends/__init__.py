"""Where the articles live: the stores behind `SearchEngine`, chosen by the URL's scheme.

Each store is one module implementing `searching.backend.Backend`, registered here by scheme:

======================  =====================================  ==============================
location                store                                  module
======================  =====================================  ==============================
``index`` (a folder)    the local index                        `backends.local`
``typesense://KEY@HOST:PORT[,…]/COLLECTION``  a Typesense cluster  `backends.typesense`
``memory://NAME``       articles in this process (tests)       `backends.memory`
======================  =====================================  ==============================

A URL is given to `SearchEngine("typesense://…")`, `SearchEngine(path, backend=…)`,
`--backend` or $SEARCHKIT_BACKEND (read here only). searchkit still reads the corpus,
analyses Vietnamese and understands the query; the store keeps the analysed articles and
finds candidates (see docs/architecture.md; a new store is one module and one line below).

>>> parse_backend_url("typesense://k@127.0.0.1:8108,127.0.0.1:8109/news").nodes
(('127.0.0.1', 8108), ('127.0.0.1', 8109))
>>> scheme_of("memory://tests"), scheme_of("index")
('memory', '')
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from searchkit.backends.url import (
    BACKEND_VARIABLE,
    EXAMPLE,
    BackendError,
    BackendUnavailableError,
    BackendURL,
    parse_backend_url,
)

if TYPE_CHECKING:
    from searchkit.searching.backend import Backend

__all__ = ["BACKEND_VARIABLE", "BackendError", "BackendUnavailableError", "BackendURL", "SCHEMES",
           "open_backend", "parse_backend_url", "scheme_of"]


def _local(location: str) -> Backend:
    from searchkit.backends.local import LocalIndex

    return LocalIndex(Path(location))


def _typesense(location: str) -> Backend:
    from searchkit.backends.typesense import TypesenseBackend

    return TypesenseBackend(parse_backend_url(location))


def _memory(location: str) -> Backend:
    from searchkit.backends.memory import MemoryBackend

    return MemoryBackend.named(location)


#: Scheme -> the function opening a store at a location ('' : a local index folder).
REGISTRY: dict[str, Callable[[str], Backend]] = {"": _local, "typesense": _typesense, "memory": _memory}
SCHEMES = tuple(scheme for scheme in REGISTRY if scheme)
_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*)://")


def scheme_of(location: str) -> str:
    """The URL scheme of a location, '' for a folder."""
    match = _SCHEME.match(location.strip())
    return match.group(1) if match else ""


def choose(path: str | os.PathLike, backend: str | None) -> str:
    """The location to open: `backend` (None: $SEARCHKIT_BACKEND; '': none) before `path`."""
    if backend is None:
        backend = os.environ.get(BACKEND_VARIABLE, "")
    if not isinstance(backend, str) or not backend.strip():
        return os.fspath(path)
    if not scheme_of(backend):
        parse_backend_url(backend)  # says what a backend URL looks like
    return backend.strip()


def check_location(location: str) -> None:
    """BackendError for a URL of an unknown kind, or one its store cannot read."""
    scheme = scheme_of(location)
    if scheme not in REGISTRY:
        shown = re.sub(r"//[^@/]*@", "//…@", location.strip())  # never echo the key
        raise BackendError(kind="backend.unknown_scheme", field="backend", value=shown,
                           hint={"scheme": scheme, "schemes": tuple(s for s in REGISTRY if s), "example": EXAMPLE})
    if scheme in ("typesense",):
        parse_backend_url(location)


def open_backend(location: str) -> Backend:
    """The store at `location`: a folder, or a URL whose scheme is registered."""
    check_location(location)
    return REGISTRY[scheme_of(location)](location)
