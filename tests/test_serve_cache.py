"""What `searchkit serve` does once instead of per request: the API's kept answers (correct
across commits, bounded), and searches whose clients have gone (skipped, and not counted
against the waiting cap). In-process, on the sample articles; no timed assertions."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

from starlette.testclient import TestClient

from searchkit import SearchEngine
from searchkit.searching.suggest import CACHE_PREFIX
from searchkit.web import create_app
from searchkit.web.app import ClientGone, Searches, ServerBusyError
from searchkit.web.cache import AnswerCache
from tests.conftest import CORPUS, write_articles
from tests.test_web_api import BTS_ARTICLES


class Counting:
    """A SearchEngine that counts its searches."""

    def __init__(self, engine):
        self.engine, self.searched = engine, []

    def search(self, query, **options):
        self.searched.append(query)
        return self.engine.search(query, **options)

    def __getattr__(self, name):
        return getattr(self.engine, name)


def settle(folder, seconds_ago: float) -> None:
    """Date the folder's last change `seconds_ago` (a commit then, nothing since)."""
    then = time.time() - seconds_ago
    os.utime(folder, (then, then))


def ids(response) -> set[str]:
    assert response.status_code == 200, response.text
    return {hit["id"] for hit in response.json()["hits"]}


def test_a_repeated_search_is_answered_once_and_a_commit_is_seen_at_once(tmp_path):
    writer = SearchEngine(tmp_path / "index")
    writer.index([CORPUS])
    settle(writer.path, 3600)
    counting = Counting(SearchEngine(writer.path))
    with TestClient(create_app(engine=counting)) as client, \
            TestClient(create_app(writer.path, cache_bytes=0)) as uncached:
        counting.searched.clear()  # the warm-up's
        first = client.get("/api/search", params={"q": "trạm BTS", "limit": 20})
        again = client.get("/api/search", params={"limit": "20", "q": "trạm BTS"})  # the same request
        assert ids(first) == BTS_ARTICLES and again.content == first.content
        assert counting.searched == ["trạm BTS"]
        assert uncached.get("/api/search", params={"q": "trạm BTS", "limit": 20}).content == first.content

        folder = write_articles(tmp_path / "new", {"moi": "Trạm BTS mới ở Cà Mau\n\nViettel lắp trạm BTS mới."})
        writer.index([CORPUS, folder])  # another engine commits, as `searchkit add` would
        after = client.get("/api/search", params={"q": "trạm BTS", "limit": 20})
        assert ids(after) == BTS_ARTICLES | {"moi"}
        kept = client.get("/api/search", params={"q": "trạm BTS", "limit": 20})  # the folder just changed:
        assert kept.content == after.content  # kept all the same, by its commit
        settle(writer.path, 1800)  # settled later: the same commit, the same answer
        assert client.get("/api/search", params={"q": "trạm BTS", "limit": 20}).content == after.content
        assert after.content == uncached.get("/api/search", params={"q": "trạm BTS", "limit": 20}).content
        assert counting.searched == ["trạm BTS"] * 2


def test_a_commit_in_the_same_tick_is_seen_and_nothing_is_kept_without_its_statistics(tmp_path):
    """Answers are kept by the last commit, not by the folder's time stamp: two commits
    within one tick of the file system's clock (the same stamp) still differ, so a kept
    answer never hides the second; right after a commit, before the folder settles, answers
    are kept already. A commit whose did-you-mean statistics are not saved yet keeps none:
    the engine answers with the previous ones meanwhile."""
    engine = SearchEngine(tmp_path / "index")
    engine.index([CORPUS])
    counting = Counting(SearchEngine(engine.path))
    with TestClient(create_app(engine=counting)) as client:
        counting.searched.clear()
        tick = time.time_ns() + 3600 * 10**9  # a stamp never old enough to be trusted, however slow the run
        os.utime(engine.path, ns=(tick, tick))
        for _ in range(2):
            assert ids(client.get("/api/search", params={"q": "trạm BTS"})) == BTS_ARTICLES
        assert len(counting.searched) == 1  # the folder's stamp says nothing yet: kept all the same
        folder = write_articles(tmp_path / "new", {"moi": "Trạm BTS mới ở Cà Mau\n\nViettel lắp trạm BTS mới."})
        engine.index([CORPUS, folder])
        os.utime(engine.path, ns=(tick, tick))  # the same stamp as before the commit: one tick
        assert ids(client.get("/api/search", params={"q": "trạm BTS"})) == BTS_ARTICLES | {"moi"}
        assert len(counting.searched) == 2
        for statistic in engine.path.glob(f"{CACHE_PREFIX}*"):  # as between a commit and its statistics
            statistic.unlink()
        settle(engine.path, 3600)
        for _ in range(2):
            assert ids(client.get("/api/search", params={"q": "trạm BTS"})) == BTS_ARTICLES | {"moi"}
        assert len(counting.searched) == 4


def test_the_commit_before_answers_from_what_was_kept_until_the_last_ones_statistics_are_saved(tmp_path,
                                                                                               monkeypatch):
    """A server answers from another process's commit once its statistics are saved
    (`LocalIndex.holds_previous`): meanwhile the engine answers from the commit before, and
    so do the answers kept for it; then the last commit's, searched once."""
    from searchkit.backends.local import LocalIndex

    writer = SearchEngine(tmp_path / "index")
    writer.index([CORPUS])
    counting = Counting(SearchEngine(writer.path))
    shared = tmp_path / "searchkit-answers-test"
    shared.mkdir(mode=0o700)
    with TestClient(create_app(engine=counting, shared=shared)) as client:
        counting.searched.clear()
        first = client.get("/api/search", params={"q": "trạm BTS"})
        assert ids(first) == BTS_ARTICLES
        folder = write_articles(tmp_path / "new", {"moi": "Trạm BTS mới ở Cà Mau\n\nViettel lắp trạm BTS mới."})
        with monkeypatch.context() as patched:  # committed, its statistics not saved yet
            patched.setattr(LocalIndex, "_prepare_statistics", lambda self, **_: None)
            writer.index([CORPUS, folder])
        for _ in range(2):
            assert client.get("/api/search", params={"q": "trạm BTS"}).content == first.content
        assert counting.searched == ["trạm BTS"]
        writer.backend._prepare_statistics()
        for _ in range(2):
            assert ids(client.get("/api/search", params={"q": "trạm BTS"})) == BTS_ARTICLES | {"moi"}
        assert counting.searched == ["trạm BTS"] * 2


def test_kept_answers_stay_within_their_bytes(tmp_path):
    folder = tmp_path / "index"
    engine = SearchEngine(folder)
    engine.index([CORPUS])
    settle(folder, 3600)
    cache = AnswerCache(folder, max_bytes=10_000)
    stamp = cache.stamp()
    assert cache.statistics_saved(stamp)
    for n in range(50):
        assert cache.put(("trạm BTS", n), stamp, b"x" * 1000)
    assert cache.size <= 10_000 and cache.get(("trạm BTS", 49)) == b"x" * 1000
    assert cache.get(("trạm BTS", 0)) is None  # the oldest went first
    assert not cache.put(("trạm BTS", 50), None, b"{}")  # searched while the folder changed


class Request:
    """What `Searches` asks of a request: whether its client has gone."""

    def __init__(self, gone: bool):
        self.gone = gone

    async def is_disconnected(self) -> bool:
        return self.gone


def test_a_search_whose_client_has_gone_is_skipped_and_not_counted_at_the_cap(sample_engine):
    import anyio

    counting, gate = Counting(sample_engine), threading.Event()
    searched = counting.search
    counting.search = lambda query, **options: (gate.wait(60), searched(query, **options))[1]
    outcomes: list[str] = []

    async def scenario():
        searches = Searches(counting, time_limit=60, max_waiting=2)

        async def one(query, request):
            try:
                await searches.run("search", query, request=request)
                outcomes.append(f"{query}: answered")
            except (ServerBusyError, ClientGone) as error:
                outcomes.append(f"{query}: {type(error).__name__}")

        async with anyio.create_task_group() as group:
            group.start_soon(one, "trạm BTS", Request(gone=False))
            await anyio.sleep(0.2)  # it holds the engine's turn
            group.start_soon(one, "Đắk Nông", Request(gone=True))  # its client closed the connection
            await anyio.sleep(0.2)
            group.start_soon(one, "Viettel", Request(gone=False))  # third: refused before, at the cap
            await anyio.sleep(0.2)
            gate.set()

    anyio.run(scenario)
    assert set(outcomes) == {"trạm BTS: answered", "Viettel: answered", "Đắk Nông: ClientGone"}
    assert counting.searched == ["trạm BTS", "Viettel"]


def test_spellings_of_one_search_are_kept_apart_each_echoing_its_own_query(tmp_path):
    """hoà/hòa, with or without accents, capitals: the same article, but each answer names the
    query as typed, so a kept answer is never handed to another spelling."""
    engine = SearchEngine(tmp_path / "index")
    engine.index([CORPUS])
    settle(engine.path, 3600)
    counting = Counting(SearchEngine(engine.path))
    spellings = ["hoà bình", "hòa bình", "hoa binh", "Hòa Bình"]
    with TestClient(create_app(engine=counting)) as client:
        counting.searched.clear()
        for _ in range(2):
            answers = [client.get("/api/search", params={"q": typed}) for typed in spellings]
            assert [answer.json()["query"] for answer in answers] == spellings
            assert len({frozenset(ids(answer)) for answer in answers}) == 1 and ids(answers[0])
        assert counting.searched == spellings  # the second round: every answer kept


def test_workers_share_their_answers_and_a_commit_is_seen_at_once_by_each(tmp_path):
    """Two workers of one server (two apps over one shared folder): a search one of them made
    is the other's answer too, byte for byte, until the next commit; its answers are never
    served under another state, and the folders of older states go."""
    writer = SearchEngine(tmp_path / "index")
    writer.index([CORPUS])
    settle(writer.path, 3600)
    shared = tmp_path / "searchkit-answers-test"
    shared.mkdir(mode=0o700)
    first, second = Counting(SearchEngine(writer.path)), Counting(SearchEngine(writer.path))
    with TestClient(create_app(engine=first, shared=shared)) as one, \
            TestClient(create_app(engine=second, shared=shared)) as two:
        first.searched.clear(), second.searched.clear()  # the warm-ups'
        answer = one.get("/api/search", params={"q": "trạm BTS", "limit": 20})
        assert ids(answer) == BTS_ARTICLES and first.searched == ["trạm BTS"]
        assert two.get("/api/search", params={"q": "trạm BTS", "limit": 20}).content == answer.content
        assert second.searched == []  # taken from the first worker's
        assert two.get("/api/search", params={"q": "tram bts", "limit": 20}).status_code == 200
        assert second.searched == ["tram bts"]  # another request: searched
        one.get("/api/search", params={"q": "tram bts", "limit": 20})
        assert first.searched == ["trạm BTS"]
        states = set(shared.iterdir())

        folder = write_articles(tmp_path / "new", {"moi": "Trạm BTS mới ở Cà Mau\n\nViettel lắp trạm BTS mới."})
        writer.index([CORPUS, folder])
        after = two.get("/api/search", params={"q": "trạm BTS", "limit": 20})
        assert ids(after) == BTS_ARTICLES | {"moi"} and second.searched[-1] == "trạm BTS"
        assert one.get("/api/search", params={"q": "trạm BTS", "limit": 20}).content == after.content
        assert first.searched == ["trạm BTS"]  # the second worker's answer, of the new commit
        assert not states & set(shared.iterdir())  # the old commit's answers are gone


def test_shared_answers_that_cannot_be_written_or_read_are_searched(tmp_path):
    folder = tmp_path / "index"
    SearchEngine(folder).index([CORPUS])
    settle(folder, 3600)
    shared = tmp_path / "searchkit-answers-gone"
    shared.mkdir(mode=0o755)
    assert AnswerCache(folder, shared=shared).shared is None  # others may read or write there: not used
    shared.chmod(0o700)
    one, two = AnswerCache(folder, shared=shared), AnswerCache(folder, shared=shared)
    stamp = one.stamp()
    one.share("trạm BTS", None, b"{}")  # searched while the folder changed: not shared
    one.share("trạm BTS", (stamp[0], (False, False)), b"{}")  # before its statistics: not shared
    assert not list(shared.iterdir())
    one.share("trạm BTS", stamp, b'{"hits": []}')
    assert two.get("trạm BTS") == b'{"hits": []}' and two.shared_hits == 1
    (state,) = shared.iterdir()
    (state / next(p.name for p in state.iterdir())).write_bytes(b"")  # emptied: no answer
    assert AnswerCache(folder, shared=shared).get("trạm BTS") is None

    real_replace = os.replace

    def full_disk(source, target):
        raise OSError(28, "No space left on device")

    os.replace = full_disk
    try:
        one.share("Đắk Nông", stamp, b'{"hits": [1]}')  # written, then the rename fails: nothing stays
    finally:
        os.replace = real_replace
    assert sorted(p.name for p in state.iterdir()) == [next(p.name for p in state.iterdir())]
    assert two.get("Đắk Nông") is None
    for state in shared.iterdir():  # a temporary folder cleaned away under the server
        for answer in state.iterdir():
            answer.unlink()
        state.rmdir()
    shared.rmdir()
    one.share("CNTT", stamp, b"{}")  # nothing to write into: not shared, no error
    assert two.get("CNTT") is None and not shared.exists()


class Asked(Request):
    """A request of the API with its query string, its client still there."""

    def __init__(self, **params):
        super().__init__(gone=False)
        self.query_params = params


def test_the_same_search_asked_twice_at_once_is_searched_once(tmp_path):
    """Right after a commit many users ask the same thing: a request that waited for its turn
    while another searched the same is answered with that search, not searched again."""
    import anyio

    from searchkit.web.app import Api

    folder = tmp_path / "index"
    SearchEngine(folder).index([CORPUS])
    settle(folder, 3600)
    counting, gate = Counting(SearchEngine(folder)), threading.Event()
    searched = counting.search
    counting.search = lambda query, **options: (gate.wait(60), searched(query, **options))[1]
    api = Api(Searches(counting, time_limit=60), AnswerCache(folder))
    bodies: list[bytes] = []

    async def ask(query: str) -> None:
        bodies.append((await api.search(Asked(q=query))).body)

    async def scenario():
        async with anyio.create_task_group() as group:
            group.start_soon(ask, "trạm BTS")
            await anyio.sleep(0.2)  # it holds the engine's turn
            group.start_soon(ask, "trạm BTS")  # missed the cache, waits for its turn
            group.start_soon(ask, "Đắk Nông")
            await anyio.sleep(0.2)
            gate.set()

    anyio.run(scenario)
    assert counting.searched == ["trạm BTS", "Đắk Nông"] and api.answers.meanwhile == 1
    assert len(bodies) == 3 and bodies.count(bodies[0]) == 2 and b"BTS" in bodies[0]


def test_a_server_whose_temporary_folder_cannot_be_written_serves_without_sharing(tmp_path, monkeypatch):
    from searchkit.web.server import shared_folder

    import tempfile

    def full(prefix: str) -> str:
        raise OSError(28, "No space left on device", "/tmp")

    with monkeypatch.context() as patched:
        patched.setattr(tempfile, "mkdtemp", full)
        with shared_folder(True) as folder:
            assert folder == ""  # each worker keeps its own answers
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr(tempfile, "tempdir", None)  # read $TMPDIR again
    with shared_folder(True) as folder:
        assert Path(folder).parent == tmp_path and oct(Path(folder).stat().st_mode & 0o777) == "0o700"
    assert not Path(folder).exists()


def test_the_shared_folder_must_be_a_folder_not_a_link_on_every_system(tmp_path, monkeypatch):
    folder = tmp_path / "index"
    SearchEngine(folder).index([CORPUS])
    shared = tmp_path / "searchkit-answers-real"
    shared.mkdir(mode=0o700)
    link = tmp_path / "searchkit-answers-link"
    link.symlink_to(shared)
    assert AnswerCache(folder, shared=shared).shared is not None
    assert AnswerCache(folder, shared=link).shared is None  # what is read there is served: never through a link
    monkeypatch.delattr(os, "getuid")  # as on Windows: no owner or mode bits to check
    assert AnswerCache(folder, shared=shared).shared is not None and AnswerCache(folder, shared=link).shared is None


def test_the_state_of_a_commit_still_the_newest_is_found_without_listing_the_folder(tmp_path, monkeypatch):
    """`commit_key` given the state found before: the same state as a listing finds, through
    each change a newsroom's commit makes (its table of contents, then its statistics), and
    no listing while the commit known is still the newest."""
    from searchkit.web import cache

    engine = SearchEngine(tmp_path / "index")
    engine.index([CORPUS])
    listed, listdir = [], os.listdir
    monkeypatch.setattr(cache.os, "listdir", lambda path: listed.append(path) or listdir(path))

    def both(known):
        listed.clear()
        quick = cache.commit_key(engine.path, known)
        quick_listings = len(listed)
        full = cache.commit_key(engine.path)
        assert quick == full, (quick, full)
        return quick, quick_listings

    first, _ = both(None)
    assert both(first) == (first, 0)  # nothing changed: no listing
    statistics = sorted(engine.path.glob(f"{CACHE_PREFIX}*"))
    saved = {path: path.read_bytes() for path in statistics}
    for path in statistics:  # as between a commit and its statistics
        path.unlink()
    unsaved, listings = both(first)
    assert listings == 0 and unsaved[0] == first[0] and unsaved[1] != first[1]
    for path, content in saved.items():
        path.write_bytes(content)
    assert both(unsaved) == (first, 0)  # saved again: the same state as before, found by name

    folder = write_articles(tmp_path / "new", {"moi": "Trạm BTS mới ở Cà Mau\n\nViettel lắp trạm BTS mới."})
    engine.index([CORPUS, folder])
    after, listings = both(first)  # a newer commit: listed
    assert listings == 1 and after[0][2] == first[0][2] + 1 and after[0] != first[0]
    assert both(None)[0] == after and cache.commit_key(tmp_path / "nowhere", after) is None
