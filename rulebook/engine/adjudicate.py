"""The evaluator: every outage cut into counted and excluded segments, every period measured.

The stages run in the order of :data:`STAGES`, each a function over one :class:`Run`:

validate -> scope -> causal closure -> per-service timeline -> downtime threshold ->
maintenance windows -> clause evaluation -> split into periods -> availability ->
remedies -> obligations.

The stages write :class:`~rulebook.engine.run.Verdict` values into the run;
:func:`rulebook.document.records.adjudicate` runs them and turns the run into the JSON
document.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import Any

import attrs

from rulebook import model as m
from rulebook.conditions import (
    DEGRADATION,
    IMPACT,
    SERVICE,
    condition_facts,
    coverage,
    degradation_clause,
)
from rulebook.engine import timeline
from rulebook.engine.calendar import business_calendars
from rulebook.engine.classify import (
    APPLIES,
    DOES_NOT_APPLY,
    RuleSet,
    Tri,
    compile_condition,
    kleene_and,
    result_word,
)
from rulebook.engine.measure import (
    availability_clause,
    customer_start,
    from_start,
    measure,
    no_data,
    observed,
    observed_span,
    periods,
)
from rulebook.engine.obligations import compile_obligations, judge
from rulebook.engine.remedy import settle
from rulebook.engine.run import Run, Segment, Verdict
from rulebook.engine.selection import EVENT_DURATION, event_lengths, selected_records
from rulebook.engine.trace import Reason, Via, degraded
from rulebook.engine.windows import Window, contract_windows
from rulebook.intake.billing import Billing, billing_from_mapping
from rulebook.intake.causes import causal_order
from rulebook.intake.ongoing import closed_end, unclosed
from rulebook.intake.records import (
    Notice,
    OutageRecord,
    RecordError,
    add_events,
    check_unique,
    notice_from_mapping,
    outage_from_mapping,
    twice,
)
from rulebook.satisfiable import magnitude
from rulebook.text import Words

# ------------------------------------------------------------------ stages


def validate(run: Run) -> None:
    """Records and notices checked against the vocabulary; ids unique; ongoing ones closed.
    A record's own problems are found in the order of the records, as the intake finds
    them: its fields, then its id given before, then an end ``as_of`` cannot close."""
    vocabulary = run.contract.vocabulary
    assert vocabulary is not None
    ids: set[str] = set()
    for i, raw in enumerate(run.raw_outages):
        record = (
            raw
            if isinstance(raw, OutageRecord)
            else outage_from_mapping(raw, vocabulary, run.tz, i)
        )
        if record.id in ids:
            raise twice(record.id)
        ids.add(record.id)
        if record.end is None and (error := unclosed(record.id, record.start, run.as_of)):
            raise error
        run.records.append(record)
    for i, raw in enumerate(run.raw_notices):
        notice = raw if isinstance(raw, Notice) else notice_from_mapping(raw, vocabulary, run.tz, i)
        run.notices.append(notice)
    for i, raw in enumerate(run.raw_billing):
        entry = raw if isinstance(raw, Billing) else billing_from_mapping(raw, i)
        if entry.service in run.billing:
            raise RecordError(
                entry.service, "service", "has two billing entries", "one entry per service"
            )
        run.billing[entry.service] = entry
    check_unique((n.id for n in run.notices), "notice")
    if run.raw_events:
        run.records = add_events(run.records, run.raw_events, vocabulary, run.tz)
    run.records.sort(key=lambda r: r.id)  # input order never matters
    run.notices.sort(key=lambda n: n.id)
    for record in run.records:
        run.verdicts[record.id] = Verdict(
            record, closed_end(record.id, record.start, record.end, run.as_of)
        )


def scope(run: Run) -> None:
    """Records of services the contract does not cover are out of scope."""
    found = coverage(run.contract)
    if found is None:
        return
    clause, covers = found
    memo: dict[str, Reason] = {}
    for verdict in run.verdicts.values():
        name = verdict.record.service
        if name not in memo:
            covered = covers(name)
            memo[name] = Reason(
                clause.id,
                "services",
                APPLIES if covered else DOES_NOT_APPLY,
                (("service", name),),
                detail=None
                if covered
                else Words(
                    f"service '{name}' is not covered by this contract",
                    f"サービス「{name}」はこの契約の対象外です",
                ),
                decisive=not covered,
            )
        reason = memo[name]
        verdict.reasons.append(reason)
        if reason.result == DOES_NOT_APPLY:
            verdict.verdict = "out_of_scope"


def causal_closure(run: Run) -> None:
    """Causes before effects; unknown ids and cycles are input errors."""
    run.causal = causal_order(run.records)


def per_service_timeline(run: Run) -> None:
    """Group the in-scope records that can be downtime by service (probes, `when`)."""
    downtime = downtime_clause(run.contract)
    probes = frozenset(p.name for p in downtime.probes) if downtime else frozenset()
    condition = compile_condition(downtime.condition) if downtime else None
    looked_at = condition_facts(downtime.condition) if downtime else ()
    degradations = degradation_clause(run.contract)
    for verdict in run.verdicts.values():
        if verdict.verdict != "counted":
            continue
        record = verdict.record
        if degradations is not None and record.fact(IMPACT) == DEGRADATION:
            verdict.reasons.append(degraded(degradations))
            verdict.verdict = "not_downtime"
            continue
        if downtime is not None:
            value: Tri = True
            facts = tuple((n, record.fact(n)) for n in looked_at)
            protocol = record.fact("protocol")
            if probes and protocol is not None and protocol not in probes:
                value = False
                facts = (("protocol", protocol), *facts)
            elif condition is not None:
                given = record.facts
                if SERVICE in looked_at:
                    given = {**given, SERVICE: record.service}
                facts = tuple((n, given.get(n)) for n in looked_at)
                value = condition(given)
            missing = tuple(n for n, v in facts if v is None) if value is None else ()
            verdict.reasons.append(
                Reason(
                    downtime.id,
                    "downtime",
                    result_word(value),
                    facts,
                    missing,
                    decisive=value is False,
                )
            )
            if value is False:
                verdict.verdict = "not_downtime"
                continue
        run.downtime_candidates.setdefault(record.service, []).append(verdict)


def downtime_threshold(run: Run) -> None:
    """A physical stoppage (or, if the contract says so, a record) shorter than the
    threshold is not downtime."""
    downtime = downtime_clause(run.contract)
    if downtime is None or downtime.threshold is None:
        return
    threshold = downtime.threshold
    limit = magnitude(threshold.quantity) or 0
    op = threshold.op or ">="
    per_record = downtime.reading is not None and downtime.reading.name == "record"
    for verdicts in run.downtime_candidates.values():
        if per_record:
            runs = {v.record.id: (v.record.start, v.end) for v in verdicts}
        else:
            merged = timeline.union((v.record.start, v.end) for v in verdicts)
            starts = [s for s, _ in merged]
            runs = {
                v.record.id: merged[bisect.bisect_right(starts, v.record.start) - 1]
                for v in verdicts
            }
        for verdict in verdicts:
            start, end = runs[verdict.record.id]
            length = end - start
            ok = length >= limit if op == ">=" else length > limit
            reading = (
                Words("the record", "記録")
                if per_record
                else Words(
                    "the stoppage (all records of the service as one run)",
                    "連続した停止（サービスの全記録を一続きとして）",
                )
            )
            verdict.reasons.append(
                Reason(
                    downtime.id,
                    "downtime",
                    APPLIES if ok else DOES_NOT_APPLY,
                    (("stoppage_seconds", length),),
                    detail=Words(
                        f"{reading.en} lasted {length} s; the threshold is {op} {int(limit)} s",
                        f"{reading.ja}は {length} 秒、閾値は {op} {int(limit)} 秒",
                    ),
                    decisive=not ok,
                )
            )
            if not ok:
                verdict.verdict = "not_downtime"
    for service, verdicts in run.downtime_candidates.items():
        run.downtime_candidates[service] = [v for v in verdicts if v.verdict == "counted"]


def maintenance_windows(run: Run) -> None:
    """Announced windows judged against the notice rules; recurring windows generated."""
    if not run.verdicts:
        return
    starts = [v.record.start for v in run.verdicts.values()]
    run.span = observed_span(availability_clause(run.contract), run.tz, starts, run.given)
    start, end = min(starts), max(v.end for v in run.verdicts.values())
    if run.span is not None:  # the windows of every period measured
        start, end = min(start, run.span[0]), max(end, run.span[1])
    run.windows = contract_windows(run.contract, run.notices, run.tz, start, end, run.closures)


def evaluate_clauses(run: Run) -> None:
    """Exclusions (whole records, with related causes) and windows (overlaps only)."""
    rules = RuleSet.of(run.contract)
    related = [c for c in rules.exclusions if getattr(rules.rules[c].clause, "related", False)]
    order = run.causal or [r.id for r in run.records]
    hits: dict[str, dict[str, tuple[Tri, Sequence[str]]]] = {cid: {} for cid in related}
    maintenance = [c for c in run.contract.clauses if isinstance(c, m.MaintenanceClause)]
    causes = {cause for r in run.records for cause in r.causes} if run.causal else set()
    derived = any("duration" in rule.facts for rule in rules.rules.values())
    named = any(SERVICE in rule.facts for rule in rules.rules.values())
    events = (
        event_lengths(run.verdicts.values())
        if any(EVENT_DURATION in rule.facts for rule in rules.rules.values())
        else {}
    )
    for rid in order:
        verdict = run.verdicts[rid]
        record = verdict.record
        memo: dict[str, Tri] = {}
        if derived or named or events:  # derived: its own and its event's length; its service
            facts = dict(record.facts)
            if derived:
                facts["duration"] = Fraction(verdict.end - record.start)
            if events:
                facts[EVENT_DURATION] = Fraction(events[rid])
            if named:
                facts[SERVICE] = record.service
            record = attrs.evolve(record, facts=facts)
        if verdict.verdict != "counted" and rid not in causes:
            continue
        if verdict.verdict != "counted":
            # Not downtime or not covered: no clause can change that, but it may still be
            # the cause of a record that is, so related clauses are evaluated for it.
            for cid in related:
                own = rules.evaluate(cid, record.facts, memo)
                hits[cid][rid] = _related(own, record, hits[cid])
            continue
        whole: str | None = None
        for cid in (*rules.exclusions, *rules.inclusions):
            value = rules.evaluate(cid, record.facts, memo)
            via: Sequence[str] = ()
            if cid in hits:
                value, via = hits[cid][rid] = _related(value, record, hits[cid])
            decisive = (
                whole is None
                and value is True
                and cid in rules.exclusions
                and not _included(rules, cid, record, memo)
            )
            if decisive:
                whole = cid
            verdict.reasons.append(rules.reason(cid, record.facts, memo, value, via, decisive))
        if whole is not None:
            verdict.verdict = "excluded"
            verdict.segments.append(Segment(record.start, verdict.end, "excluded", whole, ""))
        else:
            _window_segments(run, verdict, maintenance)


def _included(rules: RuleSet, exclusion: str, record: OutageRecord, memo: dict[str, Tri]) -> bool:
    """An inclusion that applies and is not overridden by this exclusion wins (check
    guarantees they cannot both apply without a declared order)."""
    return any(
        rules.evaluate(cid, record.facts, memo) is True
        and exclusion not in rules.rules[cid].cancelled_by
        for cid in rules.inclusions
    )


def _related(
    own: Tri, record: OutageRecord, seen: dict[str, tuple[Tri, Sequence[str]]]
) -> tuple[Tri, Sequence[str]]:
    """Whether a related clause applies to the record or to one of its causes, and through
    which chain of records: a link to the deciding cause's chain (linear, not a copy)."""
    causes = record.causes
    if own is True or not causes:
        return own, ()
    best: tuple[Tri, Sequence[str]] = (own, ())
    for cause in sorted(causes):
        value, via = seen.get(cause, (None, ()))
        if value is True:
            return True, Via(record.id, via if isinstance(via, Via) else cause)
        if value is None and best[0] is False:
            best = (None, ())
    return best


def _record_holds(
    clause: m.MaintenanceClause, record: OutageRecord
) -> tuple[Tri, tuple[tuple[str, Any], ...], tuple[str, ...]]:
    """A maintenance clause's `when` for one record (its given facts and its service): the
    value, the facts it looked at, the facts it missed."""
    if clause.condition is None:
        return True, (), ()
    given = {**record.facts, SERVICE: record.service}
    names = condition_facts(clause.condition)
    seen = tuple((n, given.get(n)) for n in names)
    value = compile_condition(clause.condition)(given)
    return value, seen, tuple(n for n, v in seen if v is None) if value is None else ()


def _window_segments(run: Run, verdict: Verdict, maintenance: list[m.MaintenanceClause]) -> None:
    record = verdict.record
    span = [(record.start, verdict.end)]
    excluded: list[tuple[int, int, str]] = []
    by_clause: dict[str, list[Window]] = {}
    for window in run.windows:
        if window.start >= verdict.end:
            break
        if window.end <= record.start or window.service not in ("*", record.service):
            continue
        by_clause.setdefault(window.clause, []).append(window)
    for clause in maintenance:
        windows = by_clause.get(clause.id, [])
        if not windows:
            verdict.reasons.append(Reason(clause.id, "maintenance", DOES_NOT_APPLY))
            continue
        own = _record_holds(clause, record)
        for window in windows:
            value = kleene_and((window.qualifies, own[0]))
            overlap = timeline.clip(span, window.start, window.end)
            if value is True:
                excluded.extend((s, e, clause.id) for s, e in overlap)
            facts = (("notice", window.notice),) if window.notice else ()
            missing: tuple[str, ...] = ()
            if value is None:
                missing = ("announced_at",) if window.qualifies is None else own[2]
            verdict.reasons.append(
                Reason(
                    clause.id,
                    "maintenance",
                    result_word(value),
                    (*facts, *own[1]),
                    missing,
                    detail=window.detail,
                    decisive=value is True,
                )
            )
    excluded.sort()
    cursor = record.start
    pieces: list[tuple[int, int, str, str | None]] = []
    for start, end, cid in excluded:
        start = max(start, cursor)
        if end <= start:
            continue
        if start > cursor:
            pieces.append((cursor, start, "counted", None))
        pieces.append((start, end, "excluded", cid))
        cursor = end
    if cursor < verdict.end:
        pieces.append((cursor, verdict.end, "counted", None))
    verdict.segments.extend(Segment(s, e, status, cid, "") for s, e, status, cid in pieces)
    statuses = {p[2] for p in pieces}
    verdict.verdict = (
        "partly_excluded" if len(statuses) == 2 else pieces[0][2] if pieces else "counted"
    )


def split_periods(run: Run) -> None:
    """Every segment cut at period boundaries; whole-record statuses become segments."""
    if not run.verdicts:
        return
    start = min(v.record.start for v in run.verdicts.values())
    end = max(v.end for v in run.verdicts.values())
    if run.span is not None:  # found with the windows: every period it overlaps is cut
        start, end = min(start, run.span[0]), max(end, run.span[1])
    run.period_cuts = periods(availability_clause(run.contract), run.tz, start, end)
    bounds = [p.start for p in run.period_cuts]
    for verdict in run.verdicts.values():
        if verdict.verdict in ("out_of_scope", "not_downtime"):
            verdict.segments = [
                Segment(verdict.record.start, verdict.end, verdict.verdict, None, "")
            ]
        cut: list[Segment] = []
        for seg in verdict.segments:
            s = seg.start
            i = bisect.bisect_right(bounds, s) - 1
            while s < seg.end:
                period = run.period_cuts[i]
                e = min(seg.end, period.end)
                cut.append(Segment(s, e, seg.status, seg.clause, period.label))
                s, i = e, i + 1
        verdict.segments = cut


def availability(run: Run) -> None:
    """Per service and period: denominator, downtime (union: no double counting), target."""
    clause = availability_clause(run.contract)
    target = clause.target if clause is not None else None
    minus = {r.name for r in clause.denominator_minus} if clause is not None else set()
    by_service: dict[str, list[Verdict]] = {}
    for verdict in run.verdicts.values():
        if verdict.verdict != "out_of_scope":
            by_service.setdefault(verdict.record.service, []).append(verdict)
    chosen = selected_records(run.contract, [v for vs in by_service.values() for v in vs])
    for service in sorted(by_service):
        verdicts = by_service[service]
        counted = timeline.union(
            (s.start, s.end) for v in verdicts for s in v.segments if s.status == "counted"
        )
        excluded = timeline.subtract(
            timeline.union(
                (s.start, s.end) for v in verdicts for s in v.segments if s.status == "excluded"
            ),
            counted,
        )
        planned = timeline.union(
            (w.start, w.end)
            for w in run.windows
            if w.clause in minus and w.qualifies is True and w.service in ("*", service)
        )
        # the customer's periods begin at their contract start (measure.customer_start)
        since = customer_start(run.billing.get(service), run.tz)
        first = min(v.record.start for v in verdicts)
        if since is not None:
            first = max(first, since)  # (instants before 1970 are negative)
        last = max(v.end for v in verdicts)
        began: dict[str, int] = {}  # period -> earliest start of a record counted in it
        for v in verdicts:
            for s in v.segments:
                if s.status == "counted":
                    began[s.period] = min(began.get(s.period, v.record.start), v.record.start)
        for cut in run.period_cuts:
            period = from_start(cut, since)
            if period is None:
                continue  # before the customer's start: not theirs
            inside = observed(period, run.span)
            if not inside and (period.end <= first or period.start >= last):
                continue
            incident = began.get(period.label)
            if incident is not None and since is not None:
                incident = max(incident, since)  # the customer's incident began at their start
            selected = {
                cid: timeline.union((v.record.start, v.end) for v in verdicts if v.record.id in ids)
                for cid, ids in chosen.items()
            }
            measured = measure(period, counted, excluded, planned, target, incident, selected)
            run.periods.append((service, measured if inside else no_data(measured)))


def remedies(run: Run) -> None:
    """What each breached period owes: the first remedy clause that applies, in file order."""
    run.remedies = settle(run.contract, run.periods, run.billing, run.tz)


def obligations(run: Run) -> None:
    """Every obligation judged for every record of a covered service."""
    compiled = compile_obligations(
        run.contract, business_calendars(run.contract, run.closures), run.tz
    )
    if not compiled:
        return
    for verdict in run.verdicts.values():
        if verdict.verdict == "out_of_scope":
            continue
        excluded_by = frozenset(
            s.clause for s in verdict.segments if s.status == "excluded" and s.clause
        )
        if verdict.verdict != "excluded":
            excluded_by = frozenset()  # only a record wholly outside the SLA lifts
        for ob in compiled:
            verdict.obligations.append(judge(ob, verdict.record, run.as_of, run.tz, excluded_by))


#: The stages, in the order they run.
STAGES: tuple[Callable[[Run], None], ...] = (
    validate,
    scope,
    causal_closure,
    per_service_timeline,
    downtime_threshold,
    maintenance_windows,
    evaluate_clauses,
    split_periods,
    availability,
    remedies,
    obligations,
)


def downtime_clause(contract: m.Contract) -> m.DowntimeClause | None:
    return next((c for c in contract.clauses if isinstance(c, m.DowntimeClause)), None)
