"""`searchkit check`, `check --repair` and `searchkit stats`: read an index whole, mend it, or
describe it.

Check reads every file once: the table of contents, the manifest of the last commit, every
file it lists against its size and checksum, every postings file against itself (offsets,
document numbers, positions), each segment's id column whole and its stored fields at both
ends, and the caches. Whatever a damaged file does to the code reading it, check reports it
(naming the file) and goes on: it never fails on damage itself. A damaged cache is no
damage: it is rebuilt on the next search, and check says so in `notes`.

Repair drops the damaged segments in one commit and syncs the index again from the corpus
paths its manifest records (without removing anything), which re-indexes their articles;
when what is damaged is the index as a whole (its table of contents, marker or manifest), it
rebuilds the index from those paths. It reports what it could not restore.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from searchkit.errors import CorpusError, IndexDamagedError, SearchkitError
from searchkit.indexing.adapter import index_segments, leaf_segment_id, segment_leaves
from searchkit.indexing.manifest import (
    CACHE,
    Manifest,
    cache_generation,
    cache_problem,
    path_of,
    read_manifest,
    segment_problems,
)
from searchkit.indexing.postings import open_postings
from searchkit.indexing.store import open_index


def check_index(path: Path) -> dict:
    """{"index", "generation", "segments", "articles", "problems", "damaged_segments",
    "notes"}: no problems is a clean index. `damaged_segments` are those whose own files are
    damaged (what repair drops); `notes` name damaged caches, rebuilt on the next search.
    An index whose table of contents or marker cannot be read raises a SearchkitError."""
    found = _examine(Path(path))
    return {key: value for key, value in found.items() if not key.startswith("_")}


def _examine(path: Path) -> dict:
    """check_index's report, with `_manifest` (the problems of the manifest itself) and
    `_toc` (those of the table of contents) besides."""
    ix = open_index(path)  # a lost or tampered table of contents raises here
    generation = ix.latest_generation()
    segment_ids = sorted(s.segment_id() for s in index_segments(ix))
    manifest, problems = _manifest(path, generation, set(segment_ids))
    toc = _toc_problems(path, manifest)
    marker = _marker_problems(path)
    damaged = segment_problems(path, manifest) if manifest else {}
    for segment_id in segment_ids:
        _add(damaged, segment_id, _attempt(lambda: open_postings(str(path), segment_id).verify(),
                                           f"the postings of segment {segment_id}"))
    articles = 0
    try:
        with ix.reader() as reader:
            articles = reader.doc_count()
            for segment_id, problem in _stored_problems(reader):
                _add(damaged, segment_id, problem)
    except Exception as error:  # noqa: BLE001 - damage shows as any exception
        if not damaged:  # else the damaged files said why already
            problems.append(f"the index at {path} cannot be read ({type(error).__name__}: {error})")
    return {"index": str(path), "generation": generation, "segments": len(segment_ids), "articles": articles,
            "problems": marker + problems + toc + [p for s in sorted(damaged) for p in damaged[s]],
            "damaged_segments": sorted(damaged), "notes": _cache_notes(path, manifest),
            "_manifest": problems, "_toc": toc, "_marker": marker}


def _marker_problems(path: Path) -> list[str]:
    """The marker holds exactly what `create_index` writes (opening reads its version only)."""
    from searchkit.indexing.schema import SCHEMA_VERSION
    from searchkit.indexing.store import MARKER

    try:
        data = json.loads((path / MARKER).read_bytes())
    except (OSError, ValueError) as error:
        return [f"{path / MARKER} cannot be read ({error})"]
    if data != {"format": "searchkit", "schema_version": SCHEMA_VERSION}:
        return [f"{path / MARKER} is damaged: it holds {json.dumps(data, ensure_ascii=False)[:200]}"]
    return []


def _manifest(path: Path, generation: int, segment_ids: set[str]) -> tuple[Manifest | None, list[str]]:
    """The last commit's manifest with the index-wide problems: it is damaged or missing, it
    and the table of contents disagree, the table of contents does not match its checksum."""
    try:
        manifest = read_manifest(path, generation)
    except SearchkitError as error:
        return None, [str(error)]
    if manifest is None:
        return None, [f"{path} has no manifest of its last commit ({path_of(path, generation).name}), which is "
                      "needed to verify its files; if the last writer stopped before writing it, `searchkit index` "
                      "writes it, then check again"]
    name = path_of(path, generation)
    if manifest.generation != generation:
        return None, [f"{name} describes generation {manifest.generation}, not {generation}: it is damaged"]
    problems = [f"segment {s} is in the table of contents but not in {name}"
                for s in sorted(segment_ids - {s.id for s in manifest.segments})]
    problems += [f"segment {s} is in {name} but not in the table of contents"
                 for s in sorted({s.id for s in manifest.segments} - segment_ids)]
    return manifest, problems


def _toc_problems(path: Path, manifest: Manifest | None) -> list[str]:
    from searchkit.indexing.manifest import file_problem

    problem = file_problem(path, manifest.toc) if manifest is not None and manifest.toc is not None else None
    return [problem] if problem else []


def _attempt(action, what: str) -> str | None:
    """None when `action()` reads without error, else the problem it met."""
    try:
        action()
    except SearchkitError as error:
        return str(error)
    except Exception as error:  # noqa: BLE001 - damage shows as any exception
        return f"{what} cannot be read ({type(error).__name__}: {error})"
    return None


def _add(damaged: dict[str, list[str]], segment_id: str, problem: str | None) -> None:
    if problem and problem not in damaged.get(segment_id, ()):
        damaged.setdefault(segment_id, []).append(problem)


def _stored_problems(reader) -> list[tuple[str, str]]:
    """(segment id, problem) for each segment whose id column or stored fields do not read."""
    problems = []
    for leaf, _ in segment_leaves(reader):
        segment_id = leaf_segment_id(leaf)
        last = leaf.doc_count_all() - 1
        problem = _attempt(lambda: [leaf.stored_fields(doc) for doc in {0, last}],
                           f"the stored fields of segment {segment_id}") \
            or _attempt(lambda: list(leaf.column_reader("id")), f"the id column of segment {segment_id}")
        if problem:
            problems.append((segment_id, problem))
    return problems


def _cache_notes(path: Path, manifest: Manifest | None) -> list[str]:
    notes = []
    for name in sorted(n for n in os.listdir(path) if CACHE.match(n)):
        problem = cache_problem(path, name, manifest)
        if problem:
            notes.append(f"{problem}; it is a cache: the next search rebuilds it")
    return notes


def damage_of(path: Path) -> list[str]:
    """What `check_index` finds wrong (the table of contents' own error included); [] when
    nothing is, or when even that cannot be said. Used to tell damage from a bug."""
    try:
        return check_index(path)["problems"]
    except SearchkitError as error:
        return [str(error)]
    except Exception:  # noqa: BLE001 - the caller reports its own error
        return []


# --------------------------------------------------------------------------- repair


def repair_index(path: Path, sources=None, wait: float = 0.0) -> dict:
    """Mend the index at `path` and report what could not be restored.

    - damaged segments are dropped in one commit, and their articles re-indexed by syncing
      the corpus paths the manifest records (or `sources`) without removing anything;
    - a damaged table of contents or marker: the index is rebuilt from those paths;
    - a damaged or missing manifest is written again from the files, once the segments that
      do not read are dropped (their checksums can then not be verified: said in `notes`);
    - damaged caches are removed (the next search rebuilds them).

    Returns {"index", "repaired", "rebuilt", "dropped_segments", "removed_caches", "lost",
    "restored", "not_restored", "sources", "missing_sources", "notes", "problems"}:
    `not_restored` lists the ids (those that read) of articles lost and not back,
    `problems` what check still finds afterwards."""
    from searchkit.indexing.store import create_index, writer_lock

    path = Path(path)
    report = {"index": str(path), "repaired": False, "rebuilt": False, "dropped_segments": [], "removed_caches": [],
              "lost": 0, "restored": 0, "not_restored": [], "sources": [], "missing_sources": [], "notes": []}
    with writer_lock(path, wait):
        found = _examined_after_marker(path, report["notes"])
        if found is not None and not found["problems"] and not found["notes"]:
            return {**report, "problems": []}
        report["removed_caches"] = _remove_damaged_caches(path)
        chosen = [str(Path(s).resolve()) for s in sources] if sources else _recorded_sources(path)
        present = [s for s in chosen if os.path.exists(s)]
        before = _live_ids(path)
        rebuild = found is None or bool(found["_toc"])
        dropped = [] if rebuild else found["damaged_segments"]
        lost = _drop(path, dropped) if dropped else (set(before) if rebuild else set())
        if rebuild and present:
            create_index(path)  # what cannot be read whole is read again from the corpus
        elif not rebuild and found["_manifest"]:
            _rewrite_manifest(path, chosen)
            report["notes"].append(f"{path_of(path, open_index(path).latest_generation())} was written again from "
                                   "the files as they are: their checksums could not be verified against it")
    report.update(rebuilt=rebuild and bool(present), dropped_segments=dropped, lost=len(lost), sources=chosen,
                  missing_sources=[s for s in chosen if s not in present])
    if (dropped or rebuild) and present:
        report["restored"] = _sync_again(path, present, rebuild)
    after = _live_ids(path)
    report.update(repaired=True, not_restored=sorted(lost - after), problems=damage_of(path))
    return report


def _examined_after_marker(path: Path, notes: list[str]) -> dict | None:
    """`_examine`'s report (None: the index does not open), after writing the marker again
    when it is lost or damaged and the manifest says which schema the index has."""
    try:
        found = _examine(path)
    except SearchkitError:
        found = None
    if (found is None or found["_marker"]) and _restore_marker(path, notes):
        try:
            found = _examine(path)
        except SearchkitError:
            found = None
    return found


def _restore_marker(path: Path, notes: list[str]) -> bool:
    from searchkit.indexing.manifest import _latest
    from searchkit.indexing.schema import SCHEMA_VERSION
    from searchkit.indexing.store import MARKER

    manifest = _latest(path)
    if manifest is None or manifest.schema_version != SCHEMA_VERSION or not _marker_problems(path):
        return False
    temporary = path / f".{MARKER}.tmp"
    temporary.write_text(json.dumps({"format": "searchkit", "schema_version": SCHEMA_VERSION}), "utf-8")
    os.replace(temporary, path / MARKER)
    notes.append(f"{path / MARKER} was written again (schema version {SCHEMA_VERSION}, as the manifest says)")
    return True


def _rewrite_manifest(path: Path, sources: list[str]) -> None:
    from searchkit.indexing.manifest import write_manifest

    damaged = path_of(path, open_index(path).latest_generation())
    damaged.unlink(missing_ok=True)  # else its checksums would be taken as the files'
    write_manifest(path, open_index(path), tuple(sources))


def _recorded_sources(path: Path) -> list[str]:
    """The corpus paths of the newest readable manifest (none when none reads)."""
    from searchkit.indexing.manifest import _latest

    manifest = _latest(path)
    return list(manifest.sources) if manifest else []


def _live_ids(path: Path) -> set[str]:
    """The ids of every live article whose segment's id column still reads (best effort)."""
    ids: set[str] = set()
    try:
        with open_index(path).reader() as reader:
            for leaf, _ in segment_leaves(reader):
                try:
                    column = leaf.column_reader("id")
                    ids.update(column[n] for n in leaf.all_doc_ids())
                except Exception:  # noqa: BLE001 - a damaged column: its ids are unknown
                    continue
    except Exception:  # noqa: BLE001 - an index that does not open has no readable ids
        pass
    return ids


def _drop(path: Path, segment_ids: list[str]) -> set[str]:
    """Remove the segments from the index in one commit; returns the ids they held (those
    that read)."""
    from searchkit.indexing.segments import commit_batch

    ix = open_index(path)
    lost: set[str] = set()
    with ix.reader() as reader:
        for leaf, _ in segment_leaves(reader):
            if leaf_segment_id(leaf) in segment_ids:
                try:
                    column = leaf.column_reader("id")
                    lost.update(column[n] for n in leaf.all_doc_ids())
                except Exception:  # noqa: BLE001 - its ids are unknown: counted as not restored below
                    continue
    commit_batch(ix, None, dropped=frozenset(segment_ids))
    return lost


def _remove_damaged_caches(path: Path) -> list[str]:
    removed = []
    for name in sorted(n for n in os.listdir(path) if CACHE.match(n)):
        try:
            manifest = read_manifest(path, cache_generation(name))
        except IndexDamagedError:
            manifest = None
        if cache_problem(path, name, manifest):
            (path / name).unlink(missing_ok=True)
            removed.append(name)
    return removed


def _sync_again(path: Path, sources: list[str], rebuild: bool) -> int:
    """Articles added back by syncing `sources` into the index (nothing removed)."""
    from searchkit.indexing.sync import sync

    try:
        report = sync(path, sources, rebuild=rebuild, remove_missing=False)
    except CorpusError:
        return 0
    return report.added


def index_stats(path: Path) -> dict:
    """Articles, segments, vocabulary, size, schema version, and the last commit's manifest
    (fields with their analysis, segments with their files)."""
    from searchkit.fields import folded_field
    from searchkit.indexing.postings import reader_postings
    from searchkit.indexing.schema import SCHEMA_VERSION
    from searchkit.text.common_pairs import common_syllables

    ix = open_index(path)
    with ix.reader() as reader:
        articles = reader.doc_count()
        generation = reader.generation()
        sides = [side for side in reader_postings(reader) if side is not None]
        vocabulary = len(set().union(*(side.words(folded_field("body").name)[0] for side in sides)))
        paired = sum(side.common_version == common_syllables()[1] for side in sides)
    manifest = read_manifest(path, generation)
    size = sum(f.stat().st_size for f in path.iterdir() if f.is_file())
    return {"index": str(path), "articles": articles, "segments": len(index_segments(ix)),
            "vocabulary": vocabulary, "size_bytes": size, "schema_version": SCHEMA_VERSION,
            "common_pairs": _common_pairs_note(paired, len(sides)),
            "generation": generation, "manifest": manifest.to_dict() if manifest else None}


def _common_pairs_note(paired: int, segments: int) -> str:
    """Whether the index holds the pairs of common syllables that make runs of common
    words cheap to find (`text.common_pairs`): without them in every segment, searches
    merge positions instead (the same answers, slower on a big index).

    >>> _common_pairs_note(3, 3), _common_pairs_note(0, 0)
    ('in every segment', 'in every segment')
    >>> _common_pairs_note(1, 3)
    'in 1 of 3 segments: searchkit index --rebuild writes them all (searches find runs of common words more slowly until then)'
    """
    if paired == segments:
        return "in every segment"
    return (f"in {paired} of {segments} segments: searchkit index --rebuild writes them all "
            "(searches find runs of common words more slowly until then)")
