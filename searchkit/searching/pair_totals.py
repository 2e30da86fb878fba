"""The pair model's counts, kept from one commit to the next so that a commit updates them
instead of summing every segment again.

The pair model (`accents.PairModel`) reads the merged counts of the pairs of words as written
(`PairCounts`) as counts of pairs of accented syllables, with the cases they were written in
and the usual spelling of each syllable; `PairTotals` is that reading before the Kneser-Ney
totals, and `PairTotals.of_counts(counts).model()` builds the model. It depends on the multiset of written pairs alone: what it numbers it sorts, and it
breaks ties by the words themselves, never by the order the segments come in. So after a
commit the totals are the totals before, plus the pairs of the segments the commit added,
minus those of the segments it removed (`plus`); a merged segment's pairs are its sources'
summed (`statistics.merge_packed`), deleted articles' included. The pairs of the small
segments, those a merge takes next, are saved beside the totals to be taken away then
(`saved_with`, `updated`). On 16k articles, summing every segment (`PairCounts.merge`, then
`of_counts`) and saving the model took 0.50-0.65 s of CPU in a `searchkit add` of ten articles,
two fifths of it; updating takes 0.18-0.25 s. `suggest.load_pair_counts` chooses which way.

>>> from searchkit.indexing.statistics import PairCounts, pack_pairs
>>> old = [["Nghệ", "An"], ["trạm", "BTS"]]
>>> before = PairTotals.of_counts(PairCounts.merge([pack_pairs(old)]))
>>> new = [["nghệ", "an"], ["iPhone", "5G"]]
>>> after = before.plus(PairCounts.merge([pack_pairs(new)]))
>>> after == PairTotals.of_counts(PairCounts.merge([pack_pairs(old + new)]))
True
>>> list(after.vocabulary), list(after.written)
(['5g', 'an', 'bts', 'iphone', 'nghệ', 'trạm'], ['5g', 'an', 'bts', 'iPhone', 'nghệ', 'trạm'])
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from functools import cached_property
from typing import Sequence

import numpy as np

from searchkit.distinct import sorted_distinct
from searchkit.indexing.postings import smallest, unique_inverse
from searchkit.indexing.statistics import PairCounts, packing
from searchkit.searching.accents import PairModel
from searchkit.searching.sorted_table import Lines, as_lines
from searchkit.text.normalize import canonical_syllable, unify_i_y
from searchkit.text.sequences import LOWER, TITLE, UPPER, case_of
from searchkit.text.syllables import forms

#: The names of what `saved_with` saves beside a model start so.
TOTALS = "totals_"
#: A segment's pairs are kept beside the totals, to be taken away again when a merge removes
#: the segment, while it holds at most this share of the index's pairs: the small, recent
#: segments, those the merge policy merges next (`indexing.merge`).
KEPT_SHARE = 0.1

#: Each segment of an index as its id and its packed pair counts (None: written without them).
Segments = Sequence[tuple[str, "dict[str, np.ndarray] | None"]]


@dataclass(frozen=True, eq=False)
class PairTotals:
    """The counts `PairModel.of` reads, and what a commit needs to update them: every written
    word's occurrences and accented form."""

    names: Sequence[str]  # every word written in a pair, in any order (`PairCounts.numbers`)
    occurrences: np.ndarray  # per name: how many pairs it stands in, either side (int64)
    form_numbers: np.ndarray  # per name: the number of its accented form in `vocabulary` (int64)
    vocabulary: Sequence[str]  # the accented forms, sorted
    written: Sequence[str]  # per accented form: its usual spelling (`_usual_spellings`)
    keys: np.ndarray  # sorted first * len(vocabulary) + second (int64)
    counts: np.ndarray  # per key (int64)
    cased: np.ndarray  # sorted positions in `keys` of the pairs ever written with a capital (int64)
    cases: np.ndarray  # per pair cased: first TITLE, first UPPER, second TITLE, second UPPER, never all 0 (int64)

    @cached_property
    def place(self) -> dict[str, int]:
        """Each name's number (its place in `names`)."""
        return dict(zip(self.names, range(len(self.names))))

    def __eq__(self, other: object) -> bool:
        """The same counts of the same words (the order of `names` aside)."""
        if not isinstance(other, PairTotals):
            return NotImplemented
        mine, theirs = (dict(zip(t.names, zip(t.occurrences.tolist(), t.form_numbers.tolist()))) for t in (self, other))
        return mine == theirs and list(self.vocabulary) == list(other.vocabulary) \
            and list(self.written) == list(other.written) and all(
                np.array_equal(getattr(self, name), getattr(other, name)) for name in ("keys", "counts", "cased", "cases"))

    @classmethod
    def of_counts(cls, counts: PairCounts) -> PairTotals:
        """The totals of merged pair counts of words as written (old segments counted their
        accented forms: those read as written in lower case)."""
        names = sorted(counts.numbers, key=counts.numbers.__getitem__)
        spelled = [_canonical(name.lower()) for name in names]
        accented = [_accented(name, lower) for name, lower in zip(names, spelled)]
        vocabulary = sorted(dict.fromkeys(accented))  # in the names' order: runs a sort finds (10 ms, 20 from a set)
        numbers = dict(zip(vocabulary, range(len(vocabulary))))
        to_accented = np.fromiter(map(numbers.__getitem__, accented), dtype=np.int64, count=len(accented))
        case = np.array([case_of(name) for name in names], dtype=np.int64)
        written_size = max(len(names), 1)
        first, second = np.divmod(counts.keys, written_size)
        keys, pair_counts, cased, cases = _accented_pairs(to_accented, case, first, second, counts.counts, len(vocabulary))
        weights = counts.counts.astype(np.float64)
        occurrences = np.bincount(first, weights=weights, minlength=len(names)) \
            + np.bincount(second, weights=weights, minlength=len(names))
        written = _usual_spellings(names, spelled, case, to_accented, occurrences, len(vocabulary))
        return cls(names, occurrences.astype(np.int64), to_accented, vocabulary, written, keys, pair_counts, cased, cases)

    def model(self) -> PairModel:
        """The pair model of these totals (`PairModel.of`)."""
        return PairModel.of(dict(zip(self.vocabulary, range(len(self.vocabulary)))), list(self.written),
                            self.keys, self.counts, self.cased, self.cases)

    def plus(self, delta: PairCounts) -> PairTotals | None:
        """These totals with `delta`'s counts added: the pairs of the segments a commit added,
        and those of the segments it removed counted negative. None when a count would fall
        below zero: `delta` removes pairs these totals never held (they are another index's)."""
        names_in = sorted(delta.numbers, key=delta.numbers.__getitem__)
        size_in = max(len(names_in), 1)
        changed = delta.counts != 0
        first_in, second_in, weights = delta.keys[changed] // size_in, delta.keys[changed] % size_in, \
            delta.counts[changed].astype(np.float64)
        if not len(weights):
            return self
        place = self.place.copy()  # a copy: a dict of 169,000 names made again cost more
        new = [name for name in names_in if name not in place]
        place.update(zip(new, range(len(self.names), len(self.names) + len(new))))
        names = [*self.names, *new]
        at = np.fromiter(map(place.__getitem__, names_in), dtype=np.int64, count=len(names_in))
        occurrences = np.concatenate([self.occurrences, np.zeros(len(new), np.int64)]) + (
            np.bincount(at[first_in], weights=weights, minlength=len(names))
            + np.bincount(at[second_in], weights=weights, minlength=len(names))).astype(np.int64)
        if (occurrences < 0).any():
            return None
        new_forms = [_accented(name, _canonical(name.lower())) for name in new]
        vocabulary, renumbered = _with_forms(self.vocabulary, new_forms)
        forms_of = np.concatenate([renumbered[self.form_numbers],
                                   np.array([bisect_left(vocabulary, form) for form in new_forms], dtype=np.int64)])
        size, old_size = len(vocabulary), max(len(self.vocabulary), 1)
        keys = self.keys if size == len(self.vocabulary) else _renumbered(self.keys, old_size, renumbered, size)
        case = np.array([case_of(name) for name in names_in], dtype=np.int64)
        added = _accented_pairs(forms_of[at], case, first_in, second_in, weights, size)
        merged = _merged((keys, self.counts, self.cased, self.cases), added)
        if merged is None:
            return None
        touched = sorted_distinct(np.concatenate((forms_of[at], forms_of[len(self.names):])))  # np.union1d's
        written = np.full(size, "", dtype=object)
        written[renumbered] = self.written
        result = _without_unused(names, occurrences, forms_of, vocabulary, written.tolist(), *merged, touched)
        if result.names is names:  # no name fell out: this one's place is theirs
            result.__dict__["place"] = place
        return result

    def arrays(self) -> dict[str, np.ndarray]:
        """What `read` needs besides the model's own arrays (`PairModel.arrays`): the written
        words, their occurrences and forms, as `TOTALS` + name."""
        return {f"{TOTALS}names": as_lines(self.names), f"{TOTALS}occurrences": smallest(self.occurrences),
                f"{TOTALS}forms": smallest(self.form_numbers)}

    @classmethod
    def read(cls, arrays) -> PairTotals:
        """The totals saved with a model (`PairModel.arrays` and `arrays`); KeyError where
        none were saved, ValueError unless they are these words' and fit the model."""
        model = PairModel.from_arrays(arrays)
        names = list(Lines(arrays[f"{TOTALS}names"]))
        occurrences, forms_of = arrays[f"{TOTALS}occurrences"], arrays[f"{TOTALS}forms"]
        vocabulary = list(Lines(arrays["vocabulary"]))
        if any(a.dtype.kind != "u" or a.shape != (len(names),) for a in (occurrences, forms_of)) \
                or (len(names) and (int(forms_of.max()) >= len(vocabulary) or int(occurrences.min()) == 0)) \
                or int(occurrences.sum(dtype=np.uint64)) != 2 * int(model.counts.sum(dtype=np.uint64)):
            raise ValueError("not the totals of this pair model")
        totals = cls(names, occurrences.astype(np.int64), forms_of.astype(np.int64), vocabulary, list(model.written),
                     model.keys.astype(np.int64), model.counts.astype(np.int64), model.cased.astype(np.int64),
                     np.ascontiguousarray(model.cases, dtype=np.int64))
        if len(totals.place) != len(names):  # a name twice
            raise ValueError("not the totals of this pair model")
        return totals


def saved_with(totals: PairTotals, segments: Segments) -> dict[str, np.ndarray]:
    """What is saved beside the model of `totals` for the next commit (`updated`): the totals,
    the ids of the `segments` they sum, and the pairs of those holding at most KEPT_SHARE of
    them, as numbers of `totals.names`."""
    place = totals.place
    whole = sum(len(packed["count"]) for _, packed in segments if packed is not None)
    kept, parts = [], []
    for segment, packed in segments:
        if packed is None or not 0 < len(packed["count"]) <= KEPT_SHARE * whole:
            continue
        words = [word.decode("utf-8") for word in packed["vocabulary"].tolist()]
        if any(word not in place for word in words):  # not these totals' words: never taken away
            continue
        at = np.fromiter(map(place.__getitem__, words), dtype=np.int64, count=len(words))
        kept.append(segment)
        parts.append((at[packed["first"]], at[packed["second"]], packed["count"].astype(np.int64)))
    joined = [np.concatenate([part[n] for part in parts]) if parts else np.zeros(0, np.int64) for n in range(3)]
    ends = np.cumsum([len(part[2]) for part in parts], dtype=np.int64)
    return {**totals.arrays(), f"{TOTALS}segments": as_lines([segment for segment, _ in segments]),
            f"{TOTALS}kept": as_lines(kept), f"{TOTALS}first": smallest(joined[0]),
            f"{TOTALS}second": smallest(joined[1]), f"{TOTALS}count": smallest(joined[2]), f"{TOTALS}ends": smallest(ends)}


def updated(arrays, segments: Segments) -> PairTotals | None:
    """The totals of `segments` (an index's, after a commit) from those saved with an earlier
    commit's model (`arrays`: `saved_with`'s and the model's): plus the pairs of the segments
    added since, minus those of the segments removed. None where they cannot be: none saved,
    a removed segment whose pairs were not kept, or totals that do not add up to the
    segments' pairs (another index's): the caller sums every segment then."""
    try:
        totals = PairTotals.read(arrays)
        summed, kept = list(Lines(arrays[f"{TOTALS}segments"])), list(Lines(arrays[f"{TOTALS}kept"]))
        first, second, count, ends = (arrays[f"{TOTALS}{name}"].astype(np.int64) for name in
                                      ("first", "second", "count", "ends"))
    except (KeyError, ValueError):
        return None
    if len(first) != len(second) or len(first) != len(count) \
            or (len(first) and max(int(first.max()), int(second.max())) >= len(totals.names)):
        return None
    try:
        runs = kept_runs(kept, ends, len(first))
    except ValueError:
        return None
    current = {segment for segment, _ in segments}
    removed = [segment for segment in summed if segment not in current]
    if any(segment not in runs for segment in removed):
        return None
    known = set(summed)
    parts = [_packed(totals.names, first[run], second[run], -count[run])
             for segment, run in runs.items() if segment in removed]
    parts += [packed for segment, packed in segments if segment not in known and packed is not None]
    result = totals.plus(PairCounts.merge(parts)) if parts else totals
    pairs = sum(int(packed["count"].sum(dtype=np.uint64)) for _, packed in segments if packed is not None)
    return result if result is not None and int(result.counts.sum()) == pairs else None


def kept_runs(kept: Sequence[str], ends: np.ndarray, rows: int) -> dict[str, slice]:
    """Each kept segment's run of the `rows` saved beside the totals, in `kept`'s order
    (`ends`: where each run ends); ValueError when the runs do not cover the rows one after
    the other (`saved_with` here and in `spelling_totals`).

    >>> kept_runs(["MAIN_a", "MAIN_b"], np.array([2, 5]), 5)
    {'MAIN_a': slice(0, 2, None), 'MAIN_b': slice(2, 5, None)}
    """
    ends = np.asarray(ends, dtype=np.int64)
    if len(ends) != len(kept) or (np.diff(ends, prepend=0) < 0).any() or (int(ends[-1]) if len(ends) else 0) != rows:
        raise ValueError("the kept segments' runs are not these rows")
    starts = [0, *ends[:-1].tolist()]
    return {segment: slice(start, end) for segment, start, end in zip(kept, starts, ends.tolist())}


def _packed(names: Sequence[str], first: np.ndarray, second: np.ndarray, count: np.ndarray) -> dict[str, np.ndarray]:
    """Pairs of `names` (their numbers) as a segment packs them (`statistics.packing`)."""
    used, local = np.unique(np.concatenate([first, second]), return_inverse=True)
    local = local.ravel()
    return packing([names[at] for at in used.tolist()], local[:len(first)], local[len(first):], count)


def _accented_pairs(forms_of: np.ndarray, case: np.ndarray, first: np.ndarray, second: np.ndarray,
                    counted: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(sorted keys, counts, cased, cases) of pairs of written words (`first`, `second`:
    numbers of words, each word's accented form in `forms_of` and its `case_of` in `case`)
    counted `counted` times, as pairs of accented forms numbered out of `size`; `cased`,
    `cases` as `PairTotals` holds them (where `counted` takes away what it adds, a delta's
    row may sum to 0: `_merged` drops it).

    >>> keys, counts, cased, cases = _accented_pairs(np.array([0, 1, 1]), np.array([TITLE, LOWER, UPPER]),
    ...                                               np.array([0, 0, 1]), np.array([1, 2, 0]), np.array([2, 1, 4]), 2)
    >>> keys.tolist(), counts.tolist(), cased.tolist(), cases.tolist()
    ([1, 2], [3, 4], [0, 1], [[3, 0, 0, 1], [0, 0, 4, 0]])
    """
    keys, inverse = unique_inverse(forms_of[first] * max(size, 1) + forms_of[second])
    weights = counted.astype(np.float64)  # after the sort, whose peak is the build's (8 MB less at it)
    # about a third of the pairs are ever written with a capital (354,000 of 976,000 on 16k
    # articles): only theirs are counted, a row each, where a dense 4 × len(keys) of mostly
    # zeros was read, merged and searched for them at every commit (31 MB on 16k articles)
    masks = [case[side] == which for side in (first, second) for which in (TITLE, UPPER)]
    hit = np.zeros(len(keys), dtype=bool)
    for mask in masks:
        hit[inverse[mask]] = True
    cased = np.flatnonzero(hit)
    row_of = np.cumsum(hit) - 1  # each cased pair's row (no sort: the keys are numbered already)
    cases = np.empty((len(cased), len(masks)), dtype=np.int64)
    for column, mask in enumerate(masks):
        cases[:, column] = np.bincount(row_of[inverse[mask]], weights=weights[mask], minlength=len(cased))
    return keys, np.bincount(inverse, weights=weights, minlength=len(keys)).astype(np.int64), cased, cases


def _merged(old: tuple[np.ndarray, ...], added: tuple[np.ndarray, ...]):
    """(keys, counts, cased, cases) of both, summed, without the pairs counted zero times nor
    the cases counted zero times; None where a count falls below zero or below its cases
    (`added` takes away pairs `old` never held). Only the rows `added` changes are checked:
    `old` is a model's, checked when it was read."""
    keys, counts, cased, cases = old
    new_keys, new_counts, new_cased, new_cases = added
    keys, counts, (found, fresh, at_found, at_fresh), shift = _put_in_place(keys, counts, new_keys, new_counts)
    place = np.empty(len(new_keys), dtype=np.int64)  # where each added key is now
    place[found], place[fresh] = at_found, at_fresh
    moved = cased + np.searchsorted(shift, cased, side="right")  # an old row moves on by the keys put before it
    cased, cases, (_, _, rows_found, rows_fresh), _ = _put_in_place(moved, cases, place[new_cased], new_cases)
    changed, rows = np.concatenate([at_found, at_fresh]), np.concatenate([rows_found, rows_fresh])
    sides, of_sides = cases[rows], counts[cased[rows]]
    if (counts[changed] < 0).any() or (sides < 0).any() or (sides[:, :2].sum(axis=1) > of_sides).any() \
            or (sides[:, 2:].sum(axis=1) > of_sides).any():
        return None
    blank = rows[~sides.any(axis=1)]  # cases counted, then taken away: written in lower case only
    if len(blank):
        kept_rows = np.ones(len(cased), dtype=bool)
        kept_rows[blank] = False
        cased, cases = cased[kept_rows], cases[kept_rows]
    if (counts[changed] != 0).all():
        return keys, counts, cased, cases
    kept = counts != 0  # no case is counted there: none above a count of 0
    return keys[kept], counts[kept], (np.cumsum(kept) - 1)[cased], cases


def _put_in_place(keys: np.ndarray, values: np.ndarray, new_keys: np.ndarray, new_values: np.ndarray):
    """The sorted distinct `keys` with the sorted distinct `new_keys` put in place, and the
    values (a number or a row each, int64) with `new_values` added: (keys, values, (the
    added keys found, those new, where the found ones are now, where the new ones are now),
    where each new key was put among the old ones).

    >>> keys, values, at, shift = _put_in_place(np.array([2, 5]), np.array([1, 1]), np.array([1, 5]), np.array([3, 4]))
    >>> keys.tolist(), values.tolist(), [a.tolist() for a in at], shift.tolist()
    ([1, 2, 5], [3, 1, 5], [[1], [0], [2], [0]], [0])
    """
    where = np.searchsorted(keys, new_keys)
    found = where < len(keys)
    found[found] = keys[where[found]] == new_keys[found]
    fresh = np.flatnonzero(~found)
    shift = where[fresh]
    merged_keys = np.insert(keys, shift, new_keys[fresh])
    merged = np.insert(values, shift, new_values[fresh], axis=0)
    at_found = where[found] + np.searchsorted(shift, where[found], side="right")
    merged[at_found] += new_values[found]  # each key once: no two additions to one place
    return merged_keys, merged, (np.flatnonzero(found), fresh, at_found, shift + np.arange(len(fresh))), shift


def _renumbered(keys: np.ndarray, size: int, number: np.ndarray, new_size: int) -> np.ndarray:
    """Pair keys (`first * size + second`) with both forms renumbered by `number`, which keeps
    their order (forms put in or taken out, never moved past another): the keys stay sorted.

    >>> _renumbered(np.array([1, 5]), 3, np.array([0, 2, 3]), 4).tolist()  # (0, 1), (1, 2): (0, 2), (2, 3)
    [2, 11]
    """
    first, second = np.divmod(keys, size)
    return number[first] * new_size + number[second]


def _with_forms(vocabulary: Sequence[str], added: list[str]) -> tuple[list[str], np.ndarray]:
    """The sorted `vocabulary` with the `added` forms it lacks put in place, and each old form's
    new number: a commit brings a few new forms, found by bisection, not a dict of every form.

    >>> _with_forms(["an", "nghệ", "trạm"], ["bts", "nghệ", "bts"])
    (['an', 'bts', 'nghệ', 'trạm'], array([0, 2, 3]))
    """
    fresh = sorted({form for form in added if not _holds(vocabulary, form)})
    if not fresh:
        return list(vocabulary), np.arange(len(vocabulary), dtype=np.int64)
    before = np.zeros(len(vocabulary) + 1, dtype=np.int64)  # the new forms placed before each old one
    np.add.at(before, [bisect_left(vocabulary, form) for form in fresh], 1)
    renumbered = np.arange(len(vocabulary), dtype=np.int64) + np.cumsum(before)[:len(vocabulary)]
    merged = np.empty(len(vocabulary) + len(fresh), dtype=object)
    merged[renumbered] = list(vocabulary)
    placed = np.ones(len(merged), dtype=bool)
    placed[renumbered] = False
    merged[placed] = fresh
    return merged.tolist(), renumbered


def _holds(vocabulary: Sequence[str], form: str) -> bool:
    """Whether the sorted `vocabulary` holds `form` (`_holds(["an", "nghệ"], "nghệ")`)."""
    at = bisect_left(vocabulary, form)
    return at < len(vocabulary) and vocabulary[at] == form


def _without_unused(names: list[str], occurrences: np.ndarray, forms_of: np.ndarray, vocabulary: list[str],
                    written: list[str], keys: np.ndarray, counts: np.ndarray, cased: np.ndarray, cases: np.ndarray,
                    touched: np.ndarray) -> PairTotals:
    """The totals without the names no pair holds any more and the forms no name has, the
    `touched` forms' usual spellings made again from all their names."""
    live = occurrences > 0
    if not live.all():
        names = [name for name, keep in zip(names, live.tolist()) if keep]
        occurrences, forms_of = occurrences[live], forms_of[live]
    used = np.bincount(forms_of, minlength=len(vocabulary)) > 0
    if not used.all():
        number = np.cumsum(used) - 1
        size, new_size = max(len(vocabulary), 1), max(int(used.sum()), 1)
        keys = _renumbered(keys, size, number, new_size)
        vocabulary = [form for form, keep in zip(vocabulary, used.tolist()) if keep]
        written = [spelled for spelled, keep in zip(written, used.tolist()) if keep]
        forms_of, touched = number[forms_of], number[touched[used[touched]]]
    chosen = np.flatnonzero(np.isin(forms_of, touched))  # every name of a touched form
    if len(chosen):
        chosen_names = [names[at] for at in chosen.tolist()]
        spelled = [_canonical(name.lower()) for name in chosen_names]
        case = np.array([case_of(name) for name in chosen_names], dtype=np.int64)
        numbers, compact = np.unique(forms_of[chosen], return_inverse=True)
        spellings = _usual_spellings(chosen_names, spelled, case, compact.ravel(),
                                     occurrences[chosen].astype(np.float64), len(numbers))
        for number, spelling in zip(numbers.tolist(), spellings):
            written[number] = spelling
    return PairTotals(names, occurrences, forms_of, vocabulary, written, keys, counts, cased, cases)


def _accented(name: str, lower: str) -> str:
    """The accented form a written word is counted as (`lower`: its `_canonical` lower case)."""
    return unify_i_y(lower) if lower.isascii() else forms(name)[0]


def _usual_spellings(names: list[str], spelled: list[str], case: np.ndarray, to_accented: np.ndarray,
                     occurrences: np.ndarray, size: int) -> list[str]:
    """Per accented syllable, its most written spelling in lower case (`spelled`: `ký` for `kí`,
    in the index's one tone placement), or in mixed case where it is mostly written so
    (`iPhone`): among equals, the first in order. Counted in numpy, the sums in the order of
    `names` (a Python loop over every written word was a fifth of a writer's pair model);
    `case` is each name's `case_of`. A syllable's spelling depends on its own names only.

    >>> _usual_spellings(["Ký", "ký", "kí", "iPhone", "iphone"], ["ký", "ký", "ký", "iphone", "iphone"],
    ...                  np.array([TITLE, LOWER, LOWER, LOWER, LOWER]), np.array([0, 0, 0, 1, 1]),
    ...                  np.array([5.0, 2.0, 3.0, 4.0, 1.0]), 2)
    ['ký', 'iPhone']
    """
    lowers = sorted(dict.fromkeys(spelled))  # in the names' order: runs a sort finds (9 ms, 18 from a set)
    lower_of = np.fromiter(map(dict(zip(lowers, range(len(lowers)))).__getitem__, spelled),
                           dtype=np.int64, count=len(spelled))
    name_rank = np.empty(len(names), dtype=np.int64)
    name_rank[sorted(range(len(names)), key=names.__getitem__)] = np.arange(len(names))
    groups, group_of = np.unique(to_accented * max(len(lowers), 1) + lower_of, return_inverse=True)
    group_of = group_of.ravel()
    sums = np.bincount(group_of, weights=occurrences, minlength=len(groups))  # added in the order of names
    # each group's written word: the most occurrences, then the first name
    by_name = np.lexsort((name_rank, -occurrences, group_of))
    first_name = by_name[np.flatnonzero(np.diff(group_of[by_name], prepend=-1))]
    # each accented syllable's spelling: the group of most occurrences, then the first spelling
    number, lower = groups // max(len(lowers), 1), groups % max(len(lowers), 1)
    by_sum = np.lexsort((lower, -sums, number))
    best = by_sum[np.flatnonzero(np.diff(number[by_sum], prepend=-1))]
    written = [lowers[at] for at in lower[best].tolist()]
    name_of = first_name[best]
    # a name in lower case may be in mixed case (`iPhone`): the others are written as spelled
    # (`Nghệ`, `CNTT`; their test in Python, 37k of 52k, was a third of this function)
    in_lower = np.flatnonzero(case[name_of] == LOWER)
    for at, name_at in zip(in_lower.tolist(), name_of[in_lower].tolist()):
        if not names[name_at].islower():
            written[at] = _canonical(names[name_at])
    return written


def _canonical(word: str) -> str:
    """`canonical_syllable`, at no cost for a word without marks (most foreign words)."""
    return word if word.isascii() else canonical_syllable(word)
