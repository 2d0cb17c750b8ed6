"""The columnar plan: the contract compiled to polars expressions, run over frames.

This is the evaluator of every bulk command and of :func:`adjudicate_frame`. It gives the
same answer as the record engine (:mod:`rulebook.engine`), which stays the oracle and the
explainer; the differential tests in ``tests/test_differential.py`` hold them equal.

- :mod:`.intake` — logs read into frames, validated a column at a time;
- :mod:`.translate` — conditions to Kleene-logic polars expressions;
- :mod:`.plan` — the stages, in the record engine's order;
- :mod:`.result` — frames of verdicts, segments and periods; JSON, JSON Lines, Parquet.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from rulebook import arguments
from rulebook import model as m
from rulebook.columnar.intake import (
    FrameIntake,
    as_frame,
    frame_intake,
    items_intake,
    read_outages,
)
from rulebook.columnar.plan import run_plan
from rulebook.columnar.result import FrameAdjudication, result_of
from rulebook.engine.facts import Notice, RecordError, parse_instant, timezone_of
from rulebook.engine.remedy import Billing
from rulebook.formats.readers import Case, Item


def adjudicate_intake(
    contract: m.Contract,
    intake: FrameIntake,
    as_of: str | dt.datetime | None = None,
    progress: Callable[[str], object] | None = None,
) -> FrameAdjudication:
    """Run the plan over validated input."""
    from rulebook.engine.adjudicate import _closure_day

    tz = timezone_of(contract)
    try:
        instant = parse_instant(as_of, tz, "as_of", None) if as_of is not None else None
    except RecordError as exc:
        raise exc.of("argument") from None
    days = frozenset(_closure_day(c) for c in intake.closures)
    plan = run_plan(
        contract,
        intake.frame,
        intake.notices,
        intake.billing,
        days,
        instant,
        intake.exact,
        progress,
        intake.edges,
    )
    return result_of(plan)


def adjudicate_frame(
    contract: m.Contract,
    outages: Any,
    notices: Iterable[Notice | Mapping[str, Any]] = (),
    as_of: str | dt.datetime | None = None,
    closures: Iterable[dt.date | str] = (),
    billing: Iterable[Billing | Mapping[str, Any]] = (),
    events: Iterable[Mapping[str, Any]] = (),
) -> FrameAdjudication:
    """Adjudicate a polars DataFrame, an Arrow table, a path (CSV, JSON Lines, JSON case
    file, Parquet) or a list of mappings under ``contract``; the result holds frames.

    >>> import polars as pl, rulebook
    >>> contract = rulebook.load_contract("cybermail")
    >>> log = pl.DataFrame({
    ...     "id": ["a", "b"], "service": ["CYBERMAIL Σ"] * 2,
    ...     "start": ["2026-09-03T10:00:00", "2026-09-10T01:00:00"],
    ...     "end": ["2026-09-03T10:45:00", "2026-09-10T03:00:00"],
    ...     "cause": ["provider_fault", "attack"], "detected_by": ["monitoring"] * 2})
    >>> result = rulebook.adjudicate_frame(contract, log)
    >>> result.records.select("id", "verdict", "counted_seconds").rows()
    [('a', 'counted', 2700), ('b', 'excluded', 0)]
    >>> result.periods.select("period", "availability", "met").rows()
    [('2026-09', '99.8958', False)]
    """
    contract = arguments.contract(contract)
    notices = arguments.items(notices, "notices", (Mapping, Notice), "mappings of fields")
    closures = arguments.items(closures, "closures", (str, dt.date), "dates (YYYY-MM-DD)")
    billing = arguments.items(billing, "billing", (Mapping, Billing), "mappings of fields")
    events = arguments.items(events, "events", (Mapping,), "mappings: record, event, at")
    as_of = arguments.instant(as_of)
    if isinstance(outages, list | tuple):
        outages = arguments.items(outages, "outages", (Mapping,), "mappings of fields")
    given = [n for n in notices if isinstance(n, Notice)]
    bills = [b for b in billing if isinstance(b, Billing)]
    case = Case(
        notices=[
            Item(f"notices[{i}]", dict(n))
            for i, n in enumerate(notices)
            if not isinstance(n, Notice)
        ],
        billing=[
            Item(f"billing[{i}]", dict(b))
            for i, b in enumerate(billing)
            if not isinstance(b, Billing)
        ],
        events=[Item(f"events[{i}]", dict(e)) for i, e in enumerate(events)],
        closures=[str(c) for c in closures],
    )
    if isinstance(outages, str):
        intake = read_outages(contract, outages, None, case)
    elif isinstance(outages, list | tuple):
        case.outages = [Item(f"outages[{i}]", dict(o)) for i, o in enumerate(outages)]
        intake = items_intake(contract, case)
    else:
        intake = frame_intake(contract, as_frame(outages), "<frame>", case, first_line=None)
    intake.notices += given
    intake.billing += bills
    return adjudicate_intake(contract, intake, as_of)


__all__ = ["FrameAdjudication", "FrameIntake", "adjudicate_frame", "adjudicate_intake"]
