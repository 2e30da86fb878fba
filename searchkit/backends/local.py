"""The local index as a `Backend`: a folder of segments written by `indexing/`, read here.

What is particular to it: a searcher per index generation (a commit writes a new one), the
postings decoded into numpy arrays once per generation, filters as masks over every document,
facet and date values read from columns, the did-you-mean statistics saved beside the index,
and a lock: Whoosh readers share zlib and file state, so one searcher used by two threads at
once gives zlib errors and silently wrong hits.
"""

from __future__ import annotations

import os
import threading
import time
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, TypeVar

from searchkit.errors import IndexBusyError, IndexDamagedError, SearchkitError
from searchkit.fields import KEYED_BY_NAME
from searchkit.indexing.lean_whoosh import import_whoosh
from searchkit.indexing.store import is_index, latest_generation, open_index, still_newest
from searchkit.models import IndexReport, day_number
from searchkit.searching.backend import COMPLETE, OPTIMIZE, REPAIR, SUGGEST, Candidates
from searchkit.searching.filters import Filters
from searchkit.searching.rewrite import Vocabulary
from searchkit.searching.suggest import (
    CACHE_PREFIX,
    Spellings,
    load_pair_counts,
    load_spellings,
    pairs_file,
    saved_before,
    spellings_file,
    statistics_files,
)

if TYPE_CHECKING:
    import numpy as np

    from searchkit.searching.accents import PairModel
    from searchkit.searching.facet_codes import FacetCodes
    from searchkit.searching.plan import QueryPlan

T = TypeVar("T")

#: Runs of a call at most, and for how long, while commits keep replacing what it reads: a
#: reader slower than the commits of a busy writer (three threads of a test against 300 adds
#: in a row on a loaded machine) failed up to 7 times running before one run went through.
COMMIT_RETRIES = 32
CHANGING_SECONDS = 30.0
#: After another process commits, its did-you-mean statistic appears a moment later (the
#: writer prepares it); meanwhile, for up to this long, the previous one serves, rather than a
#: search spending a second building it while other threads wait (bench/serve.py's p99).
SPELLINGS_GRACE_SECONDS = 30.0
#: A folder changed less than this long ago may change again within the same tick of the
#: file system's clock, unseen in its time stamp (git's "racily clean" files): until it is
#: older, every search reads the generation itself rather than trusting the stamp.
SETTLED_SECONDS = 2.0
#: A server's worker notes each commit it answers from in its shared folder: `answered-12`.
ANSWERED_PREFIX = "answered-"
#: Filter masks kept a generation (`LocalView._allowed`): one bool an article each.
KEPT_MASKS = 32
#: A server answers from another process's commit once its statistics are saved beside it (its
#: writer saves them right after it: about 0.2 s for 10 articles added to 16k): meanwhile its
#: open searcher answers from the commit before, for up to this long (`holds_previous`).
PUBLISH_GRACE_SECONDS = 10.0
#: Commits a server's worker looks through for another worker having answered from one of
#: them (`_answered_after`); a searcher further behind is never held.
MAX_HELD_BEHIND = 16
#: Hits' stored fields kept across commits (`StoredFields`), about 8 KB each.
KEPT_STORED = 2048
#: The longest a writer waits for its statistics helper process (`_spellings_beside`: a 16k
#: index takes under a second); past it, the writer builds them itself.
HELPER_SECONDS = 120.0


def _spellings_beside(path: Path, generation: int | None):
    """A process saving this generation's did-you-mean statistics while this one builds its
    pair model, when both are built from every segment (a first build, or one whose earlier
    statistics are gone): both read the whole index (16k articles: 0.85 s one after the
    other, 0.63 s side by side). None where a commit updates the statistics saved before it
    (a newsroom's `searchkit add`, beside a server): the update takes 0.2 s, and forking
    cost the writer more CPU than it saved (its copy-on-write faults: 0.85 against 0.72 s
    for ten articles added to 16k, 51,000 page faults against 28,000), on two cores where the
    server's workers answer (bench/serve.py's uncached p99: 294-332 against 249-294 ms).
    None too where processes are not forked (spawning one costs more than it saves) or
    there is one core."""
    from searchkit.indexing.segments import start_method

    if generation is None or (os.cpu_count() or 1) < 2 or start_method() != "fork" \
            or saved_before(path, CACHE_PREFIX, generation) is not None:
        return None
    import multiprocessing

    helper = multiprocessing.get_context("fork").Process(target=_save_spellings, args=(str(path), generation),
                                                         name="searchkit-statistics", daemon=True)
    helper.start()
    return helper


def _save_spellings(path: str, generation: int) -> None:
    """In the helper process: save the did-you-mean statistics of `generation`, through a
    reader of its own (a forked reader's files would share their offsets with the parent's).
    Any failure is left to the parent, which builds them itself and says what went wrong."""
    try:
        with open_index(Path(path)).reader() as reader:
            if reader.generation() == generation:
                load_spellings(Path(path), reader)
    except BaseException:  # noqa: BLE001 - the parent builds them and reports
        os._exit(1)


def _finished(helper) -> None:
    """Wait for the helper (bounded: a helper that hangs is stopped; the parent builds what
    it did not save)."""
    if helper is not None and helper.exitcode is None:
        helper.join(HELPER_SECONDS)
        if helper.is_alive():
            helper.kill()
            helper.join()


def settled_stamp(path: Path) -> tuple[int, int, int] | None:
    """The folder's device, inode and modification time, or None when it changed too recently to
    tell a later change by its time stamp (SETTLED_SECONDS) or cannot be read. Also the key of
    the web API's kept answers (`web.cache`)."""
    import os

    try:
        status = os.stat(path)
    except OSError:
        return None
    if time.time_ns() - status.st_mtime_ns < SETTLED_SECONDS * 1e9:
        return None
    return status.st_dev, status.st_ino, status.st_mtime_ns


class LocalIndex:
    """The index folder at `path` (see `searching.backend.Backend`)."""

    capabilities = frozenset({SUGGEST, OPTIMIZE, COMPLETE, REPAIR})
    name = "local"

    def __init__(self, path: Path):
        self.path = Path(path)
        self._statistics: dict[str, tuple[int, object]] = {}  # name -> (generation, value)
        self._awaiting: tuple[int, float] | None = None  # generation whose statistics are awaited, since
        self._arrays: tuple[int, object] | None = None
        self.stored_fields = StoredFields()
        self._searcher: tuple[int, object] | None = None
        self._count: tuple[tuple[int, int, int], int] | None = None  # (folder's stamp, articles): `count`
        self._stamp: tuple[int, int, int] | None = None  # the folder's, when the searcher was opened
        self._vocabulary: tuple[object, Vocabulary] | None = None
        self.completer = None  # the last completion table built (`complete.completer_for` builds the next from it)
        self._completing: threading.Thread | None = None  # a newer commit's table being built (`completion_table`)
        self._background_completions = False
        self._unpublished: tuple[int, float] | None = None  # the commit held, and since when
        self._publishing = False  # a server's engine: commits published with their statistics
        self._answered: Path | None = None  # where a server's workers note the commits they answer from
        self._lock = threading.RLock()
        self._read = threading.local()  # .generation: what this thread's last call read

    def __str__(self) -> str:
        return str(self.path)

    def __repr__(self) -> str:
        return f"SearchEngine({str(self.path)!r})"

    # ------------------------------------------------------------------ reading

    def reading(self, call: Callable[[LocalView], T]) -> T:
        """`call` on the last commit, under the lock; again when it failed because a commit
        replaced what it was reading; damage told from a bug when it failed otherwise.

        Whoosh deletes a merged segment's files (and every older table of contents) right after
        the commit that drops them. A call whose searcher was opened before then and that reads
        one of those files for the first time finds it gone: Whoosh fails on the missing file
        (a TypeError on a column it could not open, an OSError), or verifying the generation at
        opening finds it missing (an IndexDamagedError). When a newer generation than the one
        the call read is on disk, the file went because that commit replaced it: the call runs
        again on the new commit, while commits keep coming for up to COMMIT_RETRIES runs and
        CHANGING_SECONDS (then an IndexBusyError: never damage). Otherwise the error is real:
        an IndexDamagedError stands, and any other unexpected error is followed by a check of
        the index, whose damage, when found and not itself met during a commit, is reported."""
        deadline = time.monotonic() + CHANGING_SECONDS
        for attempt in range(COMMIT_RETRIES):
            self._read.generation = None
            self._read.again = attempt > 0  # the last commit, whatever its statistics
            try:
                return self._locked(call)
            except SearchkitError as error:
                if not isinstance(error, IndexDamagedError):
                    raise
                failure: Exception = error
            except Exception as error:  # noqa: BLE001 - sorted out below
                failure = error
            if not self._generation_moved():
                _raise_real_failure(self.path, failure, self._generation_moved)
            if time.monotonic() > deadline:
                break
        raise IndexBusyError(kind="index.changing", field="index", value=str(self.path),
                             hint={"runs": attempt + 1}) from failure

    def _generation_moved(self) -> bool:
        """Whether a newer commit than the one the last call read (or tried to) is on disk."""
        seen = getattr(self._read, "generation", None)
        latest = latest_generation(self.path)
        return seen is not None and latest is not None and latest > seen

    def _locked(self, call: Callable[[LocalView], T]) -> T:
        with self._lock:
            return call(LocalView(self, self._current_searcher()))

    def _current_searcher(self):
        """A searcher on the last commit. Every commit writes a new generation, and a new
        searcher is opened for it (never `refresh()`, which returns duplicates after merges);
        while the generation stays the same, the open one is reused."""
        for _ in range(2):
            try:
                return self._open_searcher()
            except (OSError, EOFError, IndexDamagedError):  # a commit replaced the table of
                continue  # contents meanwhile
        try:
            return self._open_searcher()
        except (OSError, EOFError) as error:
            raise IndexDamagedError(kind="index.unreadable", field="index", value=str(self.path), hint={
                "problem": f"{type(error).__name__}: {error}",
                "command": f"searchkit index --rebuild --index {self.path} CORPUS"}) from error

    def _open_searcher(self):
        # A commit adds a table of contents to the folder, which changes its time stamp: while
        # that stays the same, the open searcher is current, known with one stat instead of a
        # directory listing and a read of the table of contents (0.3-0.5 ms of a 5 ms search).
        stamp = settled_stamp(self.path)
        if stamp is not None and stamp == self._stamp and self._searcher is not None:
            self._read.generation = self._searcher[0]
            return self._searcher[1]
        if stamp is None and self._searcher is not None and still_newest(self.path, self._searcher[0]):
            # the folder changed within SETTLED_SECONDS (a commit's statistics saved, its
            # leftovers swept) but no commit came: two stats (5 µs), where a listing (44 µs on
            # the 16k index) in each search of those seconds cost a busy worker 15-35 ms a commit
            self._read.generation = self._searcher[0]
            return self._searcher[1]
        self._stamp = None
        import_whoosh()  # the first time: without the standard library Whoosh never uses here
        # read before opening: a failure below is measured by it, and a commit meanwhile makes
        # the next search open again (one listing, not Whoosh's second one after opening)
        generation = self._read.generation = latest_generation(self.path)
        if self.holds_previous(generation) is not None:  # a failure on it is a commit's doing
            self._read.generation = self._searcher[0]
            return self._searcher[1]
        if generation is not None and self._searcher is not None and self._searcher[0] == generation:
            # the folder changed lately (a commit's leftovers swept, statistics saved) but no
            # commit came: the open searcher stands, as it would below, without reading the
            # table of contents again (every search of the 2 s after a commit did)
            self._stamp = stamp
            return self._searcher[1]
        ix = open_index(self.path)
        if generation is None:  # created meanwhile
            generation = self._read.generation = ix.latest_generation()
        if self._searcher is None or self._searcher[0] != generation:
            self.close()
            self._searcher = (generation, ix.searcher())
            self._note_answered(generation, self._searcher[1])
        self._stamp = stamp  # taken before the generation was read: a later commit changes it
        return self._searcher[1]

    def publish_with_statistics(self, answered: Path | None = None) -> None:
        """Answer from another process's commit once its statistics are saved (`holds_previous`):
        what a server does, so that a commit makes one wave of searches, not two. `answered`:
        the folder the workers of one server share, where each notes the commits it answers
        from before it does; no worker then holds a commit older than one another answered
        from, so that a client's next answer never comes from an older commit."""
        if answered is not None and not (answered.is_dir() and os.access(answered, os.W_OK | os.X_OK)):
            return  # a folder the workers cannot note in: each answers from a commit as it sees it
        self._publishing, self._answered = True, answered

    def complete_in_background(self) -> None:
        """After a commit, build its completion table in a thread while the table before it
        answers (`completion_table`): what a server does. Built at the first completion after
        each commit, under the lock, it held every search of the worker for as long (0.3 s on
        16k articles, 0.9 s at 16 times the corpus); a few articles added change the
        completions little, and the new table answers within that time."""
        self._background_completions = True

    def completion_table(self, arrays, model):
        """The completion table of the generation of `arrays` (`complete.completer_for`); while
        it is built in the background (`complete_in_background`), the last one built."""
        from searchkit.searching.complete import completer_for, segment_word_weights

        kept = arrays.memo.get("completer")
        if kept is not None and kept[0] is model:
            return kept[1]
        if not self._background_completions or self.completer is None or arrays.memo.get("completer failed"):
            self.completer = completer_for(arrays, model, self.completer)  # the first, or a build that failed: here
            return self.completer
        if self._completing is None or not self._completing.is_alive():
            words, before = segment_word_weights(arrays), self.completer  # the segments' files read now, locked
            self._completing = threading.Thread(target=self._build_completions, args=(arrays, model, words, before),
                                                name="searchkit completions", daemon=True)
            self._completing.start()
        return self.completer

    def _build_completions(self, arrays, model, words, before) -> None:
        from searchkit.searching.complete import Completer

        try:
            table = Completer.build(model, words, before)
        except Exception:  # noqa: BLE001 - built again where the error can be told: the next completion's call
            arrays.memo["completer failed"] = True
            return
        with self._lock:
            arrays.memo["completer"] = (model, table)
            self.completer = table

    def _note_answered(self, generation: int, searcher) -> None:
        """Note in the shared folder that this worker answers from `searcher`, opened as
        `generation` (a commit meanwhile: the later), before it does; and forget the older
        commits noted: a worker holding one of them finds this."""
        if self._answered is None:
            return
        generation = max(g for g in (generation, searcher.reader().generation(), -1) if g is not None)
        try:
            (self._answered / f"{ANSWERED_PREFIX}{generation}").touch()
            for name in os.listdir(self._answered):
                if name.startswith(ANSWERED_PREFIX) and name[len(ANSWERED_PREFIX):].isdigit() \
                        and int(name[len(ANSWERED_PREFIX):]) < generation:
                    (self._answered / name).unlink(missing_ok=True)
        except OSError:  # the folder gone (the server stopping): nothing to keep in step with
            pass

    def _answered_after(self, held: int, generation: int) -> bool:
        """Whether another worker answered from a commit after `held` (up to `generation`)."""
        if self._answered is None:
            return False
        if generation - held > MAX_HELD_BEHIND:
            return True
        return any((self._answered / f"{ANSWERED_PREFIX}{g}").exists() for g in range(held + 1, generation + 1))

    def holds_previous(self, generation: int | None) -> int | None:
        """The generation of the open searcher when it answers instead of the newer
        `generation`, else None (always None but in a server: `publish_with_statistics`). A
        commit is published with its statistics: the previous commit answers until both are
        saved (the did-you-mean and the pair model), for up to PUBLISH_GRACE_SECONDS, and no
        longer once another worker of the server answered from a later commit. So the searches
        after a commit run once, with the statistics they will keep, and not beside a writer
        still counting them (bench/serve.py's p99: the misses of the second before, with no
        answer kept, took 270-290 ms against 80 after). A first run only: a run again after a
        failure (a merge removed files of the commit held) reads the last commit. The web API's
        kept answers follow it (`web.cache.AnswerCache`)."""
        held = self._searcher
        if not self._publishing or held is None or generation is None or generation <= held[0] \
                or getattr(self._read, "again", False):
            return None
        if all((self.path / name).exists() for name in statistics_files(generation)):
            return None
        first = self._unpublished  # since when the commit held has had a newer one: a long sync's
        if first is None or first[0] != held[0]:  # many commits are held back 10 s at most, not each
            self._unpublished = first = (held[0], time.monotonic())
        if time.monotonic() - first[1] >= PUBLISH_GRACE_SECONDS or self._answered_after(held[0], generation):
            return None
        return held[0]

    def close(self) -> None:
        """Close the open searcher (reading again reopens one)."""
        with self._lock:
            if self._searcher is not None:
                self._searcher[1].close()
                self._searcher = None

    def arrays_for(self, reader):
        """Posting arrays of the reader's generation. Segments never change within a
        generation, so what earlier searches decoded is reused until the next commit."""
        from searchkit.searching.arrays import IndexArrays

        generation = reader.generation()
        cached = self._arrays
        if cached is None or cached[0] != generation:  # what the last one read carries over
            self._arrays = (generation, IndexArrays(reader, before=cached[1] if cached is not None else None))
        else:
            cached[1].rebind(reader)
        return self._arrays[1]

    def vocabulary_for(self, arrays) -> Vocabulary:
        """Document frequencies for query rewriting, memoised with the arrays' generation."""
        if self._vocabulary is None or self._vocabulary[0] is not arrays:
            self._vocabulary = (arrays, Vocabulary(arrays.document_frequency, arrays.completions))
        return self._vocabulary[1]

    def load_spellings(self, reader, wait_for_writer: bool = True) -> Spellings:
        """The did-you-mean statistic of the reader's generation (see `_statistic`)."""
        return self._statistic("spellings", reader, load_spellings, spellings_file, wait_for_writer)

    def load_pairs(self, reader, wait_for_writer: bool = True) -> PairModel:
        """The syllable pair model of the reader's generation (see `_statistic`)."""
        return self._statistic("pairs", reader, load_pair_counts, pairs_file, wait_for_writer)

    def _statistic(self, name: str, reader, load, cache: Callable[[int], str], wait_for_writer: bool):
        """A statistic of the reader's generation, kept while it is current. While a writer is
        still saving the new generation's (`cache` names its file), the previous one serves:
        a few added articles barely move it, and building it here would hold every waiting
        search for up to a second (bench/serve.py's p99)."""
        generation = reader.generation()
        kept = self._statistics.get(name)
        if kept is not None and kept[0] != generation and wait_for_writer \
                and self._writer_preparing(generation, cache(generation)):
            return kept[1]
        if kept is None or kept[0] != generation:
            self._statistics[name] = kept = (generation, load(self.path, reader))
        return kept[1]

    def _writer_preparing(self, generation: int, name: str) -> bool:
        """True while the file `name` of `generation` is not cached yet, within the grace period."""
        if (self.path / name).exists():
            return False
        if self._awaiting is None or self._awaiting[0] != generation:
            self._awaiting = (generation, time.monotonic())
        return time.monotonic() - self._awaiting[1] < SPELLINGS_GRACE_SECONDS

    def _prepare_statistics(self, helped: bool = True) -> None:
        """Build the last commit's did-you-mean statistics and pair counts now, so that no
        query pays for them, and list them in its manifest. `helped`: the did-you-mean in a
        helper process while this one builds the pair model (`_spellings_beside`), then read
        back (or built here, if the helper did not save them). Our sync has released the
        writer lock: another writer may commit meanwhile, removing the files read here."""
        from searchkit.cpu import huge_pages
        from searchkit.indexing.store import record_caches

        ix = open_index(self.path)
        generation = ix.latest_generation()
        with huge_pages():  # as a merge's (`searchkit.cpu`): a writer's arrays and its helper's, not a search's
            helper = _spellings_beside(self.path, generation) if helped else None
            try:
                with _naming_damage(self.path), ix.reader() as reader, self._lock:
                    self.load_pairs(reader, wait_for_writer=False)
                    _finished(helper)
                    self.load_spellings(reader, wait_for_writer=False)
            except Exception:  # noqa: BLE001 - damage, or files a newer commit removed: told apart here
                if (latest_generation(self.path) or 0) > generation:
                    return  # another writer's commit removed what was read: it prepares its own
                raise
            finally:
                _finished(helper)
        record_caches(self.path)

    # ------------------------------------------------------------------ writing

    def existing(self) -> dict[str, tuple[str, str]]:
        from searchkit.indexing.sync import existing_documents

        return existing_documents(open_index(self.path))

    def sync(self, paths: Iterable, *, rebuild: bool = False, remove_missing: bool = True, wait: float = 0.0,
             workers: int | None = None, batch_size: int | None = None, progress=None,
             follow: bool = False, prune: bool = False) -> IndexReport:
        """Sync the index with the articles under `paths` (see `searchkit.indexing.sync`)."""
        from searchkit.indexing.sync import sync  # the indexing machinery: not on the query path

        with _naming_damage(self.path):
            report = sync(self.path, paths, rebuild=rebuild, remove_missing=remove_missing, wait=wait,
                          workers=workers, batch_size=batch_size or 2000, progress=progress, follow=follow,
                          prune=prune)
        if report.total:
            self._prepare_statistics(helped=workers != 1)  # one worker asked for: no other process
        return report

    def optimize(self, wait: float = 0.0) -> int:
        from searchkit.indexing.sync import optimize_index

        with _naming_damage(self.path):
            rewritten = optimize_index(self.path, wait)
        self._prepare_statistics()
        return rewritten

    def repair(self, paths: list | None = None, wait: float = 0.0) -> dict:
        """See `SearchEngine.repair` and `searchkit.indexing.check.repair_index`."""
        from searchkit.indexing.check import repair_index

        self.close()
        return repair_index(self.path, paths, wait)

    # ------------------------------------------------------------------ the rest

    def count(self) -> int:
        """Articles in the last commit. Counted again only when the folder changed: a server's
        health check (`/healthz`, asked every few seconds by a load balancer) opened the index
        each time, 3 ms of CPU, where one stat tells that no commit came (`settled_stamp`)."""
        stamp = settled_stamp(self.path)
        known = self._count  # one read: another thread may replace it
        if stamp is not None and known is not None and known[0] == stamp:
            return known[1]
        counted = open_index(self.path).doc_count()
        if stamp is not None:  # read before opening: a commit meanwhile changes the stamp, and counts again
            self._count = (stamp, counted)
        return counted

    def check(self) -> dict:
        from searchkit.indexing.check import check_index

        return check_index(self.path)

    def stats(self) -> dict:
        from searchkit.indexing.check import index_stats

        return index_stats(self.path)


class StoredFields:
    """Hits' stored fields, kept by segment and document number (`KeptValues`). A segment
    never changes what it stores (a commit adds segments, deletes by marking, and a merge
    writes a new segment under a new id), so they stay true across commits: the searches
    after one show mostly the hits of those before it, and decompressing their stored text
    was an eighth of a warm dev-set search (0.27 of 2.2 s for 910 queries over the 16k corpus)."""

    def __init__(self, limit: int = KEPT_STORED):
        from searchkit.searching.kept import KeptValues

        self._kept: KeptValues[dict] = KeptValues(limit)

    def of(self, arrays, searcher, docs) -> list[dict | None]:
        """The stored fields of each of the global doc numbers `docs` (copies: a caller may
        change its own), by the generation's `layout` (segment id, first doc number, size)."""
        from bisect import bisect_right

        starts = [offset for _, offset, _ in arrays.layout]
        found = []
        for doc in docs:
            at = bisect_right(starts, doc) - 1
            key = (arrays.layout[at][0], doc - starts[at]) if at >= 0 else None  # no segment: not kept
            fields = self._kept.get(key, lambda: searcher.stored_fields(doc))  # made at once, in this turn
            found.append(dict(fields) if fields is not None else None)
        return found


class LocalView:
    """One generation of the local index (`searching.backend.View`); lives for one call."""

    def __init__(self, store: LocalIndex, searcher):
        self.store = store
        self.searcher = searcher

    @cached_property
    def arrays(self):
        return self.store.arrays_for(self.searcher.reader())

    def vocabulary(self, query: str = "") -> Vocabulary:
        return self.store.vocabulary_for(self.arrays)

    def statistics(self, plan: QueryPlan):
        return self.arrays

    def candidates(self, plan: QueryPlan, chosen: Filters, *, sort: str = "relevance", depth: int = 10,
                   facets: bool = False) -> Candidates:
        """Every document: the filters are a mask over them (ranking reads whole postings)."""
        return Candidates(self.arrays, self._allowed(chosen))

    def _allowed(self, chosen: Filters):
        """The filters' mask (`keyed_tables.filter_mask`), kept with the generation for the
        last KEPT_MASKS filters: the same filters again (another query, page or facet under
        them) are not worked out again."""
        from searchkit.backends.keyed_tables import filter_mask

        masks = self.arrays.memo.setdefault("allowed", {})
        mask = masks.get(chosen)
        if mask is None and chosen not in masks:
            mask = filter_mask(self._terms, chosen, self.arrays.size)
            if mask is not None:
                mask.flags.writeable = False  # shared by later searches: read only
            if len(masks) >= KEPT_MASKS:
                masks.pop(next(iter(masks)))
            masks[chosen] = mask
        return mask

    def _terms(self, field: str):
        """A Whoosh field's terms over this generation with the articles holding each
        (`keyed_tables.Terms`), joined once per generation from each segment's, which are read
        once per segment."""
        from searchkit.backends.keyed_tables import generation_terms

        memo = self.arrays.memo
        key = f"terms:{field}"
        if key not in memo:
            memo[key] = generation_terms(self.arrays, field)
        return memo[key]

    def stored(self, candidates: Candidates, docs) -> list[dict | None]:
        return self.store.stored_fields.of(self.arrays, self.searcher, docs)

    def docnum(self, candidates: Candidates | None, article_id: str) -> int | None:
        """The document number of an article id (compared with the indexed ids only), or None."""
        from whoosh.query import Term

        return next(iter(self.searcher.docs_for_query(Term("id", article_id))), None)

    def article(self, article_id: str) -> dict | None:
        docnum = self.docnum(None, article_id)
        return None if docnum is None else self.searcher.stored_fields(docnum)

    def known_values(self, name: str) -> dict[str, str]:
        return {key: spelled for key, (spelled, _) in self._keyed(name).items()}

    def _keyed(self, name: str) -> dict:
        """Folded key -> (spelling, numpy array of live doc numbers) of each value of a keyed
        field (`fields.KEYED`): source and category spelled as the first article holding the
        key spells them; a field with several values (tags) as most of its articles spell it,
        read from its terms as written (`tag_spelled`), no stored fields. Once per generation."""
        memo = self.arrays.memo
        kept = f"keyed:{name}"
        if kept not in memo:
            keyed, alive = KEYED_BY_NAME[name], self.arrays.alive
            memo[kept] = _spelled_documents(self._terms(f"{name}_spelled").live(alive)) if keyed.many else {
                key: (self.searcher.stored_fields(int(docs[0])).get(keyed.attribute) or key, docs)
                for key, docs in self._terms(keyed.key_field).live(alive)}
        return memo[kept]

    def days(self, candidates: Candidates) -> np.ndarray:
        """Every document's date as a number (20100203; 0 when undated), once per generation:
        sorting a whole result list by date is then a numpy sort."""
        import numpy as np

        memo = self.arrays.memo
        if "days" not in memo:
            dates = self._terms("date")
            days = np.array([day_number(date) for date in dates.terms] + [0], dtype=np.int64)
            memo["days"] = days.take(dates.codes())  # -1, undated: the last, 0
        return memo["days"]

    def facet_values(self, candidates: Candidates, name: str) -> list:
        """Each article's value of a facet (None where it has none; a tuple of spellings for
        a field with several values), from `facet_codes`."""
        coded = self.facet_codes(candidates, name)
        if coded.docs is None:
            return [coded.labels[code] if code >= 0 else None for code in coded.codes.tolist()]
        values: list = [()] * self.arrays.size
        for doc, code in zip(coded.docs.tolist(), coded.codes.tolist()):
            values[doc] = values[doc] + (coded.labels[code],)
        return values

    def facet_codes(self, candidates: Candidates, name: str) -> FacetCodes:
        """A facet's values numbered once per index generation (`searching.facet_codes`), so
        that a faceted search counts its matches' values in numpy: the year of the date's term,
        a field of one value (province) by its terms, the others by their keys' spellings
        (`_keyed`)."""
        from searchkit.searching.facet_codes import FacetCodes

        memo = self.arrays.memo
        key = f"facet codes:{name}"
        if key not in memo:
            memo[key] = FacetCodes.of_terms(*self._facet_terms(name), size=self.arrays.size)
        return memo[key]

    def _facet_terms(self, name: str) -> tuple[list, list, bool]:
        """(each value of a facet, the doc numbers holding it, whether an article may hold
        several) before numbering."""
        field = KEYED_BY_NAME.get(name)
        if name == "year":
            dates = self._terms("date")
            return [date[:4] for date in dates.terms], list(dates.docs), False
        if field is None or getattr(self.searcher.schema[field.attribute], "column_type", None):
            values = self._terms(field.attribute if field else name)
            return list(values.terms), list(values.docs), False
        found = self._keyed(name).values()
        return [spelled for spelled, _ in found], [docs for _, docs in found], field.many

    def spellings(self) -> Spellings:
        return self.store.load_spellings(self.searcher.reader())

    def pairs(self) -> PairModel:
        return self.store.load_pairs(self.searcher.reader())

    def complete(self, prefix: str, limit: int) -> list[str]:
        from searchkit.searching.complete import words_gone

        return self.store.completion_table(self.arrays, self.pairs()).complete(prefix, limit, words_gone(self.arrays))


def _spelled_documents(found) -> dict:
    """`LocalView._keyed` of a field with several values from (spelling, live doc numbers) of
    each of its terms as written: the spellings grouped by folded key, the one most articles
    hold first (ties: the first in Unicode order)."""
    import numpy as np

    from searchkit.text.keys import folded_key

    groups: dict[str, list] = {}
    for spelled, docs in found:
        groups.setdefault(folded_key(spelled), []).append((-len(docs), spelled, docs))
    return {key: (min(group, key=lambda item: item[:2])[1], np.concatenate([docs for *_, docs in group]))
            for key, group in groups.items()}


@contextmanager
def _naming_damage(path: Path):
    """An unexpected error within is reported as the damage check finds, if any. Where no
    index is yet, neither its marker nor a commit (a first build that failed before it made
    one), nothing can be damaged: the error is raised as it is, not as "no index at …" (a
    build without Whoosh's `cached_property` package was told to build the index it was
    building)."""
    try:
        yield
    except SearchkitError:
        raise
    except Exception as error:  # noqa: BLE001 - damage, or a bug when check finds none
        if is_index(path) or latest_generation(path) is not None:
            _raise_damage_found(path, error)
        raise


def _raise_real_failure(path: Path, failure: Exception, moved: Callable[[], bool]) -> None:
    """Raise what a call's `failure` is when no commit replaced what it read: an
    IndexDamagedError as it is; another error as the damage `searchkit check` finds, or as
    itself (a bug) when the check finds none. Returns when the check itself met a commit
    (`moved()` again): its damage may be the files that commit removed, so the call runs again."""
    if isinstance(failure, SearchkitError):
        raise failure
    try:
        _raise_damage_found(path, failure)
    except IndexDamagedError:
        if not moved():
            raise
        return
    raise failure


def _raise_damage_found(path: Path, error: Exception) -> None:
    """Raise IndexDamagedError (from `error`) naming the first damage `searchkit check`
    finds in the index; return when it finds none (then `error` is a bug)."""
    from searchkit.indexing.check import damage_of
    from searchkit.indexing.manifest import damaged_file

    problems = damage_of(path)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise damaged_file(path, problems[0] + more) from error
