"""Import Whoosh for reading an index without the standard library it loads and never uses
there: a third of a cold `searchkit query`'s import time (issue 21, item 6).

The pinned whoosh-reloaded imports, at its first import, `urllib.request` (for a download
helper, `whoosh.compat.urlretrieve`: with it come http.client, email, ssl, socket, tempfile,
hashlib) and, through the `cached_property` package that `whoosh.reading` uses, `asyncio`
(with concurrent.futures, logging, subprocess); `whoosh.searching`, through `whoosh.query`,
imports `whoosh.lang.morph_en`, which compiles an English stemmer's patterns for a query
type searchkit never makes (`Variations`); `shutil` (with bz2 and lzma), `tempfile` and `random`
serve only writing, `hashlib` Whoosh's own term tables, `html` its highlighter, `calendar` its
date fields. While Whoosh is first imported, those names stand
for stand-ins (`_Deferred`) that import the real module on first use of anything in it, so
nothing Whoosh or cached_property does behaves differently:

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
import types

#: What a search imports from Whoosh (`adapter`, `store`, `ix.searcher()`, the codec).
WHOOSH_MODULES = ("whoosh.index", "whoosh.filedb.filestore", "whoosh.codec.whoosh3", "whoosh.columns",
                  "whoosh.filedb.structfile", "whoosh.searching")


class _Deferred(types.ModuleType):
    """Stands for the module of the same name: its own attributes, and anything else read
    from the real module, imported then."""

    def __getattr__(self, name: str):
        if name.startswith("__"):  # the import system asks for __path__, __spec__...: a plain module
            raise AttributeError(name)
        return getattr(_real(self.__name__), name)


def _real(name: str) -> types.ModuleType:
    """The real module `name`, imported now if a stand-in holds its place."""
    if isinstance(sys.modules.get(name), _Deferred):
        del sys.modules[name]
    return importlib.import_module(name)


#: The modules Whoosh imports (and cached_property, asyncio: below) that a search never uses,
#: each with the names Whoosh imports from it (`from shutil import copyfileobj`): those are
#: functions that import the real module when called. Whoosh reads the others' attributes
#: only inside functions that write an index or download.
DEFERRED = {"urllib.request": ("urlretrieve",), "whoosh.lang.morph_en": ("variations",),
            "shutil": ("copyfileobj",), "tempfile": (), "random": (), "hashlib": ("md5",),
            "html": ("escape",), "calendar": ()}


def _deferred_function(module: str, name: str):
    """`module.name`, a function, imported when called."""
    def call(*args, **kwargs):
        return getattr(_real(module), name)(*args, **kwargs)

    call.__name__ = call.__qualname__ = name
    call.__doc__ = f"`{module}.{name}`, imported when first called."
    return call


def _iscoroutinefunction(func) -> bool:
    """`asyncio.iscoroutinefunction`, without importing asyncio to ask it."""
    loaded = sys.modules.get("asyncio")
    if loaded is not None and not isinstance(loaded, _Deferred):
        return loaded.iscoroutinefunction(func)
    import inspect  # asyncio's marker (`_is_coroutine`) exists only once asyncio is imported

    return inspect.iscoroutinefunction(func)


def _stand_ins() -> dict[str, _Deferred]:
    """Stand-ins for the heavy modules Whoosh would import now (none already imported)."""
    stand_ins = {}
    for module, names in DEFERRED.items():
        if module not in sys.modules:
            stand_ins[module] = _Deferred(module)
            for name in names:
                setattr(stand_ins[module], name, _deferred_function(module, name))
    if "cached_property" not in sys.modules and "asyncio" not in sys.modules:
        stand_ins["asyncio"] = _Deferred("asyncio")
        stand_ins["asyncio"].iscoroutinefunction = _iscoroutinefunction
    return stand_ins


def import_whoosh() -> None:
    """Import the Whoosh modules a search reads an index with (once per process; nothing
    happens when Whoosh is imported already, whoever imported it). tests/test_lazy_imports.py
    shows what a fresh process holds after it."""
    if "whoosh.index" in sys.modules:
        return
    import urllib  # noqa: F401 - the package (tiny): a stand-in's parent must be the real one
    import whoosh.lang  # noqa: F401 - (empty)

    stand_ins = _stand_ins()
    sys.modules.update(stand_ins)
    try:
        import cached_property  # noqa: F401 - the one that imports asyncio

        for name in WHOOSH_MODULES:
            importlib.import_module(name)
    finally:
        for name, stand_in in stand_ins.items():
            if sys.modules.get(name) is stand_in:
                del sys.modules[name]
            parent, _, child = name.rpartition(".")
            if parent in sys.modules and getattr(sys.modules[parent], child, None) is stand_in:
                delattr(sys.modules[parent], child)
