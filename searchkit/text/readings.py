"""The indexer's three readings of a text, made in one pass over its runs between spaces.

The indexer reads every title and body three ways: its syllables as written, for the
postings (`syllables.syllable_words`); pyvi's syllables, line by line, for the word tagger
(`segment.sentences`); and its marked sentences, for the syllable pair counts
(`sequences.pair_sequence`). Each splits the text at spaces and takes a run of letters and
digits (most runs) as it is, so one pass can serve the three: each run is looked at once,
and only a run holding anything else goes through each reading's pattern. Read apart, the
three took a fifth of a build's CPU; together, less than half of that. A run holding anything
else is mostly one seen before (`tin,`, `Nông.`, `(Mic.gov.vn)`: three in four),
so its three readings are kept (`_RunReadings`), not found again. A word read again is given
as the string kept the first time, not as the fresh copy `str.split` made: the copy is freed
at once, so a batch's million tokens are some 18,000 strings, and the dicts that number
them (the postings, the pair counts, the tagger's rows) compare pointers, not bytes, in
memory a cache still holds: a tenth of a build batch's CPU. A word and a comma (`tin,`, a
third of the runs not kept) is read without the patterns.

`read_text` gives what the three functions give, exactly (tests compare them on the
corpus); a text they would read otherwise (a line not in NFC, which the tagger
normalises; a line too long for pyvi to tag whole) is read by them.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Callable

from searchkit.text.segment import MAX_TAGGED_CHARS, PYVI_SYLLABLE, sentences
from searchkit.text.sequences import RUN_ENDS_SENTENCE, SENTENCE_END_CHARS, add_sentence, pair_sequence
from searchkit.text.spelling import WORD
from searchkit.text.syllables import MAX_SYLLABLE_CHARS, SYLLABLE, syllable_words


@dataclass(frozen=True)
class Reading:
    """A text read for the indexer: `syllables` as `syllable_words` gives them, `lines` as
    `segment.sentences` (pyvi's syllables of each line that holds any, with the line's
    length), `sequence` as `pair_sequence`."""

    syllables: list[str]
    lines: list[tuple[list[str], int]]
    sequence: list[str]

    def to_dict(self) -> dict:
        return {"syllables": self.syllables, "lines": [[found, chars] for found, chars in self.lines],
                "sequence": self.sequence}


def read_text(text: str) -> Reading:
    """The three readings of `text` (see the module).

    >>> reading = read_text("Sở TT&TT Đắk Nông. ĐIỆN BIÊN\\nTp. HCM: 2,5G")
    >>> reading.syllables
    ['Sở', 'TT', 'TT', 'Đắk', 'Nông', 'ĐIỆN', 'BIÊN', 'Tp', 'HCM', '2,5G']
    >>> reading.lines
    [(['Sở', 'TT', '&', 'TT', 'Đắk', 'Nông', '.', 'ĐIỆN', 'BIÊN'], 28), (['Tp.', 'HCM', ':', '2,5', 'G'], 13)]
    >>> reading.sequence
    ['sở', 'TT', 'TT', 'đắk', 'nông', '.', 'điện', 'biên']
    """
    return _read_once(text) or Reading(syllable_words(text), list(sentences(text)), pair_sequence(text))


def _read_once(text: str) -> Reading | None:
    """`read_text` in one pass; None for a text the three functions must read apart."""
    syllables: list[str] = []
    lines: list[tuple[list[str], int]] = []
    sequence: list[str] = []
    known, read_run, same = _RUNS.recent, _RUNS.read, _RUNS.same_word()
    for line in text.split("\n"):
        if len(line) > MAX_TAGGED_CHARS or not unicodedata.is_normalized("NFC", line):
            return None  # tagged in pieces, or normalised first: read apart
        found: list[str] = []
        words: list[str] = []
        odd: list[str] = []  # the sentence's other runs: with `words`, they tell `add_sentence` a heading
        for run in line.split():  # no syllable or word holds a space (re's \s is what str.split splits at)
            if run.isalnum():  # letters and digits only: one syllable and one word in every reading
                run = same(run, run)
                syllables.append(run)
                found.append(run)
                words.append(run)
                continue
            odd.append(run)
            run_syllables, run_found, run_words, ends_sentence = known.get(run) or read_run(run)
            syllables += run_syllables
            found += run_found
            words += run_words
            if ends_sentence:
                add_sentence(sequence, words, odd)
                words, odd = [], []
        add_sentence(sequence, words, odd)  # a line's end ends a sentence
        if found:
            lines.append((found, len(line)))
    if syllables and max(map(len, syllables)) > MAX_SYLLABLE_CHARS:  # rare: filtered only then
        syllables = [word for word in syllables if len(word) <= MAX_SYLLABLE_CHARS]
    return Reading(syllables, lines, sequence)


class _RunReadings:
    """The three readings of runs that hold anything but letters and digits, and whether
    each ends a sentence, kept for the runs read lately: the last SIZE to twice SIZE runs read
    (`recent`, then `older`: bounded however many texts a worker reads). And the words read
    lately (`words`, at most WORDS), each as one string, which every reading gives.

    >>> _RUNS.read("HCM.")
    (('HCM',), ('HCM.',), ('HCM',), True)
    >>> _RUNS.read("HCM,")[0][0] is _RUNS.read("(HCM)")[0][0]
    True
    """

    #: Runs kept in each generation: 8,192 to 16,384 in all (about 4 MB), three in four found.
    SIZE = 8_192
    #: Distinct words kept (about 8 MB): a batch of 2,000 articles writes some 18,000.
    WORDS = 100_000

    def __init__(self) -> None:
        self.recent: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], bool]] = {}
        self.older: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], bool]] = {}
        self.words: dict[str, str] = {}

    def same_word(self) -> Callable[[str, str], str]:
        """`same(word, word)`: the string kept for `word`, kept now if none was (begun afresh
        past WORDS)."""
        if len(self.words) >= self.WORDS:
            self.words = {}
        return self.words.setdefault

    def read(self, run: str) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], bool]:
        """The run's syllables, pyvi's syllables and words, and whether it ends a sentence."""
        reading = self.older.get(run)
        if reading is None and run[-1] == "," and run[:-1].isalnum():  # a third of the runs read anew
            word = self.same_word()(run[:-1], run[:-1])
            reading = ((word,), (word, ","), (word,), False)  # as the patterns read `tin,` (tests compare)
        elif reading is None:
            same = self.same_word()
            syllables = tuple(same(piece, piece) for piece in SYLLABLE.findall(run))
            found = tuple(same(piece, piece) for piece in PYVI_SYLLABLE.findall(run))
            words = tuple(same(piece, piece) for piece in WORD.findall(run))
            ends = run[-1] in SENTENCE_END_CHARS and RUN_ENDS_SENTENCE.search(run) is not None
            reading = (syllables, found if found != syllables else syllables,
                       words if words != syllables else syllables, ends)  # equal ones shared: less memory
        if len(self.recent) >= self.SIZE:
            self.older, self.recent = self.recent, {}
        self.recent[run] = reading
        return reading


_RUNS = _RunReadings()
