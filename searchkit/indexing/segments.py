"""Write batches of articles as Whoosh segments in worker processes; commit them atomically.

Whoosh's own writer analyses text and builds postings in the calling process, so one core
does all the work however many workers segment the text. Here each batch becomes a
complete segment, written by a worker into a private `.batch-*` folder inside the index
directory; the parent moves the files in and commits the segment together with the
deletion of the articles it replaces, in one new table of contents. A crash before that
leaves the previous commit intact; the stray folder is swept on the next run.

The Whoosh side of writing and committing a segment is in `adapter.py`.
"""

from __future__ import annotations

import collections
import gc
import itertools
import multiprocessing
import os
import re
import shutil
import signal
import sys
import tempfile
from pathlib import Path
from typing import Callable, Iterable, Iterator

from searchkit.indexing.postings import SUFFIX
from searchkit.models import Article, Skipped

BATCH_PREFIX = ".batch-"
#: A first batch smaller than this is not worth starting worker processes for.
SMALL_BATCH = 200
#: How often (seconds) the parent reads the workers' count of articles analysed.
POLL_SECONDS = 0.5
#: Environment variable forcing the workers' start method ('spawn', 'fork', 'forkserver').
START_METHOD_ENV = "SEARCHKIT_START_METHOD"
#: Called with how many articles the batches written so far in this run hold (kept or failed).
Analysed = Callable[[int], None]
# Leftovers of a run stopped while writing: Whoosh's temporary table of contents
# ('_MAIN_7.toc.1732961234.56'), the marker's and the did-you-mean cache's temporary files.
_TEMPORARY = re.compile(r"^(_MAIN_\d+\.toc\..+|\.searchkit\.json\.tmp|\.manifest-\d+\.json\.tmp|\.(suggest|pairs)-.*\.tmp(\.json|\.arrays|\.npz)?)$")
_SEGMENT_FILE = re.compile(r"^(MAIN_[0-9a-z]+)\.[A-Za-z0-9_.]+$")


class Batch:
    """A segment written in a private folder, with the ids of the articles it holds and the
    articles that could not be analysed."""

    def __init__(self, folder: str, segment, ids: list[str], failed: list[Skipped] | None = None):
        self.folder, self.segment, self.ids, self.failed = folder, segment, ids, failed or []


def write_batch(index_dir: str, articles: list[Article], done: Analysed | None = None) -> Batch:
    """Analyse articles and write them as one segment in a new folder under `index_dir`:
    Whoosh's files (stored fields, columns, keys) and the postings file.

    `done(1)` is told of each article analysed and added to the segment (or failed; in a
    worker: the pool's shared count), so that progress moves within a batch. Python's cyclic
    collector is paused meanwhile (`collector.paused`): the batch's millions of token lists
    hold no cycle, and looking for one took 4-7 % of its CPU at Python's thresholds (in one
    process; workers collect rarely anyway)."""
    from searchkit.collector import paused
    from searchkit.indexing.adapter import write_stored_segment
    from searchkit.indexing.postings import shipped_common_pairs, write_encoded
    from searchkit.indexing.statistics import PairCounter

    folder = tempfile.mkdtemp(prefix=BATCH_PREFIX, dir=index_dir)
    encoders, terms, parts = _encoders()
    pairs = PairCounter()
    kept: list[Article] = []
    done = done or _count_in_worker
    with paused():
        articles, failed = _resolved(articles, done)
        documents = _analysed_documents(articles, encoders, parts, pairs, kept, failed, done)
        segment = write_stored_segment(folder, documents)
        write_encoded(Path(folder) / (segment.segment_id() + SUFFIX), encoders, pairs.packed(), terms,
                      shipped_common_pairs())  # two common syllables side by side: one term too
    return Batch(folder, segment, [article.id for article in kept], failed)


def _resolved(articles: list[Article], done: Analysed) -> tuple[list[Article], list[Skipped]]:
    """The batch's articles with each JSONL line the reader left to the worker decoded
    (`corpus.resolve`), and those that do not parse (counted as done: they were read)."""
    from searchkit.indexing.corpus import resolve

    ready: list[Article] = []
    failed: list[Skipped] = []
    for article in articles:
        found = resolve(article)
        (ready if isinstance(found, Article) else failed).append(found)
    if failed:
        done(len(failed))
    return ready, failed


def _encoders() -> tuple[dict, dict, dict]:
    """A term encoder per field, the two fields of a part (folded, accented) sharing one of
    its syllables as written; what makes those the fields' terms (`write_encoded`); and the
    shared encoders by part."""
    from searchkit.fields import FIELDS, WORDS
    from searchkit.indexing.analysis import FORMS_OF
    from searchkit.indexing.postings import TermEncoder

    encoders, terms, parts = {}, {}, {}
    for field in FIELDS:
        if field.form == WORDS:
            encoders[field.name] = TermEncoder()
        else:
            (part,) = field.text
            encoders[field.name] = parts.setdefault(part, TermEncoder())
            terms[field.name] = FORMS_OF[field.form]
    return encoders, terms, parts


def _analysed_documents(articles: list[Article], encoders, parts, pairs, kept: list[Article], failed: list[Skipped],
                        done: Analysed) -> Iterator[dict]:
    """The documents of the articles that analyse, as each is analysed (its tokens numbered
    into `encoders`, syllables into their part's in `parts`, its pairs counted); `kept` and `failed` filled as they go. pyvi tags a
    chunk of about CHUNK_CHARS characters at a time, as it would inside one call anyway."""
    from searchkit.indexing.analysis import analyzed_texts
    from searchkit.indexing.schema import document

    for article, text in analyzed_texts(articles):
        if isinstance(text, Exception):  # a third-party analyser fails on one article, not the run
            failed.append(Skipped(article.path, f"could not be analysed ({type(text).__name__}: {text}); "
                                                "please report this article to the searchkit maintainers"))
        else:
            for sequence in text.sequences:
                pairs.add(sequence)
            for part, syllables in text.syllables.items():  # numbered now: the token lists are not kept
                parts[part].add(syllables)
            for name, words in text.words.items():
                encoders[name].add(words)
            kept.append(article)
            yield document(article)
        done(1)


def commit_batch(ix, batch: Batch | None, replaced: Iterable[str] = (), clear: bool = False,
                 dropped: frozenset[str] = frozenset()) -> None:
    """Make a written batch part of the index, deleting `replaced` ids in the same commit.

    With `clear`, every older segment is dropped in that commit (a rebuild), and with them
    the statistics caches that counted them (`manifest.drop_caches_before`); `dropped` names
    the segments a merge rewrote into the batch. Whoosh deletes their files after the commit.
    """
    from searchkit.indexing.adapter import commit_segments
    from searchkit.indexing.durable import durable_renames
    from searchkit.indexing.manifest import drop_caches_before, write_manifest

    moved = _move_segment_files(batch, ix.storage.folder) if batch is not None else []
    with durable_renames(ix.storage, moved):  # the segment's files on the disk before the commit
        commit_segments(ix, batch.segment if batch else None, replaced, clear, dropped)
    write_manifest(ix.storage.folder, ix)
    if clear:
        drop_caches_before(Path(ix.storage.folder), ix.latest_generation())


def _move_segment_files(batch: Batch, index_folder: str) -> list[str]:
    prefix = batch.segment.segment_id() + "."  # 'MAIN_<segid>.'
    moved = [name for name in os.listdir(batch.folder) if name.startswith(prefix)]
    for name in moved:
        os.replace(os.path.join(batch.folder, name), os.path.join(index_folder, name))
    shutil.rmtree(batch.folder, ignore_errors=True)
    return moved


def sweep(index_dir: Path, ix=None) -> None:
    """Remove what a run that was killed or hit a full disk left behind: batch folders,
    temporary files and (given the open index) segment files its table of contents does not
    name — Whoosh deletes those only when it commits, and a run with nothing to do does not.
    Only the writer calls this, under the writer lock."""
    from searchkit.indexing.adapter import index_segments
    from searchkit.indexing.manifest import path_of, write_manifest

    if ix is not None and not path_of(index_dir, ix.latest_generation()).exists():
        write_manifest(index_dir, ix)  # the last run stopped between its commit and its manifest
    current = {segment.segment_id() for segment in index_segments(ix)} if ix is not None else None
    _remove_batch_folders(index_dir)
    for entry in os.scandir(index_dir):
        orphan = _SEGMENT_FILE.match(entry.name)
        if _TEMPORARY.match(entry.name) or (current is not None and orphan and orphan.group(1) not in current):
            try:
                os.unlink(entry.path)
            except OSError:
                pass


def _remove_batch_folders(index_dir: Path) -> None:
    """Remove every batch folder of an index: only when none is being written or waits to be committed."""
    for entry in os.scandir(index_dir):
        if entry.name.startswith(BATCH_PREFIX) and entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path, ignore_errors=True)


_shared_count = None  # in a worker: the pool's count of articles analysed (a multiprocessing Value)


def _count_in_worker(articles: int) -> None:
    if _shared_count is not None:
        with _shared_count.get_lock():
            _shared_count.value += articles


def start_method() -> str:
    """How worker processes start: `$SEARCHKIT_START_METHOD` when set, else 'fork' on Linux
    (cheap: the workers share the parent's pages) and 'spawn' elsewhere — Windows has no
    fork, and macOS's system libraries are not safe to use in a forked child.

    Under 'spawn' a script that indexes must guard its top level with
    `if __name__ == "__main__":`, as multiprocessing asks.
    """
    from searchkit.errors import SearchkitError

    available = multiprocessing.get_all_start_methods()
    forced = os.environ.get(START_METHOD_ENV, "").strip().lower()
    if forced:
        if forced not in available:
            error = SearchkitError(kind="platform.start_method", field=START_METHOD_ENV, value=forced,
                                   hint={"choices": available})
            error.exit_code = 2
            raise error
        return forced
    return "fork" if sys.platform.startswith("linux") and "fork" in available else "spawn"


#: Container objects a worker allocates (net) before the garbage collector looks at the
#: youngest: Python's 700 made 815 collections of 6,000 articles, a twentieth of the
#: workers' CPU; the batch's objects are freed by their counts, and hold no cycles.
WORKER_GC_THRESHOLD = 20_000


def _worker_init(count=None) -> None:
    """Workers die with their parent (no orphans after a kill), leave Ctrl-C to it, add
    the articles they analyse to `count`, collect garbage less often, and load what the
    analysis needs while the parent reads their first batch."""
    global _shared_count
    _shared_count = count
    gc.set_threshold(WORKER_GC_THRESHOLD, *gc.get_threshold()[1:])
    keep_freed_memory()
    die_with_parent()
    _prepare_analysis()


#: glibc's malloc settings for a build worker (`mallopt`'s options: M_MMAP_THRESHOLD,
#: M_TRIM_THRESHOLD, M_TOP_PAD). A batch makes and frees arrays of a few MB; by default
#: malloc maps most of them apart, or gives the freed top of its heap back, and the next
#: batch's arrays fault the pages in again, zeroed one by one: 34,000 faults a 2,000-article
#: batch. Here arrays up to 32 MB come from the heap, and its free top is given back only
#: past 128 MB (down to 64 MB): a 16k build's faults 449,000 → 208,000, its system time
#: 1.3 → 0.7 s. A worker's peak memory is the same; between batches it keeps what it freed
#: (a 2-core build's processes together: about 50 MB more at their peak).
_WORKER_MALLOC = ((-3, 32 << 20), (-1, 128 << 20), (-2, 64 << 20))


def keep_freed_memory() -> None:
    """Let this process's malloc keep what a batch freed for the next (`_WORKER_MALLOC`);
    nothing where the C library is not glibc (macOS, musl: their own malloc, left alone)."""
    mallopt = _glibc("mallopt")
    for option, value in _WORKER_MALLOC if mallopt is not None else ():
        mallopt(option, value)


def die_with_parent() -> None:
    """A worker process dies with its parent (no orphan writing on after a kill) and leaves
    Ctrl-C to it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    prctl = _glibc("prctl")
    if prctl is not None:  # not Linux: workers end when the pool closes
        prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _glibc(name: str):
    """The C library's function `name` (ctypes), or None without glibc (another system or libc)."""
    try:
        import ctypes

        return getattr(ctypes.CDLL("libc.so.6", use_errno=True), name)
    except (OSError, AttributeError):
        return None


def _prepare_analysis() -> None:
    """`analysis.prepare_for_many`, and Whoosh's writing modules imported. A failure is left
    to the first batch, which reports it with its articles: a pool whose initializer raises
    is broken, and every batch would be written in the writer's process, on one core."""
    try:
        from searchkit.indexing import adapter, postings, schema, statistics  # noqa: F401 - imported now
        from searchkit.indexing.analysis import prepare_for_many

        prepare_for_many()
    except Exception:  # noqa: BLE001 - see above
        pass


def written_batches(index_dir: Path, batches: Iterable[list[Article]], workers: int,
                    many: bool = False, analysed: Analysed | None = None) -> Iterator[Batch]:
    """Write batches in order, `workers` at a time; only a few batches are ever in memory.

    `analysed(n)` is told how many articles the batches hold that were analysed and added to
    their segments so far (as they are, and at least every POLL_SECONDS while workers run).

    Each worker's resident memory counts the pages it shares with the parent, so the
    smaller the parent is when they are forked, the less the whole build holds: when `many`
    articles are coming (a full build), they are forked before the first is read.
    Otherwise (a re-sync, an `add`) the first batch is read first, and one of fewer than
    SMALL_BATCH articles is written in this process with whatever follows it.

    Should a worker be killed (out of memory, most often), the batches not yet written and
    every one after them are written in this process, one at a time, in the same order."""
    batches = iter(batches)
    if workers > 1 and not many:
        first = next(batches, None)
        if first is None:
            return
        batches = itertools.chain([first], batches)
        workers = 1 if len(first) < SMALL_BATCH else workers
    if workers <= 1:
        yield from _written_here(index_dir, batches, analysed)
        return
    from concurrent.futures import ProcessPoolExecutor

    # Forked on Linux (a user's script needs no `if __name__ == "__main__"` guard), with the
    # parent's objects frozen first: otherwise every garbage collection in a worker walks them
    # and copies the pages it touches, and each worker ends up with its own copy of the parent.
    gc.freeze()
    context = multiprocessing.get_context(start_method())
    count = context.Value("q", 0)
    lost: list[list[Article]] = []  # the batches a killed worker left unwritten, then its successors'
    written = 0  # articles in the batches handed on
    try:
        pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_worker_init, initargs=(count,))
        try:
            _started(pool, workers)
            for batch in _written_in(pool, str(index_dir), batches, workers, lost, lambda: _tell(analysed, count)):
                written += len(batch.ids) + len(batch.failed)
                yield batch
        finally:
            _stop(pool)
    finally:
        gc.unfreeze()  # the parent's objects are collectable again
    if lost:
        _remove_batch_folders(index_dir)  # those the workers were writing: the batches handed on are committed
        yield from _written_here(index_dir, itertools.chain(lost, batches), analysed, written)


def _started(pool, workers: int) -> None:
    """Every worker of a pool started now, each preparing while the parent reads (an executor
    starts one as a task comes). A pool broken already is found by the first batch."""
    from concurrent.futures.process import BrokenProcessPool

    try:
        for _ in range(workers):
            pool.submit(int)
    except BrokenProcessPool:
        pass


def _written_here(index_dir: Path, batches: Iterable[list[Article]], analysed: Analysed | None,
                  written: int = 0) -> Iterator[Batch]:
    """The batches written in this process, one at a time; `written` articles were before."""
    total = [written]

    def done(articles: int) -> None:
        total[0] += articles
        if analysed:
            analysed(total[0])

    for batch in batches:
        yield write_batch(str(index_dir), batch, done)


def _written_in(pool, index_dir: str, batches: Iterator[list[Article]], workers: int, lost: list,
                tick: Callable[[], None]) -> Iterator[Batch]:
    """Written batches in order, from `pool`: one more batch is handed to it than it has
    workers, and the next one is read ahead, handed over as soon as a batch is written,
    before that one is handed on (committed): no worker waits for the parent to read or
    commit. `tick()` at least every POLL_SECONDS while waiting. A worker killed breaks the
    pool: the batches given to it and not handed on, and the one read ahead, are put in
    `lost`, in order, and the rest of `batches` is left unread (a `multiprocessing.Pool`
    waited for ever for the batch of a worker killed)."""
    from concurrent.futures.process import BrokenProcessPool

    pending: collections.deque = collections.deque()  # (articles, future), in order
    ahead = [next(batches, None)]

    def fed() -> None:
        if ahead[0] is not None:
            try:
                future = pool.submit(write_batch, index_dir, ahead[0])
            except BrokenProcessPool:  # kept in `ahead`: lost below
                return
            pending.append((ahead[0], future))
            ahead[0] = next(batches, None)

    try:
        for _ in range(workers + 1):
            fed()
        while pending:
            written = _result(pending[0][1], tick)
            pending.popleft()
            fed()
            tick()
            yield written
    except BrokenProcessPool:
        pass
    lost.extend(articles for articles, _ in pending)
    lost.extend(batch for batch in ahead if batch is not None)


def _result(future, tick: Callable[[], None]):
    """A future's result, calling `tick()` every POLL_SECONDS while it is not there."""
    from concurrent.futures import TimeoutError as FutureTimeout

    while True:
        try:
            return future.result(timeout=POLL_SECONDS)
        except FutureTimeout:
            tick()


def _stop(pool) -> None:
    """Stop a pool's workers at once: after the last batch they are idle; after a failure
    (a batch's error, a commit's, a generator closed) they would otherwise write batches no one
    takes, into folders the failure's sweep removes."""
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        process.terminate()
    pool.shutdown(wait=True, cancel_futures=True)


def _tell(analysed: Analysed | None, count) -> None:
    if analysed:  # read without its lock: a worker killed while holding it would stop the parent for ever
        analysed(count.get_obj().value)
