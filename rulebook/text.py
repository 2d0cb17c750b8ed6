"""Words and text for people: the lowest layer, which every other module may import.

The width of text on a terminal (a wide East Asian character takes two cells), the hint
that names the closest known word, Unicode NFC, and :class:`Words` — a sentence in both
languages rulebook writes in.
"""

from __future__ import annotations

import difflib
import functools
import unicodedata
from collections.abc import Iterable

import attrs

from rulebook.reprs import with_repr


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


@with_repr
@attrs.frozen(repr=False)
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


def markdown_text(text: str) -> str:
    """Markdown whose text came from input or a contract, with no raw HTML: every ``<``
    written ``&lt;`` (rulebook's own Markdown never writes a tag), so an id such as
    ``<img src=x onerror=…>`` is shown as text by any renderer, never run.

    >>> markdown_text("a <script>x</script> & b")
    'a &lt;script>x&lt;/script> & b'
    """
    return text.replace("<", "&lt;")


def has_lone_surrogate(text: str) -> bool:
    """Whether ``text`` holds a lone UTF-16 surrogate (from a JSON ``\\ud800`` escape or a
    Python string), which is no character and cannot be written as UTF-8.

    >>> has_lone_surrogate("a\\ud800"), has_lone_surrogate("Σ😀")
    (True, False)
    """
    if text.isascii():
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def near_miss(name: str, fields: Iterable[str]) -> str | None:
    """The field ``name`` is a near miss of — the same but for case, spaces or hyphens, or
    one edit away (two for long names) — else None. A near miss is refused with "did you
    mean", never dropped: a misspelt ``cause`` column must not vanish.

    >>> near_miss("casue", ["cause"]), near_miss("Start", ["start"]), near_miss("note", ["id"])
    ('cause', 'start', None)
    >>> near_miss("status", ["start"]), near_miss("duration", ["location"])
    (None, None)
    """
    folded = name.lower().replace("-", "_").replace(" ", "_")
    known = tuple(fields)
    if folded in known:
        return folded
    index = _deletions_index(known)
    if len(folded) > index.longest + 2 or len(set(folded).difference(index.alphabet)) > 2:
        return None  # more than two edits from every field
    # Only a field sharing a string of deletions with the name can be two edits away (a
    # swap or a change is one deletion on each side): the edits are counted for those only,
    # so a row of 10^5 columns that are no field costs 10^5 small lookups (issue 26).
    close = set().union(*(index.by_deletion.get(d, ()) for d in _deletions(folded)))
    best: tuple[int, str] | None = None
    for field in known:
        if field not in close:
            continue
        distance = _edits(folded, field)
        if best is None or distance < best[0]:
            best = (distance, field)
    if best is None:
        return None
    return best[1] if best[0] <= (1 if len(best[1]) < 8 else 2) else None


@with_repr
@attrs.frozen(repr=False)
class _DeletionsIndex:
    """Known words by every string made from them by deleting at most two characters."""

    by_deletion: dict[str, frozenset[str]]
    longest: int
    alphabet: frozenset[str]  # the characters of the words


@functools.lru_cache(maxsize=64)
def _deletions_index(fields: tuple[str, ...]) -> _DeletionsIndex:
    by_deletion: dict[str, set[str]] = {}
    for field in fields:
        for deleted in _deletions(field):
            by_deletion.setdefault(deleted, set()).add(field)
    return _DeletionsIndex(
        {k: frozenset(v) for k, v in by_deletion.items()},
        max(map(len, fields), default=0),
        frozenset("".join(fields)),
    )


def _deletions(word: str) -> set[str]:
    """``word`` and every string made from it by deleting one or two characters."""
    once = {word[:i] + word[i + 1 :] for i in range(len(word))}
    return {word} | once | {w[:i] + w[i + 1 :] for w in once for i in range(len(w))}


def _edits(a: str, b: str) -> int:
    """The optimal string alignment distance (edits, a swap of neighbours counting one)."""
    if abs(len(a) - len(b)) > 2:
        return 3
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        row = [i]
        for j, cb in enumerate(b, start=1):
            cost = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cost = min(cost, previous2[j - 2] + 1)
            row.append(cost)
        previous2, previous = previous, row
    return previous[-1]
