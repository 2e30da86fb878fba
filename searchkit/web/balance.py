"""Keep-alive connections spread evenly over the worker processes of one server.

The kernel gives each new connection to a worker by a hash of its addresses (SO_REUSEPORT,
`server._run_spread`), and a client that keeps its connection open sends every request to
that worker. Sixty-four connections to two workers were split 32/32 at best and 21/43 at
worst (bench/serve.py's clients, one split a run); each worker answers its own queue, so the
clients of the worker holding more wait longer, and that worker's slowest answers are the
server's p99.

Each worker publishes how many connections it holds in the folder its server's workers share
(`server.shared_folder`): a file of eight bytes, memory-mapped, named by its process id. A
worker holding more than one above the workers' mean answers its next request with
`Connection: close` (`ConnectionShares.should_shed`); the client opens a new connection, which
the kernel gives to any worker, so the split evens out in a few requests. A single worker, or
one without a shared folder, never closes a connection for this.
"""

from __future__ import annotations

import mmap
import os
import struct
import time
from pathlib import Path

#: A worker's file in the shared folder: `connections-<pid>`, its count of open connections.
PREFIX = "connections-"
#: Seconds between two looks at the folder for workers started or gone.
RESCAN_SECONDS = 1.0
_COUNT = struct.Struct("<q")


def sheds(held: int, others: list[int]) -> bool:
    """Whether a worker holding `held` connections, beside workers holding `others`, should
    close one: when it holds more than one above their mean (a split of 34/30 sheds, 33/31
    does not: one moved there would only swap the two).

    >>> sheds(34, [30]), sheds(33, [31]), sheds(40, []), sheds(5, [0, 0, 10])
    (True, False, False, True)
    """
    if not others:
        return False
    workers = len(others) + 1
    return held * workers > held + sum(others) + workers


class ConnectionShares:
    """This worker's count of open connections, published in `folder`, and the counts the
    other workers publish there (see the module)."""

    def __init__(self, folder: str | os.PathLike, pid: int | None = None):
        self.folder = Path(folder)
        self.pid = os.getpid() if pid is None else pid
        self.path = self.folder / f"{PREFIX}{self.pid}"
        with open(self.path, "wb+") as stream:
            stream.write(bytes(_COUNT.size))
            stream.flush()
            self._own = mmap.mmap(stream.fileno(), _COUNT.size)
        self._others: dict[int, mmap.mmap] = {}
        self._scanned = float("-inf")

    def publish(self, held: int) -> None:
        """Tell the other workers that this one holds `held` connections."""
        _COUNT.pack_into(self._own, 0, held)

    def should_shed(self, held: int) -> bool:
        """Whether this worker, holding `held` connections, should close one (`sheds`)."""
        self.publish(held)
        return sheds(held, self.others())

    def others(self) -> list[int]:
        """The other live workers' counts, as they last published them."""
        if time.monotonic() - self._scanned > RESCAN_SECONDS:
            self._rescan()
        return [_COUNT.unpack_from(shared)[0] for shared in self._others.values()]

    def close(self) -> None:
        """Leave the folder: this worker's file goes, and its count with it."""
        for shared in (self._own, *self._others.values()):
            shared.close()
        self._others.clear()
        self.path.unlink(missing_ok=True)

    def _rescan(self) -> None:
        """Map the files of workers started since the last look; drop those of workers gone
        (a worker that crashed leaves its file: its process is looked for)."""
        self._scanned = time.monotonic()
        try:
            names = [entry.name for entry in os.scandir(self.folder) if entry.name.startswith(PREFIX)]
        except OSError:  # the folder went with its server
            names = []
        live = {int(name[len(PREFIX):]) for name in names if name[len(PREFIX):].isdigit()} - {self.pid}
        for pid in [pid for pid in self._others if pid not in live or not _alive(pid)]:
            self._others.pop(pid).close()
        for pid in live - set(self._others):
            if _alive(pid):
                try:
                    with open(self.folder / f"{PREFIX}{pid}", "rb") as stream:
                        self._others[pid] = mmap.mmap(stream.fileno(), _COUNT.size, access=mmap.ACCESS_READ)
                except (OSError, ValueError):  # gone meanwhile, or not yet written
                    continue


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's: not one of ours, but not gone
        return True
    return True
