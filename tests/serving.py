"""Start `searchkit serve` as a real process on a free loopback port, and stop it by its pid."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from tests.conftest import ROOT


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get_json(url: str, timeout: float = 30.0) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


@contextmanager
def running_server(index: Path, workers: int = 1, startup: float = 60.0,
                   env: dict[str, str] | None = None) -> Iterator[str]:
    """`searchkit serve` over `index` on 127.0.0.1 (`env`: variables to add); yields its base
    URL. The process (and its workers, in its own session) is stopped by its pid when the
    block ends."""
    port = free_port()
    command = [sys.executable, "-m", "searchkit", "serve", "--index", str(index), "--port", str(port),
               "--workers", str(workers)]
    process = subprocess.Popen(command, cwd=ROOT, start_new_session=True, env={**os.environ, **(env or {})},
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_ready(process, base, startup)
        yield base
    finally:
        _stop(process)


def _wait_until_ready(process: subprocess.Popen, base: str, startup: float) -> None:
    deadline = time.monotonic() + startup
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"searchkit serve exited with {process.returncode}: {process.stderr.read().decode()}")
        try:
            if get_json(base + "/healthz", timeout=2)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"searchkit serve did not answer on {base} within {startup:.0f} s")


def _stop(process: subprocess.Popen) -> None:
    """SIGTERM to the server (uvicorn stops its workers), SIGKILL to its session if it lingers."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)  # the session the server leads: its own workers
            process.wait(timeout=15)
    if process.stderr:
        process.stderr.close()
