"""The JSON of recent API searches, kept per worker and per state of the index folder.

A search's answer is a function of the checked request and of what the index folder holds:
its last commit and the did-you-mean statistics saved beside it. The answers are kept for one
such state (`commit_key`: the last commit's table of contents, by generation, inode and time,
and which of its statistics are saved) and dropped when it changes. Reading that state takes a
directory listing; while the folder's own time stamp is SETTLED_SECONDS old and unchanged (git's
racily-clean rule, as the local store's freshness check), the state found for it is reused
after one `stat`. An answer is kept only when the state was the same before and after its
search, and once the last commit's statistics are saved: until then the engine answers with the
previous ones (`backends.local`), which a kept answer would outlive. Right after a commit (a
newsroom adds articles every few seconds) answers are kept as soon as its statistics are in,
not only once the folder has settled: before, every search of the 2 s after each change ran.

Bounded by bytes and entries (least recently used first out). Only for the local index: a
remote store (Typesense) changes without a folder to watch.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from pathlib import Path
from typing import Hashable

from searchkit.backends.local import settled_stamp
from searchkit.indexing.store import newest_generation

#: Bytes of kept answers per worker process at most, and answers at most.
MAX_BYTES = 32 * 2**20
MAX_ENTRIES = 4096
#: An answer larger than this is never kept (a page of 100 long hits): it would push out many.
MAX_ANSWER_BYTES = 256 * 2**10

#: (the folder's device and inode, the last commit's generation and its table of contents'
#: inode, time and size), (its spellings saved, its pair model saved)
Stamp = tuple[tuple[int, ...], tuple[bool, bool]]


class AnswerCache:
    """Rendered answers by (request, folder stamp); see the module's docstring.

    Used from the event loop (`get`, `put`) and from the search thread (`stamp`,
    `statistics_saved`): the shared state is a stamp, the state found for the last settled
    folder stamp (replaced whole) and an OrderedDict changed only in the event loop.

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
        self._stamp: Stamp | None = None  # the state the kept answers belong to
        self._settled: tuple[tuple[int, int, int], Stamp] | None = None  # a settled folder stamp's state

    def stamp(self) -> Stamp | None:
        """The folder's state now (`commit_key`); None when it cannot be read."""
        if self.folder is None or not self.max_entries:
            return None
        settled = settled_stamp(self.folder)
        known = self._settled
        if settled is not None and known is not None and known[0] == settled:
            return known[1]  # unchanged since a listing made once it had settled
        state = commit_key(self.folder)
        if settled is not None and state is not None:
            self._settled = (settled, state)
        return state

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
        if stamp is None or len(answer) > MAX_ANSWER_BYTES or not self.statistics_saved(stamp):
            return False
        if stamp != self._stamp:
            self._drop(stamp)
        old = self._answers.pop(key, None)
        self.size += len(answer) - (len(old) if old is not None else 0)
        self._answers[key] = answer
        while self._answers and (self.size > self.max_bytes or len(self._answers) > self.max_entries):
            self.size -= len(self._answers.popitem(last=False)[1])
        return True

    @staticmethod
    def statistics_saved(stamp: Stamp | None) -> bool:
        """Whether the state's last commit has its did-you-mean statistics in the folder."""
        return stamp is not None and all(stamp[1])

    def _drop(self, stamp: Stamp | None) -> None:
        self._answers.clear()
        self.size, self._stamp = 0, stamp


def commit_key(folder: Path) -> Stamp | None:
    """What identifies the index folder's state for a search (see the module's docstring):
    one listing and two `stat` calls; None when there is no commit or the folder cannot be
    read. A commit writes a table of contents of a new generation (a new file: a new inode
    and time), so two commits within one tick of the clock still differ; a folder replaced by
    another (a rebuild elsewhere, moved in) differs by its own inode.

    >>> commit_key(Path("/nonexistent")) is None
    True
    """
    from searchkit.searching.suggest import pairs_file, spellings_file

    try:
        names = set(os.listdir(folder))
        generation = newest_generation(names)
        if generation is None:
            return None
        where, toc = os.stat(folder), os.stat(folder / f"_MAIN_{generation}.toc")
    except OSError:  # a folder being rewritten: keep nothing now, the search says more
        return None
    saved = (spellings_file(generation) in names, pairs_file(generation) in names)
    return (where.st_dev, where.st_ino, generation, toc.st_ino, toc.st_mtime_ns, toc.st_size), saved
