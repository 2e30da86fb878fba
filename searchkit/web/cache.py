"""The JSON of recent API searches, kept per worker and per state of the index folder.

A search's answer is a function of the checked request and of what the index folder holds:
its last commit and the did-you-mean statistics saved beside it. The answers are kept for one
such state (`commit_key`: the last commit's table of contents, by generation, inode and time,
and which of its statistics are saved) and dropped when it changes. Reading that state takes a
directory listing; while the folder's own time stamp is SETTLED_SECONDS old and unchanged (git's
racily-clean rule, as the local store's freshness check), the state found for it is reused
after one `stat`. An answer is kept only when the state was the same before and after its
search, and once the last commit's statistics are saved: until then the engine answers with the
previous ones (`backends.local`), which a kept answer would outlive. In a server the engine
answers from the commit before until then (`LocalIndex.holds_previous`), and so do the answers
kept for it (`held`): one wave of searches a commit, not two. Right after a commit (a
newsroom adds articles every few seconds) answers are kept as soon as its statistics are in,
not only once the folder has settled: before, every search of the 2 s after each change ran.

Bounded by bytes and entries (least recently used first out). Only for the local index: a
remote store (Typesense) changes without a folder to watch.

The workers of one server also share their answers through a private folder (`SharedAnswers`):
after each commit every worker would otherwise search the same popular queries again, each
for itself, N workers doing N times the work a commit makes (bench/serve.py: 910 dev-set
queries, 4.5 s of CPU each, every 5 s, on 2 cores).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import stat
import tempfile
from collections import OrderedDict
from pathlib import Path
from typing import Callable, Hashable

from searchkit.backends.local import settled_stamp
from searchkit.indexing.store import newest_generation, still_newest, toc_name

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
    `statistics_saved`, `found_meanwhile`, `share`): the shared state is a stamp, the state
    found for the last settled folder stamp (replaced whole) and an OrderedDict changed only
    in the event loop (the search thread only reads one entry).

    >>> cache = AnswerCache(None)  # no folder: never keeps anything
    >>> cache.put(("trạm BTS",), None, b"{}"), cache.get(("trạm BTS",))
    (False, None)
    """

    def __init__(self, folder: Path | None, max_bytes: int = MAX_BYTES, max_entries: int = MAX_ENTRIES,
                 shared: Path | None = None, held: Callable[[int], int | None] | None = None):
        """`shared`: the folder this server's workers share answers through (`SharedAnswers`);
        `held`: the engine's `LocalIndex.holds_previous`, which commit it answers from while the
        last one's statistics are not saved."""
        self.folder, self.held = folder, held
        self._complete: Stamp | None = None  # the last state seen with its statistics saved
        self.max_bytes, self.max_entries = max_bytes, max_entries
        self.shared = SharedAnswers.at(shared, max_bytes) if shared is not None and folder is not None else None
        self.size = 0
        self.hits = self.misses = self.shared_hits = self.meanwhile = 0
        self._answers: OrderedDict[Hashable, bytes] = OrderedDict()
        self._just_searched: tuple = (None, None, None)  # (stamp, key, answer) of the last search
        self._stamp: Stamp | None = None  # the state the kept answers belong to
        self._settled: tuple[tuple[int, int, int], Stamp] | None = None  # a settled folder stamp's state
        self._seen: Stamp | None = None  # the state found last, settled or not (`commit_key`'s `known`)

    def stamp(self) -> Stamp | None:
        """The folder's state now (`commit_key`); None when it cannot be read."""
        if self.folder is None or not self.max_entries:
            return None
        settled = settled_stamp(self.folder)
        known = self._settled
        if settled is not None and known is not None and known[0] == settled:
            state = known[1]  # unchanged since a listing made once it had settled
        else:
            state = self._seen = commit_key(self.folder, self._seen)
            if settled is not None and state is not None:
                self._settled = (settled, state)
        return self._published(state)

    def _published(self, state: Stamp | None) -> Stamp | None:
        """The state the engine answers from: the last commit's, or, while its statistics are
        not saved, the commit before it that the engine holds (asked each time: it stops
        holding it when they are saved or its grace runs out, with no change to the folder)."""
        if state is None or self.statistics_saved(state):
            self._complete = state if state is not None else self._complete
            return state
        complete = self._complete
        if self.held is None or complete is None or complete[0][:2] != state[0][:2]:
            return state
        held = self.held(state[0][2])
        return complete if held is not None and held == complete[0][2] else state

    def get(self, key: Hashable) -> bytes | None:
        """The kept answer for `key` under the folder's current stamp, or None."""
        stamp = self.stamp()
        if stamp != self._stamp:
            self._drop(stamp)
        answer = self._answers.get(key) if stamp is not None else None
        if answer is None and self.shared is not None and self.statistics_saved(stamp):
            answer = self.shared.get(stamp, key)  # another worker searched it under this commit
            if answer is not None and self.put(key, stamp, answer):
                self.shared_hits += 1
                self.hits += 1
                return answer
            answer = None
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

    def found_meanwhile(self, key: Hashable, stamp: Stamp | None) -> bytes | None:
        """In the search's thread, when its turn comes: the answer to `key` under `stamp` that
        another request of this worker, or another worker, searched while this one waited
        (two users asking the same thing right after a commit); None: search it."""
        if stamp is None or not self.statistics_saved(stamp):
            return None
        answer = self._answers.get(key) if stamp == self._stamp else None  # one read: no order changed
        just = self._just_searched  # one read: another thread may replace it
        if answer is None and just[:2] == (stamp, key):  # the search before this one, not kept yet
            answer = just[2]
        if answer is None and self.shared is not None:
            answer = self.shared.get(stamp, key)
        if answer is not None:
            self.meanwhile += 1
        return answer

    def share(self, key: Hashable, stamp: Stamp | None, answer: bytes) -> None:
        """Let the other workers have `answer` (in the search's thread, off the event loop),
        and the next search in turn, which starts before the event loop keeps it (`put`), on
        the terms of `put`."""
        if stamp is None or len(answer) > MAX_ANSWER_BYTES or not self.statistics_saved(stamp):
            return
        self._just_searched = (stamp, key, answer)
        if self.shared is not None:
            self.shared.put(stamp, key, answer)

    @staticmethod
    def statistics_saved(stamp: Stamp | None) -> bool:
        """Whether the state's last commit has its did-you-mean statistics in the folder."""
        return stamp is not None and all(stamp[1])

    def _drop(self, stamp: Stamp | None) -> None:
        self._answers.clear()
        self.size, self._stamp = 0, stamp


class SharedAnswers:
    """Answers one server's workers share: a file per answer, named by a digest of its request,
    in a folder per state of the index (`commit_key`; named by its generation, then a digest),
    inside a private folder `searchkit serve` makes for its workers (and removes when it
    stops; `server.shared_folder`). Each file is written whole under a temporary name of its
    own, then renamed: a reader finds the whole answer or none. A worker writes at most
    `max_bytes` a state, and the first to write under a new state removes the folders of
    older generations. A file that cannot be read or written is an answer not shared, never
    an error: the worker searches instead.
    """

    def __init__(self, folder: Path, max_bytes: int):
        self.folder, self.max_bytes = folder, max_bytes
        self._state: str | None = None  # the state this worker wrote under last
        self._written = 0

    @classmethod
    def at(cls, folder: Path, max_bytes: int) -> SharedAnswers | None:
        """Sharing through `folder` when it is a folder of this user that no one else may read
        or write (not a link: what is read there is served as it is); else None: no sharing."""
        try:
            status = os.lstat(folder)
        except OSError:
            return None
        if not hasattr(os, "getuid"):  # Windows: no owner or mode bits to read; a folder, not a link
            return cls(folder, max_bytes) if stat.S_ISDIR(status.st_mode) else None
        private = stat.S_ISDIR(status.st_mode) and not status.st_mode & 0o077
        return cls(folder, max_bytes) if private and status.st_uid == os.getuid() else None

    def get(self, stamp: Stamp, key: Hashable) -> bytes | None:
        try:
            return (self.folder / _state_name(stamp) / _digest(key)).read_bytes() or None
        except OSError:
            return None

    def put(self, stamp: Stamp, key: Hashable, answer: bytes) -> None:
        state = _state_name(stamp)
        if state != self._state:
            self._state, self._written = state, 0
            self._sweep(stamp)
        if self._written + len(answer) > self.max_bytes or not answer:
            return
        place, name = self.folder / state, _digest(key)
        try:
            place.mkdir(mode=0o700, exist_ok=True)  # not the private folder itself: gone, sharing stops
            handle, temporary = tempfile.mkstemp(prefix=f".{name}.", dir=place)
        except OSError:
            return
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(answer)
            os.replace(temporary, place / name)
        except OSError:  # a full disk: nothing half-written stays
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            return
        self._written += len(answer)

    def _sweep(self, stamp: Stamp) -> None:
        """Remove the answers of older generations (not a newer one's: a worker may write
        under a commit it searched before the next came)."""
        try:
            names = os.listdir(self.folder)
        except OSError:
            return
        for name in names:
            found = _STATE_NAME.fullmatch(name)
            if found and int(found.group(1)) < _generation(stamp):
                shutil.rmtree(self.folder / name, ignore_errors=True)


#: The folders `SharedAnswers` writes: a generation and a digest, so that nothing else is removed.
_STATE_NAME = re.compile(r"(\d{12})-[0-9a-f]{40}")


def _generation(stamp: Stamp) -> int:
    return stamp[0][2]


def _state_name(stamp: Stamp) -> str:
    return f"{_generation(stamp):012d}-{_digest(stamp)}"


def _digest(value: Hashable) -> str:
    """A file name for a request or a state: the digest of its repr (which is the same in
    every worker: strings, numbers, tuples and None only)."""
    return hashlib.blake2b(repr(value).encode("utf-8", "surrogatepass"), digest_size=20).hexdigest()


def commit_key(folder: Path, known: Stamp | None = None) -> Stamp | None:
    """What identifies the index folder's state for a search (see the module's docstring):
    one listing and two `stat` calls; None when there is no commit or the folder cannot be
    read. A commit writes a table of contents of a new generation (a new file: a new inode
    and time), so two commits within one tick of the clock still differ; a folder replaced by
    another (a rebuild elsewhere, moved in) differs by its own inode.

    `known`: a state found before. While its commit is still the newest (`still_newest`), the
    statistics are looked for by name instead of in a listing: in the seconds after a commit,
    when the folder's time stamp cannot be trusted yet, every request of a server asked (a
    kept answer's whole cost, the listing's 44 µs, several times over).

    >>> commit_key(Path("/nonexistent")) is None
    True
    """
    from searchkit.searching.suggest import statistics_files

    try:
        generation = known[0][2] if known is not None else None
        if generation is not None and still_newest(folder, generation):
            saved = tuple(os.path.exists(os.path.join(folder, name)) for name in statistics_files(generation))
        else:
            names = set(os.listdir(folder))
            generation = newest_generation(names)
            if generation is None:
                return None
            saved = tuple(name in names for name in statistics_files(generation))
        where, toc = os.stat(folder), os.stat(os.path.join(folder, toc_name(generation)))
    except OSError:  # a folder being rewritten: keep nothing now, the search says more
        return None
    return (where.st_dev, where.st_ino, generation, toc.st_ino, toc.st_mtime_ns, toc.st_size), saved
