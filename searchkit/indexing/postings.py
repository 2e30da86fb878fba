"""The postings store: one file per segment, `MAIN_<segid>.skp`, read by memory map.

Every field of `searchkit.fields` keeps its postings here and nowhere else (Whoosh keeps
the stored text, columns, the list of segments and deletions). The indexer has every
article's tokens in memory when it writes a segment, so the file is built with numpy in one
pass per field: a stable sort of (term, document, position) triples. A lookup is a binary
search in the term list, then slices of the memory map.

Layout: magic, header length, JSON header (padded with spaces: it is written last, into the
room kept for it), then the arrays at the byte offsets the header gives. The header holds,
per field, the number of terms and documents and each array as [offset, size, dtype]:

- `terms`: the sorted terms (UTF-8, each ended by a NUL byte); `sizes`: each term's bytes
  with its NUL (a byte each, as a rule: where the NULs are is their running sum, so a reader
  need not scan the bytes for them; a file written before them is scanned); `offsets`: where
  each term's postings begin;
- `ids`, `freqs`: document numbers and frequencies, in the smallest integer type that holds
  them (a 2,000-article segment's ids fit in 16 bits);
- `lengths`: tokens of the field in each document (BM25);
- positional fields: `at`, where each term's positions begin, and `positions`.

and `_pairs`, the segment's syllable pair counts (see `searching.accents`). No array is
stored that another gives: a posting's positions follow from the frequencies.
"""

from __future__ import annotations

import json
import struct
from bisect import bisect_left
from itertools import compress
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from searchkit.collector import untracked
from searchkit.distinct import stable_order
from searchkit.fields import FIELDS, WORDS
from searchkit.text.common_pairs import JOIN
from searchkit.text.numbering import Numbering

MAGIC = b"SKPOST02"
SUFFIX = ".skp"
#: Header entry of the syllable pair counts (see `searching.accents`).
PAIRS = "_pairs"
#: Header entry naming the list of common syllables whose pairs the file holds as terms.
COMMON = "_common"
_SEPARATOR = b"\0"
#: The byte a pair of common syllables holds between them (`text.common_pairs.JOIN`).
PAIR_BYTE = ord(JOIN)
#: Term lookups a segment remembers (`SegmentPostings._find`) before starting afresh.
MAX_REMEMBERED_TERMS = 200_000
#: Term lookups a field answers by bisecting its terms' bytes (`_TermView`) before they are split
#: into a list: a cold query looks up a few terms per segment, and splitting every field's
#: tens of thousands of terms was 17 ms of its 200 (issue 21, item 6).
VIEW_LOOKUPS = 32
#: ... or more for a large field: one lookup for this many of its terms. A lookup in the bytes
#: costs about 4-7 µs more than in the list, splitting about 30-70 ns a term (92,842 terms at
#: 16 times the corpus: 5.7 ms), so the field is split once bisecting its bytes has cost about
#: as much as splitting would (2-competitive, as renting skis before buying; measured break-even:
#: one lookup for 97-140 terms): at 32 lookups, every field of every segment was split within
#: the first 30 searches of a new index, up to 27 ms of one search.
TERMS_PER_LOOKUP = 100
#: Terms a field's bytes are bisected among at once (`_TermView`): a lookup sums the sizes of
#: one block's terms to find where they end, and the blocks' starts are summed once.
TERM_BLOCK = 64
#: Lookups a field's bytes answer by blocks before where every term ends is summed: a cold
#: query makes about five in each field of each segment, a question fifteen; a lookup by blocks
#: costs about 3 µs more, the sum a few hundred (its pages touched for the first time).
BLOCK_LOOKUPS = 32
#: An empty token keeps its position and is not indexed: the accented fields hold marked
#: syllables only, at the positions of the folded fields (exact phrases: `Nghệ An`).
HOLDER = b""


def write_postings(path: Path, documents: Sequence[dict[str, list[str]]],
                   pairs: dict[str, np.ndarray] | None = None, common_pairs: bool = True) -> None:
    """Write the postings of `documents` (token lists per field name, in doc-number order)
    and the segment's packed syllable pair counts (`statistics.PairCounter.packed`); with
    `common_pairs`, the pairs of common syllables too, as a segment writer does."""
    encoders = {field.name: TermEncoder() for field in FIELDS}
    for document in documents:
        for name, encoder in encoders.items():
            encoder.add(document.get(name, ()))
    write_encoded(path, encoders, pairs, common=shipped_common_pairs() if common_pairs else None)


def shipped_common_pairs() -> tuple[str, Callable[[list[str]], list[bool]]]:
    """(the version of searchkit's list of common syllables, which of some words as written
    are among them): what a segment is written with (`write_encoded`)."""
    from searchkit.text.common_pairs import common_syllables, common_words

    return common_syllables()[1], common_words


def write_encoded(path: Path, encoders: dict[str, "TermEncoder"], pairs: dict[str, np.ndarray] | None = None,
                  terms: dict[str, Callable[[list[str]], list[str]]] | None = None,
                  common: tuple[str, Callable[[list[str]], list[bool]]] | None = None) -> None:
    """Write the postings of every field from its encoder (which holds the same documents).
    Several fields may share an encoder of words as written: `terms[name]` then makes the
    words that field's terms (`TermEncoder.arrays`). `common`: (the version of the list of
    common syllables, which words as written are among them): in the syllable fields, two of
    them side by side are written as one term too (`text.common_pairs`), and the header says so."""
    documents = max((encoder.documents for encoder in encoders.values()), default=0)
    terms = terms or {}
    paired = common[1] if common else None

    def arrays_of(field):
        return encoders[field.name].arrays(field.positional, terms.get(field.name),
                                           paired if field.form != WORDS else None)

    _write(path, documents, pairs, arrays_of, common[0] if common else None)


def _write(path: Path, documents: int, pairs: dict[str, np.ndarray] | None, arrays_of,
           common: str | None = None) -> None:
    """The file: magic, header, then every field's arrays (`arrays_of(field)`) and the pairs;
    `common`: the version of the common syllables whose pairs every syllable field holds.

    Each field's arrays are written as soon as they are made, and dropped before the next
    field's are: the header, which says where they lie, is written last, into the room kept
    for it before them (`_header_room`; JSON, padded with spaces). Holding every field's bytes
    until the header was known kept a ×16 merge's bodies in memory while its accented bodies
    were merged (about 300 MB of the build's largest process)."""
    header: dict[str, dict] = {COMMON: {"version": common}} if common else {}
    room = _header_room(common, pairs)
    offset = 0
    with open(path, "wb") as stream:
        stream.seek(len(MAGIC) + 4 + room)

        def put(entry: dict, name: str, array: np.ndarray) -> None:
            nonlocal offset
            entry[name] = [offset, int(array.size), array.dtype.str]
            stream.write(np.ascontiguousarray(array).data.cast("B"))
            offset += array.nbytes

        for field in FIELDS:
            arrays = arrays_of(field)
            header[field.name] = entry = {"count": int(arrays["offsets"].size - 1), "docs": documents}
            for name in list(arrays):
                array = arrays.pop(name)  # gone once written: the next field's are made without it
                put(entry, name, array)
                if name == "terms":  # found once here, not by every reader's scan of the bytes
                    put(entry, "sizes", smallest(np.diff(_separators(array), prepend=-1)))
            del arrays, array
        for name, array in (pairs or {}).items():
            put(header.setdefault(PAIRS, {}), name, array)
        encoded = json.dumps(header).encode("utf-8")
        if len(encoded) > room:  # `_header_room` holds every field's arrays at their widest
            raise ValueError(f"a postings header of {len(encoded)} bytes, {room} kept for it")
        stream.seek(0)
        stream.write(MAGIC + struct.pack("<I", room) + encoded.ljust(room))


#: Array names a field may have (`field_arrays`, with `sizes` from `_write`), for `_header_room`.
_FIELD_ARRAYS = ("terms", "sizes", "offsets", "ids", "freqs", "lengths", "at", "positions")


def _header_room(common: str | None, pairs: dict[str, np.ndarray] | None) -> int:
    """Bytes kept for a postings file's header before its arrays: the header's length when
    every number is as wide as a file's can be and every field has every array.

    >>> 3000 < _header_room(None, None) < 4000  # of a file of a few hundred KB to a GB
    True
    """
    widest = [10 ** 19, 10 ** 19, "|S" + "9" * 12]
    header: dict[str, dict] = {COMMON: {"version": common}} if common else {}
    for field in FIELDS:
        header[field.name] = {"count": 10 ** 19, "docs": 10 ** 19, **dict.fromkeys(_FIELD_ARRAYS, widest)}
    header[PAIRS] = dict.fromkeys(pairs or {}, widest)
    return len(json.dumps(header).encode("utf-8"))


def field_arrays(tokens: Sequence[Sequence[str]], positional: bool) -> dict[str, np.ndarray]:
    """The arrays of one field from each document's tokens (see the module's layout).

    >>> a = field_arrays([["tram", "bts", "tram"], ["bts"]], positional=True)
    >>> a["terms"].tobytes(), a["offsets"].tolist(), a["ids"].tolist(), a["freqs"].tolist()
    (b'bts\\x00tram\\x00', [0, 2, 3], [0, 1, 0], [1, 1, 2])
    >>> a["at"].tolist(), a["positions"].tolist(), a["lengths"].tolist()
    ([0, 2, 4], [1, 0, 0, 2], [3, 1])
    >>> b = field_arrays([["", "nghệ", ""]], positional=True)  # empty tokens only hold places
    >>> b["terms"].tobytes() == "nghệ".encode() + bytes(1), b["positions"].tolist(), b["lengths"].tolist()
    (True, [1], [1])
    """
    encoder = TermEncoder()
    for document in tokens:
        encoder.add(document)
    return encoder.arrays(positional)


class TermEncoder:
    """One field's tokens, document by document, kept as term numbers until the segment is
    written: a batch's millions of token strings need not stay in memory, and numbering
    them is done by dict lookups in C (`map`), not a Python loop.

    The tokens may be words as written, turned into terms only when the arrays are made
    (`arrays(terms_of=...)`), once per distinct word: the title's or body's syllables are
    numbered once for both of its fields (folded and accented).

    >>> encoder = TermEncoder()
    >>> encoder.add(["Trạm", "BTS", "trạm"])
    >>> encoder.arrays(False, terms_of=lambda words: [w.lower() for w in words])["terms"].tobytes().decode()
    'bts\\x00trạm\\x00'
    """

    def __init__(self) -> None:
        self._numbers = Numbering()
        self._documents: list[np.ndarray] = []
        self._common: tuple[Callable, np.ndarray] | None = None  # (paired, which words are common)

    @property
    def documents(self) -> int:
        return len(self._documents)

    def add(self, tokens: Sequence[str]) -> None:
        """The next document's tokens, in order."""
        self._documents.append(np.fromiter(map(self._numbers.__getitem__, tokens), dtype=np.int32, count=len(tokens)))

    def arrays(self, positional: bool, terms_of: Callable[[list[str]], list[str]] | None = None,
               paired: Callable[[list[str]], list[bool]] | None = None) -> dict[str, np.ndarray]:
        """The field's arrays (see the module's layout); the tokens' terms are `terms_of(tokens)`
        when given (several tokens may make one term), else the tokens; two terms side by side
        whose tokens `paired` finds common are also indexed as one (`text.common_pairs`)."""
        written = list(self._numbers)
        terms = written if terms_of is None else terms_of(written)
        distinct = sorted(set(terms))  # code points sort as UTF-8 bytes do
        place = {term: i for i, term in enumerate(distinct)}
        numbers = np.fromiter(self._numbers.values(), dtype=np.int32, count=len(written))
        rank = np.zeros(int(numbers.max(initial=-1)) + 1, dtype=np.int32)
        rank[numbers] = np.fromiter(map(place.__getitem__, terms), dtype=np.int32, count=len(terms))
        lengths = np.array([len(document) for document in self._documents], dtype=np.int64)
        flat = rank[np.concatenate(self._documents)] if self._documents else np.zeros(0, np.int32)
        pairable = None
        if paired is not None:  # asked of the words as written (their forms are known already), once
            if self._common is None or self._common[0] is not paired or len(self._common[1]) != len(written):
                self._common = (paired, np.array(paired(written), dtype=bool))
            pairable = np.zeros(len(distinct), dtype=bool)
            pairable[rank[numbers[self._common[1]]]] = True
            if distinct and distinct[0] == "":  # holds a place (an accented field's plain word): no term
                pairable[0] = False
        return _arrays([term.encode("utf-8") for term in distinct], flat, lengths, positional, pairable)


def _arrays(encoded: list[bytes], flat: np.ndarray, lengths: np.ndarray, positional: bool,
            pairable: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """A field's arrays from its sorted terms and every token's term number, document after
    document (`lengths` tokens each); `pairable` marks the terms whose pairs are indexed too."""
    docs = np.repeat(np.arange(len(lengths), dtype=np.int32), lengths)
    begins = np.repeat((np.cumsum(lengths) - lengths).astype(np.int32), lengths)  # each token's document start
    places = np.arange(len(flat), dtype=np.int32) - begins
    if encoded and encoded[0] == HOLDER:  # holds a place, is no term ('Nghệ An': the plain 'an')
        kept = flat != 0
        flat, docs, places, encoded = flat[kept] - 1, docs[kept], places[kept], encoded[1:]
        lengths = np.bincount(docs, minlength=len(lengths)).astype(np.int64)
        pairable = None if pairable is None else pairable[1:]
    if positional and pairable is not None and pairable.any():  # after the lengths: a pair is no token
        flat, docs, places, encoded = _with_pairs(encoded, flat, docs, places, pairable)
    # documents, then positions, stay in order; numpy sorts 16-bit numbers by radix, several
    # times faster, and a stable sort's order is the same whatever the type
    sorter = stable_order(flat)
    terms, docs = flat[sorter], docs[sorter]
    starts = np.flatnonzero(np.concatenate(([True], (terms[1:] != terms[:-1]) | (docs[1:] != docs[:-1])))
                            if len(terms) else np.zeros(0, bool))
    freqs = np.diff(np.append(starts, len(terms)))
    every_term = np.arange(len(encoded) + 1)
    arrays = {
        "terms": np.frombuffer(_SEPARATOR.join(encoded) + _SEPARATOR if encoded else b"", dtype=np.uint8),
        "offsets": smallest(np.searchsorted(terms[starts], every_term)),
        "ids": smallest(docs[starts]),
        "freqs": smallest(freqs),
        "lengths": smallest(lengths),
    }
    if positional:
        positions = places[sorter]
        arrays["at"] = smallest(np.searchsorted(terms, every_term))
        arrays["positions"] = smallest(positions)
    return arrays


#: Most entries of the table that finds a segment's distinct pairs (one per two pairable
#: terms): real text has a few hundred spellings of the common syllables, far below it.
MAX_PAIR_TABLE = 1 << 24


def _with_pairs(encoded: list[bytes], flat: np.ndarray, docs: np.ndarray, places: np.ndarray,
                pairable: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[bytes]]:
    """The tokens with, after them, one more for each two pairable terms side by side (in one
    document, at neighbouring positions: an accented field's plain syllables hold places), at
    the second one's position; the terms with the pairs' among them, in order.

    >>> flat, docs, places, terms = _with_pairs([b"cac", b"cua", b"tram"], np.array([1, 0, 2, 1, 0]),
    ...     np.array([0, 0, 0, 1, 1]), np.array([0, 1, 2, 0, 1]), np.array([True, True, False]))
    >>> terms, flat.tolist(), docs.tolist(), places.tolist()
    ([b'cac', b'cua', b'cua cac', b'tram'], [1, 0, 3, 1, 0, 2, 2], [0, 0, 0, 1, 1, 0, 1], [0, 1, 2, 0, 1, 1, 1])
    """

    held = pairable[flat]
    second = np.flatnonzero(held[1:] & held[:-1]) + 1
    second = second[(docs[second] == docs[second - 1]) & (places[second] == places[second - 1] + 1)]
    if not len(second):
        return flat, docs, places, encoded
    # the few pairable terms numbered apart: a pair's number is small, its distinct ones found
    # by marking them in a table, not by sorting every pair
    compact = np.cumsum(pairable) - 1
    size = int(pairable.sum())
    codes = compact[flat[second - 1]].astype(np.int64) * size + compact[flat[second]]
    if size * size <= MAX_PAIR_TABLE:
        seen = np.zeros(size * size, dtype=bool)
        seen[codes] = True
        distinct = np.flatnonzero(seen)
        pair_of = (np.cumsum(seen) - 1)[codes]
    else:  # thousands of spellings of the common syllables (a hostile text): sorted instead
        distinct, pair_of = np.unique(codes, return_inverse=True)
    which = np.flatnonzero(pairable)
    firsts, seconds = which[distinct // size], which[distinct % size]
    joined = JOIN.encode("utf-8")
    pairs = [encoded[a] + joined + encoded[b] for a, b in zip(firsts.tolist(), seconds.tolist())]
    # `a b` sorts right after `a` (a space is below every byte of a term), pairs in (a, b) order
    before = np.searchsorted(firsts, np.arange(len(encoded)))  # pairs sorted before each term
    renumber = np.concatenate((np.arange(len(encoded)) + before, np.arange(len(pairs)) + firsts + 1)).astype(np.int32)
    every = np.empty(len(renumber), dtype=object)
    every[renumber] = encoded + pairs
    flat = np.concatenate((renumber[flat], renumber[len(encoded) + pair_of]))
    return flat, np.concatenate((docs, docs[second])), np.concatenate((places, places[second])), every.tolist()


def smallest(values: np.ndarray) -> np.ndarray:
    """Non-negative integers in the narrowest unsigned type that holds them.

    >>> [smallest(np.array(v)).dtype.str for v in ([3, 70000], [3, 700], [3, 7])]
    ['<u4', '<u2', '|u1']
    """
    return values.astype(np.min_scalar_type(int(values.max()) if len(values) else 0))


def unique_inverse(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`np.unique(keys, return_inverse=True)` of non-negative int64 keys, in the order
    `distinct.stable_order` finds (one SIMD sort): over the 1.9M pair keys of a 16k-article
    index's segments, 60 ms against 180 for a radix sort 16 bits at a time, 190 for numpy's.

    >>> distinct, inverse = unique_inverse(np.array([70000 << 16, 3, 70000 << 16, 3, 2]))
    >>> distinct.tolist(), inverse.tolist()
    ([2, 3, 4587520000], [2, 1, 2, 1, 0])
    """
    order = stable_order(keys)
    ordered = keys[order]
    new = np.empty(len(keys), dtype=bool)
    new[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=new[1:])
    inverse = np.empty(len(keys), dtype=np.intp)
    inverse[order] = np.cumsum(new) - 1
    return ordered[new], inverse


def merge_postings(path: Path, sources: Sequence[tuple["SegmentPostings", np.ndarray]],
                   pairs: dict[str, np.ndarray] | None = None) -> None:
    """Write one postings file holding the live documents of several segments, in order:
    `sources` are (postings file, live mask over its documents); documents are renumbered
    from 0 across them, deleted ones dropped with their postings and positions. No text is
    analysed again: this is what makes merging and `optimize` fast."""
    documents = sum(int(alive.sum()) for _, alive in sources)
    versions = {side.common_version for side, _ in sources}  # a source without the pairs: none has them all
    common = versions.pop() if len(versions) == 1 else None
    _write(path, documents, pairs, lambda field: _merged_field(field.name, field.positional, sources), common)


def _merged_field(name: str, positional: bool,
                  sources: Sequence[tuple["SegmentPostings", np.ndarray]]) -> dict[str, np.ndarray]:
    """One field's arrays over the live documents of `sources` (see `merge_postings`).

    Postings are put in term order by one stable sort (sources come in document order, so
    documents stay sorted within a term); positions are not sorted at all: each posting's
    run of positions is copied to its new place by gathers, a few million at a time
    (`_moved_positions`). Numbers are 32-bit where they fit: a merge of 16,000 articles
    peaks at about half what 64-bit sorting took."""
    union = sorted(set().union(*(side.terms(name) for side, _ in sources)))
    number = {term: i for i, term in enumerate(union)}
    terms, docs, freqs, lengths, live_postings = [], [], [], [], []
    first = 0
    for side, alive in sources:
        arrays = side._field(name)
        renumber = (np.cumsum(alive, dtype=np.int64) - 1 + first).astype(np.int32)  # old doc number -> new
        counts = np.diff(arrays["offsets"].astype(np.int64))
        posting_terms = np.repeat(np.array([number[t] for t in side.terms(name)], dtype=np.int32), counts)
        ids, frequencies = arrays["ids"], arrays["freqs"].astype(np.int32)
        live = None if alive.all() else alive[ids]  # None: every posting (no copies made to keep them all)
        terms.append(posting_terms if live is None else posting_terms[live])
        docs.append(renumber[ids] if live is None else renumber[ids[live]])
        freqs.append(frequencies if live is None else frequencies[live])
        live_postings.append(live)
        lengths.append(arrays["lengths"][alive].astype(np.int64))
        first += int(alive.sum())
    terms_all, docs_all, freqs_all = (np.concatenate(a) if a else np.zeros(0, np.int32) for a in (terms, docs, freqs))
    del terms, docs, freqs
    kept = np.flatnonzero(np.bincount(terms_all, minlength=len(union)))  # terms of deleted articles only go
    renumbered = np.full(len(union), -1, dtype=np.int32)
    renumbered[kept] = np.arange(len(kept), dtype=np.int32)
    terms_all = renumbered[terms_all]
    # segments come in doc order: docs stay sorted; 32-bit numbers where they fit (a ×16 merge
    # holds tens of millions of postings)
    order = stable_order(terms_all).astype(np.int32 if len(terms_all) < 2**31 else np.int64)
    starts = np.concatenate(([0], np.cumsum(np.bincount(terms_all, minlength=len(kept)))))
    del terms_all
    moved_freqs = freqs_all[order]
    merged = {
        "terms": np.frombuffer(b"".join(union[i] + _SEPARATOR for i in kept.tolist()), dtype=np.uint8),
        "offsets": smallest(starts),
        "ids": smallest(docs_all[order]),
        "freqs": smallest(moved_freqs),
        "lengths": smallest(np.concatenate(lengths) if lengths else np.zeros(0, np.int64)),
    }
    if positional:
        del docs_all
        kind = np.int32 if int(freqs_all.sum()) < 2**31 else np.int64
        was = (np.cumsum(freqs_all, dtype=kind) - freqs_all)[order]  # where each posting's positions began
        del order
        flat = _live_positions(name, sources, live_postings, int(freqs_all.sum()))
        del freqs_all, live_postings
        ends = np.cumsum(moved_freqs, dtype=kind)  # ... and end in the new order
        merged["at"] = smallest(np.concatenate((np.zeros(1, kind), ends))[starts])
        merged["positions"] = _moved_positions(flat, was, ends, moved_freqs)
    return merged


#: Positions copied by one gather of a merge: its index arrays stay at a few MB, where
#: gathering all of them at once took 12 bytes a position (2.6 GB merging ×16 bodies).
GATHERED_POSITIONS = 1 << 20


def _live_positions(name: str, sources: Sequence[tuple["SegmentPostings", np.ndarray]],
                    live_postings: list[np.ndarray | None], total: int) -> np.ndarray:
    """The positions of the live postings of every source (None: all of its postings), in
    posting order, in one array."""
    found = [side._field(name)["positions"] for side, _ in sources]
    flat = np.empty(total, dtype=np.result_type(*found) if found else np.uint8)
    at = 0
    for (side, _), positions, live in zip(sources, found, live_postings):
        kept = positions if live is None else positions[np.repeat(live, side._field(name)["freqs"])]
        flat[at:at + len(kept)] = kept
        at += len(kept)
    return flat


def _moved_positions(flat: np.ndarray, was: np.ndarray, ends: np.ndarray, moved: np.ndarray) -> np.ndarray:
    """The positions of postings put in a new order: posting k's `moved[k]` positions, at
    `was[k]` in `flat`, end at `ends[k]` in the result (in the narrowest type that holds them),
    gathered GATHERED_POSITIONS at a time.

    >>> _moved_positions(np.array([5, 6, 7, 1, 2]), np.array([3, 0]), np.array([2, 5]), np.array([2, 3])).tolist()
    [1, 2, 5, 6, 7]
    """
    out = np.empty(len(flat), dtype=np.min_scalar_type(int(flat.max()) if len(flat) else 0))
    bounds = np.searchsorted(ends, np.arange(GATHERED_POSITIONS, int(ends[-1]) if len(ends) else 0,
                                             GATHERED_POSITIONS), side="right")
    for first, last in zip([0, *bounds.tolist()], [*bounds.tolist(), len(ends)]):
        if first == last:
            continue
        begin, end = int(ends[first] - moved[first]), int(ends[last - 1])
        counts = moved[first:last]
        gather = np.repeat(was[first:last] - (ends[first:last] - counts), counts)
        gather += np.arange(begin, end, dtype=gather.dtype)
        out[begin:end] = flat[gather]
    return out


def split_after(terms: int) -> int:
    """How many lookups a field of `terms` terms answers from their bytes before splitting
    them into a list.

    >>> split_after(500), split_after(73_735)
    (32, 737)
    """
    return max(VIEW_LOOKUPS, terms // TERMS_PER_LOOKUP)


class _TermView:
    """A field's sorted terms as their bytes (each term then a separator), looked up without
    splitting them (`find`). Where every term ends is summed from the terms' sizes (the
    file's `sizes`, else the separators found by a scan of the bytes) once the field has
    answered BLOCK_LOOKUPS lookups; before that, a lookup bisects the first terms of blocks
    of TERM_BLOCK terms, then sums one block's sizes. A cold query looks up a few terms in
    each field of each segment, and summing where every term ends for them all was 7-11 ms
    of its 190 (a million ends' pages touched for the first time)."""

    def __init__(self, joined: np.ndarray, sizes: np.ndarray | None = None):
        self._starts = _block_starts(sizes) if sizes is not None else None  # where each block's first term starts
        if self._starts is None or self._starts[-1] != len(joined):  # no sizes, or sizes that do not span the terms
            sizes = np.diff(_separators(joined), prepend=-1)
            self._starts = _block_starts(sizes)
        self.lookups = 0  # `find`s answered (`SegmentPostings._sorted_terms` splits the terms after enough)
        self._sizes = sizes
        # plain buffers, not numpy: a term is two ints and a slice of bytes, without numpy's
        # scalars and views (7 µs a lookup in 50,000 terms at 16 times the corpus, against 17)
        self._bytes = memoryview(joined)
        self._bounds: memoryview | None = None  # each term's separator, after the -1th
        self._firsts = sizes[::TERM_BLOCK].tolist()  # each block's first term's size

    def __len__(self) -> int:
        return len(self._sizes)

    def __getitem__(self, i: int) -> bytes:
        if self._bounds is None:
            bounds = np.empty(len(self._sizes) + 1, np.int64)
            bounds[0] = -1
            np.cumsum(self._sizes, dtype=np.int64, out=bounds[1:])
            bounds[1:] -= 1
            self._bounds = memoryview(bounds)
        return self._bytes[self._bounds[i] + 1:self._bounds[i + 1]].tobytes()

    def find(self, key: bytes) -> int:
        """The number of the term `key`, or -1 when the field has none."""
        self.lookups += 1
        if self.lookups > BLOCK_LOOKUPS:  # every term's end summed, then bisected (4-5 µs a lookup)
            i = bisect_left(self, key)
            return i if i < len(self) and self[i] == key else -1
        starts, firsts, data = self._starts, self._firsts, self._bytes
        lo, hi = 0, len(firsts)
        while lo < hi:  # the last block whose first term is not after the key
            mid = (lo + hi) // 2
            if key < data[starts[mid]:starts[mid] + firsts[mid] - 1].tobytes():
                hi = mid
            else:
                lo = mid + 1
        if lo == 0:
            return -1  # before every term
        block = lo - 1
        first = block * TERM_BLOCK
        ends = (starts[block] + np.cumsum(self._sizes[first:first + TERM_BLOCK], dtype=np.int64)).tolist()
        bounds = [starts[block], *ends]  # each term's start, then the next one's
        lo, hi = 0, len(ends)
        while lo < hi:
            mid = (lo + hi) // 2
            if data[bounds[mid]:bounds[mid + 1] - 1].tobytes() < key:
                lo = mid + 1
            else:
                hi = mid
        found = lo < len(ends) and data[bounds[lo]:bounds[lo + 1] - 1].tobytes() == key
        return first + lo if found else -1


def _block_starts(sizes: np.ndarray) -> list[int]:
    """Where the first term of each block of TERM_BLOCK terms starts in their bytes, then where
    the last one ends (`sizes`: each term's bytes and its separator).

    >>> _block_starts(np.array([3, 4, 2], np.uint8))  # one block
    [0, 9]
    """
    blocks = np.add.reduceat(sizes, np.arange(0, len(sizes), TERM_BLOCK), dtype=np.int64) if len(sizes) else []
    return [0, *np.cumsum(blocks, dtype=np.int64).tolist()]


def _separators(joined: np.ndarray) -> np.ndarray:
    """Where each term's NUL byte is, found by scanning the terms' bytes (`_ends` reads them
    from the file's sizes instead).

    >>> _separators(np.frombuffer("trạm\\0bts\\0".encode("utf-8"), np.uint8)).tolist()
    [6, 10]
    """
    return np.flatnonzero(joined == _SEPARATOR[0])


def _sizes(arrays: dict[str, np.ndarray]) -> np.ndarray | None:
    """The file's `sizes` of a field's terms (each term's bytes and its separator), None for
    a file without them or with one too few or too many (`_TermView` then scans the bytes).

    >>> _sizes({"offsets": np.zeros(3), "sizes": np.array([3, 4], np.uint8)}).tolist(), _sizes({"offsets": np.zeros(3)})
    ([3, 4], None)
    """
    sizes = arrays.get("sizes")
    return sizes if sizes is not None and len(sizes) == len(arrays["offsets"]) - 1 else None


def _ends(arrays: dict[str, np.ndarray]) -> np.ndarray | None:
    """Where each term's NUL byte is, from the file's `sizes`; None for a file without them,
    or sizes that do not span the terms' bytes, one a term (damaged: the bytes are scanned
    then, and `SegmentPostings.verify` names the file).

    >>> terms = np.frombuffer(b"ab\\0cde\\0", np.uint8)
    >>> _ends({"terms": terms, "offsets": np.zeros(3), "sizes": np.array([3, 4], np.uint8)}).tolist()
    [2, 6]
    >>> _ends({"terms": terms, "offsets": np.zeros(3)}), _ends({"terms": terms, "offsets": np.zeros(3), "sizes": np.array([3, 5])})
    (None, None)
    """
    sizes = arrays.get("sizes")
    if sizes is None or len(sizes) != len(arrays["offsets"]) - 1:
        return None
    ends = np.cumsum(sizes, dtype=np.int64) - 1
    return ends if (ends[-1] if len(ends) else -1) == len(arrays["terms"]) - 1 else None


class SegmentPostings:
    """Read side of one `.skp` file; a file that is not one, of another version, or shorter
    than its header says is an IndexDamagedError naming it."""

    def __init__(self, path: Path):
        try:
            self._map = np.memmap(path, dtype=np.uint8, mode="r")
        except (OSError, ValueError) as error:  # missing, unreadable, or empty
            raise _damaged(path, f"cannot be read ({getattr(error, 'strerror', None) or error})") from None
        if bytes(self._map[:8]) != MAGIC:
            raise _damaged(path, "is not a searchkit postings file of this version")
        try:
            size = struct.unpack("<I", bytes(self._map[8:12]))[0]
            self._base = 12 + size
            self._header = json.loads(bytes(self._map[12:self._base]))
        except (struct.error, ValueError, UnicodeDecodeError):
            raise _damaged(path, "has a damaged header") from None
        self._check_sizes(path)
        self._fields: dict[str, dict[str, np.ndarray]] = {}
        self._terms: dict[str, tuple[bytes, ...]] = {}
        self._words: dict[str, np.ndarray] = {}
        self._found: dict[tuple[str, str], int] = {}  # (field, term) -> its number, -1: absent
        self._views: dict[str, _TermView] = {}  # fields whose terms are not split yet

    def _check_sizes(self, path: Path) -> None:
        """Every array the header names lies inside the file (a truncated file does not)."""
        end = self._base
        try:
            for name, info in self._header.items():
                for spec in info.values():
                    if isinstance(spec, list):
                        at, size, kind = spec
                        if at < 0 or size < 0 or np.dtype(kind).kind not in ("iuS" if name == PAIRS else "iu"):
                            raise ValueError(spec)
                        end = max(end, self._base + int(at) + int(size) * np.dtype(kind).itemsize)
        except (AttributeError, TypeError, ValueError):
            raise _damaged(path, "has a damaged header") from None
        if end > len(self._map):
            raise _damaged(path, f"is truncated ({len(self._map):,} bytes of {end:,})")

    def _array(self, spec: list) -> np.ndarray:
        at, size, kind = spec
        return np.frombuffer(self._map, dtype=np.dtype(kind), count=size, offset=self._base + at)

    def _field(self, field: str) -> dict[str, np.ndarray] | None:
        if field not in self._fields:
            info = self._header.get(field)
            if info is None:
                return None
            self._fields[field] = {name: self._array(spec) for name, spec in info.items() if isinstance(spec, list)}
        return self._fields[field]

    @property
    def common_version(self) -> str | None:
        """The version of the common syllables whose pairs this file holds as terms, if any."""
        found = self._header.get(COMMON)
        return found.get("version") if isinstance(found, dict) else None

    def terms(self, field: str) -> tuple[bytes, ...]:
        """The sorted terms of a field, UTF-8 encoded (read once per open file), pairs of
        common syllables among them (`text.common_pairs.is_pair_term`). A tuple, not a list:
        kept for as long as the file is open, it is never walked by Python's cyclic garbage
        collector again (`collector.untracked`; a ×16 index's segments hold 316,000 terms)."""
        if field not in self._terms:
            arrays = self._field(field)
            self._terms[field] = () if arrays is None else untracked(arrays["terms"].tobytes().split(_SEPARATOR)[:-1])
        return self._terms[field]

    def _find(self, field: str, term: str) -> tuple[dict[str, np.ndarray], int] | None:
        """The field's arrays and the term's number, remembered: a search asks each segment
        for the same term up to three times (frequency, postings, positions)."""
        arrays = self._field(field)
        if arrays is None:
            return None
        found = self._found.get((field, term))
        if found is None:
            if len(self._found) >= MAX_REMEMBERED_TERMS:
                self._found.clear()
            terms, key = self._sorted_terms(field, arrays), term.encode("utf-8")
            if isinstance(terms, _TermView):
                found = terms.find(key)
            else:
                i = bisect_left(terms, key)
                found = i if i < len(terms) and terms[i] == key else -1
            self._found[(field, term)] = found
        return (arrays, found) if found >= 0 else None

    def _sorted_terms(self, field: str, arrays: dict[str, np.ndarray]) -> Sequence[bytes]:
        """The field's terms to bisect: the list once split, else a view of their bytes for
        the first lookups (`split_after`; then the list: warm searches bisect it)."""
        if field in self._terms:
            return self._terms[field]
        view = self._views.get(field)
        if view is None:
            view = self._views[field] = _TermView(arrays["terms"], _sizes(arrays))
        if view.lookups >= split_after(len(view)):  # as many found by the bytes as splitting costs
            del self._views[field]
            return self.terms(field)
        return view

    def get(self, field: str, term: str) -> tuple[np.ndarray, np.ndarray] | None:
        """(segment doc numbers, frequencies) of a term, or None when absent."""
        found = self._find(field, term)
        if found is None:
            return None
        arrays, i = found
        start, end = int(arrays["offsets"][i]), int(arrays["offsets"][i + 1])
        return arrays["ids"][start:end], arrays["freqs"][start:end]

    def pairs(self) -> dict[str, np.ndarray] | None:
        """The segment's packed syllable pair counts (None: written without them)."""
        info = self._header.get(PAIRS)
        return None if info is None else {name: self._array(spec) for name, spec in info.items()}

    def frequency(self, field: str, term: str) -> int:
        """In how many of the segment's documents a term occurs (0 when absent)."""
        found = self._find(field, term)
        if found is None:
            return 0
        offsets, i = found[0]["offsets"], found[1]
        return int(offsets[i + 1]) - int(offsets[i])

    def lengths(self, field: str) -> np.ndarray | None:
        """Tokens of the field in each document of the segment (None: field not kept)."""
        arrays = self._field(field)
        return None if arrays is None else arrays["lengths"]

    def term_totals(self, field: str) -> dict[str, float] | None:
        """Every word of a field (no pair of common syllables) with its occurrences in the
        segment (None: field not kept)."""
        found = self.word_totals(field)
        return None if found is None else dict(zip(map(bytes.decode, found[0]), found[1].tolist()))

    def word_totals(self, field: str) -> tuple[list[bytes], np.ndarray] | None:
        """`term_totals` undecoded: the words of a field, sorted and UTF-8 encoded, and their
        occurrences in the segment (None: field not kept). Merging segments on these decodes
        each word once, not once per segment (`suggest.build_spellings`).

        >>> import tempfile, os
        >>> path = os.path.join(tempfile.mkdtemp(), "s.skp")
        >>> write_postings(path, [{"body": ["trạm", "các", "trạm"]}, {"body": ["các"]}])
        >>> terms, totals = SegmentPostings(path).word_totals("body")
        >>> [t.decode() for t in terms], totals.tolist()
        (['các', 'trạm'], [2, 2])
        """
        arrays = self._field(field)
        if arrays is None:
            return None
        terms = self.terms(field)
        if not terms:
            return [], np.zeros(0, np.int64)
        offsets = arrays["offsets"][:-1].astype(np.int64)
        sums = np.add.reduceat(arrays["freqs"].astype(np.int64), offsets)
        words = self.word_terms(field)
        return list(compress(terms, words)), sums[words]

    def completions(self, field: str, prefix: str) -> dict[str, int]:
        """Words of a field that begin with `prefix`, each with its document frequency."""
        arrays = self._field(field)
        if arrays is None or not prefix:
            return {}
        terms, key = self.terms(field), prefix.encode("utf-8")
        first, last = bisect_left(terms, key), bisect_left(terms, key + b"\xff")
        counts = np.diff(arrays["offsets"][first:last + 1].astype(np.int64))
        words = self.word_terms(field)[first:last]
        return dict(zip(map(bytes.decode, compress(terms[first:last], words)), counts[words].tolist()))

    def words(self, field: str) -> tuple[tuple[bytes, ...], np.ndarray]:
        """The sorted terms of a field less the pairs of common syllables (no prefix completes
        to two words, no vocabulary counts them), with the documents each occurs in.

        >>> import tempfile, os
        >>> path = os.path.join(tempfile.mkdtemp(), "s.skp")
        >>> write_postings(path, [{"body_f": ["cua", "cac", "tram"]}, {"body_f": ["cac"]}])
        >>> side = SegmentPostings(path)
        >>> side.terms("body_f"), side.words("body_f")[0], side.words("body_f")[1].tolist()
        ((b'cac', b'cua', b'cua cac', b'tram'), (b'cac', b'cua', b'tram'), [2, 1, 1])
        """
        arrays, terms = self._field(field), self.terms(field)
        if arrays is None:
            return [], np.zeros(0, np.int64)
        counts = np.diff(arrays["offsets"].astype(np.int64))
        words = self.word_terms(field)
        if words.all():
            return terms, counts
        return untracked(compress(terms, words)), counts[words]

    def word_table(self, field: str) -> tuple[np.ndarray, np.ndarray]:
        """`words` as numpy arrays: the words as fixed-width bytes, one byte wider than the
        longest (a prefix as long as that one still has a byte for its end key,
        `term_index.TermIndex.completions`), cut out of the terms' bytes at once rather than
        made one Python bytes object each (a ×16 segment holds 100,000s): 2-4 ms a field of
        a ×16 segment.

        >>> import tempfile, os
        >>> path = os.path.join(tempfile.mkdtemp(), "s.skp")
        >>> write_postings(path, [{"body_f": ["cua", "cac", "trang"]}, {"body_f": ["cac"]}])
        >>> words, counts = SegmentPostings(path).word_table("body_f")
        >>> words.tolist(), words.dtype.str, counts.tolist()
        ([b'cac', b'cua', b'trang'], '|S6', [2, 1, 1])
        """
        arrays = self._field(field)
        if arrays is None:
            return np.zeros(0, "S1"), np.zeros(0, np.int64)
        blob = arrays["terms"]
        ends = _ends(arrays)
        ends = _separators(blob) if ends is None else ends
        words = self.word_terms(field)
        counts = np.diff(arrays["offsets"].astype(np.int64))[words]
        starts = np.concatenate(([0], ends[:-1] + 1))[words]
        lengths = (ends[words] - starts).astype(np.int64)
        width = int(lengths.max(initial=0)) + 1
        padded = np.concatenate((blob, np.zeros(width, np.uint8)))  # the last word's window ends inside
        table = sliding_window_view(padded, width)[starts]  # each word's bytes and those after it (a copy)
        table[np.arange(width) >= lengths[:, None]] = 0  # ... those after it made NULs
        return table.view(f"S{width}").ravel(), counts

    def word_terms(self, field: str) -> np.ndarray:
        """Whether each term of a field is a word, not a pair of common syllables
        (`text.common_pairs.is_pair_term`: a pair holds a space, no word does), read from
        the terms' bytes at once (asked term by term, it was half a writer's did-you-mean).

        >>> import tempfile, os
        >>> path = os.path.join(tempfile.mkdtemp(), "s.skp")
        >>> write_postings(path, [{"body_f": ["cua", "cac", "tram"]}])
        >>> SegmentPostings(path).word_terms("body_f").tolist()
        [True, True, False, True]
        """
        if field not in self._words:
            arrays = self._field(field)
            blob = np.zeros(0, np.uint8) if arrays is None else arrays["terms"]
            ends = np.zeros(0, np.int64) if arrays is None else _ends(arrays)
            ends = _separators(blob) if ends is None else ends
            words = np.ones(len(ends), dtype=bool)
            words[np.searchsorted(ends, np.flatnonzero(blob == PAIR_BYTE))] = False
            self._words[field] = words
        return self._words[field]

    def occurrence_runs(self, field: str, term: str) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """(segment doc numbers, frequencies, positions) of a term: each document's positions
        are the next `frequency` of `positions` (without repeating the doc
        numbers); None when this file keeps no positions for the field.

        >>> import tempfile, os
        >>> path = os.path.join(tempfile.mkdtemp(), "s.skp")
        >>> write_postings(path, [{"body_f": ["tram", "bts", "tram"]}, {"body_f": ["bts"]}])
        >>> [a.tolist() for a in SegmentPostings(path).occurrence_runs("body_f", "tram")]
        [[0], [2], [0, 2]]
        """
        arrays = self._field(field)
        if arrays is None or "positions" not in arrays:
            return None
        found = self._find(field, term)
        if found is None:
            return np.zeros(0, np.int32), np.zeros(0, np.int32), np.zeros(0, np.int32)
        i = found[1]
        start, end = int(arrays["offsets"][i]), int(arrays["offsets"][i + 1])
        return (arrays["ids"][start:end], arrays["freqs"][start:end],
                arrays["positions"][int(arrays["at"][i]):int(arrays["at"][i + 1])])

    def verify(self) -> None:
        """Read every array whole and check that they agree with each other: offsets that
        rise to the number of postings, document numbers below the segment's count, as
        many positions as frequencies say (raises IndexDamagedError naming the file)."""
        path = Path(self._map.filename)
        for field in FIELDS:
            try:
                problem = self._field_problem(field)
            except (KeyError, TypeError, ValueError, IndexError, AttributeError):  # a header of another shape
                problem = True
            if problem:
                raise _damaged(path, f"has inconsistent {field.name!r} postings")

    def _field_problem(self, field) -> bool:
        """True when the arrays of one field do not agree with each other (see `verify`)."""
        arrays, info = self._field(field.name), self._header.get(field.name)
        if arrays is None:
            return True
        offsets, ids, freqs = (arrays[n].astype(np.int64) for n in ("offsets", "ids", "freqs"))
        terms = self.terms(field.name)
        problem = (len(terms) != info["count"] or len(offsets) != info["count"] + 1
                   or (len(offsets) and (offsets[0] != 0 or offsets[-1] != len(ids)))
                   or bool(np.any(np.diff(offsets) < 0)) or len(freqs) != len(ids)
                   or (len(ids) and int(ids.max()) >= info["docs"]) or len(arrays["lengths"]) != info["docs"]
                   or any(a >= b for a, b in zip(terms, terms[1:])))  # sorted, no repeats (binary search)
        if not problem and field.positional:
            at = arrays["at"].astype(np.int64)
            problem = (int(freqs.sum()) != len(arrays["positions"]) or len(at) != len(offsets)
                       or int(at[-1]) != len(arrays["positions"]) or bool(np.any(np.diff(at) < 0)))
        if not problem and "sizes" in arrays:  # what lookups bisect by: exactly the separators
            ends = _ends(arrays)
            problem = ends is None or not np.array_equal(ends, _separators(arrays["terms"]))
        if not problem:
            b"".join(terms).decode("utf-8")  # UnicodeDecodeError: a ValueError
        return bool(problem)


def for_segment(leaf) -> SegmentPostings | None:
    """The postings file of a Whoosh segment reader (None for an empty index's reader, which
    has no segment); raises IndexDamagedError when the file is missing or damaged."""
    from searchkit.indexing.adapter import leaf_location

    location = leaf_location(leaf)
    return open_postings(*location) if location else None


def reader_postings(reader) -> list[SegmentPostings]:
    """The postings file of every segment of an open reader (none for an empty index)."""
    from searchkit.indexing.adapter import segment_leaves

    return [for_segment(leaf) for leaf, _ in segment_leaves(reader)]


def open_postings(folder: str, segment_id: str) -> SegmentPostings:
    """The postings file of a segment ('MAIN_<segid>'); every segment has one."""
    return SegmentPostings(Path(folder) / (segment_id + SUFFIX))



def _damaged(path: Path, problem: str):
    from searchkit.errors import IndexDamagedError

    return IndexDamagedError(kind="index.damaged", field="index", value=str(path), hint={
        "problem": problem, "command": f"searchkit check --repair --index {path.parent}"})
