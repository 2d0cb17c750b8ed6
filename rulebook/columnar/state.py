"""The plan's state: :class:`Plan`, which the columnar stages share while adjudicating one
frame (as the record engine's stages share a ``Run``), the verdicts as a polars enum, and
the plan's rows seen as the record engine's records (for its closures, clocks and errors)."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import Any

import attrs
import polars as pl

from rulebook import model as m
from rulebook.engine.measure import Given, Measure, Period
from rulebook.engine.obligations import Outcome
from rulebook.engine.remedy import Remedy
from rulebook.engine.selection import EVENT_DURATION
from rulebook.engine.windows import Window
from rulebook.intake.billing import Billing
from rulebook.intake.records import FactValue, Notice, OutageRecord
from rulebook.reprs import with_repr

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


def status_lit(name: str) -> pl.Expr:
    return pl.lit(name, dtype=STATUS)


@with_repr
@attrs.define(repr=False)
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
    given: Given = (None, None)  # the span the log covers, as given (--since, --until)
    span: tuple[int, int] | None = None  # the span the log covers (observed_span)
    pieces: pl.DataFrame | None = None  # window segments of counted records
    whole: pl.DataFrame | None = None  # each record's span (or window pieces), with status
    cuts: pl.DataFrame | None = None  # the periods: i, p_start, p_end, period
    segments: pl.DataFrame | None = None  # `whole` cut at the periods: see cut_segments
    periods: list[tuple[str, Measure]] = attrs.field(factory=list)
    remedies: dict[tuple[str, str], Remedy | None] = attrs.field(factory=dict)
    obligations: dict[str, list[Outcome]] = attrs.field(factory=dict)
    #: The clause ids of every version of a contract with versions (its plans' frames are
    #: put together: one enum for all), else empty: the contract's own.
    clause_names: tuple[str, ...] = ()

    def __attrs_post_init__(self) -> None:
        # In the order of the ids' text, not of the contract: polars sorts an enum by its
        # categories' order, and the record engine breaks ties by the id's text (windows
        # that cover the same time: the smaller id wins).
        names = self.clause_names or {c.id for c in self.contract.clauses}
        self.clause_ids = pl.Enum(sorted(names))

    def clause(self, cid: str | None) -> pl.Expr:
        """A clause id (or none) as a literal of :attr:`clause_ids`."""
        return pl.lit(cid, dtype=self.clause_ids)


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


def facts_of(plan: Plan, ids: list[str], duration: bool = True) -> dict[str, dict[str, Any]]:
    """The facts of some records as the record engine's closures see them (with their
    service, and the derived durations where the engine adds them: not for the downtime
    condition)."""
    rows = plan.frame.filter(pl.col("id").is_in(ids))
    # the record's own length (the plan holds it as a column only where a condition names it)
    own = (rows["end"] - rows["start"]).to_list()
    lengths = dict(zip(rows["id"].to_list(), own, strict=True))
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


def deciding_clauses(columns: list[str], ids: pl.DataType | None = None) -> pl.Expr:
    """Each record's deciding clauses, as a list of ids: its maintenance windows' clauses
    where windows cut it, else the clause that decided its status (none for a plain count).
    The ids are text, or of ``ids`` (the plan's enumeration of its clauses: no text made,
    JSON Lines writes the same)."""
    clause = pl.String() if ids is None else ids
    windows = (
        pl.col("window_clauses").cast(pl.List(clause))
        if "window_clauses" in columns
        else pl.lit(None, dtype=pl.List(clause))
    )
    return (
        pl.when(windows.is_not_null())
        .then(windows)
        .when(pl.col("deciding").is_not_null())
        .then(pl.concat_list(pl.col("deciding").cast(clause)))
        .otherwise(pl.lit([], dtype=pl.List(clause)))
    )
