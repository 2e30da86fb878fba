"""Named numeric arrays in one sealed file, mapped back with no copy and no pickle: the caches
beside the index, the pair model (`pairs-<generation>.arrays`) and the did-you-mean statistics
(`suggest-<generation>.arrays`, their words as lines of UTF-8: `searching.sorted_table.Lines`).

The file is a line naming the format, a line with the length and CRC-32 of a JSON header
(each array's name, dtype, shape and offset, and the CRC-32 of the arrays), that header,
zeros up to a multiple of 64 bytes, then the arrays' bytes, each at an offset aligned to 64.
Reading it maps the file and checksums it, no copy: a cold `searchkit query "tram bts"`
read the same arrays from an `.npz` (a zip, read member by member, copied twice) in 16 ms;
now in about 4.

Only numbers and booleans (dtype kinds `b`, `i`, `u`, `f`) are read: nothing in the file
can run code, and any changed byte, in the header or in the arrays, is a ValueError.

>>> import numpy as np, tempfile, os
>>> path = os.path.join(tempfile.mkdtemp(), "pairs-3.arrays")
>>> write_arrays(path, {"keys": np.array([3, 9], np.uint32), "scalars": np.array([0.5, 2.0])})
>>> {name: a.tolist() for name, a in read_arrays(path).items()}
{'keys': [3, 9], 'scalars': [0.5, 2.0]}
"""

from __future__ import annotations

import json
import os
import zlib
from typing import TYPE_CHECKING, Mapping

if TYPE_CHECKING:
    import numpy as np

MAGIC = b"searchkit arrays 1\n"
#: Each array starts at a multiple of this many bytes from the first (aligned for any dtype).
ALIGN = 64
#: The dtype kinds a file may hold: booleans, integers and floats; never objects.
KINDS = "biuf"
#: A header longer than this is not one this module wrote.
MAX_HEADER = 1 << 20


def write_arrays(path: str | os.PathLike, arrays: Mapping[str, np.ndarray]) -> None:
    """Write `arrays` to `path` (the caller writes a temporary name, then renames it). Each
    array's bytes go from its own memory to the checksum and the file (a 15 MB pair model
    gathered in one buffer first was two more copies of it)."""
    import numpy as np

    entries, offset, crc = [], 0, 0
    contiguous = {name: np.ascontiguousarray(a) for name, a in arrays.items()}
    for name, array in contiguous.items():
        if array.dtype.kind not in KINDS:
            raise ValueError(f"array {name!r} holds {array.dtype}: only numbers are written")
        crc = zlib.crc32(bytes(-offset % ALIGN), crc)  # the zeros before it belong to the payload too
        offset += -offset % ALIGN
        entries.append([name, array.dtype.str, list(array.shape), offset])
        crc = zlib.crc32(_bytes_of(array), crc)
        offset += array.nbytes
    header = json.dumps({"arrays": entries, "size": offset, "crc32": crc}).encode("utf-8")
    head = MAGIC + b"%d %d\n" % (len(header), zlib.crc32(header)) + header
    with open(path, "wb") as stream:
        stream.write(head + bytes(-len(head) % ALIGN))  # the arrays start aligned in the file too
        written = 0
        for (_, _, _, start), array in zip(entries, contiguous.values()):
            stream.write(bytes(start - written))
            stream.write(_bytes_of(array))
            written = start + array.nbytes


def _bytes_of(array: np.ndarray):
    """A C-contiguous array's bytes, as a view (no copy)."""
    return array.reshape(-1).view("u1")


def read_arrays(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """The arrays `write_arrays` wrote, as read-only views of the file mapped into memory
    (no copy: the cache is replaced by a rename, never rewritten in place). OSError when the
    file cannot be read; ValueError when it is not such a file, or any byte changed."""
    import mmap

    import numpy as np

    with open(path, "rb") as stream:
        if stream.readline(len(MAGIC)) != MAGIC:
            raise ValueError(f"{path} is not an arrays file")
        header = _header(stream, path)
        padding = stream.tell()
        start = padding + -padding % ALIGN
        if os.fstat(stream.fileno()).st_size != start + header["size"]:
            raise ValueError(f"{path} is not as long as its header says")
        mapped = memoryview(mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ))
    payload = mapped[start:]
    if any(mapped[padding:start]) or zlib.crc32(payload) != header.get("crc32"):
        raise ValueError(f"{path}: its arrays do not match their checksum")
    arrays = {}
    for entry in header.get("arrays", ()):
        name, dtype, shape, offset = _entry(entry, path)
        count = int(np.prod(shape, dtype=np.int64))
        if offset % ALIGN or offset + count * dtype.itemsize > len(payload):
            raise ValueError(f"{path}: array {name!r} lies outside the file")
        arrays[name] = np.frombuffer(payload, dtype=dtype, count=count, offset=offset).reshape(shape)
    return arrays


def _header(stream, path) -> dict:
    """The JSON header after the magic line, its length and checksum verified."""
    line = stream.readline(32).split()
    if len(line) != 2 or not all(part.isdigit() for part in line) or int(line[0]) > MAX_HEADER:
        raise ValueError(f"{path}: its header is damaged")
    raw = stream.read(int(line[0]))
    if zlib.crc32(raw) != int(line[1]):
        raise ValueError(f"{path}: its header does not match its checksum")
    header = json.loads(raw)
    if not isinstance(header, dict) or type(header.get("size")) is not int or header["size"] < 0:
        raise ValueError(f"{path}: its header is damaged")
    return header


def _entry(entry, path) -> tuple[str, np.dtype, tuple[int, ...], int]:
    """One header entry, checked: a name, a numeric dtype, a shape and an offset."""
    import numpy as np

    dtype = None
    if isinstance(entry, list) and len(entry) == 4:
        name, kind, shape, offset = entry
        try:
            dtype = np.dtype(kind) if isinstance(kind, str) and kind[1:2] in KINDS else None
        except TypeError:
            pass
        if isinstance(name, str) and isinstance(shape, list) and all(type(n) is int and n >= 0 for n in shape) \
                and type(offset) is int and offset >= 0 and dtype is not None and dtype.kind in KINDS:
            return name, dtype, tuple(shape), offset
    raise ValueError(f"{path}: an entry of its header is damaged: {json.dumps(entry)[:80]}")
