"""The columnar plan: the record engine's stages, a column at a time.

The contract compiles to polars expressions once (:mod:`rulebook.columnar.translate`); the
stages below run them over the frame of records in the order of :data:`STAGES`, the same
order as the record engine's (:data:`rulebook.engine.adjudicate.STAGES`):

close ongoing records -> scope -> downtime condition -> threshold on the physical run ->
maintenance windows -> exclusions (with related causes) -> window segments -> periods ->
availability -> remedies -> obligations.

What is small is not redone: maintenance windows, periods, availability arithmetic and
remedies are computed by the record engine's own functions from the plan's sums. The
causal graph is walked once over its edges only. Values a double cannot hold exactly (a
fact of ``0.1``) are decided by the record engine's compiled closures for the records that
carry them; :attr:`Plan.fallback` counts those records.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from fractions import Fraction
from typing import Any

import attrs
import polars as pl

import rulebook.columnar.translate as tr
from rulebook import model as m
from rulebook.conditions import condition_facts, coverage
from rulebook.engine import timeline
from rulebook.engine.adjudicate import (
    EVENT_DURATION,
    availability_clause,
    business_calendars,
    closed_end,
    contract_windows,
    downtime_clause,
    settle,
)
from rulebook.engine.classify import RuleSet, Tri, compile_condition
from rulebook.engine.measure import Measure, Period, measure_seconds, periods
from rulebook.engine.obligations import Outcome, compile_obligations, judge
from rulebook.engine.remedy import Remedy
from rulebook.engine.windows import Window
from rulebook.intake.billing import Billing
from rulebook.intake.causes import causal_order
from rulebook.intake.records import FactValue, Notice, OutageRecord, RecordError
from rulebook.satisfiable import magnitude

COUNTED, EXCLUDED, NOT_DOWNTIME, OUT_OF_SCOPE, PARTLY_EXCLUDED = (
    "counted",
    "excluded",
    "not_downtime",
    "out_of_scope",
    "partly_excluded",
)
#: Verdicts and segment statuses inside the plan: small integers, not strings (the
#: result casts them to text where a frame leaves it).
STATUS = pl.Enum([COUNTED, EXCLUDED, NOT_DOWNTIME, OUT_OF_SCOPE, PARTLY_EXCLUDED])


def _status(name: str) -> pl.Expr:
    return pl.lit(name, dtype=STATUS)


@attrs.define
class Plan:
    """The state the columnar stages share while adjudicating one frame."""

    contract: m.Contract
    tz: dt.tzinfo
    frame: pl.DataFrame  # the records: row, id, service, start, end, facts, events
    notices: list[Notice]
    billing: dict[str, Billing]
    closures: frozenset[dt.date]
    as_of: int | None
    exact: dict[str, dict[str, Fraction]] = attrs.field(factory=dict)
    facts: dict[str, m.FactDecl] = attrs.field(factory=dict)
    edges: pl.DataFrame | None = None  # caused_by as (row, cause_row), from the intake
    ancestry: pl.DataFrame | None = None  # or: id, sure, maybe resolved by a driver
    services: list[str] = attrs.field(factory=list)  # by number (`svc`)
    clause_ids: pl.Enum = attrs.field(init=False)  # `deciding` and `clause` are of this type
    fallback: set[str] = attrs.field(factory=set)  # ids decided by the record closures
    windows: list[Window] = attrs.field(factory=list)
    period_cuts: list[Period] = attrs.field(factory=list)
    pieces: pl.DataFrame | None = None  # window segments of counted records
    whole: pl.DataFrame | None = None  # each record's span (or window pieces), with status
    cuts: pl.DataFrame | None = None  # the periods: i, p_start, p_end, period
    segments: pl.DataFrame | None = None  # `whole` cut at the periods: see cut_segments
    periods: list[tuple[str, Measure]] = attrs.field(factory=list)
    remedies: dict[tuple[str, str], Remedy | None] = attrs.field(factory=dict)
    obligations: dict[str, list[Outcome]] = attrs.field(factory=dict)

    def __attrs_post_init__(self) -> None:
        self.clause_ids = pl.Enum(list(dict.fromkeys(c.id for c in self.contract.clauses)))

    def clause(self, cid: str | None) -> pl.Expr:
        """A clause id (or none) as a literal of :attr:`clause_ids`."""
        return pl.lit(cid, dtype=self.clause_ids)


# ------------------------------------------------------------------ stages


def close(plan: Plan) -> None:
    """Ongoing records end at ``as_of``; the duration fact is the record's own length.
    Each record gets a number (``pos``, its place in the frame) and its service's number
    (``svc``, in the order of the names), which the stages below join and sort on."""
    frame = plan.frame
    ongoing = frame.filter(pl.col("end").is_null())
    if ongoing.height:
        offending = (
            ongoing if plan.as_of is None else ongoing.filter(pl.col("start") >= plan.as_of)
        ).sort("id")
        if offending.height:
            # The record engine's error, for the first such record by id.
            closed_end(offending["id"][0], offending["start"][0], None, plan.as_of)
    names = sorted(frame["service"].unique().to_list())
    plan.services = names
    plan.frame = (
        frame.with_columns(
            svc=pl.col("service").cast(pl.Enum(names)).to_physical().cast(pl.Int64),
            ongoing=pl.col("end").is_null(),
            end=pl.col("end").fill_null(pl.lit(plan.as_of, dtype=pl.Int64)),
            status=_status(COUNTED),
            deciding=plan.clause(None),
        )
        .with_columns(duration=(pl.col("end") - pl.col("start")).cast(pl.Float64))
        .with_row_index("pos")
        .with_columns(pl.col("pos").cast(pl.Int64))
    )
    if _names_event_duration(plan.contract):
        plan.frame = _event_lengths(plan.frame)


def _names_event_duration(contract: m.Contract) -> bool:
    conditions = [
        c
        for clause in contract.clauses
        for c in (getattr(clause, "condition", None), getattr(clause, "unless", None))
        if c is not None
    ]
    return EVENT_DURATION in condition_facts(*conditions)


def _event_lengths(frame: pl.DataFrame) -> pl.DataFrame:
    """``event_duration``: the length of the run of the service's records of one cause
    (those without a cause together) that touch or overlap, as :func:`event_lengths`:
    the runs of :func:`_runs`, which sorts each group by start (the input's order must
    not matter)."""
    if "cause" in frame.columns:  # each cause a number, 0 for none
        code = frame.select(pl.col("cause").rank("dense").fill_null(0).cast(pl.Int64)).to_series()
    else:
        code = pl.repeat(0, frame.height, dtype=pl.Int64, eager=True)
    most = code.max()
    kinds = (most if isinstance(most, int) else 0) + 1
    runs = _runs(
        frame.select("pos", "start", "end", "svc").with_columns(__code=code),
        pl.col("svc") * kinds + pl.col("__code"),
    ).select("pos", length=pl.col("__last") - pl.col("__first"))
    lengths = _scatter(frame.height, runs["pos"], runs["length"])
    return frame.with_columns(event_duration=lengths.cast(pl.Float64))


def scope(plan: Plan) -> None:
    """Records of services the contract does not cover are out of scope."""
    found = coverage(plan.contract)
    if found is None:
        return
    clause, covered = found
    outside = [code for code, name in enumerate(plan.services) if not covered(name)]
    plan.frame = _decide(plan, plan.frame, pl.col("svc").is_in(outside), OUT_OF_SCOPE, clause.id)


def downtime_condition(plan: Plan) -> None:
    """Probes and the downtime clause's `when`: a record they rule out is not downtime."""
    clause = downtime_clause(plan.contract)
    if clause is None:
        return
    value: pl.Expr = pl.lit(_condition_values(plan, clause.condition))
    if clause.probes:
        probes = sorted(p.name for p in clause.probes)
        protocol = pl.col("protocol") if "protocol" in plan.frame.columns else None
        if protocol is not None:
            outside = protocol.is_not_null() & ~protocol.is_in(probes)
            value = pl.when(outside).then(pl.lit(False)).otherwise(value)
    ruled_out = (pl.col("status") == COUNTED) & (value == False)  # noqa: E712 (Kleene)
    plan.frame = _decide(plan, plan.frame, ruled_out.fill_null(False), NOT_DOWNTIME, clause.id)


def threshold(plan: Plan) -> None:
    """A physical stoppage (all the service's candidate records as one run) shorter than the
    threshold is not downtime; with ``on record``, each record alone."""
    clause = downtime_clause(plan.contract)
    if clause is None or clause.threshold is None:
        return
    limit = magnitude(clause.threshold.quantity) or Fraction(0)
    op = clause.threshold.op or ">="
    # Lengths are whole seconds: `>= 600.5` is `>= 601`, `> 600.5` is `> 600`.
    bound = math.ceil(limit) if op == ">=" else math.floor(limit)
    per_record = clause.reading is not None and clause.reading.name == "record"
    frame = plan.frame
    candidate = pl.col("status") == COUNTED
    if per_record:
        length = pl.col("end") - pl.col("start")
    else:
        runs = _runs(frame.filter(candidate).select("pos", "svc", "start", "end"), pl.col("svc"))
        frame = frame.with_columns(
            length=_scatter(frame.height, runs["pos"], runs["__last"] - runs["__first"]),
            run=_scatter(frame.height, runs["pos"], runs["__run"]),
        )
        length = pl.col("length")
    short = candidate & (length < bound if op == ">=" else length <= bound)
    plan.frame = _decide(plan, frame, short.fill_null(False), NOT_DOWNTIME, clause.id)


def _scatter(size: int, positions: pl.Series, values: pl.Series) -> pl.Series:
    """A column of ``size`` rows holding ``values`` at ``positions``, null elsewhere."""
    column = pl.Series(values.name, [], dtype=values.dtype).extend_constant(None, size)
    return column.scatter(positions, values) if positions.len() else column


def maintenance_windows(plan: Plan) -> None:
    """The contract's windows between the first start and the last end (the record
    engine's own function)."""
    if plan.frame.height == 0:
        return
    start, end = plan.frame["start"].min(), plan.frame["end"].max()
    assert isinstance(start, int) and isinstance(end, int)
    plan.windows = contract_windows(plan.contract, plan.notices, plan.tz, start, end, plan.closures)


def exclusions(plan: Plan) -> None:
    """Whole-record exclusions: the first exclusion that applies (after its exceptions and
    overrides, and through related causes) and that no applying inclusion keeps counted."""
    rules = RuleSet.of(plan.contract)
    if not rules.exclusions:
        return
    frame = rule_values(plan, rules)
    frame = _related(plan, frame, related_clauses(rules))
    picks = []
    for cid in rules.exclusions:
        applies = pl.col(f"__rule_{cid}").fill_null(False)
        for inc in rules.inclusions:
            if cid not in rules.rules[inc].cancelled_by:
                applies = applies & ~pl.col(f"__rule_{inc}").fill_null(False)
        picks.append(pl.when(applies).then(plan.clause(cid)))
    whole = pl.coalesce(picks) if picks else plan.clause(None)
    frame = frame.with_columns(__whole=whole)
    decided = (pl.col("status") == COUNTED) & pl.col("__whole").is_not_null()
    frame = frame.with_columns(
        status=pl.when(decided).then(_status(EXCLUDED)).otherwise(pl.col("status")),
        deciding=pl.when(decided).then(pl.col("__whole")).otherwise(pl.col("deciding")),
    )
    plan.frame = frame.drop([c for c in frame.columns if c.startswith("__")])


def rule_values(plan: Plan, rules: RuleSet) -> pl.DataFrame:
    """The frame with each rule's own value (``__rule_ID``: after its exceptions and
    overrides, before related causes)."""
    values = {cid: _rule_value(plan, rules, cid) for cid in rules.rules}
    frame = plan.frame.with_columns(v.alias(f"__rule_{cid}") for cid, v in values.items())
    return _fallback_rules(plan, frame, rules)


def related_clauses(rules: RuleSet) -> list[str]:
    """The exclusions that reach causes (``including related``), in precedence order:
    bit j of a record's causal bits is clause j of this list."""
    return [c for c in rules.exclusions if getattr(rules.rules[c].clause, "related", False)]


def causal_bits(related: list[str]) -> tuple[pl.Expr, pl.Expr]:
    """A record's own values of the related clauses as two bit sets: ``sure`` (bit j: clause
    j applies) and ``maybe`` (it applies or is unknown)."""
    sure = pl.sum_horizontal(
        pl.col(f"__rule_{c}").fill_null(False).cast(pl.Int64) * (1 << j)
        for j, c in enumerate(related)
    )
    maybe = pl.sum_horizontal(
        pl.col(f"__rule_{c}").fill_null(True).cast(pl.Int64) * (1 << j)
        for j, c in enumerate(related)
    )
    return sure.alias("sure"), maybe.alias("maybe")


def propagate(children: list[int], causes: list[int], sure: list[int], maybe: list[int]) -> bool:
    """Each node's bits or-ed with its causes', causes first: Kahn's algorithm over nodes
    numbered 0..n-1 (``children[k]`` was caused by ``causes[k]``), linear in nodes + edges.
    False when the causes form a cycle."""
    parents: list[list[int]] = [[] for _ in sure]
    effects: list[list[int]] = [[] for _ in sure]
    waiting = [0] * len(sure)
    for child, cause in zip(children, causes, strict=True):
        parents[child].append(cause)
        effects[cause].append(child)
        waiting[child] += 1
    ready = [n for n, k in enumerate(waiting) if k == 0]
    done = 0
    while ready:
        node = ready.pop()
        done += 1
        for cause in parents[node]:
            sure[node] |= sure[cause]
            maybe[node] |= maybe[cause]
        for child in effects[node]:
            waiting[child] -= 1
            if waiting[child] == 0:
                ready.append(child)
    return done == len(sure)


def window_segments(plan: Plan) -> None:
    """Counted records cut where qualifying maintenance windows overlap them: the earliest
    window wins an instant (then the shorter, then the clause id), as in the record engine."""
    windows = [w for w in plan.windows if w.qualifies is True]
    if not windows:
        return
    table = pl.DataFrame(
        {
            "w_start": [w.start for w in windows],
            "w_end": [w.end for w in windows],
            "w_clause": [w.clause for w in windows],
            "w_service": [w.service for w in windows],
        },
        schema={
            "w_start": pl.Int64,
            "w_end": pl.Int64,
            "w_clause": plan.clause_ids,
            "w_service": pl.String,
        },
    )
    counted = plan.frame.filter(pl.col("status") == COUNTED).select(
        "pos", "service", "start", "end"
    )
    hits = counted.join_where(
        table, pl.col("w_start") < pl.col("end"), pl.col("w_end") > pl.col("start")
    ).filter((pl.col("w_service") == "*") | (pl.col("w_service") == pl.col("service")))
    for clause in plan.contract.clauses:
        if isinstance(clause, m.MaintenanceClause) and clause.condition is not None:
            # `when`: its windows exclude time only of the records whose given facts hold
            holds = _condition_values(plan, clause.condition).fill_null(False)
            chosen = plan.frame["pos"].filter(holds).implode()
            hits = hits.filter((pl.col("w_clause") != clause.id) | pl.col("pos").is_in(chosen))
    if hits.height == 0:
        return
    order = {c.id: i for i, c in enumerate(plan.contract.clauses)}
    clauses = (
        hits.select("pos", "w_clause")
        .unique()
        .with_columns(
            order=pl.col("w_clause").cast(pl.String).replace_strict(order, return_dtype=pl.Int64)
        )
        .sort("pos", "order")
        .group_by("pos", maintain_order=True)
        .agg(window_clauses=pl.col("w_clause"))
    )
    pieces = (
        hits.with_columns(
            p_start=pl.max_horizontal("start", "w_start"),
            p_end=pl.min_horizontal("end", "w_end"),
        )
        .sort("pos", "p_start", "p_end", "w_clause")
        .with_columns(
            cursor=pl.max_horizontal(
                pl.col("start"), pl.col("p_end").cum_max().shift(1).over("pos")
            )
        )
        .with_columns(c_start=pl.max_horizontal("p_start", "cursor"))
        .filter(pl.col("p_end") > pl.col("c_start"))
    )
    none = plan.clause(None)
    gaps = pieces.filter(pl.col("c_start") > pl.col("cursor")).select(
        "pos", start="cursor", end="c_start", status=_status(COUNTED), clause=none
    )
    cut = pieces.select(
        "pos", start="c_start", end="p_end", status=_status(EXCLUDED), clause="w_clause"
    )
    tails = (
        pieces.group_by("pos")
        .agg(reach=pl.col("p_end").max(), end=pl.col("end").first())
        .filter(pl.col("reach") < pl.col("end"))
        .select("pos", start="reach", end="end", status=_status(COUNTED), clause=none)
    )
    plan.pieces = pl.concat([gaps, cut, tails]).sort("pos", "start")
    kinds = plan.pieces.group_by("pos").agg(
        some_counted=(pl.col("status") == COUNTED).any(),
        some_excluded=(pl.col("status") == EXCLUDED).any(),
    )
    frame = plan.frame.join(kinds, on="pos", how="left", maintain_order="left").join(
        clauses, on="pos", how="left", maintain_order="left"
    )
    verdict = (
        pl.when(pl.col("some_excluded") & pl.col("some_counted"))
        .then(_status(PARTLY_EXCLUDED))
        .when(pl.col("some_excluded"))
        .then(_status(EXCLUDED))
        .otherwise(pl.col("status"))
    )
    plan.frame = frame.with_columns(status=verdict).drop("some_counted", "some_excluded")


def split_periods(plan: Plan) -> None:
    """The periods, and what each record contributes to them (``whole``: its span with its
    status, or its window pieces). The segments cut at the period boundaries are built when
    asked for (:func:`cut_segments`): ``report`` needs the unions only."""
    frame = plan.frame
    if frame.height == 0:
        plan.segments = pl.DataFrame(schema={**SEGMENT_SCHEMA, "clause": plan.clause_ids})
        return
    start, end = frame["start"].min(), frame["end"].max()
    assert isinstance(start, int) and isinstance(end, int)
    plan.period_cuts = periods(availability_clause(plan.contract), plan.tz, start, end)
    whole = frame.select(
        "pos",
        "start",
        "end",
        status=pl.when(pl.col("status").is_in([COUNTED, PARTLY_EXCLUDED]))
        .then(_status(COUNTED))
        .otherwise(pl.col("status")),
        clause=pl.when(pl.col("status") == EXCLUDED).then(pl.col("deciding")),
    )
    if plan.pieces is not None:
        cut = plan.pieces["pos"].unique().implode()
        whole = pl.concat([whole.filter(~pl.col("pos").is_in(cut)), plan.pieces])
    plan.whole = whole
    plan.cuts = pl.DataFrame(
        {
            "i": range(len(plan.period_cuts)),
            "p_start": [p.start for p in plan.period_cuts],
            "p_end": [p.end for p in plan.period_cuts],
            "period": [p.label for p in plan.period_cuts],
        },
        schema={
            "i": pl.Int64,
            "p_start": pl.Int64,
            "p_end": pl.Int64,
            "period": pl.Enum(list(dict.fromkeys(p.label for p in plan.period_cuts))),
        },
    )


def cut_segments(plan: Plan) -> pl.DataFrame:
    """Every record's segments, cut at period boundaries (``pos`` names the record), in
    the order of the records and, within one, of time (built once, when first asked)."""
    if plan.segments is None:
        assert plan.whole is not None and plan.cuts is not None
        whole, cuts = plan.whole, plan.cuts
        first, last = _period_range(cuts, whole["start"], whole["end"])
        exploded = whole.with_columns(i=pl.int_ranges(first, last + 1)).explode("i")
        at = exploded["i"]
        segments = exploded.select(
            "pos",
            "i",
            start=pl.max_horizontal(pl.col("start"), cuts["p_start"].gather(at)),
            end=pl.min_horizontal(pl.col("end"), cuts["p_end"].gather(at)),
            period=cuts["period"].gather(at),
            status="status",
            clause="clause",
        )
        # A record's own segments are in start order already (periods in order; its window
        # pieces sorted so), and the frame is in the order of the records' numbers: only
        # the pieces put after it need a stable sort on the number to join their records.
        plan.segments = (
            segments if plan.pieces is None else segments.sort("pos", maintain_order=True)
        )
    return plan.segments


def _period_range(
    cuts: pl.DataFrame, start: pl.Series, end: pl.Series
) -> tuple[pl.Series, pl.Series]:
    """The first and the last period (``i``) each span ``start``..``end`` falls in."""
    bounds = cuts["p_start"]
    first = bounds.search_sorted(start, side="right").cast(pl.Int64) - 1
    last = bounds.search_sorted(end - 1, side="right").cast(pl.Int64) - 1
    return first, last


SEGMENT_SCHEMA: dict[str, pl.DataType] = {
    "pos": pl.Int64(),
    "i": pl.Int64(),
    "start": pl.Int64(),
    "end": pl.Int64(),
    "period": pl.Enum([]),  # the labels of the run's periods
    "status": STATUS,
    "clause": pl.String(),  # the contract's clause ids (Plan.clause_ids)
}


def availability(plan: Plan) -> None:
    """Per service and period: counted downtime and excluded time as unions (no double
    counting), planned stops from the windows, then the record engine's arithmetic."""
    clause = availability_clause(plan.contract)
    target = clause.target if clause is not None else None
    minus = {r.name for r in clause.denominator_minus} if clause is not None else set()
    inside = plan.frame.select("svc", "start", "end", "status").filter(
        pl.col("status") != OUT_OF_SCOPE
    )
    if inside.height == 0:
        return
    spans = inside.group_by("svc").agg(first=pl.col("start").min(), last=pl.col("end").max())
    assert plan.whole is not None and plan.cuts is not None
    whole, cuts = plan.whole, plan.cuts
    whole = whole.with_columns(svc=plan.frame["svc"].gather(whole["pos"]))
    counted = whole.filter(pl.col("status") == COUNTED)
    with ThreadPoolExecutor(max_workers=2) as pool:  # the two unions side by side
        counted_job = pool.submit(_period_union, counted, cuts, "downtime")
        either_job = pool.submit(
            _period_union, whole.filter(pl.col("status").is_in([COUNTED, EXCLUDED])), cuts, "either"
        )
        down_sums, either_sums = counted_job.result(), either_job.result()
    sums = either_sums.join(down_sums, on=["svc", "i"], how="left").fill_null(0)
    seconds = {
        (code, i): (down, total - down)
        for code, i, total, down in sums.select("svc", "i", "either", "downtime").iter_rows()
    }
    began = _began(plan, counted, cuts)
    for code, first, last in spans.sort("svc").iter_rows():
        service = plan.services[code]
        planned = timeline.union(
            (w.start, w.end)
            for w in plan.windows
            if w.clause in minus and w.qualifies is True and w.service in ("*", service)
        )
        for i, period in enumerate(plan.period_cuts):
            if period.end <= first or period.start >= last:
                continue
            down, excluded = seconds.get((code, i), (0, 0))
            stops = timeline.total(timeline.clip(planned, period.start, period.end))
            first_start = began.get((code, i))
            plan.periods.append(
                (service, measure_seconds(period, down, excluded, stops, target, first_start))
            )


def remedies(plan: Plan) -> None:
    """What each breached period owes (the record engine's remedies, on the periods)."""
    plan.remedies = settle(plan.contract, plan.periods, plan.billing, plan.tz)


def obligations(plan: Plan) -> None:
    """Every obligation judged for every record of a covered service. The clocks and
    calendars are the record engine's; they run only for contracts that have obligations."""
    compiled = compile_obligations(
        plan.contract, business_calendars(plan.contract, plan.closures), plan.tz
    )
    if not compiled:
        return
    inside = plan.frame.filter(pl.col("status") != OUT_OF_SCOPE)
    for record in outage_records(plan, inside):
        plan.obligations[record.id] = [judge(ob, record, plan.as_of, plan.tz) for ob in compiled]


#: The stages, in the order they run.
STAGES: tuple[Callable[[Plan], None], ...] = (
    close,
    scope,
    downtime_condition,
    threshold,
    maintenance_windows,
    exclusions,
    window_segments,
    split_periods,
    availability,
    remedies,
    obligations,
)


# ------------------------------------------------------------------ helpers


def _decide(
    plan: Plan, frame: pl.DataFrame, mask: pl.Expr, status: str, clause: str
) -> pl.DataFrame:
    """Records under ``mask`` get ``status``, decided by ``clause``."""
    return frame.with_columns(
        status=pl.when(mask).then(_status(status)).otherwise(pl.col("status")),
        deciding=pl.when(mask).then(plan.clause(clause)).otherwise(pl.col("deciding")),
    )


def _condition_values(plan: Plan, cond: m.Condition | None) -> pl.Series:
    """The downtime condition's value per record. The record engine looks at the given
    facts only (the derived duration is not among them at that stage); records the plan
    cannot decide exactly take the engine's closure."""
    expr = tr.condition(cond, plan.facts)
    odd = _inexact_ids(plan, cond)
    if odd:
        closure = compile_condition(cond)
        decided = {rid: closure(f) for rid, f in _facts_of(plan, odd, duration=False).items()}
        plan.fallback.update(decided)
        expr = _override(expr, decided)
    unknown_length = plan.frame.with_columns(
        pl.lit(None, dtype=pl.Float64).alias(name)
        for name in ("duration", EVENT_DURATION)
        if name == "duration" or name in plan.frame.columns
    )
    return unknown_length.select(expr.alias("value"))["value"]


def _inexact_ids(plan: Plan, cond: m.Condition | None) -> list[str]:
    if not tr.exact(cond):
        return plan.frame["id"].to_list()
    return sorted(plan.exact)


def _override(expr: pl.Expr, decided: Mapping[str, Tri]) -> pl.Expr:
    if not decided:
        return expr
    ids = list(decided)
    values = pl.Series(list(decided.values()), dtype=pl.Boolean)
    known = pl.col("id").is_in(ids)
    fixed = pl.col("id").replace_strict(ids, values, default=None, return_dtype=pl.Boolean)
    return pl.when(known).then(fixed).otherwise(expr)


def _rule_value(plan: Plan, rules: RuleSet, cid: str, seen: tuple[str, ...] = ()) -> pl.Expr:
    """A rule's value after its `unless`, its exceptions and the clauses overriding it."""
    rule = rules.rules[cid]
    clause = rule.clause
    value = tr.condition(clause.condition, plan.facts)
    unless = getattr(clause, "unless", None)
    if unless is not None:
        value = value & ~tr.condition(unless, plan.facts)
    for canceller in rule.cancelled_by:
        if canceller not in seen:
            value = value & ~_rule_value(plan, rules, canceller, (*seen, cid))
    return value


def _fallback_rules(plan: Plan, frame: pl.DataFrame, rules: RuleSet) -> pl.DataFrame:
    """Rule values of the records the plan cannot decide exactly, from the record engine."""
    conditions = [
        c
        for rule in rules.rules.values()
        for c in (rule.clause.condition, getattr(rule.clause, "unless", None))
    ]
    odd = sorted(plan.exact) if all(tr.exact(c) for c in conditions) else frame["id"].to_list()
    if not odd:
        return frame
    facts = _facts_of(plan, odd)
    plan.fallback.update(facts)
    decided: dict[str, dict[str, Tri]] = {cid: {} for cid in rules.rules}
    for rid, f in facts.items():
        memo: dict[str, Tri] = {}
        for cid in rules.rules:
            decided[cid][rid] = rules.evaluate(cid, f, memo)
    return frame.with_columns(
        _override(pl.col(f"__rule_{cid}"), decided[cid]).alias(f"__rule_{cid}")
        for cid in rules.rules
    )


def _related(plan: Plan, frame: pl.DataFrame, related: list[str]) -> pl.DataFrame:
    """Related exclusions: a record's value is the Kleene `or` of its own and its causal
    ancestors' values, computed in one pass over the edges in causal order (or given, as
    ``plan.ancestry``, by a driver that resolved the edges across partitions)."""
    if not related:
        return frame
    if plan.ancestry is not None:
        resolved = plan.ancestry.select("id", __sure="sure", __maybe="maybe")
        return _apply_bits(
            frame.join(resolved, on="id", how="left", maintain_order="left"), related
        )
    edges = plan.edges
    if edges is None or edges.height == 0:
        return frame
    # Records are numbered by `pos` here; the intake's edges name input rows (the same
    # numbers when no row was refused or reordered).
    if bool((frame["row"] == frame["pos"]).all()):
        child_pos, cause_pos = edges["row"], edges["cause_row"]
    else:
        pos_of_row = _scatter(int(frame["row"].max()) + 1, frame["row"], frame["pos"])  # type: ignore[arg-type]
        child_pos = pos_of_row.gather(edges["row"])
        cause_pos = pos_of_row.gather(edges["cause_row"])
    nodes = pl.concat([child_pos, cause_pos]).unique().sort()  # node k is record nodes[k]
    bits = frame[nodes].select(*causal_bits(related))  # the records on an edge only
    sure, maybe = bits["sure"], bits["maybe"]
    children = nodes.search_sorted(child_pos)
    causes = nodes.search_sorted(cause_pos)
    done = _spread(children, causes, sure, maybe)
    if done is None:
        listed = sure.to_list(), maybe.to_list()
        if not propagate(children.to_list(), causes.to_list(), *listed):
            causal_order(outage_records(plan, frame))  # raises the record engine's error
        done = pl.Series("s", listed[0], dtype=pl.Int64), pl.Series("m", listed[1], dtype=pl.Int64)
    # Only the records on an edge change: their values are written in place.
    sure, maybe = done
    return frame.with_columns(
        frame[f"__rule_{cid}"].scatter(nodes, _bit_value(sure, maybe, 1 << j))
        for j, cid in enumerate(related)
    )


def _bit_value(sure: pl.Series, maybe: pl.Series, bit: int) -> pl.Series:
    """A related clause's Kleene value from records' resolved bits."""
    return pl.select(_bit_expr(pl.lit(sure), pl.lit(maybe), bit)).to_series()


def _bit_expr(sure: pl.Expr, maybe: pl.Expr, bit: int) -> pl.Expr:
    """True where ``bit`` is sure, unknown where it may be, else False."""
    return (
        pl.when((sure & bit) != 0)
        .then(pl.lit(True))
        .when((maybe & bit) != 0)
        .then(pl.lit(None, dtype=pl.Boolean))
        .otherwise(pl.lit(False))
    )


def _spread(
    children: pl.Series, causes: pl.Series, sure: pl.Series, maybe: pl.Series, rounds: int = 32
) -> tuple[pl.Series, pl.Series] | None:
    """Causal bits or-ed down the edges a generation a round; None when ``rounds`` do not
    reach the end of the longest chain (then :func:`propagate` walks it). Bits only grow,
    so a round looks only at the edges from the records whose bits changed in the round
    before (the first round: from those that have any); a round that changes nothing ends
    the walk. The intake has rejected cycles."""
    edges = pl.DataFrame({"child": children, "cause": causes})
    active = edges.filter((sure.gather(causes) | maybe.gather(causes)) != 0)
    for _ in range(rounds):
        if active.height == 0:
            return sure, maybe
        spread = (
            active.with_columns(s=sure.gather(active["cause"]), m=maybe.gather(active["cause"]))
            .group_by("child")
            .agg(pl.col("s").bitwise_or(), pl.col("m").bitwise_or())
        )
        at = spread["child"]
        old_sure, old_maybe = sure.gather(at), maybe.gather(at)
        new_sure, new_maybe = old_sure | spread["s"], old_maybe | spread["m"]
        changed = (new_sure != old_sure) | (new_maybe != old_maybe)
        if not changed.any():
            return sure, maybe
        sure, maybe = sure.scatter(at, new_sure), maybe.scatter(at, new_maybe)
        active = edges.filter(pl.col("cause").is_in(at.filter(changed).implode()))
    return None


def _apply_bits(frame: pl.DataFrame, related: list[str]) -> pl.DataFrame:
    """Related clauses' values from the resolved bits, where a record has them."""
    return frame.with_columns(
        pl.when(pl.col("__sure").is_null())
        .then(pl.col(f"__rule_{cid}"))
        .otherwise(_bit_expr(pl.col("__sure"), pl.col("__maybe"), 1 << j))
        .alias(f"__rule_{cid}")
        for j, cid in enumerate(related)
    )


def _period_union(segments: pl.DataFrame, cuts: pl.DataFrame, name: str) -> pl.DataFrame:
    """Seconds covered by the union of segments, per service (``svc``) and period (``i``):
    each service's runs (the union), cut at the periods (what falls in a period of a union
    is the union of what falls in it)."""
    runs = (
        _runs(segments.select("svc", "start", "end"), pl.col("svc"))
        .filter("__closes")
        .select("svc", start="__first", end="__last")
    )
    first, last = _period_range(cuts, runs["start"], runs["end"])
    pieces = runs.with_columns(i=pl.int_ranges(first, last + 1)).explode("i")
    at = pieces["i"]
    return (
        pieces.select(
            "svc",
            "i",
            length=pl.min_horizontal(pl.col("end"), cuts["p_end"].gather(at))
            - pl.max_horizontal(pl.col("start"), cuts["p_start"].gather(at)),
        )
        .group_by("svc", "i")
        .agg(pl.col("length").sum().alias(name))
    )


def _began(plan: Plan, counted: pl.DataFrame, cuts: pl.DataFrame) -> dict[tuple[int, int], int]:
    """The earliest start of a record counted in each service's period (where its incident
    began): of the counted segments in the period, the earliest start of their records.
    A span reaching into later periods counts in each; only those are spread out."""
    first, last = _period_range(cuts, counted["start"], counted["end"])
    spans = counted.select("svc", began=plan.frame["start"].gather(counted["pos"])).with_columns(
        i=first, last=last
    )
    later = (
        spans.filter(pl.col("last") > pl.col("i"))
        .with_columns(i=pl.int_ranges(pl.col("i") + 1, pl.col("last") + 1))
        .explode("i")
    )
    earliest = (
        pl.concat([spans.select("svc", "i", "began"), later.select("svc", "i", "began")])
        .group_by("svc", "i")
        .agg(pl.col("began").min())
    )
    return {(code, i): start for code, i, start in earliest.iter_rows()}


def _runs(frame: pl.DataFrame, group: pl.Expr, pack: bool = True) -> pl.DataFrame:
    """``frame`` in order of ``group`` (a whole number, at least 0) and start, each row in
    its run: the group's records that touch or overlap, one after another. Adds ``__run``
    (the run's number), ``__first`` (its first start), ``__last`` (its last end) and
    ``__closes`` (the row is the run's last). Group and start are packed into one integer
    when both fit: one sort key, and scans over the whole column, not windows per group."""
    frame = frame.with_columns(__g=group.cast(pl.Int64))
    if frame.height == 0:
        empty = pl.lit(None, dtype=pl.Int64)
        return frame.with_columns(
            __run=empty, __first=empty, __last=empty, __closes=pl.lit(None, dtype=pl.Boolean)
        )
    low, high, groups = frame["start"].min(), frame["end"].max(), frame["__g"].max()
    assert isinstance(low, int) and isinstance(high, int) and isinstance(groups, int)
    width = (high - low + 1).bit_length()
    if pack and width + groups.bit_length() <= 62:
        offset = pl.col("__g") * (1 << width) - low
        frame = frame.with_columns(__key=pl.col("start") + offset).sort("__key")
        reach = (pl.col("end") + offset).cum_max()
        frame = frame.with_columns(
            __new=(pl.col("__key") > reach.shift(1)).fill_null(True), __reach=reach - offset
        ).drop("__key")
    else:  # a range of time or of groups too wide to pack: windows per group
        frame = frame.sort("__g", "start")
        reach = pl.col("end").cum_max().over("__g")
        changed = (pl.col("__g") != pl.col("__g").shift(1)).fill_null(True)
        frame = frame.with_columns(
            __new=changed | (pl.col("start") > reach.shift(1)).fill_null(True), __reach=reach
        )
    return (
        frame.with_columns(
            __run=pl.col("__new").cum_sum().cast(pl.Int64),
            __first=pl.when("__new").then(pl.col("start")).forward_fill(),
            __closes=pl.col("__new").shift(-1).fill_null(True),
        )
        .with_columns(__last=pl.when("__closes").then(pl.col("__reach")).backward_fill())
        .drop("__g", "__new", "__reach")
    )


def fact_of(decl: m.FactDecl, value: Any) -> FactValue:
    """A frame cell (not null) as the record engine holds the fact."""
    if decl.is_set:
        return frozenset(value)
    if decl.type == "records":
        return tuple(value)
    if isinstance(value, float):
        return Fraction(value)
    return value  # type: ignore[no-any-return]


def outage_records(plan: Plan, frame: pl.DataFrame) -> list[OutageRecord]:
    """Frame rows as the record engine's records (for its closures, clocks and errors)."""
    events = (
        {e.name for e in plan.contract.vocabulary.events} if plan.contract.vocabulary else set()
    )
    out = []
    for row in frame.iter_rows(named=True):
        facts = {
            name: fact_of(plan.facts[name], value)
            for name, value in row.items()
            if name in plan.facts and value is not None and not plan.facts[name].derived
        }
        facts.update(plan.exact.get(row["id"], {}))
        instants = {n: v for n, v in row.items() if n in events and v is not None}
        end = None if row.get("ongoing") else row["end"]
        out.append(OutageRecord(row["id"], row["service"], row["start"], end, facts, instants))
    return sorted(out, key=lambda r: r.id)


def _facts_of(plan: Plan, ids: list[str], duration: bool = True) -> dict[str, dict[str, Any]]:
    """The facts of some records as the record engine's closures see them (with their
    service, and the derived durations where the engine adds them: not for the downtime
    condition)."""
    rows = plan.frame.filter(pl.col("id").is_in(ids))
    lengths = dict(zip(rows["id"].to_list(), rows["duration"].to_list(), strict=True))
    events = (
        dict(zip(rows["id"].to_list(), rows[EVENT_DURATION].to_list(), strict=True))
        if EVENT_DURATION in rows.columns
        else None
    )
    out = {}
    for record in outage_records(plan, rows):
        facts: dict[str, Any] = {**record.facts, "service": record.service}
        if duration:
            facts["duration"] = Fraction(lengths[record.id])
            if events is not None:
                facts[EVENT_DURATION] = Fraction(events[record.id])
        out[record.id] = facts
    return out


def run_plan(
    contract: m.Contract,
    frame: pl.DataFrame,
    notices: list[Notice],
    billing: list[Billing],
    closures: frozenset[dt.date],
    as_of: int | None,
    exact: dict[str, dict[str, Fraction]] | None = None,
    progress: Callable[[str], object] | None = None,
    edges: pl.DataFrame | None = None,
    ancestry: pl.DataFrame | None = None,
) -> Plan:
    """Run every stage over ``frame`` (already validated: see :mod:`.intake`)."""
    from rulebook.intake.records import timezone_of

    vocabulary = contract.vocabulary
    assert vocabulary is not None
    by_service: dict[str, Billing] = {}
    for entry in billing:
        if entry.service in by_service:
            raise RecordError(
                entry.service, "service", "has two billing entries", "one entry per service"
            )
        by_service[entry.service] = entry
    plan = Plan(
        contract,
        timezone_of(contract),
        frame,
        sorted(notices, key=lambda n: n.id),
        by_service,
        closures,
        as_of,
        exact or {},
        {f.name: f for f in vocabulary.facts},
        edges=edges,
        ancestry=ancestry,
    )
    for stage in STAGES:
        if progress is not None:
            progress(stage.__name__)
        stage(plan)
    return plan
