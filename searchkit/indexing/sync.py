"""Sync a searchkit index with a corpus: add new articles, re-index changed ones, remove
vanished ones, commit in batches, one writer at a time.

An id names one article. The file that brought an id into the index keeps it: another file
with the same id is skipped and reported with both names, in the same run (the first in path
order wins) or in a later one, for as long as the first file still holds that id.

Only a file that is gone takes its articles out of the index. A file or folder that exists
but cannot be read (permission denied, an I/O error) keeps them, and is reported as skipped
with its reason and how many it kept. A sync that would remove more than half of the index
(a network folder not mounted looks empty) stops with a CorpusError unless `prune=True`.
"""

from __future__ import annotations

import itertools
import os
import threading
import time
from bisect import bisect_right
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator, Mapping

from searchkit.errors import CorpusError, IndexDamagedError
from searchkit.indexing.adapter import column_text, segment_leaves, text_column
from searchkit.indexing.corpus import estimate, iter_articles, weight
from searchkit.indexing.manifest import note_sources, verify_trusted
from searchkit.indexing.merge import MAX_SEGMENTS, live_mask, merge_by_policy, optimize
from searchkit.indexing.segments import commit_batch, sweep, written_batches
from searchkit.indexing.store import create_index, is_index, open_index, read_marker, storage_error, writer_lock
from searchkit.indexing.walk import Unreadable, check_paths
from searchkit.models import Article, IndexReport, Skipped, Unchanged

#: Called with the number of articles done so far — analysed and written to their segment,
#: unchanged or skipped — never fewer than the call before, at least every half second
#: while workers analyse, from whichever thread reads or writes. It ends at the total.
Progress = Callable[[int], None]
#: A batch is split between workers only when each part gets at least this many articles:
#: below that, starting a worker costs more than it saves.
MIN_SPLIT = 100
#: A large corpus's batches grow up to this many times the batch size asked for.
MAX_BATCH_GROWTH = 4
#: Characters of text a batch of 2,000 articles holds at most: 2,000 news articles are about
#: 4.8 million, so only batches of unusually long ones are cut (each cut is one more segment).
MAX_BATCH_CHARS = 8_000_000


@dataclass
class SyncRun:
    """Mutable bookkeeping of one sync run, whatever the store: what was held (`existing`),
    seen, added, updated, unchanged and skipped."""

    existing: Mapping[str, tuple[str, str]]  # id -> (hash, path) already in the index
    roots: list[Path] = field(default_factory=list)  # the paths being synced, resolved
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    seen: dict[str, str] = field(default_factory=dict)  # id -> path, this run
    deferred: list[Article] = field(default_factory=list)  # ids whose owner file is read later
    progress: Progress | None = None
    prune: bool = False  # removing more than half of the index is meant
    batches: int = 0  # batches committed
    batched: int = 0  # articles in them
    analysed: int = 0  # articles of this run's batches analysed and written, committed or not
    committed: int = 0  # articles of the committed batches (each added, updated or failed)
    reported: int = 0
    _reporting: threading.Lock = field(default_factory=threading.Lock)

    @property
    def settled(self) -> int:
        return self.added + self.updated + self.unchanged + len(self.skipped)

    def report_progress(self, analysed: int | None = None) -> None:
        """Tell `progress` the articles done: settled, plus those of batches written but not
        yet committed. Called from the reading thread and the committing one: kept monotonic."""
        if not self.progress:
            return
        with self._reporting:
            if analysed is not None:
                self.analysed = max(self.analysed, analysed)
            done = max(self.settled - self.committed + self.analysed, self.reported)
            self.reported = done
            self.progress(done)


def existing_documents(ix) -> ExistingDocuments:
    """id -> (content hash, path) of every live document (`ExistingDocuments`)."""
    return ExistingDocuments(ix)


class ExistingDocuments(Mapping[str, tuple[str, str]]):
    """id -> (content hash, path) of every live document, in the segments' order, read from
    columns (no bodies), each segment's read whole (`adapter.column_text`): the ids cut out at
    once, each hash and path only when asked for. An `add` asks for the few ids its files
    hold: on a ×16 index (259,000 articles) Whoosh's reading every value took 0.85 s of CPU
    in every `searchkit add`, cutting all three columns 0.30 s, this 0.17 s (a sync that
    removes missing articles then reads every entry: 0.3 s more)."""

    def __init__(self, ix):
        import numpy as np

        self._where: dict[str, int] = {}  # id -> its segment's first place + its document number
        self._firsts: list[int] = []  # each segment's first place
        self._columns: list[tuple[tuple, tuple]] = []  # each segment's (hash, path) `column_text`
        first = 0
        with ix.reader() as reader:
            for leaf, _ in segment_leaves(reader):
                live = live_mask(leaf)
                ids = itertools.compress(text_column(leaf, "id"), live.tolist())
                self._where.update(zip(ids, (first + np.flatnonzero(live)).tolist()))
                self._firsts.append(first)
                self._columns.append((column_text(leaf, "hash"), column_text(leaf, "path")))
                first += len(live)

    def __getitem__(self, doc_id: str) -> tuple[str, str]:
        place = self._where[doc_id]
        segment = bisect_right(self._firsts, place) - 1
        (hashes, hash_starts, hash_ends), (paths, path_starts, path_ends) = self._columns[segment]
        at = place - self._firsts[segment]
        return hashes[hash_starts[at]:hash_ends[at]], paths[path_starts[at]:path_ends[at]]

    def __iter__(self) -> Iterator[str]:
        return iter(self._where)

    def __len__(self) -> int:
        return len(self._where)


def to_index(entries: Iterable, run: SyncRun) -> Iterator[Article]:
    """Pass on the articles that are new or changed; count the rest; refuse colliding ids."""
    for entry in entries:
        if isinstance(entry, Unchanged):
            if entry.id in run.seen:
                run.skipped.append(_duplicate(entry, run.seen[entry.id]))
            else:
                run.seen[entry.id] = entry.path
                run.unchanged += 1
        elif isinstance(entry, Skipped):
            run.skipped.append(entry)
        elif entry.id in run.seen:
            run.skipped.append(_duplicate(entry, run.seen[entry.id]))
        elif _owned_elsewhere(entry, run):
            pass  # reported or deferred
        else:
            run.seen[entry.id] = entry.path
            if run.existing.get(entry.id) == (entry.hash, entry.path):  # e.g. a legacy-encoded
                run.unchanged += 1  # JSONL line, which the corpus' fast check cannot read
            else:
                yield entry
        run.report_progress()
    for article in run.deferred:  # their owner files were read: did they still hold the id?
        owner = run.existing[article.id][1]
        if article.id in run.seen:
            run.skipped.append(_duplicate(article, run.seen[article.id]))
        elif _kept_by(owner, [entry.path for entry in run.skipped if isinstance(entry, Unreadable)]):
            run.skipped.append(Skipped(
                article.path, f"id {article.id!r} is indexed from {owner}, which cannot be read now and keeps its "
                              "articles; give this article another id, or delete that file and sync again",
                article.line))
        else:
            run.seen[article.id] = article.path
            yield article


def _owned_elsewhere(article: Article, run: SyncRun) -> bool:
    """Whether another file holds the article's id in the index. If that file is among the
    paths being read, the decision waits until the end of the run (does it still hold the
    id?); if it is elsewhere and still exists, the article is refused; if it is gone, the
    article takes the id over (the file was moved)."""
    owner = run.existing.get(article.id, (None, None))[1]
    if owner is None or owner == article.path:
        return False
    if any(within(owner, str(root)) for root in run.roots):
        run.deferred.append(article)
        return True
    if os.path.exists(owner):
        run.skipped.append(Skipped(
            article.path, f"id {article.id!r} is already indexed from {owner}, which still exists; give this "
                          "article another id, or delete that file and sync its folder first", article.line))
        return True
    return False


def _duplicate(entry: Article | Unchanged, first: str) -> Skipped:
    return Skipped(entry.path, f"duplicate id {entry.id!r}: {first} has the same id and is kept; give one of them "
                               "another id (a .txt, .html or .md file's id is its path inside the folder indexed)",
                   entry.line, "skip.duplicate_id", (("id", entry.id), ("first", first)))


def sync(
    index_dir: str | os.PathLike,
    paths: Iterable[str | os.PathLike],
    *,
    rebuild: bool = False,
    remove_missing: bool = True,
    prune: bool = False,
    batch_size: int = 2000,
    workers: int | None = None,
    wait: float = 0.0,
    progress: Progress | None = None,
    follow: bool = False,
) -> IndexReport:
    """Bring the index at `index_dir` in line with the articles under `paths`.

    New articles are added, changed ones re-indexed, unchanged ones skipped by content
    hash, and (with `remove_missing`) articles whose files are gone from `paths` removed;
    a file or folder that exists but cannot be read keeps its articles (reported as skipped).
    Removing more than half of the index is a CorpusError, unless `prune` says it is meant.
    Articles are analysed and written `batch_size` at a time by `workers` processes
    (default: one per core); each batch is one commit, so a crash loses at most the
    batches not yet committed, and memory stays bounded on any corpus. `follow`: also
    index what symbolic links outside `paths` lead to.

    Raises CorpusError for a path that cannot be indexed (before touching the index) and
    StorageError when the index cannot be written (disk full): the batches committed before
    stay (the message says how many; running again resumes), what came after is swept.
    """
    started = time.monotonic()
    index_dir = Path(index_dir)
    roots = check_paths(paths)
    workers = workers or os.cpu_count() or 1
    run = SyncRun(existing={}, roots=roots, progress=progress, prune=prune)
    try:
        with writer_lock(index_dir, wait):
            try:
                removed, total = _sync_locked(index_dir, run, rebuild, remove_missing, batch_size, workers, follow)
            except BaseException:
                _sweep_after_failure(index_dir)
                raise
    except OSError as error:
        raise storage_error(error, index_dir, _committed(run, rebuild)) from error
    return IndexReport(
        added=run.added, updated=run.updated, removed=removed, unchanged=run.unchanged,
        skipped=tuple(run.skipped), seconds=time.monotonic() - started, total=total,
    )


def _committed(run: SyncRun, rebuild: bool) -> str:
    """What a failed run had committed, which stays in the index ('' when nothing).

    >>> _committed(SyncRun(existing={}, batches=5, batched=500), rebuild=False)
    'The 5 batches this run committed before (500 articles) stay in the index; what it wrote after them was removed'
    """
    if not run.batches:
        return ""
    batches = "the batch" if run.batches == 1 else f"the {run.batches:,} batches"
    dropped = " (a rebuild: the articles indexed before were dropped with the first)" if rebuild else ""
    return (f"{batches[0].upper()}{batches[1:]} this run committed before ({run.batched:,} articles) "
            f"stay in the index{dropped}; what it wrote after them was removed")


def _sweep_after_failure(index_dir: Path) -> None:
    """Remove what a failed or interrupted run wrote (batch folders, segment files moved in
    but never committed), so that a full disk gets its space back now."""
    try:
        sweep(index_dir, open_index(index_dir) if is_index(index_dir) else None)
    except Exception:  # noqa: BLE001 - best effort: the next run sweeps again
        sweep(index_dir)


def _sync_locked(index_dir: Path, run: SyncRun, rebuild: bool, remove_missing: bool, batch_size: int,
                 workers: int, follow: bool) -> tuple[int, int]:
    """The sync itself, under the writer lock: (articles removed, articles in the index)."""
    ix = _open_for_writing(index_dir, rebuild)
    sweep(index_dir, ix)
    if not rebuild:  # the ids, hashes and paths read next are trusted: verified first
        verify_trusted(index_dir, ix)
    note_sources(index_dir, run.roots, replace=rebuild)  # what `check --repair` re-reads
    run.existing = {} if rebuild else existing_documents(ix)
    articles = to_index(iter_articles(run.roots, run.existing, follow, defer=True), run)  # decoded in the workers
    clear = rebuild
    expected, expected_bytes = estimate(run.roots, follow)
    grown = _scaled_batch_size(batch_size, expected, workers)
    parts = batches(articles, grown, workers, MAX_BATCH_CHARS * grown // batch_size, expected, expected_bytes)
    many = not run.existing and expected >= 2 * grown  # a first build: fork the workers before reading
    # no more processes writing batches than the batches planned (fewer than the cores, on many)
    writers = min(workers, -(-expected // even_size(expected, grown, workers))) if expected else workers
    with closing(written_batches(index_dir, parts, writers, many, run.report_progress)) as written:
        for batch in written:
            replaced = [doc_id for doc_id in batch.ids if doc_id in run.existing]
            generation = ix.latest_generation()
            try:
                commit_batch(ix, batch, replaced, clear)
            finally:  # a batch whose table of contents was renamed in is committed, even if its manifest failed
                if ix.latest_generation() > generation:
                    run.batches, run.batched = run.batches + 1, run.batched + len(batch.ids)
            with run._reporting:
                run.skipped.extend(batch.failed)
                run.updated += len(replaced)
                run.added += len(batch.ids) - len(replaced)
                run.committed += len(batch.ids) + len(batch.failed)
            run.report_progress()
            clear = False
    if clear:  # a rebuild that found no article still empties the index
        commit_batch(ix, None, clear=True)
    removed = _remove_missing(ix, run, run.roots) if remove_missing else 0
    _merge(ix, index_dir, workers)
    return removed, ix.doc_count()


def _merge(ix, index_dir: Path, workers: int) -> None:
    """The merges the policy asks for after a sync, a first build's several ones `workers` at
    once (`merge_by_policy`). Should a process writing one be killed (out of memory, most
    often), nothing of theirs is committed and what they wrote is removed: the merges are then
    made one by one in this process, which holds one merge at a time, and the sync ends as it
    would have, every article committed before staying where it is."""
    from concurrent.futures.process import BrokenProcessPool

    try:
        merge_by_policy(ix, index_dir, workers)
    except BrokenProcessPool:
        merge_by_policy(ix, index_dir)


def _scaled_batch_size(requested: int, articles: int, workers: int = 1) -> int:
    """Batches of a large corpus grow so that a full build writes at most MAX_SEGMENTS
    segments, which then need no merging, up to MAX_BATCH_GROWTH times the size asked for
    (memory stays bounded). The last `size × workers` articles are split between the workers
    (`batches`), which makes up to `workers - 1` more segments: room is left for them.

    >>> _scaled_batch_size(2000, 16_183, 2), _scaled_batch_size(2000, 64_732, 2), _scaled_batch_size(2000, 10**6, 2)
    (2000, 7193, 8000)
    """
    segments = max(MAX_SEGMENTS - max(workers - 1, 0), 1)
    return min(max(requested, -(-articles // segments)), requested * MAX_BATCH_GROWTH)


def batches(articles: Iterator[Article], size: int, workers: int,
            chars: int = MAX_BATCH_CHARS, expected: int = 0, expected_bytes: int = 0) -> Iterator[list[Article]]:
    """Batches of at most `size` articles, each cut where its text passes `chars` characters.

    Knowing that about `expected` articles are coming (an estimate), the batches are made as
    many as a multiple of `workers` (`even_size`), and each goes out as soon as it is read:
    every worker starts while the parent is still reading, and all of them finish together.
    With `expected_bytes`, what those articles hold (`corpus.estimate`), the batches are equal in
    bytes (`corpus.weight`), up to twice `size` articles, rather than in articles: analysing
    costs by the byte, and the corpus' last 2,023 articles hold 8.4 MB against 5.1-6.9 for the
    others, so one worker kept on alone for 1.9 s of a 2-core build's 14.9. Fewer than
    expected may come (the estimate counts every article of the corpus; a re-sync passes on
    the changed ones): the batch that comes up short is split between the workers the round
    has left idle. Past the expected end (or without an estimate), a corpus that would leave
    workers idle (fewer than `size × workers` articles left) is split evenly between them, so
    that a small corpus uses every core.

    >>> [len(b) for b in batches(iter([Article(id="x", title="", body="")] * 300), 2000, 2, expected=1200)]
    [150, 150]
    >>> short, long = Article(id="s", title="", body="a" * 99), Article(id="l", title="", body="a" * 299)
    >>> [len(b) for b in batches(iter([short] * 600 + [long] * 200), 400, 2, expected=800, expected_bytes=120_000)]
    [600, 200]
    """
    taken = sent = 0
    if expected > 0:
        size = even_size(expected, size, workers)
        share = expected_bytes / -(-expected // size) if expected_bytes > 0 else 0.0
        while taken < expected:
            chunk, full = _taken(articles, size, share)
            taken += len(chunk)
            if not full:
                yield from _shared(chunk, _idle(workers, sent), chars)
                return
            for batch in _bounded(chunk, chars):
                sent += 1
                yield batch
    window = size * max(workers, 1)
    while True:
        chunk = list(itertools.islice(articles, window))
        if len(chunk) < window:
            yield from _shared(chunk, workers, chars)
            return
        for i in range(0, window, size):
            yield from _bounded(chunk[i:i + size], chars)


def _taken(articles: Iterator[Article], size: int, share: float) -> tuple[list[Article], bool]:
    """The next batch: `size` articles, or with a `share` of bytes, the articles up to that
    share (at most twice `size`); and whether it is whole (False: the articles ran out)."""
    if not share:
        chunk = list(itertools.islice(articles, size))
        return chunk, len(chunk) == size
    chunk, held = [], 0
    for article in articles:
        chunk.append(article)
        held += weight(article)
        if held >= share or len(chunk) >= 2 * size:
            return chunk, True
    return chunk, False


def _idle(workers: int, sent: int) -> int:
    """Between how many workers the batch that comes up short is split, `sent` batches
    before it: those the round has left idle, but no more than keep a build that fits in
    MAX_SEGMENTS segments within them (a merge after the last batch costs more).

    >>> _idle(2, 7), _idle(16, 3), _idle(16, 9), _idle(16, 12)
    (1, 7, 1, 4)
    """
    idle = max(workers, 1) - sent % max(workers, 1)
    return max(1, min(idle, MAX_SEGMENTS - sent)) if sent < MAX_SEGMENTS else idle


def _shared(chunk: list[Article], idle: int, chars: int) -> Iterator[list[Article]]:
    """The last articles split between `idle` workers, in parts of at least MIN_SPLIT."""
    if not chunk:
        return
    parts = max(1, min(idle, len(chunk) // MIN_SPLIT))
    step = -(-len(chunk) // parts)
    for i in range(0, len(chunk), step):
        yield from _bounded(chunk[i:i + step], chars)


def even_size(expected: int, size: int, workers: int) -> int:
    """The size of equal batches of `expected` articles, at most `size`, as many as a
    multiple of `workers` (each gets the same work from the start); one round of batches
    fewer when that makes them at most 5% larger than asked (fewer segments, and fewer pair
    counts to sum after the build). With more workers than the segments an index keeps
    unmerged (MAX_SEGMENTS), a corpus that fits in that many batches of `size` makes that
    many, some workers idle: a batch per worker would leave more segments, and merging ten of
    them after the last batch costs more than the larger batches (16k articles on 16
    workers: 16 batches of 1,012 took 20.7 s of CPU, then the parent merged 10,120 articles
    in about 2 s; 10 batches took 19.9 s, 2 s each side by side, and no merge). A batch is
    split finer than `size` only into parts of at least MIN_SPLIT articles.

    >>> even_size(16_183, 2000, 2), even_size(16_183, 2000, 16), even_size(16_183, 8000, 16), even_size(9000, 2000, 2)
    (2023, 1619, 1619, 1500)
    >>> even_size(150, 2000, 2), even_size(250, 2000, 2), even_size(200, 20, 1)
    (150, 125, 20)
    """
    workers = max(workers, 1)
    needed = -(-expected // size)  # batches of the size asked for
    count = workers * -(-needed // workers)
    if count > workers and -(-expected // (count - workers)) <= size + size // 20:
        count -= workers
    if count > MAX_SEGMENTS >= needed:  # more cores than segments an index keeps unmerged
        count = MAX_SEGMENTS
    if expected < count * MIN_SPLIT:
        count = max(needed, min(count, expected // MIN_SPLIT), 1)
    return -(-expected // count)


def _bounded(batch: list[Article], limit: int = MAX_BATCH_CHARS) -> Iterator[list[Article]]:
    """A batch cut where its text passes `limit` characters: a worker's memory grows with
    the text it analyses, not with the number of articles (one batch of long reports held
    half as much again as the others).

    >>> [len(b) for b in _bounded([Article(id=str(i), title="", body="x" * 40) for i in range(5)], limit=100)]
    [2, 2, 1]
    """
    start, chars = 0, 0
    for i, article in enumerate(batch):
        chars += article.size()
        if chars > limit and i > start:
            yield batch[start:i]
            start, chars = i, article.size()
    yield batch[start:]


def _open_for_writing(index_dir: Path, rebuild: bool):
    from searchkit.indexing.schema import SCHEMA_VERSION

    if not is_index(index_dir):
        return create_index(index_dir)
    if read_marker(index_dir).get("schema_version") != SCHEMA_VERSION:
        if not rebuild:
            open_index(index_dir)  # raises the message that asks for --rebuild
        return create_index(index_dir)
    try:
        return open_index(index_dir)
    except IndexDamagedError:
        if not rebuild:
            raise
        return create_index(index_dir)  # what --rebuild is for: the old files are swept


def _remove_missing(ix, run: SyncRun, paths: list[Path]) -> int:
    """Delete the documents whose files are gone from `paths` (see `vanished`)."""
    gone = vanished(run, paths)
    if gone:
        commit_batch(ix, None, replaced=gone)
    return len(gone)


def vanished(run: SyncRun, paths: list[Path]) -> list[str]:
    """Ids indexed from under `paths` that this run did not see, less those of files and
    folders that exist but could not be read: they keep their articles, and their Skipped
    entries say how many. CorpusError when the rest are more than half of the index and
    `run.prune` is not set: nothing is removed then."""
    roots = [str(p.resolve()) for p in paths]
    gone, kept = [], dict.fromkeys((entry.path for entry in run.skipped if isinstance(entry, Unreadable)), 0)
    for doc_id, (_, path) in run.existing.items():
        if doc_id in run.seen or not any(within(path, root) for root in roots):
            continue
        keeper = _kept_by(path, kept) if kept else None
        if keeper is None:
            gone.append(doc_id)
        else:
            kept[keeper] += 1
    run.skipped = [_with_kept(entry, kept.get(entry.path, 0)) for entry in run.skipped]
    if gone and not run.prune and 2 * len(gone) > len(run.existing):
        done = run.added + run.updated
        raise CorpusError(kind="corpus.mass_removal", field="prune", value=len(gone), hint={
            "total": len(run.existing), "roots": list(roots),
            "indexed": f"; the articles it added or updated ({done:,}) are indexed" if done else "",
            "indexed_vi": f"; {done:,} bài vừa thêm hoặc cập nhật đã vào chỉ mục" if done else ""})
    return gone


def _kept_by(path: str, unreadable: Iterable[str]) -> str | None:
    """The unreadable file or folder that `path` is or lies in, if any.

    >>> _kept_by("/kho/2010/bai-1.txt", ["/kho/2009", "/kho/2010"])
    '/kho/2010'
    """
    return next((keeper for keeper in unreadable if within(path, keeper)), None)


def _with_kept(entry: Skipped, kept: int) -> Skipped:
    if not kept:
        return entry
    articles = "its article already in the index is" if kept == 1 else f"its {kept:,} articles already in the index are"
    return Unreadable(entry.path, f"{entry.reason}; {articles} kept", entry.line)


def within(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def in_workers(pool, analyse: Callable, parts: Iterable[list[Article]], ahead: int) -> Iterator:
    """`analyse(part)` of each part in a worker process, in order, at most `ahead` in flight:
    workers analyse while the previous result is written, and memory stays bounded on any
    corpus (a store that writes whole segments in its workers uses `segments.written_batches`).

    Should a worker be killed (out of memory, most often), the pool is broken: the parts it
    had not analysed, and every one after them, are analysed in this process, in order."""
    from collections import deque
    from concurrent.futures.process import BrokenProcessPool

    parts = iter(parts)
    pending: deque = deque()  # [part, its future], in order
    try:
        for part in parts:
            pending.append([part, None])  # kept should handing it over fail
            pending[-1][1] = pool.submit(analyse, part)
            while len(pending) >= ahead:
                result = pending[0][1].result()
                pending.popleft()
                yield result
        while pending:
            result = pending[0][1].result()
            pending.popleft()
            yield result
        return
    except BrokenProcessPool:
        pass
    for part, future in pending:  # those the pool analysed before it broke are not analysed again
        done = future is not None and future.done() and not future.cancelled() and future.exception() is None
        yield future.result() if done else analyse(part)
    for part in parts:
        yield analyse(part)


def optimize_index(index_dir: str | os.PathLike, wait: float = 0.0) -> int:
    """Merge the whole index into one segment, dropping deleted articles, under the writer
    lock; returns the articles rewritten (0 when it already was one clean segment)."""
    index_dir = Path(index_dir)
    try:
        with writer_lock(index_dir, wait):
            try:
                ix = open_index(index_dir)
                sweep(index_dir, ix)
                return optimize(ix, index_dir)
            except BaseException:
                _sweep_after_failure(index_dir)
                raise
    except OSError as error:
        raise storage_error(error, index_dir) from error
