"""A contract with versions, judged by the columnar plan: each version's plan over the
whole frame, then each record from the version in force at its start and each period
measured again from those records under the version in force at its start — the record
engine's rule (:mod:`rulebook.engine.versions`), with frames."""

from __future__ import annotations

from typing import Any

import attrs
import polars as pl

from rulebook import model as m
from rulebook.columnar.plan import availability, run_plan
from rulebook.columnar.state import Plan
from rulebook.engine.remedy import settle
from rulebook.intake.records import timezone_of
from rulebook.versions import Chain


def clause_names(chain: Chain) -> tuple[str, ...]:
    """Every version's clause ids."""
    return tuple(sorted(chain.latest()))


def run_versions(contract: m.Contract, frame: pl.DataFrame, *args: Any, **kwargs: Any) -> Plan:
    """:func:`~rulebook.columnar.plan.run_plan` for a contract with versions: one plan a
    version, put together (:func:`combine`); the plan returned holds the contract itself
    (its explanations run the record engine's versions). ``ancestry``, where a driver
    resolved the causes (the stream, Spark), is a list: each version's own."""
    chain = Chain.of(contract, timezone_of(contract))
    names = clause_names(chain)
    ancestries = kwargs.pop("ancestry", None) or [None] * len(chain.versions)
    plans = [
        run_plan(v.contract, frame, *args, **{**kwargs, "clause_names": names, "ancestry": a})
        for v, a in zip(chain.versions, ancestries, strict=True)
    ]
    return combine(contract, plans, chain)


def combine(contract: m.Contract, plans: list[Plan], chain: Chain) -> Plan:
    """One plan from every version's finished plan over the same frame."""
    first = plans[0].frame
    starts = pl.Series("starts", chain.starts, dtype=pl.Int64)
    which = starts.search_sorted(first["start"], side="right").cast(pl.Int64)
    positions = [first["pos"].filter(which == i).implode() for i in range(len(plans))]

    def own(parts: list[pl.DataFrame | None]) -> pl.DataFrame | None:
        """Each version's rows (by ``pos``) of one of the plans' frames, put together."""
        kept = [
            f.filter(pl.col("pos").is_in(positions[i]))
            for i, f in enumerate(parts)
            if f is not None
        ]
        return pl.concat(kept, how="diagonal_relaxed") if kept else None

    frame = own([p.frame for p in plans])
    assert frame is not None
    frame = frame.sort("pos")
    whole, pieces = own([p.whole for p in plans]), own([p.pieces for p in plans])
    periods = []
    windows = []
    obligations = {}
    fallback: set[str] = set()
    for i, plan in enumerate(plans):
        again = attrs.evolve(plan, frame=frame, whole=whole, pieces=pieces, periods=[])
        availability(again)
        periods += [(s, p) for s, p in again.periods if chain.at(p.period.start) == i]
        windows += [w for w in plan.windows if chain.at(w.start) == i]
        names = set(first["id"].filter(which == i).to_list())
        obligations.update({r: o for r, o in plan.obligations.items() if r in names})
        fallback |= plan.fallback & names
    periods.sort(key=lambda sp: (sp[0], sp[1].period.start))
    last = plans[-1]
    remedies = settle(last.contract, periods, last.billing, last.tz, chain.text_at)
    return attrs.evolve(
        last,
        contract=contract,
        frame=frame,
        whole=whole,
        pieces=pieces,
        segments=None if whole is not None else last.segments,  # no record: none to cut
        periods=periods,
        remedies=remedies,
        obligations=dict(sorted(obligations.items())),
        windows=sorted(windows, key=lambda w: (w.start, w.end, w.clause, w.service)),
        fallback=fallback,
    )
