"""A contract with versions, judged by the record engine: what is judged under which.

Every version adjudicates the whole log (each record's facts, its stoppage runs, its
causes and windows are the log's, whatever the version); then

- a **record** takes the verdict, segments, reasons and obligations of the version in
  force when it started (its obligations are judged with it: their clocks start at or
  after the record's start, under the terms the record was judged by);
- a **period** is measured from the chosen verdicts — counted and excluded time are the
  union of segments judged under different versions where it straddles an effective
  date — with the target, planned stops and remedy of the version in force at its start;
- the remedies are settled once, each period under its version, one ledger for caps.

The columnar plan does the same with its frames (:mod:`rulebook.columnar.versions`);
docs/adjudication.md, "Versions", says why.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from rulebook.engine.adjudicate import availability
from rulebook.engine.remedy import settle
from rulebook.engine.run import Run
from rulebook.versions import Chain


def combine(runs: Sequence[Run], chain: Chain) -> Run:
    """One run from the finished runs of every version (same inputs, in the chain's
    order): each record's verdict from the version in force at its start, each period
    measured again from those verdicts under the version in force at its start."""
    first = runs[0]
    mixed = {
        rid: runs[chain.at(verdict.record.start)].verdicts[rid]
        for rid, verdict in first.verdicts.items()
    }
    periods = []
    windows = []
    for i, run in enumerate(runs):
        again = attrs.evolve(run, verdicts=mixed, periods=[])
        availability(again)
        periods += [(s, p) for s, p in again.periods if chain.at(p.period.start) == i]
        windows += [w for w in run.windows if chain.at(w.start) == i]
    periods.sort(key=lambda sp: (sp[0], sp[1].period.start))
    last = runs[-1]
    remedies = settle(last.contract, periods, last.billing, last.tz, chain.text_at)
    return attrs.evolve(
        last,
        verdicts=mixed,
        periods=periods,
        remedies=remedies,
        windows=sorted(windows, key=lambda w: (w.start, w.end, w.clause, w.service)),
    )
