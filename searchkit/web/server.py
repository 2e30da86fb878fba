"""Run the web application with uvicorn: `searchkit serve`, hardened against slow and hostile
clients.

uvicorn bounds the idle time between requests (`timeout_keep_alive`) but not the time a
client may take to send a request's headers: a connection that sends half a request line
and waits (slowloris) is held for ever, and a thousand of them use up the process's file
descriptors, so that nobody else is answered. `GuardedHttp` adds what is missing:

- a header timeout: a connection that has not sent a whole request's headers within
  HEADER_TIMEOUT seconds of connecting (or of its last response) is closed;
- a header size cap (MAX_HEADER_BYTES): uvicorn's h11 parser has one, httptools has none;
- a connection cap below the file-descriptor limit: past it, the oldest connection that is
  not in the middle of a request is closed to make room, so a crowd of half-open
  connections gives way to new clients instead of locking them out;
- keep-alive connections spread evenly over the workers (`balance.py`): a worker holding
  more than its share answers a request with `Connection: close`, and the client's next
  connection goes to any worker.

Security headers (`safety.HEADERS`) are uvicorn's default headers, so its own answers (400
for a malformed request, 503 past `limit_concurrency`, 500) carry them too; each request's
search is bounded in time by the application (`app.Searches`).
"""

from __future__ import annotations

import ipaddress
import os
import shutil
import socket
import tempfile
from collections import OrderedDict
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from searchkit.engine import SearchEngine
from searchkit.web.app import INDEX_VARIABLE, TIME_LIMIT

#: Seconds a connection may take to send a request's headers.
HEADER_TIMEOUT = 10.0
#: Seconds an idle keep-alive connection is kept.
KEEP_ALIVE_TIMEOUT = 5
#: Bytes of one request's line and headers, at most (431-class requests get uvicorn's 400).
MAX_HEADER_BYTES = 32 * 1024
#: Open connections per worker process, at most (lowered to what its file limit allows).
MAX_CONNECTIONS = 1000
#: File descriptors kept free for the index, logs and the listening socket.
RESERVED_FILES = 64
#: Worker processes `searchkit serve` starts by default at most: one per core up to this, as
#: each holds its own engine (its completion table and caches) in memory.
MAX_DEFAULT_WORKERS = 8
#: How `searchkit serve` tells its worker processes the settings below.
TIME_LIMIT_VARIABLE = "SEARCHKIT_TIME_LIMIT"
CONNECTIONS_VARIABLE = "SEARCHKIT_MAX_CONNECTIONS"
HEADER_TIMEOUT_VARIABLE = "SEARCHKIT_HEADER_TIMEOUT"
#: Megabytes of the API's kept answers per worker (`cache.AnswerCache`; 0: none), read by the workers.
CACHE_VARIABLE = "SEARCHKIT_ANSWER_CACHE_MB"
#: The private folder the workers share their answers through (`cache.SharedAnswers`), set by `run`.
SHARED_VARIABLE = "SEARCHKIT_SHARED_ANSWERS"
SHARED_PREFIX = "searchkit-answers-"


def run(index: str | os.PathLike, host: str = "127.0.0.1", port: int = 8000, workers: int | None = None,
        access_log: bool = False, backend: str = "", time_limit: float = TIME_LIMIT,
        max_connections: int = MAX_CONNECTIONS, header_timeout: float = HEADER_TIMEOUT) -> None:
    """Serve the index until interrupted; raises IndexNotFoundError / IndexFormatError first
    when there is nothing to serve.

    Every worker is a process with its own `SearchEngine` (their memory-mapped postings are
    shared by the OS); they find the index and the limits through environment variables.
    `workers=None`: one per core this process may run on (`default_workers`).
    """
    import uvicorn

    from searchkit.backends import BACKEND_VARIABLE
    from searchkit.web.safety import HEADERS

    index = Path(index).resolve()
    SearchEngine(index, backend=backend).count()  # fail now, with the message saying what to do
    answer_cache_bytes()  # the workers read it: a bad value refused here, not as N tracebacks
    os.environ[INDEX_VARIABLE] = str(index)
    os.environ[TIME_LIMIT_VARIABLE] = str(time_limit)
    os.environ[CONNECTIONS_VARIABLE] = str(max_connections)
    os.environ[HEADER_TIMEOUT_VARIABLE] = str(header_timeout)
    if backend:  # the workers' engines read it (a URL given as --backend, not only $SEARCHKIT_BACKEND)
        os.environ[BACKEND_VARIABLE] = backend
    workers = workers or default_workers()
    options = dict(factory=True, host=host, port=port, workers=workers,
                   access_log=access_log, log_level="info", server_header=False,
                   http="searchkit.web.server:GuardedHttp",
                   headers=[(name.decode(), value.decode()) for name, value in HEADERS],
                   timeout_keep_alive=KEEP_ALIVE_TIMEOUT, h11_max_incomplete_event_size=MAX_HEADER_BYTES,
                   # a last resort: GuardedHttp keeps the connections below this
                   limit_concurrency=connection_cap(max_connections) + 1)
    with shared_folder(not backend) as shared:  # the commits answered from; the answers, with a cache
        os.environ[SHARED_VARIABLE] = shared
        try:
            if workers > 1 and hasattr(socket, "SO_REUSEPORT"):
                return _run_spread(uvicorn.Config("searchkit.web.server:served_app", **options))
            uvicorn.run("searchkit.web.server:served_app", **options)
        finally:
            os.environ.pop(SHARED_VARIABLE, None)


@contextmanager
def shared_folder(wanted: bool) -> Iterator[str]:
    """A private folder (mode 0700, under the temporary folder) for what the workers share:
    the commits they answer from (so that they answer from a commit once it is published with
    its statistics, all in step: `LocalIndex.publish_with_statistics`) and their kept answers
    (`cache.SharedAnswers`); removed with everything in it when the server stops. '' when not
    `wanted`, or when none can be made (a full or read-only temporary folder: each worker keeps
    its own answers, and answers from each commit as soon as it sees it)."""
    folder = ""
    if wanted:
        try:
            folder = tempfile.mkdtemp(prefix=SHARED_PREFIX)
        except OSError as error:
            import logging

            logging.getLogger("uvicorn.error").warning("the workers will not share their answers: %s", error)
    try:
        yield folder
    finally:
        if folder:
            shutil.rmtree(folder, ignore_errors=True)


def _run_spread(config) -> None:
    """uvicorn's worker processes, each listening on a socket of its own (SO_REUSEPORT), so
    that the kernel spreads new connections evenly among them. On one shared socket, the
    worker whose event loop is free first accepts a whole burst: 59 of 64 connections went to
    one of two workers, whose queue was then twelve times as deep as the other's, and its
    p99 the server's."""
    import logging

    from uvicorn.supervisors import Multiprocess

    family = socket.AF_INET6 if ":" in config.host else socket.AF_INET
    logger = logging.getLogger("uvicorn.error")
    try:
        # First a plain bind: SO_REUSEPORT alone would let a second server share a port in use
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((config.host, config.port))
            port = probe.getsockname()[1]
        placeholder = SpreadSocket.bound(family, (config.host, port))
    except OSError as error:
        logger.error(error)
        raise SystemExit(3) from None  # as uvicorn does when it cannot bind (its STARTUP_FAILURE)
    logger.info("searchkit serve on http://%s:%d, %d workers, one listening socket each",
                config.host, port, config.workers)
    try:
        Multiprocess(config, sockets=[placeholder]).run()
    finally:
        placeholder.close()


class SpreadSocket(socket.socket):
    """A socket bound with SO_REUSEPORT that a worker process receives as a fresh socket of
    its own, bound to the same address (pickling it makes the new one: uvicorn hands its
    workers their sockets by pickling). The parent's never listens, so it takes no connection."""

    @classmethod
    def bound(cls, family: int, address: tuple) -> "SpreadSocket":
        sock = cls(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind(address)
        return sock

    def __reduce__(self):
        return _spread_socket, (self.family, self.getsockname()[:2])


def _spread_socket(family: int, address: tuple) -> socket.socket:
    """In a worker: its own socket on the parent's address (see SpreadSocket)."""
    sock = SpreadSocket.bound(family, address)
    sock.set_inheritable(True)
    return sock


def served_app():
    """The factory `searchkit serve`'s worker processes call: the application without its own
    security headers (uvicorn adds them to every response), with the time limit and the size
    of its kept answers ($SEARCHKIT_ANSWER_CACHE_MB)."""
    from searchkit.web.app import create_app

    app = create_app(time_limit=float(os.environ.get(TIME_LIMIT_VARIABLE, TIME_LIMIT)), security_headers=False,
                     cache_bytes=answer_cache_bytes(), shared=_workers_folder())
    app.router.lifespan_context = _leaving_the_balance(_frozen_once_warm(app.router.lifespan_context))
    return app


def _frozen_once_warm(lifespan):
    """`lifespan`, whose start warms the engine (`app._warmed`), then every object the worker
    holds by then (the modules, the searcher and its tables) set aside from Python's cyclic
    collector for the worker's life (`gc.freeze`): a full collection then walks what came
    after only. Under 64 clients for 20 s, each worker's full collections after the warm-up
    went from two of 54-84 ms to one of 16-22 ms (wall, the cores shared), every request it
    held waiting meanwhile (bench/README.md, thirty-first session)."""
    import gc
    from contextlib import asynccontextmanager

    @asynccontextmanager
    async def frozen(app):
        async with lifespan(app) as state:
            gc.collect()  # what the warm-up let go of, freed first: frozen, it never would be
            gc.freeze()
            yield state

    return frozen


def _workers_folder() -> str | None:
    """The folder this worker's server made for its workers to share ($SEARCHKIT_SHARED_ANSWERS,
    made by `run`: answers and connection counts), or None: a variable naming anything else
    is not trusted with either."""
    folder = os.environ.get(SHARED_VARIABLE, "")
    return folder if Path(folder).name.startswith(SHARED_PREFIX) else None


def _leaving_the_balance(lifespan):
    """`lifespan`, then this worker's count taken out of the shared folder (`balance.py`):
    uvicorn ends a worker by raising the signal that stopped it again, so `atexit` never runs."""
    from contextlib import asynccontextmanager

    @asynccontextmanager
    async def leaving(app):
        async with lifespan(app) as state:
            yield state
        shares, _Guard.shares = _Guard.shares, False
        if shares:
            shares.close()

    return leaving


def answer_cache_bytes() -> int:
    """Bytes of the API's kept answers per worker: $SEARCHKIT_ANSWER_CACHE_MB megabytes (0:
    none), else `cache.MAX_BYTES`. Anything but a number of megabytes ("32MB", "-1") is
    refused, exit 2, saying what to set."""
    import math

    from searchkit.errors import SearchkitError
    from searchkit.web.cache import MAX_BYTES

    given = os.environ.get(CACHE_VARIABLE, "").strip()
    if not given:
        return MAX_BYTES
    try:
        megabytes = float(given)
    except ValueError:
        megabytes = math.nan
    if not (math.isfinite(megabytes) and megabytes >= 0):
        error = SearchkitError(kind="serve.cache_size", field=CACHE_VARIABLE, value=given)
        error.exit_code = 2  # bad usage (README "Exit codes"), as a bad start method is
        raise error
    return int(megabytes * 2**20)


def default_workers(cores: int | None = None) -> int:
    """Worker processes to start when none are asked for: one per core this process may run
    on (its CPU affinity, which a container's cpuset narrows), at most MAX_DEFAULT_WORKERS.
    A search holds its core while it runs, so a worker per core answers about as many more
    requests as there are cores (bench/serve.py: 172 req/s with one worker, 353 with two).

    >>> default_workers(1), default_workers(2), default_workers(64)
    (1, 2, 8)
    """
    if cores is None:
        try:
            cores = len(os.sched_getaffinity(0))
        except (AttributeError, OSError):  # not on Linux
            cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_DEFAULT_WORKERS))


def connection_cap(wanted: int = MAX_CONNECTIONS) -> int:
    """Connections this process can hold: `wanted`, or fewer when its file limit (less the
    files open now and RESERVED_FILES) is lower.

    >>> 0 < connection_cap(10) <= 10
    True
    """
    try:
        import resource
    except ImportError:  # Windows: no such limit to read
        return wanted
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return wanted
    try:
        open_now = len(os.listdir("/proc/self/fd"))
    except OSError:
        open_now = RESERVED_FILES
    return max(8, min(wanted, soft - open_now - RESERVED_FILES))


class _Guard:
    """Header timeout, header size cap and connection cap for a uvicorn HTTP protocol
    (see the module's docstring); mixed into its httptools or h11 class below."""

    #: Connections waiting for a request's headers, the oldest first (one event loop a process).
    waiting: OrderedDict = OrderedDict()
    closing = 0  # connections closed here whose connection_lost has not come yet
    shedding = 0  # connections answering their last request, for the balance between workers
    cap: int | None = None  # read in the worker process, on its first connection
    header_timeout = HEADER_TIMEOUT
    shares = None  # this worker's `balance.ConnectionShares`, False without a shared folder

    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        if _Guard.cap is None:  # measured once the application (and its index) is open
            _Guard.cap = connection_cap(int(os.environ.get(CONNECTIONS_VARIABLE, MAX_CONNECTIONS)))
            _Guard.header_timeout = float(os.environ.get(HEADER_TIMEOUT_VARIABLE, HEADER_TIMEOUT))
            _Guard.shares = _connection_shares()
        self._header_bytes, self._timer, self._closed_here, self._shed = 0, None, False, False
        self._await_request()
        if len(self.connections) - _Guard.closing > _Guard.cap:
            self._make_room()
        self._publish()

    def data_received(self, data: bytes) -> None:
        if self._between_requests():
            self._header_bytes += len(data)
            if self._header_bytes > MAX_HEADER_BYTES:
                self._forget()
                self.send_400_response("Request headers too large.")
                return
        waiting = self in _Guard.waiting  # between requests: this data begins the next one
        super().data_received(data)
        if not self._between_requests():  # the headers are in: the application has the request
            self._forget()
            if waiting and _Guard.shares and not self._shed:
                self._balance()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._await_request()

    def connection_lost(self, exc) -> None:
        self._forget()
        if self._closed_here:
            _Guard.closing -= 1
            self._closed_here = False
        if self._shed:
            _Guard.shedding -= 1
            self._shed = False
        super().connection_lost(exc)
        self._publish()

    def _held(self) -> int:
        """Connections this worker holds, less those closing or answering their last request."""
        return len(self.connections) - _Guard.closing - _Guard.shedding

    def _publish(self) -> None:
        if _Guard.shares:
            _Guard.shares.publish(self._held())

    def _balance(self) -> None:
        """Answer this request with `Connection: close` when this worker holds more than its
        share of the server's connections (`balance.sheds`): the client reconnects, and the
        kernel gives its new connection to any worker."""
        if _Guard.shares.should_shed(self._held()):
            self.cycle.keep_alive = False  # httptools: uvicorn says `connection: close`, closes after the response
            self.cycle.scope["headers"].append((b"connection", b"close"))  # h11: the same, as if the client asked
            self._shed = True
            _Guard.shedding += 1
            _Guard.shares.publish(self._held())

    def _between_requests(self) -> bool:
        return self.cycle is None or self.cycle.response_complete

    def _await_request(self) -> None:
        """Count the next request's header bytes and time from now."""
        self._forget()
        self._header_bytes = 0
        _Guard.waiting[self] = None
        self._timer = self.loop.call_later(_Guard.header_timeout, self._header_timeout)

    def _forget(self) -> None:
        _Guard.waiting.pop(self, None)
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _header_timeout(self) -> None:
        self._timer = None
        if self._between_requests():
            self._close()

    def _close(self) -> None:
        self._forget()
        if not self.transport.is_closing():
            self._closed_here = True
            _Guard.closing += 1
            self.transport.close()

    def _make_room(self) -> None:
        """Close the oldest connection waiting for a request (not this new one), or this one."""
        for other in list(_Guard.waiting):
            if other is not self and other._between_requests():
                other._close()
                return
        self._close()


def _connection_shares():
    """This worker's `balance.ConnectionShares` in the folder its server's workers share
    ($SEARCHKIT_SHARED_ANSWERS, made by `run`); False where there is none, or it cannot be
    written (each worker then keeps the connections the kernel gave it)."""
    import atexit

    from searchkit.web.balance import ConnectionShares

    folder = _workers_folder()
    if folder is None:
        return False
    try:
        shares = ConnectionShares(folder)
    except OSError:
        return False
    atexit.register(shares.close)  # a worker that ends otherwise (served_app's lifespan: see there)
    return shares


def _protocol():
    try:
        import httptools  # noqa: F401  (what uvicorn's "auto" picks too)
        from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol as Base
    except ImportError:
        from uvicorn.protocols.http.h11_impl import H11Protocol as Base
    return type("GuardedHttp", (_Guard, Base), {"__module__": __name__, "__doc__": _Guard.__doc__})


#: The HTTP protocol `searchkit serve` runs (uvicorn's, guarded); built on import.
GuardedHttp = _protocol()


def is_loopback(host: str) -> bool:
    """True for 127.0.0.1, ::1, localhost: addresses no other machine can reach.

    >>> is_loopback("127.0.0.1"), is_loopback("0.0.0.0")
    (True, False)
    """
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
