"""What a commit holds, in the spirit of tantivy's `meta.json`: `manifest-<generation>.json`.

Written by the writer after every commit (and by the next writer run if a crash came in
between): the format version, every postings field with its analysis (`searchkit.fields`),
and every segment with its articles, deletions and files, each file with its size and
CRC-32; the commit's table of contents; the rebuildable caches of the generation (did-you-mean
statistics, pair counts) once written; and the corpus paths the index is synced from, which
`searchkit check --repair` re-reads. `searchkit check` verifies every file against it, so
flipped bytes in any file are found, not served.

Who verifies what (Lucene verifies checksums when it merges; so does searchkit):

- opening a generation for searching: the table of contents, every file's size, and the
  checksum of every file of up to SMALL_FILE bytes and of the first HEAD_BYTES of the others
  (`verify_opening`: a few milliseconds for 16,000 articles);
- a sync, before it trusts the index's ids and hashes: those columns, Whoosh's term files
  and the small files (`verify_trusted`);
- a merge and `optimize`: every file they read (`verify_segments`), so damage is never
  rewritten into a new segment with fresh checksums;
- `searchkit check`: everything.

Plain JSON sealed with the CRC-32 of its own text (`seal_json`, as the caches are), read with
`json.loads` and checked field by field: nothing in it runs code, and a changed byte is found
even where it still reads (a file's checksum, a corpus path). Manifests written before the
seal are read as they are.
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
#: Caches of a generation that are rebuilt from its segments when missing or damaged.
CACHE = re.compile(r"^(suggest|pairs)-(\d+)\.(json|arrays|npz)$")  # npz: an older searchkit's
#: Files of up to this many bytes are checksummed whenever a generation is opened; of larger
#: ones, the first HEAD_BYTES (where the headers are).
SMALL_FILE = 64 * 1024
HEAD_BYTES = 4096
#: Segment files a sync trusts as they are: ids, content hashes and paths (what is already
#: indexed), and Whoosh's term files (where it finds the ids it deletes).
TRUSTED = (".id.col", ".hash.col", ".path.col", ".trm", ".pst")
_SEAL = b', "crc32": '
#: Bytes read at a time when computing a checksum.
_CHUNK = 1 << 20


@dataclass(frozen=True)
class FileEntry:
    """One file of a segment: its name in the index folder, size and CRC-32, and the CRC-32
    of its first HEAD_BYTES (its header: verified whenever a generation is opened)."""

    name: str
    size: int
    crc32: int
    head: int | None = None

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
    toc: FileEntry | None = None
    caches: tuple[FileEntry, ...] = ()
    sources: tuple[str, ...] = ()

    @property
    def articles(self) -> int:
        return sum(s.articles for s in self.segments)

    @property
    def size(self) -> int:
        return sum(s.size for s in self.segments)

    def to_dict(self) -> dict:
        return {"format": "searchkit", "schema_version": self.schema_version, "generation": self.generation,
                "articles": self.articles, "size_bytes": self.size, "fields": list(self.fields),
                "segments": [s.to_dict() for s in self.segments],
                "toc": self.toc.to_dict() if self.toc else None, "caches": [c.to_dict() for c in self.caches],
                "sources": list(self.sources)}

    @classmethod
    def from_dict(cls, data: object) -> "Manifest":
        """Rebuild a manifest from its JSON, checking every value's type (ValueError if not)."""
        if not isinstance(data, dict) or data.get("format") != "searchkit":
            raise ValueError("not a searchkit manifest")
        segments = tuple(
            SegmentEntry(_text(s["id"]), _count(s["articles"]), _count(s["deleted"]), tuple(_file(f) for f in s["files"]))
            for s in data["segments"])
        fields = tuple(f for f in data["fields"] if isinstance(f, dict))
        toc = _file(data["toc"]) if data.get("toc") is not None else None
        caches = tuple(_file(f) for f in data.get("caches", ()))
        sources = tuple(_source(s) for s in data.get("sources", ()))
        return cls(_count(data["schema_version"]), _count(data["generation"]), fields, segments,
                   toc, caches, sources)


def _file(value: dict) -> FileEntry:
    head = value.get("head")
    return FileEntry(_text(value["name"]), _count(value["size"]), _count(value["crc32"]),
                     None if head is None else _count(head))


def _source(value: object) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError(f"bad corpus path {value!r}")
    return value


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


def head_crc32(path: Path) -> int:
    """CRC-32 of a file's first HEAD_BYTES."""
    with open(path, "rb") as stream:
        return zlib.crc32(stream.read(HEAD_BYTES))


def path_of(index_dir: Path, generation: int) -> Path:
    return Path(index_dir) / f"{PREFIX}{generation}.json"


def write_manifest(index_dir: Path, ix, sources: tuple[str, ...] | None = None) -> Manifest:
    """Describe the index's last commit in `manifest-<generation>.json` (written whole, then
    renamed into place) and remove older manifests. Segment files never change once
    written, so the checksums of segments the previous manifest lists are taken from it
    (a file changed since keeps the checksum it was written with: its damage stays visible).
    `sources`: the corpus paths, else those of the previous manifest."""
    from searchkit.indexing.adapter import index_segments
    from searchkit.indexing.schema import SCHEMA_VERSION

    index_dir = Path(index_dir)
    previous = _latest(index_dir) or _EMPTY
    known = {f.name: f for s in previous.segments for f in s.files}
    names = sorted(os.listdir(index_dir))
    segments = []
    for segment in index_segments(ix):
        prefix = segment.segment_id() + "."
        files = tuple(_entry(index_dir, name, known) for name in names if name.startswith(prefix))
        segments.append(SegmentEntry(segment.segment_id(), segment.doc_count(), segment.deleted_count(), files))
    generation = ix.latest_generation()
    toc = f"_{ix.indexname}_{generation}.toc"
    caches = tuple(_entry(index_dir, name, {}) for name in names if cache_generation(name) == generation)
    manifest = Manifest(SCHEMA_VERSION, generation, tuple(f.to_dict() for f in FIELDS), tuple(segments),
                        _entry(index_dir, toc, {}) if toc in names else None, caches,
                        previous.sources if sources is None else tuple(sources))
    _write(index_dir, manifest)
    for name in names:
        found = _NAME.match(name)
        if found and int(found.group(1)) != manifest.generation:
            (index_dir / name).unlink(missing_ok=True)
    return manifest


def _entry(index_dir: Path, name: str, known: dict[str, FileEntry]) -> FileEntry:
    """A file's entry: the one it was written with when known (segment files never change,
    so a size or checksum that differs now is damage, kept visible), else measured now."""
    same = known.get(name)
    if same is not None:
        return same
    path = index_dir / name
    return FileEntry(name, path.stat().st_size, crc32_of(path), head_crc32(path))


def cache_generation(name: str) -> int | None:
    """The generation a cache file's name says (`suggest-12.json`: 12); None for another name."""
    found = CACHE.match(name)
    return int(found.group(2)) if found else None


def drop_caches_before(index_dir: Path, generation: int) -> None:
    """Remove the statistics caches of the generations before `generation`: after a rebuild's
    first commit they count articles the index no longer holds, and a writer that found one
    would try to update it (every segment it counted gone) instead of building the new
    statistics from scratch, the did-you-mean in a helper process beside the pair model
    (16k articles: 0.3 s more). Best effort: a file left is only read and found useless."""
    for name in os.listdir(index_dir):
        older = cache_generation(name)
        if older is not None and older < generation:
            try:
                (index_dir / name).unlink()
            except OSError:
                pass


def _write(index_dir: Path, manifest: Manifest) -> None:
    target = path_of(index_dir, manifest.generation)
    temporary = index_dir / f".{target.name}.tmp"
    temporary.write_text(seal_json(manifest.to_dict()), "utf-8")
    commit_rename(temporary, target)


def read_manifest(index_dir: Path, generation: int) -> Manifest | None:
    """The manifest of one generation; None when it was not written (the writer stopped
    between its commit and the manifest: the next `searchkit index` writes it). A manifest
    that is not valid JSON of the right shape is an IndexDamagedError naming it."""
    path = path_of(index_dir, generation)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as error:
        raise _damaged(path, f"cannot be read ({error})") from None
    if _SEAL in raw:  # written sealed: any changed byte shows
        data = unseal_json(raw)
        if data is None:
            raise _damaged(path, "does not match its own checksum")
    else:  # written before manifests were sealed (indented: no ', "crc32": ' in it)
        data = raw
    try:
        return Manifest.from_dict(data if isinstance(data, dict) else json.loads(data))
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise _damaged(path, f"is damaged ({type(error).__name__}: {error})") from None


def segment_problems(index_dir: Path, manifest: Manifest) -> dict[str, list[str]]:
    """Segment id -> what is wrong with its files (segments without damage left out)."""
    found = {s.id: [p for f in s.files if (p := file_problem(index_dir, f))] for s in manifest.segments}
    return {segment: problems for segment, problems in found.items() if problems}


def file_problem(index_dir: Path, entry: FileEntry, checksum: bool = True) -> str | None:
    """What is wrong with one file against its entry (None: nothing): missing, another
    size, other bytes (with `checksum`; else in its header only)."""
    path = Path(index_dir) / entry.name
    try:
        size = path.stat().st_size
        if size != entry.size:
            return f"{path} has {size:,} bytes where the manifest says {entry.size:,}"
        if checksum and crc32_of(path) != entry.crc32:
            return f"{path} does not match its checksum: its bytes were changed after it was written"
        if not checksum and entry.head is not None and head_crc32(path) != entry.head:
            return f"{path} does not match its checksum: its header was changed after it was written"
    except OSError as error:
        return f"{path} is missing or unreadable ({error.strerror or error})"
    return None


def verify_opening(index_dir: Path, generation: int) -> None:
    """What is cheap to verify when a generation is opened for searching: the table of
    contents, every segment file's size, the checksum of every file of up to SMALL_FILE
    bytes and of the others' headers (their first HEAD_BYTES). Raises IndexDamagedError naming the
    file. A generation whose manifest is not written (yet, or any more: a newer commit
    replaced it), or is damaged, is not verified here: searching needs no manifest, and
    `check` reports it (writers refuse to work without one)."""
    try:
        manifest = read_manifest(index_dir, generation)
    except IndexDamagedError:
        return
    if manifest is None:
        return
    for entry in _listed(manifest):
        problem = file_problem(index_dir, entry, checksum=entry.size <= SMALL_FILE)
        if problem:
            raise damaged_file(index_dir, problem)


def verify_trusted(index_dir: Path, ix) -> None:
    """Before a sync trusts what the index holds (its ids, hashes and paths; Whoosh's term
    files, where it finds the ids it deletes): the manifest reads, names the segments of the
    table of contents, and those files, the table of contents (whose deletions the commit
    rewrites, of any size) and the small ones match their checksums. Raises
    IndexDamagedError naming the file."""
    from searchkit.indexing.adapter import index_segments

    manifest = _required(index_dir, ix.latest_generation())
    _same_segments(index_dir, manifest, {s.segment_id() for s in index_segments(ix)})
    for entry in _listed(manifest):
        trusted = entry is manifest.toc or entry.name.endswith(TRUSTED) or entry.size <= SMALL_FILE
        problem = file_problem(index_dir, entry, checksum=trusted)
        if problem:
            raise damaged_file(index_dir, problem)


def verify_segments(index_dir: Path, generation: int, segment_ids) -> None:
    """Every file of the given segments against its checksum, before a merge reads them
    (as Lucene does): damage is never rewritten into a segment with fresh checksums."""
    manifest = _required(index_dir, generation)
    if manifest.toc is not None and (problem := file_problem(index_dir, manifest.toc)):
        raise damaged_file(index_dir, problem)  # the merge rewrites what it lists
    listed = {s.id: s for s in manifest.segments}
    for segment_id in sorted(segment_ids):
        if segment_id not in listed:
            raise damaged_file(index_dir, f"segment {segment_id} is not in {path_of(index_dir, generation).name}")
        for entry in listed[segment_id].files:
            problem = file_problem(index_dir, entry)
            if problem:
                raise damaged_file(index_dir, problem)


def _listed(manifest: Manifest) -> list[FileEntry]:
    """The table of contents and every segment file a manifest lists (the caches aside)."""
    return [*((manifest.toc,) if manifest.toc else ()), *(f for s in manifest.segments for f in s.files)]


def _required(index_dir: Path, generation: int) -> Manifest:
    manifest = read_manifest(index_dir, generation)
    if manifest is None:
        raise damaged_file(index_dir, f"{path_of(index_dir, generation)} is missing, so the files cannot be verified")
    return manifest


def _same_segments(index_dir: Path, manifest: Manifest, segment_ids: set[str]) -> None:
    listed = {s.id for s in manifest.segments}
    if listed != segment_ids:
        odd = sorted(listed ^ segment_ids)[0]
        raise damaged_file(index_dir, f"segment {odd} is in only one of the table of contents and "
                                      f"{path_of(index_dir, manifest.generation).name}")


def note_sources(index_dir: Path, roots, replace: bool = False) -> None:
    """Record the corpus paths a sync reads in the last commit's manifest (the writer's,
    under its lock): `check --repair` re-reads them. Added to those already there, or
    (`replace`, a rebuild) instead of them."""
    index_dir = Path(index_dir)
    current = _latest(index_dir)
    if current is None:
        return
    given = tuple(str(Path(root).resolve()) for root in roots)
    sources = given if replace else tuple(dict.fromkeys((*current.sources, *given)))
    if sources != current.sources:
        _write(index_dir, dataclasses.replace(current, sources=sources))


def list_caches(index_dir: Path) -> None:
    """Add the caches written for the last commit (did-you-mean statistics, pair counts) to
    its manifest. The caller holds the writer lock (`store.record_caches`)."""
    index_dir = Path(index_dir)
    current = _latest(index_dir)
    if current is None:
        return
    names = sorted(n for n in os.listdir(index_dir) if cache_generation(n) == current.generation)
    known = {c.name: c for c in current.caches}
    caches = tuple(_entry(index_dir, name, known) for name in names)
    if caches != current.caches:
        _write(index_dir, dataclasses.replace(current, caches=caches))


def cache_problem(index_dir: Path, name: str, manifest: Manifest | None) -> str | None:
    """What is wrong with a cache file (None: it reads whole): it matches its manifest
    entry, or passes its own checks (a sealed JSON, an arrays file's checksums, a zip's)."""
    path = Path(index_dir) / name
    entry = next((c for c in (manifest.caches if manifest else ()) if c.name == name), None)
    if entry is not None and file_problem(index_dir, entry) is None:
        return None  # else it may have been rebuilt since (a search rebuilds a damaged one)
    try:
        if name.endswith(".json"):
            return None if unseal_json(path.read_bytes()) is not None else f"{path} is damaged"
        if name.endswith(".arrays"):
            from searchkit.indexing.array_file import read_arrays

            read_arrays(path)  # ValueError naming what is damaged
            return None
        import zipfile

        with zipfile.ZipFile(path) as archive:
            bad = archive.testzip()
        return f"{path} is damaged ({bad} does not match its checksum)" if bad else None
    except ValueError as error:  # read_arrays names the file and what is wrong with it
        return str(error)
    except Exception as error:  # noqa: BLE001 - a damaged zip fails in many ways
        return f"{path} is damaged ({type(error).__name__}: {error})"


def seal_json(data: dict) -> str:
    """A JSON object with the CRC-32 of its own text as its last member: plain JSON to any
    reader, and `unseal_json` finds any changed byte.

    >>> seal_json({"format": 3})
    '{"format": 3, "crc32": 1839434942}'
    >>> unseal_json(seal_json({"format": 3}).encode())
    {'format': 3}
    >>> unseal_json(seal_json({"format": 3}).replace("3", "4", 1).encode()) is None
    True
    """
    text = json.dumps(data, ensure_ascii=False)[:-1]
    return f"{text}{_SEAL.decode()}{zlib.crc32(text.encode('utf-8'))}}}"


def unseal_json(raw: bytes) -> dict | None:
    """The object `seal_json` wrote, None when a byte changed (or it was never sealed)."""
    at = raw.rfind(_SEAL)
    if at < 0 or not raw.endswith(b"}"):
        return None
    try:
        if int(raw[at + len(_SEAL):-1]) != zlib.crc32(raw[:at]):
            return None
        data = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    data.pop("crc32", None)
    return data


def damaged_file(index_dir: Path, problem: str) -> IndexDamagedError:
    """IndexDamagedError for a problem naming a file, with the commands that deal with it."""
    return IndexDamagedError(kind="index.damaged_file", field="index", value=str(index_dir), hint={
        "problem": problem, "check": f"searchkit check --index {index_dir}",
        "command": f"searchkit check --repair --index {index_dir}"})


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
