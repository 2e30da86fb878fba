"""Completions for a search box: the index's words and phrases that begin with what is typed,
accents optional (`tram b` → *trạm BTS*, `nghe a` → *Nghệ An*).

Everything comes from statistics the engine already holds for did-you-mean:

- the syllable pair model (`accents.PairModel`): every syllable and every pair of syllables the
  articles write side by side, how often, and in which case (`BTS`, `Nghệ An`);
- the pyvi words of the `words` field (`công_nghệ`, `điện_thoại_di_động`).

A pair is offered as a phrase only when it reads as one: a pyvi word (`công nghệ`, not the
`nghệ thông` of *công nghệ thông tin*), a name (both syllables mostly capitalised: `Nghệ An`,
`Hồ Chí Minh` chained from its pairs), or an acronym with the word it mostly stands beside
(`trạm BTS`, not `các BTS`). Each is shown as the index most often writes it, and ranked by
how often it is written. The table is built once per index generation (about a second on
16,000 articles, `Completer.build`); a completion is then two binary searches and a sort of
the matching entries' weights (bench/suggest.py).
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Iterable, Mapping, Sequence

import numpy as np

from searchkit.distinct import sorted_distinct
from searchkit.fields import FOLDED, fields_of
from searchkit.text.fold import fold, has_marks
from searchkit.text.normalize import normalize_text
from searchkit.text.sequences import LOWER, TITLE, UPPER
from searchkit.text.syllables import forms

if TYPE_CHECKING:
    from searchkit.searching.accents import PairModel

#: A word or phrase written fewer times than this is not offered.
MIN_COUNT = 3
#: An acronym beside another word is a phrase when the pair is written at least this share of
#: the geometric mean of the two words' occurrences (`trạm BTS`: 17 of √(930 × 23) = 146; not
#: `hãng IBM`, `BTS và`); two capitalised words are a name by the same share of their
#: capitalised occurrences (`Nghệ An`, `Đắk Nông`; not the `Apple, Samsung` of a list).
MIN_ASSOCIATION = 0.03
#: A name is chained on (`Hồ Chí` + `Chí Minh`) when at least this share of the joint
#: syllable's occurrences go on to the next one.
MIN_CHAIN_SHARE = 0.4
#: A name whose last syllable goes on to the same next one at least this share of the times it
#: is capitalised, about as often as the name is written, is offered only as the longer name
#: (`Hồ Chí` → `Hồ Chí Minh`, while `Samsung Galaxy` stays beside `Samsung Galaxy S8`).
CONTINUED = 0.6
#: Longest phrase offered, in syllables.
MAX_SYLLABLES = 4
#: The typed text's last words that are completed together.
MAX_TYPED_WORDS = 4
#: The run of words at the end of what is typed: operators and quotes before it are kept as
#: typed (`-"Nghệ An" tram b` completes `tram b`).
_TAIL = re.compile(r"[^\W_](?:[^\W_]|[ \t])*$|$")
_WORD = re.compile(r"[^\W_]+")
#: Where an entry's folded words are indexed (`words_gone`): title_f, body_f.
_FOLDED_FIELDS = tuple(indexed.name for indexed in fields_of(FOLDED))


@dataclass(frozen=True)
class Completer:
    """Entries sorted by folded key: `keys` ('tram bts'), `spellings` (each way the index
    writes the entry, most written first: ('trạm bts', 'trạm BTS'), for typed marks), `shown`
    (the most written, 'trạm BTS') and `weights` (times written). A name has one entry for all
    its spellings, and typed marks pick the spelling that has them (`Đắk N` → `Đắk Nông`, `Đăk N`
    → `Đăk Nông`); words that differ by their marks stay apart (`trăm b` offers no `trạm BTS`).

    >>> c = Completer.of([("trạm BTS", 17), ("trăm", 900), ("trạm", 930), ("Nghệ An", 206)])
    >>> c.complete("tram b"), c.complete("tra"), c.complete("trạm"), c.complete("xin chao nghe")
    (['trạm BTS'], ['trạm', 'trăm', 'trạm BTS'], ['trạm BTS'], ['xin chao Nghệ An'])
    >>> c = Completer.of([("Đăk Nông", 40), ("Đắk Nông", 30), ("năm", 900)])
    >>> c.complete("Đắk N"), c.complete("Đăk N"), c.complete("dak n")
    (['Đắk Nông'], ['Đăk Nông'], ['Đăk Nông'])
    """

    keys: Sequence[str]
    spellings: Sequence[tuple[tuple[str, str], ...]]
    shown: Sequence[str]
    weights: np.ndarray
    # each text shown → (its accented syllables, what it is one entry with, its folded key), as
    # `of` found them: the next generation's table finds most of them again (`build(before=…)`)
    read: dict[str, tuple[str, str, str]] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def of(cls, entries: Iterable[tuple[str, float]],
           known: Mapping[str, tuple[str, str, str]] | None = None) -> Completer:
        """The completer of (text as shown, weight) pairs; of one spelling, the heaviest is shown.
        `known`: texts read already (`read` of the table before), not read again."""
        # each entry's spellings by the key it is one entry under: (accented, weight, shown) while it
        # has one (most: no dict each), then a dict of accented -> (weight, shown), in first-seen order
        best: dict[str, tuple[str, float, str] | dict[str, tuple[float, str]]] = {}
        read: dict[str, tuple[str, str, str]] = {}
        known = known or {}
        for shown, weight in entries:
            found = known.get(shown) or read.get(shown)
            if found is None:
                accented = " ".join(forms(word)[0] for word in _WORD.findall(shown))
                # one entry per name (`Đắk Nông` and `Đăk Nông`); words differ by their marks
                found = (accented, fold(accented) if shown[:1].isupper() else accented,
                         " ".join(forms(w)[1] for w in accented.split(" ")))
            read[shown] = found
            accented, same, _ = found
            if not accented:
                continue
            kept = best.get(same)
            if kept is None:
                best[same] = (accented, float(weight), shown)
            elif type(kept) is tuple:
                if kept[0] != accented:
                    best[same] = kept = {kept[0]: kept[1:]}
                elif weight > kept[1]:
                    best[same] = (accented, float(weight), shown)
            if type(kept) is dict and weight > kept.get(accented, (-1.0, ""))[0]:
                kept[accented] = (float(weight), shown)
        rows = []
        for kept in best.values():
            if type(kept) is tuple:  # most entries: one spelling, nothing to rank
                accented, weight, shown = kept
                rows.append((read[shown][2], ((accented, shown),), shown, weight))
                continue
            ranked = sorted(kept.items(), key=lambda item: -item[1][0])
            accented, (weight, shown) = ranked[0]
            rows.append((read[shown][2], tuple((a, s) for a, (_, s) in ranked), shown, weight))
        rows.sort()
        keys, spellings, shown_as, weights = zip(*rows) if rows else ((), (), (), ())
        return cls(keys, spellings, shown_as, np.array(weights, dtype=np.float64), read)

    @classmethod
    def build(cls, model: PairModel, words: Mapping[str, float], before: Completer | None = None) -> Completer:
        """The completer of an index: its syllables, phrase pairs, chained names and pyvi words
        of three syllables or more (`words`: term of the words field → times written);
        `before`: the table of an earlier generation, whose texts read are not read again.
        Python's cyclic collector is paused meanwhile: the table's 100,000s of dicts and tuples
        hold no cycle, and looking for one took a third of the build (×16: 1.5 → 0.7 s)."""
        from searchkit.collector import paused

        with paused():
            return cls.of(_entries(model, words), before.read if before is not None else None)

    def __len__(self) -> int:
        return len(self.keys)

    def complete(self, typed: str, limit: int = 8, gone: Callable[[str], bool] | None = None) -> list[str]:
        """Up to `limit` completions of `typed`, most written first. The last words typed are
        completed together (as many as the index has a phrase for); what comes before them is
        kept as typed. Marks typed must match; marks left out match any. `gone(key)`: whether
        an entry (by its folded key) holds a word only removed articles held (`words_gone`):
        such an entry is not offered."""
        text = normalize_text(unicodedata.normalize("NFC", typed or "")).lstrip()
        tail = _TAIL.search(text)
        head, words = text[:tail.start()], tail.group().split()
        if not words or limit < 1:
            return []
        open_end = not tail.group()[-1:].isspace()  # the last word may go on
        for n in range(min(len(words), MAX_TYPED_WORDS), 0, -1):
            before = head + "".join(w + " " for w in self._spelled(words[:-n]))
            found = self._matching(words[-n:], open_end, limit, gone)
            found = [before + shown for shown in found if before + shown != text.rstrip()]
            if found:
                return found
        return []

    def _spelled(self, words: list[str]) -> list[str]:
        """Words kept before the completed ones, as the index writes them when it holds them
        as one entry (`cntt` → `CNTT`), else as typed."""
        if not words or any(has_marks(w) for w in words):
            return words
        key = " ".join(forms(w)[1] for w in words)
        lo, hi = bisect_left(self.keys, key), bisect_left(self.keys, key + " ")
        exact = [row for row in range(lo, hi) if self.keys[row] == key]
        return self.shown[max(exact, key=self.weights.__getitem__)].split(" ") if exact else words

    def _matching(self, words: list[str], open_end: bool, limit: int, gone: Callable[[str], bool] | None) -> list[str]:
        typed = [forms(w) for w in words]
        prefixes = {" ".join(f for _, f in typed) + ("" if open_end else " ")}
        if open_end:  # `ky` may go on as `kỹ` (indexed as `kĩ`) or as `kyoto`
            prefixes.add(" ".join([f for _, f in typed[:-1]] + [fold(words[-1].lower())]))
        spans = [(bisect_left(self.keys, p), bisect_left(self.keys, p + "\uffff")) for p in prefixes]
        rows = sorted_distinct(np.concatenate([np.arange(lo, hi) for lo, hi in spans])) if len(spans) > 1 \
            else np.arange(*spans[0])
        marked = [(i, a) for i, ((a, _), w) in enumerate(zip(typed, words)) if has_marks(w)]
        wanted = limit * (8 if marked else 1)  # typed marks leave out some of the heaviest
        while True:
            found = self._heaviest(rows, wanted, words, marked, open_end, limit, gone)
            if len(found) == limit or wanted >= len(rows):
                return found
            wanted *= 8

    def _heaviest(self, rows: np.ndarray, wanted: int, words: list[str], marked: list[tuple[int, str]],
                  open_end: bool, limit: int, gone: Callable[[str], bool] | None) -> list[str]:
        """The first `limit` entries among the `wanted` heaviest of `rows` whose marks agree:
        a partial sort, so that `t` (ten thousand entries) costs about as little as `tram b`."""
        weights = -self.weights[rows]
        if wanted < len(rows):
            kept = np.argpartition(weights, wanted)[:wanted]
            rows, weights = rows[kept], weights[kept]
        found: list[str] = []
        for row in rows[np.argsort(weights, kind="stable")].tolist():
            shown = self.shown[row] if not marked else next(
                (s for a, s in self.spellings[row] if _marks_agree(a, marked, len(words), open_end)), None)
            if shown is None or (gone is not None and gone(self.keys[row])):
                continue
            found.append(shown)
            if len(found) == limit:
                break
        return found


def _marks_agree(accented: str, marked: list[tuple[int, str]], count: int, open_end: bool) -> bool:
    """Whether an entry spells every word typed with marks as typed (the last, still being
    typed, as a beginning)."""
    syllables = accented.split(" ")
    for i, typed in marked:
        if i >= len(syllables):
            return False
        partial = open_end and i == count - 1
        if not (syllables[i].startswith(typed) if partial else syllables[i] == typed):
            return False
    return True


def _entries(model: PairModel, words: Mapping[str, float]) -> Iterable[tuple[str, float]]:
    vocabulary = list(model.numbers)  # in the order of their numbers: each one's place in the sorted vocabulary
    place = dict(zip(vocabulary, range(len(vocabulary))))  # looked up here 100,000 times: not by bisection
    occurrences = model.alone.sum(axis=1)
    usable = np.array([any(map(str.isalpha, v)) for v in vocabulary], dtype=bool)
    shown = [_in_case(w, int(c)) for w, c in zip(model.written, model.alone.argmax(axis=1).tolist())]
    counted = occurrences.tolist()  # Python floats: compared and kept by the thousand
    for i in np.flatnonzero(usable & (occurrences >= MIN_COUNT)).tolist():
        yield shown[i], counted[i]
    pairs = _phrase_pairs(model, place, occurrences, usable, words)
    names, continued = _names(pairs, model.alone[:, TITLE] + model.alone[:, UPPER])
    yield from ((text, weight) for text, weight, _ in pairs.values() if text not in continued)
    yield from names
    longer = [(parts, weight) for parts, weight in ((word.split("_"), weight) for word, weight in words.items())
              if 3 <= len(parts) <= MAX_SYLLABLES and weight >= MIN_COUNT and all(p in place for p in parts)]
    for written, (_, weight) in zip(model.written_as_many([parts for parts, _ in longer]), longer):
        yield " ".join(written), weight


def _phrase_pairs(model: PairModel, place: Mapping[str, int], occurrences: np.ndarray, usable: np.ndarray,
                  words: Mapping[str, float]) -> dict[tuple[int, int], tuple[str, float, bool]]:
    """(first, second) → (as shown, times written, a name) of every pair that reads as a phrase
    (`place`: each syllable's number)."""
    size = max(len(place), 1)
    first, second = np.divmod(model.keys, size)
    # the pairs written often enough, of words with letters (a tenth of them): the rest are never offered
    kept = np.flatnonzero((model.counts >= MIN_COUNT) & usable[first] & usable[second])
    keys, first, second, counts = model.keys[kept], first[kept], second[kept], model.counts[kept]
    cases = model.cases_at(kept)
    case_one = np.stack([counts - cases[:, 0] - cases[:, 1], cases[:, 0], cases[:, 1]], 1).argmax(1)
    case_two = np.stack([counts - cases[:, 2] - cases[:, 3], cases[:, 2], cases[:, 3]], 1).argmax(1)
    capitals = (case_one != LOWER) & (case_two != LOWER)
    acronym = (case_one == UPPER) | (case_two == UPPER)
    capitalised = model.alone[:, TITLE] + model.alone[:, UPPER]
    associated = acronym & (counts >= MIN_ASSOCIATION * np.sqrt(occurrences[first] * occurrences[second] + 1))
    named = capitals & (counts >= MIN_ASSOCIATION * np.sqrt(capitalised[first] * capitalised[second] + 1))
    chosen = np.flatnonzero(named | associated | np.isin(keys, _word_pairs(place, words, size)))
    found = {}
    written = model.written
    for a, b, one, two, count, name in zip(first[chosen].tolist(), second[chosen].tolist(), case_one[chosen].tolist(),
                                           case_two[chosen].tolist(), counts[chosen].tolist(), named[chosen].tolist()):
        found[a, b] = (f"{_in_case(written[a], one)} {_in_case(written[b], two)}", float(count), name)
    return found


def _word_pairs(place: Mapping[str, int], words: Mapping[str, float], size: int) -> np.ndarray:
    """The pairs (`first * size + second`, as `model.keys` numbers them) that are a pyvi word of
    two syllables written at least MIN_COUNT times (`công_nghệ`): chosen among every pair at
    once, where looking each pair's word up took most of building the table."""
    found = []
    for word, weight in words.items():
        if weight >= MIN_COUNT:
            parts = word.split("_")
            if len(parts) == 2:
                a, b = place.get(parts[0]), place.get(parts[1])
                if a is not None and b is not None:
                    found.append(a * size + b)
    return np.array(found, dtype=np.int64)


def _names(pairs: dict[tuple[int, int], tuple[str, float, bool]],
           capitalised: np.ndarray) -> tuple[list[tuple[str, float]], set[str]]:
    """Names of three or four syllables, chained from name pairs that mostly go on together
    (`Hồ Chí` + `Chí Minh`: most capitalised `Chí` go on as `Minh`; not `Việt Nam` + `Nam
    Định`), weighed by the pairs' estimate; and the shorter names they nearly always continue
    (`Hồ Chí`), which are not offered."""
    following: dict[int, list[tuple[int, str, float, float]]] = {}
    for (a, b), (text, count, name) in pairs.items():
        if name and count >= MIN_CHAIN_SHARE * capitalised[a]:
            following.setdefault(a, []).append((b, text.split(" ")[1], count, count / max(capitalised[a], 1)))
    chains = [((a, b), text, count) for (a, b), (text, count, name) in pairs.items() if name]
    found: list[tuple[str, float]] = []
    continued: set[str] = set()
    for _ in range(MAX_SYLLABLES - 2):
        longer = []
        for ids, text, weight in chains:
            for b, word, count, share in following.get(ids[-1], ()):
                if b not in ids and weight * share >= MIN_COUNT:
                    longer.append(((*ids, b), f"{text} {word}", weight * share))
                    if share >= CONTINUED and count >= CONTINUED * weight:  # `Chí Minh`, `Hồ Chí`
                        continued.add(text)
        found += [(text, weight) for _, text, weight in longer]
        chains = longer
    return found, continued


def _in_case(spelled: str, case: int) -> str:
    if case == UPPER:
        return spelled.upper()
    return spelled[:1].upper() + spelled[1:] if case == TITLE else spelled


def completer_for(arrays, model: PairModel, before: Completer | None = None) -> Completer:
    """The completer of an index generation, built on first use and kept with its arrays (and
    rebuilt when the engine hands a newer pair model). After a commit it is built with what the
    table `before` (the engine's last) and the generation before read: the texts it shows
    (`Completer.read`) and each segment's word totals (`arrays.by_segment`)."""
    kept = arrays.memo.get("completer")
    if kept is None or kept[0] is not model:
        kept = arrays.memo["completer"] = (model, Completer.build(model, segment_word_weights(arrays), before))
    return kept[1]


def segment_word_weights(arrays) -> dict[str, float]:
    """Term → times written, of the `words` field of a generation's segments, added up in their
    order; each segment's totals read once from its open postings file and kept in
    `arrays.by_segment` while the segment lives (a commit reads the segment it added)."""
    from collections import Counter

    from searchkit.fields import WORDS, fields_of

    weights: Counter = Counter()
    for segment, side in arrays.segment_postings():
        read = arrays.by_segment.setdefault(segment, {})
        for words in fields_of(WORDS):
            if ("word totals", words.name) not in read:
                read["word totals", words.name] = side.term_totals(words.name) if side is not None else None
            weights.update(read["word totals", words.name] or {})
    return dict(weights)


def words_gone(arrays) -> Callable[[str], bool] | None:
    """Whether an entry's folded key (`vinasat phong`) holds a word that the index holds, in
    titles or bodies, only in removed articles; None when no article is removed. The table
    counts what a segment's articles wrote, removed ones included, until a merge drops them:
    without this, the search box offered a name for which a search finds nothing. A word
    the folded fields do not hold as such is left to the table (nothing says it is gone).
    Each word is judged once per generation; one held by more articles than were removed
    costs a count."""
    if not arrays.deleted:
        return None
    removed = arrays.size - arrays.reader.doc_count()
    judged: dict[str, bool] = arrays.memo.setdefault("words gone", {})

    def word_gone(word: str) -> bool:
        found = judged.get(word)
        if found is None:
            found = judged[word] = _only_removed_hold(arrays, word, removed)
        return found

    return lambda key: any(map(word_gone, key.split(" ")))


def _only_removed_hold(arrays, word: str, removed: int) -> bool:
    held = False
    for name in _FOLDED_FIELDS:
        count = arrays.document_frequency(name, word)
        if count > removed:
            return False
        if count:
            held = True
            ids, _ = arrays.postings(name, word)
            if arrays.alive[ids].any():
                return False
    return held
