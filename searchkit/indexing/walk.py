"""Find the article files under the paths a user gives, and say why anything else is left out.

Rules (see README, "Corpus formats"):

- A path named on the command line must exist and be a folder or an article file
  (`.txt`, `.jsonl`, `.html`/`.htm`, `.md`); anything else is refused with a `CorpusError`
  before a single article is read.
- Inside folders, files of other types are ignored; named pipes, sockets, devices, broken
  symbolic links, link loops and names that are not valid UTF-8 are reported as skipped
  (never opened).
- A file or folder that exists but cannot be read (permission denied, an I/O error) is
  reported as `Unreadable`: a sync keeps the articles the index holds from it, since only
  a file that is gone takes its articles with it.
- A symbolic link that leads outside the folders being indexed is reported and not followed,
  unless `follow=True`; a link to an article inside them is reported once, because the
  article is indexed under its own name. Each real file is read at most once per run.

Standard library only; no file is opened here.
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, Union

from searchkit.errors import CorpusError
from searchkit.models import Skipped

ARTICLE_SUFFIXES = (".txt", ".jsonl", ".html", ".htm", ".md")
#: Folders nested deeper than this are not entered (a loop of bind mounts, a runaway tree).
MAX_DEPTH = 64

_SPECIAL = (
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


@dataclass(frozen=True)
class SourceFile:
    """An article file and the root its id is relative to."""

    path: Path
    root: Path

    def article_id(self) -> str:
        """The path inside the root without its extension: `2010/bai-1` for `corpus/2010/bai-1.txt`."""
        return self.path.relative_to(self.root).with_suffix("").as_posix()


@dataclass(frozen=True)
class Unreadable(Skipped):
    """A file or folder that exists but cannot be read now (permission denied, an I/O error,
    an unmounted share's stale handle): a sync keeps what the index holds from it."""


def unreadable(path: str | os.PathLike, reason: str, line: int | None = None) -> Skipped:
    """`Unreadable` while `path` still exists; a plain Skipped once it is gone (a file
    deleted between the listing and the reading: its articles go with it).

    >>> type(unreadable("/khong-co/bai.txt", "cannot read")).__name__
    'Skipped'
    """
    try:
        os.lstat(path)
    except FileNotFoundError:
        return Skipped(printable(path), reason, line)
    except OSError:  # cannot even look at it: it may well still be there
        pass
    return Unreadable(printable(path), reason, line)


Found = Union[SourceFile, Skipped]


def printable(path: str | os.PathLike) -> str:
    """A path as text that can always be printed: bytes that are not UTF-8 shown as `\\xff`.

    >>> printable(os.fsdecode(b"bai\\xff.txt"))
    'bai\\\\xff.txt'
    """
    return os.fsencode(os.fspath(path)).decode("utf-8", "backslashreplace")


def is_article_file(path: Path) -> bool:
    return path.suffix.lower() in ARTICLE_SUFFIXES


def check_paths(paths: Iterable[str | os.PathLike]) -> list[Path]:
    """The given paths, resolved; CorpusError for one that cannot be indexed, naming it."""
    checked = []
    for given in paths:
        path = Path(given)
        shown = printable(given)
        if not _utf8(os.fspath(given)):
            raise CorpusError(kind="corpus.not_utf8", field="paths", value=shown)
        try:
            exists = path.exists()
        except OSError as error:  # a folder on the way cannot be entered: nothing is touched
            raise CorpusError(kind="corpus.unreadable", field="paths", value=shown,
                              hint={"reason": error.strerror or str(error)}) from None
        if not exists:
            raise CorpusError(kind="corpus.missing", field="paths", value=shown)
        if not path.is_dir():
            kind = _special_kind(path)
            if kind:
                raise CorpusError(kind="corpus.special", field="paths", value=shown, hint={"type": kind})
            if not is_article_file(path):
                kind = {".json": "corpus.json_file", "": "corpus.no_extension"}.get(path.suffix.lower(), "corpus.unsupported")
                raise CorpusError(kind=kind, field="paths", value=shown, hint={"suffix": path.suffix})
        checked.append(path.resolve())
    return checked


def find_files(paths: Iterable[str | os.PathLike], follow: bool = False) -> Iterator[Found]:
    """Every article file under the given files and folders, in name order, and a Skipped
    entry for every file that looks meant to be read but cannot be.

    Raises CorpusError (see `check_paths`) before anything is yielded.
    """
    roots = check_paths(paths)
    folders = [root for root in roots if root.is_dir()]
    walker = _Walker(folders, follow)
    for root in roots:
        if root.is_dir():
            walker.visited.add(root)
            yield from walker.folder(root, root, 0)
        elif walker.first_time(root):
            yield SourceFile(root, root.parent)


class _Walker:
    """One walk: the folders being indexed, whether to follow links, what was seen."""

    def __init__(self, folders: list[Path], follow: bool):
        self.folders, self.follow = folders, follow
        self.visited: set[Path] = set()  # real folders entered
        self.files: set[Path] = set()  # real files yielded

    def first_time(self, real: Path) -> bool:
        if real in self.files:
            return False
        self.files.add(real)
        return True

    def inside(self, real: Path) -> bool:
        return any(real == folder or folder in real.parents for folder in self.folders)

    def folder(self, folder: Path, root: Path, depth: int) -> Iterator[Found]:
        try:
            entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
        except OSError as error:
            yield unreadable(folder, f"cannot list the folder ({error.strerror or error})")
            return
        for entry in entries:
            yield from self.entry(Path(entry.path), entry, root, depth)

    def entry(self, path: Path, entry: os.DirEntry, root: Path, depth: int) -> Iterator[Found]:
        try:
            if entry.is_symlink():
                yield from self.link(path, root, depth)
            elif entry.is_dir(follow_symlinks=False):
                yield from self.subfolder(path, path, root, depth)
            elif entry.is_file(follow_symlinks=False):
                yield from self.file(path, None, root)
            else:
                kind = _special_kind(path) or "not a regular file"
                yield Skipped(printable(path), f"{kind}, not a file: not read")
        except OSError as error:
            yield unreadable(path, f"cannot read ({error.strerror or error})")

    def subfolder(self, path: Path, real: Path, root: Path, depth: int) -> Iterator[Found]:
        if not _utf8(path.name):
            yield Skipped(printable(path), "folder name is not valid UTF-8, so its articles are not indexed; "
                                           "rename it (e.g. convmv -f cp1258 -t utf-8 -r --notest FOLDER)")
        elif depth >= MAX_DEPTH:
            yield Skipped(printable(path), f"folders nested more than {MAX_DEPTH} deep: not entered")
        elif real not in self.visited:
            self.visited.add(real)
            yield from self.folder(path, root, depth + 1)

    def file(self, path: Path, real: Path | None, root: Path) -> Iterator[Found]:
        """An article file (by its name, or a link's target's); `real`: where it truly is."""
        if not (is_article_file(path) or (real is not None and is_article_file(real))):
            return
        real = real or Path(os.path.realpath(path))  # inside a followed link, path is not real
        if not _utf8(path.name):
            yield Skipped(printable(path), "file name is not valid UTF-8; rename it "
                                           "(e.g. convmv -f cp1258 -t utf-8 --notest FILE)")
        elif self.first_time(real):
            yield SourceFile(path, root)

    def link(self, path: Path, root: Path, depth: int) -> Iterator[Found]:
        """A symbolic link: broken, a loop, to something inside the indexed folders, or outside them."""
        real = Path(os.path.realpath(path))
        shown, target = printable(path), printable(os.readlink(path))
        try:
            os.stat(path)
        except OSError as error:
            if error.errno in (errno.ENOENT, errno.ENOTDIR):
                yield Skipped(shown, f"broken symbolic link: its target {target} does not exist",
                              kind="skip.broken_link", data=(("target", target),))
            elif error.errno == errno.ELOOP:
                yield Skipped(shown, f"symbolic link loop: {target} leads back to this link, so it leads to "
                                     "no file; point the link at a file or folder, or remove it",
                              kind="skip.link_loop", data=(("target", target),))
            else:
                raise  # permission denied on the way to its target: reported as unreadable
            return
        is_dir = real.is_dir()
        if not is_dir and not real.is_file():
            yield Skipped(shown, f"symbolic link to {_special_kind(real) or 'a special file'}, not a file: not read")
            return
        if not is_dir and not (is_article_file(path) or is_article_file(real)):
            return
        if self.inside(real) and (is_dir or is_article_file(real)):
            yield Skipped(shown, f"symbolic link to {printable(real)}, which is indexed under its own name")
        elif not self.inside(real) and not self.follow:
            yield Skipped(shown, f"symbolic link to {printable(real)}, outside the folders being indexed: "
                                 "not followed (pass --follow to index it)")
        elif is_dir:
            yield from self.subfolder(path, real, root, depth)
        else:
            yield from self.file(path, real, root)


def _utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
        return True
    except UnicodeEncodeError:  # undecodable bytes arrive as lone surrogates (surrogateescape)
        return False


def _special_kind(path: Path) -> str | None:
    """'a named pipe (FIFO)', 'a socket', … for a special file; None for files and folders."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return None
    return next((kind for test, kind in _SPECIAL if test(mode)), None)
