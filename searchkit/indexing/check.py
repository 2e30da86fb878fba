"""`searchkit check` and `searchkit stats`: read an index whole, or describe it.

Check reads every file once: the table of contents, the manifest of the last commit, every
file it lists against its size and checksum, every postings file against itself (offsets,
document numbers, positions), and each segment's stored fields at both ends.
"""

from __future__ import annotations

from pathlib import Path

from searchkit.errors import SearchkitError
from searchkit.indexing.adapter import index_segments, leaf_segment_id, segment_leaves
from searchkit.indexing.manifest import read_manifest, verify_files
from searchkit.indexing.postings import open_postings
from searchkit.indexing.store import open_index


def check_index(path: Path) -> dict:
    """{"index", "generation", "segments", "articles", "problems"}: no problems is a clean index."""
    ix = open_index(path)  # a lost or tampered table of contents raises here
    generation = ix.latest_generation()
    segments = index_segments(ix)
    problems = _manifest_problems(path, generation, {s.segment_id() for s in segments})
    for segment in segments:
        try:
            open_postings(str(path), segment.segment_id()).verify()
        except SearchkitError as error:
            problems.append(str(error))
    with ix.reader() as reader:
        articles = reader.doc_count()
        problems += _stored_problems(reader)
    return {"index": str(path), "generation": generation, "segments": len(segments),
            "articles": articles, "problems": problems}


def _manifest_problems(path: Path, generation: int, segment_ids: set[str]) -> list[str]:
    try:
        manifest = read_manifest(path, generation)
    except SearchkitError as error:
        return [str(error)]
    if manifest is None:
        return [f"{path} has no manifest of its last commit (generation {generation}): the last writer "
                f"stopped before writing it; `searchkit index` writes it, then check again"]
    problems = [f"segment {s} is in the table of contents but not in the manifest"
                for s in sorted(segment_ids - {s.id for s in manifest.segments})]
    problems += [f"segment {s} is in the manifest but not in the table of contents"
                 for s in sorted({s.id for s in manifest.segments} - segment_ids)]
    return problems + verify_files(path, manifest)


def _stored_problems(reader) -> list[str]:
    problems = []
    for leaf, _ in segment_leaves(reader):
        for doc in {0, leaf.doc_count_all() - 1}:
            try:
                leaf.stored_fields(doc)
            except Exception as error:  # noqa: BLE001 - damage shows as any exception
                problems.append(f"the stored fields of segment {leaf_segment_id(leaf)} cannot be "
                                f"read ({type(error).__name__}: {error})")
                break
    return problems


def index_stats(path: Path) -> dict:
    """Articles, segments, vocabulary, size, schema version, and the last commit's manifest
    (fields with their analysis, segments with their files)."""
    from searchkit.fields import folded_field
    from searchkit.indexing.postings import reader_postings
    from searchkit.indexing.schema import SCHEMA_VERSION

    ix = open_index(path)
    with ix.reader() as reader:
        articles = reader.doc_count()
        generation = reader.generation()
        vocabulary = len(set().union(*(side.terms(folded_field("body").name) for side in reader_postings(reader))))
    manifest = read_manifest(path, generation)
    size = sum(f.stat().st_size for f in path.iterdir() if f.is_file())
    return {"index": str(path), "articles": articles, "segments": len(index_segments(ix)),
            "vocabulary": vocabulary, "size_bytes": size, "schema_version": SCHEMA_VERSION,
            "generation": generation, "manifest": manifest.to_dict() if manifest else None}
