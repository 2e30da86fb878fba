"""The segment postings files (.skp) are the one store of postings searching reads: every
segment has one, and a missing, truncated or foreign one is an error naming the file and
the command that repairs the index, never a silent fallback to other data."""


import pytest
from click.testing import CliRunner

from searchkit import IndexFormatError
from searchkit.cli import main
from searchkit.indexing.postings import SUFFIX
from tests.conftest import copied_engine, segmented_engine


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """300 articles in 3 segments."""
    return segmented_engine(tmp_path_factory.mktemp("skp"), 300)


@pytest.fixture
def damaged(built, tmp_path):
    """A copy of the index, for one test to damage."""
    return copied_engine(built, tmp_path)


def test_every_segment_gets_a_postings_file(built):
    assert len(list(built.path.glob("*" + SUFFIX))) == 3
    assert built.search("trạm BTS").total > 0


def _truncate(path):
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _old_magic(path):
    path.write_bytes(b"SKPOST00" + path.read_bytes()[8:])


def _bad_header(path):
    path.write_bytes(path.read_bytes()[:12] + b"{not json" + path.read_bytes()[21:])


@pytest.mark.parametrize("damage, problem", [
    (lambda path: path.unlink(), "is missing"),
    (_truncate, "has [0-9,]+ bytes where the manifest says"),
    (_old_magic, "does not match its checksum: its header was changed"),
    (_bad_header, "does not match its checksum"),
])
def test_a_damaged_postings_file_is_named_with_the_repair(damaged, damage, problem):
    """Opening a generation verifies every file's size and header against the manifest."""
    target = sorted(damaged.path.glob("*" + SUFFIX))[1]
    damage(target)
    with pytest.raises(IndexFormatError, match=f"{target.name} {problem}.*searchkit check --repair"):
        damaged.search("trạm BTS")


@pytest.mark.parametrize("damage, problem", [
    (_truncate, "is truncated"),
    (_old_magic, "is not a searchkit postings file of this version"),
    (_bad_header, "has a damaged header"),
])
def test_the_postings_reader_names_what_is_wrong_with_its_file(damaged, damage, problem):
    """Without a manifest to compare with, the reader itself still says what is wrong."""
    from searchkit.indexing.postings import open_postings

    target = sorted(damaged.path.glob("*" + SUFFIX))[1]
    damage(target)
    with pytest.raises(IndexFormatError, match=f"{target.name} {problem}.*searchkit check --repair"):
        open_postings(str(damaged.path), target.stem)


def test_check_reports_a_clean_index_and_a_damaged_one(built, damaged):
    runner = CliRunner()
    clean = runner.invoke(main, ["check", "--index", str(built.path)])
    assert clean.exit_code == 0 and "3 segments, 300 articles: no damage" in clean.output
    target = sorted(damaged.path.glob("*" + SUFFIX))[0]
    target.write_bytes(target.read_bytes()[:100])
    result = runner.invoke(main, ["check", "--index", str(damaged.path)])
    assert result.exit_code == 3
    assert target.name in result.output and "searchkit index --rebuild" in result.output


def test_merged_postings_equal_postings_written_from_the_live_articles(tmp_path):
    """Merging drops a deleted article's postings and positions and renumbers the rest,
    array for array what writing the live articles afresh gives."""
    import numpy as np

    from searchkit.fields import FIELDS
    from searchkit.indexing.analysis import analyze_article
    from searchkit.indexing.corpus import iter_articles
    from searchkit.indexing.postings import SegmentPostings, merge_postings, write_postings
    from tests.conftest import CORPUS

    analysed = [analyze_article(article) for article in iter_articles([CORPUS])]
    assert len(analysed) == 5
    write_postings(tmp_path / "a.skp", analysed[:3])
    write_postings(tmp_path / "b.skp", analysed[3:])
    sources = [(SegmentPostings(tmp_path / "a.skp"), np.array([True, False, True])),
               (SegmentPostings(tmp_path / "b.skp"), np.array([True, True]))]
    merge_postings(tmp_path / "merged.skp", sources)
    write_postings(tmp_path / "fresh.skp", [analysed[0], analysed[2], *analysed[3:]])
    merged, fresh = SegmentPostings(tmp_path / "merged.skp"), SegmentPostings(tmp_path / "fresh.skp")
    merged.verify()
    for field in FIELDS:
        assert merged.terms(field.name) == fresh.terms(field.name)
        mine, theirs = merged._field(field.name), fresh._field(field.name)
        assert mine.keys() == theirs.keys()
        for name in mine:
            assert mine[name].tolist() == theirs[name].tolist(), (field.name, name)
    gone = set(analysed[1]["body_f"]) - {t for i in (0, 2, 3, 4) for t in analysed[i]["body_f"]}
    assert gone and all(merged.get("body_f", term) is None for term in gone)  # only the deleted one had them


def test_a_merge_writes_each_fields_postings_before_making_the_next_ones(tmp_path, monkeypatch):
    """A merge holds one field's merged arrays at a time: each is written, and gone, before the
    next field's are made (at 16 times the corpus the bodies' arrays are hundreds of MB; held
    until the end, they made the build's largest process). The file reads back whole."""
    import gc
    import weakref

    import numpy as np

    from searchkit.fields import FIELDS
    from searchkit.indexing import postings
    from searchkit.indexing.analysis import analyze_article
    from searchkit.indexing.corpus import iter_articles
    from searchkit.indexing.postings import SegmentPostings, merge_postings, write_postings
    from tests.conftest import CORPUS

    analysed = [analyze_article(article) for article in iter_articles([CORPUS])]
    write_postings(tmp_path / "a.skp", analysed[:2])
    write_postings(tmp_path / "b.skp", analysed[2:])
    sources = [(SegmentPostings(tmp_path / name), np.ones(size, bool)) for name, size in (("a.skp", 2), ("b.skp", 3))]
    made, alive_before = [], {}
    merged_field = postings._merged_field

    def watched(name, positional, given):
        gc.collect()
        alive_before[name] = [ref().dtype for ref in made if ref() is not None]
        arrays = merged_field(name, positional, given)
        made.extend(weakref.ref(array) for array in arrays.values())
        return arrays

    monkeypatch.setattr(postings, "_merged_field", watched)
    merge_postings(tmp_path / "merged.skp", sources)
    assert list(alive_before) == [field.name for field in FIELDS]
    assert all(found == [] for found in alive_before.values()), alive_before
    write_postings(tmp_path / "fresh.skp", analysed)
    merged, fresh = SegmentPostings(tmp_path / "merged.skp"), SegmentPostings(tmp_path / "fresh.skp")
    merged.verify()
    assert merged.get("body_f", "tram") is not None and merged.get("title", "đắk") is not None
    for field in FIELDS:
        mine, theirs = merged._field(field.name), fresh._field(field.name)
        assert {name: array.tolist() for name, array in mine.items()} == \
            {name: array.tolist() for name, array in theirs.items()}, field.name


def test_pair_counts_folded_in_as_they_come_equal_counts_taken_at_once():
    import numpy as np

    from searchkit.indexing.corpus import iter_articles
    from searchkit.indexing.statistics import PairCounter, PairCounts
    from searchkit.text.syllables import syllable_forms
    from tests.conftest import CORPUS

    sequences = [[accented for accented, _ in syllable_forms(a.title + " " + a.body)] for a in iter_articles([CORPUS])]
    at_once, as_they_come = PairCounter(), PairCounter()
    as_they_come.PENDING = 50  # folds the pending pairs in many times
    for sequence in sequences * 3:
        at_once.add(sequence)
        as_they_come.add(sequence)
    packed = as_they_come.packed()
    assert all(np.array_equal(packed[k], at_once.packed()[k]) for k in packed)
    assert PairCounts.merge([packed]).lookup(["trạm"], ["bts"]).tolist()[0][0] > 0


def test_the_pair_models_unique_is_numpys_unique():
    """`unique_inverse` (the pair model's sort) gives np.unique's keys and inverse, from the
    keys of syllable pairs to keys of 17 to 50 bits (packed with their places up to 48, sorted
    by numpy past that)."""
    import numpy as np

    from searchkit.indexing.postings import unique_inverse

    names = ["trí", "tuệ", "nhân", "tạo", "Nghệ", "An", "CNTT", "ký", "kí"]
    text = "trí tuệ nhân tạo Nghệ An trí tuệ CNTT ký kí nhân tạo trí tuệ".split()
    pairs = np.array([names.index(a) * len(names) + names.index(b) for a, b in zip(text, text[1:])])
    distinct, inverse = unique_inverse(pairs)
    assert distinct[inverse].tolist() == pairs.tolist()
    assert names.index("tuệ") in (distinct[np.bincount(inverse) == 3] % len(names)).tolist()  # trí tuệ, thrice
    rng = np.random.default_rng(5)
    for top in (1, 300, 1 << 17, 1 << 33, 1 << 50):
        keys = rng.integers(0, top, size=20_000, dtype=np.int64)
        expected, got = np.unique(keys, return_inverse=True), unique_inverse(keys)
        assert all(np.array_equal(a, b) and a.dtype == b.dtype for a, b in zip(expected, got)), top
    assert [a.tolist() for a in unique_inverse(np.zeros(0, np.int64))] == [[], []]


def test_the_stable_order_and_the_summed_counts_are_numpys():
    """`stable_order` is numpy's stable argsort and `summed_by_key` np.unique's keys with the
    counts summed by `np.bincount`, from term numbers with many ties to keys too wide to pack
    with their place (or their count), where numpy's own sort answers."""
    import numpy as np

    from searchkit.distinct import stable_order, summed_by_key

    rng = np.random.default_rng(21)
    for top in (1, 300, 1 << 17, 1 << 33, 1 << 50):
        keys = rng.integers(0, top, size=20_000, dtype=np.int64)
        assert np.array_equal(stable_order(keys), np.argsort(keys, kind="stable")), top
        for widest in (9, 1 << 40):
            counts = rng.integers(1, widest, size=len(keys), dtype=np.int64)
            distinct, inverse = np.unique(keys, return_inverse=True)
            summed = np.zeros(len(distinct), np.int64)
            np.add.at(summed, inverse, counts)  # exact, where bincount's float sums round past 2**53
            got = summed_by_key(keys, counts)
            assert np.array_equal(got[0], distinct) and np.array_equal(got[1], summed), (top, widest)
    assert stable_order(np.zeros(0, np.int64)).tolist() == [] and summed_by_key(*[np.zeros(0, np.int64)] * 2)[0].tolist() == []


def test_pair_counts_of_several_segments_sum_each_pair_of_words_as_written():
    """The pair counts of the seed articles' syllables, packed in three segments (a word
    numbered apart in each), sum to the counts of all of them packed at once."""
    import numpy as np

    from searchkit.indexing.corpus import iter_articles
    from searchkit.indexing.statistics import PairCounts, pack_pairs
    from searchkit.text.syllables import syllable_forms
    from tests.conftest import CORPUS

    sequences = [[accented for accented, _ in syllable_forms(a.title + " " + a.body)] for a in iter_articles([CORPUS])]
    parts = [pack_pairs(sequences[i::3] * (i + 1)) for i in range(3)]
    merged, whole = PairCounts.merge(parts), PairCounts.merge([pack_pairs(sum((sequences[i::3] * (i + 1) for i in range(3)), []))])
    words = sorted(whole.numbers)
    assert np.array_equal(merged.lookup(words, words), whole.lookup(words, words))
    assert merged.lookup(["trạm"], ["bts"]).tolist()[0][0] > 0 and merged.counts.sum() == whole.counts.sum()
    # words as written, in each segment apart: tone placements and cases stay pairs of their own
    apart = PairCounts.merge([pack_pairs([["Thanh", "Hoá"], ["thanh", "hoá"]]), pack_pairs([["Thanh", "Hóa"]] * 2)])
    assert apart.lookup(["Thanh", "thanh"], ["Hoá", "Hóa", "hoá"]).tolist() == [[1, 2, 0], [0, 0, 1]]


def test_a_batch_numbered_as_written_holds_every_fields_tokens(tmp_path):
    """The segment writer numbers a title's and a body's syllables once as written (`Hoà`,
    `HOÀ`, `hòa` are three words) and makes each one's folded and accented forms once: its
    postings file is byte for byte the one written from every field's token list."""
    from pathlib import Path

    from searchkit.fields import PARTS
    from searchkit.indexing.analysis import SEQUENCE, analyze_article
    from searchkit.indexing.corpus import iter_articles
    from searchkit.indexing.postings import SUFFIX, write_postings
    from searchkit.indexing.segments import write_batch
    from searchkit.indexing.statistics import pack_pairs
    from searchkit.models import Article
    from tests.conftest import CORPUS

    articles = [*iter_articles([CORPUS]),
                Article(id="x", title="HOÀ BÌNH: Sở TT&TT", body="Trạm BTS 2,5G ở Hoà Bình, hòa bình. " + "a" * 70),
                Article(id="y", title="", body="Bác sỹ SĨ / sĩ Sỹ, Quý quí"),  # i/y written both ways, no title
                Article(id="z", title="Bài trống", body="")]
    batch = write_batch(str(tmp_path), articles)
    (written,) = Path(batch.folder).glob("*" + SUFFIX)
    analysed = [analyze_article(article) for article in articles]
    pairs = pack_pairs(fields.pop(SEQUENCE.format(part)) for fields in analysed for part in PARTS)  # not fields
    write_postings(tmp_path / "fresh.skp", analysed, pairs)
    assert written.read_bytes() == (tmp_path / "fresh.skp").read_bytes()
    assert {"hòa", "bình"} <= set(analysed[-3]["title"]) and "hoa" in analysed[-3]["body_f"]
    assert set(analysed[-2]["body_f"]) == {"bac", "si", "qui"} and analysed[-2]["title_f"] == []
