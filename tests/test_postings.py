"""The segment postings files (.skp) are the one store of postings searching reads: every
segment has one, and a missing, truncated or foreign one is an error naming the file and
the command that repairs the index, never a silent fallback to other data."""

import shutil

import pytest
from click.testing import CliRunner

from searchkit import IndexFormatError, SearchEngine
from searchkit.cli import main
from searchkit.indexing.postings import SUFFIX
from tests.conftest import write_jsonl_corpus


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """300 articles in 3 segments."""
    root = tmp_path_factory.mktemp("skp")
    corpus = root / "news.jsonl"
    write_jsonl_corpus(corpus, 300)
    engine = SearchEngine(root / "index")
    engine.index([corpus], batch_size=100, workers=1)
    return engine


@pytest.fixture
def damaged(built, tmp_path):
    """A copy of the index, for one test to damage."""
    shutil.copytree(built.path, tmp_path / "index")
    return SearchEngine(tmp_path / "index")


def test_every_segment_gets_a_postings_file(built):
    assert len(list(built.path.glob("*" + SUFFIX))) == 3
    assert built.search("trạm BTS").total > 0


@pytest.mark.parametrize("damage, problem", [
    (lambda path: path.unlink(), "cannot be read"),
    (lambda path: path.write_bytes(path.read_bytes()[: path.stat().st_size // 2]), "is truncated"),
    (lambda path: path.write_bytes(b"SKPOST00" + path.read_bytes()[8:]), "is not a searchkit postings file of this version"),
    (lambda path: path.write_bytes(path.read_bytes()[:12] + b"{not json" + path.read_bytes()[21:]), "has a damaged header"),
])
def test_a_damaged_postings_file_is_named_with_the_repair(damaged, damage, problem):
    target = sorted(damaged.path.glob("*" + SUFFIX))[1]
    damage(target)
    with pytest.raises(IndexFormatError, match=f"{target.name} {problem}.*searchkit index --rebuild"):
        damaged.search("trạm BTS")


def test_check_reports_a_clean_index_and_a_damaged_one(built, damaged):
    runner = CliRunner()
    clean = runner.invoke(main, ["check", "--index", str(built.path)])
    assert clean.exit_code == 0 and "3 segments, 300 articles: no damage" in clean.output
    target = sorted(damaged.path.glob("*" + SUFFIX))[0]
    target.write_bytes(target.read_bytes()[:100])
    result = runner.invoke(main, ["check", "--index", str(damaged.path)])
    assert result.exit_code == 3
    assert target.name in result.output and "searchkit index --rebuild" in result.output
