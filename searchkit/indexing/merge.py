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

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from searchkit.models import Article

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


def segment_sizes(ix) -> list[SegmentSize]:
    from searchkit.indexing.adapter import index_segments

    return [SegmentSize(s.segment_id(), s.doc_count(), s.deleted_count()) for s in index_segments(ix)]


def merge(ix, index_dir: Path, segment_ids: list[str]) -> int:
    """Merge the given segments into one in a single commit; returns the articles rewritten.

    Nothing is analysed again: the live articles' stored fields are copied into a new Whoosh
    segment and their postings merged array by array (`postings.merge_postings`), deleted
    articles dropped from both.
    """
    from searchkit.indexing.adapter import leaf_segment_id, segment_leaves, write_stored_segment
    from searchkit.indexing.manifest import verify_segments
    from searchkit.indexing.postings import SUFFIX, for_segment, merge_postings
    from searchkit.indexing.schema import document
    from searchkit.indexing.segments import BATCH_PREFIX, Batch, commit_batch
    from searchkit.indexing.statistics import merge_packed

    chosen = set(segment_ids)
    verify_segments(index_dir, ix.latest_generation(), chosen)
    with ix.reader() as reader:
        leaves = [leaf for leaf, _ in segment_leaves(reader) if leaf_segment_id(leaf) in chosen]
        sources = [(for_segment(leaf), live_mask(leaf)) for leaf in leaves]
        for side, _ in sources:
            side.verify()
        ids: list[str] = []

        def documents():  # streamed: a merge never holds every article's text at once
            for leaf, (_, alive) in zip(leaves, sources):
                for docnum in np.flatnonzero(alive).tolist():
                    article = Article.from_stored(leaf.stored_fields(docnum))
                    ids.append(article.id)
                    yield document(article)

        if not any(alive.any() for _, alive in sources):
            commit_batch(ix, None, dropped=frozenset(chosen))
            return 0
        folder = tempfile.mkdtemp(prefix=BATCH_PREFIX, dir=index_dir)
        try:
            segment = write_stored_segment(folder, documents())
            pairs = merge_packed([packed for packed in (side.pairs() for side, _ in sources) if packed is not None])
            merge_postings(Path(folder) / (segment.segment_id() + SUFFIX), sources, pairs)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
    commit_batch(ix, Batch(folder, segment, ids), dropped=frozenset(chosen))
    return len(ids)


def live_mask(leaf) -> np.ndarray:
    """True for each document of a segment reader that is not deleted."""
    from searchkit.indexing.adapter import deleted_documents

    alive = np.ones(leaf.doc_count_all(), dtype=bool)
    alive[np.asarray(deleted_documents(leaf), dtype=np.int64)] = False
    return alive


def merge_by_policy(ix, index_dir: Path) -> int:
    """Merge as `plan_merge` says until it says nothing more; returns the articles rewritten."""
    rewritten = 0
    for _ in range(100):  # bounded: every merge removes at least one segment
        chosen = plan_merge(segment_sizes(ix))
        if not chosen:
            break
        rewritten += merge(ix, index_dir, chosen)
    return rewritten


def optimize(ix, index_dir: Path) -> int:
    """Merge every segment into one (deleted articles dropped); returns the articles rewritten."""
    sizes = segment_sizes(ix)
    if len(sizes) <= 1 and not any(s.deleted for s in sizes):
        return 0
    return merge(ix, index_dir, [s.segment_id for s in sizes])
