"""Keep-alive connections spread over the workers of one server (`web/balance.py`): the
counts the workers publish, and a real server on 127.0.0.1 answering `Connection: close`
only while it holds more than its share. Bounded waits, the server stopped by its pid; no
timed assertions."""

from __future__ import annotations

import http.client
import os
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator
from urllib.parse import quote

from searchkit.web.balance import PREFIX, ConnectionShares, sheds
from searchkit.web.server import SHARED_PREFIX, SHARED_VARIABLE
from tests.conftest import ROOT
from tests.serving import _stop, _wait_until_ready, free_port


def _waited_pid() -> int:
    """The id of a process that has ended."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_a_worker_above_the_mean_by_more_than_one_connection_sheds_one():
    assert sheds(34, [30]) and sheds(43, [21]) and sheds(12, [10, 10, 6])
    assert not sheds(33, [31]) and not sheds(32, [32]) and not sheds(30, [34])
    assert not sheds(64, [])  # a single worker keeps what it has


def test_workers_read_each_others_counts_and_forget_a_worker_that_is_gone(tmp_path):
    folder = tmp_path / f"{SHARED_PREFIX}test"
    folder.mkdir()
    crowded = ConnectionShares(folder)  # this process
    quiet = ConnectionShares(folder, pid=os.getppid())  # a live process: pytest's parent
    (folder / f"{PREFIX}{_waited_pid()}").write_bytes((40).to_bytes(8, "little"))  # a worker that crashed
    try:
        quiet.publish(30)
        assert crowded.should_shed(34)
        assert crowded.others() == [30]  # the crashed worker's count is not read
        assert (folder / f"{PREFIX}{os.getpid()}").read_bytes() == (34).to_bytes(8, "little")
        assert not quiet.should_shed(30)
        quiet.close()
        assert not (folder / f"{PREFIX}{os.getppid()}").exists()
        crowded._scanned = float("-inf")  # its next look at the folder: now
        assert not crowded.should_shed(34)  # alone now
    finally:
        crowded.close()


def publish(path: Path, count: int) -> None:
    """Write a worker's count in place, as its memory map does (never truncated: the
    server's map of it must never point past its end)."""
    with open(path, "r+b" if path.exists() else "wb") as stream:
        stream.write(count.to_bytes(8, "little"))


@contextmanager
def one_worker(index: Path, shared: Path) -> Iterator[int]:
    """uvicorn with searchkit's protocol and application, one worker, its shared folder
    `shared`, on a free loopback port (yielded); stopped by its pid."""
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", "searchkit.web.server:served_app", "--factory",
               "--http", "searchkit.web.server:GuardedHttp", "--host", "127.0.0.1", "--port", str(port),
               "--log-level", "warning"]
    environment = {**os.environ, "SEARCHKIT_INDEX": str(index), SHARED_VARIABLE: str(shared)}
    process = subprocess.Popen(command, cwd=ROOT, start_new_session=True, env=environment,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _wait_until_ready(process, f"http://127.0.0.1:{port}", 60.0)
        yield port
    finally:
        _stop(process)


def held(shared: Path, besides: Path) -> int:
    """The count the worker publishes in `shared` (the file there other than `besides`)."""
    (own,) = [path for path in shared.iterdir() if path.name.startswith(PREFIX) and path != besides]
    return int.from_bytes(own.read_bytes(), "little")


def closes_asked(port: int, shared: Path, besides: Path, connections: int = 4) -> list[bool]:
    """Open `connections` keep-alive connections and wait until the worker holds them all,
    then search once on each in turn: whether each answer (all 200) said `Connection: close`."""
    opened = [http.client.HTTPConnection("127.0.0.1", port, timeout=30) for _ in range(connections)]
    try:
        for connection in opened:
            connection.connect()
        for _ in range(200):  # accepted by the server's event loop, not only by the kernel
            if held(shared, besides) == connections:
                break
            time.sleep(0.05)
        assert held(shared, besides) == connections
        asked = []
        for connection in opened:
            connection.request("GET", "/api/search?q=" + quote("trạm BTS Đắk Nông"))
            response = connection.getresponse()
            response.read()
            assert response.status == 200
            asked.append((response.getheader("connection") or "").lower() == "close")
        return asked
    finally:
        for connection in opened:
            connection.close()


def test_a_worker_holding_more_than_its_share_asks_clients_to_reconnect_until_it_holds_its_share(
        sample_engine, tmp_path):
    """Four connections here, none at the other worker: the mean is two, so two of them are
    answered `Connection: close` (at four held and at three), the others kept; with the other
    worker holding as many, none is."""
    shared = tmp_path / f"{SHARED_PREFIX}balance"
    shared.mkdir()
    idle_peer = shared / f"{PREFIX}{os.getpid()}"  # this test process stands for the other worker
    publish(idle_peer, 0)
    with one_worker(sample_engine.path, shared) as port:
        assert closes_asked(port, shared, idle_peer) == [True, True, False, False]
        publish(idle_peer, 4)
        assert closes_asked(port, shared, idle_peer) == [False] * 4
    assert [path for path in shared.iterdir() if path.name.startswith(PREFIX)] == [idle_peer]  # its own gone
