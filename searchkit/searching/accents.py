"""Restore accents to text typed without them, with the index's own syllable statistics.

`tri tue nhan tao` → *trí tuệ nhân tạo*, `cntt nghe an` → *CNTT Nghệ An*: each folded syllable
has a few accented spellings (`tri` → trí, trị, trì…, `an` → an, ăn, án, ấn…); which one reads
as Vietnamese depends on its neighbours.

- The indexer counts, per segment, the pairs of words its articles write side by side,
  sentence by sentence and as they write them (`indexing.statistics`). Sentences written
  without marks (a forum post, an English quote) are left out: their `khong the` would teach
  that unaccented text is Vietnamese.
- `PairCounts` merges the segments' counts; `PairModel` reads them as a bigram language model
  of accented syllables with interpolated Kneser-Ney smoothing: a pair seen often decides
  (`nghệ an` 207 times, `nghệ ấn` never), a pair never seen backs off to how many different
  words precede each spelling. It also keeps how the index writes each pair (`Nghệ An`, `CNTT`)
  and each syllable (`ký` for the index's `kí`).
- `restore` picks the most likely sequence (Viterbi), the hits' spellings and capitals typed
  inside a sentence counting as votes where the caller has them; three in a row must agree on
  the middle one's case (`tỉnh Điện Biên`, not `tĩnh điện` then `Điện Biên`).
- `PairModel.written_as` writes the result as the index does beside those neighbours.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping, Sequence

import numpy as np

from searchkit.indexing.postings import smallest
from searchkit.searching.sorted_table import Lines, SortedTable, as_lines
from searchkit.text.sequences import NUMBER, TITLE, UPPER

#: Kneser-Ney discount subtracted from every pair count seen.
DISCOUNT = 0.75
#: Weight of the unigram case shares against the counts of the pairs a syllable stands in.
CASE_PRIOR = 2.0
#: Weight of the case agreement of three syllables in a row against the pair probabilities.
AGREEMENT = 0.5
#: Neighbouring candidate lists whose pair counts and transitions a model keeps (`between`).
MAX_BETWEEN = 20_000


@dataclass(frozen=True)
class PairModel:
    """A bigram model of the index's accented syllables (as `forms` spells them), and how the
    index writes them: `written[i]` is the usual spelling of syllable i (`ký` for `kí`), and
    `cases` counts, for the pairs `cased` names (most pairs are only written in lower case),
    how often their first and second syllable are written capitalised (TITLE) or in capitals
    (UPPER). Built from the merged pair counts of the syllables as
    written (`build`), cached as plain arrays (`arrays`, `from_arrays`)."""

    numbers: Mapping[str, int]  # a dict, or read from a cache: `SortedTable`
    written: Sequence[str]  # a list, or read from a cache `Lines`
    keys: np.ndarray  # sorted first * size + second
    counts: np.ndarray
    cased: np.ndarray  # sorted positions in `keys` of the pairs ever written with a capital
    cases: np.ndarray  # per pair cased: first TITLE, first UPPER, second TITLE, second UPPER
    history: np.ndarray  # per syllable: pairs it starts
    followers: np.ndarray  # per syllable: different syllables that follow it
    lower_order: np.ndarray  # per syllable: Kneser-Ney continuation probability
    unseen: float  # the continuation probability of a syllable no pair holds
    alone: np.ndarray  # per syllable: (LOWER, TITLE, UPPER) counts where it follows another
    frequency: np.ndarray  # per syllable: log share of all occurrences (after another word)
    rare: float  # the log share of a syllable no pair holds
    # (candidates before, candidates after) -> their pairs and transition (`between`)
    _between: dict = field(default_factory=dict, init=False, compare=False, repr=False)

    @classmethod
    def of(cls, numbers: dict[str, int], written: list[str], keys: np.ndarray, counts: np.ndarray,
           cased: np.ndarray, cases: np.ndarray) -> "PairModel":
        """The model of these arrays, with the totals Kneser-Ney needs. `cased`: the sorted
        positions in `keys` of the pairs ever written with a capital, and no other (their
        `cases`, a row each, are never all 0)."""
        size = max(len(numbers), 1)
        keys = keys.astype(np.int64, copy=False)  # probes are int64; the totals' keys are already (no copy)
        first, second = np.divmod(keys, size)  # one pass: a tenth of `of` on 976,000 pairs
        history = np.bincount(first, weights=counts, minlength=size)
        followers = np.bincount(first, minlength=size).astype(np.float64)
        preceding = np.bincount(second, minlength=size).astype(np.float64)
        total = preceding.sum() + size
        alone = np.zeros((size, 3))
        if len(keys):  # the pairs only written in lower case add nothing to a capital's count
            title, upper = (np.bincount(second[cased], weights=cases[:, k], minlength=size) for k in (2, 3))
            alone = np.stack([np.bincount(second, weights=counts, minlength=size) - title - upper, title, upper], 1)
        occurrences = alone.sum(axis=1)
        seen = occurrences.sum() + 0.5 * size
        return cls(numbers, written, keys, counts, cased, cases, history, followers, (preceding + 1) / total,
                   1 / total, alone, np.log((occurrences + 0.5) / seen), float(np.log(0.5 / seen)))

    def arrays(self) -> dict[str, np.ndarray]:
        """What `from_arrays` reads back: strings (UTF-8, one a line) and numbers only (no
        pickle), the per-syllable totals `of` derives included: a process reading the model
        (a cold `searchkit query "tram bts"`) loads them instead of counting them again."""
        vocabulary = sorted(self.numbers, key=self.numbers.__getitem__)
        return {"vocabulary": as_lines(vocabulary), "written": as_lines(self.written),
                "keys": smallest(self.keys), "counts": smallest(self.counts),
                "cased": smallest(self.cased), "cases": smallest(self.cases.T.reshape(4, -1)),  # by column
                "history": self.history, "followers": self.followers, "lower_order": self.lower_order,
                "alone": self.alone, "frequency": self.frequency, "scalars": np.array([self.unseen, self.rare])}

    @classmethod
    def from_arrays(cls, arrays) -> "PairModel":
        """The model of `arrays`; ValueError unless they hold exactly what `arrays` writes.
        Read as they are (no copy, no wider type): a cold query reads the model once."""
        vocabulary, written = Lines(arrays["vocabulary"]), Lines(arrays["written"])
        keys, counts, cased, found = arrays["keys"], arrays["counts"], arrays["cased"], arrays["cases"]
        size = len(vocabulary)
        if len(written) != size or any(a.dtype.kind != "u" for a in (keys, counts, cased, found)) \
                or counts.shape != keys.shape or keys.ndim != 1 or cased.ndim != 1 or found.shape != (4, len(cased)):
            raise ValueError("not a pair model")
        if len(keys) and (int(keys[-1]) >= size * size or (keys[1:] <= keys[:-1]).any()):
            raise ValueError("not a pair model: keys out of order")
        if len(cased) and (int(cased[-1]) >= len(keys) or (cased[1:] <= cased[:-1]).any()):
            raise ValueError("not a pair model: cased pairs out of order")
        wide = np.uint32 if found.dtype.itemsize <= 2 else np.uint64  # sums that cannot wrap
        of_cased = counts[cased]
        if ((np.add(found[0], found[1], dtype=wide) > of_cased) | (np.add(found[2], found[3], dtype=wide) > of_cased)).any():
            raise ValueError("not a pair model: more cased pairs than pairs")
        rows = max(size, 1)
        derived = [arrays[name] for name in ("history", "followers", "lower_order", "frequency", "alone", "scalars")]
        shapes = [(rows,)] * 4 + [(rows, 3), (2,)]
        if any(a.dtype != np.float64 or a.shape != shape or not np.isfinite(a).all() for a, shape in zip(derived, shapes)):
            raise ValueError("not a pair model: its totals do not fit its syllables")
        history, followers, lower_order, frequency, alone, scalars = derived
        return cls(SortedTable(vocabulary), written, keys, counts, cased, found.T, history,
                   followers, lower_order, float(scalars[0]), alone, frequency, float(scalars[1]))

    def ids(self, syllables: Sequence[str]) -> np.ndarray:
        return np.array([self.numbers.get(NUMBER if s.isdigit() else s, -1) for s in syllables], dtype=np.int64)

    def pairs(self, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(count, cases) of the pairs (a, b), broadcast together: counts of shape S, cases
        S × 4 (first TITLE, first UPPER, second TITLE, second UPPER); 0 for pairs never seen."""
        size = max(len(self.numbers), 1)
        probes = np.where((a >= 0) & (b >= 0), a * size + b, -1)
        if not len(self.keys):
            return np.zeros(probes.shape), np.zeros((*probes.shape, 4))
        at, found = _find(self.keys, probes, probes >= 0)
        counts = np.where(found, self.counts[at], 0).astype(np.float64)
        if not len(self.cased):
            return counts, np.zeros((*probes.shape, 4))
        row, cased = _find(self.cased, at, found)
        return counts, np.where(cased[..., None], self.cases[row], 0).astype(np.float64)

    def between(self, previous: np.ndarray, current: np.ndarray) -> tuple[tuple[np.ndarray, np.ndarray], np.ndarray]:
        """(`pairs`, `transition`) of every syllable of `previous` before every one of `current`,
        kept for the model's generation: the same neighbours (`tram bts`, `dak nong`) come again
        in later queries, and looking up their pairs was a tenth of restoring a query's accents.
        Read only: the arrays are shared."""
        key = (previous.tobytes(), current.tobytes())
        found = self._between.get(key)
        if found is None:
            pairs = self.pairs(previous[:, None], current[None, :])
            found = (pairs, self.transition(previous, current, pairs[0]))
            if len(self._between) >= MAX_BETWEEN:
                self._between.clear()
            self._between[key] = found
        return found

    def cases_at(self, places: np.ndarray) -> np.ndarray:
        """`cases` of the pairs at sorted `places` in `keys`: len(places) × 4, zeros for the
        pairs only written in lower case (the completion table asks it of the pairs it may
        offer, a tenth of them)."""
        found = np.zeros((len(places), 4), dtype=self.cases.dtype)
        if len(self.cased) and len(places):
            at = np.minimum(self.cased.searchsorted(places), len(self.cased) - 1)
            held = self.cased[at] == places
            found[held] = self.cases[at[held]]
        return found

    def start(self, ids: np.ndarray) -> np.ndarray:
        """log P(syllable) where no known syllable precedes it (the Kneser-Ney lower order)."""
        return np.log(np.where(ids >= 0, self.lower_order[np.maximum(ids, 0)], self.unseen))

    def first(self, ids: np.ndarray) -> np.ndarray:
        """log P(syllable) at the start of a text: how often the index writes it."""
        return np.where(ids >= 0, self.frequency[np.maximum(ids, 0)], self.rare)

    def transition(self, previous: np.ndarray, current: np.ndarray, observed: np.ndarray) -> np.ndarray:
        """log P(current | previous), len(previous) × len(current), given the pairs' counts
        (`pairs`): interpolated Kneser-Ney."""
        known = previous >= 0
        history = np.where(known, self.history[np.maximum(previous, 0)], 0.0)[:, None]
        followers = np.where(known, self.followers[np.maximum(previous, 0)], 0.0)[:, None]
        lower = np.exp(self.start(current))[None, :]
        p = np.where(history > 0, (np.maximum(observed - DISCOUNT, 0) + DISCOUNT * followers * lower)
                     / np.maximum(history, 1), lower)
        return np.log(p)

    def capitalised(self, ids: np.ndarray) -> np.ndarray:
        """log share of each syllable's occurrences inside a sentence that are capitalised or
        in capitals (log 1/2 for a syllable the model lacks)."""
        alone = self.alone[np.maximum(ids, 0)]
        share = (alone[:, TITLE] + alone[:, UPPER] + 0.5) / (alone.sum(axis=1) + 1)
        return np.log(np.where(ids >= 0, share, 0.5))

    def case_shares(self, ids: np.ndarray) -> np.ndarray:
        """P(LOWER, TITLE, UPPER) of each syllable inside a sentence, smoothed: len(ids) × 3."""
        alone = self.alone[np.maximum(ids, 0)] + 0.1
        return np.where((ids >= 0)[:, None], alone / alone.sum(axis=1, keepdims=True), 1 / 3)

    def agreement(self, shares: np.ndarray, left: tuple[np.ndarray, np.ndarray],
                  right: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
        """log of how well the case each middle syllable (its `case_shares`) takes after the one
        before (`left`: the `pairs` before × middle) agrees with the case it takes before the
        one after (`right`: middle × after); 0 where the pairs tell nothing. Shape before ×
        middle × after: `tỉnh Điện Biên` agrees, `tĩnh điện` then `Điện Biên` does not."""
        (left_n, left_cases), (right_n, right_cases) = left, right
        after = _case_counts(left_n, left_cases[..., 2:]) + CASE_PRIOR * shares[None, :, :]
        after /= (left_n + CASE_PRIOR)[..., None] * shares[None, :, :]
        before = _case_counts(right_n, right_cases[..., :2]) + CASE_PRIOR * shares[:, None, :]
        before /= (right_n + CASE_PRIOR)[..., None]
        return np.log(np.einsum("zac,abc->zab", after, before))

    def written_as(self, spelled: Sequence[str]) -> list[str]:
        """Each accented syllable of a sequence as the index writes it beside its neighbours:
        `['cntt', 'nghệ', 'an']` → `['CNTT', 'Nghệ', 'An']`, `['chữ', 'kí']` → `['chữ', 'ký']`."""
        return self.written_as_many([spelled])[0]

    def written_as_many(self, sequences: Sequence[Sequence[str]]) -> list[list[str]]:
        """`written_as` of each sequence, their pairs looked up together: the completion table
        asks it of thousands of pyvi words at once (`complete._entries`), and one lookup each
        was a tenth of building the table."""
        spelled = [s for sequence in sequences for s in sequence]
        ids = self.ids(spelled)
        ends = np.cumsum([len(sequence) for sequence in sequences], dtype=np.int64)
        starts = np.zeros(len(ids), dtype=bool)
        starts[ends[:-1][ends[:-1] < len(ids)]] = True
        votes = np.zeros((len(ids), 3))
        inside = np.flatnonzero(~starts[1:]) if len(ids) > 1 else np.zeros(0, np.int64)  # pairs within a sequence
        if len(inside):  # the pair each syllable starts, and the pair it ends, added in that order
            n, cases = self.pairs(ids[inside], ids[inside + 1])
            votes[inside] += np.stack([n - cases[:, 0] - cases[:, 1], cases[:, 0], cases[:, 1]], 1)
            votes[inside + 1] += np.stack([n - cases[:, 2] - cases[:, 3], cases[:, 2], cases[:, 3]], 1)
        known = ids >= 0
        alone = self.alone[np.maximum(ids, 0)]
        votes = votes + CASE_PRIOR * alone / np.maximum(alone.sum(axis=1), 1)[:, None]
        cases = votes.argmax(axis=1).tolist()
        out = [_in_case(self.written[i], case) if held and not s.isdigit() else s
               for s, i, held, case in zip(spelled, ids.tolist(), known.tolist(), cases)]
        return [out[end - len(sequence):end] for sequence, end in zip(sequences, ends.tolist())]


def _find(table: np.ndarray, probes: np.ndarray, wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where each of the `wanted` probes (non-negative) stands in the sorted, non-empty
    `table`, and whether it is there. The probes are cast to the table's own type: an int64
    probe into a uint32 table made numpy copy the whole table at every lookup.

    >>> at, found = _find(np.array([3, 9], np.uint32), np.array([9, 4, -1, 10**12]), np.array([1, 1, 0, 1], bool))
    >>> at.tolist(), found.tolist()
    ([1, 1, 0, 0], [True, False, False, False])
    """
    wanted = wanted & (probes <= int(table[-1]))
    probes = np.where(wanted, probes, 0).astype(table.dtype)
    at = np.minimum(table.searchsorted(probes), len(table) - 1)
    return at, wanted & (table[at] == probes)


def _case_counts(n: np.ndarray, cased: np.ndarray) -> np.ndarray:
    """(LOWER, TITLE, UPPER) counts of one side of pairs from their count and (TITLE, UPPER)."""
    return np.concatenate([(n - cased.sum(axis=-1))[..., None], cased], axis=-1)


def _in_case(spelled: str, case: int) -> str:
    if case == UPPER:
        return spelled.upper()
    return spelled[:1].upper() + spelled[1:] if case == TITLE else spelled


Candidates = Sequence[tuple[str, int]]  # spellings of one syllable with their frequencies


def restore(options: Sequence[Candidates], model: PairModel,
            bonus: Sequence[np.ndarray | None] = ()) -> list[str]:
    """The most likely spelling of each position under the index's bigram model (Viterbi),
    given each position's candidate spellings; `bonus[i]`, where given, adds to the log
    probability of position i's candidates (what the best hits write there).

    >>> from searchkit.indexing.statistics import PairCounts, pack_pairs
    >>> from searchkit.searching.pair_totals import PairTotals
    >>> model = PairTotals.of_counts(PairCounts.merge([pack_pairs([["trí", "tuệ"]] * 5 + [["trị", "giá"]] * 9)])).model()
    >>> restore([[("trị", 90), ("trí", 60)], [("tuệ", 10)]], model)
    ['trí', 'tuệ']
    """
    if not options:
        return []
    ids = [model.ids([s for s, _ in candidates]) for candidates in options]
    extra = list(bonus) + [None] * (len(options) - len(bonus))
    first = _fallback(model.first(ids[0]), ids[0], options[0]) + _bonus(extra[0], len(ids[0]))
    if len(options) == 1:
        return [options[0][int(first.argmax())][0]]
    # a state is the spellings at i - 1 and i: the case agreement reads three in a row
    between = [model.between(ids[i - 1], ids[i]) for i in range(1, len(options))]
    pairs = [found for found, _ in between]
    scores = first[:, None] + _step(ids, options, extra, between, 1)
    back: list[np.ndarray] = []
    for i in range(2, len(options)):
        agreement = AGREEMENT * model.agreement(model.case_shares(ids[i - 1]), pairs[i - 2], pairs[i - 1])
        total = scores[:, :, None] + agreement + _step(ids, options, extra, between, i)[None, :, :]
        back.append(total.argmax(axis=0))  # (i - 1, i) → the best spelling at i - 2
        scores = total.max(axis=0)
    before, last = np.unravel_index(int(scores.argmax()), scores.shape)
    best = [int(last), int(before)]
    for pointers in reversed(back):
        best.append(int(pointers[best[-1], best[-2]]))
    best.reverse()
    return [options[i][k][0] for i, k in enumerate(best)]


def _step(ids: list[np.ndarray], options: Sequence[Candidates], extra: list, between: list,
          i: int) -> np.ndarray:
    """log P(spelling at i | spelling at i - 1) (`PairModel.between`) plus position i's bonus,
    len × len."""
    return between[i - 1][1] + (_fallback(np.zeros(len(ids[i])), ids[i], options[i]) + _bonus(extra[i], len(ids[i])))[None, :]


def _fallback(scores: np.ndarray, ids: np.ndarray, candidates: Candidates) -> np.ndarray:
    """Spellings no pair holds share the unseen mass by their frequency in the index."""
    if (ids >= 0).all():
        return scores
    counts = np.array([max(n, 0) for _, n in candidates], dtype=np.float64) + 0.5
    share = np.log(counts / counts[ids < 0].sum())
    return np.where(ids < 0, scores + share, scores)


def _bonus(bonus: np.ndarray | None, size: int) -> np.ndarray:
    return np.zeros(size) if bonus is None else bonus


def spell(words: Sequence[str], variants: Callable[[str], Candidates], model: PairModel,
          fixed: Callable[[int], str | None] = lambda i: None,
          bonus: Callable[[int, Candidates], np.ndarray | None] = lambda i, candidates: None) -> list[str]:
    """Restore each folded word; `fixed(i)` pins a word's spelling (decided elsewhere),
    `bonus(i, candidates)` favours some of its candidates (see `restore`)."""
    options = []
    for i, word in enumerate(words):
        pinned = fixed(i)
        options.append([(pinned, 1)] if pinned else list(variants(word)) or [(word, 1)])
    return restore(options, model, [None if fixed(i) else bonus(i, options[i]) for i in range(len(words))])
