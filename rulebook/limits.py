"""The limits rulebook enforces on what it reads (``docs/limits.md``).

Every limit is checked where the input is read, with an error naming the place, so that no
input can make rulebook build a billion-digit number, recurse until Python gives up, or
quote a file that is not a contract.
"""

from __future__ import annotations

import errno
import os
import stat
from typing import Any, BinaryIO

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
#: A condition in a contract has at most this many terms (tests of facts such as
#: ``cause = war``): every stage is linear in them, this bounds the memory (about 7 kB a
#: term while adjudicating).
MAX_CONDITION_TERMS = 100_000
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
    text = value if isinstance(value, str) else shown(value)
    return text if len(text) <= width else text[: width - 1] + "…"


def quoted(value: Any, width: int = 40) -> str:
    """A value for a message, cut to ``width`` characters: text in quotes, anything else
    as :func:`shown` gives it.

    >>> quoted("SERVICE_DEGRADED"), quoted(True), quoted(1e300), quoted(None)
    ("'SERVICE_DEGRADED'", 'true', '1e+300', 'null')
    """
    return f"'{shorten(value, width)}'" if isinstance(value, str) else shorten(value, width)


def shown(value: Any) -> str:
    """A value read from an input, as a message shows it: text quoted, a value JSON has
    (a truth value, null, a number, a list, a map) as JSON writes it (what a JSON or TOML
    input holds), anything else (a Parquet duration, bytes) as its text; never as
    Python's repr.

    >>> shown("x"), shown(True), shown(None), shown([1, 2.5]), shown({"a": False})
    ("'x'", 'true', 'null', '[1, 2.5]', '{"a": false}')
    >>> import datetime; shown(datetime.timedelta(seconds=5))
    '0:00:05'
    """
    if isinstance(value, str):
        return repr(value)
    if value is None or isinstance(value, bool | int | float | list | tuple | dict):
        import json

        try:
            return json.dumps(value, ensure_ascii=False, default=str)
        except ValueError:  # a structure that holds itself
            return repr(value)
    return str(value)


def shorten_path(path: str, width: int = 80) -> str:
    """A path for a message, cut to ``width`` characters at its start: the file's name,
    at the end, is what the message must keep.

    >>> shorten_path("/tmp/" + "d" * 100 + "/nothing.csv", 20)
    '…ddddddd/nothing.csv'
    """
    return path if len(path) <= width else "…" + path[len(path) - width + 1 :]


#: A CSV cell holds at most this many characters (Python's csv module's own limit).
MAX_CSV_CELL = 131_072
#: A Prometheus sample stands for at most this many seconds (``--step``, or the spacing of
#: the samples): one failed daily sample is a day of downtime, never fifty years.
MAX_PROBE_STEP = 86_400
#: A line of a message on standard error holds at most this many characters.
MAX_MESSAGE_LINE = 1_000
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


#: An input file (a log, notices, a case file, an export, standard input) holds at most
#: this many bytes; a contract file at most MAX_CONTRACT_BYTES (tests lower them).
MAX_INPUT_BYTES = 8 << 30
MAX_CONTRACT_BYTES = 16 << 20


class NotReadable(ValueError):
    """A file that is not read: over its size limit, a device, a path no file can have."""


def read_file(path: str | os.PathLike[str], limit: int) -> bytes:
    """The bytes of the file at ``path``, at most ``limit`` of them: a larger file is
    :class:`NotReadable` (a regular file before it is read; a pipe after ``limit`` bytes,
    read a piece at a time), and so is a device that is not empty (``/dev/zero`` never
    ends; ``/dev/null`` reads as nothing) or a path that
    no file can have (a NUL, a name too long). Other errors are the ``OSError`` of
    ``open`` (no such file, no permission), which callers name already."""
    try:
        with open(path, "rb") as file:
            info = os.fstat(file.fileno())
            if stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode):
                if file.read(1):  # /dev/null reads as empty; /dev/zero would never end
                    raise NotReadable("is a device, not a file")
                return b""
            if stat.S_ISREG(info.st_mode):
                if info.st_size > limit:
                    raise NotReadable(too_large(limit))
                # one piece of the size it has (pieces joined were two copies at once)
                data = file.read(info.st_size + 1)
                if len(data) <= info.st_size:
                    return data
                if len(data) > limit:  # it grew while read
                    raise NotReadable(too_large(limit))
                return data + read_stream(file, limit - len(data))
            return read_stream(file, limit)
    except ValueError as exc:  # a NUL in the path
        if isinstance(exc, NotReadable):
            raise
        raise NotReadable("is no path (it holds a NUL character)") from None
    except OSError as exc:
        if exc.errno == errno.ENAMETOOLONG:
            raise NotReadable("is no path (the name is too long)") from None
        if exc.errno == errno.EISDIR:
            raise NotReadable("is a folder, not a file") from None
        raise


def read_stream(stream: BinaryIO, limit: int) -> bytes:
    """A stream's bytes to its end, a piece at a time, at most ``limit`` of them."""
    pieces: list[bytes] = []
    total = 0
    while True:
        piece = stream.read(min(1 << 24, limit + 1 - total))
        if not piece:
            return b"".join(pieces)
        pieces.append(piece)
        total += len(piece)
        if total > limit:
            raise NotReadable(too_large(limit))


def too_large(limit: int) -> str:
    """The words for a file over ``limit`` bytes.

    >>> too_large(16 << 20)
    'is larger than 16 MiB (16,777,216 bytes), the most rulebook reads'
    >>> too_large(1000)
    'is larger than 1,000 bytes, the most rulebook reads'
    """
    size = f"{limit >> 30} GiB" if limit >= 1 << 30 else f"{limit >> 20} MiB"
    size = f"{size} ({limit:,} bytes)" if limit >= 1 << 20 else f"{limit:,} bytes"
    return f"is larger than {size}, the most rulebook reads"


class JSONNumberTooLong(ValueError):
    """An integer in JSON input with more than :data:`MAX_JSON_DIGITS` digits."""


def json_int(text: str) -> int:
    """``int`` for ``json.loads(parse_int=...)``, bounded (Python refuses 4,300 digits with a
    ValueError that names no place; this names the limit)."""
    if len(text.lstrip("-")) > MAX_JSON_DIGITS:
        raise JSONNumberTooLong(text)
    return int(text)
