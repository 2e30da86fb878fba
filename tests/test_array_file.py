"""The pair model's file (`indexing.array_file`): numbers read back as written; any changed
byte, a crafted header or a type that is not a number is a ValueError (the cache is rebuilt),
never an array read from the wrong place, never code run."""

from __future__ import annotations

import json
import zlib

import numpy as np
import pytest

from searchkit.indexing.array_file import MAGIC, read_arrays, write_arrays

#: What a pair model of three syllables (`trạm`, `BTS`, `Đắk`) holds, in the types it is written in.
ARRAYS = {"vocabulary": np.frombuffer("bts\ntrạm\nđắk".encode(), np.uint8), "keys": np.array([1, 5, 7], np.uint32),
          "counts": np.array([30, 2, 65535], np.uint16), "alone": np.arange(9, dtype=np.float64).reshape(3, 3),
          "empty": np.zeros(0, np.uint8), "cased": np.array([True, False, True])}


def test_arrays_read_back_as_written(tmp_path):
    write_arrays(tmp_path / "pairs-4.arrays", ARRAYS)
    read = read_arrays(tmp_path / "pairs-4.arrays")
    assert list(read) == list(ARRAYS)
    for name, array in ARRAYS.items():
        assert read[name].dtype == array.dtype and read[name].shape == array.shape
        assert np.array_equal(read[name], array), name
        assert read[name].flags.aligned, name  # each at an offset numpy reads at full speed
    assert bytes(read["vocabulary"]).decode().split("\n") == ["bts", "trạm", "đắk"]
    with pytest.raises(ValueError):
        read["keys"][0] = 9  # views of the file's bytes: read-only


def test_only_numbers_are_written(tmp_path):
    with pytest.raises(ValueError, match="only numbers"):
        write_arrays(tmp_path / "pairs-4.arrays", {"words": np.array(["trạm", "BTS"], dtype=object)})
    with pytest.raises(ValueError, match="only numbers"):
        write_arrays(tmp_path / "pairs-4.arrays", {"words": np.array(["trạm", "BTS"])})  # unicode


@pytest.mark.parametrize("at", [0, len(MAGIC) + 2, 60, -1, -200])
def test_any_changed_byte_is_found(tmp_path, at):
    path = tmp_path / "pairs-4.arrays"
    write_arrays(path, ARRAYS)
    raw = bytearray(path.read_bytes())
    raw[at] ^= 0x20
    path.write_bytes(bytes(raw))
    with pytest.raises(ValueError):
        read_arrays(path)


def test_a_cut_or_lengthened_file_is_found(tmp_path):
    path = tmp_path / "pairs-4.arrays"
    write_arrays(path, ARRAYS)
    whole = path.read_bytes()
    for damaged in (whole[:-1], whole + b"\0", whole[:len(MAGIC) + 3], b"", b"PK\x03\x04 an npz"):
        path.write_bytes(damaged)
        with pytest.raises(ValueError):
            read_arrays(path)


def _resealed(path, change) -> None:
    """Rewrite the header as a crafter would: changed, with a checksum that matches."""
    raw = path.read_bytes()
    length_end = raw.index(b"\n", len(MAGIC))
    length = int(raw[len(MAGIC):length_end].split()[0])
    header = json.loads(raw[length_end + 1:length_end + 1 + length])
    arrays = raw[len(raw) - header["size"]:]
    change(header)
    text = json.dumps(header).encode()
    head = MAGIC + b"%d %d\n" % (len(text), zlib.crc32(text)) + text
    path.write_bytes(head + bytes(-len(head) % 64) + arrays)


@pytest.mark.parametrize("change", [
    lambda h: h["arrays"][1].__setitem__(1, "|O"),  # an object array: never read
    lambda h: h["arrays"][1].__setitem__(1, "<u4,O"),  # a record holding one
    lambda h: h["arrays"][1].__setitem__(2, [10 ** 6]),  # longer than the file
    lambda h: h["arrays"][1].__setitem__(3, 65),  # not aligned
    lambda h: h["arrays"][1].__setitem__(3, -64),
    lambda h: h["arrays"][1].__setitem__(2, [-1]),
    lambda h: h["arrays"].append(["more"]),
    lambda h: h.__setitem__("size", "many"),
    lambda h: h.__setitem__("crc32", h["crc32"] + 1),
])
def test_a_crafted_header_is_refused(tmp_path, change):
    path = tmp_path / "pairs-4.arrays"
    write_arrays(path, ARRAYS)
    _resealed(path, lambda header: None)
    assert np.array_equal(read_arrays(path)["keys"], ARRAYS["keys"])  # resealed unchanged: still read
    _resealed(path, change)
    with pytest.raises(ValueError):
        read_arrays(path)


def test_a_byte_between_the_header_and_the_arrays_is_found(tmp_path):
    path = tmp_path / "pairs-4.arrays"
    write_arrays(path, ARRAYS)
    raw = bytearray(path.read_bytes())
    size = 0
    for array in ARRAYS.values():  # each at a multiple of 64 from the first
        size += -size % 64 + array.nbytes
    start = len(raw) - size  # where the arrays begin
    assert start % 64 == 0 and raw[start - 1] == 0
    raw[start - 1] = ord("x")
    path.write_bytes(bytes(raw))
    with pytest.raises(ValueError):
        read_arrays(path)
