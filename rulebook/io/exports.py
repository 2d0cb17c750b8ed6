"""What the importers share: an export read as JSON, its ids and timestamps, entries that
cannot be used, and notes that say what the entries became.

Notes are counted, not listed one a line: a file of 157 incidents gives a few lines, each
with a count and the first entries; ``verbose`` lists every entry on its own line.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import attrs

from rulebook import limits
from rulebook.io.readers import InputError, load_json, read_text
from rulebook.reprs import with_repr

#: Entries named in a note before "and N more".
SHOWN = 3


def load_export(path: str) -> tuple[Any, str]:
    """The JSON of an export and the name to report it by."""
    text, name = read_text(path)
    try:
        return load_json(text, name), name
    except json.JSONDecodeError as exc:
        raise InputError(f"{name}:{exc.lineno}:{exc.colno}: not JSON ({exc.msg})") from None


def export_id(value: Any) -> str | None:
    """An id from an export: text or a whole number, else None (never the text 'None')."""
    if isinstance(value, bool) or not isinstance(value, str | int) or value == "":
        return None
    return str(value)


def objects(value: Any) -> list[dict[str, Any]]:
    """The objects of a list from an export; anything else in it is left out."""
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def shown(value: Any) -> str:
    """A value from an export for a message: text in quotes, anything else in JSON's words.

    >>> shown("SERVICE_DEGRADED"), shown(True), shown(1e300), shown(None)
    ("'SERVICE_DEGRADED'", 'true', '1e+300', 'null')
    """
    return limits.quoted(value)


def _iso_time(value: Any) -> dt.datetime | None:
    """An ISO 8601 date-time, or None when ``value`` is not one."""
    if not isinstance(value, str):
        return None
    try:
        return dt.datetime.fromisoformat(value.strip())
    except ValueError:
        return None


def timestamp(value: Any) -> Any:
    """A record's timestamp from an export, to the second: the fraction of a second that
    Statuspage writes (``…T10:00:00.441Z``) is dropped. A value that is not a timestamp is
    kept as it is, so that validation names the field it was given for."""
    moment = _iso_time(value)
    return moment.replace(microsecond=0).isoformat() if moment and moment.microsecond else value


def to_second(moment: dt.datetime) -> str:
    """An instant as rulebook reads it: ISO 8601 to the second."""
    return moment.replace(microsecond=0).isoformat()


class Unusable(Exception):
    """An entry of an export that cannot be read: where inside it, what is wrong and what
    is accepted. The entry is rejected as one bad input item."""

    def __init__(self, part: str, problem: str, accepted: str) -> None:
        super().__init__(problem)
        self.part, self.problem, self.accepted = part, problem, accepted


def timed_updates(
    raw: Any, part: str, times: tuple[str, str], accepted: str
) -> list[tuple[dt.datetime, int, dict[str, Any]]]:
    """An incident's updates (the list at ``part``), each with the instant it was posted
    (the first of the fields ``times`` it has) and its index, earliest first. An update
    that is not an object, or whose instant is missing or has no UTC offset, is named."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise Unusable(part, "is not a list", f"a list of updates ({accepted})")
    found = []
    for k, update in enumerate(raw):
        if not isinstance(update, dict):
            raise Unusable(f"{part}[{k}]", "is not an update", f"an object with {accepted}")
        value = update.get(times[0], update.get(times[1]))
        moment = _iso_time(value)
        if moment is None or moment.tzinfo is None:
            said = f"has no '{times[0]}'" if value is None else f"'{times[0]}' {shown(value)}"
            raise Unusable(
                f"{part}[{k}]",
                said + ("" if value is None else " is not a timestamp with an offset"),
                "an ISO 8601 timestamp with its offset, e.g. 2026-09-03T10:00:00+09:00",
            )
        found.append((moment, k, update))
    return sorted(found, key=lambda u: u[:2])


@with_repr
@attrs.define(repr=False)
class Notes:
    """What entries of one file became, grouped by what happened to them."""

    name: str
    verbose: bool = False
    groups: dict[tuple[str, str], dict[str, None]] = attrs.field(factory=dict)

    def add(self, what: str, entry: str, unit: str = "incident(s)") -> None:
        """Say that ``entry`` (``incidents[3] (ID)``) ``what`` (became, was changed); an
        entry is counted once per kind of note."""
        self.groups.setdefault((what, unit), {})[entry] = None

    def lines(self, headline: str | None = None) -> list[str]:
        """One line per group (every entry with ``verbose``), after ``headline``."""
        out = [f"{self.name}: {headline}"] if headline else []
        for (what, unit), group in self.groups.items():
            entries = list(group)
            if self.verbose:
                out += [f"{self.name}: {entry}: {what}" for entry in entries]
                continue
            shown = ", ".join(entries[:SHOWN])
            more = len(entries) - SHOWN
            if more > 0:
                shown += f" and {more} more (--verbose lists each)"
            out.append(f"{self.name}: {len(entries)} {unit}: {what}: {shown}")
        return out
