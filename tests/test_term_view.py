"""A segment finds a term by bisecting its field's term bytes for the first lookups, and by
its split list after them (`postings._TermView`, issue 21, item 6: a cold query splits no
list of tens of thousands of terms): both find every term at its number, and no other."""

from __future__ import annotations

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
            assert len(view) == len(terms) and [view[i] for i in range(len(terms))] == terms
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
