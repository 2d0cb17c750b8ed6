"""The record engine's result: :func:`adjudicate` runs the engine's stages
(:data:`rulebook.engine.adjudicate.STAGES`) over records and returns an
:class:`Adjudication`, which writes the JSON document, its rows and the explanations."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from rulebook import arguments
from rulebook import model as m
from rulebook.columnar.state import Plan, outage_records
from rulebook.document.fields import (
    canonical_json,
    check_rendering,
    deciding,
    document_head,
    given_span,
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
from rulebook.engine.versions import combine
from rulebook.engine.windows import Window
from rulebook.errors import NotFound
from rulebook.intake.billing import Billing
from rulebook.intake.columns import FrameIntake
from rulebook.intake.ongoing import Closing
from rulebook.intake.records import (
    Notice,
    OutageRecord,
    RecordError,
    closure_date,
    parse_instant,
    timezone_of,
)
from rulebook.limits import shorten
from rulebook.mapping.compile import compile_mapping, scope_warning, scope_warnings
from rulebook.mapping.inputs import arguments_of, contract_of, gather, is_path, project_of
from rulebook.mapping.inputs import intake as take_inputs
from rulebook.mapping.places import unresolved_warning
from rulebook.project import NONE
from rulebook.reprs import with_repr
from rulebook.versions import Chain, Version


@with_repr
@attrs.frozen(repr=False)
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
    #: What the command line would have printed on stderr: columns left out, services out
    #: of scope, records refused with ``keep_going``.
    warnings: list[str] = attrs.field(factory=list, kw_only=True)
    #: A contract's versions (None without amendments): each record and period is judged
    #: under the version in force at its start (:mod:`rulebook.engine.versions`).
    chain: Chain | None = attrs.field(default=None, kw_only=True)

    def out_of_scope(self) -> dict[str, int]:
        """The services of the out-of-scope records, with how many records each."""
        found: dict[str, int] = {}
        for v in self.verdicts:
            if v.verdict == "out_of_scope":
                found[v.record.service] = found.get(v.record.service, 0) + 1
        return dict(sorted(found.items()))

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
        document = document_head(self.contract, self.tz, self.as_of, self.project_file, self.chain)
        document["counts"] = {"outages": len(self.verdicts), "notices": self.notices}
        document["outages"] = [
            self._record(v, reasons) for v in self.verdicts if records or v.obligations
        ]
        document["periods"] = [
            period_dict(
                self.contract,
                s,
                p,
                self.remedies.get((s, p.period.label)),
                self.tz,
                self.as_of,
                self.chain,
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
        if self.chain is not None:
            out["version"] = self.chain.version_at(v.record.start).name
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
                data = period_dict(
                    self.contract, name, measured, owed, self.tz, self.as_of, self.chain
                )
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
        data = self.record(record_id)
        if self.chain is None:
            return render_record(data, self.contract, lang, fmt, full)
        version = self.chain.versions[self.chain.names().index(data["version"])]
        rendered = render_record(data, version.contract, lang, fmt, full)
        return rendered.rstrip("\n") + "\n" + version_line(version, lang) + "\n"


def adjudicate(
    contract: m.Contract | str | os.PathLike[str],
    outages: Iterable[OutageRecord | Mapping[str, Any]] | str | os.PathLike[str],
    notices: Iterable[Notice | Mapping[str, Any]] | str | os.PathLike[str] = (),
    as_of: str | dt.datetime | None = None,
    closures: Iterable[dt.date | str] = (),
    billing: Iterable[Billing | Mapping[str, Any]] | str | os.PathLike[str] = (),
    events: Iterable[Mapping[str, Any]] | str | os.PathLike[str] = (),
    *,
    project: Any = None,
    strict: bool = False,
    keep_going: bool = False,
    since: str | dt.datetime | None = None,
    until: str | dt.datetime | None = None,
) -> Adjudication:
    """Adjudicate outage records under a contract.

    ``contract`` is a loaded contract, a bundled id or a path. Records and notices are
    mappings of field names (``id``, ``service``, ``start``, ``end`` and facts of the
    vocabulary) or already-validated records; the log, notices, billing and events may also
    be paths of files, read as the command line reads them. The inputs are mapped as the
    command line maps them (:mod:`rulebook.mapping.inputs`): ``project`` is a
    ``rulebook.toml`` whose maps apply; a column that is no field is left out with a warning
    (``strict``: refused); with ``keep_going`` a bad record is left out with a warning
    rather than raised. The warnings the command line prints are in
    :attr:`Adjudication.warnings`. ``as_of`` closes ongoing
    records. ``closures`` are the days a provider announced as closed (年末年始 of
    nexa-palette), for calendars that say ``closed announced``. ``billing`` gives each
    service's monthly fee, currency, contract start and term (see
    :func:`~rulebook.engine.remedy.billing_from_mapping`), which remedies need. ``events``
    are timeline instants given apart from the records (``record``, ``event``, ``at``);
    they may also be fields of the records themselves. ``since`` and ``until`` give the
    span the log covers (docs/formats.md, "What a log covers"): the periods it overlaps are
    measured, the others are "no data"; by default the log's own span.
    Raises :class:`~rulebook.intake.records.RecordError` for invalid input.

    >>> import rulebook
    >>> result = rulebook.adjudicate("cybermail", [
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
    >>> result.warnings
    []
    """
    contract = contract_of(contract)
    listed: list[Any] = []
    if not is_path(outages):
        listed = arguments.items(outages, "outages", (Mapping, OutageRecord), "mappings of fields")
    taken, given, bills, as_of = arguments_of(notices, closures, billing, events, as_of)
    tz = timezone_of(contract)
    try:
        instant = parse_instant(as_of, tz, "as_of", None) if as_of else None
    except RecordError as exc:
        raise exc.of("argument") from None
    plan = project_of(project)
    validated = [o for o in listed if isinstance(o, OutageRecord)]
    plain = outages if is_path(outages) else [o for o in listed if isinstance(o, Mapping)]
    gathered = gather(plain, *taken)
    if is_path(outages) or plan is not NONE or keep_going:
        # validated by the intake and handed over as records, as `--engine records` does
        intake, warnings = take_inputs(
            contract, gathered, plan, strict, keep_going, closing=Closing(instant)
        )
        warnings += [str(e) for e in intake.errors]
        records = [*validated, *records_of(contract, intake)]
        items = Given(records, intake.notices, intake.billing, [], intake.closures)
    else:
        mapping = compile_mapping(plan, contract, strict)
        case, columns, others = mapping.prepare_case(gathered.case, "outages")
        unresolved = unresolved_warning("outages", mapping.unresolved)
        warnings = [*scope_warnings(plan, contract), *columns, *unresolved, *others]
        items = Given(
            [*validated, *(i.data for i in case.outages)],
            [i.data for i in case.notices],
            [i.data for i in case.billing],
            [i.data for i in case.events],
            case.closures,
        )
    days = frozenset(closure_date(c) for c in items.closures)
    chain = Chain.of(contract, tz) if contract.amendments else None
    runs = []
    for text in [v.contract for v in chain.versions] if chain else [contract]:
        run = Run(
            text,
            tz,
            list(items.outages),
            [*items.notices, *given],
            instant,
            days,
            [*items.billing, *bills],
            list(items.events),
        )
        run.given = given_span(since, until, tz)
        for stage in STAGES:
            stage(run)
        runs.append(run)
    run = combine(runs, chain) if chain else runs[0]
    result = Adjudication(
        contract,
        tz,
        instant,
        tuple(run.verdicts[r.id] for r in run.records),
        tuple(run.periods),
        len(run.notices),
        dict(run.remedies),
        tuple(run.windows),
        dict(run.billing),
        plan.provenance,
        chain=chain,
    )
    scoped = scope_warning(contract, result.out_of_scope())
    result.warnings.extend([*warnings, *([scoped] if scoped else [])])
    return result


def version_line(version: Version, lang: str) -> str:
    """Which version of a contract judged a record (the one in force at its start)."""
    if lang == "ja":
        since = f"（{version.effective} から施行）" if version.effective else "（最初の版）"
        return f"  適用した版: {version.name}{since}"
    since = f"in force from {version.effective}" if version.effective else "the first text"
    return f"  Judged under version {version.name} ({since}), in force when it started."


@with_repr
@attrs.frozen(repr=False)
class Given:
    """The inputs handed to the record engine's stages."""

    outages: list[Any]
    notices: list[Any]
    billing: list[Any]
    events: list[Any]
    closures: list[str]


def records_of(contract: m.Contract, intake: FrameIntake) -> list[OutageRecord]:
    """Validated input (the intake's frame) as the record engine's records."""
    assert contract.vocabulary is not None
    plan = Plan(
        contract,
        timezone_of(contract),
        intake.frame,
        [],
        {},
        frozenset(),
        None,
        intake.exact,
        {f.name: f for f in contract.vocabulary.facts},
    )
    return outage_records(plan, intake.frame)
