"""The CRF tagger behind word segmentation: the best labels, CRFsuite's model format."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from searchkit.text.crf import ModelFormatError, read_model, viterbi


def best_by_enumeration(transition: np.ndarray, scores: np.ndarray) -> list[int]:
    """The highest-scoring labelling, trying them all (the first in order among equals)."""
    best, best_score = None, -np.inf
    for labels in itertools.product(range(scores.shape[1]), repeat=len(scores)):
        score = scores[0, labels[0]] + sum(transition[a, b] + scores[i + 1, b]
                                           for i, (a, b) in enumerate(zip(labels, labels[1:])))
        if score > best_score:
            best, best_score = list(labels), score
    return best


def test_many_sequences_at_once_get_the_labels_each_would_get_alone():
    rng = np.random.default_rng(7)
    transition = rng.normal(size=(2, 2))
    lengths = [1, 5, 3, 7, 2, 1, 6]
    scores = rng.normal(size=(sum(lengths), 2))
    starts = np.concatenate(([0], np.cumsum(lengths)))
    together = viterbi(transition, scores, starts).tolist()
    for begin, end in zip(starts[:-1], starts[1:]):
        assert together[begin:end] == best_by_enumeration(transition, scores[begin:end])


@pytest.mark.parametrize("ties", [False, True])
def test_stepping_together_or_finishing_alone_gives_the_same_labels(monkeypatch, ties):
    """A batch of a paragraph's sentences: many short, a few long (finished one by one in
    Python once few still run). Whole-number scores make equal maxima, where the first wins."""
    from searchkit.text import crf

    rng = np.random.default_rng(11)
    lengths = [*rng.integers(1, 9, size=150).tolist(), 40, 90, 90, 200]
    scores = rng.normal(size=(sum(lengths), 2)) * 2
    transition = rng.normal(size=(2, 2))
    if ties:
        scores, transition = np.round(scores), np.round(transition)
    starts = np.concatenate(([0], np.cumsum(lengths)))
    found = {}
    for alone in (0, 3, crf.SCALAR_BELOW, 10 ** 6):  # numpy only ... Python from the second step
        monkeypatch.setattr(crf, "SCALAR_BELOW", alone)
        found[alone] = crf.viterbi(transition, scores, starts).tolist()
    assert len({tuple(labels) for labels in found.values()}) == 1
    assert 0 < sum(found[0]) < len(found[0])  # both labels chosen somewhere
    if not ties:
        for begin, end in zip(starts[:-1], starts[1:]):
            if end - begin <= 8:
                assert found[0][begin:end] == best_by_enumeration(transition, scores[begin:end])


def test_pyvi_model_is_read_with_its_labels_and_weights():
    from importlib.resources import files

    from searchkit.text.segment import _ModelUnpickler

    with (files("pyvi") / "models" / "pyvi3.pkl").open("rb") as stream:
        data = bytes(_ModelUnpickler(stream).load().modelfile.__dict__["__FILE_RESOURCE_DATA__"])
    model = read_model(data)
    assert model.labels == ("B_W", "I_W")
    assert model.attribute("word.lower():thông") < model.absent
    assert model.attribute("word.lower():zqkhông-có") == model.absent
    assert model.state[model.absent].tolist() == [0.0, 0.0]
    assert model.transition[1, 1] != 0  # a word of three syllables: I_W after I_W
    with pytest.raises(ModelFormatError):
        read_model(data[:200])
    with pytest.raises(ModelFormatError):
        read_model(b"PK\x03\x04" + data[4:])
