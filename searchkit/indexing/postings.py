"""A per-segment file of postings as flat arrays, read by memory map: `MAIN_<segid>.skp`.

Whoosh keeps each posting block as one pickled tuple of ids, weights and encoded positions,
so reading which documents hold a common word means unpickling every position list too:
about 20 ms a query on 16k articles. The indexer already has every article's tokens in
memory when it writes a segment, so it also writes this file beside it: for each scored
field, the sorted terms (fixed-width UTF-8), and per term its document numbers and
frequencies. A lookup is a binary search in a memory map. The file is named like the
segment's own files, so Whoosh deletes it together with the segment.

Layout: magic, header length, JSON header {field: {width, count, and [offset, size] of each
array: terms, offsets, ids, freqs, lengths, and for positional fields starts, positions}},
then the arrays at the byte offsets the header gives. The accented and compound fields live
only here (Whoosh keeps the folded ones, with positions, and the stored text).
"""

from __future__ import annotations

import json
import struct
from collections import defaultdict
from pathlib import Path
from typing import Iterable

import numpy as np

MAGIC = b"SKPOST01"
SUFFIX = ".skp"
#: The fields whose postings are kept here (the ones the ranking scores).
FIELDS = ("title", "title_f", "body", "body_f", "words")
#: The fields whose positions are kept too (phrases and proximity).
POSITIONAL = ("title_f", "body_f")
#: Header entry of the syllable pair counts (see `accents.py`).
PAIRS = "_pairs"


def write_postings(path: Path, documents: Iterable[dict[str, list[str]]],
                   pairs: dict[str, np.ndarray] | None = None) -> None:
    """Write the postings of `documents` (token lists per field, in doc-number order) and
    the segment's packed syllable pair counts (`accents.pack`)."""
    postings: dict[str, dict[str, list[tuple[int, list[int]]]]] = {f: defaultdict(list) for f in FIELDS}
    lengths: dict[str, list[int]] = {f: [] for f in FIELDS}
    for docnum, fields in enumerate(documents):
        for field in FIELDS:
            lengths[field].append(len(fields.get(field, ())))
            where: dict[str, list[int]] = defaultdict(list)
            for position, term in enumerate(fields.get(field, ())):
                where[term].append(position)
            for term, positions in where.items():
                postings[field][term].append((docnum, positions))
    header, chunks, offset = {}, [], 0
    for field in FIELDS:
        arrays = _field_arrays(postings[field], positional=field in POSITIONAL)
        arrays["lengths"] = np.array(lengths[field], dtype=np.int32)
        header[field] = {"width": arrays["terms"].dtype.itemsize, "count": len(arrays["terms"])}
        for name, array in arrays.items():
            header[field][name] = [offset, int(array.size)]
            chunks.append(array.tobytes())
            offset += array.nbytes
    for name, array in (pairs or {}).items():
        header.setdefault(PAIRS, {})[name] = [offset, int(array.size), array.dtype.str]
        chunks.append(array.tobytes())
        offset += array.nbytes
    encoded = json.dumps(header).encode("utf-8")
    with open(path, "wb") as stream:
        stream.write(MAGIC + struct.pack("<I", len(encoded)) + encoded)
        for chunk in chunks:
            stream.write(chunk)


def _field_arrays(postings: dict[str, list[tuple[int, list[int]]]], positional: bool) -> dict[str, np.ndarray]:
    """Sorted terms, per-term offsets, doc numbers, frequencies (and positions)."""
    terms = sorted(t.encode("utf-8") for t in postings)
    lists = [postings[t.decode("utf-8")] for t in terms]
    counts = np.fromiter((len(p) for p in lists), dtype=np.int64, count=len(lists))
    flat = [pair for p in lists for pair in p]
    arrays = {
        "terms": np.array(terms, dtype=f"S{max((len(t) for t in terms), default=1)}"),
        "offsets": np.concatenate([[0], np.cumsum(counts)]).astype(np.int64),
        "ids": np.array([d for d, _ in flat], dtype=np.int32),
        "freqs": np.array([len(p) for _, p in flat], dtype=np.float32),
    }
    if positional:
        lengths = np.fromiter((len(p) for _, p in flat), dtype=np.int64, count=len(flat))
        arrays["starts"] = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        arrays["positions"] = np.fromiter((q for _, p in flat for q in p), dtype=np.int32,
                                          count=int(lengths.sum()))
    return arrays


class SegmentPostings:
    """Read side of one `.skp` file; a file that is not one, of another version, or shorter
    than its header says is an IndexFormatError naming it."""

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

    def _check_sizes(self, path: Path) -> None:
        """Every array the header names lies inside the file (a truncated file does not)."""
        end = self._base
        for field, info in self._header.items():
            if not isinstance(info, dict):
                raise _damaged(path, "has a damaged header")
            for name, spec in info.items():
                if isinstance(spec, list) and len(spec) >= 2:
                    width = np.dtype(spec[2]).itemsize if len(spec) > 2 else _ITEM_SIZES.get(name, info.get("width", 1))
                    end = max(end, self._base + spec[0] + spec[1] * width)
        if end > len(self._map):
            raise _damaged(path, f"is truncated ({len(self._map):,} bytes of {end:,})")

    def _field(self, field: str) -> dict[str, np.ndarray] | None:
        if field not in self._fields:
            info = self._header.get(field)
            if info is None:
                return None
            types = {"terms": f"S{info['width']}", "offsets": np.int64, "ids": np.int32,
                     "freqs": np.float32, "starts": np.int64, "positions": np.int32,
                     "lengths": np.int32}
            self._fields[field] = {
                name: np.frombuffer(self._map, dtype=kind, count=info[name][1], offset=self._base + info[name][0])
                for name, kind in types.items() if name in info
            }
        return self._fields[field]

    def _find(self, field: str, term: str) -> tuple[dict[str, np.ndarray], int, int] | None:
        arrays = self._field(field)
        if arrays is None:
            return None
        key = term.encode("utf-8")
        terms = arrays["terms"]
        i = int(np.searchsorted(terms, key))
        if i >= len(terms) or terms[i] != key:
            return None
        return arrays, int(arrays["offsets"][i]), int(arrays["offsets"][i + 1])

    def get(self, field: str, term: str) -> tuple[np.ndarray, np.ndarray] | None:
        """(segment doc numbers, frequencies) of a term, or None when absent."""
        found = self._find(field, term)
        if found is None:
            return None
        arrays, start, end = found
        return arrays["ids"][start:end], arrays["freqs"][start:end]

    def pairs(self) -> dict[str, np.ndarray] | None:
        """The segment's packed syllable pair counts (None: written without them)."""
        info = self._header.get(PAIRS)
        if info is None:
            return None
        return {name: np.frombuffer(self._map, dtype=np.dtype(kind), count=size, offset=self._base + at)
                for name, (at, size, kind) in info.items()}

    def frequency(self, field: str, term: str) -> int:
        """In how many of the segment's documents a term occurs (0 when absent)."""
        found = self._find(field, term)
        return 0 if found is None else found[2] - found[1]

    def lengths(self, field: str) -> np.ndarray | None:
        """Tokens of the field in each document of the segment (None: field not kept)."""
        arrays = self._field(field)
        return None if arrays is None or "lengths" not in arrays else arrays["lengths"]

    def term_totals(self, field: str) -> dict[str, float] | None:
        """Every term of a field with its occurrences in the segment (None: field not kept)."""
        arrays = self._field(field)
        return None if arrays is None else _totals(arrays)

    def completions(self, field: str, prefix: str) -> dict[str, int]:
        """Terms of a field that begin with `prefix`, each with its document frequency."""
        arrays = self._field(field)
        if arrays is None or not prefix:
            return {}
        key = prefix.encode("utf-8")
        terms = arrays["terms"]
        first = int(np.searchsorted(terms, key))
        last = int(np.searchsorted(terms, key + b"\xff"))
        counts = np.diff(arrays["offsets"][first:last + 1])
        return {t.decode("utf-8"): int(n) for t, n in zip(terms[first:last].tolist(), counts.tolist())}

    def occurrences(self, field: str, term: str) -> tuple[np.ndarray, np.ndarray] | None:
        """(segment doc number, position) of every occurrence of a term, in order; None when
        this file keeps no positions for the field."""
        arrays = self._field(field)
        if arrays is None or "positions" not in arrays:
            return None
        found = self._find(field, term)
        if found is None:
            return np.zeros(0, np.int32), np.zeros(0, np.int32)
        _, start, end = found
        starts = arrays["starts"][start:end + 1]
        docs = np.repeat(arrays["ids"][start:end], np.diff(starts))
        return docs, arrays["positions"][starts[0]:starts[-1]]


def _totals(arrays: dict[str, np.ndarray]) -> dict[str, float]:
    """Term -> occurrences summed over documents."""
    if not len(arrays["terms"]):
        return {}
    sums = np.add.reduceat(arrays["freqs"], arrays["offsets"][:-1])
    return dict(zip((t.decode("utf-8") for t in arrays["terms"].tolist()), sums.tolist()))


def for_segment(leaf) -> SegmentPostings | None:
    """The postings file of a Whoosh segment reader (None for an empty index's reader, which
    has no segment); raises IndexFormatError when the file is missing or damaged."""
    folder = getattr(getattr(leaf, "_storage", None), "folder", None)
    segment = getattr(leaf, "_segment", None)
    return open_postings(folder, segment.segment_id()) if folder and segment else None


def open_postings(folder: str, segment_id: str) -> SegmentPostings:
    """The postings file of a segment ('MAIN_<segid>'); every segment has one."""
    return SegmentPostings(Path(folder) / (segment_id + SUFFIX))


#: Bytes per item of the arrays whose type the header does not spell out.
_ITEM_SIZES = {"offsets": 8, "ids": 4, "freqs": 4, "starts": 8, "positions": 4, "lengths": 4}


def _damaged(path: Path, problem: str):
    from searchkit.errors import IndexDamagedError

    return IndexDamagedError(
        f"{path} {problem}: the index is damaged; rebuild it with: "
        f"searchkit index --rebuild --index {path.parent} CORPUS"
    )
