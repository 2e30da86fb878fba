"""Vietnamese word segmentation with pyvi's model and word lists, loaded on first use.

`pyvi_words` gives exactly what `ViTokenizer.tokenize` gives (a test compares them on real
text), several times faster, because it never builds pyvi's per-syllable feature dicts:

- each distinct syllable's attributes (`word.lower():trạm`, `word.istitle()`, and the same
  as the previous and the next word) become attribute numbers once per process
  (`_Syllables`), and a batch's syllables become an array of row numbers into that table;
- the state scores of every position are sums of weight rows gathered with numpy, and
  `crf.viterbi` labels every sentence of a batch together (`_Tagger`).

pyvi's model file is read without importing pyvi's module, which unpickles the model through
scikit-learn (over a second before the first article). Only indexing calls this module.
"""

from __future__ import annotations

import pickle
import re
import string
import unicodedata
from functools import lru_cache
from importlib.resources import files
from itertools import count, repeat
from typing import Iterable, Iterator, Sequence

import numpy as np

from searchkit.distinct import sorted_distinct
from searchkit.text.crf import CrfModel, read_model, viterbi
from searchkit.text.numbering import Numbering
from searchkit.text.syllables import MAX_SYLLABLE_CHARS, forms

_PUNCTUATION = frozenset(string.punctuation)
#: pyvi tags a line at a time; longer lines are tagged in pieces of about this many
#: characters, cut after a sentence where possible (words across a cut are not joined).
MAX_TAGGED_CHARS = 20_000
_SENTENCE_END = re.compile(r"[.!?;…]\s")
#: Texts are segmented together up to about this many characters: memory stays bounded
#: (about 35 MB while a chunk is tagged), and the Viterbi loop still runs over thousands of
#: sentences at a time.
CHUNK_CHARS = 250_000
#: The table of distinct syllables starts again past this size (names and numbers keep coming).
MAX_KNOWN_SYLLABLES = 500_000


class _Stub:
    """Stands in for sklearn_crfsuite's classes while unpickling pyvi's model, and for the
    pycrfsuite training log it holds (importing pycrfsuite for it cost 4 ms): keeps state."""

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)


class _ModelUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str):
        if module.startswith(("sklearn", "pycrfsuite")):  # only the model file's bytes are read
            return _Stub
        return super().find_class(module, name)


#: pyvi's syllabiser (ViTokenizer.sylabelize), pattern for pattern, with no groups (`findall`
#: gives the strings) and possessive runs where backtracking cannot make a match (`\w++` before
#: '://': a shorter run ends before a letter, never before ':').
PYVI_SYLLABLE = re.compile("|".join([
    r"[A-ZĐ]++\.", r"Tp\.", r"Mr\.", r"Mrs\.", r"Ms\.", r"Dr\.", r"ThS\.",
    r"==>", r"->", r"\.\.\.", r">>", "\n",
    r"\w++://[^\s]+", r"[a-zA-Z0-9_.+-]++@(?:[a-zA-Z0-9-]+\.)+[a-zA-Z0-9-]+",
    r"\d++(?:[\.,_]\d++)+", r"[^\w\s]", r"\w+",
]), re.UNICODE)


def _sylabelize(text: str) -> list[str]:
    """pyvi's syllables of `text` ('\\n' is one of them).

    >>> _sylabelize("Tp. HCM, 2.5G\\nxem https://a.vn")
    ['Tp.', 'HCM', ',', '2.5', 'G', '\\n', 'xem', 'https://a.vn']
    """
    return PYVI_SYLLABLE.findall(unicodedata.normalize("NFC", text))


def _line_syllables(line: str) -> list[str]:
    """`_sylabelize` of one line, faster: no syllable holds a space, and a run of letters and
    digits between spaces (most are) is one syllable whatever pyvi's patterns say (each of
    them needs a character that is no letter or digit), so only the other runs go through
    the pattern.

    >>> _line_syllables("Tp. HCM, mạng 2.5G") == _sylabelize("Tp. HCM, mạng 2.5G")
    True
    """
    found: list[str] = []
    find = PYVI_SYLLABLE.findall
    for run in unicodedata.normalize("NFC", line).split():
        if run.isalnum():  # str.isalnum is re's \w less '_', str.split splits at re's \s
            found.append(run)
        else:
            found += find(run)
    return found


class _Numbering(Numbering):
    """Syllable -> row number (`Numbering`), a new syllable waiting in `new` for its row: a
    batch's syllables are numbered by one `map` in C."""

    def __init__(self) -> None:
        super().__init__()
        self.new: list[str] = []

    def __missing__(self, token: str) -> int:
        self.new.append(token)
        return super().__missing__(token)


class _Syllables:
    """Every distinct syllable (case kept) seen by this process, as a row of numbers: its
    CRF attributes as the current, previous and next word, its number in pyvi's n-gram
    lists, and what pyvi's joining rule looks at. A row is made once per syllable, and kept
    column by column (`columns[k][row]`): a batch gathers the few columns it needs."""

    OWN, BEFORE, AFTER = slice(0, 5), range(5, 8), range(8, 11)
    GRAM, PUNCTUATION, DIGIT, TITLE, UNDERSCORE = 11, 12, 13, 14, 15

    def __init__(self, model: CrfModel, grams: dict[str, int]):
        self.model, self.grams = model, grams
        self._clear()

    def _clear(self) -> None:
        self.numbers = _Numbering()
        self.words: dict[tuple[int, int], str | None] = {}  # pyvi's words by rows (`_words_at`)
        self.columns = np.zeros((16, 0), dtype=np.int32)
        self.own = np.zeros((0, len(self.model.labels)))  # the sum of each row's own attributes' weights

    def numbers_of(self, tokens: list[str]) -> np.ndarray:
        """The row numbers of `tokens`, one per token."""
        if len(self.numbers) > MAX_KNOWN_SYLLABLES:
            self._clear()
        numbers = self.numbers
        found = np.fromiter(map(numbers.__getitem__, tokens), dtype=np.int32, count=len(tokens))
        new, numbers.new = numbers.new, []
        if new:
            rows = np.array([self._row(token) for token in new], dtype=np.int32)
            own = np.zeros((len(new), self.model.state.shape[1]))
            for column in rows[:, self.OWN].T:  # left to right, as CRFsuite adds them
                own += self.model.state.take(column, axis=0)
            self.columns = np.concatenate([self.columns, rows.T], axis=1)
            self.own = np.concatenate([self.own, own])
        return found

    def _row(self, token: str) -> tuple[int, ...]:
        """pyvi's word2features of one syllable, as attribute numbers in pyvi's order."""
        attribute, none, word = self.model.attribute, self.model.absent, token.lower()
        title, upper = token.istitle(), token.isupper()

        def flags(prefix: str) -> tuple[int, int]:
            return (attribute(prefix + "word.istitle()") if title else none,
                    attribute(prefix + "word.isupper()") if upper else none)

        return (attribute("bias"), attribute("word.lower():" + word), *flags(""),
                attribute("word.isdigit()") if token.isdigit() else none,
                attribute("-1:word.lower():" + word), *flags("-1:"),
                attribute("+1:word.lower():" + word), *flags("+1:"),
                self.grams.get(word, len(self.grams)), token in _PUNCTUATION, token[0].isdigit(),
                token[0].istitle(), "_" in token)


class _Tagger:
    """pyvi's CRF applied to many sentences at once (see the module's docstring)."""

    def __init__(self, model: CrfModel, grams: dict[str, int], bigrams: np.ndarray, trigrams: np.ndarray):
        self.model, self.bigrams, self.trigrams = model, bigrams, trigrams
        self.syllables = _Syllables(model, grams)
        self.inside = model.labels.index("I_W")
        self._roles: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        self._bigram_set: _CodeSet | None = None
        self.ngram_attributes = [model.attribute(name) for name in (
            "-1:word.bi_gram()", "-2:word.tri_gram()", "+1:word.bi_gram()", "+2:word.tri_gram()")]

    def joins(self, tokens: list[str], starts: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For each token, whether pyvi glues it to the one before, whether it holds an
        underscore, and its row number (`_Syllables.numbers_of`: equal tokens, equal numbers)
        (`starts`: where each sentence begins, then the number of tokens; no sentence is empty)."""
        numbers = self.syllables.numbers_of(tokens)
        columns = self.syllables.columns
        first = np.zeros(len(tokens), dtype=bool)
        first[starts[:-1]] = True
        scores = self._scores(numbers, first, starts)
        inside = viterbi(self.model.transition, scores, starts) == self.inside
        word_like = (columns[_Syllables.PUNCTUATION].take(numbers) == 0) & (columns[_Syllables.DIGIT].take(numbers) == 0)
        title = columns[_Syllables.TITLE].take(numbers) != 0
        joins = inside & ~first & word_like & np.roll(word_like, 1) & ~(title & ~np.roll(title, 1))
        return joins, columns[_Syllables.UNDERSCORE].take(numbers) != 0, numbers

    def _scores(self, numbers: np.ndarray, first: np.ndarray, starts: np.ndarray) -> np.ndarray:
        """State scores of every position: to the weights of its own attributes, those of the
        previous word, the n-grams behind, the next word and the n-grams ahead are added one
        at a time, in the order of pyvi's feature list (CRFsuite's order)."""
        columns, none, n = self.syllables.columns, self.model.absent, len(numbers)
        last = np.zeros(n, dtype=bool)
        last[starts[1:] - 1] = True
        pair, triple = self._grams(columns[_Syllables.GRAM].take(numbers).astype(np.int64), last)
        attributes = []
        for k in _Syllables.BEFORE:
            before = np.full(n, none, dtype=np.int32)
            before[1:] = columns[k].take(numbers[:-1])
            before[first] = none
            attributes.append(before)
        bigram_before, trigram_before, bigram_after, trigram_after = self.ngram_attributes
        attributes.append(np.where(np.roll(pair, 1) & ~first, bigram_before, none))
        attributes.append(np.where(np.roll(triple, 2) & ~first & ~np.roll(first, 1), trigram_before, none))
        for k in _Syllables.AFTER:
            after = np.full(n, none, dtype=np.int32)
            after[:-1] = columns[k].take(numbers[1:])
            after[last] = none
            attributes.append(after)
        attributes.append(np.where(pair, bigram_after, none))
        attributes.append(np.where(triple, trigram_after, none))
        scores = self.syllables.own.take(numbers, axis=0)
        for column in attributes:
            scores += self.model.state.take(column, axis=0)
        return scores

    def _grams(self, grams: np.ndarray, last: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Whether the syllables from each position form one of pyvi's two- and three-syllable
        words, within a sentence. Only positions whose first syllable starts such a word and
        whose next one can follow are looked up (a table of each syllable's roles)."""
        size = len(self.syllables.grams) + 1
        if self._roles is None:
            self._roles = _roles(size, self.bigrams, self.trigrams)
            self._bigram_set = _CodeSet(self.bigrams)
        firsts, seconds, thirds = self._roles
        pair, triple = np.zeros(len(grams), dtype=bool), np.zeros(len(grams), dtype=bool)
        at = np.flatnonzero((firsts[grams[:-1]] & 1 != 0) & (seconds[grams[1:]] & 1 != 0) & ~last[:-1])
        pair[at] = self._bigram_set.holds(grams[at] * size + grams[at + 1])
        at = np.flatnonzero((firsts[grams[:-2]] & 2 != 0) & (seconds[grams[1:-1]] & 2 != 0)
                            & (thirds[grams[2:]] != 0) & ~last[:-2] & ~last[1:-1])
        triple[at] = _member((grams[at] * size + grams[at + 1]) * size + grams[at + 2], self.trigrams)
        return pair, triple


def _roles(size: int, bigrams: np.ndarray, trigrams: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each n-gram syllable number: whether it begins (bit 1: a two-syllable word, bit 2: a
    three-syllable one), comes second in, or ends a three-syllable word of pyvi's lists."""
    firsts, seconds, thirds = (np.zeros(size, dtype=np.int8) for _ in range(3))
    firsts[bigrams // size] |= 1
    seconds[bigrams % size] |= 1
    firsts[trigrams // (size * size)] |= 2
    seconds[trigrams // size % size] |= 2
    thirds[trigrams % size] = 1
    return firsts, seconds, thirds


class _CodeSet:
    """A set of non-negative codes that answers for many values at once: an open-addressing
    table (linear probing, a half full at most). pyvi's 22,705 two-syllable words take 512 KB,
    and a look-up 28 ns, against 90 for a binary search of their sorted codes (`_member`: an
    eighth of segmenting, from the search's misses through the table).

    >>> _CodeSet(np.array([3, 9, 35_000_000])).holds(np.array([3, 4, 9, 11, 35_000_000])).tolist()
    [True, False, True, False, True]
    """

    _EMPTY = -1
    _MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing: the top bits of code × 2**64/φ

    def __init__(self, codes: np.ndarray):
        codes = sorted_distinct(np.asarray(codes, dtype=np.int64))
        self._bits = max(4, (2 * len(codes)).bit_length())  # 2 ** 16 slots for 22,705 codes
        self._table = np.full(1 << self._bits, self._EMPTY, dtype=np.int64)
        slots, pending = self._slots(codes), codes
        while len(pending):  # each round places the codes whose slot is free, one a slot
            free = self._table[slots] == self._EMPTY
            chosen, first = np.unique(slots[free], return_index=True)
            self._table[chosen] = pending[free][first]
            placed = np.zeros(len(pending), dtype=bool)
            placed[np.flatnonzero(free)[first]] = True
            pending, slots = pending[~placed], (slots[~placed] + 1) & (len(self._table) - 1)

    def _slots(self, values: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore"):
            hashed = values.astype(np.uint64) * self._MULTIPLIER
        return (hashed >> np.uint64(64 - self._bits)).astype(np.int64)

    def holds(self, values: np.ndarray) -> np.ndarray:
        """Whether each of `values` is in the set."""
        found = np.zeros(len(values), dtype=bool)
        at, slots = np.arange(len(values)), self._slots(values)
        while len(at):  # the values still probing: past a slot holding another code
            held = self._table.take(slots)
            wanted = values.take(at)
            found[at[held == wanted]] = True
            going = (held != wanted) & (held != self._EMPTY)
            at, slots = at.compress(going), (slots.compress(going) + 1) & (len(self._table) - 1)
        return found


def _member(values: np.ndarray, table: np.ndarray) -> np.ndarray:
    """Whether each value is in the sorted `table`."""
    if not len(table):
        return np.zeros(len(values), dtype=bool)
    at = np.minimum(np.searchsorted(table, values), len(table) - 1)
    return table[at] == values


def load_tagger() -> None:
    """Read pyvi's model and word lists now (`_tagger`), not when the first text is tagged:
    a build's worker does it while it waits for its first batch."""
    _tagger()


@lru_cache(maxsize=1)
def _tagger() -> _Tagger:
    """pyvi's model and word lists, read from pyvi's own files without importing pyvi."""
    models = files("pyvi") / "models"
    grams, bigrams, trigrams = _word_lists((models / "words.txt").read_text(encoding="utf-8"))
    with (models / "pyvi3.pkl").open("rb") as stream:
        crf = _ModelUnpickler(stream).load()
    model = read_model(bytes(crf.modelfile.__dict__["__FILE_RESOURCE_DATA__"]))
    return _Tagger(model, grams, bigrams, trigrams)


def _word_lists(text: str) -> tuple[dict[str, int], np.ndarray, np.ndarray]:
    """pyvi's words of two and three syllables (`text`: a word a line, its syllables between
    spaces): each syllable's number, first seen first, two-syllable words before three, and
    the sorted codes of each list's words (its syllables' numbers as digits in base
    `len(grams) + 1`). Each list is split as one text, not a line at a time: every
    `searchkit add` and build worker loads them (the tagger's first load in a process 0.085
    s that way, 0.051 s this one).

    >>> grams, bigrams, trigrams = _word_lists("a\\nthông tin\\nvăn bản\\nbáo điện tử\\ncông nghệ thông tin")
    >>> list(grams), bigrams.tolist(), trigrams.tolist()  # size 8: (báo 4 × 8 + điện 5) × 8 + tử 6
    (['thông', 'tin', 'văn', 'bản', 'báo', 'điện', 'tử'], [1, 19], [302])
    """
    lines = text.split("\n")
    spaces = list(map(str.count, lines, repeat(" ")))
    parts = {n: " ".join([line for line, k in zip(lines, spaces) if k == n - 1]).split(" ") for n in (2, 3)}
    parts = {n: found if found != [""] else [] for n, found in parts.items()}  # no such word
    grams = dict(zip(dict.fromkeys(parts[2] + parts[3]), count()))
    size = len(grams) + 1
    codes = {}
    for n, found in parts.items():
        numbers = np.fromiter(map(grams.__getitem__, found), dtype=np.int64, count=len(found)).reshape(-1, n)
        code = np.zeros(len(numbers), dtype=np.int64)
        for column in numbers.T:  # each syllable's number in turn, a digit
            code = code * size + column
        codes[n] = sorted_distinct(code)
    return grams, codes[2], codes[3]


def pyvi_words(text: str) -> list[str]:
    """Words as pyvi segments them, syllables joined by '_' (same as ViTokenizer.tokenize).

    >>> pyvi_words("Sở Thông tin và Truyền thông")
    ['Sở', 'Thông_tin', 'và', 'Truyền_thông']
    """
    tokens = _sylabelize(text)
    if not tokens:
        return []
    joins, _, _ = _tagger().joins(tokens, np.array([0, len(tokens)]))
    words: list[str] = []
    for token, joined in zip(tokens, joins.tolist()):
        if joined:
            words[-1] += "_" + token
        else:
            words.append(token)
    return words


def compound_words(text: str) -> list[str]:
    """Multi-syllable words found by pyvi, in accented index form, joined with '_'.

    >>> compound_words("Sở Thông tin và Truyền thông tỉnh Đắk Nông")
    ['thông_tin', 'truyền_thông', 'đắk_nông']
    """
    return compound_words_of([text])[0]


def compound_words_of(texts: Sequence[str]) -> list[list[str]]:
    """`compound_words` of many texts, tagged together (much faster than one by one), about
    CHUNK_CHARS characters at a time however long each text is.

    >>> compound_words_of(["Trạm BTS ở Đắk Nông", "chữ ký số"])
    [['đắk_nông'], ['chữ_kí']]
    """
    return compound_words_in([sentences(text) for text in texts])


def compound_words_in(lines: Sequence[Iterable[tuple[list[str], int]]]) -> list[list[str]]:
    """`compound_words_of` texts given as their `sentences` (pyvi's syllables of each line,
    with its length: `text.readings` reads them with the text's other readings).

    >>> compound_words_in([[(["Trạm", "BTS", "ở", "Đắk", "Nông"], 19)], [(["chữ", "ký", "số"], 9)]])
    [['đắk_nông'], ['chữ_kí']]
    """
    compounds: list[list[str]] = [[] for _ in lines]
    pending = _Pending()
    for owner, found_lines in enumerate(lines):
        for found, chars in found_lines:
            pending.add(owner, found, chars)
            if pending.chars >= CHUNK_CHARS:
                pending.tag(compounds)
                pending = _Pending()
    pending.tag(compounds)
    return compounds


def sentences(text: str) -> Iterator[tuple[list[str], int]]:
    """The syllables of each line (each piece of a long line, `_pieces`) that holds any, with
    its length in characters."""
    for line in text.split("\n"):
        for piece in _pieces(line):  # the line itself, unless it is long
            found = _line_syllables(piece)
            if found:
                yield found, len(piece)


class _Pending:
    """Sentences waiting to be tagged together: their syllables end to end, the number of
    each sentence's syllables and the text it belongs to."""

    def __init__(self) -> None:
        self.tokens: list[str] = []
        self.lengths: list[int] = []
        self.owners: list[int] = []
        self.chars = 0

    def add(self, owner: int, found: list[str], chars: int) -> None:
        self.tokens += found
        self.lengths.append(len(found))
        self.owners.append(owner)
        self.chars += chars

    def tag(self, compounds: list[list[str]]) -> None:
        """Tag the sentences together; append each word of several syllables to its text's list."""
        if not self.lengths:
            return
        tokens = self.tokens
        starts = np.zeros(len(self.lengths) + 1, dtype=np.int64)
        np.cumsum(self.lengths, out=starts[1:])
        joins, underscored, numbers = _tagger().joins(tokens, starts)
        begins = np.flatnonzero(~joins)
        ends = np.append(begins[1:], len(tokens))
        chosen = (ends - begins > 1) | underscored[begins]
        begins, ends = begins[chosen], ends[chosen]
        owners = np.array(self.owners)[np.searchsorted(starts, begins, side="right") - 1]
        words, made = _words_at(tokens, numbers, begins, ends, _tagger().syllables.words)
        owners, words = owners[made], words[made]
        if not len(owners):
            return
        cuts = np.flatnonzero(np.diff(owners)) + 1  # owners never go back: tokens are in text order
        for lo, hi in zip([0, *cuts.tolist()], [*cuts.tolist(), len(owners)]):
            compounds[int(owners[lo])] += words[lo:hi].tolist()


#: Words of more syllables than this are rare: `_words_at` makes them one by one.
_KEYED_SYLLABLES = 3
#: A word of up to _KEYED_SYLLABLES syllables is keyed by its rows in this base (rows stay
#: far below it: the table starts again past MAX_KNOWN_SYLLABLES).
_KEY_BASE = 1 << 21


def _words_at(tokens: list[str], numbers: np.ndarray, begins: np.ndarray, ends: np.ndarray,
              known: dict[tuple[int, int], str | None] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """`_compound` of each word `tokens[begin:end]`, and whether it is one: made once per
    distinct word, found by its tokens' row `numbers` and kept in `known` (by syllable count
    and key) while the rows stay the same (a tuple and a lookup per word cost a sixth of
    segmenting).

    >>> tokens = ["Thông", "tin", "và", "Thông", "tin", "a_b"]
    >>> words, made = _words_at(tokens, np.array([0, 1, 2, 0, 1, 3]), np.array([0, 3, 5]), np.array([2, 5, 6]))
    >>> words.tolist(), made.tolist()
    (['thông_tin', 'thông_tin', 'a_b'], [True, True, True])
    """
    known = {} if known is None else known
    sizes = ends - begins
    words, made = np.empty(len(begins), dtype=object), np.zeros(len(begins), dtype=bool)
    keyed = int(numbers.max(initial=0)) < _KEY_BASE
    for size in sorted_distinct(sizes).tolist():
        at = np.flatnonzero(sizes == size)
        starts = begins[at]
        if size > _KEYED_SYLLABLES or not keyed:
            found = [_compound(tuple(tokens[b:b + size])) for b in starts.tolist()]
            words[at], made[at] = found, [word is not None for word in found]
            continue
        key = numbers[starts].astype(np.int64)
        for k in range(1, size):
            key = key * _KEY_BASE + numbers[starts + k]
        distinct, first, inverse = np.unique(key, return_index=True, return_inverse=True)
        found = [known[size, k] if (size, k) in known else known.setdefault((size, k), _compound(tuple(tokens[b:b + size])))
                 for k, b in zip(distinct.tolist(), starts[first].tolist())]
        words[at] = np.array(found + [None], dtype=object)[:-1][inverse]  # [None]: never a 2-D array
        made[at] = np.array([word is not None for word in found], dtype=bool)[inverse]
    return words, made


def _compound(tokens: tuple[str, ...]) -> str | None:
    """The index form of a word pyvi made of `tokens` ('Thông', 'tin' → 'thông_tin'); None
    when it is one syllable after all, or holds one too long to be a syllable. Not kept here:
    `_words_at` asks once per distinct word and keeps the answer by its rows."""
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
