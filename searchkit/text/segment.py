"""Vietnamese word segmentation with pyvi's model and word lists, loaded on first use.

`pyvi_words` gives exactly what `ViTokenizer.tokenize` gives (a test compares them), but
faster: it computes each syllable's features once instead of up to five times and hands
them to pyvi's CRF as attribute names rather than dicts (5.4 s → 2.3 s on 0.9 M chars), and
it reads pyvi's model files itself, because importing pyvi's module unpickles the model
through scikit-learn (1.1 s before the first article; 0.4 s this way). Only indexing calls it.
"""

from __future__ import annotations

import pickle
import re
import string
import unicodedata
from functools import lru_cache
from importlib.resources import files
from typing import Any

from searchkit.text.syllables import MAX_SYLLABLE_CHARS, forms

_PUNCTUATION = frozenset(string.punctuation)
#: pyvi tags a line at a time, with a dozen feature strings per syllable: a 10 MB line would
#: take gigabytes, so longer lines are tagged in pieces of about this many characters,
#: cut after a sentence where possible (words across a cut are not joined).
MAX_TAGGED_CHARS = 20_000
_SENTENCE_END = re.compile(r"[.!?;…]\s")


class _Stub:
    """Stands in for sklearn_crfsuite's classes while unpickling pyvi's model: keeps state."""

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)


class _ModelUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str):
        if module.startswith("sklearn_crfsuite") or module.startswith("sklearn"):
            return _Stub
        return super().find_class(module, name)


@lru_cache(maxsize=1)
def _model() -> tuple[Any, frozenset[str], frozenset[str], bytes]:
    """pyvi's CRF tagger and word lists, read from pyvi's own files without importing
    pyvi's module, which unpickles the model through scikit-learn (over a second)."""
    import pycrfsuite

    models = files("pyvi") / "models"
    grams: dict[int, set[str]] = {2: set(), 3: set()}
    for token in (models / "words.txt").read_text(encoding="utf-8").split("\n"):
        grams.get(len(token.split(" ")), set()).add(token)
    with (models / "pyvi3.pkl").open("rb") as stream:
        crf = _ModelUnpickler(stream).load()
    data = crf.modelfile.__dict__["__FILE_RESOURCE_DATA__"]
    tagger = pycrfsuite.Tagger()
    tagger.open_inmemory(data)  # reads the buffer in place: `data` must outlive the tagger
    return tagger, frozenset(grams[2]), frozenset(grams[3]), data


#: pyvi's syllabiser (ViTokenizer.sylabelize), pattern for pattern.
_SYLLABLE_PATTERN = re.compile("(" + "|".join([
    r"[A-ZĐ]+\.", r"Tp\.", r"Mr\.", r"Mrs\.", r"Ms\.", r"Dr\.", r"ThS\.",
    r"==>", r"->", r"\.\.\.", r">>", "\n",
    r"\w+://[^\s]+", r"([a-zA-Z0-9_.+-]+@([a-zA-Z0-9-]+\.)+[a-zA-Z0-9-]+)",
    r"\d+([\.,_]\d+)+", r"[^\w\s]", r"\w+",
]) + ")", re.UNICODE)


def _sylabelize(text: str) -> list[str]:
    return [match[0] for match in _SYLLABLE_PATTERN.findall(unicodedata.normalize("NFC", text))]


def _features(tokens: list[str], bigrams: frozenset[str], trigrams: frozenset[str]) -> list[list[str]]:
    """pyvi's word2features for a sentence, as CRFsuite attribute names.

    A string feature `k: v` is the attribute `k:v`, a true flag is `k`, and a false flag
    weighs 0 and is left out: the CRF scores these exactly as pyvi's dicts. Each syllable's
    own, previous- and next-word attributes are made once per distinct syllable
    (`_attributes`), and each n-gram is looked up once, not once from either end.
    """
    lower = [t.lower() for t in tokens]
    own = [_attributes(t) for t in tokens]
    pair = [f"{a} {b}" in bigrams for a, b in zip(lower, lower[1:])] + [False]
    triple = [f"{a} {b} {c}" in trigrams for a, b, c in zip(lower, lower[1:], lower[2:])] + [False, False]
    last = len(tokens) - 1
    sequence = []
    for i, (mine, _, _) in enumerate(own):
        attributes = list(mine)
        if i:
            attributes += own[i - 1][1]
            if pair[i - 1]:
                attributes.append("-1:word.bi_gram()")
            if i > 1 and triple[i - 2]:
                attributes.append("-2:word.tri_gram()")
        if i < last:
            attributes += own[i + 1][2]
            if pair[i]:
                attributes.append("+1:word.bi_gram()")
            if triple[i]:
                attributes.append("+2:word.tri_gram()")
        sequence.append(attributes)
    return sequence


@lru_cache(maxsize=200_000)
def _attributes(token: str) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """A syllable's attributes as the word itself, as the previous word and as the next one.

    >>> _attributes("Sở")
    (('bias', 'word.lower():sở', 'word.istitle()'), ('-1:word.lower():sở', '-1:word.istitle()'), ('+1:word.lower():sở', '+1:word.istitle()'))
    """
    word = token.lower()
    flags = [flag for flag, on in (("word.istitle()", token.istitle()), ("word.isupper()", token.isupper())) if on]
    own = ("bias", "word.lower():" + word, *flags, *(("word.isdigit()",) if token.isdigit() else ()))
    before = ("-1:word.lower():" + word, *("-1:" + flag for flag in flags))
    after = ("+1:word.lower():" + word, *("+1:" + flag for flag in flags))
    return own, before, after


def _joins(previous: str, current: str, label: str) -> bool:
    """pyvi's rule for gluing a syllable to the one before it."""
    return (label == "I_W" and current not in _PUNCTUATION and previous not in _PUNCTUATION
            and not current[0].isdigit() and not previous[0].isdigit()
            and not (current[0].istitle() and not previous[0].istitle()))


def pyvi_words(text: str) -> list[str]:
    """Words as pyvi segments them, syllables joined by '_' (same as ViTokenizer.tokenize).

    >>> pyvi_words("Sở Thông tin và Truyền thông")
    ['Sở', 'Thông_tin', 'và', 'Truyền_thông']
    """
    tokens = _sylabelize(text)
    if not tokens:
        return []
    tagger, bigrams, trigrams, _ = _model()
    labels = tagger.tag(_features(tokens, bigrams, trigrams))
    words = [tokens[0]]
    for i in range(1, len(tokens)):
        if _joins(tokens[i - 1], tokens[i], labels[i]):
            words[-1] += "_" + tokens[i]
        else:
            words.append(tokens[i])
    return words


def compound_words(text: str) -> list[str]:
    """Multi-syllable words found by pyvi, in accented index form, joined with '_'.

    >>> compound_words("Sở Thông tin và Truyền thông tỉnh Đắk Nông")
    ['thông_tin', 'truyền_thông', 'đắk_nông']
    """
    tagger, bigrams, trigrams, _ = _model()
    compounds: list[str] = []
    for line in text.split("\n"):
        for piece in _pieces(line):
            tokens = _sylabelize(piece)
            if tokens:
                _add_compounds(tokens, tagger.tag(_features(tokens, bigrams, trigrams)), compounds)
    return compounds


def _add_compounds(tokens: list[str], labels: list[str], compounds: list[str]) -> None:
    """Append the words of more than one syllable that pyvi's labels make of `tokens`
    (what `pyvi_words` would join with '_'), without building the one-syllable ones."""
    n, i = len(tokens), 0
    while i < n:
        j = i + 1
        while j < n and labels[j] == "I_W" and _joins(tokens[j - 1], tokens[j], "I_W"):
            j += 1
        if j - i > 1 or "_" in tokens[i]:
            word = _compound(tuple(tokens[i:j]))
            if word:
                compounds.append(word)
        i = j


@lru_cache(maxsize=100_000)
def _compound(tokens: tuple[str, ...]) -> str | None:
    """The index form of a word pyvi made of `tokens` ('Thông', 'tin' → 'thông_tin'); None
    when it is one syllable after all, or holds one too long to be a syllable."""
    parts = [part for token in tokens for part in token.split("_") if part]
    if len(parts) > 1 and all(len(part) <= MAX_SYLLABLE_CHARS for part in parts):
        return "_".join(forms(part)[0] for part in parts)
    return None


def _pieces(line: str, size: int = MAX_TAGGED_CHARS) -> list[str]:
    """A line cut into pieces of at most about `size` characters, after a sentence if one ends
    in the second half of a piece, else at a space, else anywhere.

    >>> _pieces("Một. Hai ba.", size=8)
    ['Một. ', 'Hai ba.']
    """
    pieces = []
    while len(line) > size:
        window = line[:size]
        ends = [m.end() for m in _SENTENCE_END.finditer(window, size // 2)]
        cut = ends[-1] if ends else (window.rfind(" ", size // 2) + 1 or size)
        pieces.append(line[:cut])
        line = line[cut:]
    return pieces + [line] if line else pieces
