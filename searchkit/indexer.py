"""Create, open and sync a searchkit index: add new articles, re-index changed ones,
remove vanished ones, commit in batches, one writer at a time.
"""

from __future__ import annotations

import fcntl
import itertools
import json
import multiprocessing
import os
import signal
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

from searchkit.corpus import iter_articles
from searchkit.errors import IndexBusyError, IndexFormatError, IndexNotFoundError
from searchkit.models import Article, IndexReport, Skipped
from searchkit.text.keys import folded_key

MARKER = "searchkit.json"
LOCK = ".searchkit.lock"
#: Below this many articles to analyse, worker processes cost more than they save.
PARALLEL_THRESHOLD = 200

Progress = Callable[[int], None]


def is_index(path: str | os.PathLike) -> bool:
    """True when `path` holds a searchkit index (of any schema version)."""
    return (Path(path) / MARKER).is_file()


def open_index(path: str | os.PathLike):
    """Open an existing index for reading; raises a SearchkitError saying what to do."""
    from whoosh.index import open_dir

    from searchkit.schema import SCHEMA_VERSION

    path = Path(path)
    if not is_index(path):
        if path.is_dir() and _visible_entries(path):
            raise IndexFormatError(f"{path} is not a searchkit index; point --index at another directory")
        raise IndexNotFoundError(f"no index at {path}; build one with: searchkit index CORPUS --index {path}")
    version = _read_marker(path).get("schema_version")
    if version != SCHEMA_VERSION:
        raise IndexFormatError(
            f"the index at {path} was written by schema version {version}, this searchkit reads "
            f"version {SCHEMA_VERSION}; rebuild it with: searchkit index --rebuild --index {path}"
        )
    return open_dir(str(path))


def _visible_entries(path: Path) -> list[str]:
    return [name for name in os.listdir(path) if not name.startswith(".")]


def _read_marker(path: Path) -> dict:
    try:
        return json.loads((path / MARKER).read_text("utf-8"))
    except (OSError, ValueError):
        return {}


def _create_index(path: Path):
    from whoosh.index import create_in

    from searchkit.schema import SCHEMA_VERSION, build_schema

    if path.exists() and _visible_entries(path) and not is_index(path):
        raise IndexFormatError(f"{path} is not empty and not a searchkit index; refusing to overwrite it")
    path.mkdir(parents=True, exist_ok=True)
    ix = create_in(str(path), build_schema())
    temporary = path / (MARKER + ".tmp")
    temporary.write_text(json.dumps({"format": "searchkit", "schema_version": SCHEMA_VERSION}), "utf-8")
    os.replace(temporary, path / MARKER)
    return ix


@contextmanager
def writer_lock(path: Path, wait: float = 0.0) -> Iterator[None]:
    """Hold the index's writer lock for a whole run; the OS frees it if the process dies."""
    path.mkdir(parents=True, exist_ok=True)
    with open(path / LOCK, "a") as handle:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise IndexBusyError(
                        f"the index at {path} is being updated by another process; "
                        "try again when it finishes, or pass --wait SECONDS"
                    ) from None
                time.sleep(0.1)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@dataclass
class _Run:
    """Mutable bookkeeping of one sync run."""

    existing: dict[str, tuple[str, str]]  # id -> (hash, path) already in the index
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    seen: dict[str, str] = field(default_factory=dict)  # id -> path, this run
    done: int = 0


def _existing_documents(ix) -> dict[str, tuple[str, str]]:
    """id -> (content hash, path) of every live document, read from columns (no bodies)."""
    with ix.reader() as reader:
        if reader.doc_count() == 0:
            return {}
        ids, hashes, paths = (reader.column_reader(name) for name in ("id", "hash", "path"))
        return {ids[n]: (hashes[n], paths[n]) for n in reader.all_doc_ids()}


def _document(article: Article, fields: dict[str, list[str]]) -> dict:
    from searchkit.schema import KEYED_FIELDS

    stored = {
        "id": article.id, "hash": article.hash, "path": article.path,
        "_stored_title": article.title, "_stored_body": article.body,
    }
    for name in ("date", "source", "category", "province", "author", "url"):
        value = getattr(article, name)
        if value:
            stored[name] = value
    for name in KEYED_FIELDS:
        key = folded_key(getattr(article, name) or "")
        if key:
            stored[f"{name}_key"] = key
    return {**fields, **stored}


def _to_index(entries: Iterable, run: _Run, progress: Progress | None) -> Iterator[Article]:
    """Pass on the articles that are new or changed; count the rest."""
    for entry in entries:
        run.done += 1
        if progress:
            progress(run.done)
        if isinstance(entry, Skipped):
            run.skipped.append(entry)
        elif entry.id in run.seen:
            run.skipped.append(Skipped(entry.path, f"duplicate id {entry.id!r}, first read from {run.seen[entry.id]}"))
        else:
            run.seen[entry.id] = entry.path
            if run.existing.get(entry.id) == (entry.hash, entry.path):
                run.unchanged += 1
            else:
                yield entry


def _analyze(article: Article) -> tuple[Article, dict[str, list[str]]]:
    from searchkit.analysis import analyze_article

    return article, analyze_article(article)


def _worker_init() -> None:
    """Workers die with their parent (no orphan holding the lock) and leave Ctrl-C to it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: workers end when the pool is closed
        pass


def analyzed(articles: Iterable[Article], workers: int) -> Iterator[tuple[Article, dict]]:
    """Analyse articles in order, in `workers` processes when there are many of them.

    At most a few hundred articles are in flight, so memory stays bounded on any corpus.
    """
    articles = iter(articles)
    head = list(itertools.islice(articles, PARALLEL_THRESHOLD))
    if workers <= 1 or len(head) < PARALLEL_THRESHOLD:
        yield from map(_analyze, itertools.chain(head, articles))
        return
    slots = threading.BoundedSemaphore(workers * 64)

    def throttled() -> Iterator[Article]:
        for article in itertools.chain(head, articles):
            slots.acquire()
            yield article

    with multiprocessing.get_context("fork").Pool(workers, initializer=_worker_init) as pool:
        for result in pool.imap(_analyze, throttled(), chunksize=8):
            slots.release()
            yield result


def sync(
    index_dir: str | os.PathLike,
    paths: Iterable[str | os.PathLike],
    *,
    rebuild: bool = False,
    remove_missing: bool = True,
    batch_size: int = 2000,
    workers: int | None = None,
    wait: float = 0.0,
    progress: Progress | None = None,
) -> IndexReport:
    """Bring the index at `index_dir` in line with the articles under `paths`.

    New articles are added, changed ones re-indexed, unchanged ones skipped by content
    hash, and (with `remove_missing`) articles that vanished from `paths` removed.
    Commits every `batch_size` articles: a crash loses at most the current batch.
    """
    started = time.monotonic()
    index_dir = Path(index_dir)
    paths = [Path(p) for p in paths]
    workers = workers or os.cpu_count() or 1
    with writer_lock(index_dir, wait):
        ix = _open_for_writing(index_dir, rebuild)
        run = _Run(existing={} if rebuild else _existing_documents(ix))
        entries = iter_articles(paths)
        stream = analyzed(_to_index(entries, run, progress), workers)
        clear = rebuild
        while True:
            batch = list(itertools.islice(stream, batch_size))
            if not batch and not clear:
                break
            _commit_batch(ix, batch, run, clear)
            clear = False
            if len(batch) < batch_size:
                break
        removed = _remove_missing(ix, run, paths) if remove_missing else 0
        total = ix.doc_count()
    return IndexReport(
        added=run.added, updated=run.updated, removed=removed, unchanged=run.unchanged,
        skipped=tuple(run.skipped), seconds=time.monotonic() - started, total=total,
    )


def _open_for_writing(index_dir: Path, rebuild: bool):
    from searchkit.schema import SCHEMA_VERSION

    if not is_index(index_dir):
        return _create_index(index_dir)
    if _read_marker(index_dir).get("schema_version") != SCHEMA_VERSION:
        if not rebuild:
            open_index(index_dir)  # raises the message that asks for --rebuild
        return _create_index(index_dir)
    return open_index(index_dir)


def _commit_batch(ix, batch: list[tuple[Article, dict]], run: _Run, clear: bool) -> None:
    from whoosh.writing import CLEAR

    writer = ix.writer(compound=False, limitmb=256)
    try:
        for article, fields in batch:
            if article.id in run.existing:
                writer.update_document(**_document(article, fields))
                run.updated += 1
            else:
                writer.add_document(**_document(article, fields))
                run.added += 1
    except BaseException:
        writer.cancel()
        raise
    writer.commit(mergetype=CLEAR) if clear else writer.commit()


def _remove_missing(ix, run: _Run, paths: list[Path]) -> int:
    """Delete documents that came from under `paths` but were not seen in this run."""
    roots = [str(p.resolve()) for p in paths]
    gone = [
        doc_id for doc_id, (_, path) in run.existing.items()
        if doc_id not in run.seen and any(_within(path, root) for root in roots)
    ]
    if gone:
        writer = ix.writer(compound=False)
        for doc_id in gone:
            writer.delete_by_term("id", doc_id)
        writer.commit()
    return len(gone)


def _within(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)
