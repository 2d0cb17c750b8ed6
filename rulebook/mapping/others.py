"""The maps of the inputs besides the outage log — notices, billing entries, timeline
events —: each file's columns renamed and words mapped by the project file
(``[notices.columns]``, ``[notices.values.FIELD]``), the file refused when it cannot be of
its kind (:mod:`rulebook.intake.kinds`), a calendar's notices completed, and the columns
that are no field left out with one warning a file."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import attrs

from rulebook import limits
from rulebook.intake.billing import BILLING_FIELDS
from rulebook.intake.kinds import MAPPED_IN, refusal
from rulebook.intake.records import EVENT_FIELDS, NOTICE_FIELDS
from rulebook.io.calendars import PROPERTIES as CALENDAR_PROPERTIES
from rulebook.io.readers import InputError, Item
from rulebook.reprs import with_repr
from rulebook.text import near_miss, nfc


@with_repr
@attrs.frozen(repr=False)
class InputMaps:
    """The maps of a notices, billing or events file, checked (``[notices.columns]``)."""

    renames: dict[str, str] = attrs.field(factory=dict)  # column -> field
    ignored: frozenset[str] = frozenset()  # columns mapped to false
    values: dict[str, dict[str, str]] = attrs.field(factory=dict)  # field -> word -> value


def map_other(
    items: list[Item],
    kind: str,
    maps: InputMaps,
    known: Iterable[str],
    strict: bool,
    project_path: str | None,
) -> tuple[list[Item], list[str]]:
    """Notices, events or billing entries with the project's maps of their kind applied
    (``[notices.columns]``, ``[notices.values.FIELD]``), each file refused when it
    cannot be of that kind (:mod:`rulebook.intake.kinds`), and without the keys that
    are no field of theirs (a near miss is kept, and refused with "did you mean"; with
    ``strict`` every one is); one warning per file naming those left out."""
    fields = OTHER_FIELDS[kind]
    items = [_renamed(i, maps) for i in items]
    if kind == "notices":
        items = [_calendar_notice(i) for i in items]
    by_file: dict[str, dict[str, None]] = {}
    for item in items:
        if not item.where.startswith(f"{project_path}:"):  # [billing.SERVICE]
            by_file.setdefault(file_of(item.where), {}).update(dict.fromkeys(item.data))
    for file, keys in by_file.items():
        refused = refusal(kind, file, keys, known)
        if refused is not None:
            raise InputError(refused)
    if strict:
        return items, []
    dropped: dict[str, dict[str, None]] = {}  # file -> keys
    kept = []
    for item in items:
        extra = {
            k: None
            for k in item.data
            if k not in fields and (not k.strip() or near_miss(k, fields) is None)
        }
        if extra:
            file = file_of(item.where)
            dropped.setdefault(file, {}).update(dict.fromkeys(extra))
            data = {k: v for k, v in item.data.items() if k not in extra}
            item = attrs.evolve(item, data=data)
        kept.append(item)
    what = _WORDS[kind]
    warnings = [
        f"warning: {file}: {len(keys)} column(s) that are no field of {what} are "
        f"ignored: {limits.listed(list(keys))}; accepted: {', '.join(fields)}; map one in "
        f"rulebook.toml {MAPPED_IN[kind]} (false there ignores it without this warning); "
        "--strict refuses them (see docs/formats.md)"
        for file, keys in dropped.items()
    ]
    return kept, warnings


def _renamed(item: Item, maps: InputMaps) -> Item:
    """An item's keys as its kind's ``[KIND.columns]`` names them (NFC, stripped;
    ``false`` dropped) and its words as ``[KIND.values.FIELD]`` maps them."""
    if not (maps.renames or maps.ignored or maps.values):
        return item
    data: dict[str, Any] = {}
    for raw, value in item.data.items():
        name = nfc(raw.strip())
        if name in maps.ignored:
            continue
        field = maps.renames.get(name, raw)
        if field in data:
            raise InputError(
                f"{item.where}: columns '{_source_of(item.data, maps, field)}' and '{raw}' "
                f"are both read as field '{field}'; accepted: one column a field"
            )
        words = maps.values.get(field)
        if words and isinstance(value, str):
            value = words.get(nfc(value).strip(), value)
        data[field] = value
    return attrs.evolve(item, data=data)


_CALENDAR_PLACE = re.compile(r": event \d+ \(.*\)$")


def _calendar_notice(item: Item) -> Item:
    """A calendar's notice after the maps: for every service unless a property was read as
    ``service``; the properties left unread dropped without a warning (they are offered to
    the maps, not columns of the user's)."""
    if _CALENDAR_PLACE.search(item.where) is None:
        return item
    data = {k: v for k, v in item.data.items() if k not in CALENDAR_PROPERTIES}
    data.setdefault("service", "*")
    return attrs.evolve(item, data=data)


def file_of(where: str) -> str:
    """The file of an item's place (``log.csv:3``, ``case.json: notices[0]``); a list the
    library was given (``billing[0]``) by its name."""
    file, _, place = where.rpartition(":")
    if file and (place.isdigit() or place.startswith(" ")):
        return file
    listed = re.fullmatch(r"(notices|billing|events|outages)\[\d+\]", where)
    return listed.group(1) if listed else where


def _source_of(data: dict[str, Any], maps: InputMaps, field: str) -> str:
    """The column of ``data`` read as ``field`` first."""
    return next(c for c in data if maps.renames.get(nfc(c.strip()), c) == field)


_WORDS = {
    "notices": "maintenance notices",
    "billing": "billing entries",
    "events": "timeline events",
}
OTHER_FIELDS = {"notices": NOTICE_FIELDS, "billing": BILLING_FIELDS, "events": EVENT_FIELDS}
