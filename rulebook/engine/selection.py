"""Records chosen by their own facts and their neighbours': the length of the event a
record belongs to (the derived fact ``event_duration``), and the records a remedy's
`records where` selects (whose time is ``records_time``)."""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from fractions import Fraction
from typing import Any

from rulebook import model as m
from rulebook.conditions import SERVICE, condition_facts
from rulebook.engine import timeline
from rulebook.engine.classify import compile_condition
from rulebook.engine.measure import selections
from rulebook.engine.run import Verdict

#: The derived fact of an event's length (see :func:`event_lengths`).
EVENT_DURATION = "event_duration"
#: The derived fact of a record's own length.
DURATION = "duration"


def event_lengths(verdicts: Iterable[Verdict]) -> dict[str, int]:
    """Each record's event length: one event is the records of one service and one cause
    (those without a cause together) that touch or overlap, merged into one run."""
    groups: dict[tuple[str, Any], list[Verdict]] = {}
    for v in verdicts:
        groups.setdefault((v.record.service, v.record.fact("cause")), []).append(v)
    lengths: dict[str, int] = {}
    for members in groups.values():
        merged = timeline.union((v.record.start, v.end) for v in members)
        starts = [s for s, _ in merged]
        for v in members:
            start, end = merged[bisect.bisect_right(starts, v.record.start) - 1]
            lengths[v.record.id] = end - start
    return lengths


def selected_records(contract: m.Contract, verdicts: list[Verdict]) -> dict[str, set[str]]:
    """Per remedy with `records where`, the ids of the in-scope records it selects: those
    whose own facts (with their length, service and event length, as exclusions see them)
    make the condition true — unknown selects nothing, as an exclusion does not apply."""
    chosen = selections(contract)
    if not chosen:
        return {}
    events = (
        event_lengths(verdicts)
        if EVENT_DURATION in condition_facts(*(cond for _, cond in chosen))
        else {}
    )
    envs = []  # each record's facts, built once for every selecting remedy
    for v in verdicts:
        facts = {
            **v.record.facts,
            "duration": Fraction(v.end - v.record.start),
            SERVICE: v.record.service,
        }
        if events:
            facts[EVENT_DURATION] = Fraction(events[v.record.id])
        envs.append((v.record.id, facts))
    tests = [(cid, compile_condition(cond)) for cid, cond in chosen]
    return {cid: {rid for rid, facts in envs if test(facts) is True} for cid, test in tests}
