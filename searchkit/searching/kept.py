"""Values made from a key, kept by it between searches: least recently used first out.

What outlives a commit without being a function of it (docs/architecture.md): a hit's marks
(`snippet_cache`, by article text and what the query marks), a hit's stored fields
(`backends/local.StoredFields`, by segment and document number).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Callable, Generic, Hashable, TypeVar

V = TypeVar("V")


class KeptValues(Generic[V]):
    """`make()`'s value for a key, kept under it (at most `max_entries`); shared by the
    threads of a process. None is never kept: it is made again.

    >>> kept = KeptValues(max_entries=1)
    >>> kept.get(("bai-1", "h"), lambda: "trạm BTS"), kept.get(("bai-1", "h"), lambda: 1 / 0)
    ('trạm BTS', 'trạm BTS')
    >>> kept.get(("bai-2", "h"), lambda: "Đắk Nông"), kept.get(("bai-1", "h"), lambda: "again")
    ('Đắk Nông', 'again')
    """

    def __init__(self, max_entries: int):
        self.max_entries = max_entries
        self.hits = self.misses = 0
        self._kept: OrderedDict[Hashable, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable | None, make: Callable[[], V]) -> V:
        """The value kept for `key`, else `make()` (kept unless `key` or it is None)."""
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
        if made is not None:
            with self._lock:
                self._kept[key] = made
                while len(self._kept) > self.max_entries:
                    self._kept.popitem(last=False)
        return made

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()
