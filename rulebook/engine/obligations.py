"""Obligations: deadlines between two timeline events, in wall-clock or business time.

An obligation's clock starts at its start event and stops at its stop event. Two events
are derived from the record when it does not give them: ``occurred_at`` is its start (a
clock "from the failure's occurrence") and ``restored_at`` its end. Whether it applies at
all is decided first:

- no start event on the record: the clock never started, ``not_applicable`` — except for
  a lead (``at least``) whose stop event is known: there the start event is the
  performance, so never giving it is ``missed`` once the deadline counted back from the stop
  has passed (``undetermined`` while it has not, at ``as_of``);
- ``when`` false: ``not_applicable``; unknown: ``undetermined``, naming the missing facts;
- an exception (``unless`` or an exception clause) that is established: ``not_applicable``.
  An exception whose facts are unknown does not apply: the provider has to establish it,
  as for exclusions.

Then the deadline: ``within`` a duration (``120 min``), business hours (counted from the
next opening when the start is outside them) or business days (the same business time of
day N business days later); ``by close of Nth business day`` (the end of that day's hours);
or ``at least`` a lead (the stop event must come no sooner). The stop event on or before the
deadline is ``met``; after it, ``missed``; missing, ``missed`` when the deadline had passed
at ``as_of``, else ``undetermined``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs

from rulebook import model as m
from rulebook import units
from rulebook.conditions import EXCLUDED_BY, SERVICE, atoms, condition_facts
from rulebook.engine import calendar as cal
from rulebook.engine.calendar import BusinessCalendar, add_calendar
from rulebook.engine.classify import Compiled, compile_condition
from rulebook.engine.trace import duration_words, json_value
from rulebook.intake.records import OutageRecord, format_instant
from rulebook.reprs import with_repr
from rulebook.text import Words

MET, MISSED, NOT_APPLICABLE, UNDETERMINED = "met", "missed", "not_applicable", "undetermined"


@with_repr
@attrs.frozen(repr=False)
class Outcome:
    """One obligation judged for one record."""

    clause: str
    verdict: str
    start: int | None
    deadline: int | None
    actual: int | None
    margin: int | None  # seconds to spare (negative: late)
    detail: Words
    facts: tuple[tuple[str, Any], ...] = ()
    missing: tuple[str, ...] = ()
    exception: str | None = None
    lifted_by: tuple[str, ...] = ()  # the exclusions that took the record out (`excluded by`)

    def to_dict(self, tz: dt.tzinfo) -> dict[str, Any]:
        """Plain data for JSON."""

        def instant(value: int | None) -> str | None:
            return format_instant(value, tz) if value is not None else None

        out: dict[str, Any] = {
            "clause": self.clause,
            "verdict": self.verdict,
            "start": instant(self.start),
            "deadline": instant(self.deadline),
            "actual": instant(self.actual),
            "margin_seconds": self.margin,
            "detail": {"en": self.detail.en, "ja": self.detail.ja},
        }
        if self.facts:
            out["facts"] = {k: json_value(v) for k, v in self.facts}
        if self.missing:
            out["missing"] = list(self.missing)
        if self.exception:
            out["exception"] = self.exception
        if self.lifted_by:
            out["lifted_by"] = list(self.lifted_by)
        return out


@with_repr
@attrs.frozen(repr=False)
class CompiledObligation:
    """An obligation clause with its conditions compiled."""

    clause: m.ObligationClause
    when: Compiled
    exceptions: tuple[tuple[str, Compiled, frozenset[str]], ...]  # id, test, `excluded by`
    facts: tuple[str, ...]
    calendar: BusinessCalendar | None


def defined_by(cond: m.Condition | None, contract: m.Contract) -> m.Condition | None:
    """``cond`` with every `defined by CLAUSE` replaced by what that downtime clause
    admits: a `protocol` among its probes (when given) and its `when`, exactly the test
    the downtime stage makes."""
    if cond is None:
        return None
    if isinstance(cond, (m.All, m.Any)):
        items = tuple(defined_by(c, contract) or c for c in cond.items)
        return attrs.evolve(cond, items=items)
    if isinstance(cond, m.Not):
        return attrs.evolve(cond, item=defined_by(cond.item, contract) or cond.item)
    if not isinstance(cond, m.DefinedBy):
        return cond
    clause = contract.clause(cond.clause.name)
    assert isinstance(clause, m.DowntimeClause), "check guarantees a downtime clause"
    parts: list[m.Condition] = []
    if clause.probes:
        probes = tuple(m.Code(p.name, p.span) for p in clause.probes)
        parts.append(
            m.Any(
                (
                    m.Known("protocol", False, cond.span),
                    m.Member("protocol", probes, False, cond.span),
                ),
                cond.span,
            )
        )
    if clause.condition is not None:
        parts.append(clause.condition)
    if not parts:
        return m.All((), cond.span)  # a clause with neither admits every record
    return parts[0] if len(parts) == 1 else m.All(tuple(parts), cond.span)


def lifting(cond: m.Condition | None) -> frozenset[str]:
    """The clauses a condition's ``excluded by`` atoms name."""
    return frozenset(
        ref.name for a in atoms(cond) if isinstance(a, m.ExcludedBy) for ref in a.clauses
    )


def compile_obligations(
    contract: m.Contract, calendars: dict[str, BusinessCalendar], tz: dt.tzinfo
) -> list[CompiledObligation]:
    """Every obligation of the contract, with `during` bound to its calendars."""

    def during(instant: int, calendar_id: str) -> bool:
        calendar = calendars[calendar_id]
        day = dt.datetime.fromtimestamp(instant, tz).date()
        return any(s <= instant < e for s, e in cal.business_hours(calendar, day, tz))

    exceptions: dict[str, list[m.ExceptionClause]] = {}
    for clause in contract.clauses:
        if isinstance(clause, m.ExceptionClause):
            for target in clause.targets:
                exceptions.setdefault(target.name, []).append(clause)
    out = []
    for clause in contract.clauses:
        if not isinstance(clause, m.ObligationClause):
            continue
        clause = attrs.evolve(
            clause,
            condition=defined_by(clause.condition, contract),
            unless=defined_by(clause.unless, contract),
        )
        own = (
            [(clause.id, compile_condition(clause.unless, during), lifting(clause.unless))]
            if clause.unless
            else []
        )
        others = [
            (
                e.id,
                compile_condition(defined_by(e.condition, contract), during),
                lifting(e.condition),
            )
            for e in exceptions.get(clause.id, [])
        ]
        conditions = [
            clause.condition,
            clause.unless,
            *(defined_by(e.condition, contract) for e in exceptions.get(clause.id, [])),
        ]
        name = clause.calendar.name if clause.calendar else next(iter(calendars), None)
        out.append(
            CompiledObligation(
                clause,
                compile_condition(clause.condition, during),
                tuple(own + others),
                condition_facts(*conditions),
                calendars.get(name) if name else None,
            )
        )
    return out


def judge(
    ob: CompiledObligation,
    record: OutageRecord,
    as_of: int | None,
    tz: dt.tzinfo,
    excluded_by: frozenset[str] = frozenset(),
) -> Outcome:
    """One obligation for one record; ``excluded_by``, the clauses that wholly excluded the
    record (its verdict), for ``excluded by``."""
    clause = ob.clause
    events = dict(record.events)
    if "restored_at" not in events and record.end is not None:
        events["restored_at"] = record.end  # a closed record was restored at its end
    events.setdefault("occurred_at", record.start)  # the failure occurred when it began
    env = {**record.facts, **events, SERVICE: record.service, EXCLUDED_BY: excluded_by}
    seen = tuple((name, env.get(name)) for name in ob.facts)
    start_name = clause.start_event.name if clause.start_event else ""
    stop_name = clause.stop_event.name if clause.stop_event else ""
    article = clause.citation.article if clause.citation else clause.id
    start = events.get(start_name)
    never_acted = start is None and clause.minimum and stop_name in events
    if start is None and not never_acted:
        return Outcome(
            clause.id,
            NOT_APPLICABLE,
            None,
            None,
            None,
            None,
            Words(
                f"the clock never started: the record has no {start_name}",
                f"計時が開始されていません（{start_name} がありません）",
            ),
            seen,
        )
    applies = ob.when(env)
    if applies is False:
        return Outcome(
            clause.id,
            NOT_APPLICABLE,
            start,
            None,
            None,
            None,
            Words(
                f"its condition does not hold ({article})", f"適用条件を満たしません（{article}）"
            ),
            seen,
        )
    if applies is None:
        missing = tuple(n for n, v in seen if v is None)
        return Outcome(
            clause.id,
            UNDETERMINED,
            start,
            None,
            None,
            None,
            Words(
                "whether it applies depends on facts not given",
                "適用されるかは与えられていない事実によります",
            ),
            seen,
            missing,
        )
    for exception, condition, names in ob.exceptions:
        if condition(env) is True:
            lifted = tuple(sorted(names & excluded_by))
            words = Words(f"the exception {exception} applies", f"例外 {exception} が適用されます")
            if lifted:
                by = ", ".join(lifted)
                words = Words(
                    f"{words.en}: the record is excluded by {by}, outside the SLA",
                    f"{words.ja}: この記録は {by} により除外され、SLA の適用外です",
                )
            return Outcome(
                clause.id,
                NOT_APPLICABLE,
                start,
                None,
                None,
                None,
                words,
                seen,
                exception=exception,
                lifted_by=lifted,
            )
    if start is None:  # a lead never given (never_acted)
        return _never_acted(ob, events[stop_name], as_of, tz, seen)
    deadline = _deadline(ob, start, tz)
    actual = events.get(stop_name)
    due = format_instant(deadline, tz)
    rule = _rule_words(clause)
    if clause.minimum:
        if actual is None:
            return Outcome(
                clause.id,
                UNDETERMINED,
                start,
                deadline,
                None,
                None,
                Words(
                    f"no {stop_name} given; it may come no sooner than {due} ({rule.en})",
                    f"{stop_name} がありません。{due} より前であってはなりません（{rule.ja}）",
                ),
                seen,
                (stop_name,),
            )
        # "1か月前までに": counted back from the stop event, as notice leads are, so month
        # ends clamp on the stop's side (an update on 02-28 needs notice by 01-28).
        assert clause.deadline is not None
        latest = add_calendar(actual, clause.deadline, tz, sign=-1)
        ok = start <= latest
        margin = latest - start
        by = format_instant(latest, tz)
        return Outcome(
            clause.id,
            MET if ok else MISSED,
            start,
            latest,
            actual,
            margin,
            Words(
                f"{start_name} at {format_instant(start, tz)}; for {stop_name} at "
                f"{format_instant(actual, tz)} it was due by {by} ({rule.en}): "
                f"{'met' if ok else 'missed'} by {duration_words(abs(margin)).en}",
                f"{start_name} は {format_instant(start, tz)}、"
                f"{stop_name}（{format_instant(actual, tz)}）のための期限は {by}（{rule.ja}）: "
                f"{'達成' if ok else '未達'}（差 {duration_words(abs(margin)).ja}）",
            ),
            seen,
        )
    else:
        if actual is None:
            if as_of is not None and as_of > deadline:
                return Outcome(
                    clause.id,
                    MISSED,
                    start,
                    deadline,
                    None,
                    deadline - as_of,
                    Words(
                        f"no {stop_name} by {format_instant(as_of, tz)}; "
                        f"it was due by {due} ({rule.en})",
                        f"{format_instant(as_of, tz)} までに {stop_name} がありません。"
                        f"期限は {due}（{rule.ja}）",
                    ),
                    seen,
                )
            return Outcome(
                clause.id,
                UNDETERMINED,
                start,
                deadline,
                None,
                None,
                Words(
                    f"no {stop_name} given; it is due by {due} ({rule.en})",
                    f"{stop_name} がありません。期限は {due}（{rule.ja}）",
                ),
                seen,
                (stop_name,),
            )
        ok = actual <= deadline
        margin = deadline - actual
    verdict = MET if ok else MISSED
    when = format_instant(actual, tz)
    return Outcome(
        clause.id,
        verdict,
        start,
        deadline,
        actual,
        margin,
        Words(
            f"{stop_name} at {when}; {'no sooner than' if clause.minimum else 'due by'} {due} "
            f"({rule.en}): {'met' if ok else 'missed'} by {duration_words(abs(margin)).en}",
            f"{stop_name} は {when}、{'最短' if clause.minimum else '期限'} {due}（{rule.ja}）: "
            f"{'達成' if ok else '未達'}（差 {duration_words(abs(margin)).ja}）",
        ),
        seen,
    )


def _never_acted(
    ob: CompiledObligation,
    stop: int,
    as_of: int | None,
    tz: dt.tzinfo,
    seen: tuple[tuple[str, Any], ...],
) -> Outcome:
    """A lead (``at least``) whose start event never came: the start event *is* the
    performance ("1か月前までに…お知らせします"), so when the later event is known the
    obligation is missed once its deadline, counted back from that event, has passed — at
    ``as_of``, or, without one, because the later event is on record and the deadline lies
    before it. Still to come at ``as_of``: undetermined. Its ``when`` and exceptions are
    judged first, as for any obligation."""
    clause = ob.clause
    assert clause.deadline is not None and clause.start_event and clause.stop_event
    start_name, stop_name = clause.start_event.name, clause.stop_event.name
    latest = add_calendar(stop, clause.deadline, tz, sign=-1)
    rule = _rule_words(clause)
    by = format_instant(latest, tz)
    stopped = format_instant(stop, tz)
    if as_of is not None and as_of <= latest:
        return Outcome(
            clause.id,
            UNDETERMINED,
            None,
            latest,
            None,
            None,
            Words(
                f"no {start_name} yet; for {stop_name} at {stopped} it is due by {by} ({rule.en})",
                f"{start_name} はまだありません。{stop_name}（{stopped}）のための期限は {by}"
                f"（{rule.ja}）",
            ),
            seen,
            (start_name,),
        )
    return Outcome(
        clause.id,
        MISSED,
        None,
        latest,
        stop,
        None,
        Words(
            f"no {start_name} at all: for {stop_name} at {stopped} it was due by {by} ({rule.en})",
            f"{start_name} がありません: {stop_name}（{stopped}）のための期限は {by}（{rule.ja}）",
        ),
        seen,
    )


def _deadline(ob: CompiledObligation, start: int, tz: dt.tzinfo) -> int:
    clause = ob.clause
    assert clause.deadline is not None
    unit = units.canonical(clause.deadline.written)
    assert unit is not None
    n = int(clause.deadline.value)
    if unit.dimension != "business_time":
        return add_calendar(start, clause.deadline, tz)
    assert ob.calendar is not None, "check guarantees a calendar for business time"
    if unit.name == "business hour":
        return cal.add_business_seconds(ob.calendar, start, int(clause.deadline.value * 3600), tz)
    if clause.to_close:
        return cal.end_of_nth_business_day(ob.calendar, start, n, tz)
    return cal.add_business_days(ob.calendar, start, n, tz)


def _rule_words(clause: m.ObligationClause) -> Words:
    assert clause.deadline is not None
    amount = units.show(clause.deadline)
    amount_ja = units.show_ja(clause.deadline)
    article = clause.citation.article if clause.citation else clause.id
    if clause.to_close:
        n = int(clause.deadline.value)
        return Words(
            f"by the close of business day {n}, {article}", f"{n} 営業日目の終業まで、{article}"
        )
    if clause.minimum:
        return Words(
            f"at least {amount} before {clause.stop_event.name if clause.stop_event else 'it'}, "
            f"{article}",
            f"{amount_ja}前まで、{article}",
        )
    return Words(f"within {amount}, {article}", f"{amount_ja}以内、{article}")
