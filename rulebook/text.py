"""Words and text for people: the lowest layer, which every other module may import.

The width of text on a terminal (a wide East Asian character takes two cells), the hint
that names the closest known word, Unicode NFC, and :class:`Words` — a sentence in both
languages rulebook writes in.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable

import attrs


def cell_width(char: str) -> int:
    """Cells a character takes on a terminal: 2 for wide and full-width, 0 for a combining
    mark, 1 otherwise (half-width katakana included).

    >>> cell_width("停"), cell_width("ｶ"), cell_width("a")
    (2, 1, 1)
    """
    if unicodedata.combining(char):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def display_width(text: str) -> int:
    """Cells ``text`` takes on a terminal, a tab counted as four.

    >>> display_width("停止ｶﾀｶﾅ")
    8
    """
    return sum(4 if ch == "\t" else cell_width(ch) for ch in text)


def did_you_mean(word: str, candidates: Iterable[str]) -> str | None:
    """A hint naming the closest candidate, or None when nothing is close.

    >>> did_you_mean("casue", ["cause", "location"])
    "did you mean 'cause'?"
    """
    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else None


@attrs.frozen
class Words:
    """A sentence the engine wrote, in both languages."""

    en: str
    ja: str

    def get(self, lang: str) -> str:
        """The sentence in ``lang`` (``ja`` or ``en``)."""
        return self.ja if lang == "ja" else self.en


def nfc(text: str) -> str:
    """``text`` in Unicode normal form C (names are compared in it)."""
    return unicodedata.normalize("NFC", text)
