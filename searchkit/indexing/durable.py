"""Commits that survive a power cut, not only a killed process: every commit is a rename of
a file written whole, and before the rename its new files and their folder are on the disk.

A rename alone is atomic for processes, but the kernel may write it to the disk before the
bytes of the files it names: after a power cut the new table of contents could name segment
files that are empty. So, as SQLite and Lucene do: fsync the new files, fsync the folder
(their names), rename, fsync the folder again (the rename itself). One helper,
`commit_rename`, does this for every commit: the table of contents with the segment files
it adds, the manifest, the marker and the statistics caches.

Standard library only.
"""

from __future__ import annotations

import errno
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator

# File systems that cannot fsync a folder (some network and FUSE ones) answer with these;
# there the folder's names are as durable as that file system makes them, and that is all.
_CANNOT_SYNC_FOLDER = (errno.EINVAL, errno.ENOTSUP, errno.EBADF, errno.EISDIR, errno.EACCES)


#: Windows flushes only through a handle open for writing; POSIX through any descriptor.
_FLUSH_MODE = (os.O_RDWR | getattr(os, "O_BINARY", 0)) if os.name == "nt" else os.O_RDONLY


def fsync_file(path: str | os.PathLike) -> None:
    """Flush one file's bytes to the disk (whichever process wrote them)."""
    descriptor = os.open(path, _FLUSH_MODE)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def fsync_folder(path: str | os.PathLike) -> None:
    """Flush a folder's names (files created, renamed or moved into it) to the disk."""
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError as error:
        if error.errno in _CANNOT_SYNC_FOLDER:
            return
        raise
    try:
        os.fsync(descriptor)
    except OSError as error:
        if error.errno not in _CANNOT_SYNC_FOLDER:
            raise
    finally:
        os.close(descriptor)


def commit_rename(temporary: str | os.PathLike, target: str | os.PathLike,
                  new_files: Iterable[str | os.PathLike] = ()) -> None:
    """Rename `temporary` (written whole) to `target` durably: `new_files` (written for this
    commit, in the same folder) and `temporary` reach the disk, then the folder's names, then
    the rename, then the folder again. OSError as `os.replace` raises it (a full disk too).

    >>> import tempfile; folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / ".moi.tmp").write_text("Hà Nội", encoding="utf-8")
    >>> commit_rename(folder / ".moi.tmp", folder / "moi.json"); (folder / "moi.json").read_text("utf-8")
    'Hà Nội'
    """
    for path in (*new_files, temporary):
        fsync_file(path)
    folder = Path(target).parent
    fsync_folder(folder)
    os.replace(temporary, target)
    fsync_folder(folder)


@contextmanager
def durable_renames(storage, new_files: Iterable[str] = ()) -> Iterator[None]:
    """Whoosh's FileStorage, with its renames made by `commit_rename` for the duration:
    Whoosh commits a table of contents by writing it under a temporary name and renaming
    it (`TOC.write`), and `new_files` (names in the storage's folder: the segment files the
    commit adds) reach the disk before it."""
    folder = Path(storage.folder)

    def rename_file(old: str, new: str, safe: bool = False) -> None:
        if safe and (folder / new).exists():
            raise NameError(f"File {new!r} exists")  # as FileStorage.rename_file does
        commit_rename(folder / old, folder / new, [folder / name for name in new_files])

    storage.rename_file = rename_file  # this instance only: readers have their own storage
    try:
        yield
    finally:
        del storage.rename_file
