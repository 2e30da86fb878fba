"""Corpus statistics shared by the dev-set builders (make_questions.py, make_concepts.py).

The corpus is read from ../shared/corpus (never copied). Text goes through searchkit's own
pure text functions, imported read-only, so a phrase "held" by an article means what
searchkit's analysis means by it: NFC, one tone placement (hoà = hòa), i/y unified
(kỹ = kĩ), lower case, syllables adjacent in order in the title or in the body
(punctuation between them does not break adjacency, as in every engine's phrase query).

    >>> index = CorpusIndex.load(DEFAULT_CORPUS)
    >>> len(index.holders(index.phrase("chữ ký số")))  # articles holding the exact phrase
"""

from __future__ import annotations

import json
import math
import re
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = REPO_ROOT.parent / "shared" / "corpus" / "corpus.jsonl"
DEVSET_DIR = REPO_ROOT / "bench" / "devset"
if str(REPO_ROOT) not in sys.path:  # searchkit.text, read-only: the worktree's copy
    sys.path.insert(0, str(REPO_ROOT))

from searchkit.text.fold import fold  # noqa: E402
from searchkit.text.normalize import normalize_text  # noqa: E402
from searchkit.text.syllables import forms, syllables  # noqa: E402

#: Grammatical words: never at the edge of a concept; never "content" in a question.
PARTICLES = frozenset(
    "của và các những là được với trong cho một có đã sẽ đang khi này đó thì mà để từ tại về ở "
    "theo bị vào ra lên không như hay hoặc cũng vẫn rất nên nhưng sau trước nếu do vì bằng qua "
    "trên dưới đến tới còn lại chỉ mới hơn nhất gì ai sao đâu cả mọi mỗi vừa nào thế nhiều ít "
    "rằng đây kia ấy hết làm bao khi nào chưa thì gồm cùng giữa ngoài".split())


def canon(word: str) -> str:
    """A word's accented index form: 'Hoà' → 'hòa', 'Kỹ' → 'kĩ'."""
    return forms(word)[0]


def text_syllables(text: str | None) -> list[str]:
    """Accented index forms of the syllables of a text, in order."""
    return [s.accented for s in syllables(normalize_text(text or ""))]


def title_runs(title: str) -> list[list[str]]:
    """The title's syllables in runs not broken by punctuation ('Đắk Nông: trạm BTS' → 2 runs)."""
    text = normalize_text(title)
    runs: list[list[str]] = [[]]
    previous_end = 0
    for s in syllables(text):
        gap = text[previous_end:s.start]
        if gap.strip() and runs[-1]:
            runs.append([])
        runs[-1].append(s.accented)
        previous_end = s.end
    return [r for r in runs if r]


_CASING: Counter = Counter()


def learn_casing(docs: list[dict]) -> None:
    """Count, for each word, how often it is capitalised inside a sentence ('Gartner', 'Nokia')
    and how often not: a capital that only starts a title must not be kept on 'Ngân hàng'."""
    inside = re.compile(r"(?<=[\w,] )(\w+)")
    for d in docs:
        for m in inside.finditer(d["body"]):
            w = m.group(1)
            _CASING[(w.lower(), w[:1].isupper())] += 1


def is_name(word: str) -> bool:
    """'Nokia', 'Đài Loan', 'Mr.X', 'eBay': capitalised inside sentences, or with inner capitals
    (learn_casing must have run)."""
    first, rest = word.split()[0], word.split()[1:]
    if re.search(r"[A-ZĐ]", first[1:]) or any(x[:1].isupper() for x in rest):
        return True
    return _CASING[(first.lower(), True)] > _CASING[(first.lower(), False)]


def load_docs(corpus: Path) -> list[dict]:
    with open(corpus, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


@dataclass
class CorpusIndex:
    """Syllables of every article (title and body apart) and the articles holding each syllable."""

    docs: list[dict]
    fields: list[tuple[tuple[str, ...], tuple[str, ...]]]
    postings: dict[str, frozenset[int]]
    folded_postings: dict[str, frozenset[int]]

    @classmethod
    def load(cls, corpus: Path = DEFAULT_CORPUS) -> "CorpusIndex":
        docs = load_docs(corpus)
        fields, postings, folded = [], {}, {}
        for i, d in enumerate(docs):
            title, body = tuple(text_syllables(d.get("title"))), tuple(text_syllables(d.get("body")))
            fields.append((title, body))
            for s in set(title) | set(body):
                postings.setdefault(s, set()).add(i)
                folded.setdefault(fold(s), set()).add(i)
        return cls(docs, fields, {k: frozenset(v) for k, v in postings.items()},
                   {k: frozenset(v) for k, v in folded.items()})

    @property
    def size(self) -> int:
        return len(self.docs)

    def df(self, syllable: str) -> int:
        return len(self.postings.get(syllable, ()))

    def idf(self, syllable: str) -> float:
        """BM25's idf (never negative): rare syllables weigh more."""
        n = self.df(syllable)
        return math.log(1 + (self.size - n + 0.5) / (n + 0.5))

    @staticmethod
    def phrase(text: str) -> tuple[str, ...]:
        return tuple(text_syllables(text))

    def with_all(self, syllables_: tuple[str, ...], folded: bool = False) -> frozenset[int]:
        """Articles holding every syllable, anywhere and in any order."""
        table = self.folded_postings if folded else self.postings
        keys = sorted({fold(s) if folded else s for s in syllables_}, key=lambda s: len(table.get(s, ())))
        if not keys:
            return frozenset()
        found = table.get(keys[0], frozenset())
        for key in keys[1:]:
            found = found & table.get(key, frozenset())
        return found

    def holders(self, phrase: tuple[str, ...], folded: bool = False) -> list[int]:
        """Articles holding the phrase (syllables adjacent, in order) in the title or the body."""
        want = tuple(fold(s) for s in phrase) if folded else phrase
        n = len(want)
        found = []
        for i in sorted(self.with_all(phrase, folded)):
            for field in self.fields[i]:
                seq = tuple(fold(s) for s in field) if folded else field
                if any(seq[k:k + n] == want for k in range(len(seq) - n + 1) if seq[k] == want[0]):
                    found.append(i)
                    break
        return found

    def phrase_counts(self, phrases) -> dict[tuple[str, ...], int]:
        """How many articles hold each phrase (as `holders`, but for many phrases in one pass)."""
        wanted = set(phrases)
        lengths = sorted({len(p) for p in wanted})
        counts = dict.fromkeys(wanted, 0)
        for title, body in self.fields:
            found = set()
            for field in (title, body):
                for n in lengths:
                    for k in range(len(field) - n + 1):
                        gram = field[k:k + n]
                        if gram in wanted:
                            found.add(gram)
            for gram in found:
                counts[gram] += 1
        return counts
