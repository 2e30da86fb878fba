"""Sync a searchkit index with a corpus: add new articles, re-index changed ones, remove
vanished ones, commit in batches, one writer at a time.
"""

from __future__ import annotations

import itertools
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

from searchkit.corpus import iter_articles
from searchkit.models import Article, IndexReport, Skipped, Unchanged
from searchkit.segments import commit_batch, sweep, written_batches
from searchkit.store import create_index, is_index, open_index, read_marker, writer_lock

Progress = Callable[[int], None]


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


def _to_index(entries: Iterable, run: _Run, progress: Progress | None) -> Iterator[Article]:
    """Pass on the articles that are new or changed; count the rest."""
    for entry in entries:
        run.done += 1
        if progress:
            progress(run.done)
        if isinstance(entry, Unchanged):
            run.seen[entry.id] = entry.path
            run.unchanged += 1
        elif isinstance(entry, Skipped):
            run.skipped.append(entry)
        elif entry.id in run.seen:
            run.skipped.append(Skipped(entry.path, f"duplicate id {entry.id!r}, first read from {run.seen[entry.id]}"))
        else:
            run.seen[entry.id] = entry.path
            if run.existing.get(entry.id) == (entry.hash, entry.path):  # e.g. a legacy-encoded
                run.unchanged += 1  # JSONL line, which the corpus' fast check cannot read
            else:
                yield entry


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
    Articles are analysed and written `batch_size` at a time by `workers` processes
    (default: one per core); each batch is one commit, so a crash loses at most the
    batches not yet committed, and memory stays bounded on any corpus.
    """
    started = time.monotonic()
    index_dir = Path(index_dir)
    paths = [Path(p) for p in paths]
    workers = workers or os.cpu_count() or 1
    with writer_lock(index_dir, wait):
        ix = _open_for_writing(index_dir, rebuild)
        sweep(index_dir)
        run = _Run(existing={} if rebuild else _existing_documents(ix))
        articles = _to_index(iter_articles(paths, run.existing), run, progress)
        batches = iter(lambda: list(itertools.islice(articles, batch_size)), [])
        clear = rebuild
        for batch in written_batches(index_dir, batches, workers):
            replaced = [doc_id for doc_id in batch.ids if doc_id in run.existing]
            commit_batch(ix, batch, replaced, clear)
            run.updated += len(replaced)
            run.added += len(batch.ids) - len(replaced)
            clear = False
        if clear:  # a rebuild that found no article still empties the index
            commit_batch(ix, None, clear=True)
        removed = _remove_missing(ix, run, paths) if remove_missing else 0
        total = ix.doc_count()
    return IndexReport(
        added=run.added, updated=run.updated, removed=removed, unchanged=run.unchanged,
        skipped=tuple(run.skipped), seconds=time.monotonic() - started, total=total,
    )


def _open_for_writing(index_dir: Path, rebuild: bool):
    from searchkit.schema import SCHEMA_VERSION

    if not is_index(index_dir):
        return create_index(index_dir)
    if read_marker(index_dir).get("schema_version") != SCHEMA_VERSION:
        if not rebuild:
            open_index(index_dir)  # raises the message that asks for --rebuild
        return create_index(index_dir)
    return open_index(index_dir)


def _remove_missing(ix, run: _Run, paths: list[Path]) -> int:
    """Delete documents that came from under `paths` but were not seen in this run."""
    roots = [str(p.resolve()) for p in paths]
    gone = [
        doc_id for doc_id, (_, path) in run.existing.items()
        if doc_id not in run.seen and any(_within(path, root) for root in roots)
    ]
    if gone:
        commit_batch(ix, None, replaced=gone)
    return len(gone)


def _within(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)
