"""Linear-chain CRF models in CRFsuite's file format, applied with numpy to many sequences at once.

pyvi segments words with a CRFsuite model. CRFsuite's own tagger (pycrfsuite) takes one
sentence at a time as lists of attribute strings and spent about 3 µs per syllable turning
them into its own structures: with the Python that built those lists, two thirds of the time
of indexing an article. Here the model's weights are read once into arrays; a caller sums
each syllable's attribute weights with array lookups (`CrfModel.state`) and `viterbi` finds
the best labels of every sentence of a batch together, one step per position.

The arithmetic is CRFsuite's, in its order: a state score is the sum of its attributes'
weights from left to right starting at 0 (an absent attribute adds an exact 0.0), and the
Viterbi recursion keeps the first of equal maxima. The labels are therefore the same as
pycrfsuite's, bit for bit (`tests/test_segment.py` compares them with pyvi on real text).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Mapping

import numpy as np

_HEADER = struct.Struct("<4sI4s9I")  # magic, size, type, version, counts and chunk offsets
_FEATURE = struct.Struct("<IIId")  # type (0 state, 1 transition), source, destination, weight
#: `viterbi` finishes each sequence alone once this many or fewer are still running: a numpy
#: step costs about as much as 60 sequences stepped in Python (fastest at 48-64 of 8-512 tried).
SCALAR_BELOW = 64
_STATE, _TRANSITION = 0, 1


class ModelFormatError(ValueError):
    """The bytes are not a CRFsuite first-order model this module can read."""


@dataclass(frozen=True)
class CrfModel:
    """A CRFsuite model as arrays.

    `state[a, y]` is the weight of attribute number `a` for label `y`; its last row, for
    attributes the model does not know (`absent`), is all zeros. `transition[x, y]` is the
    weight of label `y` following label `x`.
    """

    labels: tuple[str, ...]
    attributes: Mapping[str, int]
    state: np.ndarray
    transition: np.ndarray

    @property
    def absent(self) -> int:
        """The attribute number that weighs nothing: any name the model does not know."""
        return len(self.attributes)

    def attribute(self, name: str) -> int:
        """The number of an attribute, or `absent`.

        >>> model = CrfModel(("B", "I"), {"bias": 0}, np.zeros((2, 2)), np.zeros((2, 2)))
        >>> model.attribute("bias"), model.attribute("word.lower():trạm")
        (0, 1)
        """
        return self.attributes.get(name, len(self.attributes))


def read_model(data: bytes) -> CrfModel:
    """Parse a CRFsuite model file (format 'FOMC', as `crfsuite learn` writes it)."""
    try:
        magic, _, kind, _, _, _, _, features, labels, attributes, _, _ = _HEADER.unpack_from(data, 0)
        if magic != b"lCRF" or kind != b"FOMC":
            raise ModelFormatError(f"not a CRFsuite first-order model (magic {magic!r}, type {kind!r})")
        label_names = _strings(data, labels)
        attribute_names = _strings(data, attributes)
        state = np.zeros((len(attribute_names) + 1, len(label_names)))
        transition = np.zeros((len(label_names), len(label_names)))
        chunk, _, count = struct.unpack_from("<4sII", data, features)
        if chunk != b"FEAT":
            raise ModelFormatError(f"no feature chunk at byte {features}")
        for kind_, source, target, weight in _FEATURE.iter_unpack(data[features + 12:features + 12 + count * 20]):
            (state if kind_ == _STATE else transition)[source, target] = weight
    except (struct.error, IndexError, UnicodeDecodeError) as error:
        raise ModelFormatError(f"damaged CRFsuite model: {error}") from error
    return CrfModel(tuple(label_names), {name: i for i, name in enumerate(attribute_names)}, state, transition)


def _strings(data: bytes, start: int) -> list[str]:
    """The strings of a CQDB chunk in id order, read from its id → record table."""
    chunk, _, _, _, count, table = struct.unpack_from("<4s5I", data, start)
    if chunk != b"CQDB":
        raise ModelFormatError(f"no string table at byte {start}")
    names = [""] * count
    for (offset,) in struct.iter_unpack("<I", data[start + table:start + table + 4 * count]):
        number, size = struct.unpack_from("<II", data, start + offset)
        names[number] = data[start + offset + 8:start + offset + 7 + size].decode("utf-8")
    return names


def viterbi(transition: np.ndarray, scores: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """The best label of every position of many sequences laid end to end.

    `scores[p, y]`: state score of label `y` at position `p`; `starts`: where each
    sequence begins, then the total length. Sequences are stepped through together,
    longest first, so the loop runs as many times as the longest sequence is long; with two
    labels, once SCALAR_BELOW or fewer still run (a batch's longest paragraphs), each is
    finished alone (`_finish2`).

    >>> transition = np.array([[0.0, 1.0], [-1.0, 0.0]])
    >>> viterbi(transition, np.array([[1.0, 0.0], [0.0, 0.5], [2.0, 0.0]]), np.array([0, 2, 3])).tolist()
    [0, 1, 0]
    """
    lengths = np.diff(starts)
    order = np.argsort(-lengths, kind="stable")
    first, sizes = starts[:-1][order], lengths[order]
    active = np.searchsorted(-sizes, -np.arange(int(lengths.max(initial=0))), side="left")
    # active[t]: sequences longer than t (lengths sorted in decreasing order)
    back = np.zeros(scores.shape, dtype=np.int8)
    last = np.zeros(len(order), dtype=np.int8)  # best final label, by sorted sequence
    alpha = scores[first]
    two = transition.shape == (2, 2)
    together = _steps_together(active, SCALAR_BELOW) if two else len(active)
    for t in range(1, together):
        n, ended = active[t], slice(active[t], active[t - 1])
        last[ended] = alpha[ended].argmax(axis=1)
        at = first[:n] + t
        alpha = (_step2 if two else _step)(alpha[:n], transition, scores[at], back, at)
    running = active[together] if together < len(active) else 0  # sequences longer than that
    if len(active):
        last[running:active[together - 1]] = alpha[running:].argmax(axis=1)
    labels = np.zeros(len(scores), dtype=np.int8)
    labels[first[running:] + sizes[running:] - 1] = last[running:]
    for k in range(running):
        begin, end = int(first[k]) + together, int(first[k] + sizes[k])
        labels[begin:end] = _finish2(alpha[k], transition, scores, back, begin, end)
    for t in range(min(together, len(active) - 1) - 1, -1, -1):
        at = first[:active[t + 1]] + t
        labels[at] = back[at + 1, labels[at + 1]]
    return labels


def _steps_together(active: np.ndarray, alone: int = SCALAR_BELOW) -> int:
    """How many steps `viterbi` takes for all running sequences at once (`active[t]`: how
    many run at step t): until `alone` or fewer run, at least one (the first scores), every
    step when more run to the end.

    >>> _steps_together(np.array([40, 30, 20, 9, 2, 1]), 16), _steps_together(np.array([40, 30]), 16)
    (3, 2)
    """
    few = np.flatnonzero(active <= alone)
    return max(int(few[0]), 1) if len(few) else len(active)


def _finish2(alpha: np.ndarray, transition: np.ndarray, scores: np.ndarray, back: np.ndarray,
             begin: int, end: int) -> list[int]:
    """The best labels of positions `begin` to `end` of one sequence of two labels whose
    scores at `begin - 1` are `alpha`, and their best previous labels into `back`: the sums
    and choices of `_step2`, in the same floats, one position at a time in Python (a numpy
    step over one sequence costs some twenty times as much).

    >>> transition, scores = np.array([[0.0, 1.0], [-1.0, 0.0]]), np.array([[1.0, 0.0], [0.0, 0.5], [2.0, 0.0]])
    >>> back = np.zeros((3, 2), dtype=np.int8)
    >>> _finish2(scores[0], transition, scores, back, 1, 3), back.tolist()
    ([1, 0], [[0, 0], [0, 0], [1, 1]])
    """
    (a0, a1), (t00, t01), (t10, t11) = alpha.tolist(), *transition.tolist()
    chosen = []
    for s0, s1 in scores[begin:end].tolist():
        stay, move = a0 + t00, a1 + t10
        b0 = move > stay  # label 1 only when strictly better, as `_step2`
        n0 = (move if b0 else stay) + s0
        stay, move = a0 + t01, a1 + t11
        b1 = move > stay
        a0, a1 = n0, (move if b1 else stay) + s1
        chosen.append((b0, b1))
    back[begin:end] = chosen
    label = int(a1 > a0)  # the first of equal maxima
    found = [label] * (end - begin)
    for p in range(end - begin - 1, 0, -1):
        label = found[p - 1] = int(chosen[p][label])
    return found


def _step(alpha: np.ndarray, transition: np.ndarray, scores: np.ndarray, back: np.ndarray, at: np.ndarray) -> np.ndarray:
    """One Viterbi step of every sequence still running: the best previous label of each
    label into `back[at]`, and the new scores."""
    candidates = alpha[:, :, None] + transition[None, :, :]  # [sequence, from, to]
    best = candidates.argmax(axis=1)  # the first of equal maxima, as CRFsuite
    back[at] = best
    return np.take_along_axis(candidates, best[:, None, :], axis=1)[:, 0, :] + scores


def _step2(alpha: np.ndarray, transition: np.ndarray, scores: np.ndarray, back: np.ndarray, at: np.ndarray) -> np.ndarray:
    """`_step` for two labels (pyvi's B_W and I_W), label by label: the same sums, and the
    first of equal maxima (label 1 only when strictly better), without 3-D temporaries.

    >>> alpha, transition = np.array([[1.0, 0.0], [0.0, 2.0]]), np.array([[0.0, 1.0], [-1.0, 0.0]])
    >>> scores, back, at = np.zeros((2, 2)), np.zeros((2, 2), dtype=np.int8), np.array([0, 1])
    >>> kept, other = back.copy(), back.copy()
    >>> bool((_step2(alpha, transition, scores, kept, at) == _step(alpha, transition, scores, other, at)).all())
    True
    >>> kept.tolist() == other.tolist() == [[0, 0], [1, 1]]
    True
    """
    new = np.empty_like(alpha)
    for to in (0, 1):
        stay, move = alpha[:, 0] + transition[0, to], alpha[:, 1] + transition[1, to]
        better = move > stay
        back[at, to] = better
        new[:, to] = np.where(better, move, stay) + scores[:, to]
    return new
