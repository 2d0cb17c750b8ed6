"""Syntax error recovery: after an error, repair the text so that parsing can go on.

One run of ``rulebook check`` reports every syntax error of a file. After each error the
text is repaired and parsed again from the start:

- where a line starts left of the block still open above it, that block is closed there
  (its ``}`` was forgotten, or went to close a set inside it);
- where the parser needed a brace before the offending token and would then accept the
  token (a set left open, a clause without its ``{``), the brace is put in place of the
  blank before the token;
- otherwise the offending line is blanked out, and with it the whole block the line opens
  (a misspelt clause keyword takes its clause with it).

A repair never moves a character: blanks replace what is removed and a brace replaces a
blank, so every later error is reported at its true line and column. An error that follows
a blanked line directly (nothing but blanks and comments between) is the same mistake seen
again, a cascade: it is repaired too but not reported.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import attrs
from lark import Token
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

#: Give up after this many repairs of one file (each one is a parse of the whole text).
MAX_REPAIRS = 100

_BRACES = (("}", "RBRACE"), ("{", "LBRACE"))


@attrs.frozen
class Repair:
    """The repaired text, and the span of the text that was replaced [start, end)."""

    text: str
    start: int
    end: int
    inserted: str | None  # the brace put in, or None when a line was blanked
    hint: str | None = None  # what the repair suggests the author forgot


def error_offset(text: str, exc: UnexpectedInput) -> int:
    """Where in ``text`` the error is (the end of the text for an unexpected end)."""
    if isinstance(exc, UnexpectedToken):
        if exc.token.type == "$END" or exc.token.start_pos is None:
            return len(text)
        return int(exc.token.start_pos)
    if isinstance(exc, UnexpectedCharacters):
        return int(exc.pos_in_stream or 0)
    return len(text)


def repair(text: str, exc: UnexpectedInput) -> Repair | None:
    """The text with the error at ``exc`` repaired, or None when it cannot be."""
    pos = error_offset(text, exc)
    if isinstance(exc, UnexpectedToken):
        if exc.token.type == "$END":
            if "RBRACE" in (exc.accepts or exc.expected):
                return Repair(text + "\n}", len(text), len(text) + 2, "}")
            return None
        if pos > 0 and text[pos - 1] in " \t":
            opened = _unclosed_above(text, pos)
            if opened is not None and _takes(exc, "RBRACE", "}"):
                hint = f"the '{{' on line {opened} is not closed: is a '}}' missing above?"
                return Repair(text[: pos - 1] + "}" + text[pos:], pos - 1, pos, "}", hint)
            for brace, terminal in _BRACES:
                if _accepted_after(exc, terminal, brace):
                    return Repair(text[: pos - 1] + brace + text[pos:], pos - 1, pos, brace)
    return _blank(text, pos)


def _unclosed_above(text: str, pos: int) -> int | None:
    """The line of the innermost block still open at ``pos`` when ``pos`` starts a line at or
    left of that block's own indentation (so it cannot belong inside it), else None."""
    line_start = text.rfind("\n", 0, pos) + 1
    if text[line_start:pos].strip():
        return None
    opened: list[int] = []
    for i, ch in _braces(text, 0):
        if i >= pos:
            break
        if ch == "{":
            opened.append(i)
        elif opened:
            opened.pop()
    if not opened:
        return None
    header = text.rfind("\n", 0, opened[-1]) + 1
    indent = len(text[header:]) - len(text[header:].lstrip(" \t"))
    if pos - line_start > indent:
        return None
    return text.count("\n", 0, opened[-1]) + 1


def missing_brace(exc: UnexpectedInput) -> str | None:
    """The brace whose absence caused ``exc``, if putting one in would let the parse go on."""
    if not isinstance(exc, UnexpectedToken) or exc.token.type == "$END":
        return None
    return next((b for b, t in _BRACES if _accepted_after(exc, t, b)), None)


def _accepted_after(exc: UnexpectedToken, terminal: str, brace: str) -> bool:
    """Would the parser take the offending token after ``brace``?"""
    return _takes(exc, terminal, brace, then=exc.token.type)


def _takes(exc: UnexpectedToken, terminal: str, brace: str, then: str | None = None) -> bool:
    """Would the parser take ``brace`` where the error is (and the terminal ``then`` next)?"""
    if exc.interactive_parser is None:
        return False
    attempt = _copy(exc.interactive_parser)
    try:
        attempt.feed_token(Token(terminal, brace))
        return then is None or then in attempt.accepts()
    except UnexpectedInput:
        return False


def _copy(parser: Any) -> Any:
    """The interactive parser copied to try a token on, its value stack shared: the values
    are the model's frozen records and tokens, and a deep copy of a deeply nested condition
    ran out of recursion (``rulebook check`` stopped on such a file with a traceback)."""
    try:
        return parser.copy(deepcopy_values=False)
    except TypeError:  # a Lark before `deepcopy_values`
        return parser.copy()


def is_cascade(text: str, offset: int, previous: Repair | None) -> bool:
    """True when the error at ``offset`` directly follows the previous blanked line, or is
    the end of the file again after a brace was put there."""
    if previous is None:
        return False
    if previous.inserted is not None:
        return previous.end == offset == len(text)
    if offset < previous.end:
        return offset >= previous.start
    between = text[previous.end : offset]
    return all(not line.strip() or line.lstrip().startswith("#") for line in between.split("\n"))


def _blank(text: str, pos: int) -> Repair | None:
    """Blank out the line of ``pos``, extended through the end of any block it opens.

    A '}' of the line that closes an earlier block is kept, so the blocks around stay whole.
    """
    start = text.rfind("\n", 0, pos) + 1
    end = _line_end(text, pos)
    kept: set[int] = set()
    depth = 0
    for i, ch in _braces(text, start):
        if i >= end and depth == 0:
            break
        if ch == "{":
            depth += 1
            continue
        if depth == 0 and i != pos:
            kept.add(i)
        depth = max(0, depth - 1)
        if depth == 0 and i >= end:
            end = i + 1
            break
    else:
        end = len(text) if depth else end
    blanked = "".join(
        ch if ch == "\n" or j in kept else " " for j, ch in enumerate(text[start:end], start)
    )
    if blanked == text[start:end]:
        return None
    return Repair(text[:start] + blanked + text[end:], start, end, None)


def matching_brace(text: str, opening: int) -> int | None:
    """The index of the '}' that closes the '{' at ``opening`` (strings and comments skipped)."""
    depth = 0
    for i, ch in _braces(text, opening):
        depth += 1 if ch == "{" else -1
        if depth == 0:
            return i
    return None


def _braces(text: str, start: int) -> Iterator[tuple[int, str]]:
    """The braces of ``text`` from ``start`` on, with their index; not those in strings
    and comments."""
    i = start
    while i < len(text):
        ch = text[i]
        if ch == '"':
            i = _string_end(text, i)
            continue
        if ch == "#":
            i = _line_end(text, i)
            continue
        if ch in "{}":
            yield i, ch
        i += 1


def _line_end(text: str, pos: int) -> int:
    end = text.find("\n", pos)
    return len(text) if end < 0 else end


def _string_end(text: str, pos: int) -> int:
    """The index after the string starting at ``pos`` (its line's end if unterminated)."""
    i = pos + 1
    stop = _line_end(text, pos)
    while i < stop:
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == '"':
            return i + 1
        i += 1
    return stop
