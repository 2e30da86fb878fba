"""The examples in the docstrings of the modules that need no index are true."""

import doctest
import importlib

import pytest

MODULES = [
    "searchkit.abbreviations", "searchkit.accents", "searchkit.analysis", "searchkit.arrays",
    "searchkit.corpus", "searchkit.filters", "searchkit.highlight", "searchkit.merge", "searchkit.models",
    "searchkit.places", "searchkit.plan", "searchkit.postings", "searchkit.query",
    "searchkit.ranking", "searchkit.render", "searchkit.rewrite", "searchkit.scoring",
    "searchkit.suggest", "searchkit.toc", "searchkit.text.authors", "searchkit.text.dates", "searchkit.text.fold",
    "searchkit.text.keys", "searchkit.text.keystrokes", "searchkit.text.legacy",
    "searchkit.text.normalize", "searchkit.text.segment", "searchkit.text.syllables",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {name}"
