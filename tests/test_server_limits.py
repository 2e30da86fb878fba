"""`searchkit serve` against slow and hostile clients (issue 18): half-open connections at a
low file limit, a header timeout, oversized and malformed requests answered with the security
headers, a search past the time limit answered 503 while the server keeps answering, and one
query-length limit in the library, the command line and HTTP. Real processes on 127.0.0.1,
bounded waits, everything closed and the server stopped by its pid; no timed assertions.
"""

from __future__ import annotations

import re
import resource
import socket
import subprocess
import sys
import threading
from contextlib import contextmanager
from typing import Iterator

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from searchkit import QueryError
from searchkit.cli import main
from searchkit.searching.query import MAX_QUERY_CHARS
from searchkit.web import create_app
from searchkit.web.app import Searches, ServerBusyError
from searchkit.web.safety import HEADERS
from tests.conftest import ROOT
from tests.serving import _stop, _wait_until_ready, free_port, get_json
from tests.test_web_api import BTS_ARTICLES

HALF_OPEN = 1100
FILE_LIMIT = 1024
SECURITY = {name.decode(): value.decode() for name, value in HEADERS}


@contextmanager
def server(index, *options: str, file_limit: int | None = None) -> Iterator[tuple[str, int]]:
    """`searchkit serve` on a free loopback port, optionally under a file limit; yields
    (base URL, port) and stops the process by its pid."""
    port = free_port()

    def limit_files():
        if file_limit:
            resource.setrlimit(resource.RLIMIT_NOFILE, (file_limit, file_limit))

    process = subprocess.Popen(
        [sys.executable, "-m", "searchkit", "serve", "--index", str(index), "--port", str(port), *options],
        cwd=ROOT, start_new_session=True, preexec_fn=limit_files,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_ready(process, base, 60.0)
        yield base, port
    finally:
        _stop(process)


def raw(port: int, data: bytes) -> bytes:
    """Send bytes on a fresh connection; everything the server answers before it closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(data)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
        return received


def headers_of(response: bytes) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in response.split(b"\r\n\r\n")[0].split(b"\r\n")[1:]:
        name, _, value = line.decode("latin-1").partition(":")
        found.setdefault(name.strip().lower(), []).append(value.strip())
    return found


@contextmanager
def more_files(needed: int) -> Iterator[None]:
    """This process's soft file limit raised to `needed` (skip where the hard limit is lower)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < needed:
        pytest.skip(f"the hard file limit ({hard}) is below the {needed} sockets the test opens")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, needed), hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def test_clients_are_answered_through_1100_half_open_connections_at_a_1024_file_limit(sample_engine):
    """Slowloris: each connection sends half a request line and waits. The server closes the
    oldest of them to make room, so the 15 searches that follow are all answered."""
    sockets: list[socket.socket] = []
    with more_files(HALF_OPEN + 200), server(sample_engine.path, file_limit=FILE_LIMIT) as (base, port):
        try:
            for _ in range(HALF_OPEN):
                sock = socket.create_connection(("127.0.0.1", port), timeout=30)
                sockets.append(sock)
                sock.sendall(b"GET /api/search?q=tr%E1%BA%A1m HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            answers = [get_json(f"{base}/api/search?q=tr%E1%BA%A1m+BTS&limit=3", timeout=60) for _ in range(15)]
        finally:
            for sock in sockets:
                sock.close()
        assert [status for status, _ in answers] == [200] * 15
        assert all({hit["id"] for hit in body["hits"]} <= BTS_ARTICLES and body["hits"] for _, body in answers)


def test_a_half_sent_request_is_closed_after_the_header_timeout(sample_engine):
    with server(sample_engine.path, "--header-timeout", "0.5") as (base, port):
        with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Cham: ")
            assert sock.recv(1024) == b""  # closed by the server, nothing answered
        assert get_json(f"{base}/healthz")[0] == 200  # whole requests are still answered


def test_every_response_carries_the_security_headers_once_uvicorns_own_included(sample_engine):
    with server(sample_engine.path) as (base, port):
        garbage = raw(port, b"\x16\x03\x01\x02\x00 kh\xc3\xb4ng ph\xe1\xba\xa3i HTTP\r\n\r\n")
        too_long = raw(port, b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Dai: " + b"a" * 40_000 + b"\r\n\r\n")
        normal = raw(port, b"GET /api/search?q=tr%E1%BA%A1m HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        missing = raw(port, b"GET /khong-co HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
    for response, status in ((garbage, b"400"), (too_long, b"400"), (normal, b"200"), (missing, b"404")):
        assert response.split(b" ")[1] == status, response[:200]
        found = headers_of(response)
        for name, value in SECURITY.items():
            assert found.get(name) == [value], (status, name, found.get(name))


class Gated:
    """A SearchEngine whose searches wait for `gate` (open at first: the app warms up)."""

    def __init__(self, engine):
        self.engine, self.gate = engine, threading.Event()
        self.gate.set()

    def search(self, *args, **kwargs):
        assert self.gate.wait(60), "the test never opened the gate"
        return self.engine.search(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self.engine, name)


def test_a_search_past_the_time_limit_is_answered_503_and_the_server_keeps_answering(sample_engine):
    gated = Gated(sample_engine)
    with TestClient(create_app(engine=gated, time_limit=0.3)) as client:
        gated.gate.clear()  # the next search hangs
        slow = client.get("/api/search", params={"q": "trạm BTS"})
        assert slow.status_code == 503
        error = slow.json()["error"]
        assert error["type"] == "ServerBusyError" and error["kind"] == "server.timeout"
        assert "0.3 seconds" in error["message"]
        assert client.get("/healthz").status_code == 200  # not in the searches' queue
        page = client.get("/", params={"q": "trạm BTS", "lang": "vi"})  # its turn is still taken
        assert page.status_code == 503 and "thử lại" in page.text
        gated.gate.set()
        answered = client.get("/api/search", params={"q": "trạm BTS"})
        assert answered.status_code == 200 and answered.json()["hits"]


def test_searches_past_the_waiting_cap_are_refused_at_once(sample_engine):
    import anyio

    gated = Gated(sample_engine)
    gated.gate.clear()
    outcomes: list[str] = []

    async def scenario():
        searches = Searches(gated, time_limit=60, max_waiting=2)

        async def one():
            try:
                await searches.run("search", "trạm BTS")
                outcomes.append("answered")
            except ServerBusyError as error:
                outcomes.append(error.kind)

        async with anyio.create_task_group() as group:
            group.start_soon(one)
            group.start_soon(one)
            await anyio.sleep(0.2)  # both are waiting now (the first holds the engine's turn)
            await one()  # the third is refused without waiting
            gated.gate.set()

    anyio.run(scenario)
    assert outcomes == ["server.busy", "answered", "answered"]


def test_a_cheap_search_waits_behind_one_costly_search_not_all_of_them(sample_engine):
    """Costly searches (many prefixes) take turns among themselves first: a plain search
    that comes after two of them runs right after the first."""
    import anyio

    gated = Gated(sample_engine)
    gated.gate.clear()
    ran: list[str] = []
    searched = gated.search
    gated.search = lambda query, **options: (searched(query, **options), ran.append(query))[0]

    async def scenario():
        searches = Searches(gated, time_limit=60)
        async with anyio.create_task_group() as group:
            group.start_soon(searches.run, "search", "th* l* đ* T* m*")
            await anyio.sleep(0.2)  # the first costly search holds the engine's turn
            group.start_soon(searches.run, "search", "n* v* b* k* g*")
            await anyio.sleep(0.2)
            group.start_soon(searches.run, "search", "trạm BTS")
            await anyio.sleep(0.2)
            gated.gate.set()

    anyio.run(scenario)
    assert ran == ["th* l* đ* T* m*", "trạm BTS", "n* v* b* k* g*"]


def test_the_next_search_starts_the_moment_the_one_before_ends_though_the_event_loop_is_busy(sample_engine):
    """After a commit the event loop answers kept answers by the thousand: the search next in
    turn already waits in its thread, so the engine goes on at once, not when the loop gets
    to it. Here the loop is held still (a blocking wait) while the first search ends."""
    import anyio

    gated = Gated(sample_engine)
    gated.gate.clear()
    second_started = threading.Event()
    searched = gated.search
    gated.search = lambda query, **options: (query == "Đắk Nông" and second_started.set(),
                                             searched(query, **options))[1]

    async def scenario():
        searches = Searches(gated, time_limit=60)
        async with anyio.create_task_group() as group:
            group.start_soon(searches.run, "search", "trạm BTS")
            await anyio.sleep(0.2)  # it holds the engine's turn
            group.start_soon(searches.run, "search", "Đắk Nông")
            await anyio.sleep(0.2)  # next in turn
            gated.gate.set()  # the first ends...
            assert second_started.wait(30), "the second search waited for the event loop"  # ...the loop held

    anyio.run(scenario)


def test_a_search_whose_time_ran_out_while_it_waited_its_turn_is_never_run(sample_engine):
    """Its client has its 503: the engine's time goes to the living."""
    import anyio

    gated = Gated(sample_engine)
    gated.gate.clear()
    ran: list[str] = []
    searched = gated.search
    gated.search = lambda query, **options: (ran.append(query), searched(query, **options))[1]
    outcomes: list[str] = []

    async def scenario():
        searches = Searches(gated, time_limit=0.5)

        async def one(query: str):
            try:
                await searches.run("search", query)
                outcomes.append(query)
            except ServerBusyError as error:
                outcomes.append(error.kind)

        async with anyio.create_task_group() as group:
            group.start_soon(one, "trạm BTS")
            await anyio.sleep(0.1)
            group.start_soon(one, "Đắk Nông")  # next in turn, in its thread, until its time runs out
            await anyio.sleep(1.0)
            gated.gate.set()
        await one("chữ ký số")  # runs after the first, the second skipped

    anyio.run(scenario)
    assert outcomes == ["server.timeout", "server.timeout", "chữ ký số"]
    assert ran == ["trạm BTS", "chữ ký số"]


@pytest.fixture(scope="module")
def longest():
    """A query of exactly MAX_QUERY_CHARS characters, and one a character longer."""
    text = ("trạm BTS " * (MAX_QUERY_CHARS // 9 + 1))[:MAX_QUERY_CHARS].rstrip()
    text += "x" * (MAX_QUERY_CHARS - len(text))
    return text, text + "s"


def test_one_query_length_limit_in_the_library_the_command_line_and_http(sample_engine, longest):
    fits, over = longest
    assert len(fits) == MAX_QUERY_CHARS and len(over) == MAX_QUERY_CHARS + 1
    assert sample_engine.search(fits).hits  # the library takes the longest
    with pytest.raises(QueryError) as raised:
        sample_engine.search(over)
    assert raised.value.kind == "query.too_long"

    runner = CliRunner()
    assert runner.invoke(main, ["query", fits, "--index", str(sample_engine.path), "--json"]).exit_code == 0
    refused = runner.invoke(main, ["query", over, "--index", str(sample_engine.path)], env={"SEARCHKIT_LANG": "en"})
    assert refused.exit_code == 2 and f"{MAX_QUERY_CHARS:,}" in refused.output

    with TestClient(create_app(engine=sample_engine)) as client:
        assert client.get("/api/search", params={"q": fits}).status_code == 200
        answer = client.get("/api/search", params={"q": over})
        assert answer.status_code == 400 and answer.json()["error"]["kind"] == "query.too_long"


def test_the_readme_states_the_query_length_limit_once():
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    stated = [(match.group(1), readme[max(0, match.start() - 70):match.start()])
              for match in re.finditer(r"(\d[\d,]*) characters", readme)]
    about_queries = [number for number, before in stated if "query" in before.lower() or "`q`" in before]
    assert about_queries == [f"{MAX_QUERY_CHARS:,}"], stated
