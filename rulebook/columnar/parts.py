"""A log adjudicated in parts: where a service's records may be cut apart, and the periods
of the parts put back together (Spark's time ranges, the stream's chunks).

Every grouping a verdict reads besides its own record (:mod:`.dependencies`) lies inside
one *stretch* of its service: the service's records that touch or overlap, one after
another, whatever their verdicts. A physical stoppage is a run of some of them (its
candidates), an event a run of those of one cause; the windows and the notices are
generated over any span that holds the record; the causes are resolved before the parts
run. So a service's records cut only between stretches — where a record starts after
every earlier one has ended — fall into parts that the plan adjudicates alone, each
record exactly as in the whole log.

What a service's period measures then adds up across its parts: the counted and the
excluded unions of two parts never meet (their stretches are apart), the first counted
start is the least of the parts'. The periods themselves and the planned stops are the
whole log's: made once from its first start and last end (:func:`assemble`), as the
plan's own availability stage makes them (:func:`measure_periods`, shared).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping

import attrs
import polars as pl

from rulebook import model as m
from rulebook.columnar.runs import runs_of
from rulebook.columnar.state import OUT_OF_SCOPE, Plan
from rulebook.engine import timeline
from rulebook.engine.measure import (
    Given,
    Measure,
    Period,
    availability_clause,
    from_start,
    measure_seconds,
    no_data,
    observed,
    observed_span,
    periods,
)
from rulebook.engine.windows import Window, contract_windows
from rulebook.intake.billing import Billing
from rulebook.intake.frames import IN_MEMORY
from rulebook.intake.records import Notice
from rulebook.reprs import with_repr
from rulebook.versions import Chain

#: The end of a record whose end is not known yet (ongoing, no ``as_of``): it reaches
#: everything after it.
OPEN_END = (1 << 62) - 1


def measure_periods(
    contract: m.Contract,
    windows: Iterable[Window],
    cuts: list[Period],
    spans: Iterable[tuple[str, int, int]],
    seconds: Mapping[tuple[str, int], tuple[int, int]],
    began: Mapping[tuple[str, int], int],
    span: tuple[int, int] | None = None,
    since: Mapping[str, int] | None = None,
    selected: Mapping[str, Mapping[tuple[str, int], int]] | None = None,
) -> list[tuple[str, Measure]]:
    """Each service's periods (``spans``: its first start and last end, in the order of the
    services' names): every period of the span the log covers (``span``,
    :func:`~rulebook.engine.measure.observed_span`), and as no data those outside it that
    its records touch; without a span, those its records touch — each from its customer's
    contract start (``since``: :func:`rulebook.engine.measure.from_start`). Counted and
    excluded seconds by service and period number (``seconds``, already from the
    customer's start on), the planned stops from the qualifying windows of the clauses the
    denominator leaves out, each remedy's selected records' seconds (``selected``, by
    clause), then the record engine's arithmetic."""
    clause = availability_clause(contract)
    target = clause.target if clause is not None else None
    minus = {r.name for r in clause.denominator_minus} if clause is not None else set()
    windows = [w for w in windows if w.clause in minus and w.qualifies is True]
    chosen = sorted((selected or {}).items())
    out = []
    for service, first, last in spans:
        start = (since or {}).get(service)
        if start is not None:
            first = max(first, start)  # (instants before 1970 are negative)
        planned = timeline.union((w.start, w.end) for w in windows if w.service in ("*", service))
        for i, cut in enumerate(cuts):
            period = from_start(cut, start)
            if period is None:
                continue  # before the customer's start: not theirs
            inside = span is None or observed(period, span)
            if not (span is not None and inside) and (period.end <= first or period.start >= last):
                continue
            down, excluded = seconds.get((service, i), (0, 0))
            stops = timeline.total(timeline.clip(planned, period.start, period.end))
            incident = began.get((service, i))
            if incident is not None and start is not None:
                incident = max(incident, start)  # the customer's incident began then
            records = tuple((cid, sums.get((service, i), 0)) for cid, sums in chosen)
            measured = measure_seconds(period, down, excluded, stops, target, incident, records)
            out.append((service, measured if inside else no_data(measured)))
    return out


def starts_of(billing: Iterable[Billing]) -> tuple[Billing, ...]:
    """The billing entries a part needs: each service's contract start, so that it
    measures from it; no fee, damages or claims (the whole log's remedies are settled once
    its parts are put together)."""
    return tuple(
        attrs.evolve(b, damages={}, claims={}) for b in billing if b.contract_start is not None
    )


@with_repr
@attrs.frozen(repr=False)
class Figures:
    """What one part measured, to be added to the other parts': its first start and last
    end (``low``, ``high``; every record, in scope or not), each in-scope service's first
    start and last end, and by service and period label the counted and excluded seconds
    and the first counted start (or None), and each remedy's selected records' seconds
    (`records where`; a part's selected records are apart from another's, so they add)."""

    low: int
    high: int
    latest: int  # the latest start (every record): where the span the log covers ends
    spans: dict[str, tuple[int, int]]
    sums: dict[tuple[str, str], tuple[int, int, int | None]]
    selected: dict[tuple[str, str], dict[str, int]] = attrs.field(factory=dict)

    def to_json(self) -> str:
        return json.dumps(
            [
                self.low,
                self.high,
                self.latest,
                self.spans,
                [[*k, *v] for k, v in sorted(self.sums.items())],
                [[*k, v] for k, v in sorted(self.selected.items())],
            ],
            ensure_ascii=False,
        )

    @classmethod
    def from_json(cls, text: str) -> Figures:
        low, high, latest, spans, sums, selected = json.loads(text)
        return cls(
            low,
            high,
            latest,
            {s: (a, b) for s, (a, b) in spans.items()},
            {(s, p): (d, e, b) for s, p, d, e, b in sums},
            {(s, p): dict(v) for s, p, v in selected},
        )


def figures_of(plan: Plan) -> Figures | None:
    """A finished plan's figures (None for a plan without records)."""
    frame = plan.frame
    if frame.height == 0:
        return None
    low, high, latest = frame["start"].min(), frame["end"].max(), frame["start"].max()
    assert isinstance(low, int) and isinstance(high, int) and isinstance(latest, int)
    inside = (
        frame.lazy()
        .filter(pl.col("status") != OUT_OF_SCOPE)
        .group_by("service")
        .agg(first=pl.col("start").min(), last=pl.col("end").max())
        .collect(engine=IN_MEMORY)
    )
    spans = {s: (a, b) for s, a, b in inside.iter_rows()}
    sums = {
        (service, p.period.label): (p.downtime, p.excluded, p.incident_start)
        for service, p in plan.periods
    }
    selected = {(s, p.period.label): dict(p.records) for s, p in plan.periods if p.records}
    return Figures(low, high, latest, spans, sums, selected)


def assemble(
    contract: m.Contract,
    tz: dt.tzinfo,
    notices: list[Notice],
    closures: frozenset[dt.date],
    parts: Iterable[Figures],
    given: Given = (None, None),
    since: Mapping[str, int] | None = None,
) -> list[tuple[str, Measure]]:
    """The whole log's periods from its parts' figures: the periods and the windows over
    the whole log's span and the span it covers (``given``, else found as one machine finds
    it), the seconds added up, the first counted start the least; each service measured
    from its customer's contract start (``since``), as the parts were."""
    parts = list(parts)
    if not parts:
        return []
    low, high = min(p.low for p in parts), max(p.high for p in parts)
    clause = availability_clause(contract)
    span = observed_span(clause, tz, [low, max(p.latest for p in parts)], given)
    if span is not None:
        low, high = min(low, span[0]), max(high, span[1])
    cuts = periods(clause, tz, low, high)
    number = {p.label: i for i, p in enumerate(cuts)}
    spans: dict[str, tuple[int, int]] = {}
    seconds: dict[tuple[str, int], tuple[int, int]] = {}
    began: dict[tuple[str, int], int] = {}
    selected: dict[str, dict[tuple[str, int], int]] = {}
    for part in parts:
        for service, (first, last) in part.spans.items():
            known = spans.get(service)
            spans[service] = (
                (first, last)
                if known is None
                else (
                    min(known[0], first),
                    max(known[1], last),
                )
            )
        for (service, label), (down, excluded, start) in part.sums.items():
            key = (service, number[label])
            had = seconds.get(key, (0, 0))
            seconds[key] = (had[0] + down, had[1] + excluded)
            if start is not None:
                began[key] = min(began.get(key, start), start)
        for (service, label), picked in part.selected.items():
            for cid, t in picked.items():
                into = selected.setdefault(cid, {})
                into[(service, number[label])] = into.get((service, number[label]), 0) + t
    ordered = [(s, *spans[s]) for s in sorted(spans)]
    if contract.amendments:  # each period under the version in force at its start
        chain = Chain.of(contract, tz)
        out = []
        for i, version in enumerate(chain.versions):
            text = version.contract
            remedies = {c.id for c in text.clauses if isinstance(c, m.RemedyClause)}
            own = {cid: sums for cid, sums in selected.items() if cid in remedies}
            windows = contract_windows(text, notices, tz, low, high, closures)
            measured = measure_periods(
                text, windows, cuts, ordered, seconds, began, span, since, own
            )
            out += [(s, p) for s, p in measured if chain.at(p.period.start) == i]
        return sorted(out, key=lambda sp: (sp[0], sp[1].period.start))
    windows = contract_windows(contract, notices, tz, low, high, closures)
    return measure_periods(contract, windows, cuts, ordered, seconds, began, span, since, selected)


def last_stretch(frame: pl.DataFrame) -> pl.Series:
    """Whether each record of ``frame`` (``service``, ``start``, ``end``; a null end reaches
    everything after it) is in its service's last stretch: the records a later record may
    still touch. A part may end before them and keep the rest."""
    if frame.height == 0:
        return pl.Series("last", [], dtype=pl.Boolean)
    spans = frame.select(
        __svc=pl.col("service").rank("dense").cast(pl.Int64),
        start=pl.col("start"),
        end=pl.col("end").fill_null(OPEN_END),
    ).with_row_index("__pos")
    runs = runs_of(spans, pl.col("__svc"))
    lasts = runs.group_by("__svc").agg(pl.col("__run").max().alias("__final"))
    marked = runs.join(lasts, on="__svc").sort("__pos")
    return (marked["__run"] == marked["__final"]).alias("last")


def stretch_spans(frame: pl.DataFrame) -> pl.DataFrame:
    """``service``, ``start`` and ``end`` of each stretch of ``frame``'s records (a null end
    reaches everything after it)."""
    spans = frame.select(
        "service",
        __svc=pl.col("service").rank("dense").cast(pl.Int64),
        start=pl.col("start"),
        end=pl.col("end").fill_null(OPEN_END),
    )
    runs = runs_of(spans, pl.col("__svc"))
    return runs.filter("__closes").select("service", start="__first", end="__last")
