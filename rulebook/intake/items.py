"""Intake: items read from files validated against a contract, each error at its place.

Without ``keep_going`` the first bad item stops the run. With it, every bad item is
reported, the rest is adjudicated, and the counts say how many were read, kept and
rejected: nothing is dropped silently. A record whose cause was rejected is rejected too
(its chain of causes cannot be followed).
"""

from __future__ import annotations

from collections.abc import Callable

import attrs

from rulebook import model as m
from rulebook.intake.billing import Billing, billing_from_mapping
from rulebook.intake.causes import in_cycles, orphans
from rulebook.intake.ongoing import Closing, unclosed
from rulebook.intake.records import (
    RECORD_FIELDS,
    Notice,
    OutageRecord,
    RecordError,
    add_events,
    closure_day,
    notice_from_mapping,
    outage_from_mapping,
    timezone_of,
)
from rulebook.io.readers import Case, Item
from rulebook.reprs import with_repr
from rulebook.text import did_you_mean


@with_repr
@attrs.define(repr=False)
class Intake:
    """Validated input, the errors found, and how many items were read."""

    outages: list[OutageRecord] = attrs.field(factory=list)
    notices: list[Notice] = attrs.field(factory=list)
    billing: list[Billing] = attrs.field(factory=list)
    closures: list[str] = attrs.field(factory=list)
    errors: list[RecordError] = attrs.field(factory=list)
    read: int = 0

    @property
    def rejected(self) -> int:
        """How many outage records were read but not kept."""
        return self.read - len(self.outages)


def take_in(
    contract: m.Contract,
    case: Case,
    keep_going: bool = False,
    progress: Callable[[int], object] | None = None,
    closing: Closing | None = None,
) -> Intake:
    """Validate every item of ``case``; raise the first error unless ``keep_going``.
    ``progress`` is called with 1 for each outage record validated. With ``closing``, an
    ongoing record it cannot close is refused too."""
    assert contract.vocabulary is not None
    vocabulary, tz = contract.vocabulary, timezone_of(contract)
    intake = Intake(read=len(case.outages), closures=list(case.closures))

    def fail(error: RecordError, where: str) -> None:
        error.source = where
        if not keep_going:
            raise error
        intake.errors.append(error)

    check_columns(case, vocabulary)
    seen: dict[str, str] = {}
    for i, item in enumerate(case.outages):
        if progress is not None:
            progress(1)
        if item.problem is not None:
            fail(
                RecordError(f"#{i + 1}", None, item.problem, item.accepted),
                item.where,
            )
            continue
        try:
            record = outage_from_mapping(item.data, vocabulary, tz, i, item.where)
        except RecordError as exc:
            fail(exc, item.where)
            continue
        if record.id in seen:
            fail(
                RecordError(
                    record.id,
                    "id",
                    f"is used twice (first at {seen[record.id]})",
                    "a unique id per record",
                ),
                item.where,
            )
            continue
        seen[record.id] = item.where
        if closing is not None and record.end is None:
            error = unclosed(record.id, record.start, closing.as_of)
            if error is not None:
                fail(error, item.where)
                continue
        intake.outages.append(record)
    _drop_orphans(intake, seen, fail)
    cycles = in_cycles([(r.id, r.causes) for r in intake.outages])
    for index, problem in cycles:
        record = intake.outages[index]
        error = RecordError(record.id, "caused_by", problem, "a chain of causes without cycles")
        fail(error, seen[record.id])
    stuck = {intake.outages[index].id for index, _ in cycles}
    intake.outages = [r for r in intake.outages if r.id not in stuck]
    for kind, items in (("notice", case.notices), ("billing", case.billing)):
        ids: dict[str, str] = {}
        for i, item in enumerate(items):
            if item.problem is not None:
                fail(
                    RecordError(f"#{i + 1}", None, item.problem, item.accepted).of(kind), item.where
                )
                continue
            try:
                if kind == "notice":
                    notice = notice_from_mapping(item.data, vocabulary, tz, i, item.where)
                    if notice.id in ids:
                        raise RecordError(
                            notice.id,
                            "id",
                            f"is used twice (first at {ids[notice.id]})",
                            "a unique id per notice",
                        ).of("notice")
                    ids[notice.id] = item.where
                    intake.notices.append(notice)
                else:
                    intake.billing.append(billing_from_mapping(item.data, i, item.where))
            except RecordError as exc:
                fail(exc, item.where)
    if case.events:
        bad: list[RecordError] = []  # each bad event named, every good one kept
        events = [i.data for i in case.events]
        intake.outages = add_events(intake.outages, events, vocabulary, tz, errors=bad)
        for error in bad:
            fail(error, event_place(case.events, error))
    intake.closures = []
    for i, closure in enumerate(case.closures):
        try:
            closure_day(closure)
            intake.closures.append(closure)
        except RecordError as error:
            places = case.closure_places
            fail(error, places[i] if len(places) == len(case.closures) else f"closures[{i}]")
    return intake


def check_columns(case: Case, vocabulary: m.Vocabulary) -> None:
    """CSV headers name only record fields, facts and events. A bad column makes the whole
    file unusable, so it stops the run even with keep_going (and even with no rows)."""
    known = [*RECORD_FIELDS, *(f.name for f in vocabulary.facts if not f.derived)]
    known += [e.name for e in vocabulary.events]
    for name, header in case.columns.items():
        for column in header:
            if column not in known:
                hint = did_you_mean(column, known)
                error = RecordError(
                    column, None, "is not a field of outage records", ", ".join(known), hint
                )
                error.source = f"{name}:1"
                raise error.of("column")


def _drop_orphans(intake: Intake, kept: dict[str, str], fail: object) -> None:
    """Reject records whose causes are not among the kept records, until none is left."""
    found = orphans([(r.id, r.causes) for r in intake.outages])
    if not found:
        return
    dropped = {intake.outages[index].id for index, _ in found}
    records = intake.outages
    intake.outages = [r for r in records if r.id not in dropped]
    for index, missing in found:
        record = records[index]
        error = RecordError(
            record.id,
            "caused_by",
            f"names '{missing}', which is not among the valid records",
            "ids of valid records in the same input",
        )
        fail(error, kept.get(record.id, ""))  # type: ignore[operator]


def event_place(events: list[Item], error: RecordError) -> str:
    index = int(error.record.lstrip("#")) - 1 if error.record.startswith("#") else -1
    return events[index].where if 0 <= index < len(events) else ""
