"""The types of the library's arguments, checked at the door: a wrong type is an
:class:`~rulebook.errors.ArgumentError` naming the argument, never a TypeError or a
KeyError from deep inside."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from pathlib import PurePath
from typing import Any

from rulebook import model as m
from rulebook.errors import ArgumentError
from rulebook.limits import MAX_NUMBER_CHARS, shorten
from rulebook.text import has_lone_surrogate


def _type(value: Any) -> str:
    return "None" if value is None else f"a {type(value).__name__}"


def contract(value: Any) -> m.Contract:
    """A loaded contract (``rulebook.load_contract``)."""
    if not isinstance(value, m.Contract) or value.vocabulary is None:
        raise ArgumentError(
            f"contract: {_type(value)} ({shorten(value)}); accepted: a contract from "
            "rulebook.load_contract"
        )
    return value


def items(value: Any, name: str, kinds: tuple[type, ...], accepted: str) -> list[Any]:
    """A list of ``kinds`` from any iterable but text and mappings (a dict is not a list)."""
    if not isinstance(value, Iterable) or isinstance(value, str | bytes | Mapping):
        raise ArgumentError(
            f"{name}: {_type(value)} ({shorten(value)}); accepted: a list of {accepted}"
        )
    found = list(value)
    for i, item in enumerate(found):
        if not isinstance(item, kinds) or isinstance(item, bool):
            raise ArgumentError(
                f"{name}[{i}]: {_type(item)} ({shorten(item)}); accepted: {accepted}"
            )
        if isinstance(item, Mapping):
            _values(item, f"{name}[{i}]")
    return found


def _values(item: Mapping[Any, Any], where: str) -> None:
    """Refuse a key or a value (or an item of a list of them) that no reader of a file
    could have made (issue 26): text with a lone UTF-16 surrogate — no character, which no
    output can write —, or an integer far past the bound of numbers (Python cannot even
    write one of 4,300 digits as text)."""
    for key, value in item.items():
        for one in (key, *(value if isinstance(value, list | tuple) else (value,))):
            if isinstance(one, str) and has_lone_surrogate(one):
                raise ArgumentError(
                    f"{where}: field '{_escaped(key)}': '{_escaped(one)}' holds a lone UTF-16 "
                    "surrogate, no character; accepted: text of whole characters"
                )
            if isinstance(one, int) and one.bit_length() > _MAX_BITS:
                digits = int(one.bit_length() * 0.30103) + 1
                raise ArgumentError(
                    f"{where}: field '{_escaped(key)}': an integer of about {digits} digits; "
                    f"accepted: a number of at most {MAX_NUMBER_CHARS} characters"
                )


#: Integers of more bits have more than MAX_NUMBER_CHARS digits (and are refused here,
#: before anything writes them as text); smaller ones are checked where they are read.
_MAX_BITS = int(MAX_NUMBER_CHARS / 0.30103) + 1


def _escaped(value: Any) -> str:
    """Text for a message, a lone surrogate as ``\\ud800``, cut by :func:`shorten`."""
    return shorten(str(value).encode("utf-8", "backslashreplace").decode("utf-8"))


def instant(value: Any, name: str = "as_of") -> str | dt.datetime | None:
    """An instant argument: an ISO 8601 string, a datetime, or None."""
    if value is not None and not isinstance(value, str | dt.datetime):
        raise ArgumentError(f"{name}: {_type(value)}; accepted: an ISO 8601 string or a datetime")
    return value


def paths(value: Any) -> list[str | PurePath]:
    """Paths of files: a list of strings or paths (one string is one path)."""
    if isinstance(value, str | PurePath):
        return [value]
    return items(value, "paths", (str, PurePath), "paths of contract files")


def text(value: Any, name: str) -> str:
    if not isinstance(value, str):
        raise ArgumentError(f"{name}: {_type(value)} ({shorten(value)}); accepted: text")
    return value
