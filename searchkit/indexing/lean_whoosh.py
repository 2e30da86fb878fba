"""Import Whoosh without the standard library it loads and never uses: a third of a cold
`searchkit query`'s import time (issue 21, item 6), and 24 ms of every `searchkit add`
(`indexing/schema.py` imports it so before Whoosh's writing modules, which use none of it).

The pinned whoosh-reloaded imports, at its first import, `urllib.request` (for a download
helper, `whoosh.compat.urlretrieve`: with it come http.client, email, ssl, socket, tempfile,
hashlib) and, through the `cached_property` package that `whoosh.reading` uses, `asyncio`
(with concurrent.futures, logging, subprocess); `whoosh.searching`, through `whoosh.query`,
imports `whoosh.lang.morph_en`, which compiles an English stemmer's patterns for a query
type searchkit never makes (`Variations`); `shutil` (with bz2 and lzma), `tempfile` and `random`
serve only writing, `hashlib` Whoosh's own term tables, `html` its highlighter, `calendar` its
date fields. While Whoosh is first imported, those names stand for stand-ins
(`searchkit.deferred`) that import the real module on first use of anything in it, so nothing
Whoosh or cached_property does behaves differently:

- `whoosh.compat.urlretrieve` imports urllib.request when called (`whoosh.query.terms.variations`
  whoosh.lang.morph_en, `whoosh.filedb.compound.copyfileobj` shutil: `DEFERRED`);
- cached_property asks `asyncio.iscoroutinefunction(f)` of every property it computes; until
  asyncio is imported no function can carry asyncio's coroutine marker, so that answer is
  `inspect.iscoroutinefunction(f)` (asyncio's own once it is imported: then it is asked).

The stand-ins leave `sys.modules` as soon as Whoosh is imported: any later `import asyncio`
gets the real module. Whoosh's own files are never changed.
"""

from __future__ import annotations

import importlib
import sys

from searchkit.deferred import Deferred, deferring

#: What a search imports from Whoosh (`adapter`, `store`, `ix.searcher()`, the codec).
WHOOSH_MODULES = ("whoosh.index", "whoosh.filedb.filestore", "whoosh.codec.whoosh3", "whoosh.columns",
                  "whoosh.filedb.structfile", "whoosh.searching")
#: The modules Whoosh imports (and cached_property, asyncio: below) that a search never uses,
#: each with the names Whoosh imports from it (`from shutil import copyfileobj`): those are
#: functions that import the real module when called. Whoosh reads the others' attributes
#: only inside functions that write an index or download.
DEFERRED = {"urllib.request": ("urlretrieve",), "whoosh.lang.morph_en": ("variations",),
            "shutil": ("copyfileobj",), "tempfile": (), "random": (), "hashlib": ("md5",),
            "html": ("escape",), "calendar": ()}


def _iscoroutinefunction(func) -> bool:
    """`asyncio.iscoroutinefunction`, without importing asyncio to ask it."""
    loaded = sys.modules.get("asyncio")
    if loaded is not None and not isinstance(loaded, Deferred):
        return loaded.iscoroutinefunction(func)
    import inspect  # asyncio's marker (`_is_coroutine`) exists only once asyncio is imported

    return inspect.iscoroutinefunction(func)


def import_whoosh() -> None:
    """Import the Whoosh modules a search reads an index with (once per process; nothing
    happens when Whoosh is imported already, whoever imported it). tests/test_lazy_imports.py
    shows what a fresh process holds after it."""
    if "whoosh.index" in sys.modules:
        return
    import urllib  # noqa: F401 - the package (tiny): a stand-in's parent must be the real one
    import whoosh.lang  # noqa: F401 - (empty)

    asyncio = {}
    if "cached_property" not in sys.modules:
        asyncio["asyncio"] = Deferred("asyncio")
        asyncio["asyncio"].iscoroutinefunction = _iscoroutinefunction
    with deferring(DEFERRED, asyncio):
        import cached_property  # noqa: F401 - the one that imports asyncio

        for name in WHOOSH_MODULES:
            importlib.import_module(name)
