"""Damage done to an index's files, and what searchkit then does: the matrix of issue 18.

Each case damages one file of a copy of a small index (the five seed articles and 40
generated ones, in three segments, caches written) in one way, then runs one operation on
it: `check`, searches, a re-sync, or `optimize`. An outcome is a word:

- `raw`: an exception that is not a SearchkitError (the CLI's exit 70): never acceptable;
- `exit3`: a SearchkitError with exit code 3, or check's problems (check exits 3);
- `clean`: check found nothing; `correct`: every search gave the undamaged index's answers;
- `wrong`: searches answered differently, without an error;
- `spread`: a re-sync that left ids twice or articles missing; `laundered`: an optimize after
  which check finds nothing while searches answer differently.

Used by tests/test_damage_matrix.py (one case a test) and bench/damage.py (all, counted).
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from searchkit import SearchEngine
from searchkit.errors import SearchkitError
from tests.conftest import CORPUS, write_jsonl_corpus

#: The kinds of files an index holds, by how their names end.
FILE_KINDS = ("_stored.col", ".date.col", ".hash.col", ".id.col", ".path.col", ".province.col", ".pst", ".skp",
              ".trm", "toc", "manifest", "pairs", "suggest", "marker")
DAMAGES = ("truncate", "shorten", "flip-middle", "flip-header", "flip-last", "delete", "empty", "swap",
           "append", "zero-block")
#: Caches: a damaged one is rebuilt, so check may find nothing as long as answers stay right.
CACHES = ("pairs", "suggest")
QUERIES = (("trạm BTS", {}), ("viet*", {}), ("Thông tin và Truyền thông", {}), ("chuyen doi so", {}),
           ("trạm BTS", {"sort": "date"}), ("Nghệ An", {"facets": True}), ("bai so", {"limit": 50}),
           ("cntt", {}), ("tram bts nghe an", {}))
OPERATIONS = ("check", "query", "resync", "optimize")
ARTICLES = 46


@dataclass(frozen=True)
class Base:
    """A built index to copy, its corpus paths, the previous generation's single files (for
    'swap'), and the answers of the undamaged index."""

    index: Path
    sources: tuple[Path, ...]
    previous: Path
    answers: tuple


def build_base(root: Path) -> Base:
    """The base index under `root`: seeds, then 40 generated articles in batches of 20."""
    news = root / "news.jsonl"
    write_jsonl_corpus(news, 40)
    engine = SearchEngine(root / "index")
    engine.index([CORPUS], workers=1)
    engine.index([news], batch_size=20, workers=1)
    engine.search("chuyen doi so")  # the caches of the last generation
    previous = root / "previous"
    previous.mkdir()
    for single in ("toc", "manifest", "pairs", "suggest", "marker"):
        shutil.copy(target(engine.path, single), previous / single)
    extra = root / "extra.jsonl"  # one more generation: 'swap' puts the previous one's files back
    extra.write_text(json.dumps({"id": "them-1", "title": "Trạm BTS mới ở Đắk Nông",
                                 "body": "Việt Nam lắp thêm trạm BTS ở Đắk Nông."}, ensure_ascii=False) + "\n")
    engine.index([extra], workers=1)
    SearchEngine(engine.path).search("chuyen doi so")
    return Base(engine.path, (CORPUS, news, extra), previous, answers(SearchEngine(engine.path)))


def answers(engine: SearchEngine) -> tuple:
    """What the queries answer, insensitive to the order of equal scores."""
    found = []
    for query, options in QUERIES:
        results = engine.search(query, **options)
        hits = sorted((h.id, round(h.score, 4), h.date or "") for h in results.hits)
        dates = tuple(h.date for h in results.hits) if options.get("sort") == "date" else ()
        found.append((query, results.total, tuple(hits), dates, json.dumps(results.facets, sort_keys=True)))
    return tuple(found)


def target(index: Path, kind: str, which: int = 1) -> Path:
    """The file of a kind to damage: of the `which`-th segment (largest file first)."""
    names = sorted(p.name for p in index.iterdir())
    single = {"toc": r"_MAIN_", "manifest": "manifest-", "pairs": "pairs-", "suggest": "suggest-",
              "marker": "searchkit.json"}
    if kind in single:
        return index / next(n for n in names if n.startswith(single[kind]))
    holding = [n for n in names if n.startswith("MAIN_") and n.endswith(kind)]  # not every segment has dates
    holding.sort(key=lambda n: (-(index / n).stat().st_size, n))  # the same one whatever the random ids
    return index / holding[which % len(holding)]


def damage(index: Path, kind: str, how: str, base: Base, which: int = 1) -> bool:
    """Damage the file of `kind` in `index` in the way `how`; False when that changed no
    byte (the marker of the previous generation is the same file)."""
    path = target(index, kind, which)
    data = path.read_bytes() if path.exists() else b""
    middle = len(data) // 2
    changes = {
        "truncate": lambda: data[:middle],
        "shorten": lambda: data[:-1],
        "flip-middle": lambda: _flip(data, middle),
        "flip-header": lambda: _flip(data, min(20, len(data) - 1)),
        "flip-last": lambda: _flip(data, len(data) - 1),
        "empty": lambda: b"",
        "append": lambda: data + bytes(range(7, 71)),
        "zero-block": lambda: data[:len(data) // 3] + bytes(64) + data[len(data) // 3 + 64:],
    }
    if how == "delete":
        path.unlink()
    elif how == "swap":
        other = (base.previous / kind) if (base.previous / kind).exists() else target(index, kind, which + 1)
        path.write_bytes(other.read_bytes())
        if not (base.previous / kind).exists():
            other.write_bytes(data)
    else:
        path.write_bytes(changes[how]())
    return not path.exists() or path.read_bytes() != data


def _flip(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 0x5A]) + data[at + 1:]


def outcome(operation: str, index: Path, base: Base) -> str:
    """Run one operation on a damaged index; its outcome word (see the module)."""
    try:
        return _run(operation, index, base)
    except SearchkitError as error:
        return "exit3" if error.exit_code == 3 else f"exit{error.exit_code}"
    except Exception as error:  # noqa: BLE001 - what the matrix counts
        return f"raw:{type(error).__name__}: {error}"[:300]


def _run(operation: str, index: Path, base: Base) -> str:
    engine = SearchEngine(index)
    if operation == "check":
        return "exit3" if engine.check()["problems"] else "clean"
    if operation == "query":
        return "correct" if answers(engine) == base.answers else "wrong"
    if operation == "resync":
        engine.index(list(base.sources), workers=1, batch_size=20)
        return _after_resync(index, base)
    engine.optimize()
    if SearchEngine(index).check()["problems"]:
        return "exit3"  # the damage is still seen (or came out)
    return "correct" if answers(SearchEngine(index)) == base.answers else "laundered"


def _after_resync(index: Path, base: Base) -> str:
    from searchkit.indexing.store import open_index

    with open_index(index).reader() as reader:
        ids = [reader.stored_fields(n)["id"] for n in reader.all_doc_ids()]
    if len(ids) != len(set(ids)) or len(ids) != ARTICLES:
        return "spread"
    if SearchEngine(index).check()["problems"]:
        return "exit3"
    return "correct" if answers(SearchEngine(index)) == base.answers else "wrong"


def acceptable(operation: str, kind: str, result: str) -> bool:
    """Whether an outcome is what issue 18 asks: never raw, spread or laundered; check exits 3
    for damage it cannot ignore (anything but a cache); searches answer right or refuse."""
    if result.startswith("raw") or result in ("spread", "laundered"):
        return False
    if operation == "check":
        return result == "exit3" or kind in CACHES
    return result in ("exit3", "correct") or (operation == "query" and result == "wrong" and kind in SILENT)


#: Files whose bytes a search does not verify (checksummed by check, merges and optimize):
#: changed bytes inside them that keep their shape may change answers until `check` is run.
SILENT = (".skp", "_stored.col")
