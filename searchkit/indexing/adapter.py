"""The one module that reaches into Whoosh's internals: segments, readers, the commit, and
reading an index folder without running code from it.

Whoosh keeps searchkit's stored fields, columns, keys, segment list and deletions, and
commits them atomically (see `schema.py`); every use of its private attributes is here, so
that the pinned whoosh-reloaded 2.7.5 can be replaced by changing one file.

Whoosh pickles three things into an index: the table of contents (`_MAIN_<generation>.toc`:
the schema and the list of segments), posting blocks and the stored fields. `pickle.loads` on
a crafted file runs whatever it names. Here the schema is never read from the file
(searchkit's own `build_schema()` is used; the marker's schema version says it matches), and
every other unpickling Whoosh does goes through an unpickler that admits only the classes a
segment list is made of (posting blocks and stored fields hold plain tuples, lists, dicts
and strings, which name no class at all). Anything else is an `IndexFormatError` naming the
file and the command that repairs the index.

This follows `whoosh.index.TOC.read` of the pinned whoosh-reloaded 2.7.5 field by field, and
replaces the `loads` / `load_pickle` that its codec, columns and files import.
"""

from __future__ import annotations

import io
import pickle
import struct
from array import array
from collections import Counter
from functools import lru_cache
from itertools import accumulate
from pathlib import Path
from typing import TYPE_CHECKING

from searchkit.errors import IndexFormatError

if TYPE_CHECKING:
    import numpy as np

#: (module, name) pairs an index's pickles may name: Whoosh's segment and codec, and the
#: containers they hold (deleted documents are a set of ints).
ALLOWED = frozenset({
    ("whoosh.codec.whoosh3", "W3Segment"),
    ("whoosh.codec.whoosh3", "W3Codec"),
    ("builtins", "set"), ("builtins", "frozenset"), ("builtins", "int"), ("builtins", "list"),
    ("builtins", "dict"), ("builtins", "tuple"), ("builtins", "bool"), ("collections", "defaultdict"),
    ("builtins", "bytes"), ("builtins", "bytearray"), ("builtins", "float"), ("builtins", "str"),
    ("_codecs", "encode"),  # how protocol 2 writes bytes; codecs only transform data
})


class _Refused(pickle.UnpicklingError):
    """A class the segment list may not name."""


class _SegmentsUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str):
        if (module, name) not in ALLOWED:
            raise _Refused(f"{module}.{name}")
        return super().find_class(module, name)


def load_segments(data, filename: str, expect_list: bool = True):
    """The segment list pickled in a table of contents, read without running code.

    >>> load_segments(pickle.dumps([]), "_MAIN_1.toc")
    []
    >>> load_segments(pickle.dumps(print), "_MAIN_1.toc")
    Traceback (most recent call last):
    ...
    searchkit.errors.IndexFormatError: _MAIN_1.toc names builtins.print, which is not part of a segment list (the index folder may have been tampered with): the index is damaged; rebuild it with: searchkit index --rebuild
    """
    try:
        stream = io.BytesIO(data) if isinstance(data, (bytes, bytearray, memoryview)) else data
        segments = _SegmentsUnpickler(stream).load()
    except _Refused as refused:
        raise IndexFormatError(kind="index.damaged", field="index", value=filename, hint={
            "problem": f"names {refused}, which is not part of a segment list (the index folder may have been "
                       "tampered with)", "command": "searchkit index --rebuild"}) from None
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError, IndexError) as error:
        raise IndexFormatError(kind="index.damaged", field="index", value=filename,
                               hint={"problem": f"cannot be read ({error})", "command": "searchkit index --rebuild"}) from None
    if expect_list and not isinstance(segments, list):
        raise IndexFormatError(kind="index.damaged", field="index", value=filename,
                               hint={"problem": "holds no segment list", "command": "searchkit index --rebuild"})
    return segments


def safe_loads(data, filename: str = "a file of the index"):
    """Unpickle plain data (and segment lists) only, from bytes or a file (read up to the
    end of one pickle, as `pickle.load` does)."""
    return load_segments(data, filename, expect_list=False)


def _harden_whoosh() -> None:
    """Point the unpickling Whoosh does while reading at `safe_loads` (once per process)."""
    import whoosh.codec.whoosh3
    import whoosh.columns
    import whoosh.filedb.structfile

    whoosh.codec.whoosh3.loads = safe_loads
    whoosh.columns.loads = safe_loads
    whoosh.filedb.structfile.load_pickle = lambda stream: safe_loads(stream, getattr(stream, "name", ""))


def open_whoosh(path: str | Path):
    """A Whoosh FileIndex over `path` that reads nothing from it that could run code."""
    from whoosh.filedb.filestore import FileStorage
    from whoosh.index import FileIndex

    from searchkit.indexing.schema import build_schema

    class SafeFileIndex(FileIndex):
        def __init__(self, storage, schema, indexname: str):  # FileIndex's reads the TOC unsafely
            self.storage, self._schema, self.indexname = storage, schema, indexname
            self._read_toc()  # fails early, as FileIndex does, when there is none

        def _read_toc(self):
            return read_toc(self.storage, self.indexname, self._schema)

    _harden_whoosh()
    return SafeFileIndex(FileStorage(str(path)), build_schema(), "MAIN")


def read_toc(storage, indexname: str, schema, generation: int | None = None):
    """`whoosh.index.TOC.read` with the schema given and the segments read safely."""
    from whoosh.index import _CURRENT_TOC_VERSION, TOC, EmptyIndexError

    if generation is None:
        generation = TOC._latest_generation(storage, indexname)
        if generation < 0:
            raise EmptyIndexError(f"Index {indexname!r} does not exist in {storage!r}")
    filename = TOC._filename(indexname, generation)
    stream = storage.open_file(filename)
    try:
        for _ in range(3):  # sizes of int, long and float on the writing machine
            stream.read_varint()
        if stream.read_int() != -12345:
            raise IndexFormatError(kind="index.damaged", field="index", value=filename,
                                   hint={"problem": "has a wrong byte order mark", "command": "searchkit index --rebuild"})
        version = stream.read_int()
        release = (stream.read_varint(), stream.read_varint(), stream.read_varint())
        if version != _CURRENT_TOC_VERSION:
            raise IndexFormatError(kind="index.damaged", field="index", value=filename,
                                   hint={"problem": f"has Whoosh format {version}", "command": "searchkit index --rebuild"})
        stream.skip_string()  # the pickled schema: never unpickled
        if stream.read_int() != generation:
            raise IndexFormatError(kind="index.damaged", field="index", value=filename,
                                   hint={"problem": "names another generation", "command": "searchkit index --rebuild"})
        stream.read_int()  # unused
        segments = load_segments(stream.read(), filename)
    finally:
        stream.close()
    return TOC(schema, segments, generation, version=version, release=release)


# --------------------------------------------------------------------------- segments and readers


def segment_leaves(reader) -> list:
    """(segment reader, first doc number) of every segment of an open reader; none for an
    empty index (its EmptyReader has no segment). Whoosh gives an atomic reader as itself."""
    return [(leaf, offset) for leaf, offset in reader.leaf_readers() if hasattr(leaf, "_segment")]


def leaf_segment_id(leaf) -> str:
    """The id of a segment reader's segment ('MAIN_0boy5q7uxihuc990')."""
    return leaf._segment.segment_id()


def leaf_location(leaf) -> tuple[str, str] | None:
    """(index folder, segment id) of a segment reader; None for an empty index's reader."""
    folder = getattr(getattr(leaf, "_storage", None), "folder", None)
    segment = getattr(leaf, "_segment", None)
    return (folder, segment.segment_id()) if folder and segment else None


def deleted_documents(leaf) -> list[int]:
    """Segment doc numbers of a segment reader's deleted articles."""
    return list(leaf._perdoc.deleted_docs()) if leaf.has_deletions() else []


def text_column(leaf, name: str) -> list[str]:
    """Every document's value of a segment's text column (`id`, `hash`, `path`: '' where
    none), deleted documents included, as `leaf.column_reader(name)` gives them."""
    text, starts, ends = column_text(leaf, name)
    return list(map(text.__getitem__, map(slice, starts, ends)))


def column_text(leaf, name: str) -> tuple[str, list[int], list[int]]:
    """A segment's text column as one text, and where each document's value starts and ends
    in it (deleted documents included). Whoosh reads a variable-length column a value at a
    time (a seek and a read each: the 777,000 values of a ×16 index's ids, hashes and paths
    took most of a `searchkit add`); its values lie one after the other in the segment's
    column file, so they are read here in one piece."""
    import numpy as np
    from whoosh.columns import VarBytesColumn

    raw = leaf.column_reader(name, translate=False)
    if not isinstance(raw, VarBytesColumn.Reader):  # another column kind: Whoosh's own reading
        values = list(leaf.column_reader(name))
        ends = list(accumulate(map(len, values)))
        return "".join(values), [0, *ends[:-1]], ends
    blob, starts, ends = _column_bytes(raw)
    text = blob.decode("utf-8")
    if len(text) != len(blob):  # characters of several bytes: each value's place in the text
        heads = np.concatenate([[0], np.cumsum((np.frombuffer(blob, np.uint8) & 0xC0) != 0x80)])
        starts, ends = heads[starts], heads[ends]
    return text, starts.tolist(), ends.tolist()


def _column_bytes(raw) -> tuple[bytes, "np.ndarray", "np.ndarray"]:
    """A variable-length column's values (a `VarBytesColumn.Reader`, deleted documents
    included) as one read of the bytes they lie in one after the other, with where each
    document's starts and ends in them."""
    import numpy as np

    starts = np.asarray(raw._offsets, dtype=np.int64)
    ends = starts + np.asarray(raw._lengths, dtype=np.int64)
    return raw._dbfile.get(raw._basepos, int(ends.max()) if len(ends) else 0), starts, ends


def term_documents(leaf, field: str) -> list[tuple[str, "np.ndarray"]]:
    """Every term of one of a segment's indexed Whoosh fields (a date, a key, a tag's
    spelling), in order, with the segment doc numbers holding it, deleted documents included
    (`leaf.postings` leaves those out, a segment's deletions change, the segment does not).

    Whoosh hands out doc numbers one at a time through its matchers (1-3 µs each: 0.4 s for
    the source keys of 259,000 articles), and finds each term by a hash of it; here the
    field's terms are read in order from its term index, and each block of postings (a
    hundred or so, as `_write_field_terms` writes them) is taken at once, its delta-coded
    numbers summed by numpy. Postings that another codec keeps otherwise are read Whoosh's way."""
    import numpy as np
    from whoosh.codec.whoosh3 import W3LeafMatcher

    if field not in leaf.schema or not leaf.schema[field].indexed:
        return []
    terms, form = leaf._terms, leaf.schema[field].format
    found = []
    for (name, text), info in terms.items_from(field, b""):
        if name != field:  # the next field's terms follow
            break
        matcher = terms._codec.postings_reader(terms._postfile, info, form, term=(field, text))
        if type(matcher) is W3LeafMatcher and not matcher._byteids:
            blocks = []
            while matcher.is_active():
                if matcher._data is None:
                    matcher._read_data()
                blocks.append(np.cumsum(np.asarray(matcher._data[0], dtype=np.int64)))  # each block's first is whole
                matcher._next_block()
            docs = np.concatenate(blocks) if blocks else np.zeros(0, np.int64)
        else:
            docs = np.fromiter(matcher.all_ids(), dtype=np.int64)
        found.append((text.decode("utf-8") if isinstance(text, bytes) else text, docs))
    return found


class DocumentKeys:
    """What writing each of a segment's documents again needs (`_add_documents`, deleted ones
    included), by doc number: the values of its indexed and column fields, read from the
    segment's columns (in one piece each, `column_text`) and terms (`term_documents`), not
    from its stored fields: decompressing and unpickling those, body and all, for these few
    values took 45 µs an article, a sixth of a ×16 merge. Kept as arrays over the segment's
    documents, a document's dict made when asked (a dict each, made at once, was 70 MB more
    at the peak of a ×16 merge). `always`: the fields every document is given, even empty
    (`schema.ALWAYS_GIVEN`); another field's empty column value is no value. A line field's
    terms are given one a line, in term order, each once (a document's are distinct)."""

    def __init__(self, leaf, always: tuple[str, ...]):
        import numpy as np

        count = leaf.doc_count_all()
        self._columns, self._keys, self._lines = [], [], []
        for name, (kind, field) in sorted(_field_kinds(leaf.schema).items()):
            if kind is None:
                continue  # stored only: a merge copies the stored bytes as they are
            if kind is _KEY and field.column_type:
                text, starts, ends = column_text(leaf, name)
                width = np.int32 if len(text) < 2**31 else np.int64
                self._columns.append((name, text, np.asarray(starts, width), np.asarray(ends, width), name in always))
                continue
            found = term_documents(leaf, name)
            terms = [term for term, _ in found]
            docs = np.concatenate([holders for _, holders in found]) if found else np.zeros(0, np.int64)
            which = np.repeat(np.arange(len(found), dtype=np.int32), [len(holders) for _, holders in found])
            if kind is _KEY:
                held = np.full(count, -1, np.int32)
                held[docs] = which
                self._keys.append((name, terms, held))
            else:
                order = np.argsort(docs, kind="stable")  # by document, in term order within one
                bounds = np.searchsorted(docs[order], np.arange(count + 1))
                self._lines.append((name, terms, which[order], bounds))

    def __getitem__(self, doc: int) -> dict[str, str]:
        document = {}
        for name, text, starts, ends, given in self._columns:
            start, end = int(starts[doc]), int(ends[doc])
            if given or end > start:
                document[name] = text[start:end]
        for name, terms, held in self._keys:
            at = int(held[doc])
            if at >= 0:
                document[name] = terms[at]
        for name, terms, which, bounds in self._lines:
            first, last = int(bounds[doc]), int(bounds[doc + 1])
            if last > first:
                document[name] = "\n".join(terms[at] for at in which[first:last].tolist())
        return document


def index_segments(ix) -> list:
    """The segments of the last commit (each has segment_id(), doc_count(), deleted_count())."""
    return ix._segments()


# --------------------------------------------------------------------------- writing and committing


def write_stored_segment(folder: str, documents, stored_as_given: bool = False) -> object:
    """Write `documents` (keyword arguments of `add_document`) as one new segment of a new
    index in `folder`; returns the segment, whose files stay there until committed.

    The files are those Whoosh's `add_document` writes, byte for byte (a test compares
    them), written without its generality: each field's kind is known from the schema, so a
    key is one term, not a token through an analyser, and postings are gathered by term, not
    pooled and sorted (a third of the time Whoosh took; `_add_documents`).

    With `stored_as_given`, `documents` gives (document, stored) pairs, `stored` the
    document's stored fields as a segment holds them (`stored_bytes`): they are written as
    they are, not pickled and compressed again (a merge: a fifth of its time)."""
    from whoosh.filedb.filestore import FileStorage
    from whoosh.index import create_in

    from searchkit.indexing.schema import build_schema

    FileStorage.create = _create_folder
    terms: dict[str, tuple[str, dict[bytes, list]]] = {}
    writer = _batch_writer()(create_in(folder, build_schema()), _lk=False, compound=False)
    writer.gathered = terms
    given = None
    if stored_as_given:
        columns = writer.perdocwriter._colwriters
        columns[STORED_COLUMN] = given = _StoredAsGiven(columns[STORED_COLUMN])
    _add_documents(writer, documents, terms, given)
    segment = writer._finalize_segment()
    writer._tempstorage.destroy()
    return segment


@lru_cache(maxsize=1)
def _batch_writer() -> type:
    """Whoosh's segment writer, writing the postings `_add_documents` gathered by term (its
    `gathered`) when the segment is flushed. One class for the process: a class made in each
    call, its method holding the terms in a closure, was a reference cycle, so that a
    segment's gathered postings (518,000 lists and tuples in a ×16 merge) waited for the
    cyclic collector to be freed, and every full collection until then walked them."""
    from whoosh.writing import SegmentWriter

    class BatchWriter(SegmentWriter):
        gathered: dict[str, tuple[str, dict[bytes, list]]]  # set on each writer by `write_stored_segment`

        def _flush_segment(self):  # Whoosh's, with the postings gathered by `_add_documents`
            self.perdocwriter.close()
            _write_terms(self.fieldwriter, self.schema, self.gathered)
            self.fieldwriter.close()

    return BatchWriter


#: The kinds of indexed field searchkit's schema has: a key (an `ID` field: its value is its
#: one term) and lines (a `KEYWORD` field split at line breaks: each line a term, counted).
_KEY, _LINES = "key", "lines"


def _field_kinds(schema) -> dict[str, tuple[str | None, object]]:
    """(kind, field) of each field of the schema; kind None: not indexed."""
    from whoosh.analysis import IDTokenizer, RegexTokenizer
    from whoosh.formats import Existence, Frequency

    kinds = {}
    for name, field in schema.items():
        analyzer, format_ = getattr(field, "analyzer", None), getattr(field, "format", None)
        if not field.indexed:
            kinds[name] = (None, field)
        elif type(analyzer) is IDTokenizer and type(format_) is Existence and format_.field_boost == 1:
            kinds[name] = (_KEY, field)
        elif (type(analyzer) is RegexTokenizer and analyzer.expression.pattern == r"[^\n]+" and not analyzer.gaps
              and type(format_) is Frequency and format_.field_boost == 1):
            kinds[name] = (_LINES, field)
        else:
            raise TypeError(f"field {name!r}: a kind of field searchkit's segment writer does not write")
        if field.separate_spelling() or field.vector or (field.indexed and field.scorable):
            raise TypeError(f"field {name!r}: spelling, vectors and lengths are not written")
    return kinds


def _add_documents(writer, documents, terms: dict, given: "_StoredAsGiven | None") -> None:
    """`writer.add_document(**document)` of each document, as Whoosh's makes it for
    searchkit's fields: stored values and columns through the same per-document writer, in
    the same order (sorted field names); each indexed value's postings (doc number, and a
    line's count) gathered in `terms` by field and term, in doc-number order."""
    import re

    kinds = _field_kinds(writer.schema)
    for name, (kind, _) in kinds.items():
        if kind is not None:
            terms[name] = (kind, {})
    lines = re.compile(r"[^\n]+").findall
    perdoc = writer.perdocwriter
    docnum = writer.docnum
    for document in documents:
        if given is not None:
            document, given.stored = document
        perdoc.start_doc(docnum)
        for name in sorted(document):
            value = document[name]
            if value is None:
                continue
            kind, field = kinds[name]
            if kind is _KEY:
                terms[name][1].setdefault(value.encode("utf-8"), []).append(docnum)
            elif kind is _LINES:
                counted = terms[name][1]
                for line, count in Counter(lines(value)).items():
                    counted.setdefault(line.encode("utf-8"), []).append((docnum, count))
            if field.stored:
                perdoc.add_field(name, field, value, 0)
            if field.column_type:
                perdoc.add_column_value(name, field.column_type, field.to_column_value(value))
        perdoc.finish_doc()
        docnum += 1
    writer.docnum, writer._added = docnum, docnum > writer.docbase


def _write_terms(fieldwriter, schema, terms: dict) -> None:
    """The postings `_add_documents` gathered, written as Whoosh's `add_postings` writes a
    sorted pool of them, byte for byte (a test compares them): fields and terms in order, a
    key's weight 1.0, a line's its count (packed as its value); no field has lengths.

    A field's blocks and term index rows are made here (`_write_field_terms`), not through
    Whoosh's field, posting and hash writers one call each: 15 µs a term, of which the
    block's compression is 3, and a merge writes an id and a hash for every article (a fifth
    of its time). They are written as Whoosh's default codec (the one `create_in` gives)
    writes them: another codec's settings are a TypeError, as a field of another kind is."""
    from whoosh.util.numeric import length_to_byte

    for name in sorted(name for name, (_, postings) in terms.items() if postings):
        kind, postings = terms[name]
        fieldwriter.start_field(name, schema[name])
        blocks = fieldwriter._postwriter
        if blocks._inlinelimit > 1 or blocks._byteids:  # postings kept in the term index, ids as bytes
            raise TypeError(f"field {name!r}: a codec whose postings searchkit's segment writer does not write")
        _write_field_terms(fieldwriter, kind, postings, blocks._blocklimit, blocks._compression, length_to_byte(0))
        fieldwriter.finish_field()


#: How Whoosh packs a line's count (its posting's value), a block's length, a term index row's
#: field number, lengths and term info, and where a term's postings are.
_COUNT, _INT, _USHORT, _LONG = (struct.Struct(code).pack for code in ("!I", "!i", "!H", "!q"))
_ROW_LENGTHS, _TERM_INFO = struct.Struct("!ii").pack, struct.Struct("!BfIBBfII").pack
#: What a term's first block starts with (`whoosh.codec.whoosh3.WHOOSH3_HEADER_MAGIC`).
_BLOCKS_MAGIC = b"W3Bl"


def _write_field_terms(fieldwriter, kind: str, postings: dict, limit: int, level: int, no_length: int) -> None:
    """One field's terms, in order, as `W3PostingsWriter` and `OrderedHashWriter` write them:
    a term's postings in blocks of `limit`, each its header (size, last id, top weight,
    `level`, lengths) and its pickled delta-coded ids, weights and values compressed at
    `level`, the last one's size negative; then the term's row in the term index (key: field
    number and term; value: its `W3TermInfo`). Each file's bytes are joined and written once."""
    import zlib
    from pickle import dumps

    index = fieldwriter._tindex
    field, buckets, hashed = _USHORT(fieldwriter._fieldid), index.buckets, index.hashfn
    postings_file, rows_file = fieldwriter._postfile, index.dbfile
    at, row_at, last_key = postings_file.tell(), rows_file.tell(), index.lastkey
    written: list[bytes] = []
    rows: list[bytes] = []
    for text in sorted(postings):
        docs, counts = _docs_and_counts(kind, postings[text])
        start = at
        for first in range(0, len(docs), limit):
            ids = docs[first:first + limit]
            weights, values, top = _block_weights(counts[first:first + limit] if counts else None)
            data = dumps((tuple([ids[0]] + [b - a for a, b in zip(ids, ids[1:])]), weights, values), 2)
            data = zlib.compress(data, level) if level else data
            info = dumps((len(ids), ids[-1], top, level, 0, no_length), 2)
            size = len(info) + len(data)
            head = _INT(-size if first + limit >= len(docs) else size)
            written += (_BLOCKS_MAGIC + head if not first else head, info, data)
            at += size + len(head) + (0 if first else len(_BLOCKS_MAGIC))
        key = field + text
        if key <= last_key:
            raise ValueError(f"Keys must increase: {last_key!r}..{key!r}")
        weight, top = (float(len(docs)), 1.0) if counts is None else (float(sum(counts)), float(max(counts)))
        value = _TERM_INFO(0, weight, len(docs), 0, no_length, top, docs[0], docs[-1]) + _LONG(start) + _INT(at - start)
        index.index.append(row_at)
        hash_value = hashed(key)
        buckets[hash_value & 255].append((hash_value, row_at))
        rows += (_ROW_LENGTHS(len(key), len(value)), key, value)
        row_at += 8 + len(key) + len(value)
        last_key = key
    postings_file.write(b"".join(written))
    rows_file.write(b"".join(rows))
    index.lastkey = last_key


def _docs_and_counts(kind: str, found: list) -> tuple[list[int], list[int] | None]:
    """A term's doc numbers, and a line's counts in each (None for a key: weight 1, no value)."""
    if kind is _KEY:
        return found, None
    return [doc for doc, _ in found], [count for _, count in found]


def _block_weights(counts: list[int] | None) -> tuple[object, bytes | None, float]:
    """A block's weights as `W3PostingsWriter._mini_weights` keeps them (None: all 1; one
    number: all the same; else each, as float32 holds it), its values (the counts packed) and
    its top weight. A key's block: no weights, no values, top 1.0.

    >>> _block_weights([2, 2])
    (2.0, b'\\x00\\x00\\x00\\x02\\x00\\x00\\x00\\x02', 2.0)
    """
    if counts is None:
        return None, None, 1.0
    weights = array("f", counts)
    if all(weight == 1.0 for weight in weights):
        mini = None
    elif all(weight == weights[0] for weight in weights):
        mini = weights[0]
    else:
        mini = tuple(weights)
    return mini, b"".join(map(_COUNT, counts)), float(max(counts))


#: The column of a Whoosh segment that holds each document's stored fields (pickled, compressed).
STORED_COLUMN = "_stored"


def stored_bytes(leaf) -> tuple[bytes, list[int], list[int]]:
    """Every document's stored fields as a segment holds them (compressed, pickled), in one
    piece, with where each document's start and end (deleted documents included; read as
    `column_text` reads a column). `stored_from_bytes` reads one.

    A merge copies them so (`write_stored_segment(stored_as_given=True)`): a ×16 segment
    holds 8,000 articles' in 12 MB."""
    from whoosh.codec.whoosh3 import STORED_COLUMN as COLUMN

    raw = leaf._perdoc._cached_reader(STORED_COLUMN, COLUMN)._child  # the compressed bytes under the pickles
    stored, starts, ends = _column_bytes(raw)
    return stored, starts.tolist(), ends.tolist()


def stored_from_bytes(stored: bytes, filename: str = "a stored fields file") -> dict:
    """A document's stored fields from `stored_bytes`, read without running code.

    >>> import pickle, zlib
    >>> stored_from_bytes(zlib.compress(pickle.dumps({"id": "a1", "title": "Trạm BTS"}, 2), 3))
    {'id': 'a1', 'title': 'Trạm BTS'}
    """
    import zlib

    return safe_loads(zlib.decompress(stored), filename) if stored else {}


class _StoredAsGiven:
    """The stored-fields column writer of a segment, writing each document's stored fields
    as the bytes it is given (`stored`, `stored_bytes` of another segment) instead of the
    fields Whoosh hands it, pickled and compressed again."""

    def __init__(self, writer):
        from functools import partial

        from whoosh.columns import VarBytesColumn

        self._writer = writer  # pickles into a writer that compresses into one that writes bytes
        self._write = partial(VarBytesColumn.Writer.add, writer._child)  # the bytes as they are
        self.stored: bytes = b""

    def add(self, docnum: int, value) -> None:
        self._write(docnum, self.stored)

    def finish(self, doccount: int) -> None:
        self._writer.finish(doccount)


def _create_folder(storage):
    """`FileStorage.create` without an error raised and kept: Whoosh's writer creates its
    temporary folder twice, and the second `os.makedirs` raised an error that Whoosh kept in a
    local variable. Its traceback held the writer's frames, and through them the calling
    frames: a whole batch (articles, token numbers) stayed in memory, in a reference cycle,
    until the next full garbage collection, which each later batch paid for."""
    import errno
    import os

    path = os.path.abspath(storage.folder)
    try:
        os.makedirs(path, exist_ok=True)
    except FileExistsError:  # a file of that name: said below, as Whoosh says it
        pass
    if not os.path.isdir(path):
        raise NotADirectoryError(errno.ENOTDIR, "is not a directory", path)
    return storage


def commit_segments(ix, added, replaced=(), clear: bool = False, dropped: frozenset[str] = frozenset()) -> None:
    """One atomic commit: `added` (a segment from `write_stored_segment`, its files already
    in the index folder, or None) joins the index, `replaced` ids are deleted, and the
    segments named in `dropped` (or, with `clear`, every older one) leave it. Whoosh deletes
    the files of the segments that left after the commit."""
    from whoosh.writing import CLEAR, NO_MERGE

    # searchkit's writer lock (store.writer_lock), held for the whole run, is the one lock:
    # Whoosh's own picks fcntl or msvcrt by os.name, not by what the platform has.
    writer = ix.writer(compound=False, _lk=False)
    try:
        for doc_id in replaced:
            writer.delete_by_term("id", doc_id)
        segments = writer._merge_segments(CLEAR if clear else NO_MERGE, False, False)
        segments = [segment for segment in segments if segment.segment_id() not in dropped]
        writer._close_segment()
        writer._commit_toc(segments + ([added] if added is not None else []))
    except BaseException:
        writer.cancel()
        raise
    writer._finish()
