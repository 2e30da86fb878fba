"""What a commit holds, in the spirit of tantivy's `meta.json`: `manifest-<generation>.json`.

Written by the writer after every commit (and by the next writer run if a crash came in
between): the format version, every postings field with its analysis (`searchkit.fields`),
and every segment with its articles, deletions and files, each file with its size and
CRC-32. Searching never needs it; `searchkit stats` shows it and `searchkit check` verifies
every file against it, so flipped bytes in any file are found, not served.

Plain JSON, read with `json.loads` and checked field by field: nothing in it runs code.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import zlib
from dataclasses import dataclass
from pathlib import Path

from searchkit.errors import IndexDamagedError
from searchkit.fields import FIELDS
from searchkit.indexing.durable import commit_rename

PREFIX = "manifest-"
_NAME = re.compile(r"^manifest-(\d+)\.json$")
#: Bytes read at a time when computing a checksum.
_CHUNK = 1 << 20


@dataclass(frozen=True)
class FileEntry:
    """One file of a segment: its name in the index folder, size and CRC-32."""

    name: str
    size: int
    crc32: int

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class SegmentEntry:
    """One segment: its id, live and deleted articles, and files."""

    id: str
    articles: int
    deleted: int
    files: tuple[FileEntry, ...]

    @property
    def size(self) -> int:
        return sum(f.size for f in self.files)

    def to_dict(self) -> dict:
        return {"id": self.id, "articles": self.articles, "deleted": self.deleted,
                "files": [f.to_dict() for f in self.files]}


@dataclass(frozen=True)
class Manifest:
    """Everything one commit of an index holds."""

    schema_version: int
    generation: int
    fields: tuple[dict, ...]
    segments: tuple[SegmentEntry, ...]

    @property
    def articles(self) -> int:
        return sum(s.articles for s in self.segments)

    @property
    def size(self) -> int:
        return sum(s.size for s in self.segments)

    def to_dict(self) -> dict:
        return {"format": "searchkit", "schema_version": self.schema_version, "generation": self.generation,
                "articles": self.articles, "size_bytes": self.size, "fields": list(self.fields),
                "segments": [s.to_dict() for s in self.segments]}

    @classmethod
    def from_dict(cls, data: object) -> "Manifest":
        """Rebuild a manifest from its JSON, checking every value's type (ValueError if not)."""
        if not isinstance(data, dict) or data.get("format") != "searchkit":
            raise ValueError("not a searchkit manifest")
        segments = tuple(
            SegmentEntry(_text(s["id"]), _count(s["articles"]), _count(s["deleted"]),
                         tuple(FileEntry(_text(f["name"]), _count(f["size"]), _count(f["crc32"])) for f in s["files"]))
            for s in data["segments"])
        fields = tuple(f for f in data["fields"] if isinstance(f, dict))
        return cls(_count(data["schema_version"]), _count(data["generation"]), fields, segments)


def _text(value: object) -> str:
    if not isinstance(value, str) or "/" in value or value.startswith("."):
        raise ValueError(f"bad name {value!r}")
    return value


def _count(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"bad number {value!r}")
    return value


def crc32_of(path: Path) -> int:
    """CRC-32 of a whole file, read a megabyte at a time."""
    crc = 0
    with open(path, "rb") as stream:
        while chunk := stream.read(_CHUNK):
            crc = zlib.crc32(chunk, crc)
    return crc


def path_of(index_dir: Path, generation: int) -> Path:
    return Path(index_dir) / f"{PREFIX}{generation}.json"


def write_manifest(index_dir: Path, ix) -> Manifest:
    """Describe the index's last commit in `manifest-<generation>.json` (written whole, then
    renamed into place) and remove older manifests. Segment files never change once
    written, so the checksums of segments the previous manifest lists are taken from it."""
    from searchkit.indexing.adapter import index_segments
    from searchkit.indexing.schema import SCHEMA_VERSION

    index_dir = Path(index_dir)
    known = {f.name: f for s in (_latest(index_dir) or _EMPTY).segments for f in s.files}
    names = sorted(os.listdir(index_dir))
    segments = []
    for segment in index_segments(ix):
        prefix = segment.segment_id() + "."
        files = []
        for name in (n for n in names if n.startswith(prefix)):
            size = (index_dir / name).stat().st_size
            same = known.get(name)
            files.append(same if same and same.size == size else FileEntry(name, size, crc32_of(index_dir / name)))
        segments.append(SegmentEntry(segment.segment_id(), segment.doc_count(), segment.deleted_count(), tuple(files)))
    manifest = Manifest(SCHEMA_VERSION, ix.latest_generation(), tuple(f.to_dict() for f in FIELDS), tuple(segments))
    target = path_of(index_dir, manifest.generation)
    temporary = index_dir / f".{target.name}.tmp"
    temporary.write_text(json.dumps(manifest.to_dict(), ensure_ascii=False, indent=1), "utf-8")
    commit_rename(temporary, target)
    for name in names:
        found = _NAME.match(name)
        if found and int(found.group(1)) != manifest.generation:
            (index_dir / name).unlink(missing_ok=True)
    return manifest


def read_manifest(index_dir: Path, generation: int) -> Manifest | None:
    """The manifest of one generation; None when it was not written (the writer stopped
    between its commit and the manifest: the next `searchkit index` writes it). A manifest
    that is not valid JSON of the right shape is an IndexDamagedError naming it."""
    path = path_of(index_dir, generation)
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as error:
        raise _damaged(path, f"cannot be read ({error})") from None
    try:
        return Manifest.from_dict(json.loads(text))
    except (ValueError, KeyError, TypeError) as error:
        raise _damaged(path, f"is damaged ({error})") from None


def verify_files(index_dir: Path, manifest: Manifest) -> list[str]:
    """Every file the manifest lists: present, of its size, with its checksum. Returns what
    is wrong, one line a file."""
    problems = []
    for segment in manifest.segments:
        for entry in segment.files:
            path = Path(index_dir) / entry.name
            try:
                size = path.stat().st_size
            except OSError as error:
                problems.append(f"{path} is missing or unreadable ({error.strerror})")
                continue
            if size != entry.size:
                problems.append(f"{path} has {size:,} bytes where the manifest says {entry.size:,}")
            elif crc32_of(path) != entry.crc32:
                problems.append(f"{path} does not match its checksum: its bytes were changed after it was written")
    return problems


def _latest(index_dir: Path) -> Manifest | None:
    generations = [int(m.group(1)) for m in map(_NAME.match, os.listdir(index_dir)) if m]
    try:
        return read_manifest(index_dir, max(generations)) if generations else None
    except IndexDamagedError:
        return None


_EMPTY = Manifest(0, 0, (), ())


def _damaged(path: Path, problem: str) -> IndexDamagedError:
    return IndexDamagedError(kind="index.suspect", field="index", value=str(path),
                             hint={"problem": problem, "command": f"searchkit check --index {path.parent}"})
