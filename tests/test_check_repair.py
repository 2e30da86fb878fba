"""Issue 18, part 2: damage is detected, never spread; `check --repair` mends what it can from
the corpus the index was built from and says what it could not."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from searchkit import SearchEngine
from searchkit.cli import main
from searchkit.errors import IndexDamagedError
from searchkit.indexing.adapter import leaf_segment_id, segment_leaves
from searchkit.indexing.store import open_index
from tests.conftest import CORPUS
from tests.damage import ARTICLES, build_base, damage, target


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    return build_base(tmp_path_factory.mktemp("repair-base"))


@pytest.fixture
def index(base, tmp_path):
    shutil.copytree(base.index, tmp_path / "index")
    return tmp_path / "index"


def live_ids(index) -> list[str]:
    with open_index(index).reader() as reader:
        return [reader.stored_fields(n)["id"] for n in reader.all_doc_ids()]


def test_the_manifest_records_the_corpus_paths_and_every_file(base):
    manifest = json.loads(next(base.index.glob("manifest-*.json")).read_text("utf-8"))
    assert manifest["sources"] == [str(p.resolve()) for p in base.sources]
    assert manifest["toc"]["name"].startswith("_MAIN_")
    assert sorted(c["name"].split("-")[0] for c in manifest["caches"]) == ["pairs", "suggest"]
    listed = {f["name"] for s in manifest["segments"] for f in s["files"]}
    assert {p.name for p in base.index.glob("MAIN_*")} == listed


def test_a_resync_refuses_a_changed_id_column_instead_of_doubling_articles(base, index):
    """The audit: one flipped byte in an id column, a re-sync, and 606 documents for 605 ids."""
    column = target(index, ".id.col")
    damage(index, ".id.col", "flip-middle", base)
    with pytest.raises(IndexDamagedError, match=column.name):
        SearchEngine(index).index(list(base.sources), workers=1)
    ids = live_ids(index)
    assert len(ids) == len(set(ids)) == ARTICLES


def test_optimize_refuses_damaged_postings_and_check_still_sees_them(base, index):
    postings = target(index, ".skp")
    damage(index, ".skp", "zero-block", base)
    with pytest.raises(IndexDamagedError, match=postings.name):
        SearchEngine(index).optimize()
    assert any(postings.name in p for p in SearchEngine(index).check()["problems"])


def test_a_lost_date_column_is_damage_not_another_order(base, index):
    column = target(index, ".date.col")
    column.unlink()
    with pytest.raises(IndexDamagedError, match=column.name):
        SearchEngine(index).search("trạm BTS", sort="date")


def test_check_exits_3_naming_the_file_and_never_crashes(base, index):
    emptied = target(index, ".trm")
    damage(index, ".trm", "empty", base)
    target(index, ".pst", which=2).unlink()
    result = CliRunner().invoke(main, ["check", "--index", str(index)])
    assert result.exit_code == 3, result.output
    assert emptied.name in result.output and "searchkit check --repair" in result.output


def test_repair_drops_the_damaged_segment_and_indexes_its_articles_again(base, index):
    postings = target(index, ".skp")
    with open_index(index).reader() as reader:
        held = next(leaf.doc_count() for leaf, _ in segment_leaves(reader) if postings.stem == leaf_segment_id(leaf))
    damage(index, ".skp", "flip-middle", base)
    result = CliRunner().invoke(main, ["check", "--repair", "--index", str(index)])
    assert result.exit_code == 0, result.output
    assert (f"1 damaged segment(s) dropped ({held} articles), {held} articles re-indexed; "
            "0 could not be restored") in result.output
    engine = SearchEngine(index)
    assert engine.check()["problems"] == []
    ids = live_ids(index)
    assert len(ids) == len(set(ids)) == ARTICLES
    assert engine.search("trạm BTS Đắk Nông").hits


def test_repair_says_which_articles_it_could_not_restore(base, tmp_path):
    """The corpus file of a damaged segment's articles is gone: they are named, not invented."""
    news = shutil.copy(base.sources[1], tmp_path / "news.jsonl")
    engine = SearchEngine(tmp_path / "index")
    engine.index([base.sources[0]], workers=1)
    engine.index([news], workers=1, batch_size=20)  # two segments of generated articles (equal in bytes)
    segments = [segment_ids(engine.path, target(engine.path, ".skp", n)) for n in range(3)]
    which, held = next((n, ids) for n, ids in enumerate(segments) if all(i.startswith("bai-") for i in ids))
    damage(engine.path, ".skp", "flip-middle", base, which=which)  # one of them
    Path(news).unlink()
    report = engine.repair()  # from the corpus paths the manifest records
    assert report["missing_sources"] == [str(Path(news).resolve())]
    assert report["lost"] == len(report["not_restored"]) == len(held) and 10 < len(held) < 30
    assert sorted(report["not_restored"]) == sorted(held)
    assert report["problems"] == [] and engine.count() == 45 - len(held)  # the other segments' all kept


def segment_ids(index: Path, postings: Path) -> list[str]:
    """The ids of the articles in the segment whose postings file this is."""
    with open_index(index).reader() as reader:
        leaf = next(leaf for leaf, _ in segment_leaves(reader) if postings.stem == leaf_segment_id(leaf))
        return [leaf.stored_fields(n)["id"] for n in range(leaf.doc_count_all())]


def test_repair_rebuilds_an_index_whose_table_of_contents_is_damaged(base, index):
    damage(index, "toc", "flip-middle", base)
    assert SearchEngine(index).check()["problems"]
    report = SearchEngine(index).repair()
    assert report["rebuilt"] and report["problems"] == [] and report["restored"] == ARTICLES
    assert sorted(live_ids(index)) == sorted(set(live_ids(index)))
    assert SearchEngine(index).search("trạm BTS").total > 0


def test_repair_writes_a_lost_marker_again(base, index):
    (index / "searchkit.json").unlink()
    report = SearchEngine(index).repair()
    assert any("searchkit.json was written again" in note for note in report["notes"])
    assert report["problems"] == [] and SearchEngine(index).count() == ARTICLES


def test_a_damaged_cache_is_a_note_and_searches_answer_as_before(base, index):
    damage(index, "pairs", "flip-middle", base)
    found = SearchEngine(index).check()
    assert found["problems"] == [] and any("pairs-" in note for note in found["notes"])
    assert SearchEngine(index).search("viet*").total == SearchEngine(base.index).search("viet*").total
    report = SearchEngine(index).repair()
    assert report["problems"] == [] and report["dropped_segments"] == []


def test_a_resync_verifies_a_large_table_of_contents_whole(tmp_path, monkeypatch):
    """A table of contents past SMALL_FILE (many deletions make it grow) is checked whole
    before a sync: its commit rewrites the deletions it lists, with a fresh checksum."""
    from searchkit.indexing import manifest

    monkeypatch.setattr(manifest, "SMALL_FILE", 64)  # as if the table of contents were large
    monkeypatch.setattr(manifest, "HEAD_BYTES", 64)
    index = tmp_path / "index"
    SearchEngine(index).index([CORPUS], workers=1)  # Hà Nội, Nghệ An... the five seeds
    ix = open_index(index)
    toc = target(index, "toc")
    data = toc.read_bytes()
    assert len(data) > 2 * manifest.HEAD_BYTES
    changed = data.replace(b"_blocklimit\x94K\x80", b"_blocklimit\x94K\x81")  # still reads, past the header
    assert changed != data
    toc.write_bytes(changed)
    manifest.verify_opening(index, ix.latest_generation())
    with pytest.raises(IndexDamagedError, match=toc.name):
        manifest.verify_trusted(index, ix)
