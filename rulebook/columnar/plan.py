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
from collections.abc import Callable
from fractions import Fraction

import polars as pl

from rulebook import model as m
from rulebook.columnar.dependencies import EVENT, STOPPAGE
from rulebook.columnar.parts import measure_periods
from rulebook.columnar.related import related_clauses, related_values
from rulebook.columnar.rules import condition_values, decide, rule_values, selected_seconds
from rulebook.columnar.runs import (
    period_range,
    period_union,
    period_union_and_began,
    run_lengths,
    scatter,
)
from rulebook.columnar.state import (
    COUNTED,
    EXCLUDED,
    NOT_DOWNTIME,
    OUT_OF_SCOPE,
    PARTLY_EXCLUDED,
    STATUS,
    Plan,
    deciding_clauses,
    outage_records,
    status_lit,
)
from rulebook.conditions import (
    DEGRADATION,
    IMPACT,
    condition_facts,
    coverage,
    degradation_clause,
)
from rulebook.engine.adjudicate import downtime_clause
from rulebook.engine.calendar import business_calendars
from rulebook.engine.classify import RuleSet
from rulebook.engine.measure import (
    Given,
    availability_clause,
    customer_start,
    observed_span,
    periods,
)
from rulebook.engine.obligations import compile_obligations, judge
from rulebook.engine.remedy import settle
from rulebook.engine.selection import DURATION, EVENT_DURATION
from rulebook.engine.windows import contract_windows
from rulebook.intake.billing import Billing
from rulebook.intake.frames import IN_MEMORY
from rulebook.intake.ongoing import closed_end
from rulebook.intake.records import Notice, RecordError, timezone_of
from rulebook.satisfiable import magnitude

# ------------------------------------------------------------------ stages


def close(plan: Plan) -> None:
    """Ongoing records end at ``as_of``; the duration fact is the record's own length (a
    column only where a condition names it: 80 MB at 10^7 records). Each record gets a
    number (``pos``, its place in the frame) and its service's number (``svc``, in the
    order of the names), which the stages below join and sort on: both of polars' index
    type (``UInt32``), half the bytes of an ``Int64`` (10^7 records: 150 MB)."""
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
    plan.frame = frame.with_columns(
        svc=pl.col("service").cast(pl.Enum(names)).to_physical().cast(pl.UInt32),
        ongoing=pl.col("end").is_null(),
        end=pl.col("end").fill_null(pl.lit(plan.as_of, dtype=pl.Int64)),
        status=status_lit(COUNTED),
        deciding=plan.clause(None),
    ).with_row_index("pos")
    if _names(plan.contract, DURATION):
        plan.frame = plan.frame.with_columns(
            (pl.col("end") - pl.col("start")).cast(pl.Float64).alias(DURATION)
        )
    if _names(plan.contract, EVENT_DURATION):
        plan.frame = _event_lengths(plan.frame)


def _names(contract: m.Contract, fact: str) -> bool:
    """Whether a condition the plan translates names ``fact``."""
    conditions = [
        c
        for clause in contract.clauses
        for c in (
            getattr(clause, "condition", None),
            getattr(clause, "unless", None),
            getattr(clause, "records", None),
        )
        if c is not None
    ]
    return fact in condition_facts(*conditions)


def _event_lengths(frame: pl.DataFrame) -> pl.DataFrame:
    """``event_duration``: the length of the run of the service's records of one cause
    (those without a cause together) that touch or overlap, as :func:`event_lengths`:
    the runs of :func:`runs_of`, which sorts each group by start (the input's order must
    not matter). The event's number is its key (:data:`.dependencies.EVENT`)."""
    if "cause" in frame.columns:  # each cause a number, 0 for none
        code = frame.select(pl.col("cause").rank("dense").fill_null(0).cast(pl.Int64)).to_series()
    else:
        code = pl.repeat(0, frame.height, dtype=pl.Int64, eager=True)
    most = code.max()
    kinds = (most if isinstance(most, int) else 0) + 1
    runs = run_lengths(
        frame.select("pos", "start", "end", "svc").with_columns(__code=code),
        pl.col("svc") * kinds + pl.col("__code"),
    )
    lengths = scatter(frame.height, runs["pos"], runs["__length"])
    assert EVENT.key is not None
    return frame.with_columns(
        lengths.cast(pl.Float64).alias(EVENT_DURATION),
        scatter(frame.height, runs["pos"], runs["__run"]).alias(EVENT.key),
    )


def scope(plan: Plan) -> None:
    """Records of services the contract does not cover are out of scope."""
    found = coverage(plan.contract)
    if found is None:
        return
    clause, covered = found
    outside = [code for code, name in enumerate(plan.services) if not covered(name)]
    plan.frame = decide(plan, plan.frame, pl.col("svc").is_in(outside), OUT_OF_SCOPE, clause.id)


def downtime_condition(plan: Plan) -> None:
    """Probes and the downtime clause's `when`: a record they rule out is not downtime. A
    degradation is not downtime first, where the contract does not test `impact`."""
    degradations = degradation_clause(plan.contract)
    if degradations is not None and IMPACT in plan.frame.columns:
        degraded = (pl.col("status") == COUNTED) & (pl.col(IMPACT).cast(pl.String) == DEGRADATION)
        plan.frame = decide(plan, plan.frame, degraded.fill_null(False), NOT_DOWNTIME, degradations)
    clause = downtime_clause(plan.contract)
    if clause is None:
        return
    value: pl.Expr = pl.lit(condition_values(plan, clause.condition))
    if clause.probes:
        probes = sorted(p.name for p in clause.probes)
        protocol = pl.col("protocol") if "protocol" in plan.frame.columns else None
        if protocol is not None:
            outside = protocol.is_not_null() & ~protocol.is_in(probes)
            value = pl.when(outside).then(pl.lit(False)).otherwise(value)
    ruled_out = (pl.col("status") == COUNTED) & (value == False)  # noqa: E712 (Kleene)
    plan.frame = decide(plan, plan.frame, ruled_out.fill_null(False), NOT_DOWNTIME, clause.id)


def threshold(plan: Plan) -> None:
    """A physical stoppage (all the service's candidate records as one run) shorter than the
    threshold is not downtime; with ``on record``, each record alone. The stoppage's number
    is its key (:data:`.dependencies.STOPPAGE`)."""
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
        chosen = frame.lazy().filter(candidate).select("pos", "svc", "start", "end")
        runs = run_lengths(chosen, pl.col("svc"))
        assert STOPPAGE.key is not None
        # the stoppage's length decides here only: not a column of the plan (80 MB at 10^7)
        length = pl.lit(scatter(frame.height, runs["pos"], runs["__length"]))
        frame = frame.with_columns(
            **{STOPPAGE.key: scatter(frame.height, runs["pos"], runs["__run"])}
        )
        del runs
    short = candidate & (length < bound if op == ">=" else length <= bound)
    plan.frame = decide(plan, frame, short.fill_null(False), NOT_DOWNTIME, clause.id)


def maintenance_windows(plan: Plan) -> None:
    """The contract's windows between the first start and the last end (the record
    engine's own function)."""
    if plan.frame.height == 0:
        return
    start, end, latest = (
        plan.frame["start"].min(),
        plan.frame["end"].max(),
        plan.frame["start"].max(),
    )
    assert isinstance(start, int) and isinstance(end, int) and isinstance(latest, int)
    clause = availability_clause(plan.contract)
    plan.span = observed_span(clause, plan.tz, [start, latest], plan.given)
    if plan.span is not None:  # the windows of every period measured
        start, end = min(start, plan.span[0]), max(end, plan.span[1])
    plan.windows = contract_windows(plan.contract, plan.notices, plan.tz, start, end, plan.closures)


def exclusions(plan: Plan) -> None:
    """Whole-record exclusions: the first exclusion that applies (after its exceptions and
    overrides, and through related causes) and that no applying inclusion keeps counted."""
    rules = RuleSet.of(plan.contract)
    if not rules.exclusions:
        return
    frame = rule_values(plan, rules)
    frame = related_values(plan, frame, related_clauses(rules))
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
        status=pl.when(decided).then(status_lit(EXCLUDED)).otherwise(pl.col("status")),
        deciding=pl.when(decided).then(pl.col("__whole")).otherwise(pl.col("deciding")),
    )
    plan.frame = frame.drop([c for c in frame.columns if c.startswith("__")])


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
    counted = (
        plan.frame.lazy()
        .filter(pl.col("status") == COUNTED)
        .select("pos", "service", "start", "end")
        .collect(engine=IN_MEMORY)
    )
    hits = counted.join_where(
        table, pl.col("w_start") < pl.col("end"), pl.col("w_end") > pl.col("start")
    ).filter((pl.col("w_service") == "*") | (pl.col("w_service") == pl.col("service")))
    for clause in plan.contract.clauses:
        if isinstance(clause, m.MaintenanceClause) and clause.condition is not None:
            # `when`: its windows exclude time only of the records whose given facts hold
            holds = condition_values(plan, clause.condition).fill_null(False)
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
        "pos", start="cursor", end="c_start", status=status_lit(COUNTED), clause=none
    )
    cut = pieces.select(
        "pos", start="c_start", end="p_end", status=status_lit(EXCLUDED), clause="w_clause"
    )
    tails = (
        pieces.group_by("pos")
        .agg(reach=pl.col("p_end").max(), end=pl.col("end").first())
        .filter(pl.col("reach") < pl.col("end"))
        .select("pos", start="reach", end="end", status=status_lit(COUNTED), clause=none)
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
        .then(status_lit(PARTLY_EXCLUDED))
        .when(pl.col("some_excluded"))
        .then(status_lit(EXCLUDED))
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
    if plan.span is not None:  # found with the windows: every period it overlaps is cut
        start, end = min(start, plan.span[0]), max(end, plan.span[1])
    plan.period_cuts = periods(availability_clause(plan.contract), plan.tz, start, end)
    whole = frame.select(
        "pos",
        "start",
        "end",
        status=pl.when(pl.col("status").is_in([COUNTED, PARTLY_EXCLUDED]))
        .then(status_lit(COUNTED))
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
        first, last = period_range(cuts, whole["start"], whole["end"])
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
        if plan.pieces is not None:
            segments = segments.sort("pos", maintain_order=True)
        # In the records' order, as said: marked so, a grouping by record (the records'
        # seconds, JSON Lines' segment lists) takes polars' path for sorted keys, a few
        # times faster and without a hash table (10^7 records: 1.9 -> 0.55 s).
        if segments["pos"].is_sorted():
            segments = segments.with_columns(pl.col("pos").set_sorted())
        plan.segments = segments
    return plan.segments


SEGMENT_SCHEMA: dict[str, pl.DataType] = {
    "pos": pl.UInt32(),
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
    spans = (
        plan.frame.lazy()
        .filter(pl.col("status") != OUT_OF_SCOPE)
        .group_by("svc")
        .agg(first=pl.col("start").min(), last=pl.col("end").max())
        .collect(engine=IN_MEMORY)
    )
    if spans.height == 0:
        return
    assert plan.whole is not None and plan.cuts is not None
    whole, cuts = plan.whole, plan.cuts
    # the service's number in two bytes where it fits: these frames are the run's largest
    # after the plan's own (10^7 records: 60 MB less at this stage's peak)
    codes = plan.frame["svc"]
    if len(plan.services) <= 1 << 16:
        codes = codes.cast(pl.UInt16)
    whole = whole.with_columns(svc=codes.gather(whole["pos"]))
    del codes
    # the customer's periods begin at their contract start (measure.customer_start)
    since = {
        code: start
        for code, service in enumerate(plan.services)
        if (start := customer_start(plan.billing.get(service), plan.tz)) is not None
    }
    begins = pl.col("svc").replace_strict(since, default=None, return_dtype=pl.Int64)

    def from_since(frame: pl.DataFrame) -> pl.DataFrame:
        if not since:
            return frame
        return frame.with_columns(start=pl.max_horizontal("start", begins)).filter(
            pl.col("end") > pl.col("start")
        )

    whole = from_since(whole)
    picked = selected_seconds(plan, cuts, from_since)
    # One after the other: each polars operation uses polars' own threads (issue 29: a
    # Python pool around them oversubscribed the cores and turned waiting into system time).
    # Each takes only the columns it reads, and the counted records go before the others
    # come (10^7 records: they are the run's largest frames after the plan's own).
    status = pl.col("status")
    counted = whole.lazy().filter(status == COUNTED).select("pos", "svc", "start", "end")
    down_sums, began = period_union_and_began(
        counted.collect(engine=IN_MEMORY), plan.frame["start"], cuts
    )
    either = whole.lazy().filter(status.is_in([COUNTED, EXCLUDED])).select("svc", "start", "end")
    del whole
    either_sums = period_union(either, cuts, "either")
    sums = either_sums.join(down_sums, on=["svc", "i"], how="left").fill_null(0)
    seconds = {
        (code, i): (down, total - down)
        for code, i, total, down in sums.select("svc", "i", "either", "downtime").iter_rows()
    }
    names = plan.services
    spans_by_name = [
        (names[code], first, last) for code, first, last in spans.sort("svc").iter_rows()
    ]
    plan.periods.extend(
        measure_periods(
            plan.contract,
            plan.windows,
            plan.period_cuts,
            spans_by_name,
            {(names[code], i): v for (code, i), v in seconds.items()},
            {(names[code], i): v for (code, i), v in began.items()},
            plan.span,
            since={names[code]: start for code, start in since.items()},
            selected={
                cid: {(names[code], i): t for (code, i), t in sums.items()} for cid, sums in picked
            },
        )
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
    # only a record wholly outside the SLA lifts (`excluded by`): its deciding clauses
    lifts = inside.filter(pl.col("status") == EXCLUDED).select(
        "id", clauses=deciding_clauses(inside.columns)
    )
    excluded_by = {rid: frozenset(clauses) for rid, clauses in lifts.iter_rows()}
    for record in outage_records(plan, inside):
        lifted = excluded_by.get(record.id, frozenset())
        plan.obligations[record.id] = [
            judge(ob, record, plan.as_of, plan.tz, lifted) for ob in compiled
        ]


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
    given: Given = (None, None),
    clause_names: tuple[str, ...] = (),
) -> Plan:
    """Run every stage over ``frame`` (already validated: see :mod:`.intake`); ``given``
    is the span the log covers as given (:func:`~rulebook.engine.measure.observed_span`);
    ``clause_names``: see :attr:`Plan.clause_names`."""
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
        given=given,
        clause_names=clause_names,
    )
    for stage in STAGES:
        if progress is not None:
            progress(stage.__name__)
        stage(plan)
    return plan
