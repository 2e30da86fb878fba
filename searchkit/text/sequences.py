"""The words of a text as the accent model counts them: sentence by sentence, as written.

Pure text work for the indexer (`indexing.analysis` gives each article's sequences to its
segment) and the model that reads the counts (`searching.accents`): a pair is counted only
between two words of one sentence written with marks, in the case the text means them.
"""

from __future__ import annotations

import re
from operator import itemgetter

from searchkit.text.spelling import WORD

#: Stands for every number (`năm 2018`, `năm 2019`: one pair).
NUMBER = "0"
#: A sentence with a smaller share of marked syllables is taken as written without accents.
MIN_MARKED_SHARE = 0.2
#: Stands between sentences in a pair sequence: not countable, so no pair holds it.
SEPARATOR = "."
#: A sentence with this many capitalised words or more and none in lower case capitalises
#: every word.
TITLE_CASED = 4
#: Where a sentence ends: pairs are counted within sentences, never across one. Its marks,
#: then any closing quotes or brackets, end a run of characters between spaces (a line's end
#: ends one too).
_STOPS, _CLOSERS = ".!?…;:", "\"'”’»)]"
_ENDING = f"[{re.escape(_STOPS)}]+[{re.escape(_CLOSERS)}]*"
_SENTENCE_END = re.compile(rf"{_ENDING}(?=\s|$)|\n")
#: Whether a run between spaces ends a sentence (`text.readings`), and the characters such a
#: run ends with (a cheap test before the pattern).
RUN_ENDS_SENTENCE = re.compile(rf"{_ENDING}\Z")
SENTENCE_END_CHARS = frozenset(_STOPS + _CLOSERS)

#: A word's first character ('' for none), as `w[:1]`, for `map`.
_FIRST = itemgetter(slice(0, 1))

#: Case classes of a written syllable.
LOWER, TITLE, UPPER = 0, 1, 2


def case_of(word: str) -> int:
    """LOWER (`nghệ`, `iPhone`), TITLE (`Nghệ`) or UPPER (`CNTT`; one letter is TITLE)."""
    if len(word) > 1 and word.isupper():
        return UPPER
    return TITLE if word[:1].isupper() else LOWER


def pair_sequence(text: str) -> list[str]:
    """The syllables of `text` whose neighbours are counted, as it writes them, sentences apart
    (SEPARATOR); sentences written without marks are left out. A capital that only starts a
    sentence, and a sentence all in capitals, say nothing of a word's case: lowered.

    >>> pair_sequence("Nghệ An: ứng dụng CNTT. Khong the sua duoc! ĐIỆN BIÊN")
    ['nghệ', 'An', '.', 'ứng', 'dụng', 'CNTT', '.', 'điện', 'biên']
    >>> pair_sequence("Nghệ An Đẩy Mạnh Ứng Dụng CNTT")
    ['nghệ', 'an', 'đẩy', 'mạnh', 'ứng', 'dụng', 'CNTT']
    """
    sequence: list[str] = []
    for sentence in _SENTENCE_END.split(text):
        if not sentence.isascii():  # no marks: a Vietnamese letter with a mark is never ASCII (đ included)
            add_sentence(sequence, _words(sentence), sentence)
    return sequence


def add_sentence(sequence: list[str], words: list[str], written: str | list[str]) -> None:
    """Append one sentence's `words` (a list it may change) to a pair sequence (see
    `pair_sequence`), after a SEPARATOR; nothing when too few are marked. `written`: the
    sentence, which tells a heading in capitals; or its runs between spaces that are not
    words (`text.readings`), which tell it with the words: no cased letter is outside both.

    >>> sequence = ["trạm"]
    >>> add_sentence(sequence, ["Nghệ", "An", "2024"], "Nghệ An, 2024"); sequence
    ['trạm', '.', 'nghệ', 'An', '0']
    """
    if not words or len(words) - sum(map(str.isascii, words)) < MIN_MARKED_SHARE * len(words):
        return  # too few marked words: written without accents
    if sequence:
        sequence.append(SEPARATOR)
    # most sentences hold a word in lower case: neither kind of heading, no join (C-level
    # loops here and below: this runs for every sentence a build reads)
    lower = any(map(str.islower, map(_FIRST, words)))
    if not lower and len(words) > 1 and (written if isinstance(written, str) else " ".join(words + written)).isupper():
        words = [w.lower() for w in words]  # a heading in capitals
    elif not lower and sum(map(str.isupper, map(_FIRST, words))) >= TITLE_CASED:
        words = [w.lower() if case_of(w) == TITLE else w for w in words]  # Every Word Capitalised
    elif case_of(words[0]) == TITLE:
        words[0] = words[0].lower()
    if any(map(str.isdigit, words)):
        sequence += [NUMBER if w.isdigit() else w for w in words]
    else:
        sequence += words


def _words(sentence: str) -> list[str]:
    """`WORD.findall(sentence)`, faster: a run of letters and digits between spaces (most
    are) is one word; only the other runs go through the pattern.

    >>> _words("Trạm BTS (Đắk Nông), 2.5G_x")
    ['Trạm', 'BTS', 'Đắk', 'Nông', '2', '5G', 'x']
    """
    words: list[str] = []
    find = WORD.findall
    for run in sentence.split():
        if run.isalnum():
            words.append(run)
        else:
            words += find(run)
    return words
