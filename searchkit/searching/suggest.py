"""Did-you-mean: accents for a query typed without them, the closest indexed word for a typo.

Everything comes from the index itself:

- the spelling of each query word in the matched passages of the best hits (`tram bts` →
  *trạm BTS*, because that is how the articles that matched write it);
- `Spellings`, a compact statistic of the index's own lexicons: for each folded syllable its
  accented spellings by frequency (`tram` → trăm, trạm, trầm…), and for pyvi words the
  spelling of the whole word when it differs from its syllables' most common ones
  (`thong tin` → *thông tin*). It is computed lazily, once per index generation, and cached
  in the index directory as ``suggest-<generation>.arrays`` (numbers and UTF-8 text only,
  `indexing.array_file`: a crafted file can at worst be ignored, never run code);
- the open reader's term dictionaries, for whether a word exists and how common it is.

A changed tone or vowel mark costs less than a changed letter (`thônng` → *thông*).
"""

from __future__ import annotations

import math
import os
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import compress
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Mapping

from searchkit.models import Hit
from searchkit.searching.analysed import AnalysedQuery, Word
from searchkit.searching.sorted_table import Lines, SortedTable, as_lines
from searchkit.text.fold import fold, fold_each, has_marks
from searchkit.text.normalize import TONE_MARKS as _TONES
from searchkit.text.spelling import is_valid_syllable
from searchkit.text.syllables import forms, syllables

if TYPE_CHECKING:  # numpy stays off `searchkit --help` and queries that need no accents
    import numpy as np

    from searchkit.searching.accents import PairModel
    from searchkit.searching.pair_totals import PairTotals
    from searchkit.searching.spelling_totals import WordTotals

#: Bump when `Spellings` changes shape: older cache files are then ignored and replaced.
FORMAT = 5
CACHE_PREFIX = "suggest-"
PAIRS_PREFIX = "pairs-"
#: Bump when the cached pair model (`accents.PairModel.arrays`) changes shape.
PAIRS_FORMAT = 4
#: Accented spellings kept per folded syllable, most frequent first.
MAX_VARIANTS = 6
#: pyvi words seen fewer times than this are not trusted as spellings of a word pair.
MIN_WORD_COUNT = 3
#: Folded syllables seen fewer times than this are treated as typos of the corpus.
MIN_COUNT = 2
#: Cost of one changed tone or vowel mark; a changed letter costs 1.
MARK_COST = 0.3
#: An unaccented word is left alone when at least this share of its occurrences has no marks.
PLAIN_SHARE = 0.25
#: Hits whose matched passages vote on spellings.
EVIDENCE_HITS = 5
#: Weight of the hits' votes against the pair model, in log probability per syllable: enough to
#: decide between spellings the context leaves open, not to overrule a context that disagrees.
EVIDENCE_WEIGHT = 1.0
#: Weight of a capital typed inside a sentence: log share of the spelling's occurrences that
#: the index writes capitalised.
NAME_WEIGHT = 0.5
#: Words longer than this get no spelling correction: their edits would number thousands,
#: and no Vietnamese syllable is nearly that long.
MAX_CORRECTED_LETTERS = 20

_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_OPERATORS = frozenset(("OR", "AND", "NOT"))
#: A word followed by this names a field (`title:tram`); `Trung Quoc: 84%` is no field.
_FIELD = re.compile(r":[^\s:]")
#: Between two words, what ends a sentence (the next word's capital then says nothing).
_SENTENCE_END = re.compile(r"[.!?:;…]")


@dataclass(frozen=True)
class Spellings:
    """How the index spells folded forms: syllables and (where it differs) whole words.

    >>> s = Spellings({"tram": (("trăm", 40), ("trạm", 30))}, {"tram bts": "trạm bts"}, {"tram": 70})
    >>> s.best("tram"), s.best("bts"), s.word(["tram", "bts"]), s.frequency("tram")
    ('trăm', 'bts', ('trạm', 'bts'), 70)
    """

    syllables: Mapping[str, tuple[tuple[str, int], ...]]  # 'tram' -> (('trăm', 812), ('trạm', 640))
    words: Mapping[str, str]  # 'thong tin' -> 'thông tin'
    folded: Mapping[str, int] = field(default_factory=dict)  # 'tram' -> 2031 occurrences

    def variants(self, folded: str) -> tuple[tuple[str, int], ...]:
        """Accented spellings of a folded syllable with their counts; the folded form itself
        when the index has no marked spelling of it."""
        return self.syllables.get(folded) or ((folded, self.frequency(folded)),)

    def best(self, folded: str) -> str:
        return self.variants(folded)[0][0]

    def frequency(self, folded: str) -> int:
        """Occurrences of a folded syllable in titles and bodies (0 when rarer than twice)."""
        return self.folded.get(folded, 0)

    def word(self, folded: list[str]) -> tuple[str, ...] | None:
        spelled = self.words.get(" ".join(folded))
        return tuple(spelled.split(" ")) if spelled else None


def build_spellings(reader) -> Spellings:
    """Count the term lists of titles and bodies (accented and folded) and of pyvi words.

    One pass over term lists, not over documents; a writer's helper process updates the
    counts of the commit before instead (see `load_spellings`).
    """
    from searchkit.searching.spelling_totals import spelling_totals

    return spellings_of(spelling_totals(_segment_sides(reader)))


def spellings_of(totals: Mapping[str, WordTotals]) -> Spellings:
    """The statistic of the index's words (`spelling_totals`: each group's words, their
    occurrences, and the order they are first seen in, which breaks ties)."""
    folded = totals["folded"]
    common = folded.totals >= MIN_COUNT
    folded_counts = {t: n for t, n in zip(map(bytes.decode, compress(folded.terms, common)), folded.totals[common].tolist())
                     if t.isalpha()}
    counts: dict[str, Counter] = defaultdict(Counter)
    terms, weights = totals["accented"].in_order()
    for term, folded_form, weight in zip(terms, fold_each(terms), weights):  # `forms(term)[1]`: the terms are `forms`'
        counts[folded_form][term] += weight
    variants: dict[str, tuple[tuple[str, int], ...]] = {}
    for folded_form, spelled in counts.items():
        plain = folded_counts.get(folded_form, 0) - sum(spelled.values())
        if plain > 0:
            spelled[folded_form] += plain
        variants[folded_form] = tuple((a, int(n)) for a, n in spelled.most_common(MAX_VARIANTS))
    return Spellings(variants, _word_spellings(totals["words"], variants), folded_counts)


def _word_spellings(totals: WordTotals, variants: Mapping[str, tuple[tuple[str, int], ...]]) -> dict[str, str]:
    """Folded pyvi word -> its most frequent spelling (the first seen of equals), where that
    differs from its syllables' most common spellings: 'thong tin' -> 'thông tin'. The
    index's words are their syllables' `forms` joined by `_` (`segment.compound_words_in`),
    so a word's spelling is itself and its key its folding."""
    terms, weights = totals.in_order(least=MIN_WORD_COUNT)  # ties keep the first seen
    spelled_words = [term.replace("_", " ") for term in terms if "_" in term]
    weights = [weight for term, weight in zip(terms, weights) if "_" in term]
    words: dict[str, tuple[str, float]] = {}
    for key, spelled, weight in zip(fold_each(spelled_words), spelled_words, weights):
        if key not in words or words[key][1] < weight:
            words[key] = (spelled, weight)
    best = {folded: spellings[0][0] for folded, spellings in variants.items()}  # `Spellings.best`
    return {
        key: spelled for key, (spelled, _) in words.items()
        if spelled != " ".join([best.get(f, f) for f in key.split(" ")])
    }


def spellings_file(generation: int) -> str:
    """The name of a generation's did-you-mean statistics beside the index: `suggest-12.arrays`."""
    return f"{CACHE_PREFIX}{generation}.arrays"


def pairs_file(generation: int) -> str:
    """The name of a generation's syllable pair model beside the index: `pairs-12.arrays`."""
    return f"{PAIRS_PREFIX}{generation}.arrays"


def statistics_files(generation: int) -> tuple[str, str]:
    """A generation's statistics beside the index, both saved by its writer after its commit:
    the did-you-mean statistics and the pair model."""
    return spellings_file(generation), pairs_file(generation)


def load_spellings(index_dir: str | os.PathLike, reader) -> Spellings:
    """The cached `Spellings` of this index generation, built and saved on first use. The
    words' counts it is made from are saved beside it (`spelling_totals.saved_with`), so that
    the next commit's writer updates them with the segments it added and removed instead of
    reading every segment's words again (`_spelling_totals`).

    The cache is best effort: an unwritable index directory only costs a rebuild next time.
    """
    from searchkit.indexing.array_file import read_arrays

    path = Path(index_dir) / spellings_file(reader.generation())
    try:  # checksummed: a changed byte, a stale file or another format is rebuilt
        cached = _from_arrays(read_arrays(path), reader.generation())
        if cached is not None:
            return cached
    except (OSError, ValueError, KeyError):
        pass
    from searchkit.searching.spelling_totals import saved_with

    segments = _segment_sides(reader)
    totals = _spelling_totals(Path(index_dir), reader.generation(), segments)
    spellings = spellings_of(totals)
    try:
        beside = saved_with(totals, segments)
    except ValueError:  # a word that cannot be written a line: the next commit reads every segment
        beside = {}
    _save(path, spellings, reader.generation(), beside)
    return spellings


def _spelling_totals(index_dir: Path, generation: int | None, segments) -> dict[str, WordTotals]:
    """The word counts of these segments: those saved with the newest earlier generation's
    statistics updated (`spelling_totals.updated`), or, where there are none or they cannot
    be, every segment's words read. After ten articles added to 16k, the helper's statistics
    take 0.18-0.19 s of CPU the one way and 0.38-0.50 s the other."""
    from searchkit.searching.spelling_totals import spelling_totals, updated

    totals = _updated_from_earlier(index_dir, CACHE_PREFIX, FORMAT, generation, lambda arrays: updated(arrays, segments))
    return totals if totals is not None else spelling_totals(segments)


def _updated_from_earlier(index_dir: Path, prefix: str, format_: int, generation: int | None, update: Callable):
    """`update(arrays)` of the newest cache file of `prefix` and `format_` of a generation
    before `generation`; None where there is none, or it cannot be read (removed meanwhile,
    damaged), or `update` says None."""
    from searchkit.indexing.array_file import read_arrays

    earlier = saved_before(index_dir, prefix, generation)
    if earlier is None:
        return None
    try:
        arrays = read_arrays(earlier)
        return update(arrays) if arrays["format"].tolist() == [format_] else None
    except (OSError, ValueError, KeyError):
        return None


def saved_before(index_dir: Path, prefix: str, generation: int | None) -> Path | None:
    """The newest statistics file of `prefix` saved for a generation before `generation`
    (what a writer updates), or None."""
    from searchkit.indexing.manifest import cache_generation

    earlier = [(cache_generation(p.name) or 0, p) for p in index_dir.glob(f"{prefix}*.arrays")]
    earlier = [(g, p) for g, p in earlier if generation is not None and g < generation]
    return max(earlier)[1] if earlier else None


def _segment_sides(reader) -> list[tuple[str, object]]:
    """Each segment's id and postings file (`postings.SegmentPostings`), in the reader's order."""
    from searchkit.indexing.adapter import leaf_segment_id, segment_leaves
    from searchkit.indexing.postings import for_segment

    return [(leaf_segment_id(leaf), for_segment(leaf)) for leaf, _ in segment_leaves(reader)]


#: The maps of the cache, each written as its sorted keys and their values, a word a line.
_TABLES = ("syllables", "words", "folded")


def _from_arrays(arrays: Mapping[str, np.ndarray], generation: int) -> Spellings | None:
    """The cached statistic, if the file holds exactly its shape (anything else is rebuilt):
    each map as its sorted keys and their values, read as they are asked for (`SortedTable`
    over `Lines`: a cold query looks up a few of 40,000 words, decoding none of the others).
    ValueError for text that is not UTF-8."""
    if arrays["format"].tolist() != [FORMAT] or arrays["generation"].tolist() != [generation]:
        return None
    keys = [Lines(arrays[f"{name}_keys"]) for name in _TABLES]
    spelled, written, counts = Lines(arrays["syllables_values"]), Lines(arrays["words_values"]), arrays["folded_values"]
    if counts.dtype.kind != "u" or counts.ndim != 1 or list(map(len, keys)) != [len(spelled), len(written), len(counts)]:
        return None
    return Spellings(SortedTable(keys[0], spelled, _variants), SortedTable(keys[1], written),
                     SortedTable(keys[2], counts, int))


#: A folded syllable's spellings in the cache: `biến 5797 biển 3117`.
_SPELLED = re.compile(r"\S+ \d+(?: \S+ \d+)*")


def _variants(spelled: str) -> tuple[tuple[str, int], ...]:
    """(('biến', 5797), ('biển', 3117)) of 'biến 5797 biển 3117'; none of anything else (a
    crafted cache: the syllable is then searched as typed).

    >>> _variants("biến 5797 biển 3117"), _variants("biến 5797 biển")
    ((('biến', 5797), ('biển', 3117)), ())
    """
    if not _SPELLED.fullmatch(spelled):
        return ()
    parts = spelled.split(" ")
    return tuple(zip(parts[::2], map(int, parts[1::2])))


def _save(path: Path, spellings: Spellings, generation: int | None, beside: Mapping[str, np.ndarray]) -> None:
    import numpy as np

    from searchkit.indexing.array_file import write_arrays
    from searchkit.indexing.postings import smallest

    def table(name: str, mapping: Mapping, write: Callable = lambda value: value) -> dict[str, np.ndarray]:
        keys = sorted(mapping)
        values = [write(mapping[key]) for key in keys]
        return {f"{name}_keys": as_lines(keys),
                f"{name}_values": smallest(np.array(values, dtype=np.int64)) if write is int else as_lines(values)}

    if generation is None:  # a reader of no commit (an empty index): nothing to keep
        return
    try:
        arrays = {"format": np.array([FORMAT]), "generation": np.array([generation]),
                  **table("syllables", spellings.syllables, lambda found: " ".join(f"{a} {n}" for a, n in found)),
                  **table("words", spellings.words), **table("folded", spellings.folded, int), **beside}
    except ValueError:  # a word that cannot be written a line: the statistic serves from memory only
        return
    _replace(path, f"{CACHE_PREFIX}*", lambda temporary: write_arrays(temporary, arrays))


def _replace(path: Path, pattern: str, write: Callable[[Path], object]) -> None:
    """Write a cache file atomically (a temporary name, then a rename) and remove the older
    generations' files matching `pattern` (never a newer one: a writer finishing the
    statistics of its commit after another writer committed leaves the other's alone). Best
    effort: an unwritable index directory only costs a rebuild of the statistic next time."""
    from searchkit.indexing.durable import commit_rename
    from searchkit.indexing.manifest import cache_generation

    temporary = path.with_name(f".{path.stem}.{os.getpid()}.tmp{path.suffix}")
    generation = cache_generation(path.name)
    try:
        write(temporary)
        commit_rename(temporary, path)  # never a torn cache after a power cut
        for old in path.parent.glob(pattern):
            older = cache_generation(old.name)
            if old != path and (older is None or generation is None or older < generation
                                or old.suffix != path.suffix):  # an older searchkit's format
                old.unlink(missing_ok=True)
    except OSError:
        temporary.unlink(missing_ok=True)


def load_pair_counts(index_dir: str | os.PathLike, reader) -> PairModel:
    """The index's model of syllable pairs (`accents.PairModel`), built from its segments'
    pair counts once per index generation and cached as plain arrays (``pairs-<generation>.arrays``,
    `indexing.array_file`: numbers only, checksummed): a second process reads it in
    milliseconds instead of merging again. A cache of another format (an older searchkit's) is
    rebuilt, and so is a damaged one. The counts it is built from are saved beside it
    (`pair_totals.saved_with`), so that the next commit's writer updates them with the
    segments it added and removed instead of summing every segment again (`_pair_totals`)."""
    from searchkit.indexing.array_file import read_arrays
    from searchkit.searching.accents import PairModel

    path = Path(index_dir) / pairs_file(reader.generation())
    try:
        cached = read_arrays(path)
        if cached["format"].tolist() == [PAIRS_FORMAT] and cached["generation"].tolist() == [reader.generation()]:
            return PairModel.from_arrays(cached)
    except (OSError, ValueError, KeyError):  # missing, damaged (a changed byte), another format: rebuilt
        pass
    from searchkit.searching.pair_totals import saved_with  # the writer's work, or a damaged cache's

    segments = _segment_packs(reader)
    totals = _pair_totals(Path(index_dir), reader.generation(), segments)
    model = totals.model()
    try:
        beside = saved_with(totals, segments)
    except ValueError:  # a word that cannot be written a line: the next commit sums every segment
        beside = {}
    del totals  # its cases of every pair (31 MB on 16k articles) gone before the file is written
    _save_pairs(path, model, reader.generation(), beside)
    return model


def _pair_totals(index_dir: Path, generation: int | None, segments) -> PairTotals:
    """The pair counts of these segments: those saved with the newest earlier generation's
    model updated (`pair_totals.updated`), or, where there are none or they cannot be, every
    segment's summed. After ten articles added to 16k, `load_pair_counts` takes 0.18-0.25 s of
    CPU the one way (read, update, save) and 0.50-0.65 s the other (medians of five)."""
    from searchkit.indexing.statistics import PairCounts
    from searchkit.searching.pair_totals import PairTotals, updated

    totals = _updated_from_earlier(index_dir, PAIRS_PREFIX, PAIRS_FORMAT, generation, lambda arrays: updated(arrays, segments))
    if totals is not None:
        return totals
    return PairTotals.of_counts(PairCounts.merge([packed for _, packed in segments if packed is not None]))


def _segment_packs(reader) -> list[tuple[str, dict | None]]:
    """Each segment's id and packed pair counts (None: written without them)."""
    return [(segment, side.pairs()) for segment, side in _segment_sides(reader)]


def _save_pairs(path: Path, model: PairModel, generation: int | None, beside: Mapping[str, np.ndarray]) -> None:
    import numpy as np

    from searchkit.indexing.array_file import write_arrays

    if generation is None:  # a reader of no commit (an empty index): nothing to keep
        return
    try:
        arrays = dict(model.arrays(), **beside, format=np.array([PAIRS_FORMAT]), generation=np.array([generation]))
    except ValueError:  # words that cannot be written a line each: the model serves from memory only
        return
    _replace(path, f"{PAIRS_PREFIX}*", lambda temporary: write_arrays(temporary, arrays))


@dataclass(frozen=True)
class Evidence:
    """How the best hits write the query's words where they matched: `beside` counts only
    occurrences next to a match of another query word (*trạm* in *trạm BTS*), `seen` all."""

    beside: Mapping[str, Counter] = field(default_factory=dict)
    seen: Mapping[str, Counter] = field(default_factory=dict)


def spelling_evidence(hits: Iterable[Hit], top: int = EVIDENCE_HITS) -> Evidence:
    """Folded syllable -> spellings in the matched passages of the best hits.

    In *hàng trăm trạm BTS* for `tram bts`, only *trạm* stands beside BTS, so it outvotes *trăm*.
    """
    beside: dict[str, Counter] = defaultdict(Counter)
    seen: dict[str, Counter] = defaultdict(Counter)
    for hit in list(hits)[:top]:
        passages = [(hit.title, hit.title_spans)] + [(s.text, s.spans) for s in hit.snippets]
        for text, spans in passages:
            for start, end in spans:
                found = list(syllables(text[start:end]))
                for i, s in enumerate(found):
                    written = text[start + s.start:start + s.end]
                    seen[s.folded][written] += 1
                    neighbours = sum(1 for j in (i - 1, i + 1)
                                     if 0 <= j < len(found) and found[j].folded != s.folded)
                    if neighbours:
                        beside[s.folded][written] += neighbours
    return Evidence(beside, seen)


class Suggester:
    """Suggests one query for another; `known(folded)` and `frequency(folded)` ask the index,
    `spellings()` loads the statistic only if it is needed."""

    def __init__(self, frequency: Callable[[str], int], accented_frequency: Callable[[str], int],
                 spellings: Callable[[], Spellings], evidence: Evidence | None = None,
                 keep: Callable[[str], bool] = lambda word: False,
                 pairs: Callable[[], PairModel | None] = lambda: None):
        self._keep = keep
        self._pairs = pairs
        self._frequency = frequency
        self._accented_frequency = accented_frequency
        self._load = spellings
        self._spellings: Spellings | None = None
        self._evidence = evidence or Evidence()

    @property
    def spellings(self) -> Spellings:
        if self._spellings is None:
            self._spellings = self._load()
        return self._spellings

    def suggest(self, query: str | AnalysedQuery) -> str | None:
        """A better query than `query` (its text: analysed, the normalised one), or None when
        it would be the same (ignoring case).

        Queries typed without any accents get them back; unknown words are replaced by the
        closest indexed word; a query with accents whose words all exist gets no suggestion.
        """
        suggestion = self.rewrite(query)
        text = query.text if isinstance(query, AnalysedQuery) else query
        return suggestion if suggestion.lower() != text.lower() else None

    def rewrite(self, query: str | AnalysedQuery) -> str:
        """The query's text with accents restored and misspelt words corrected, written as
        the index writes it where typed in lower case (`cntt nghe an` → `CNTT Nghệ An`); the
        text itself when it has accents and the index knows all its words. A string is read
        as it is; an analysed query's words are those it split once."""
        query = query if isinstance(query, AnalysedQuery) else AnalysedQuery.verbatim(query)
        text = query.text
        words = [w for w in query.words if not _FIELD.match(text, w.end) and w.text not in _OPERATORS]
        if not words:
            return text
        accented = any(has_marks(w.text) for w in words)
        if accented and all(self._known(w.text) or self._keep(w.text) for w in words):
            return text
        named = _named(text, words)
        targets = [self._target(w.text, accented, i in named) for i, w in enumerate(words)]
        if not accented:
            targets = self._restore(targets, named)
        pieces, last = [], 0
        for word, (spelled, _) in zip(words, targets):
            pieces += [text[last:word.start], self._cased(word.text, spelled)]
            last = word.end
        pieces.append(text[last:])
        return "".join(pieces)

    def _known(self, word: str) -> bool:
        accented, folded = forms(word)
        return bool(self._frequency(folded)) and (accented == folded or bool(self._accented_frequency(accented)))

    def _target(self, word: str, accented_query: bool, named: bool = False) -> tuple[str, bool]:
        """(spelling, settled): settled spellings are not re-accented from context. A name
        (`named`: capitalised inside a sentence, or in capitals beside words in lower case)
        that the index lacks is taken as written, not as a typo: `Gepard` is not `gerard`, nor
        `DJI` `đổi` (a name typed wrong is rarer than one the index never saw)."""
        accented, folded = forms(word)
        if not word.isalpha() or self._keep(word):
            return accented, True
        if not self._frequency(folded):
            if accented_query and has_marks(word) and is_valid_syllable(accented):
                return accented, True  # a well-formed word the index lacks ('gì'): no typo
            corrected = None if named else self._correct(accented, folded)
            if corrected is None:
                return accented, True
            return corrected, accented_query or has_marks(corrected)
        if accented_query and accented != folded and not self._accented_frequency(accented):
            return self._closest_variant(accented, [folded])[0], True
        return accented, accented_query or accented != folded

    def _correct(self, accented: str, folded: str) -> str | None:
        """The closest indexed spelling of an unknown word: one letter edit away, marks
        closest to those typed, most frequent first."""
        known = self.spellings.frequency
        candidates = [c for c in _edits(folded) if known(c)]
        if not candidates:
            return None
        if accented == folded:
            return max(candidates, key=lambda c: (known(c), c))
        return self._closest_variant(accented, candidates)[0]

    def _closest_variant(self, accented: str, folded_candidates: list[str]) -> tuple[str, float]:
        typed = _marks(accented)
        options = []
        for folded in folded_candidates:
            for spelled, count in self.spellings.variants(folded):
                cost = MARK_COST * _mark_distance(typed, _marks(spelled))
                options.append((cost, -math.log1p(count), spelled))
        cost, _, spelled = min(options)
        return spelled, cost

    def _restore(self, targets: list[tuple[str, bool]], named: frozenset[int] = frozenset()) -> list[tuple[str, bool]]:
        """Accents for the unsettled words: the sequence most likely under the index's model of
        syllable pairs (see `accents.py`), where the hits' spellings beside the other words, and
        a capital typed inside a sentence (`named`: a name, so `Phan Anh`, not `phản ánh`), count
        as votes for the spellings the index writes so; then written as the index writes them
        there (`CNTT Nghệ An`). Without a model: as the hits write them, else as the index
        writes a pyvi word they form, else their most common spelling."""
        if all(settled for _, settled in targets):
            return targets
        model = self._pairs()  # loaded only when some word is still open
        if model is not None:
            from searchkit.searching.accents import spell

            spelled = spell([fold(s) for s, _ in targets], self.spellings.variants, model,
                            fixed=lambda i: targets[i][0] if targets[i][1] else None,
                            bonus=lambda i, candidates: self._votes(model, candidates, i in named))
            return [(s, True) for s in model.written_as(spelled)]
        result = [(_vote(self._evidence.beside[spelled]), True)  # as the hits write it beside the others
                  if not settled and self._evidence.beside.get(spelled) else (spelled, settled)
                  for spelled, settled in targets]
        result = [(s, True) if not settled and self._plain_is_common(s) else (s, settled)
                  for s, settled in result]
        for size in (3, 2):
            for i in range(len(result) - size + 1):
                window = result[i:i + size]
                if all(settled for _, settled in window):
                    continue
                spelled = self.spellings.word([fold(s) for s, _ in window])
                if spelled:
                    for j, part in enumerate(spelled):
                        if not result[i + j][1]:
                            result[i + j] = (part, True)
        return [(s if settled else self.spellings.best(s), True) for s, settled in result]

    def _votes(self, model: PairModel, candidates, named: bool) -> np.ndarray | None:
        """Log votes for a word's candidate spellings: the hits' (beside other query words)
        weighted by EVIDENCE_WEIGHT, and for a word typed capitalised inside a sentence the
        share of each spelling's occurrences the index writes capitalised, weighted by
        NAME_WEIGHT; None when neither applies."""
        import numpy as np

        folded = fold(candidates[0][0]) if candidates else ""
        votes = self._evidence.beside.get(folded)
        if not votes and not named:
            return None
        bonus = np.zeros(len(candidates))
        if votes:
            tally: Counter = Counter()
            for written, weight in votes.items():
                tally[forms(written)[0]] += weight
            counts = np.array([tally.get(spelled, 0) for spelled, _ in candidates], dtype=np.float64)
            bonus += EVIDENCE_WEIGHT * np.log((counts + 1) / (counts.sum() + len(counts)))
        if named:
            bonus += NAME_WEIGHT * model.capitalised(model.ids([spelled for spelled, _ in candidates]))
        return bonus

    def _plain_is_common(self, folded: str) -> bool:
        """Whether the index often writes the word without marks ('ai', who; 'tin'): then
        typing it so is no mistake."""
        variants = self.spellings.variants(folded)
        total = sum(count for _, count in variants)
        plain = sum(count for spelled, count in variants if spelled == folded)
        return total > 0 and plain >= PLAIN_SHARE * total

    def _cased(self, typed: str, spelled: str) -> str:
        """The suggested spelling in the case typed. A word typed in lower case is written as
        the index writes it (`_restore` gives `CNTT Nghệ An`) or, for acronyms, as the hits do
        (BTS); a word typed in mixed case that gets no marks stays as typed (iPhone)."""
        spelled = _usual(spelled)
        if typed.islower() or not any(c.isalpha() for c in typed):
            votes = self._evidence.seen.get(fold(spelled.lower()))
            if spelled.islower() and votes and not has_marks(spelled):
                written = votes.most_common(1)[0][0]
                if len(written) > 1 and written.isupper():
                    return written
            return spelled
        spelled = spelled.lower()
        if len(typed) > 1 and typed.isupper():
            return spelled.upper()
        if typed[:1].isupper() and typed[1:].islower() or len(typed) == 1:
            return spelled[:1].upper() + spelled[1:]
        return typed if fold(spelled) == spelled else spelled


def _named(text: str, words: list[Word]) -> frozenset[int]:
    """In a text that has words in lower case too, the words typed capitalised inside a
    sentence (`Phan Anh`, `Trung Quoc`) or in capitals (`DJI`): names."""
    if not any(w.text.islower() for w in words):
        return frozenset()
    return frozenset(i for i, w in enumerate(words)
                     if len(w.text) > 1 and w.text.isupper()
                     or i and w.text[:1].isupper() and not _SENTENCE_END.search(text, words[i - 1].end, w.start))


def _vote(votes: Counter) -> str:
    """The accented form most written in the hits, in lower case, spelled as they spell it
    ('Trạm', 'trạm' → 'trạm'; 'kỹ' stays 'kỹ' though the index unifies it to 'kĩ')."""
    tally: Counter = Counter()
    spelled: dict[str, Counter] = defaultdict(Counter)
    for written, weight in votes.items():
        canonical = forms(written)[0]
        tally[canonical] += weight
        spelled[canonical][unicodedata.normalize("NFC", written.lower())] += weight
    return spelled[tally.most_common(1)[0][0]].most_common(1)[0][0]


def _usual(accented: str) -> str:
    """The index's unified i back to the y that is always written after qu: 'quí' → 'quý'."""
    if fold(accented) != "qui":
        return accented
    tone = "".join(c for c in unicodedata.normalize("NFD", accented) if c in _TONES)
    return unicodedata.normalize("NFC", "quy" + tone)


def _edits(word: str) -> set[str]:
    """Folded strings one letter edit away: deletions, swaps, replacements, insertions
    (none for a word longer than MAX_CORRECTED_LETTERS)."""
    if len(word) > MAX_CORRECTED_LETTERS:
        return set()
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    found = {a + b[1:] for a, b in splits if b}
    found |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    found |= {a + c + b[1:] for a, b in splits if b for c in _LETTERS}
    found |= {a + c + b for a, b in splits for c in _LETTERS}
    found.discard(word)
    found.discard("")
    return found


def _marks(accented: str) -> tuple[str, frozenset[str]]:
    """(tone mark, other marks) of a syllable: 'thống' → ('\u0301', {'\u0302'})."""
    decomposed = unicodedata.normalize("NFD", accented.replace("đ", "d\u0335"))
    tone = next((c for c in decomposed if c in _TONES), "")
    return tone, frozenset(c for c in decomposed if unicodedata.combining(c) and c not in _TONES)


def _mark_distance(a: tuple[str, frozenset[str]], b: tuple[str, frozenset[str]]) -> int:
    return int(a[0] != b[0]) + len(a[1] ^ b[1])
