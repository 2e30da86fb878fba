"""The one-writer lock on an open file, with what the platform has: `fcntl` (POSIX) or `msvcrt`
(Windows). Nothing is imported at `import searchkit` time that a platform may lack.

Both locks are the OS's own: freed when the process dies, so a killed indexer never leaves
the index locked, and (a POSIX record lock, not `flock`) not inherited by forked workers.
"""

from __future__ import annotations

import errno
from typing import IO

from searchkit.errors import StorageError


def try_lock(handle: IO) -> bool:
    """Take the exclusive lock on `handle` without waiting; False when another process has it."""
    fcntl, msvcrt = _modules()
    try:
        if fcntl is not None:
            fcntl.lockf(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        else:
            handle.seek(0)  # msvcrt locks bytes from the current position: always the first one
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
    except OSError as error:
        if error.errno in (errno.EAGAIN, errno.EACCES, errno.EDEADLK):
            return False
        raise
    return True


def unlock(handle: IO) -> None:
    """Release the lock `try_lock` took on `handle`."""
    fcntl, msvcrt = _modules()
    if fcntl is not None:
        fcntl.lockf(handle, fcntl.LOCK_UN)
    else:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)


def _modules():
    """(fcntl, None) on POSIX, (None, msvcrt) on Windows; imported when a lock is first taken."""
    try:
        import fcntl

        return fcntl, None
    except ImportError:
        pass
    try:
        import msvcrt

        return None, msvcrt
    except ImportError:
        raise StorageError(kind="storage.no_lock", field="index") from None
