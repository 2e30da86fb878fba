"""Open a Whoosh index without running code from its folder.

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
from pathlib import Path

from searchkit.errors import IndexFormatError

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
    searchkit.errors.IndexFormatError: _MAIN_1.toc names builtins.print, which is not part of a segment list; the index folder may have been tampered with: rebuild it with searchkit index --rebuild
    """
    try:
        stream = io.BytesIO(data) if isinstance(data, (bytes, bytearray, memoryview)) else data
        segments = _SegmentsUnpickler(stream).load()
    except _Refused as refused:
        raise IndexFormatError(
            f"{filename} names {refused}, which is not part of a segment list; the index folder "
            "may have been tampered with: rebuild it with searchkit index --rebuild"
        ) from None
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError, IndexError) as error:
        raise IndexFormatError(f"{filename} is damaged ({error}); rebuild the index with searchkit index --rebuild") from None
    if expect_list and not isinstance(segments, list):
        raise IndexFormatError(f"{filename} holds no segment list; rebuild the index with searchkit index --rebuild")
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
    from whoosh.index import TOC, EmptyIndexError, _CURRENT_TOC_VERSION

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
            raise IndexFormatError(f"{filename} is damaged (byte order); rebuild the index with searchkit index --rebuild")
        version = stream.read_int()
        release = (stream.read_varint(), stream.read_varint(), stream.read_varint())
        if version != _CURRENT_TOC_VERSION:
            raise IndexFormatError(f"{filename} has Whoosh format {version}; rebuild the index with searchkit index --rebuild")
        stream.skip_string()  # the pickled schema: never unpickled
        if stream.read_int() != generation:
            raise IndexFormatError(f"{filename} is damaged (generation); rebuild the index with searchkit index --rebuild")
        stream.read_int()  # unused
        segments = load_segments(stream.read(), filename)
    finally:
        stream.close()
    return TOC(schema, segments, generation, version=version, release=release)
