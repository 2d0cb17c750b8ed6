"""The limits rulebook enforces on what it reads (``docs/limits.md``).

Every limit is checked where the input is read, with an error naming the place, so that no
input can make rulebook build a billion-digit number, recurse until Python gives up, or
quote a file that is not a contract.
"""

from __future__ import annotations

from typing import Any

#: A number in an input (a fact, a fee): at most this many characters ...
MAX_NUMBER_CHARS = 50
#: ... and, in scientific notation, an exponent of at most this size (1e30, 1e-30).
MAX_EXPONENT = 30
#: An integer in a JSON input: at most this many digits.
MAX_JSON_DIGITS = 50
#: Arrays and objects in a JSON input nest at most this deep (a case file needs 4).
MAX_JSON_DEPTH = 64
#: Conditions in a contract nest at most this deep (``not``, ``and``, ``or``, parentheses).
MAX_CONDITION_DEPTH = 100
#: A project file (``rulebook.toml``) holds at most this many bytes.
MAX_PROJECT_BYTES = 1 << 20
#: A calendar's recurrences are expanded at most this many years past the last instant it
#: writes (an RRULE without an end), and to at most this many occurrences.
CALENDAR_YEARS = 10
MAX_CALENDAR_OCCURRENCES = 20_000
#: `check --prove` lists at most this many pairs of clauses that decide one outage (there
#: can be a pair for every two clauses); past it, it says that it stopped.
MAX_PAIRS_LISTED = 20
#: The language server reads a message of at most this many bytes, and header lines of at
#: most this many; larger ones are read past in pieces and answered with an error.
MAX_LSP_MESSAGE_BYTES = 64 << 20
MAX_LSP_HEADER_BYTES = 8 << 10
#: Instants are read from the years MIN_YEAR to MAX_YEAR.
MIN_YEAR, MAX_YEAR = 1900, 2999


def number_problem(text: str) -> str | None:
    """What is wrong with the size of a number written as ``text``, or None.

    >>> number_problem("1e999999999")
    'has an exponent of 999999999'
    >>> number_problem("12.5") is None
    True
    """
    if len(text) > MAX_NUMBER_CHARS:
        return f"has {len(text)} characters"
    exponent = text.lower().partition("e")[2]
    try:
        if exponent and abs(int(exponent)) > MAX_EXPONENT:
            return f"has an exponent of {int(exponent)}"
    except ValueError:
        return None  # not a number at all: the caller says so
    return None


NUMBER_ACCEPTED = f"at most {MAX_NUMBER_CHARS} characters and an exponent of at most {MAX_EXPONENT}"


def shorten(value: Any, width: int = 40) -> str:
    """A value as text for a message, cut to ``width`` characters.

    >>> shorten("9" * 100, 10)
    '999999999…'
    """
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= width else text[: width - 1] + "…"


#: A message lists at most this many names (columns, keys) and says how many more there are.
MAX_LISTED = 10


def listed(names: list[str], at_most: int = MAX_LISTED) -> str:
    """Names for a message, each cut by :func:`shorten`, at most ``at_most`` of them.

    >>> listed(["a", "b", "c"], 2)
    'a, b and 1 more'
    """
    shown = ", ".join(shorten(n) for n in names[:at_most])
    more = len(names) - at_most
    return shown if more <= 0 else f"{shown} and {more:,} more"


def json_depth_exceeded(data: Any) -> bool:
    """Whether JSON data nests deeper than :data:`MAX_JSON_DEPTH` (checked without recursion)."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            return True
        if isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values() if isinstance(v, dict | list))
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value if isinstance(v, dict | list))
    return False


class JSONNumberTooLong(ValueError):
    """An integer in JSON input with more than :data:`MAX_JSON_DIGITS` digits."""


def json_int(text: str) -> int:
    """``int`` for ``json.loads(parse_int=...)``, bounded (Python refuses 4,300 digits with a
    ValueError that names no place; this names the limit)."""
    if len(text.lstrip("-")) > MAX_JSON_DIGITS:
        raise JSONNumberTooLong(text)
    return int(text)
