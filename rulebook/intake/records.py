"""Outage records and maintenance notices: validation against the vocabulary, exact time.

Records come in as mappings (from files or callers) and leave as frozen
:class:`OutageRecord` / :class:`Notice` values whose instants are integer POSIX seconds.
A timestamp without an offset is read in the contract's timezone. A fact that is not given
is unknown: it is simply absent from ``facts``.

Every problem raises :class:`RecordError` naming the record, the field, the value and what
would be accepted.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections.abc import Iterable, Mapping
from fractions import Fraction
from typing import Any

import attrs

from rulebook import limits
from rulebook import model as m
from rulebook.countries import COUNTRIES
from rulebook.errors import RulebookError
from rulebook.intake.spreadsheet import spreadsheet_iso
from rulebook.reprs import with_repr
from rulebook.text import did_you_mean

FactValue = str | bool | Fraction | frozenset[str] | tuple[str, ...]

RECORD_FIELDS = ("id", "service", "start", "end")
NOTICE_FIELDS = ("id", "service", "start", "end", "announced_at", "channel", "emergency")


#: A quoted value of a message, long enough to be cut (a 10 MB cell is quoted in 40).
_QUOTED = re.compile(r"'([^'\n]{41,})'")


class RecordError(RulebookError):
    """An input record is invalid: which record, which field, what was wrong, what is accepted."""

    kind = "record"

    def __init__(
        self,
        record: str,
        field: str | None,
        problem: str,
        accepted: str | None = None,
        hint: str | None = None,
        source: str | None = None,
    ) -> None:
        self.record, self.field, self.problem = record, field, problem
        self.accepted, self.hint, self.source = accepted, hint, source
        self.column: str | None = None  # the log's own name of a field it renamed
        self.kind = "record"  # or notice, billing entry, event, argument
        super().__init__(self.render())

    def of(self, kind: str) -> RecordError:
        """The same error, about a ``kind`` of input other than an outage record."""
        self.kind = kind
        self.args = (self.render(),)
        return self

    def __str__(self) -> str:
        return self.render()  # source and kind may be set after the error is made

    def render(self) -> str:
        """``source: record R, field F: problem; accepted: ...; hint``"""
        record = limits.shorten(self.record, 60)
        where = f"{self.kind} {record}" + (f", field '{self.field}'" if self.field else "")
        if self.field and self.column:
            where += f" (column '{self.column}')"
        problem = _QUOTED.sub(lambda q: f"'{limits.shorten(q.group(1))}'", self.problem)
        text = f"{self.source + ': ' if self.source else ''}{where}: {problem}"
        if self.accepted:
            text += f"; accepted: {self.accepted}"
        if self.hint:
            text += f" ({self.hint})"
        return text

    def to_dict(self) -> dict[str, Any]:
        """The same facts as data."""
        return {
            "source": self.source,
            "kind": self.kind,
            "record": self.record,
            "field": self.field,
            "column": self.column,
            "problem": self.problem,
            "accepted": self.accepted,
            "hint": self.hint,
        }


@with_repr
@attrs.frozen(repr=False)
class OutageRecord:
    """One outage of one service: ``[start, end)`` in POSIX seconds, and its known facts."""

    id: str
    service: str
    start: int
    end: int | None  # None: ongoing, closed at the adjudication's as_of
    facts: Mapping[str, FactValue] = attrs.field(factory=dict, eq=False)
    events: Mapping[str, int] = attrs.field(factory=dict, eq=False)  # timeline instants

    def fact(self, name: str) -> FactValue | None:
        """The value of a fact, or None when it is unknown."""
        return self.facts.get(name)

    @property
    def causes(self) -> tuple[str, ...]:
        """Ids of the records that caused this one (``caused_by``)."""
        value = self.facts.get("caused_by")
        return value if isinstance(value, tuple) else ()


@with_repr
@attrs.frozen(repr=False)
class Notice:
    """An announcement of a maintenance window ``[start, end)``; service ``*`` is all."""

    id: str
    service: str
    start: int
    end: int
    announced_at: int | None
    channel: str | None
    emergency: bool | None


# ------------------------------------------------------------------ time


def parse_instant(value: Any, tz: dt.tzinfo, record: str, field: str | None) -> int:
    """An instant as integer POSIX seconds; naive timestamps are read in ``tz``.

    >>> import zoneinfo
    >>> parse_instant("2026-09-01T00:00:00", zoneinfo.ZoneInfo("Asia/Tokyo"), "r1", "start")
    1788188400
    >>> parse_instant("2026-08-31T15:00:00Z", zoneinfo.ZoneInfo("Asia/Tokyo"), "r1", "start")
    1788188400
    """
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, str):
        try:
            moment = dt.datetime.fromisoformat(spreadsheet_iso(value) or value.strip())
        except ValueError:
            raise RecordError(
                record,
                field,
                f"'{limits.shorten(value)}' is not a timestamp",
                "ISO 8601, e.g. 2026-09-01T10:00:00+09:00, or 2026/09/01 10:00 (without an "
                "offset: the contract's timezone)",
            ) from None
    else:
        raise RecordError(
            record, field, f"{limits.shorten(value)} is not a timestamp", "an ISO 8601 string"
        )
    if not limits.MIN_YEAR <= moment.year <= limits.MAX_YEAR:
        raise RecordError(
            record,
            field,
            f"'{limits.shorten(str(value))}' is in the year {moment.year}",
            f"a year from {limits.MIN_YEAR} to {limits.MAX_YEAR}",
        )
    if moment.tzinfo is None:
        moment = _localize(moment, tz, record, field)
    offset = moment.utcoffset()
    if offset is not None and offset % dt.timedelta(seconds=1):
        raise RecordError(
            record,
            field,
            f"'{limits.shorten(str(value))}' has an offset with a fraction of a second",
            "an offset such as +09:00 or Z",
        )
    if moment.microsecond:
        raise RecordError(
            record,
            field,
            f"'{value}' has a fraction of a second",
            "timestamps exact to the second",
        )
    return int(moment.timestamp())


def _localize(moment: dt.datetime, tz: dt.tzinfo, record: str, field: str | None) -> dt.datetime:
    """Attach ``tz``; a wall time that does not exist or happens twice there is an error."""
    first = moment.replace(tzinfo=tz, fold=0)
    second = moment.replace(tzinfo=tz, fold=1)
    if first.utcoffset() != second.utcoffset():
        raise RecordError(
            record,
            field,
            f"'{moment.isoformat()}' is ambiguous or skipped in {tz} (a clock change)",
            "a timestamp with an explicit offset",
        )
    return first


def format_instant(seconds: int, tz: dt.tzinfo) -> str:
    """An instant as ISO 8601 in ``tz``, with its offset."""
    return dt.datetime.fromtimestamp(seconds, tz).isoformat()


def timezone_of(contract: m.Contract) -> zoneinfo.ZoneInfo:
    """The contract's timezone (check_metadata guarantees it exists)."""
    return zoneinfo.ZoneInfo(contract.timezone or "UTC")


# ------------------------------------------------------------------ records


def outage_from_mapping(
    data: Mapping[str, Any],
    vocabulary: m.Vocabulary,
    tz: dt.tzinfo,
    index: int = 0,
    source: str | None = None,
) -> OutageRecord:
    """Validate one outage record given as a mapping of field names to values.

    Empty values (None or "") mean unknown. Unknown fields and codes are errors.
    """
    record = label(data.get("id"), index)
    try:
        rid = _required_text(data, "id", record)
        service = _required_text(data, "service", record)
        start = (
            parse_instant(data.get("start"), tz, record, "start")
            if _given(data.get("start"))
            else None
        )
        if start is None:
            raise RecordError(record, "start", "is missing", "an ISO 8601 timestamp")
        end = parse_instant(data["end"], tz, record, "end") if _given(data.get("end")) else None
        if end is not None and end <= start:
            raise RecordError(
                record,
                "end",
                f"'{data['end']}' is not after start '{data['start']}'",
                "an end later than the start (records are half-open [start, end))",
            )
        facts: dict[str, FactValue] = {}
        events: dict[str, int] = {}
        for name, value in data.items():
            if name in RECORD_FIELDS:
                continue
            if vocabulary.event(name) is not None:
                if _given(value):
                    events[name] = parse_instant(value, tz, record, name)
                continue
            decl = _facts_by_name(vocabulary).get(name)
            if decl is None or decl.derived:
                known = [f.name for f in vocabulary.facts if not f.derived]
                known += [e.name for e in vocabulary.events]
                raise RecordError(
                    record,
                    name,
                    "is not a field of outage records"
                    + (" (it is computed, not given)" if decl is not None else ""),
                    ", ".join([*RECORD_FIELDS, *known]),
                    None if decl is not None else did_you_mean(name, [*RECORD_FIELDS, *known]),
                )
            if _given(value):
                facts[name] = fact_value(decl, value, record)
        return OutageRecord(rid, service, start, end, facts, events)
    except RecordError as exc:
        exc.source = exc.source or source
        raise


_FACT_TABLES: dict[int, tuple[m.Vocabulary, dict[str, m.FactDecl]]] = {}


def _facts_by_name(vocabulary: m.Vocabulary) -> dict[str, m.FactDecl]:
    """The vocabulary's facts by name, built once per vocabulary (records look up every
    field; a linear search per field is the slowest part of reading a large log)."""
    entry = _FACT_TABLES.get(id(vocabulary))
    if entry is None or entry[0] is not vocabulary:
        entry = (vocabulary, {f.name: f for f in vocabulary.facts})
        _FACT_TABLES[id(vocabulary)] = entry
    return entry[1]


def label(rid: Any, index: int) -> str:
    """How a message names a record: its id (one that is not text, as JSON writes it),
    else its number among the records."""
    if not rid:
        return f"#{index + 1}"
    return (
        str(rid) if isinstance(rid, str | int) and not isinstance(rid, bool) else limits.shown(rid)
    )


def _given(value: Any) -> bool:
    return value is not None and value != "" and value != []


def _required_text(data: Mapping[str, Any], field: str, record: str) -> str:
    value = data.get(field)
    if isinstance(value, str):
        value = value.strip()
    if not _given(value) or not isinstance(value, str | int) or isinstance(value, bool):
        raise RecordError(
            record,
            field,
            "is missing" if not _given(value) else f"{limits.shown(value)} is not text",
            "non-empty text",
        )
    return str(value).strip()


#: A number as exports write one: digits (full-width ones too: ``１２``), a sign, a decimal
#: point, an exponent (``3``, ``-2.5``, ``.5``, ``1e3``); not ``1_0`` (Python's grouping) or
#: ``1/3`` (January 3rd in a spreadsheet), which ``Fraction`` would read as 10 and 0.333….
_DECIMAL = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def fact_value(decl: m.FactDecl, value: Any, record: str) -> FactValue:
    """Check and normalise one fact's value against its declaration."""
    if decl.is_set or decl.type == "records":
        items = value.split(";") if isinstance(value, str) else value
        if not isinstance(items, Iterable) or isinstance(items, Mapping):
            raise RecordError(
                record, decl.name, f"{limits.shown(value)} is not a list", "a list (in CSV: a;b)"
            )
        for item in items:  # an id or a code is text (or a whole number, as an id can be)
            if item is not None and (not isinstance(item, str | int) or isinstance(item, bool)):
                raise RecordError(
                    record,
                    decl.name,
                    f"{limits.shorten(value)} holds {limits.shorten(item)}, which is not text",
                    "a list of text or whole numbers (in CSV: a;b)",
                )
        cleaned = [str(i).strip() for i in items if i is not None and str(i).strip()]
        if decl.type == "records":
            return tuple(cleaned)
        for item in cleaned:
            _check_code(decl, item, record)
        return frozenset(cleaned)
    if decl.type == "code":
        if not isinstance(value, str):  # bytes, a truth value, a number: shown as they are
            names = ", ".join(c.name for c in decl.codes)
            raise RecordError(record, decl.name, f"{limits.shorten(value)} is not text", names)
        return _check_code(decl, value.strip(), record)
    if decl.type == "bool":
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("true", "false"):
            return text == "true"
        raise RecordError(
            record, decl.name, f"{limits.shown(value)} is not true or false", "true, false"
        )
    if decl.type == "country":
        if not isinstance(value, str):
            raise RecordError(
                record,
                decl.name,
                f"{limits.shorten(value)} is not text",
                "two capital letters, e.g. JP, US",
            )
        code = value.strip()
        if code not in COUNTRIES:
            raise RecordError(
                record,
                decl.name,
                f"'{code}' is not an ISO 3166-1 alpha-2 country code",
                "two capital letters, e.g. JP, US",
                did_you_mean(code.upper(), sorted(COUNTRIES)) if len(code) == 2 else None,
            )
        return code
    if decl.type in ("number", "duration"):
        accepted = "a number" if decl.type == "number" else "a number of seconds"
        text = str(value).strip()
        too_big = limits.number_problem(text)
        if too_big is not None:  # Fraction("1e999999999") would build a billion digits
            raise RecordError(
                record,
                decl.name,
                f"'{limits.shorten(text)}' {too_big}",
                f"{accepted} of {limits.NUMBER_ACCEPTED}",
            )
        if isinstance(value, bool | list | dict):
            raise RecordError(
                record, decl.name, f"{limits.shorten(value)} is not a number", accepted
            )
        if isinstance(value, Fraction):  # a library caller's exact number, as it is
            return value
        try:
            if not _DECIMAL.fullmatch(text):  # Fraction also reads 1_0 and 1/3
                raise ValueError(text)
            number = Fraction(text)
        except (ValueError, ZeroDivisionError):
            said = limits.quoted(text if isinstance(value, str) else value)
            raise RecordError(
                record,
                decl.name,
                f"{said} is not a number",
                f"{accepted}, e.g. 3, -2.5, 1e3",
            ) from None
        return number
    return str(value)


def _check_code(decl: m.FactDecl, code: str, record: str) -> str:
    if code not in _codes(decl):
        names = [c.name for c in decl.codes]
        raise RecordError(
            record,
            decl.name,
            f"'{code}' is not a {decl.name} code",
            ", ".join(names),
            did_you_mean(code, names),
        )
    return code


def notice_from_mapping(
    data: Mapping[str, Any],
    vocabulary: m.Vocabulary,
    tz: dt.tzinfo,
    index: int = 0,
    source: str | None = None,
) -> Notice:
    """Validate one maintenance notice given as a mapping."""
    record = label(data.get("id"), index)
    try:
        unknown = [k for k in data if k not in NOTICE_FIELDS]
        if unknown:
            raise RecordError(
                record,
                unknown[0],
                "is not a field of maintenance notices",
                ", ".join(NOTICE_FIELDS),
                did_you_mean(unknown[0], NOTICE_FIELDS),
            )
        rid = _required_text(data, "id", record)
        service = _required_text(data, "service", record)
        for field in ("start", "end"):
            if not _given(data.get(field)):
                raise RecordError(record, field, "is missing", "an ISO 8601 timestamp")
        start = parse_instant(data["start"], tz, record, "start")
        end = parse_instant(data["end"], tz, record, "end")
        if end <= start:
            raise RecordError(
                record, "end", f"'{data['end']}' is not after start", "an end later than the start"
            )
        announced = (
            parse_instant(data["announced_at"], tz, record, "announced_at")
            if _given(data.get("announced_at"))
            else None
        )
        channel = None
        channel_decl = vocabulary.fact("channel")
        if _given(data.get("channel")) and channel_decl is not None:
            channel = _check_code(channel_decl, str(data["channel"]).strip(), record)
        emergency = None
        if _given(data.get("emergency")):
            emergency = bool(fact_value(_BOOL, data["emergency"], record))
        return Notice(rid, service, start, end, announced, channel, emergency)
    except RecordError as exc:
        exc.source = exc.source or source
        raise exc.of("notice") from None


_CODE_SETS: dict[int, tuple[m.FactDecl, frozenset[str]]] = {}


def _codes(decl: m.FactDecl) -> frozenset[str]:
    """A fact's codes as a set, built once per declaration (keyed by identity: hashing a
    declaration hashes all its codes)."""
    entry = _CODE_SETS.get(id(decl))
    if entry is None or entry[0] is not decl:
        entry = (decl, frozenset(c.name for c in decl.codes))
        _CODE_SETS[id(decl)] = entry
    return entry[1]


_BOOL = m.FactDecl("emergency", "bool", False, "緊急", "emergency", False, (), m.NOWHERE)


def twice(rid: str, what: str = "record") -> RecordError:
    """The error of an id given a second time."""
    return RecordError(rid, "id", f"the {what} id '{rid}' is used twice", f"a unique id per {what}")


def check_unique(ids: Iterable[str], what: str = "record") -> None:
    """Raise on the first id given twice."""
    seen: set[str] = set()
    for rid in ids:
        if rid in seen:
            raise twice(rid, what)
        seen.add(rid)


EVENT_FIELDS = ("record", "event", "at")


def add_events(
    records: list[OutageRecord],
    events: Iterable[Mapping[str, Any]],
    vocabulary: m.Vocabulary,
    tz: dt.tzinfo,
    source: str | None = None,
    errors: list[RecordError] | None = None,
) -> list[OutageRecord]:
    """Records with the instants of a separate events input (``record``, ``event``,
    ``at``) added; an event given twice with different instants is an error. With
    ``errors``, a bad event is appended there and skipped (the good ones are kept)."""
    by_id = {r.id: r for r in records}
    extra: dict[str, dict[str, int]] = {}
    for i, data in enumerate(events):
        label = f"#{i + 1}"
        try:
            unknown = [k for k in data if k not in EVENT_FIELDS]
            if unknown:
                raise RecordError(
                    label,
                    unknown[0],
                    "is not a field of events",
                    ", ".join(EVENT_FIELDS),
                    did_you_mean(unknown[0], EVENT_FIELDS),
                )
            rid = str(data.get("record") or "")
            if rid not in by_id:
                raise RecordError(
                    label,
                    "record",
                    f"'{rid}' is not an outage record of the input",
                    "the id of an outage record",
                    did_you_mean(rid, sorted(by_id)),
                )
            name = str(data.get("event") or "")
            if vocabulary.event(name) is None:
                names = [e.name for e in vocabulary.events]
                raise RecordError(
                    label,
                    "event",
                    f"'{name}' is not an event",
                    ", ".join(names),
                    did_you_mean(name, names),
                )
            at = parse_instant(data.get("at"), tz, label, "at")
            have = {**by_id[rid].events, **extra.get(rid, {})}
            if name in have and have[name] != at:
                raise RecordError(
                    label,
                    "at",
                    f"record {rid} already has {name} at another instant",
                    "one instant per event and record",
                )
            extra.setdefault(rid, {})[name] = at
        except RecordError as exc:
            exc.source = exc.source or source
            if errors is None:
                raise exc.of("event") from None
            errors.append(exc.of("event"))
    return [
        attrs.evolve(r, events={**r.events, **extra[r.id]}) if r.id in extra else r for r in records
    ]


def closure_day(value: object) -> dt.date:
    """A closure's day: an ISO date in the years rulebook reads."""
    try:
        day = dt.date.fromisoformat(str(value).strip())
        if limits.MIN_YEAR <= day.year <= limits.MAX_YEAR:
            return day
    except ValueError:
        pass
    error = RecordError(
        limits.shorten(str(value)),
        None,
        f"'{limits.shorten(str(value))}' is not a date",
        f"YYYY-MM-DD, in the years {limits.MIN_YEAR} to {limits.MAX_YEAR}",
    )
    raise error.of("closure")


def closure_date(value: dt.date | str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    return closure_day(value)
