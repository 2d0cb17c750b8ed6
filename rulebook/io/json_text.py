"""JSON read strictly: a key given twice in one object, and a ``\\u`` escape that makes a
lone UTF-16 surrogate (no character), are refused where they stand (issue 26). JSON leaves
both to each reader — Python keeps a repeated key's last value, polars its first; Python
keeps a lone surrogate, which then cannot be written as UTF-8 — so rulebook reads neither.
"""

from __future__ import annotations

import json
import json.decoder
import json.scanner
import re
from collections.abc import Callable
from typing import Any

from rulebook.text import has_lone_surrogate

#: A ``\\u`` escape of a surrogate (``\\ud800``-``\\udfff``); a pair of them is one character.
_SURROGATE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_PAIR = re.compile(r"\\u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}")
_SURROGATE_BYTES = re.compile(rb"\\u[dD][89a-fA-F]")


class StrictJSONError(ValueError):
    """A repeated key or a lone surrogate; ``at`` is the offset in the text, when known."""

    def __init__(self, message: str, at: int | None) -> None:
        super().__init__(message)
        self.message, self.at = message, at


class _Duplicate(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key
        self.at: int | None = None


def unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """``object_pairs_hook``: the object, or :class:`_Duplicate` naming a key given twice."""
    data = dict(pairs)
    if len(data) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _Duplicate(key)
            seen.add(key)
    return data


def loads(text: str, parse_int: Callable[[str], Any]) -> Any:
    """``json.loads`` refusing repeated keys and lone surrogates (:class:`StrictJSONError`)."""
    try:
        data = json.loads(text, parse_int=parse_int, object_pairs_hook=unique_pairs)
    except _Duplicate as exc:
        shown = json.dumps(exc.key, ensure_ascii=True)[1:-1]
        raise StrictJSONError(
            f"the key '{shown[:40]}' is given twice in one object; accepted: each key once "
            "(readers differ on which of the two values counts)",
            _object_of_duplicate(text, parse_int),
        ) from None
    if "\\u" in text and _SURROGATE.search(text) and has_surrogate(data):
        at = next(
            (m.start() for m in _SURROGATE.finditer(text) if not _paired(text, m.start())), None
        )
        escape = text[at : at + 6] if at is not None else "\\ud800"
        raise StrictJSONError(
            f"'{escape}' is a lone UTF-16 surrogate, no character; accepted: text whose \\u "
            "escapes make whole characters (a surrogate \\ud800-\\udbff followed by one of "
            "\\udc00-\\udfff)",
            at,
        )
    return data


def _paired(text: str, at: int) -> bool:
    """Whether the surrogate escape at ``at`` is half of a pair (high then low)."""
    return bool(_PAIR.match(text, at) or (at >= 6 and _PAIR.match(text, at - 6)))


def has_surrogate(data: Any) -> bool:
    """Whether decoded JSON holds a lone surrogate in a key or a string (no recursion)."""
    stack = [data]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            if has_lone_surrogate(value):
                return True
        elif isinstance(value, dict):
            stack.extend(value.keys())
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return False


def _object_of_duplicate(text: str, parse_int: Callable[[str], Any]) -> int | None:
    """The offset of the ``{`` of the object with the repeated key: parsed again by the
    pure-Python scanner, which passes each object's start (only after the fast parse
    failed)."""
    decoder = json.JSONDecoder(parse_int=parse_int, object_pairs_hook=unique_pairs)
    plain = json.decoder.JSONObject  # type: ignore[attr-defined]

    def parse_object(state: tuple[str, int], *args: Any) -> Any:
        try:
            return plain(state, *args)
        except _Duplicate as exc:
            if exc.at is None:
                exc.at = state[1] - 1
            raise

    decoder.parse_object = parse_object  # type: ignore[attr-defined]
    decoder.scan_once = json.scanner.py_make_scanner(decoder)  # type: ignore[attr-defined]
    try:
        decoder.decode(text)
    except _Duplicate as exc:
        return exc.at
    except (ValueError, RecursionError):
        return None
    return None


def suspect_bytes(data: bytes, values: int) -> bool:
    """Whether JSON Lines ``data`` may hold a repeated key or a lone surrogate, which polars
    would read silently (a repeated key's first value; a surrogate as NUL): then the record
    route reads it, refusing them at their line. ``values``: the non-null cells polars read.
    Without spaces before a colon, each key's ``":`` is counted at least once a line, and a
    line's count is at least its non-null cells — so equal totals mean no line has a key
    twice (nor an explicit null, nor ``":`` inside a string: those go the slow way too)."""
    if _SURROGATE_BYTES.search(data):
        return True
    if re.search(rb'"[ \t\r\f\v]+:', data):
        return True
    return data.count(b'":') != values
