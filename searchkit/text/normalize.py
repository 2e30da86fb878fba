"""Normalise Vietnamese text so that every spelling of a syllable looks the same.

All functions here keep the length of a syllable unchanged (tone marks move between
precomposed letters), so character offsets found in normalised text stay valid.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

#: The five tone marks as combining characters: sắc, huyền, hỏi, ngã, nặng (the order of the
#: legacy code tables and of Telex's keys s f r x j).
ACUTE, GRAVE, HOOK, TILDE, DOT = "\u0301", "\u0300", "\u0309", "\u0303", "\u0323"
TONES = (ACUTE, GRAVE, HOOK, TILDE, DOT)
TONE_MARKS = frozenset(TONES)
MODIFIED_VOWELS = frozenset("ăâêôơư")
VOWELS = frozenset("aăâeêioôơuưy")
_LOOKALIKES = str.maketrans({"\u00d0": "Đ", "\u00f0": "đ", "\u0189": "Đ", "\u0256": "đ"})
_I_Y_ONSETS = frozenset(
    "b c ch d đ g gh h k kh l m n ng ngh nh p ph qu r s t th tr v x".split()
)
_WIDE_SPACES = r"\t\u00a0\u2000-\u200b\u202f\u205f\u3000"
# Runs to collapse: a space followed by more space, or any other kind of space. A lone
# space (almost every one) is not matched, so a body is scanned but not rewritten.
_SPACES = re.compile(rf" [ {_WIDE_SPACES}]+|[{_WIDE_SPACES}][ {_WIDE_SPACES}]*")
# What `_SPACES` needs to match anything: two spaces, or a space of another kind. Looked for
# first: a regex trying its first branch at every space took half of `normalize_clean`.
_WIDE = re.compile(f"[{_WIDE_SPACES}]")
# The look-alikes are looked for one at a time (`str.__contains__`): four scans of a text for
# one character took 0.9 ns a character of the corpus, one `re` scan testing each character
# against their class 3.3.
_LOOKALIKE_CHARS = tuple(map(chr, _LOOKALIKES))
# Control characters (not tab, newline, carriage return) and lone UTF-16 surrogates, which
# JSON can spell ('\\ud800') and a file name can carry: no text holds them on purpose, and
# pyvi's tagger and UTF-8 encoders fail on them.
_CONTROL_CHARS, _SURROGATE_CHARS = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f", r"\ud800-\udfff"
_CONTROLS, _SURROGATES = re.compile(f"[{_CONTROL_CHARS}]"), re.compile(f"[{_SURROGATE_CHARS}]")
_UNSAFE = re.compile(f"[{_CONTROL_CHARS}{_SURROGATE_CHARS}]")  # either: one scan of clean text


def sanitize(text: str) -> str:
    """Control characters become spaces, lone surrogates U+FFFD (same length: offsets hold).

    >>> sanitize("Trạm\\x00BTS \\ud800")
    'Trạm BTS \\ufffd'
    """
    if not _UNSAFE.search(text):
        return text
    return _SURROGATES.sub("\ufffd", _CONTROLS.sub(" ", text))


def normalize_text(text: str) -> str:
    """Control characters and lone surrogates replaced (see `sanitize`), NFC, Đ look-alikes
    mapped to Đ, Windows/Mac newlines unified, runs of spaces collapsed.

    >>> normalize_text("Ðắk  Nông\\r\\n")
    'Đắk Nông\\n'
    """
    return normalize_clean(sanitize(text))


def normalize_clean(text: str) -> str:
    """`normalize_text` of text already sanitised (`sanitize`): an article's fields and a
    query (`searching.analysed`) go through the same steps, each once.

    >>> normalize_clean("Tra\\u0323m  BTS")
    'Trạm BTS'
    """
    text = unicodedata.normalize("NFC", text)
    if any(map(text.__contains__, _LOOKALIKE_CHARS)):  # str.translate walks the whole text slowly: only when needed
        text = text.translate(_LOOKALIKES)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _SPACES.sub(" ", text) if "  " in text or _WIDE.search(text) else text


@lru_cache(maxsize=4096)
def _split_tone(char: str) -> tuple[str, str]:
    """Split a letter into (letter without tone, tone mark or ''); kept per letter: every
    syllable first seen asks it of each of its letters (a build's 100,000s of syllables)."""
    decomposed = unicodedata.normalize("NFD", char)
    tone = "".join(c for c in decomposed if c in TONE_MARKS)
    base = "".join(c for c in decomposed if c not in TONE_MARKS)
    return unicodedata.normalize("NFC", base), tone[:1]


def _nucleus(letters: list[str]) -> tuple[int, int]:
    """Return [start, end) of the vowel nucleus in a lower-case, toneless syllable."""
    start = 0
    while start < len(letters) and letters[start] not in VOWELS:
        start += 1
    end = start
    while end < len(letters) and letters[end] in VOWELS:
        end += 1
    onset = "".join(letters[:start])
    # 'qu' and 'gi' before another vowel: the u / i belongs to the onset.
    if end - start > 1 and (
        (onset == "q" and letters[start] == "u") or (onset == "g" and letters[start] == "i")
    ):
        start += 1
    return start, end


def _tone_position(letters: list[str]) -> int | None:
    """Index where the tone mark belongs (old style: hòa, thủy, khỏe)."""
    start, end = _nucleus(letters)
    if start >= end:
        return None
    modified = [i for i in range(start, end) if letters[i] in MODIFIED_VOWELS]
    if modified:
        return modified[-1]
    if end < len(letters) or end - start == 3:  # a final consonant, or three vowels
        return end - 1 if end < len(letters) else start + 1
    return start


@lru_cache(maxsize=200_000)
def canonical_syllable(syllable: str) -> str:
    """Put the tone mark of one NFC syllable where the old-style rule puts it.

    >>> canonical_syllable("hoà"), canonical_syllable("uỷ"), canonical_syllable("Thuỷ")
    ('hòa', 'ủy', 'Thủy')
    """
    parts = [_split_tone(c) for c in syllable]
    tones = [tone for _, tone in parts if tone]
    if len(tones) != 1:
        return syllable
    letters = [base for base, _ in parts]
    position = _tone_position([c.lower() for c in letters])
    if position is None:
        return syllable
    letters[position] = unicodedata.normalize("NFC", letters[position] + tones[0])
    return "".join(letters)


def unify_i_y(syllable: str) -> str:
    """Spell a final 'y' after a consonant as 'i': sỹ→sĩ, kỹ→kĩ, lý→lí, quý→quí.

    Lower-case input only. 'y' alone ('y tế', 'ý kiến') and 'uy', 'ay' keep their 'y'.
    """
    last = syllable[-1:]
    if not last or _split_tone(last)[0] != "y" or syllable[:-1] not in _I_Y_ONSETS:
        return syllable
    return syllable[:-1] + unicodedata.normalize("NFC", "i" + _split_tone(last)[1])
