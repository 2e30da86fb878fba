"""Where an index lives: the marker that makes a folder a searchkit index, opening it with
a clear message for whatever is wrong, creating it, and the one-writer lock.

Searching needs only this module, not the indexing machinery.
"""

from __future__ import annotations

import errno
import json
import os
import re
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator

from searchkit.errors import (
    IndexBusyError,
    IndexDamagedError,
    IndexFormatError,
    IndexNotFoundError,
    SearchkitError,
    StorageError,
)
from searchkit.indexing.lock import try_lock, unlock

MARKER = "searchkit.json"
LOCK = ".searchkit.lock"
#: A marker this old without a table of contents is a damaged index, not one being created
#: (`create_index` writes both within milliseconds).
CREATION_SECONDS = 10.0

def is_index(path: str | os.PathLike) -> bool:
    """True when `path` holds a searchkit index (of any schema version)."""
    return (Path(path) / MARKER).is_file()


#: A commit's table of contents (Whoosh's name for it: index "MAIN", generation N).
_TOC = re.compile(r"^_MAIN_([0-9]+)\.toc$")


def toc_name(generation: int) -> str:
    """The file name of a generation's table of contents (what `_TOC` reads back).

    >>> toc_name(12), newest_generation([toc_name(12), toc_name(9)])
    ('_MAIN_12.toc', 12)
    """
    return f"_MAIN_{generation}.toc"


def latest_generation(path: str | os.PathLike) -> int | None:
    """The newest generation whose table of contents is in `path`; None when there is none
    or the folder cannot be listed. One directory listing, nothing opened: a commit that
    removes the older tables of contents meanwhile cannot make it fail."""
    try:
        return newest_generation(os.listdir(path))
    except OSError:
        return None


def still_newest(path: str | os.PathLike, generation: int) -> bool:
    """Whether `generation` is still the newest commit in `path`, told by two `stat` calls
    instead of a listing: its table of contents is there and the next one's is not. A writer
    numbers its commit one after the newest, under the one-writer lock, and removes every
    older table of contents before it lets go of the lock (Whoosh's `clean_files`); so a
    newer commit leaves `generation + 1`'s table of contents, or has removed this one. False
    when either cannot be told (a folder that cannot be read: the caller lists it)."""
    folder = os.fspath(path)
    try:
        os.stat(os.path.join(folder, toc_name(generation)))
    except OSError:
        return False
    try:
        os.stat(os.path.join(folder, toc_name(generation + 1)))
    except FileNotFoundError:
        return True
    except OSError:
        return False
    return False


def newest_generation(names: Iterable[str]) -> int | None:
    """The newest generation among a folder's file names (None: no table of contents).

    >>> newest_generation(["_MAIN_9.toc", "_MAIN_12.toc", "_MAIN_13.toc.tmp", "searchkit.json"])
    12
    """
    return max((int(found.group(1)) for name in names if (found := _TOC.match(name))), default=None)


def open_index(path: str | os.PathLike):
    """Open an existing index for reading; raises a SearchkitError saying what to do."""
    from whoosh.index import EmptyIndexError

    from searchkit.indexing.adapter import open_whoosh
    from searchkit.indexing.schema import SCHEMA_VERSION

    path = Path(path)
    if not is_index(path):
        foreign = path.is_dir() and bool(visible_entries(path))
        if not is_index(path):  # looked again: a writer creating the index writes the marker first
            if foreign:
                raise IndexFormatError(kind="index.foreign", field="index", value=str(path))
            raise IndexNotFoundError(kind="index.not_found", field="index", value=str(path),
                                     hint={"command": f"searchkit index CORPUS --index {path}"})
    version = read_marker(path).get("schema_version")
    if version is None:
        raise IndexDamagedError(kind="index.bad_marker", field="index", value=str(path / MARKER),
                                hint={"command": f"searchkit index --rebuild --index {path} CORPUS"})
    if version != SCHEMA_VERSION:
        raise IndexFormatError(kind="index.old_schema", field="index", value=str(path), hint={
            "version": version, "current": SCHEMA_VERSION, "command": f"searchkit index --rebuild --index {path} CORPUS"})
    for attempt in range(3):
        try:
            return open_whoosh(path)
        except IndexFormatError:  # tampered with: retrying reads the same file
            raise
        except EmptyIndexError:
            if _marker_age(path) < CREATION_SECONDS:
                raise IndexNotFoundError(kind="index.being_created", field="index", value=str(path)) from None
            raise IndexDamagedError(kind="index.damaged", field="index", value=str(path), hint={
                "problem": "has lost its table of contents (_MAIN_*.toc)",
                "command": f"searchkit index --rebuild --index {path} CORPUS"}) from None
        except Exception as error:  # noqa: BLE001 - a table of contents replaced meanwhile, or damaged
            if attempt == 2:
                raise IndexDamagedError(kind="index.unreadable", field="index", value=str(path), hint={
                    "problem": f"{type(error).__name__}: {error}",
                    "command": f"searchkit index --rebuild --index {path} CORPUS"}) from error
            time.sleep(0.05)
    raise AssertionError("unreachable")


def _marker_age(path: Path) -> float:
    try:
        return time.time() - (path / MARKER).stat().st_mtime
    except OSError:
        return 0.0


def free_bytes(path: Path) -> int | None:
    """Free space on the disk holding `path` (or its nearest existing parent)."""
    import shutil  # here: with it come bz2 and lzma, which a search does not need

    for candidate in (path, *path.resolve().parents):
        try:
            return shutil.disk_usage(candidate).free
        except OSError:
            continue
    return None


_STORAGE_PROBLEMS = {
    errno.ENOSPC: "no space left on the disk",
    errno.EDQUOT: "the disk quota is used up",
    errno.EFBIG: "a file grew larger than the system allows",
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EIO: "the disk reported an I/O error",
}


def storage_error(error: OSError, path: Path, committed: str = "") -> StorageError:
    """A StorageError for a failed write to the index at `path`, with the free space left;
    `committed`: what the run had committed before, which stays (sync words it)."""
    problem = _STORAGE_PROBLEMS.get(error.errno or 0, error.strerror or str(error))
    free = free_bytes(path)
    room = {"free": f"; {_size(free)} free there", "free_vi": f"; còn trống {_size(free)}"} if free is not None else {}
    where = f" ({error.filename})" if error.filename else ""
    return StorageError(kind="storage.failed_after" if committed else "storage.failed", field="index",
                        value=str(path), hint={"problem": problem, "file": where, "free": "", **room,
                                               "committed": committed})


def _size(count: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if count < 1024 or unit == "GB":
            return f"{count:,.0f} {unit}" if unit == "bytes" else f"{count:,.1f} {unit}"
        count /= 1024
    return f"{count} TB"


def visible_entries(path: Path) -> list[str]:
    return [name for name in os.listdir(path) if not name.startswith(".")]


def read_marker(path: Path) -> dict:
    try:
        return json.loads((path / MARKER).read_text("utf-8"))
    except (OSError, ValueError):
        return {}


def create_index(path: Path):
    """A new empty index. The marker comes first, so that a reader never mistakes a
    half-created index for a foreign directory."""
    from whoosh.index import create_in

    from searchkit.indexing.durable import commit_rename
    from searchkit.indexing.manifest import write_manifest
    from searchkit.indexing.schema import SCHEMA_VERSION, build_schema

    if path.exists() and visible_entries(path) and not is_index(path):
        raise IndexFormatError(kind="index.not_empty", field="index", value=str(path))
    path.mkdir(parents=True, exist_ok=True)
    temporary = path / f".{MARKER}.tmp"  # hidden: never mistaken for foreign content
    temporary.write_text(json.dumps({"format": "searchkit", "schema_version": SCHEMA_VERSION}), "utf-8")
    commit_rename(temporary, path / MARKER)
    ix = create_in(str(path), build_schema())
    write_manifest(path, ix)
    return ix


def record_caches(index_dir: Path) -> None:
    """List the caches written for the last commit in its manifest, when no writer is at work
    (best effort: a cache verifies itself anyway). The lock is taken here, not in manifest.py,
    so that the manifest module never imports the store."""
    from searchkit.indexing.manifest import list_caches

    try:
        with writer_lock(Path(index_dir), 0.0):
            list_caches(index_dir)
    except (SearchkitError, OSError):
        pass


@contextmanager
def writer_lock(path: Path, wait: float = 0.0) -> Iterator[None]:
    """Hold the index's writer lock for a whole run; the OS frees it if the process dies.

    A POSIX record lock (lockf), not flock, or msvcrt's on Windows (`lock.py`): forked
    analysis workers do not inherit it, so a killed indexer never leaves a worker holding the index.
    """
    path.mkdir(parents=True, exist_ok=True)
    with open(path / LOCK, "a") as handle:
        deadline = time.monotonic() + wait
        while not try_lock(handle):  # held by another process
            if time.monotonic() >= deadline:
                raise IndexBusyError(kind="index.busy", field="wait", value=str(path))
            time.sleep(0.1)
        try:
            yield
        finally:
            unlock(handle)
