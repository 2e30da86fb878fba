"""Decode query words typed as Telex or VNI keystrokes into Vietnamese syllables.

Users without an input method type the keys themselves: Telex ``truyeenf thoong`` and VNI
``truye62n tho6ng`` both mean ``truyền thông``. A decode is returned only when the result is
a well-formed syllable (`spelling.is_valid_syllable`), so English words and acronyms (``news``, ``BTS``, ``4G``)
stay as typed. Output is NFC with the old-style tone placement (``hòa``, ``thủy``, ``ủy``).

    >>> decode_telex("dduwowngf"), decode_vni("tra5m"), decode_keystrokes("news")
    ('đường', 'trạm', None)

Pure functions over the standard library; nothing is computed at import time beyond tables.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import Callable

from searchkit.text.normalize import ACUTE, DOT, GRAVE, HOOK, TILDE, VOWELS, canonical_syllable
from searchkit.text.spelling import is_valid_syllable

#: No syllable takes more keys than this (`nghieeengx`, `dduwowngf`: 10); longer words are
#: not decoded, so decoding stays linear in the query's length.
MAX_KEYS = 16

_TELEX_TONES = {"s": ACUTE, "f": GRAVE, "r": HOOK, "x": TILDE, "j": DOT}
_VNI_TONES = {"1": ACUTE, "2": GRAVE, "3": HOOK, "4": TILDE, "5": DOT}

_CIRCUMFLEX = {"a": "â", "e": "ê", "o": "ô"}
_HORN = {"o": "ơ", "u": "ư"}
_BREVE = {"a": "ă"}
_TELEX_W = {**_BREVE, **_HORN}
_VNI_MARKS = {"6": _CIRCUMFLEX, "7": _HORN, "8": _BREVE}
# A horn key on these pairs marks both vowels (or the first): thuong7 → thương, huu7 → hưu.
_HORN_PAIRS = {"uo": "ươ", "ưo": "ươ", "uơ": "ươ", "uu": "ưu"}


def decode_telex(word: str) -> str | None:
    """The syllable a Telex-typed word stands for, or None.

    >>> decode_telex("truyeenf"), decode_telex("Hoaf"), decode_telex("uyr"), decode_telex("tools")
    ('truyền', 'Hòa', 'ủy', None)
    """
    if not _looks_typed(word, str.isalpha):
        return None
    letters, tone = "", ""
    for key in word.lower():
        if key in _TELEX_TONES and _has_vowel(letters):
            if tone:
                return None
            tone = _TELEX_TONES[key]
            continue
        letters = _telex_letter(letters, key)
        if letters is None:
            return None
    return _finish(word, letters, tone)


def _telex_letter(letters: str, key: str) -> str | None:
    """Add one non-tone Telex key: aa→â, ee→ê, oo→ô, dd→đ, w→ă/ơ/ư (or ư on its own)."""
    last = letters[-1:]
    if key == "w":
        return _modify(letters, _TELEX_W) if _has_vowel(letters) else letters + "ư"
    if key in _CIRCUMFLEX and last in (key, _CIRCUMFLEX[key]):
        return letters[:-1] + _CIRCUMFLEX[key] if last == key else None
    if key == "d" and last in ("d", "đ"):
        return "đ" if letters == "d" else None
    return letters + key


def decode_vni(word: str) -> str | None:
    """The syllable a VNI-typed word stands for, or None.

    >>> decode_vni("truye62n"), decode_vni("d9uo7ng2"), decode_vni("Tho6ng"), decode_vni("4G")
    ('truyền', 'đường', 'Thông', None)
    """
    if not _looks_typed(word, str.isalnum):
        return None
    letters, tone = "", ""
    for key in word.lower():
        if key in _VNI_TONES:
            if tone or not _has_vowel(letters):
                return None
            tone = _VNI_TONES[key]
        elif key in _VNI_MARKS:
            letters = _modify(letters, _VNI_MARKS[key])
        elif key == "9":
            letters = "đ" + letters[1:] if letters[:1] == "d" else None
        elif key.isdigit():
            return None
        else:
            letters += key
        if letters is None:
            return None
    return _finish(word, letters, tone)


@lru_cache(maxsize=100_000)  # every word of every query is asked: the same words come again
def decode_keystrokes(word: str) -> str | None:
    """Telex, then VNI: the decoded syllable when it differs from the word, else None.

    >>> decode_keystrokes("thoong"), decode_keystrokes("tho6ng"), decode_keystrokes("BTS")
    ('thông', 'thông', None)
    """
    for decode in (decode_telex, decode_vni):
        syllable = decode(word)
        if syllable is not None and syllable != word:
            return syllable
    return None


def _looks_typed(word: str, keys_ok: Callable[[str], bool]) -> bool:
    """ASCII keys in a typed word's case: lower, Capitalised, or ALL CAPS beyond acronym length;
    at most MAX_KEYS of them.

    Inner capitals (DDoS, iOS, WiX) and short capitals (ISP, OS, CO2, U17) are names, not typing.
    """
    if not (0 < len(word) <= MAX_KEYS and word.isascii() and keys_ok(word)):
        return False
    if word.isupper():
        return len(word) > 3
    return word[1:] == word[1:].lower()


def _has_vowel(letters: str) -> bool:
    return any(c in VOWELS for c in letters)


def _nucleus(letters: str) -> tuple[int, int]:
    """[start, end) of the vowel run after the onset; the u of qu / i of gi belong to it."""
    start = 0
    while start < len(letters) and letters[start] not in VOWELS:
        start += 1
    if letters[: start + 1] in ("qu", "gi") and letters[start + 1 : start + 2] in VOWELS:
        start += 1
    end = start
    while end < len(letters) and letters[end] in VOWELS:
        end += 1
    return start, end


def _modify(letters: str, marks: dict[str, str]) -> str | None:
    """Apply a vowel mark to the nucleus: its horn pair, else its last vowel that takes it."""
    start, end = _nucleus(letters)
    nucleus = letters[start:end]
    if marks.get("o") == "ơ":  # a horn key
        for pair, marked in _HORN_PAIRS.items():
            if pair in nucleus:
                return letters[:start] + nucleus.replace(pair, marked, 1) + letters[end:]
    for i in reversed(range(start, end)):
        if letters[i] in marks:
            return letters[:i] + marks[letters[i]] + letters[i + 1 :]
    return None


def _finish(word: str, letters: str, tone: str) -> str | None:
    """Place the tone on the decoded letters, check the syllable, restore the word's case."""
    if not tone and letters.isascii():  # no keystroke marker was typed
        return None
    syllable = _place_tone(_settle_horns(letters), tone)
    if not is_valid_syllable(syllable):
        return None
    if len(word) > 1 and word.isupper():
        return syllable.upper()
    return syllable[0].upper() + syllable[1:] if word[0].isupper() else syllable


def _settle_horns(letters: str) -> str:
    """Horn u+o as the rhyme needs: ươ before a final (đường), uơ at the end (thuở)."""
    start, end = _nucleus(letters)
    nucleus = letters[start:end].replace("ưo", "ươ").replace("uơ", "ươ")
    if nucleus.endswith("ươ") and end == len(letters):
        nucleus = nucleus[:-2] + "uơ"
    return letters[:start] + nucleus + letters[end:]


def _place_tone(letters: str, tone: str) -> str:
    """Put the tone mark on its vowel, old style: hòa, thủy, khỏe, but hoàn, quyết, người."""
    start, _ = _nucleus(letters)
    return canonical_syllable(unicodedata.normalize("NFC", letters[: start + 1] + tone + letters[start + 1 :]))
