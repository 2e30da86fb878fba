"""The examples in the docstrings of the modules that need no index are true."""

import doctest
import importlib

import pytest

MODULES = [
    "searchkit.fields", "searchkit.searching.abbreviations", "searchkit.searching.accents", "searchkit.indexing.analysis",
    "searchkit.indexing.corpus", "searchkit.searching.filters", "searchkit.searching.highlight", "searchkit.indexing.merge", "searchkit.indexing.sync", "searchkit.models",
    "searchkit.text.places", "searchkit.searching.plan", "searchkit.indexing.postings", "searchkit.searching.query",
    "searchkit.searching.ranking", "searchkit.render", "searchkit.searching.rewrite", "searchkit.searching.scoring",
    "searchkit.searching.suggest", "searchkit.indexing.adapter", "searchkit.text.authors", "searchkit.text.dates", "searchkit.text.fold",
    "searchkit.text.keys", "searchkit.text.keystrokes", "searchkit.text.legacy",
    "searchkit.text.normalize", "searchkit.text.sequences", "searchkit.text.variants", "searchkit.text.segment", "searchkit.text.syllables", "searchkit.text.crf", "searchkit.text.spelling", "searchkit.indexing.statistics",
    "searchkit.backends", "searchkit.backends.url", "searchkit.backends.typesense", "searchkit.searching.candidates",
    "searchkit.searching.analysed", "searchkit.searching.kept", "searchkit.searching.sorted_table",
    "searchkit.backends.token_cache", "searchkit.web.cache", "searchkit.indexing.array_file",
    "searchkit.text.readings", "searchkit.text.numbering", "searchkit.searching.pair_totals",
    "searchkit.searching.spelling_totals", "searchkit.distinct",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {name}"
    assert result.attempted > 0, f"{name} has no examples to run"
