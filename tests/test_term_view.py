"""A segment finds a term by bisecting its field's term bytes for the first lookups, and by
its split list after them (`postings._TermView`, issue 21, item 6: a cold query splits no
list of tens of thousands of terms): both find every term at its number, and no other."""

from __future__ import annotations

import gc
import json

import numpy as np
import pytest

from searchkit.errors import IndexDamagedError
from searchkit.indexing import postings
from searchkit.indexing.postings import SUFFIX, SegmentPostings, split_after


def segment_files(engine):
    return sorted(engine.path.glob(f"*{SUFFIX}"))


def test_the_view_finds_every_term_at_its_number_as_the_list_does(sample_engine):
    checked = 0
    for path in segment_files(sample_engine):
        for field in ("body_f", "body", "title_f", "title", "words"):
            terms = SegmentPostings(path).terms(field)
            if not terms:
                continue
            view = postings._TermView(SegmentPostings(path)._field(field)["terms"])
            assert len(view) == len(terms) and tuple(view[i] for i in range(len(terms))) == terms
            checked += len(terms)
    assert checked > 1000


def test_a_few_lookups_split_nothing_and_many_split_the_field_once(sample_engine):
    path = segment_files(sample_engine)[0]
    segment, listed = SegmentPostings(path), SegmentPostings(path).terms("body_f")
    first, last = listed[0].decode("utf-8"), listed[-1].decode("utf-8")
    wanted = ["tram", "bts", "dak", "nong", "zzz-không-có", first, last, first + "zz", "trạm"]
    found = {word: segment._find("body_f", word) for word in wanted}
    assert "body_f" not in segment._terms  # answered from the bytes
    assert sum(hit is not None for hit in found.values()) >= 5 and found["zzz-không-có"] is None
    for word, hit in found.items():
        key = word.encode("utf-8")
        assert (hit[1] if hit else None) == (listed.index(key) if key in listed else None), word
    for word in (listed * 2)[: split_after(len(listed)) + 1]:
        segment._find("body_f", word.decode("utf-8"))
    assert segment._terms["body_f"] == listed and "body_f" not in segment._views



def test_a_split_field_is_left_out_of_the_garbage_collectors_walks(sample_engine):
    """A segment's split terms, and its words less the common pairs, are kept for as long as
    the index is open: a full collection walked them all each time (370,000 at 16 times the
    corpus: 4-5 ms of each 15 ms collection, in whichever search it fell). Kept as tuples of bytes, they are
    untracked by the first collection that sees them."""
    segment = SegmentPostings(segment_files(sample_engine)[0])
    listed, words = segment.terms("body_f"), segment.words("body_f")[0]
    gc.collect()
    assert len(listed) > len(words) > 300 and b"tr\xe1\xba\xa1m" not in listed  # folded: tram, not trạm
    assert b"tram" in words and not any(b" " in word for word in words)
    assert not gc.is_tracked(listed) and not gc.is_tracked(words)

def _without_sizes(path, out):
    """The file as a searchkit before the terms' `sizes` wrote it: its header no longer names
    them (the arrays' bytes stay where they are, after the shorter header)."""
    data = path.read_bytes()
    size = int.from_bytes(data[8:12], "little")
    header = json.loads(data[12:12 + size])
    for info in header.values():
        info.pop("sizes", None)
    encoded = json.dumps(header).encode("utf-8")
    out.write_bytes(data[:8] + len(encoded).to_bytes(4, "little") + encoded + data[12 + size:])
    return out


def test_a_segment_reads_where_its_terms_end_from_the_file_and_an_older_file_is_scanned(sample_engine, tmp_path):
    """A cold query bisects each field of each segment: the NUL bytes ending its terms come
    from the file's `sizes`, not from a scan of the bytes; a file written before them is
    scanned, and either way every term is found at its number."""
    for path in segment_files(sample_engine):
        older = _without_sizes(path, tmp_path / path.name)
        for field in ("body_f", "body", "title_f", "title", "words"):
            arrays, old_arrays = SegmentPostings(path)._field(field), SegmentPostings(older)._field(field)
            scanned = np.flatnonzero(arrays["terms"] == 0)
            assert "sizes" in arrays and "sizes" not in old_arrays
            assert postings._ends(arrays).tolist() == scanned.tolist() and postings._ends(old_arrays) is None
            words = SegmentPostings(path).terms(field)[::7]
            new, old = SegmentPostings(path), SegmentPostings(older)
            for word in words:
                text = word.decode("utf-8")
                assert new._find(field, text)[1] == old._find(field, text)[1] == SegmentPostings(path).terms(field).index(word)
            assert new.word_terms(field).tolist() == old.word_terms(field).tolist()


def test_sizes_that_do_not_end_the_terms_are_damage(sample_engine, tmp_path):
    path = segment_files(sample_engine)[0]
    data = bytearray(path.read_bytes())
    size = int.from_bytes(data[8:12], "little")
    at, count, kind = json.loads(bytes(data[12:12 + size]))["body_f"]["sizes"]
    assert count > 2 and np.dtype(kind).itemsize == 1  # a byte a term
    data[12 + size + at] += 1  # the first term one byte longer, the second one shorter
    data[12 + size + at + 1] -= 1
    damaged = tmp_path / path.name
    damaged.write_bytes(bytes(data))
    with pytest.raises(IndexDamagedError, match="body_f"):
        SegmentPostings(damaged).verify()
    SegmentPostings(path).verify()


def test_a_cold_lookup_bisects_by_the_files_sizes_without_scanning_the_bytes(sample_engine, monkeypatch):
    given = []
    init = postings._TermView.__init__

    def spy(self, joined, sizes=None):
        given.append(sizes is not None)
        init(self, joined, sizes)

    monkeypatch.setattr(postings._TermView, "__init__", spy)
    segment = SegmentPostings(segment_files(sample_engine)[0])
    segment._find("body_f", "tram"), segment._find("title", "trạm"), segment._find("body_f", "bts")
    assert given == [True, True]  # one view a field


def test_sizes_that_do_not_span_the_terms_are_not_trusted_by_lookups(sample_engine, tmp_path):
    """A damaged `sizes` whose sum is not the terms' bytes is left aside: lookups scan the
    bytes and find every term at its number; `verify` names the file."""
    path = segment_files(sample_engine)[0]
    data = bytearray(path.read_bytes())
    size = int.from_bytes(data[8:12], "little")
    at, _, _ = json.loads(bytes(data[12:12 + size]))["body_f"]["sizes"]
    data[12 + size + at] += 3
    damaged = tmp_path / path.name
    damaged.write_bytes(bytes(data))
    listed = SegmentPostings(path).terms("body_f")
    segment = SegmentPostings(damaged)
    for number in range(0, len(listed), 11):
        assert segment._find("body_f", listed[number].decode("utf-8"))[1] == number
    with pytest.raises(IndexDamagedError, match="body_f"):
        segment.verify()


def test_a_term_longer_than_255_bytes_and_an_empty_field_are_found_by_their_sizes(tmp_path):
    """Sizes are a byte a term as a rule; a longer term (a run of Vietnamese syllables joined
    by pyvi, 3 bytes a marked letter) widens them, and the running sum still ends every term.
    A field without terms has no sizes to sum and finds nothing."""
    long_word = "_".join(["nghiêng"] * 40)  # 319 characters, 359 bytes
    path = tmp_path / "s.skp"
    postings.write_postings(path, [{"words": ["trạm_bts", long_word, "đắk_nông"], "body_f": []}])
    segment = SegmentPostings(path)
    arrays = segment._field("words")
    assert arrays["sizes"].dtype.itemsize == 2 and len(long_word.encode("utf-8")) > 255
    assert postings._ends(arrays).tolist() == np.flatnonzero(arrays["terms"] == 0).tolist()
    listed = segment.terms("words")
    for word in ("trạm_bts", long_word, "đắk_nông"):
        assert segment._find("words", word)[1] == listed.index(word.encode("utf-8"))
    assert segment._find("words", "nghiêng") is None and segment._find("body_f", "tram") is None
    assert postings._ends(segment._field("body_f")).tolist() == []
    segment.verify()


@pytest.mark.parametrize("block, by_blocks", [(1, 10**9), (3, 10**9), (64, 10**9), (64, 8)])
def test_the_view_finds_each_term_at_its_number_and_nothing_between_them_in_blocks_of_any_size(
        sample_engine, tmp_path, monkeypatch, block, by_blocks):
    """`find` bisects the first terms of blocks, then one block (for its first `by_blocks`
    lookups, then every term's end): every term of every field is found at its number,
    whether the blocks' starts come from the file's sizes or from a scan of an older file's
    bytes; a word before the first term, after the last, or between two (a term with a byte
    more or less) is found nowhere."""
    monkeypatch.setattr(postings, "TERM_BLOCK", block)
    monkeypatch.setattr(postings, "BLOCK_LOOKUPS", by_blocks)
    checked = 0
    for path in segment_files(sample_engine)[:2]:
        older = _without_sizes(path, tmp_path / path.name)
        for field in ("body_f", "body", "title_f", "words"):
            listed = SegmentPostings(path).terms(field)
            arrays = SegmentPostings(path)._field(field)
            views = (postings._TermView(arrays["terms"], postings._sizes(arrays)),
                     postings._TermView(SegmentPostings(older)._field(field)["terms"]))
            absent = {b"", b"\x00", listed[0][:-1], listed[-1] + b"z", "zzz-không-có".encode("utf-8")}
            absent |= {term + b"a" for term in listed[::5]} | {term[:-1] for term in listed[1::5] if len(term) > 1}
            for view in views:
                assert len(view) == len(listed)
                assert [view.find(term) for term in listed] == list(range(len(listed)))
                assert all(view.find(word) == -1 for word in absent - set(listed))
            checked += len(listed)
    assert checked > 1000


def test_a_few_lookups_sum_where_one_block_ends_and_more_sum_every_term_once(sample_engine, monkeypatch):
    """A cold query makes a few lookups in each field: they sum one block's sizes each, not
    every term's (a million ends at 16k articles); past BLOCK_LOOKUPS, every term's end is
    summed once, and each term is still found at its number."""
    monkeypatch.setattr(postings, "BLOCK_LOOKUPS", 8)  # below the lookups that split the list
    path = segment_files(sample_engine)[0]
    listed = SegmentPostings(path).terms("body_f")
    segment = SegmentPostings(path)
    words = [term.decode("utf-8") for term in listed[::max(1, len(listed) // 40)]]
    for number, word in enumerate(words[:postings.BLOCK_LOOKUPS]):
        assert segment._find("body_f", word)[1] == listed.index(word.encode("utf-8"))
    assert segment._views["body_f"]._bounds is None
    more = words[postings.BLOCK_LOOKUPS:split_after(len(listed))]  # before the list is split
    for word in more:
        assert segment._find("body_f", word)[1] == listed.index(word.encode("utf-8"))
    assert segment._views["body_f"]._bounds is not None and len(more) > 10
