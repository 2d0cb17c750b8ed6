"""Date-times as spreadsheets write them (``2026/9/1 9:05``): read as ISO 8601 text, one
value at a time (the record route, the command line's options); the columnar route reads a
column of them with the same pattern (:mod:`rulebook.mapping.cells`)."""

from __future__ import annotations

import datetime as dt
import re

#: Date-times as spreadsheets write them (docs/formats.md, "Times"): a 4-digit year, month
#: and day of one or two digits separated by ``/`` or ``-`` (the same both times), a space
#: or ``T``, hours of one or two digits, minutes, optional seconds, an optional offset.
#: ASCII digits only ([0-9], not \\d: the columnar route's regex must read the same).
SPREADSHEET_TIME = (
    r"^([0-9]{4})(?:/([0-9]{1,2})/([0-9]{1,2})|-([0-9]{1,2})-([0-9]{1,2}))[ T]"
    r"([01]?[0-9]|2[0-3]):([0-5][0-9])(?::([0-5][0-9]))?(Z|[+-][0-9]{2}:?[0-9]{2})?$"
)
_SPREADSHEET = re.compile(SPREADSHEET_TIME)


def spreadsheet_iso(value: str) -> str | None:
    """A spreadsheet's date-time as ISO 8601 text; None when ``value`` is not one (or
    names a day that does not exist).

    >>> spreadsheet_iso("2026/9/1 9:05"), spreadsheet_iso(" 2026-09-01 10:00:00 ")
    ('2026-09-01T09:05:00', '2026-09-01T10:00:00')
    >>> spreadsheet_iso("2026/02/30 10:00") is None, spreadsheet_iso("2026/09-01 10:00") is None
    (True, True)
    """
    match = _SPREADSHEET.match(value.strip())
    if match is None:
        return None
    year, m1, d1, m2, d2, hour, minute, second, offset = match.groups()
    day = f"{year}-{(m1 or m2):0>2}-{(d1 or d2):0>2}"
    if not valid_day(day):
        return None
    return f"{day}T{hour:0>2}:{minute}:{second or '00'}{offset or ''}"


def valid_day(day: str) -> bool:
    """Whether ``YYYY-MM-DD`` names a day of the calendar."""
    try:
        dt.date.fromisoformat(day)
    except ValueError:
        return False
    return True
