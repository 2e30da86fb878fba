"""Every commit writes a manifest (fields, segments, files with sizes and checksums):
`stats` shows it, `check` verifies every file against it, so flipped bytes anywhere are found."""

import json

import pytest
from click.testing import CliRunner

from searchkit.cli import main
from searchkit.fields import FIELDS
from searchkit.indexing.manifest import Manifest, read_manifest
from tests.conftest import copied_engine, segmented_engine


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """200 articles in 2 segments."""
    return segmented_engine(tmp_path_factory.mktemp("manifest"), 200)


@pytest.fixture
def copy(built, tmp_path):
    return copied_engine(built, tmp_path)


def check(engine):
    return CliRunner().invoke(main, ["check", "--index", str(engine.path)])


def test_the_manifest_lists_every_field_segment_and_file(built):
    manifest = built.stats()["manifest"]
    assert [f["name"] for f in manifest["fields"]] == [f.name for f in FIELDS]
    assert manifest["articles"] == 200 and len(manifest["segments"]) == 2
    listed = {f["name"] for s in manifest["segments"] for f in s["files"]}
    on_disk = {p.name for p in built.path.glob("MAIN_*")} - {"MAIN_WRITELOCK"}
    assert listed == on_disk
    assert all(f["size"] == (built.path / f["name"]).stat().st_size for s in manifest["segments"] for f in s["files"])


def test_the_manifest_round_trips(built):
    generation = built.stats()["generation"]
    manifest = read_manifest(built.path, generation)
    assert Manifest.from_dict(json.loads(json.dumps(manifest.to_dict()))) == manifest


def test_stats_shows_fields_and_segments(built):
    result = CliRunner().invoke(main, ["stats", "--index", str(built.path)])
    assert result.exit_code == 0
    assert "body_f    folded    yes" in result.output and "words     words     no" in result.output
    assert result.output.count("MAIN_") == 2


@pytest.mark.parametrize("suffix", [".skp", "._stored.col", ".trm"])
def test_flipped_bytes_in_any_file_are_found_by_check(copy, suffix):
    assert check(copy).exit_code == 0
    target = sorted(copy.path.glob("*" + suffix))[0]
    data = bytearray(target.read_bytes())
    middle = len(data) // 2
    data[middle:middle + 64] = bytes(b ^ 0xFF for b in data[middle:middle + 64])
    target.write_bytes(bytes(data))
    result = check(copy)
    assert result.exit_code == 3
    assert f"{target.name} does not match its checksum" in result.output


def test_a_missing_file_is_named(copy):
    target = sorted(copy.path.glob("*.id.col"))[0]
    target.unlink()
    result = check(copy)
    assert result.exit_code == 3 and f"{target.name} is missing" in result.output


def test_a_lost_manifest_is_written_again_by_the_next_sync(copy, tmp_path):
    generation = copy.stats()["generation"]
    (copy.path / f"manifest-{generation}.json").unlink()
    result = check(copy)
    assert result.exit_code == 3 and "no manifest of its last commit" in result.output
    assert copy.search("trạm BTS").total > 0  # searching never needs it
    empty = tmp_path / "nothing"
    empty.mkdir()
    (empty / "bai.txt").write_text("Trạm BTS mới\n\nMột trạm BTS mới ở Đắk Nông.", "utf-8")
    copy.index([empty], remove_missing=False)
    assert check(copy).exit_code == 0


def test_a_crafted_manifest_is_reported_not_trusted(copy):
    generation = copy.stats()["generation"]
    (copy.path / f"manifest-{generation}.json").write_text(
        json.dumps({"format": "searchkit", "schema_version": 5, "generation": generation, "fields": [],
                    "segments": [{"id": "../../etc", "articles": 1, "deleted": 0, "files": []}]}))
    result = check(copy)
    assert result.exit_code == 3 and "is damaged" in result.output
    assert copy.search("trạm BTS").total > 0


def test_a_changed_checksum_in_the_manifest_is_the_manifests_damage_not_the_segments(copy):
    """A byte changed where the manifest still reads (one digit of a file's checksum) must not
    make a healthy segment look damaged: the manifest's own seal names the manifest."""
    path = copy.path / f"manifest-{copy.stats()['generation']}.json"
    text = path.read_text("utf-8")
    entry = json.loads(text)["segments"][0]["files"][0]
    digits = str(entry["crc32"])
    changed = digits[:-1] + str((int(digits[-1]) + 1) % 10)
    path.write_text(text.replace(f'"crc32": {digits}', f'"crc32": {changed}', 1), "utf-8")
    result = check(copy)
    assert result.exit_code == 3
    assert f"{path.name} does not match its own checksum" in result.output
    assert entry["name"] not in result.output


def test_a_manifest_written_before_the_seal_still_reads(copy):
    path = copy.path / f"manifest-{copy.stats()['generation']}.json"
    data = json.loads(path.read_text("utf-8"))
    data.pop("crc32")
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), "utf-8")  # as it was written then
    assert check(copy).exit_code == 0
    assert read_manifest(copy.path, data["generation"]) == Manifest.from_dict(data)
