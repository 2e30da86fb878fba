"""Marked titles and snippets kept between searches, by article text and what is marked.

A hit's marks are a function of its article's text and the query's `Highlighting`: neither
changes when other articles are added. So after each commit (a newsroom adds articles every
few seconds, and every kept answer of the web server is dropped then) the same queries find
mostly the same articles again, and their snippets, a third of such a search's time, are
taken from here instead of being cut again. An article is known by its id and content hash
(an article written again has another) and the lengths of its title and body; an article
without a hash is never kept. Bounded by entries, least recently used first out; one per
process, shared by its threads.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Callable, Hashable

from searchkit.models import Snippet

#: Hits' marks kept at most (about 1-2 KB each).
MAX_ENTRIES = 4096

Marks = tuple[tuple[tuple[int, int], ...], tuple[Snippet, ...]]


class SnippetCache:
    """(title spans, snippets) by `key`; see the module's docstring.

    >>> cache = SnippetCache(max_entries=1)
    >>> cache.marks(("a", "h"), lambda: ((), ())), cache.marks(("a", "h"), lambda: 1 / 0)
    (((), ()), ((), ()))
    """

    def __init__(self, max_entries: int = MAX_ENTRIES):
        self.max_entries = max_entries
        self.hits = self.misses = 0
        self._kept: OrderedDict[Hashable, Marks] = OrderedDict()
        self._lock = threading.Lock()

    def marks(self, key: Hashable | None, make: Callable[[], Marks]) -> Marks:
        """The kept marks for `key`, else `make()` (kept unless `key` is None)."""
        if key is None:
            return make()
        with self._lock:
            kept = self._kept.get(key)
            if kept is not None:
                self._kept.move_to_end(key)
                self.hits += 1
                return kept
            self.misses += 1
        made = make()
        with self._lock:
            self._kept[key] = made
            while len(self._kept) > self.max_entries:
                self._kept.popitem(last=False)
        return made

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()


#: The process's cache (`pipeline.hit`).
KEPT = SnippetCache()
