"""The record engine's result: :func:`adjudicate` runs the engine's stages
(:data:`rulebook.engine.adjudicate.STAGES`) over records and returns an
:class:`Adjudication`, which writes the JSON document, its rows and the explanations."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from rulebook import arguments
from rulebook import model as m
from rulebook.document.fields import (
    canonical_json,
    check_rendering,
    deciding,
    document_head,
    incident_of,
    period_dict,
    record_dict,
    record_row,
)
from rulebook.engine.adjudicate import STAGES
from rulebook.engine.measure import Measure
from rulebook.engine.remedy import Remedy
from rulebook.engine.run import Run, Verdict
from rulebook.engine.trace import render_period, render_record
from rulebook.engine.windows import Window
from rulebook.errors import NotFound
from rulebook.intake.billing import Billing
from rulebook.intake.records import (
    Notice,
    OutageRecord,
    RecordError,
    closure_date,
    parse_instant,
    timezone_of,
)
from rulebook.limits import shorten


@attrs.frozen
class Adjudication:
    """The outcome: every record's verdict and every period's figures, with reasons."""

    contract: m.Contract
    tz: dt.tzinfo
    as_of: int | None
    verdicts: tuple[Verdict, ...]
    periods: tuple[tuple[str, Measure], ...]
    notices: int
    remedies: Mapping[tuple[str, str], Remedy | None] = attrs.field(factory=dict)
    maintenance: tuple[Window, ...] = ()
    billed: Mapping[str, Billing] = attrs.field(factory=dict)
    #: the project file the inputs were read with (``Project.provenance``), for the document
    project_file: Mapping[str, str | None] | None = None

    def windows(self) -> list[Window]:
        """The maintenance windows of the run (announced and recurring), sorted."""
        return list(self.maintenance)

    def billing(self) -> dict[str, Billing]:
        """Each service's billing as given, by service."""
        return dict(self.billed)

    def to_dict(self, reasons: bool = True, records: bool = True) -> dict[str, Any]:
        """The adjudication as plain data (the JSON document, see docs/adjudication.md);
        without ``reasons`` each record carries its deciding clauses only; without
        ``records``, only the records that have obligations are listed."""
        document = document_head(self.contract, self.tz, self.as_of, self.project_file)
        document["counts"] = {"outages": len(self.verdicts), "notices": self.notices}
        document["outages"] = [
            self._record(v, reasons) for v in self.verdicts if records or v.obligations
        ]
        document["periods"] = [
            period_dict(
                self.contract, s, p, self.remedies.get((s, p.period.label)), self.tz, self.as_of
            )
            for s, p in self.periods
        ]
        return document

    def to_rows(self) -> list[dict[str, Any]]:
        """One plain dict a record, by id: ``id``, ``service``, ``start`` and ``end`` (ISO
        8601 in the contract's timezone), ``verdict``, ``counted_seconds``,
        ``excluded_seconds``, ``not_downtime_seconds`` and ``deciding`` (the deciding
        clauses joined by ", "). :meth:`FrameAdjudication.to_rows` gives the same list."""
        return [
            record_row(
                v.record.id,
                v.record.service,
                v.record.start,
                v.end,
                v.verdict,
                (v.seconds("counted"), v.seconds("excluded"), v.seconds("not_downtime")),
                deciding(v),
                self.tz,
            )
            for v in sorted(self.verdicts, key=lambda v: v.record.id)
        ]

    def to_json(self, indent: int | None = None, reasons: bool = True) -> str:
        """Canonical JSON: same inputs, same bytes. Compact by default: a large log's
        document is written by the C encoder, which Python uses only without indent."""
        return canonical_json(self.to_dict(reasons), indent)

    def _record(self, v: Verdict, reasons: bool = True) -> dict[str, Any]:
        out = record_dict(
            v.record.id,
            v.record.service,
            v.record.start,
            v.end,
            v.record.end is None,
            v.verdict,
            [(s.start, s.end, s.period, s.status, s.clause) for s in v.segments],
            deciding(v),
            self.tz,
            incident_of(v.record.facts),
        )
        if reasons:
            out["reasons"] = [r.to_dict() for r in v.reasons]
        out["obligations"] = [o.to_dict(self.tz) for o in v.obligations]
        return out

    def record(self, record_id: str) -> dict[str, Any]:
        """One record's data, as in the JSON document."""
        for v in self.verdicts:
            if v.record.id == record_id:
                return self._record(v)
        raise NotFound(f"no record '{shorten(str(record_id))}' was adjudicated")

    def explain_period(self, service: str, period: str, lang: str = "en", fmt: str = "text") -> str:
        """One service's period rendered: availability, target, downtime and remedy."""
        check_rendering(lang, fmt)
        for name, measured in self.periods:
            if name == service and measured.period.label == period:
                owed = self.remedies.get((name, period))
                data = period_dict(self.contract, name, measured, owed, self.tz, self.as_of)
                records = [
                    self._record(v, reasons=False)
                    for v in sorted(self.verdicts, key=lambda v: v.record.id)
                    if v.record.service == name and any(s.period == period for s in v.segments)
                ]
                return render_period(data, lang, fmt, records)
        raise NotFound(f"no period {shorten(str(period))} of service {shorten(str(service))}")

    def explain(
        self, record_id: str, lang: str = "en", fmt: str = "text", full: bool = False
    ) -> str:
        """One record's reasons, rendered (short: the deciding clause; full: every clause)."""
        check_rendering(lang, fmt)
        return render_record(self.record(record_id), self.contract, lang, fmt, full)


def adjudicate(
    contract: m.Contract,
    outages: Iterable[OutageRecord | Mapping[str, Any]],
    notices: Iterable[Notice | Mapping[str, Any]] = (),
    as_of: str | dt.datetime | None = None,
    closures: Iterable[dt.date | str] = (),
    billing: Iterable[Billing | Mapping[str, Any]] = (),
    events: Iterable[Mapping[str, Any]] = (),
) -> Adjudication:
    """Adjudicate outage records under a contract.

    Records and notices are mappings of field names (``id``, ``service``, ``start``, ``end``
    and facts of the vocabulary) or already-validated records. ``as_of`` closes ongoing
    records. ``closures`` are the days a provider announced as closed (年末年始 of
    nexa-palette), for calendars that say ``closed announced``. ``billing`` gives each
    service's monthly fee, currency, contract start and term (see
    :func:`~rulebook.engine.remedy.billing_from_mapping`), which remedies need. ``events``
    are timeline instants given apart from the records (``record``, ``event``, ``at``);
    they may also be fields of the records themselves.
    Raises :class:`~rulebook.intake.records.RecordError` for invalid input.

    >>> import rulebook
    >>> contract = rulebook.load_contract("cybermail")
    >>> result = rulebook.adjudicate(contract, [
    ...     {"id": "a", "service": "CYBERMAIL Σ", "start": "2026-09-03T10:00:00",
    ...      "end": "2026-09-03T10:45:00", "cause": "provider_fault", "detected_by": "monitoring"},
    ...     {"id": "b", "service": "CYBERMAIL Σ", "start": "2026-09-10T01:00:00",
    ...      "end": "2026-09-10T03:00:00", "cause": "attack", "detected_by": "monitoring"},
    ... ])
    >>> [(o["id"], o["verdict"], o["counted_seconds"]) for o in result.to_dict()["outages"]]
    [('a', 'counted', 2700), ('b', 'excluded', 0)]
    >>> period = result.to_dict()["periods"][0]
    >>> period["period"], period["availability"], period["met"]
    ('2026-09', '99.8958', False)
    """
    contract = arguments.contract(contract)
    outages = arguments.items(outages, "outages", (Mapping, OutageRecord), "mappings of fields")
    notices = arguments.items(notices, "notices", (Mapping, Notice), "mappings of fields")
    closures = arguments.items(closures, "closures", (str, dt.date), "dates (YYYY-MM-DD)")
    billing = arguments.items(billing, "billing", (Mapping, Billing), "mappings of fields")
    events = arguments.items(events, "events", (Mapping,), "mappings: record, event, at")
    tz = timezone_of(contract)
    try:
        instant = parse_instant(arguments.instant(as_of), tz, "as_of", None) if as_of else None
    except RecordError as exc:
        raise exc.of("argument") from None
    days = frozenset(closure_date(c) for c in closures)
    run = Run(
        contract, tz, list(outages), list(notices), instant, days, list(billing), list(events)
    )
    for stage in STAGES:
        stage(run)
    return Adjudication(
        contract,
        tz,
        instant,
        tuple(run.verdicts[r.id] for r in run.records),
        tuple(run.periods),
        len(run.notices),
        dict(run.remedies),
        tuple(run.windows),
        dict(run.billing),
    )
