"""The Typesense backend's candidate arrays (no server needed): `TypesenseArrays` finds each
wanted token with `str.find` over the candidates joined, when ranking first asks for it, and
reads lengths from the documents' `len_` numbers; it must give exactly what `CandidateArrays`
gives (the class the rankings were made with), also in the order-dependent case where a token
another field asked for first is not looked for in this one yet."""

from __future__ import annotations


import numpy as np
import pytest

from searchkit.backends.typesense import TypesenseArrays, analyse_batch
from searchkit.indexing.corpus import parse_txt
from searchkit.searching.candidates import FIELDS, CandidateArrays, token_count
from tests.conftest import CORPUS

AVERAGES = {"title_f": 9.0, "body_f": 400.0, "title": 5.0, "body": 300.0, "words": 90.0}


@pytest.fixture(scope="module")
def docs() -> list[dict]:
    """The five seeds as Typesense documents, plus a hand-made one whose fields are not joined
    by single spaces (as another writer might send them)."""
    articles = [parse_txt(path.read_text(encoding="utf-8"), path.stem) for path in sorted(CORPUS.glob("*.txt"))]
    documents, failed = analyse_batch(articles)
    assert not failed and len(documents) == 5
    odd = {"id": "odd", "title_f": " tram  bts", "body_f": "tram phat  song tram", "title": "", "body": "x  x",
           "words": ""}
    odd.update({f"len_{f}": token_count(odd[f]) for f in FIELDS})
    return [{key: doc.get(key) for key in ("id", *FIELDS, *(f"len_{f}" for f in FIELDS))} for doc in documents] + [odd]


def frequency(field: str, term: str) -> int:
    return 7 if term else 0


def pair(docs, wanted):
    return (CandidateArrays(docs, 1000, frequency, AVERAGES, wanted=wanted),
            TypesenseArrays(docs, 1000, frequency, AVERAGES, wanted=wanted))


def same(old, new, field, term) -> list:
    positions = old._term_positions(field, term)
    keys = new.occurrences(field, term)  # what ranking reads: `doc << 32 | position`
    assert [(int(k >> 32), int(k & 0xFFFFFFFF)) for k in keys] == positions, (field, term)
    for a, b in zip(old.postings(field, term), new.postings(field, term)):
        assert np.array_equal(a, b), (field, term)
    assert np.array_equal(old.occurrences(field, term), new.occurrences(field, term)), (field, term)
    return positions


def test_positions_postings_and_lengths_are_those_of_candidate_arrays(docs):
    old, new = pair(docs, wanted=["tram", "bts", "phat", "song"])
    assert same(old, new, "body_f", "tram")  # found in the seeds' bodies and in the odd document
    assert [doc for doc, _ in same(old, new, "body_f", "song")][-1] == 5  # the odd one, token by token
    for field, term in [("title_f", "tram"), ("body_f", "vien"), ("body_f", "thong"), ("body", "trạm"),
                        ("body", "thông"), ("words", "viễn_thông"), ("title_f", "x"), ("body", ""),
                        ("body_f", "dak"), ("body_f", "nong"), ("title", "đắk")]:
        same(old, new, field, term)
    for field in FIELDS:
        assert np.array_equal(old.lengths(field), new.lengths(field)), field
        assert np.array_equal(old.norm(field), new.norm(field)), field


def test_a_token_another_field_asked_for_first_is_unseen_until_this_field_is_read_again(docs):
    assert any(" truyen " in f" {doc['body_f']} " for doc in docs)  # the bodies hold "truyen"
    old, new = pair(docs, wanted=["tram"])
    same(old, new, "body_f", "tram")  # body_f is read for "tram"
    assert same(old, new, "title_f", "truyen")  # "truyen" is new: title_f is read for it
    # body_f was read before "truyen" was wanted: as CandidateArrays ranked, none there
    assert same(old, new, "body_f", "truyen") == []
    # a new token makes body_f be read again, for every token wanted by then
    same(old, new, "body_f", "nhiem")
    assert same(old, new, "body_f", "truyen")


def test_a_field_not_fetched_has_no_length_even_with_its_number(docs):
    slim = [{key: value for key, value in doc.items() if key not in ("body", "words")} for doc in docs]
    old, new = pair(slim, wanted=["tram"])
    for field in FIELDS:
        assert np.array_equal(old.lengths(field), new.lengths(field)), field
    assert not new.lengths("body")[:len(slim)].any() and new.lengths("body_f")[:5].all()


def test_a_field_made_single_spaced_once_ranks_as_the_field_read_token_by_token(docs):
    """`_with_tokens` makes another writer's spacing single spaces once, when it fetches a
    field; the arrays then skip looking each field over again, and find the same positions
    as `CandidateArrays` finds in the fields as they came."""
    from searchkit.backends.typesense import _single_spaced

    spaced = [dict(doc) for doc in docs]
    for doc in spaced:
        _single_spaced(doc, FIELDS)
    assert spaced[-1]["title_f"] == "tram bts" and spaced[-1]["body"] == "x x" and spaced[0] == docs[0]
    old = CandidateArrays(docs, 1000, frequency, AVERAGES, wanted=["tram", "song"])
    new = TypesenseArrays(spaced, 1000, frequency, AVERAGES, wanted=["tram", "song"], single_spaced=True)
    for field, term in [("body_f", "tram"), ("body_f", "song"), ("title_f", "tram"), ("title_f", "bts"), ("body", "x")]:
        same(old, new, field, term)


def test_finding_a_token_skips_longer_tokens_it_begins_and_finds_it_right_after_itself():
    """`_Joined.find` finds a token whole: `bts` is not found in `btsx`, and `sóng sóng` is
    found twice, in encoded tokens (ASCII) and in another writer's tokens as written (`trạm`,
    a letter past U+FFFF)."""
    import random

    from searchkit.backends.typesense import _Joined
    from searchkit.searching.candidates import encode_token

    encoded = [encode_token(w) for w in ("trạm", "trạ", "phát", "sóng", "sóngx", "ở", "bts", "btsx")]
    written = ["trạm", "trạ", "sóng", "ở", "bts", "𝐁TS"]  # another writer's tokens, as written (not ASCII)
    draw = random.Random(21)
    for n in range(400):
        words = encoded if n % 2 else written
        texts = [" ".join(draw.choice(words) for _ in range(draw.randrange(0, 12))) for _ in range(draw.randrange(1, 6))]
        joined = _Joined(list(texts), single_spaced=True)
        for word in words:
            every = [at for at in range(len(joined.text)) if joined.text.startswith(f" {word} ", at)]
            assert joined.spaces[joined.find(word)].tolist() == every, (texts, word)
