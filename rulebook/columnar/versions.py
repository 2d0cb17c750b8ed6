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
from rulebook.engine.versions import Chain
from rulebook.intake.records import timezone_of


def clause_names(chain: Chain) -> tuple[str, ...]:
    """Every version's clause ids."""
    return tuple(sorted({c.id for v in chain.versions for c in v.contract.clauses}))


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
    own = [first["pos"].filter(which == i) for i in range(len(plans))]
    frame = pl.concat(
        [p.frame.filter(pl.col("pos").is_in(own[i].implode())) for i, p in enumerate(plans)],
        how="diagonal_relaxed",
    ).sort("pos")
    whole = (
        pl.concat(
            [
                p.whole.filter(pl.col("pos").is_in(own[i].implode()))
                for i, p in enumerate(plans)
                if p.whole is not None
            ],
            how="diagonal_relaxed",
        )
        if any(p.whole is not None for p in plans)
        else None
    )
    pieces_of = [
        p.pieces.filter(pl.col("pos").is_in(own[i].implode()))
        for i, p in enumerate(plans)
        if p.pieces is not None
    ]
    pieces = pl.concat(pieces_of, how="diagonal_relaxed") if pieces_of else None
    mine = [set(ids.to_list()) for ids in own]
    ids = dict(zip(first["pos"].to_list(), first["id"].to_list(), strict=True))
    periods = []
    windows = []
    obligations = {}
    fallback: set[str] = set()
    for i, plan in enumerate(plans):
        again = attrs.evolve(plan, frame=frame, whole=whole, pieces=pieces, periods=[])
        availability(again)
        periods += [(s, p) for s, p in again.periods if chain.at(p.period.start) == i]
        windows += [w for w in plan.windows if chain.at(w.start) == i]
        names = {ids[pos] for pos in mine[i]}
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
        segments=None,
        periods=periods,
        remedies=remedies,
        obligations=dict(sorted(obligations.items())),
        windows=sorted(windows, key=lambda w: (w.start, w.end, w.clause, w.service)),
        fallback=fallback,
    )
