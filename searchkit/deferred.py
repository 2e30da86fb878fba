"""Import a third-party package without the modules it imports at the top and never uses
on the way the caller takes: while the package is first imported, those names stand for
stand-ins (`Deferred`) that import the real module on first use of anything in it.

Nothing the package does behaves differently: an attribute read from a stand-in imports the
real module and reads it there, and each name the package imports from one (``from shutil
import copyfileobj``) is a function that imports the real module when called. The stand-ins
leave `sys.modules` when the import is done: any later import gets the real module. Used for
a cold `searchkit query` (issue 21, item 6: `indexing.lean_whoosh`).

While they are in place, another thread importing a submodule of one (``import asyncio.events``)
would find no package there: the command line imports Whoosh before it starts any thread, and
the web server has imported asyncio (and so is given no stand-in for it) before its first search.
"""

from __future__ import annotations

import importlib
import sys
import types
from contextlib import contextmanager
from typing import Iterator, Mapping, Sequence


class Deferred(types.ModuleType):
    """Stands for the module of the same name: its own attributes, and anything else read
    from the real module, imported then."""

    def __getattr__(self, name: str):
        if name.startswith("__"):  # the import system asks for __path__, __spec__...: a plain module
            raise AttributeError(name)
        return getattr(real(self.__name__), name)


def real(name: str) -> types.ModuleType:
    """The real module `name`, imported now if a stand-in holds its place."""
    if isinstance(sys.modules.get(name), Deferred):
        del sys.modules[name]
    return importlib.import_module(name)


def deferred_function(module: str, name: str):
    """`module.name`, a function, imported when called."""
    def call(*args, **kwargs):
        return getattr(real(module), name)(*args, **kwargs)

    call.__name__ = call.__qualname__ = name
    call.__doc__ = f"`{module}.{name}`, imported when first called."
    return call


@contextmanager
def deferring(modules: Mapping[str, Sequence[str]], stand_ins: Mapping[str, Deferred] = {}) -> Iterator[None]:
    """While the block runs, each of `modules` not imported yet is a stand-in whose listed
    names are functions (`deferred_function`); `stand_ins` are more, made by the caller."""
    held = {name: stand_in for name, stand_in in stand_ins.items() if name not in sys.modules}
    for module, names in modules.items():
        if module not in sys.modules:
            held[module] = Deferred(module)
            for name in names:
                setattr(held[module], name, deferred_function(module, name))
    sys.modules.update(held)
    try:
        yield
    finally:
        for name, stand_in in held.items():
            if sys.modules.get(name) is stand_in:
                del sys.modules[name]
            parent, _, child = name.rpartition(".")
            if parent in sys.modules and getattr(sys.modules[parent], child, None) is stand_in:
                delattr(sys.modules[parent], child)
