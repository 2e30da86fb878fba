"""The token fields a Typesense-backed search keeps between searches (`backends.token_cache`),
and how a search takes them or asks for the others (`TypesenseBackend._with_tokens`), without
a server: the requests are answered here."""

from __future__ import annotations

from searchkit.backends.token_cache import TokenCache
from searchkit.backends.typesense import TypesenseBackend
from searchkit.backends.url import parse_backend_url
from searchkit.searching.candidates import encode_tokens

TRAM = encode_tokens(["trạm", "phát", "sóng", "ở", "đắk", "nông"])
SONG = encode_tokens(["sóng", "phát", "sóng", "ở", "đắk", "nông"])  # one word rewritten: as many tokens


def candidate(doc_id: str, hash_: str, length: int = 6) -> dict:
    """A candidate as the search for ids gives it: no token fields."""
    return {"id": doc_id, "hash": hash_, "len_body": length, "len_body_f": length}


def stored(doc_id: str, hash_: str, body: str = TRAM) -> dict:
    return {**candidate(doc_id, hash_), "body": body, "body_f": "tram phat song o dak nong"}


def test_tokens_are_kept_by_text_and_counts_and_never_taken_for_other_text():
    cache = TokenCache()
    cache.keep(stored("a", "h1"), ("body", "body_f"))
    doc = candidate("a", "h1")
    assert cache.fill(doc, ("body", "body_f")) and doc["body"] == TRAM
    rewritten = candidate("a", "h2")  # the article written again, as many tokens: another hash
    assert not cache.fill(rewritten, ("body",)) and "body" not in rewritten
    recounted = candidate("a", "h1", length=7)  # other counts: analysed by other code
    assert not cache.fill(recounted, ("body",)) and "body" not in recounted
    assert not cache.fill(candidate("a", "h1"), ("body", "words"))  # a field never fetched
    assert not cache.fill(candidate("b", "h1"), ("body",))
    unhashed = {**stored("c", ""), "hash": None}
    cache.keep(unhashed, ("body",))  # no content hash: nothing says when it changes
    assert not cache.fill({**candidate("c", ""), "hash": None}, ("body",))


def test_fields_fetched_later_join_those_kept():
    cache = TokenCache()
    cache.keep(stored("a", "h1"), ("body_f",))
    cache.keep({**stored("a", "h1"), "words": "chx1ef7_kx1ed_sx1ed"}, ("words",))
    doc = candidate("a", "h1")
    assert cache.fill(doc, ("body_f", "words")) and doc["body_f"] == "tram phat song o dak nong"


def test_the_cache_stays_within_its_bytes_least_recently_used_first_out():
    entry = len(TRAM) + len("tram phat song o dak nong")
    cache = TokenCache(max_bytes=2 * entry)
    for doc_id in "abc":
        cache.keep(stored(doc_id, "h"), ("body", "body_f"))
        if doc_id == "b":
            assert cache.fill(candidate("a", "h"), ("body",))  # `a` used again: `b` is the oldest
    assert cache.size <= 2 * entry
    assert [cache.fill(candidate(d, "h"), ("body",)) for d in "abc"] == [True, False, True]
    TokenCache(max_bytes=10).keep(stored("a", "h"), ("body",))  # larger than the whole cache: not kept
    cache.clear()
    assert cache.size == 0 and not cache.fill(candidate("a", "h"), ("body",))


def backend_answering(articles: dict[str, dict], asked: list[list[str]],
                      texts: dict[str, dict] | None = None) -> TypesenseBackend:
    """A backend whose reads of token fields by id are answered from `articles` (and, for the
    text collection, from `texts` when given), each answer holding the fields asked for."""
    backend = TypesenseBackend(parse_backend_url("typesense://key@127.0.0.1:1/news"))

    def export(name, ids, fields):
        held = texts if texts is not None and name == "news__text" else articles
        asked.append([name, *ids])
        return [{f: held[i][f] for f in fields if f in held[i]} for i in ids if i in held]

    backend._export = export
    return backend


def test_a_search_asks_only_for_tokens_it_lacks_and_leaves_out_an_article_removed_meanwhile():
    articles = {"a": stored("a", "h1"), "b": stored("b", "h1", SONG)}
    asked: list[list[str]] = []
    backend = backend_answering(articles, asked)
    docs = backend._with_tokens([candidate("a", "h1"), candidate("b", "h1")], ("body", "body_f"))
    # the folded tokens from the collection searched, the marked ones from its text collection
    assert sorted(asked) == [["news", "a", "b"], ["news__text", "a", "b"]]
    assert [d["body"] for d in docs] == [TRAM, SONG] and docs[0]["body_f"] == "tram phat song o dak nong"

    asked.clear()
    articles["b"] = stored("b", "h2", TRAM)  # `b` written again since: its new text is asked for
    del articles["a"]  # `a` is kept here, so it still ranks though removed after the id search
    docs = backend._with_tokens([candidate("a", "h1"), candidate("b", "h2"), candidate("c", "h1")],
                                ("body", "body_f"))
    assert sorted(asked) == [["news", "b", "c"], ["news__text", "b", "c"]]  # `c`: removed since the search for ids
    assert [(d["id"], d["body"]) for d in docs] == [("a", TRAM), ("b", TRAM)]


def test_an_article_only_half_written_is_left_out_and_one_written_between_is_not_kept():
    asked: list[list[str]] = []
    articles = {"a": stored("a", "h1"), "b": stored("b", "h1")}
    texts = {"a": stored("a", "h2", SONG)}  # `a` rewritten there since; `b`'s text not written yet
    backend = backend_answering(articles, asked, texts)
    docs = backend._with_tokens([candidate("a", "h1"), candidate("b", "h1")], ("body", "body_f"))
    assert [(d["id"], d["body"]) for d in docs] == [("a", SONG)]  # ranked with the text it has
    assert not backend.tokens.fill(candidate("a", "h1"), ("body",))  # but not kept for either version
    assert not backend.tokens.fill(candidate("a", "h2"), ("body",))


def test_a_sync_by_this_process_drops_the_kept_tokens():
    backend = backend_answering({}, [])
    backend.tokens.keep(stored("a", "h1"), ("body",))
    backend.statistics.expire(now=True)
    assert not backend.tokens.fill(candidate("a", "h1"), ("body",))


def test_fields_another_writer_spaced_otherwise_are_made_single_spaced_once_and_kept_so():
    odd = {**stored("a", "h1"), "body_f": " tram  phat song o dak   nong"}
    backend = backend_answering({"a": odd}, [])
    docs = backend._with_tokens([candidate("a", "h1")], ("body", "body_f"))
    assert docs[0]["body_f"] == "tram phat song o dak nong"  # the same six tokens, single-spaced
    again = candidate("a", "h1")
    assert backend.tokens.fill(again, ("body", "body_f")) and again["body_f"] == "tram phat song o dak nong"
