"""The JSON of recent API searches, kept per worker and per state of the index folder.

A search's answer is a function of the checked request and of what the index folder holds:
its last commit and the did-you-mean statistics saved beside it. Every commit, and every
statistic a writer saves, adds a file to the folder and so changes the folder's time stamp;
the answers are kept for one stamp and dropped when it changes. A stamp is trusted only once
it is SETTLED_SECONDS old (git's racily-clean rule, as the local store's own freshness check:
two changes within one tick of the file system's clock would show one stamp); meanwhile
nothing is kept or served from here. An answer is kept only when the stamp was the same before
and after its search, and once the last commit's statistics are saved: until then the engine
answers with the previous ones (`backends.local`), which a kept answer would outlive.

Bounded by bytes and entries (least recently used first out). Only for the local index: a
remote store (Typesense) changes without a folder to watch.
"""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path
from typing import Hashable

from searchkit.backends.local import settled_stamp

#: Bytes of kept answers per worker process at most, and answers at most.
MAX_BYTES = 32 * 2**20
MAX_ENTRIES = 4096
#: An answer larger than this is never kept (a page of 100 long hits): it would push out many.
MAX_ANSWER_BYTES = 256 * 2**10

Stamp = tuple[int, int, int]


class AnswerCache:
    """Rendered answers by (request, folder stamp); see the module's docstring.

    Used from the event loop (`get`, `put`) and from the search thread (`stamp`,
    `statistics_saved`): the shared state is a stamp and an OrderedDict changed only in
    the event loop.

    >>> cache = AnswerCache(None)  # no folder: never keeps anything
    >>> cache.put(("trạm BTS",), None, b"{}"), cache.get(("trạm BTS",))
    (False, None)
    """

    def __init__(self, folder: Path | None, max_bytes: int = MAX_BYTES, max_entries: int = MAX_ENTRIES):
        self.folder = folder
        self.max_bytes, self.max_entries = max_bytes, max_entries
        self.size = 0
        self.hits = self.misses = 0
        self._answers: OrderedDict[Hashable, bytes] = OrderedDict()
        self._stamp: Stamp | None = None  # the stamp the kept answers belong to
        self._checked: tuple[Stamp, bool] | None = None  # whether a stamp's statistics are saved

    def stamp(self) -> Stamp | None:
        return settled_stamp(self.folder) if self.folder is not None and self.max_entries else None

    def get(self, key: Hashable) -> bytes | None:
        """The kept answer for `key` under the folder's current stamp, or None."""
        stamp = self.stamp()
        if stamp != self._stamp:
            self._drop(stamp)
        answer = self._answers.get(key) if stamp is not None else None
        if answer is None:
            self.misses += 1
            return None
        self._answers.move_to_end(key)
        self.hits += 1
        return answer

    def put(self, key: Hashable, stamp: Stamp | None, answer: bytes) -> bool:
        """Keep `answer`, searched under `stamp` (the same before and after the search, else
        None); False when it is not kept."""
        if stamp is None or len(answer) > MAX_ANSWER_BYTES or self._checked != (stamp, True):
            return False
        if stamp != self._stamp:
            self._drop(stamp)
        old = self._answers.pop(key, None)
        self.size += len(answer) - (len(old) if old is not None else 0)
        self._answers[key] = answer
        while self._answers and (self.size > self.max_bytes or len(self._answers) > self.max_entries):
            self.size -= len(self._answers.popitem(last=False)[1])
        return True

    def statistics_saved(self, stamp: Stamp | None) -> bool:
        """Whether the last commit's did-you-mean statistics are in the folder (checked once a
        stamp; blocking I/O: call it from the search thread)."""
        if stamp is None:
            return False
        if self._checked is None or self._checked[0] != stamp:
            self._checked = (stamp, _statistics_saved(self.folder))
        return self._checked[1]

    def _drop(self, stamp: Stamp | None) -> None:
        self._answers.clear()
        self.size, self._stamp = 0, stamp


def _statistics_saved(folder: Path) -> bool:
    from searchkit.indexing.store import open_index
    from searchkit.searching.suggest import CACHE_PREFIX, PAIRS_PREFIX

    try:
        generation = open_index(folder).latest_generation()
    except Exception:  # noqa: BLE001 - a folder being rewritten: keep nothing now, the search says more
        return False
    return all((folder / f"{prefix}{generation}{suffix}").exists()
               for prefix, suffix in ((CACHE_PREFIX, ".json"), (PAIRS_PREFIX, ".npz")))
