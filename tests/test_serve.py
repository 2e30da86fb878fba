"""`searchkit serve` as a real process: it answers over loopback, picks up `searchkit add`
commits without a restart, and `searchkit query` never loads the web stack."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from urllib.parse import quote

import pytest
from click.testing import CliRunner

from searchkit import SearchEngine
from searchkit.cli import main
from tests.conftest import CORPUS, ROOT, write_articles
from tests.serving import get_json, running_server
from tests.test_web_api import BTS_ARTICLES

ROUNDS, PER_ROUND, CLIENTS = 4, 3, 3


def test_query_never_imports_the_web_stack(sample_engine):
    code = (
        "import sys; from searchkit.cli import main\n"
        f"try: main(['query', 'trạm BTS', '--index', {str(sample_engine.path)!r}])\n"
        "except SystemExit: pass\n"
        "print(sorted(m for m in ('starlette', 'uvicorn', 'jinja2', 'searchkit.web') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert "Nghệ An" in result.stdout and result.stdout.strip().endswith("[]")


def test_serve_without_an_index_says_how_to_build_one(tmp_path):
    result = CliRunner().invoke(main, ["serve", "--index", str(tmp_path / "nowhere"), "--port", "0"])
    assert result.exit_code == 3 and "searchkit index" in result.output


def uvicorn_options(monkeypatch, index, *options: str) -> dict:
    """What `searchkit serve` hands uvicorn (uvicorn.run and the several workers' start
    replaced: nothing listens)."""
    import uvicorn

    from searchkit.web import server

    seen = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: seen.update(options, app=app))
    monkeypatch.setattr(server, "_run_spread", lambda config: seen.update(workers=config.workers, app=config.app))
    result = CliRunner().invoke(main, ["serve", "--index", str(index), "--port", "0", *options])
    assert result.exit_code == 0, result.output
    return seen


def test_serve_starts_a_worker_per_core_unless_told(sample_engine, monkeypatch):
    import os

    from searchkit.web import server

    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2}, raising=False)
    assert server.default_workers() == 3
    assert uvicorn_options(monkeypatch, sample_engine.path)["workers"] == 3
    assert uvicorn_options(monkeypatch, sample_engine.path, "--workers", "1")["workers"] == 1
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(64)), raising=False)
    assert uvicorn_options(monkeypatch, sample_engine.path)["workers"] == server.MAX_DEFAULT_WORKERS


@pytest.mark.parametrize("given", ["32MB", "-1", "nan", "ba mươi hai"])
def test_a_bad_answer_cache_size_is_refused_before_any_worker_starts(sample_engine, monkeypatch, given):
    import uvicorn

    from searchkit.web import server
    from searchkit.web.cache import MAX_BYTES

    started = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: started.append(app))
    monkeypatch.setattr(server, "_run_spread", lambda config: started.append(config))
    monkeypatch.setenv(server.CACHE_VARIABLE, given)
    result = CliRunner().invoke(main, ["--lang", "en", "serve", "--index", str(sample_engine.path), "--port", "0"])
    assert result.exit_code == 2 and not started
    assert f"SEARCHKIT_ANSWER_CACHE_MB={given!r} is not a number of megabytes" in result.output
    assert "0 turns the answer cache off), or unset it" in result.output
    monkeypatch.setenv(server.CACHE_VARIABLE, " 0.5 ")
    assert server.answer_cache_bytes() == 2**19
    monkeypatch.delenv(server.CACHE_VARIABLE)
    assert server.answer_cache_bytes() == MAX_BYTES


def test_serve_binds_loopback_and_answers_the_api(sample_engine):
    with running_server(sample_engine.path) as base:
        assert base.startswith("http://127.0.0.1:")
        status, body = get_json(base + "/api/search?q=" + quote("tram bts"))
        assert status == 200 and {hit["id"] for hit in body["hits"]} == BTS_ARTICLES


def new_articles(folder, round_: int) -> list:
    """PER_ROUND articles that all mention trạm BTS, with ids moi-<round>-<n>."""
    texts = {
        f"moi-{round_}-{n}": f"Trạm BTS mới đợt {round_} số {n}\n\nSở TT&TT lắp thêm trạm BTS ở xã số {n}, đợt {round_}.\n"
        for n in range(PER_ROUND)
    }
    write_articles(folder, texts)
    return [folder / f"{name}.txt" for name in texts]


def test_searchkit_add_while_serving_loses_and_repeats_nothing(tmp_path):
    index = tmp_path / "index"
    SearchEngine(index).index([CORPUS])
    problems: list[str] = []
    done = threading.Event()
    counts: list[int] = []

    def client(base: str) -> None:
        last_total, deadline = 0, time.monotonic() + 300
        while not done.is_set() and time.monotonic() < deadline:
            status, body = get_json(base + "/api/search?limit=100&q=" + quote("trạm BTS"))
            if status != 200:
                problems.append(f"HTTP {status}: {body}")
                continue
            found = [hit["id"] for hit in body["hits"]]
            if len(found) != len(set(found)):
                problems.append(f"duplicate hits: {found}")
            if len(found) != body["total"] or not BTS_ARTICLES <= set(found):
                problems.append(f"missing hits: {body['total']} matches, {found}")
            if body["total"] < last_total:
                problems.append(f"total went back from {last_total} to {body['total']}")
            last_total = body["total"]
            counts.append(last_total)

    temporary = tmp_path / "tmp"  # where the server makes the folder its workers share answers in
    temporary.mkdir()
    with running_server(index, workers=2, env={"TMPDIR": str(temporary)}) as base:
        clients = [threading.Thread(target=client, args=(base,)) for _ in range(CLIENTS)]
        for thread in clients:
            thread.start()
        try:
            for round_ in range(ROUNDS):
                files = new_articles(tmp_path / f"new{round_}", round_)
                added = subprocess.run([sys.executable, "-m", "searchkit", "add", *map(str, files), "--index", str(index),
                                        "--wait", "60", "--quiet"], cwd=ROOT, capture_output=True, text=True)
                assert added.returncode == 0, added.stderr
                time.sleep(0.3)  # let the clients search this generation
        finally:
            done.set()
            for thread in clients:
                thread.join(timeout=60)
        status, final = get_json(base + "/api/search?limit=100&q=" + quote("trạm BTS"))
        (shared,) = temporary.iterdir()
        assert shared.name.startswith("searchkit-answers-") and list(shared.iterdir())  # answers shared
    assert problems == [] and not list(temporary.iterdir())  # removed when the server stopped
    expected = BTS_ARTICLES | {f"moi-{r}-{n}" for r in range(ROUNDS) for n in range(PER_ROUND)}
    assert status == 200 and {hit["id"] for hit in final["hits"]} == expected
    assert len(set(counts)) > 2  # the clients saw several generations, not only the first and last


def test_a_server_sees_a_commit_and_checks_a_settled_index_with_one_stat(tmp_path, monkeypatch):
    """Between commits a search does not reread the table of contents (the folder's time
    stamp says nothing changed); another process's commit is still seen at once."""
    import os

    from searchkit.backends import local

    writer = SearchEngine(tmp_path / "index")
    writer.index([CORPUS])
    hour_ago = time.time() - 3600
    os.utime(writer.path, (hour_ago, hour_ago))  # settled: no commit for an hour
    server = SearchEngine(writer.path)
    before = {hit.id for hit in server.search("trạm BTS", limit=50)}
    assert before == BTS_ARTICLES
    opened = []
    monkeypatch.setattr(local, "open_index", lambda path, real=local.open_index: opened.append(path) or real(path))
    assert {hit.id for hit in server.search("trạm BTS", limit=50)} == before and opened == []
    writer.index([CORPUS, *new_articles(tmp_path / "new", 1)])
    assert {hit.id for hit in server.search("trạm BTS", limit=50)} == before | {f"moi-1-{n}" for n in range(PER_ROUND)}
    assert opened


def test_each_worker_listens_on_a_socket_of_its_own():
    """Several workers each get their own SO_REUSEPORT socket on the same address (pickled to
    the worker, as uvicorn hands sockets over), so the kernel spreads connections among them."""
    import pickle
    import socket

    import pytest

    from searchkit.web.server import SpreadSocket

    if not hasattr(socket, "SO_REUSEPORT"):
        pytest.skip("no SO_REUSEPORT on this platform: one shared socket")
    with SpreadSocket.bound(socket.AF_INET, ("127.0.0.1", 0)) as parent, pickle.loads(pickle.dumps(parent)) as worker:
        assert worker.getsockname() == parent.getsockname() and worker.fileno() != parent.fileno()
        assert worker.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT)
        worker.listen()
        with socket.create_connection(parent.getsockname(), timeout=10):
            accepted, _ = worker.accept()  # the worker's socket takes the connection
            accepted.close()


def test_a_second_server_on_a_port_in_use_is_refused(sample_engine):
    """The workers' SO_REUSEPORT sockets must not let another server share the port."""
    with running_server(sample_engine.path, workers=2) as base:
        port = base.rsplit(":", 1)[1]
        second = subprocess.run([sys.executable, "-m", "searchkit", "serve", "--index", str(sample_engine.path),
                                 "--port", port, "--workers", "2"], cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert second.returncode != 0 and "in use" in second.stderr
        status, body = get_json(base + "/api/search?q=" + quote("trạm BTS"))
        assert status == 200 and {hit["id"] for hit in body["hits"]} == BTS_ARTICLES


def test_a_served_worker_sets_what_it_holds_once_warm_aside_from_the_garbage_collector(sample_engine, tmp_path,
                                                                                     monkeypatch):
    """A `searchkit serve` worker warms its engine (the searcher opened, `thông tin` searched),
    then sets every object it holds aside from Python's cyclic collector for its life: a full
    collection walks what came after only (under 64 clients, each worker paused to walk some
    70,000 objects twice in 20 s, 54-84 ms a time; now once, 16-22 ms). What is set aside is
    never collected as a cycle: after a commit, the warm generation's arrays, searcher and
    reader must go by reference counting alone, or every worker would keep them for good."""
    import asyncio
    import gc
    import weakref

    from searchkit.web.server import served_app
    from tests.conftest import copied_engine

    writer = copied_engine(sample_engine, tmp_path)
    monkeypatch.setenv("SEARCHKIT_INDEX", str(writer.path))
    app = served_app()

    async def served():
        async with app.router.lifespan_context(app):
            engine = app.state.engine
            arrays, (_, searcher) = engine.backend._arrays[1], engine.backend._searcher  # opened by the warm-up
            frozen, walked = gc.get_freeze_count(), any(o is arrays for o in gc.get_objects())
            warm = [weakref.ref(arrays), weakref.ref(searcher), weakref.ref(searcher.reader())]
            del arrays, searcher
            writer.index(new_articles(tmp_path / "new", 1), remove_missing=False)
            found = engine.search("trạm BTS mới đợt 1", limit=1)
            return frozen, walked, [ref() is None for ref in warm], found.total

    try:
        frozen, walked, gone, total = asyncio.run(served())
    finally:
        gc.unfreeze()  # this test's process goes on collecting
    assert frozen > 10_000 and not walked
    assert gone == [True, True, True] and total >= PER_ROUND
