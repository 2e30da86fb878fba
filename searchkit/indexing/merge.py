"""Merge segments: a tiered policy after every sync, and `optimize` (everything into one).

Every sync that changes something adds a segment, and replaced or removed articles stay in
their old segments as deletions. Left alone, 200 one-article adds make 200 segments (slower
queries, hundreds of open files) and a full re-sync doubles the index. After each sync the
smallest segments are merged into one as soon as there are more than MAX_SEGMENTS, and a
segment that is mostly deletions is rewritten: the stored fields of the articles still live
in them are copied into one new segment, their postings merged array by array without
analysing any text again (`postings.merge_postings`; pair counts summed), and it is
committed in one table of contents that drops the merged segments. Readers keep the segments they opened until they reopen; a crash
before the commit leaves the last commit intact, and the next run sweeps the files.

Before a merge reads a segment, every file of it is verified against its checksum in the
manifest and its postings against themselves (as Lucene does on merge): a damaged segment
stops the merge with an IndexDamagedError naming the file, instead of being rewritten into a
new segment whose fresh checksums would hide the damage for good.

Merging the smallest segments, and only segments of similar size, keeps the work bounded:
an article is rewritten again only when its segment is again among the smallest, so about
once per tenfold growth.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

#: More segments than this after a sync: the smallest are merged.
MAX_SEGMENTS = 10
#: Segments merged together at most (besides `optimize`).
MERGE_FACTOR = 10
#: Segments of up to this many times the smallest's articles are its peers, merged with it.
SIMILAR = 10
#: Segments allowed past MAX_SEGMENTS while a lone small one waits for peers.
SLACK = 2
#: A segment with this share of its documents deleted is rewritten.
MOSTLY_DELETED = 0.5
#: Merges that can be made at the same time are written in processes of their own when they
#: rewrite this many articles in all (a first build at 16 times the corpus ends with four, of
#: 8,000 to 83,000 articles); fewer are merged one by one (a process costs more than they do).
MERGE_APART_ARTICLES = 20_000
#: A merge's peak memory for each byte of its segments' postings files: ten segments of 8,000
#: articles (440 MB of them at 16 times the corpus) peaked at 1.77 GB. Merges are written at
#: once only as many as the memory available holds at that peak.
MERGE_MEMORY_PER_POSTINGS_BYTE = 4.5


@dataclass(frozen=True)
class SegmentSize:
    """A segment's id with its live and deleted document counts."""

    segment_id: str
    live: int
    deleted: int = 0


def plan_merge(sizes: list[SegmentSize], max_segments: int = MAX_SEGMENTS,
               factor: int = MERGE_FACTOR) -> list[str]:
    """Ids of the segments to merge into one now (empty: nothing to do).

    >>> plan_merge([SegmentSize(f"s{i}", 1) for i in range(12)] + [SegmentSize("big", 5000)])
    ['s0', 's1', 's10', 's11', 's2', 's3', 's4', 's5', 's6', 's7']
    >>> plan_merge([SegmentSize("new", 1)] + [SegmentSize(f"b{i}", 2000) for i in range(10)])
    []
    >>> plan_merge([SegmentSize("new", 1)] + [SegmentSize(f"b{i}", 2000) for i in range(12)])
    ['new', 'b0']
    >>> plan_merge([SegmentSize("a", 2000), SegmentSize("b", 900, deleted=1100)])
    ['b']
    >>> plan_merge([SegmentSize("a", 2000), SegmentSize("b", 10)])
    []
    """
    emptied = [s.segment_id for s in sizes if s.deleted and s.deleted >= MOSTLY_DELETED * (s.live + s.deleted)]
    if len(sizes) <= max_segments:
        return emptied
    ordered = sorted(sizes, key=lambda s: (s.live, s.segment_id))
    smallest = max(ordered[0].live, 1)
    group = [s for s in ordered[:factor] if s.live <= SIMILAR * smallest]  # its peers only
    if len(group) < 2:
        if len(sizes) <= max_segments + SLACK:  # a lone small one waits for peers
            return emptied
        group = ordered[:2]
    chosen = [s.segment_id for s in group]
    return chosen + [s for s in emptied if s not in chosen]


#: Ids the results of merges planned ahead are given (`planned_merges`): before and after
#: every real one, so that a merge chosen either way is chosen whatever id its result gets.
_RESULT_IDS = ("\0merged-{}", "\U0010ffffmerged-{}")


def planned_merges(sizes: list[SegmentSize], max_segments: int = MAX_SEGMENTS,
                   factor: int = MERGE_FACTOR) -> list[list[str]]:
    """The merges `plan_merge` asks for one after another (each planned on the segments the
    ones before leave) as far as they can be made at the same time: none merges another's
    result, and none would be chosen otherwise were that result's id another. Committed in
    this order, they leave the index `merge_by_policy` leaves merging them one by one.

    >>> [len(group) for group in planned_merges([SegmentSize(f"s{i:02}", 8000) for i in range(32)])]
    [10, 10, 10]
    >>> planned_merges([SegmentSize(f"s{i:02}", 1) for i in range(12)] + [SegmentSize("big", 5000)])[1:]
    []
    """
    groups: list[list[str]] = []
    kept, results = list(sizes), []  # the segments no merge planned takes; its results' articles
    while True:
        plans = [plan_merge(kept + [SegmentSize(mark.format(n), live) for n, live in enumerate(results)],
                            max_segments, factor) for mark in _RESULT_IDS]
        if not plans[0] or plans[0] != plans[1]:  # done, or a merge of a result (its ids differ)
            return groups
        chosen = set(plans[0])
        groups.append(plans[0])
        live = sum(s.live for s in kept if s.segment_id in chosen)
        kept = [s for s in kept if s.segment_id not in chosen]
        if live:  # a merge of deleted articles only leaves no segment
            results.append(live)


def segment_sizes(ix) -> list[SegmentSize]:
    from searchkit.indexing.adapter import index_segments

    return [SegmentSize(s.segment_id(), s.doc_count(), s.deleted_count()) for s in index_segments(ix)]


def merge(ix, index_dir: Path, segment_ids: list[str]) -> int:
    """Merge the given segments into one in a single commit; returns the articles rewritten.

    Nothing is analysed again: the live articles' stored fields are copied into a new Whoosh
    segment and their postings merged array by array (`postings.merge_postings`), deleted
    articles dropped from both.
    """
    return _commit_merged(ix, segment_ids, write_merged(ix, index_dir, segment_ids))


def write_merged(ix, index_dir: Path, segment_ids: list[str]):
    """The merged segment of `merge`, written in a batch folder of the index and not committed
    (a `segments.Batch`), or None when none of their articles is live. It reads the segments
    only: several are written at once by processes of their own (`merge_by_policy`)."""
    from searchkit.cpu import huge_pages
    from searchkit.indexing.adapter import leaf_segment_id, segment_leaves
    from searchkit.indexing.manifest import verify_segments
    from searchkit.indexing.postings import for_segment
    from searchkit.indexing.segments import BATCH_PREFIX, Batch

    chosen = set(segment_ids)
    verify_segments(index_dir, ix.latest_generation(), chosen)
    with huge_pages(), ix.reader() as reader:  # arrays of hundreds of MB: faulted in 2 MB at a time
        leaves = [leaf for leaf, _ in segment_leaves(reader) if leaf_segment_id(leaf) in chosen]
        sources = [(for_segment(leaf), live_mask(leaf)) for leaf in leaves]
        for side, _ in sources:
            side.verify()
        if not any(alive.any() for _, alive in sources):
            return None
        ids: list[str] = []
        folder = tempfile.mkdtemp(prefix=BATCH_PREFIX, dir=index_dir)
        try:
            segment = _write_merged_files(Path(folder), leaves, sources, ids)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
    return Batch(folder, segment, ids)


def _write_merged_files(folder: Path, leaves: list, sources: list, ids: list[str]):
    """The merged segment's files in `folder`: Whoosh's (stored fields, columns, keys) in a
    thread, the pair counts and the postings file beside it in this one. They share nothing,
    and numpy lets go of the interpreter while it sorts and gathers the postings: where a core
    is free, a 16k merge takes two thirds of the time one after the other took (2.2 against
    3.4 s). The postings stay in this thread: allocated in a thread of their own, their big
    arrays came from another allocator arena, and a ×16 merge peaked at 1.91 GB, not 1.71."""
    from concurrent.futures import ThreadPoolExecutor

    from searchkit.indexing.adapter import write_stored_segment
    from searchkit.indexing.postings import SUFFIX, merge_postings
    from searchkit.indexing.statistics import merge_packed

    merged = folder / ("merged" + SUFFIX)  # named once the segment's id is known
    with ThreadPoolExecutor(1) as beside:  # waited for on the way out, whatever happens
        written = beside.submit(write_stored_segment, str(folder), _merged_documents(leaves, sources, ids),
                                stored_as_given=True)
        pairs = merge_packed([packed for packed in (side.pairs() for side, _ in sources) if packed is not None])
        merge_postings(merged, sources, pairs)
        segment = written.result()
    os.replace(merged, folder / (segment.segment_id() + SUFFIX))
    return segment


def _merged_documents(leaves: list, sources: list, ids: list[str]):
    """Each live article's Whoosh document (its keys: `adapter.DocumentKeys`) with its stored
    fields as its segment holds them, in order, its id appended to `ids`; streamed: one
    segment's stored fields at a time."""
    from searchkit.indexing.adapter import DocumentKeys, stored_bytes
    from searchkit.indexing.schema import ALWAYS_GIVEN

    for leaf, (_, alive) in zip(leaves, sources):
        stored = keys = None  # the segment before's let go first: one segment's at a time
        stored, starts, ends = stored_bytes(leaf)  # copied as they are
        keys = DocumentKeys(leaf, ALWAYS_GIVEN)
        for docnum in np.flatnonzero(alive).tolist():
            document = keys[docnum]
            ids.append(document["id"])
            yield document, stored[starts[docnum]:ends[docnum]]


def _commit_merged(ix, segment_ids: list[str], batch) -> int:
    """Commit a merged segment (`write_merged`; None: nothing live) in place of its sources."""
    from searchkit.indexing.segments import commit_batch

    commit_batch(ix, batch, dropped=frozenset(segment_ids))
    return 0 if batch is None else len(batch.ids)


def _merged_apart(index_dir: str, segment_ids: list[str]):
    """`write_merged` in a process of its own, on the index as its writer left it."""
    from searchkit.indexing.store import open_index

    return write_merged(open_index(index_dir), Path(index_dir), segment_ids)


def live_mask(leaf) -> np.ndarray:
    """True for each document of a segment reader that is not deleted."""
    from searchkit.indexing.adapter import deleted_documents

    alive = np.ones(leaf.doc_count_all(), dtype=bool)
    alive[np.asarray(deleted_documents(leaf), dtype=np.int64)] = False
    return alive


def merge_by_policy(ix, index_dir: Path, workers: int = 1) -> int:
    """Merge as `plan_merge` says until it says nothing more; returns the articles rewritten.
    With `workers`, the merges that can be made at the same time (`planned_merges`: a first
    build of hundreds of thousands of articles ends with several) are written up to that many
    at once, as many as the memory available holds, each in a process of its own, and
    committed in turn."""
    rewritten = 0
    for _ in range(100):  # bounded: every merge removes at least one segment
        sizes = segment_sizes(ix)
        groups = planned_merges(sizes) if workers > 1 else [plan_merge(sizes)]
        if not groups or not groups[0]:
            break
        live = {s.segment_id: s.live for s in sizes}
        if len(groups) > 1 and sum(live[i] for group in groups for i in group) >= MERGE_APART_ARTICLES:
            at_once = _merges_at_once(index_dir, groups, workers)
            if at_once > 1:
                for group, batch in zip(groups, _written_apart(index_dir, groups, at_once)):
                    rewritten += _commit_merged(ix, group, batch)
                continue
        rewritten += merge(ix, index_dir, groups[0])  # the first, and planned again after it
    return rewritten


def _merges_at_once(index_dir: Path, groups: list[list[str]], workers: int) -> int:
    """How many of these merges to write at the same time: no more than `workers`, nor than
    the memory available holds at once, each at the peak the largest one may reach; 1 where
    that memory is not known (`memory_available`)."""
    from searchkit.indexing.postings import SUFFIX

    available = memory_available()
    if available is None:
        return 1
    largest = max(sum(_size(index_dir / (segment_id + SUFFIX)) for segment_id in group) for group in groups)
    return max(1, min(workers, len(groups), int(available // (MERGE_MEMORY_PER_POSTINGS_BYTE * max(largest, 1)))))


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:  # a missing file: the merge's verification names it
        return 0


def memory_available() -> int | None:
    """Bytes of memory the system can give without swapping (Linux's MemAvailable), or None
    where it does not say."""
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def _written_apart(index_dir: Path, groups: list[list[str]], workers: int) -> list:
    """`write_merged` of each group, up to `workers` at once in processes of their own (as a
    build's batches: `segments.start_method`). When one fails, what the others wrote is
    removed and its error raised (were the run killed, the next one sweeps their folders); a
    process killed meanwhile (out of memory) fails its merge, where a `multiprocessing.Pool`
    would wait for it for ever."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from searchkit.indexing.segments import die_with_parent, start_method

    context = multiprocessing.get_context(start_method())
    with ProcessPoolExecutor(min(workers, len(groups)), mp_context=context, initializer=die_with_parent) as pool:
        pending = [pool.submit(_merged_apart, str(index_dir), group) for group in groups]
        written = []
        for job in pending:  # every one waited for: none is left writing while its folder is removed
            try:
                written.append(job.result())
            except Exception as error:  # noqa: BLE001 - raised below, once the others are done
                written.append(error)
    failed = next((batch for batch in written if isinstance(batch, Exception)), None)
    if failed is not None:
        for batch in written:
            if batch is not None and not isinstance(batch, Exception):
                shutil.rmtree(batch.folder, ignore_errors=True)
        raise failed
    return written


def optimize(ix, index_dir: Path) -> int:
    """Merge every segment into one (deleted articles dropped); returns the articles rewritten."""
    sizes = segment_sizes(ix)
    if len(sizes) <= 1 and not any(s.deleted for s in sizes):
        return 0
    return merge(ix, index_dir, [s.segment_id for s in sizes])
