"""The query is analysed once per search (issue 19): one `SearchEngine.search` or one
`searchkit query` sanitises the typed text once, applies NFC to it once, splits it into
words once, reads its syntax once and folds it once; parsing, rewriting, planning, ranking, highlighting and
did-you-mean then read that analysis (`searching.analysed.AnalysedQuery`) instead of
deriving it again.

Each step is counted by wrapping the text functions (and the word patterns) every module
calls, and counting only the calls made on the query's text, in any of its forms (as typed,
normalised, stripped): a syllable looked up on its own, or an article's body, is not the
query.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections import Counter

import pytest
from click.testing import CliRunner

from searchkit.text.normalize import normalize_text, sanitize
from tests.conftest import CORPUS

#: (question typed with accents: nothing to restore; keywords typed without: the accents
#: are restored before searching, and the did-you-mean restores them again after)
QUERIES = ["Đắk Nông đã làm gì để phát triển trạm BTS?", "tram bts tinh dak nong"]
#: What each count means, for the failure message.
STEPS = {"sanitize": "text.normalize.sanitize", "nfc": 'unicodedata.normalize("NFC", …)',
         "split": "a word or syllable pattern run over the whole query (findall, finditer, sub, split)",
         "parse": "the query syntax (`query._PART`) read over the whole query",
         "fold": "text.fold.fold of the whole query (has_marks included)"}
_SPLITTING = ("finditer", "findall", "sub", "subn", "split")


class _Counting:
    """A compiled pattern that counts its splitting calls on the query's text (the query
    syntax's pattern as parsing, the others as splitting into words)."""

    def __init__(self, pattern: re.Pattern, count, name: str):
        self._pattern, self._count, self._name = pattern, count, name

    def __getattr__(self, name):
        method = getattr(self._pattern, name)
        if name not in _SPLITTING:
            return method

        def counted(*args, **kwargs):
            text = args[1] if name in ("sub", "subn") else args[0]
            step = "parse" if self._name == "searchkit.searching.query._PART" else "split"
            self._count(step, text, f"{self._name}.{name} in {_caller(2)}")
            return method(*args, **kwargs)

        return counted


def _forms(query: str) -> frozenset[str]:
    """The query's text as each step may see it."""
    normalized = normalize_text(unicodedata.normalize("NFC", query))
    found = {query, sanitize(query), unicodedata.normalize("NFC", query), normalized, normalized.strip()}
    return frozenset(found | {f.strip() for f in found})


def _instrument(monkeypatch, query: str) -> Counter:
    """Wrap sanitize, NFC, fold and every searchkit module's compiled patterns; the Counter
    fills as the query's text goes through them."""
    import searchkit.searching.pipeline  # noqa: F401 - the whole query path, loaded before wrapping
    import searchkit.searching.ranking  # noqa: F401
    from searchkit.text import fold as fold_module
    from searchkit.text import normalize as normalize_module

    forms = _forms(query)
    counts: Counter = Counter()

    def count(step: str, text, where: str = "") -> None:
        if isinstance(text, str) and text in forms:
            counts[step] += 1
            counts[step, where or _caller()] += 1

    def wrap(step: str, function):
        def counted(text, *args, **kwargs):
            count(step, text)
            return function(text, *args, **kwargs)
        return counted

    nfc = unicodedata.normalize

    def normalize(form: str, text: str) -> str:
        if form == "NFC" and sys._getframe(1).f_globals.get("__name__") != fold_module.__name__:
            count("nfc", text)  # fold's own NFC is part of the fold, counted as one
        return nfc(form, text)

    monkeypatch.setattr(unicodedata, "normalize", normalize)
    originals = {"sanitize": normalize_module.sanitize, "fold": fold_module.fold}
    for name, module in list(sys.modules.items()):
        if not name.startswith("searchkit") or module is None:
            continue
        for attribute, value in list(vars(module).items()):
            if isinstance(value, re.Pattern) and module is not normalize_module:  # normalising is not splitting
                monkeypatch.setattr(module, attribute, _Counting(value, count, f"{name}.{attribute}"))
            for step, original in originals.items():
                if value is original:
                    monkeypatch.setattr(module, attribute, wrap(step, original))
    return counts


def _caller(depth: int = 3) -> str:
    """module:function that called the counted step (past the wrappers)."""
    frame = sys._getframe(depth)
    return f"{frame.f_globals.get('__name__')}:{frame.f_code.co_name}"


def _check_once(counts: Counter, where: str) -> None:
    wrong = {step: counts[step] for step in STEPS if counts[step] != 1}
    assert not wrong, f"{where}: " + "; ".join(
        f"{STEPS[s]} ran {n} times on the query, not once ("
        + ", ".join(f"{k[1]} ×{v}" for k, v in counts.items() if isinstance(k, tuple) and k[0] == s) + ")"
        for s, n in wrong.items())


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory):
    from searchkit import SearchEngine

    folder = tmp_path_factory.mktemp("analysed") / "index"
    assert SearchEngine(folder).index([CORPUS]).added == 5
    return folder


@pytest.mark.parametrize("query", QUERIES)
def test_one_search_analyses_the_query_once(index_dir, monkeypatch, query):
    from searchkit import SearchEngine

    engine = SearchEngine(index_dir)
    engine.search("khởi động", limit=1)  # statistics, caches and imports loaded outside the count
    counts = _instrument(monkeypatch, query)
    results = engine.search(query, limit=10)
    assert results.hits and results.hits[0].id == "003_968839511eb7d5a3"  # the BTS article
    _check_once(counts, f"SearchEngine.search({query!r})")


@pytest.mark.parametrize("query", QUERIES)
def test_one_cli_query_analyses_the_query_once(index_dir, monkeypatch, query):
    from searchkit.cli import main

    runner = CliRunner()
    assert runner.invoke(main, ["query", "khởi động", "--index", str(index_dir)]).exit_code in (0, 1)
    counts = _instrument(monkeypatch, query)
    result = runner.invoke(main, ["query", query, "--index", str(index_dir), "--json"])
    assert result.exit_code == 0, result.output
    assert '"003_968839511eb7d5a3"' in result.output
    _check_once(counts, f"searchkit query {query!r}")


def test_the_count_sees_each_analysis(monkeypatch):
    """The counting itself: the query analysed and parsed twice counts twice, so a search
    that analysed it again would fail the tests above."""
    from searchkit.searching.query import parse_query

    counts = _instrument(monkeypatch, QUERIES[1])
    for _ in range(2):
        parse_query(QUERIES[1])
    assert [counts[step] for step in ("sanitize", "nfc", "split", "parse")] == [2, 2, 2, 2]
