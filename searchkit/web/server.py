"""Run the web application with uvicorn: `searchkit serve`."""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path

from searchkit.engine import SearchEngine
from searchkit.web.app import INDEX_VARIABLE


def run(index: str | os.PathLike, host: str = "127.0.0.1", port: int = 8000, workers: int = 1,
        access_log: bool = False, backend: str = "") -> None:
    """Serve the index until interrupted; raises IndexNotFoundError / IndexFormatError first
    when there is nothing to serve.

    Every worker is a process with its own `SearchEngine` (their memory-mapped postings are
    shared by the OS); they find the index through $SEARCHKIT_INDEX.
    """
    import uvicorn

    from searchkit.backends import BACKEND_VARIABLE

    index = Path(index).resolve()
    SearchEngine(index, backend=backend).count()  # fail now, with the message saying what to do
    os.environ[INDEX_VARIABLE] = str(index)
    if backend:  # the workers' engines read it (a URL given as --backend, not only $SEARCHKIT_BACKEND)
        os.environ[BACKEND_VARIABLE] = backend
    uvicorn.run("searchkit.web.app:app_from_environment", factory=True, host=host, port=port,
                workers=workers, access_log=access_log, log_level="info", server_header=False)


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
