"""Normalisation of learners' typed answers.

Text (short-text questions), in this order:

1. Unicode NFKC: full-width letters and digits become ASCII, half-width katakana become full-width;
2. whitespace is trimmed and every run of whitespace becomes one space;
3. case-folded (``str.casefold``) unless the question is case-sensitive;
4. if the question is kana-insensitive, katakana become hiragana (ア -> あ, ヴ -> ゔ, ヽ -> ゝ), so
   "トウキョウ" and "とうきょう" compare equal. The long-vowel mark ー is left alone.

Accepted answers follow the same steps. In an accepted answer ``*`` matches any run of characters
(Moodle's wildcard) and ``\\*`` is a literal asterisk.

Numbers (numeric questions), after NFKC (so "１２．５" is "12.5") and trimming:

- the minus signs "−" (U+2212) and "-" are accepted, and a leading "+";
- commas are thousands separators when they group digits by three after a first group of 1-3 digits
  that does not start with 0 ("1,000" and "12,345.5"), as written in Japan;
- otherwise a single comma with no point is a decimal comma ("12,5" and "0,500" are 12.5 and 0.5);
- then the text must be a plain decimal, optionally with an exponent ("1.5e3"); anything else
  (including "inf", "nan", "1/2" and units) is not a number.
"""

from __future__ import annotations

import math
import re
import unicodedata

_KATAKANA = "".join(chr(code) for code in range(0x30A1, 0x30F7)) + "ヽヾ"
_HIRAGANA = "".join(chr(code - 0x60) for code in range(0x30A1, 0x30F7)) + "ゝゞ"
_KANA_TABLE = str.maketrans(_KATAKANA, _HIRAGANA)

_THOUSANDS = re.compile(r"[+-]?[1-9]\d{0,2}(?:,\d{3})+(?:\.\d+)?")
_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def katakana_to_hiragana(text: str) -> str:
    """Map every katakana letter to its hiragana counterpart."""
    return text.translate(_KANA_TABLE)


def _fold(text: str, *, case_sensitive: bool, kana_insensitive: bool) -> str:
    text = unicodedata.normalize("NFKC", text)
    if not case_sensitive:
        text = text.casefold()
    if kana_insensitive:
        text = katakana_to_hiragana(text)
    return text


def normalize_text(text: str, *, case_sensitive: bool = False, kana_insensitive: bool = False) -> str:
    """Return ``text`` normalised as described in the module docstring."""
    folded = _fold(text, case_sensitive=case_sensitive, kana_insensitive=kana_insensitive)
    return " ".join(folded.split())


def _split_wildcards(pattern: str) -> list[str]:
    """Split an accepted answer on unescaped ``*``; ``\\*`` becomes a literal ``*``."""
    pieces, current, i = [], [], 0
    while i < len(pattern):
        if pattern.startswith("\\*", i):
            current.append("*")
            i += 2
            continue
        if pattern[i] == "*":
            pieces.append("".join(current))
            current = []
        else:
            current.append(pattern[i])
        i += 1
    pieces.append("".join(current))
    return pieces


def text_matches(
    accepted: str, response: str, *, case_sensitive: bool = False, kana_insensitive: bool = False
) -> bool:
    """Whether ``response`` matches the accepted answer ``accepted`` (a blank response never does)."""
    options = {"case_sensitive": case_sensitive, "kana_insensitive": kana_insensitive}
    normalized = normalize_text(response, **options)
    if not normalized:
        return False
    pieces = []
    for piece in _split_wildcards(accepted):
        folded = _fold(piece, **options)
        pieces.append(re.sub(r"\s+", " ", folded))
    pieces[0] = pieces[0].lstrip()
    pieces[-1] = pieces[-1].rstrip()
    if len(pieces) == 1:
        return pieces[0] == normalized
    return _glob(pieces, normalized)


def _glob(pieces: list[str], text: str) -> bool:
    """Whether ``text`` is pieces[0] + anything + pieces[1] + ... + pieces[-1], in linear time.

    Taking each middle piece at its leftmost place is optimal for ``*``-only patterns, so there is no
    backtracking (a regex such as ``.*a.*a.*a.*b`` can take exponential time on a long response).
    """
    first, *middle, last = pieces
    start, end = len(first), len(text) - len(last)
    if end < start or not text.startswith(first) or not text.endswith(last):
        return False
    for piece in middle:
        found = text.find(piece, start, end)
        if found < 0:
            return False
        start = found + len(piece)
    return True


def example_match(accepted: str, *, case_sensitive: bool = False, kana_insensitive: bool = False) -> str:
    """A response that matches the accepted answer: its wildcards dropped, or replaced by "x" if needed."""
    options = {"case_sensitive": case_sensitive, "kana_insensitive": kana_insensitive}
    pieces = _split_wildcards(accepted)
    candidate = "".join(pieces).strip()
    if text_matches(accepted, candidate, **options):
        return candidate
    return "x".join(pieces).strip()


def parse_number(text: str) -> float:
    """Parse a learner's number as described in the module docstring; raise ``ValueError`` if not one."""
    cleaned = unicodedata.normalize("NFKC", text).strip().replace("\u2212", "-")
    if "," in cleaned:
        if _THOUSANDS.fullmatch(cleaned):
            cleaned = cleaned.replace(",", "")
        elif cleaned.count(",") == 1 and "." not in cleaned:
            cleaned = cleaned.replace(",", ".")
    if not _DECIMAL.fullmatch(cleaned):
        raise ValueError(f"not a number: {text!r}")
    value = float(cleaned)
    if not math.isfinite(value):
        raise ValueError(f"not a finite number: {text!r}")
    return value
