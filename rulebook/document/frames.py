"""The columnar plan's result: :class:`FrameAdjudication`, the frames of verdicts,
segments and periods a plan decided, and the JSON document, JSON Lines and Parquet written
from them; :func:`adjudicate_frame`, the frame API's entry point.

Reasons are not built here: :meth:`FrameAdjudication.explain` runs the record engine, the
explainer, on the record's neighbourhood — the records every grouping it depends on holds
(:mod:`rulebook.columnar.dependencies`: its stoppage, its event, its causes, closed), and
the notices and closures whole — which decides the record exactly as the whole input does.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

import attrs
import polars as pl

from rulebook import arguments
from rulebook import model as m
from rulebook.columnar.dependencies import Neighbourhoods
from rulebook.columnar.plan import cut_segments, run_plan
from rulebook.columnar.result import (
    RECORD_COLUMNS,
    in_record_order,
    records_frame,
    segments_as_text,
    text_of,
)
from rulebook.columnar.state import Plan, outage_records
from rulebook.columnar.versions import run_versions
from rulebook.document.fields import (
    INCIDENT_FACTS,
    canonical_json,
    check_rendering,
    document_head,
    given_span,
    incident_of,
    period_dict,
    record_dict,
    record_row,
)
from rulebook.document.records import Adjudication, adjudicate
from rulebook.engine.trace import render_period
from rulebook.errors import NotFound
from rulebook.intake.billing import Billing
from rulebook.intake.clock import fixed_zone, iso, zoned
from rulebook.intake.columns import FrameIntake
from rulebook.intake.frames import IN_MEMORY
from rulebook.intake.ongoing import Closing
from rulebook.intake.records import Notice, RecordError, closure_date, parse_instant, timezone_of
from rulebook.limits import shorten
from rulebook.mapping.compile import scope_warning
from rulebook.mapping.inputs import arguments_of, contract_of, gather, project_of
from rulebook.mapping.inputs import intake as take_inputs
from rulebook.reprs import with_repr
from rulebook.versions import Chain

if TYPE_CHECKING:
    from rulebook.engine.windows import Window


#: The remedy owed for a period, as a struct column of :attr:`FrameAdjudication.periods`
#: (null: none owed); its fields are those of the JSON document's ``remedy``.
REMEDY_SCHEMA = pl.Struct(
    {
        "clause": pl.String,
        "kind": pl.String,
        "months": pl.Int64,
        "amount": pl.String,  # exact decimal text
        "currency": pl.String,
        "claim_deadline": pl.String,
        "claim_last_day": pl.String,
        "claim_last_weekday": pl.String,
        "claimed_on": pl.String,
        "forfeited": pl.Boolean,
        "formula": pl.Struct({"en": pl.String, "ja": pl.String}),
        "cap": pl.String,
        "capped": pl.Boolean,
        "contract_year": pl.Struct({"start": pl.String, "breached_months": pl.Int64}),
    }
)
PERIOD_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "service": pl.String,
    "period": pl.String,
    "period_seconds": pl.Int64,
    "denominator_seconds": pl.Int64,
    "downtime_seconds": pl.Int64,
    "excluded_seconds": pl.Int64,
    "availability": pl.String,
    "availability_exact": pl.String,
    "target": pl.String,
    "met": pl.Boolean,
    "provisional": pl.Boolean,
    "remedy": REMEDY_SCHEMA,
    "no_data": pl.Boolean,
}


@with_repr
@attrs.frozen(repr=False)
class FrameAdjudication:
    """What the columnar plan decided. :attr:`records` (one row a record, by id),
    :attr:`segments` (each record cut at windows and periods, by id and start) and
    :attr:`periods` are built when first asked for: ``report`` never builds the first two.
    """

    plan: Plan
    _cache: dict[str, pl.DataFrame] = attrs.field(factory=dict, alias="_cache")
    #: What the command line would have printed on stderr: columns left out, services out
    #: of scope, records refused with ``keep_going``.
    warnings: list[str] = attrs.field(factory=list, kw_only=True)
    _near: dict[str, Neighbourhoods] = attrs.field(factory=dict, alias="_near")
    #: the project file the inputs were read with (``Project.provenance``), for the document
    project_file: Mapping[str, str | None] | None = None
    _versions: dict[str, Chain] = attrs.field(factory=dict, alias="_versions")

    @property
    def records(self) -> pl.DataFrame:
        """One row a record: verdict, seconds by status, deciding clauses."""
        return self._numbered().drop("pos")

    def _numbered(self) -> pl.DataFrame:
        """:attr:`records` with the plan's number of each record (``pos``)."""
        if "records" not in self._cache:
            self._cache["records"] = records_frame(self.plan)
        return self._cache["records"]

    @property
    def segments(self) -> pl.DataFrame:
        """Every record's segments: id, start, end, period, status, deciding clause."""
        if "segments" not in self._cache:
            plan = self.plan
            cut = cut_segments(plan)
            self._cache["segments"] = (
                segments_as_text(cut)
                .with_columns(id=plan.frame["id"].gather(cut["pos"]))
                .select("id", "start", "end", "period", "status", "clause")
                .sort("id", "start")
            )
        return self._cache["segments"]

    @property
    def contract(self) -> m.Contract:
        """The contract adjudicated under."""
        return self.plan.contract

    @property
    def tz(self) -> dt.tzinfo:
        """The contract's timezone."""
        return self.plan.tz

    def windows(self) -> list[Window]:
        """The maintenance windows of the run (announced and recurring), sorted."""
        return list(self.plan.windows)

    def billing(self) -> dict[str, Billing]:
        """Each service's billing as given, by service."""
        return dict(self.plan.billing)

    @property
    def fallback(self) -> int:
        """How many records the record engine's closures decided (values a double cannot
        hold exactly)."""
        return len(self.plan.fallback)

    @property
    def periods(self) -> pl.DataFrame:
        """One row per service and period: seconds, availability, target, met, remedy."""
        return periods_frame([self._period(s, p) for s, p in self.plan.periods])

    def out_of_scope(self) -> dict[str, int]:
        """The services of the out-of-scope records, with how many records each (read off
        the plan's frame: ``report`` builds no records frame for it)."""
        counted = (
            self.plan.frame.lazy()
            .filter(pl.col("status") == "out_of_scope")
            .group_by("service")
            .len()
            .sort("service")
            .collect(engine=IN_MEMORY)
        )
        return dict(zip(counted["service"].to_list(), counted["len"].to_list(), strict=True))

    def _period(self, service: str, measured: Any) -> dict[str, Any]:
        owed = self.plan.remedies.get((service, measured.period.label))
        return period_dict(
            self.contract, service, measured, owed, self.tz, self.plan.as_of, self.chain
        )

    @property
    def chain(self) -> Chain | None:
        """The contract's versions (None without amendments)."""
        if not self.contract.amendments:
            return None
        if "chain" not in self._versions:
            self._versions["chain"] = Chain.of(self.contract, self.tz)
        return self._versions["chain"]

    # -------------------------------------------------------------- the JSON document

    def to_dict(self, reasons: bool = False, records: bool = True) -> dict[str, Any]:
        """The JSON document (format 1) without reasons (see :meth:`explain`); without
        ``records``, only the records that have obligations to show."""
        document = document_head(
            self.contract, self.tz, self.plan.as_of, self.project_file, self.chain
        )
        # one row a record: the plan's frame (``report`` builds no record or segment frame)
        document["counts"] = {"outages": self.plan.frame.height, "notices": len(self.plan.notices)}
        if records:
            document["outages"] = list(self._records(self.records))
        elif self.plan.obligations:
            wanted = list(self.plan.obligations)
            document["outages"] = list(
                self._records(self.records.filter(pl.col("id").is_in(wanted)))
            )
        else:
            document["outages"] = []
        document["periods"] = [self._period(s, p) for s, p in self.plan.periods]
        return document

    def to_json(self, indent: int | None = None) -> str:
        """Canonical JSON: same inputs, same bytes."""
        return canonical_json(self.to_dict(), indent)

    def to_rows(self) -> list[dict[str, Any]]:
        """One plain dict a record, by id, as :meth:`Adjudication.to_rows`: ``id``,
        ``service``, ``start``, ``end`` (ISO 8601), ``verdict``, seconds by status and
        ``deciding`` (the deciding clauses joined by ", ")."""
        return [
            record_row(rid, service, start, end, verdict, (c, e, n), deciding or [], self.tz)
            for rid, service, start, end, verdict, c, e, n, deciding in self.records.drop(
                "ongoing"
            ).iter_rows()
        ]

    def _records(self, rows: pl.DataFrame) -> Iterator[dict[str, Any]]:
        segments = self.segments.filter(pl.col("id").is_in(rows["id"].implode()))
        by_id: dict[str, list[tuple[Any, ...]]] = {}
        for rid, *rest in segments.select(
            "id", "start", "end", "period", "status", "clause"
        ).iter_rows():
            by_id.setdefault(rid, []).append(tuple(rest))
        incidents = incidents_of(self.plan.frame, rows["id"])
        for row in rows.iter_rows(named=True):
            out = row_dict(row, by_id.get(row["id"], []), self.tz, incidents.get(row["id"]))
            if self.chain is not None:
                out["version"] = self.chain.version_at(row["start"]).name
            out["obligations"] = [
                o.to_dict(self.tz) for o in self.plan.obligations.get(row["id"], [])
            ]
            yield out

    def record(self, record_id: str) -> dict[str, Any]:
        """One record's data, as in the JSON document (without reasons)."""
        rows = self.records.filter(pl.col("id") == record_id)
        if rows.height == 0:
            raise NotFound(f"no record '{shorten(str(record_id))}' was adjudicated")
        return next(self._records(rows))

    def obligation_rows(self) -> list[dict[str, Any]]:
        """Every obligation that applied or could not be decided, with its record."""
        services = dict(self.records.select("id", "service").iter_rows())
        return [
            {"record": rid, "service": services[rid], **o.to_dict(self.tz)}
            for rid in sorted(self.plan.obligations)
            for o in self.plan.obligations[rid]
            if o.verdict != "not_applicable"
        ]

    # -------------------------------------------------------------- streams and files

    def jsonl_frame(self, period: str | None = None) -> pl.DataFrame:
        """One row a record with its segments, instants in the contract's timezone: what
        ``--format jsonl`` writes, a line a record (with ``period``, the records that have a
        segment in it). The instants are ISO 8601 text, or timestamps of a fixed zone where
        the offset does not change (polars writes them as the same text)."""
        plan = self.plan
        numbered = self._cache.get("records")
        if numbered is None:  # not built for another output: verdicts as enumerations
            numbered = records_frame(plan, text=False)
        records = self._in_period(numbered, period)
        if self.chain is not None:
            chain = self.chain
            names = [chain.version_at(t).name for t in records["start"].to_list()]
            records = records.with_columns(version=pl.Series(names, dtype=pl.String))
        frame, pieces = plan.frame, cut_segments(plan)
        zone = None
        if frame.height:
            low, high = frame["start"].min(), frame["end"].max()
            assert isinstance(low, int) and isinstance(high, int)
            zone = fixed_zone(self.tz, low, high)
        if zone is not None:
            pieces = pieces.with_columns(zoned(pieces["start"], zone), zoned(pieces["end"], zone))
            records = records.with_columns(
                zoned(records["start"], zone), zoned(records["end"], zone)
            )
        else:
            pieces, records = self._iso_text(pieces, records)
        segments = pieces.group_by("pos", maintain_order=True).agg(
            segments=pl.struct("start", "end", "period", "status", "clause")
        )
        listed: pl.Series
        if not in_record_order(segments, frame):
            joined = records.join(segments, on="pos", how="left", maintain_order="left")
            listed = joined["segments"]
        elif in_record_order(records, frame):  # a log in its ids' order: no copy
            listed = segments["segments"]
        else:
            listed = segments["segments"].gather(records["pos"])
        records = records.with_columns(segments=listed)
        columns = [*RECORD_COLUMNS[:9], "segments", "deciding"]
        if self.chain is not None:
            columns.append("version")
        contract = self.plan.contract
        versions = [contract.clauses, *(a.clauses for a in contract.amendments)]
        if any(isinstance(c, m.ObligationClause) for cs in versions for c in cs):
            # JSON text, written as it is (jsonl_text); [] for a record without any, as
            # the JSON document writes it (whether or not another record has some)
            obligations = [
                json.dumps(
                    [o.to_dict(self.tz) for o in self.plan.obligations.get(r, [])],
                    ensure_ascii=False,
                    separators=(",", ":"),
                )
                for r in records["id"].to_list()
            ]
            records = records.with_columns(obligations=pl.Series(obligations, dtype=pl.String))
            columns.append(OBLIGATIONS)
        return records.select(columns)

    def _iso_text(
        self, pieces: pl.DataFrame, records: pl.DataFrame
    ) -> tuple[pl.DataFrame, pl.DataFrame]:
        """Segments and records with their instants as ISO 8601 text (an offset that
        changes: Python's database decides each, :func:`iso`). Each record's own start and
        end are written once; most segments start or end where their record does and
        gather that text, the others (cut at a period or a window) are written here."""
        frame, tz = self.plan.frame, self.tz
        start_text, end_text = iso(frame["start"], tz), iso(frame["end"], tz)
        at, own = pieces["pos"], records["pos"]
        pieces = pieces.with_columns(
            text_of(pieces["start"], frame["start"].gather(at), start_text.gather(at), tz),
            text_of(pieces["end"], frame["end"].gather(at), end_text.gather(at), tz),
        )
        return pieces, records.with_columns(start_text.gather(own), end_text.gather(own))

    def _in_period(self, frame: pl.DataFrame, period: str | None) -> pl.DataFrame:
        if period is None:
            return frame
        ids = self.segments.filter(pl.col("period") == period)["id"].unique()
        return frame.filter(pl.col("id").is_in(ids.implode()))

    def write_parquet(self, prefix: str, period: str | None = None) -> list[str]:
        """``PREFIX.records.parquet``, ``PREFIX.segments.parquet`` and
        ``PREFIX.periods.parquet`` (with ``period``, only what falls in it)."""
        records = self._in_period(self.records, period)
        segments = self.segments
        periods = self.periods
        if period is not None:
            segments = segments.filter(pl.col("id").is_in(records["id"].implode()))
            periods = periods.filter(pl.col("period") == period)
        paths = []
        for name, frame in (("records", records), ("segments", segments), ("periods", periods)):
            path = f"{prefix}.{name}.parquet"
            frame.write_parquet(path, statistics=False)
            paths.append(path)
        return paths

    # -------------------------------------------------------------- explanations

    def neighbourhood(self, record_id: str) -> pl.DataFrame:
        """The records that decide ``record_id`` as the whole input does: itself and, read
        off the plan's key columns, every grouping it depends on (its stoppage, its event,
        its causes: :mod:`rulebook.columnar.dependencies`), closed: each record taken in
        brings its own."""
        if "index" not in self._near:
            self._near["index"] = Neighbourhoods(self.plan.frame)
        return self._near["index"].of(record_id)

    def explained(self, record_id: str) -> Adjudication:
        """The record engine's adjudication of the record's neighbourhood."""
        plan = self.plan
        records = outage_records(plan, self.neighbourhood(record_id))
        return adjudicate(plan.contract, records, plan.notices, _as_of(plan), plan.closures)

    def explained_all(self) -> Adjudication:
        """The record engine's adjudication of the whole input: every record's reasons
        at once (the report prints one beside each record)."""
        plan = self.plan
        records = outage_records(plan, plan.frame)
        return adjudicate(plan.contract, records, plan.notices, _as_of(plan), plan.closures)

    def explain(
        self, record_id: str, lang: str = "en", fmt: str = "text", full: bool = False
    ) -> str:
        """One record's reasons, from the record engine run on its neighbourhood."""
        return self.explained(record_id).explain(record_id, lang, fmt, full)

    def explain_period(self, service: str, period: str, lang: str = "en", fmt: str = "text") -> str:
        """One service's period rendered: availability, target, downtime and remedy."""
        check_rendering(lang, fmt)
        for name, measured in self.plan.periods:
            if name == service and measured.period.label == period:
                ids = self.segments.filter(pl.col("period") == period)["id"].unique()
                rows = self.records.filter(
                    (pl.col("service") == service) & pl.col("id").is_in(ids.implode())
                )
                records = list(self._records(rows))
                return render_period(self._period(name, measured), lang, fmt, records)
        raise NotFound(f"no period {shorten(str(period))} of service {shorten(str(service))}")


#: The column of :meth:`FrameAdjudication.jsonl_frame` that holds each record's
#: obligations as JSON text, each as ``Obligation.to_dict`` writes it.
OBLIGATIONS = "obligations"


def jsonl_text(frame: pl.DataFrame) -> str:
    """``frame`` (of :meth:`FrameAdjudication.jsonl_frame`) as JSON Lines, a line a row:
    polars' ``write_ndjson``, each record's obligations put in as the JSON text they are.
    Decoded into a struct, they took every key any obligation has (``"missing": null``,
    facts another clause reads), in an order polars inferred anew each run."""
    if OBLIGATIONS not in frame.columns:
        return frame.write_ndjson()
    # a line a row: split at "\n" only (polars writes U+2028 and the like unescaped)
    lines = frame.drop(OBLIGATIONS).write_ndjson().split("\n")[: frame.height]
    return "".join(
        f'{line[:-1]},"{OBLIGATIONS}":{text}}}\n'
        for line, text in zip(lines, frame[OBLIGATIONS], strict=True)
    )


def periods_frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    """Periods of the document (:func:`period_dict`) as a frame (:data:`PERIOD_SCHEMA`); the
    ``no_data`` column is false where the document leaves the key out."""
    return pl.DataFrame(
        [{**r, "no_data": bool(r.get("no_data"))} for r in rows], schema=PERIOD_SCHEMA
    )


def _as_of(plan: Plan) -> dt.datetime | None:
    if plan.as_of is None:
        return None
    return dt.datetime.fromtimestamp(plan.as_of, plan.tz)


def incidents_of(frame: pl.DataFrame, ids: pl.Series) -> dict[str, dict[str, str]]:
    """The incident of each record of ``ids`` that has one (:func:`.fields.incident_of`),
    read off the plan's frame."""
    columns = [c for c in INCIDENT_FACTS if c in frame.columns]
    if not columns:
        return {}
    rows = frame.select("id", *(pl.col(c).cast(pl.String) for c in columns))
    rows = rows.filter(pl.col("id").is_in(ids.implode()))
    found = {}
    for row in rows.iter_rows(named=True):
        incident = incident_of(row)
        if incident is not None:
            found[row["id"]] = incident
    return found


def incident_texts(frame: pl.DataFrame, ids: pl.Series) -> pl.Series:
    """Each record's incident of ``ids`` as JSON text (null: none), for Spark's rows."""
    found = incidents_of(frame, ids)
    texts = [json.dumps(found[r], ensure_ascii=False) if r in found else None for r in ids]
    return pl.Series("incident", texts, dtype=pl.String)


def row_dict(
    row: Mapping[str, Any],
    segments: list[tuple[Any, ...]],
    tz: dt.tzinfo,
    incident: dict[str, str] | None = None,
) -> dict[str, Any]:
    """A row of :attr:`FrameAdjudication.records` (or of the Spark records) as the JSON
    document's record, with its segments ``(start, end, period, status, clause)``."""
    return record_dict(
        row["id"],
        row["service"],
        row["start"],
        row["end"],
        row["ongoing"],
        row["verdict"],
        segments,
        list(row["deciding"]),
        tz,
        incident,
    )


def result_of(plan: Plan) -> FrameAdjudication:
    """The result of a finished plan."""
    return FrameAdjudication(plan)


def as_of_instant(as_of: str | dt.datetime | None, tz: dt.tzinfo) -> int | None:
    """The ``as_of`` argument as an instant (None: none given)."""
    try:
        return parse_instant(as_of, tz, "as_of", None) if as_of is not None else None
    except RecordError as exc:
        raise exc.of("argument") from None


def adjudicate_intake(
    contract: m.Contract,
    intake: FrameIntake,
    as_of: str | dt.datetime | None = None,
    progress: Callable[[str], object] | None = None,
    since: str | dt.datetime | None = None,
    until: str | dt.datetime | None = None,
) -> FrameAdjudication:
    """Run the plan over validated input (``since``, ``until``: the span the log covers,
    as :func:`rulebook.adjudicate` takes it)."""
    tz = timezone_of(contract)
    given = given_span(since, until, tz)
    instant = as_of_instant(as_of, tz)
    days = frozenset(closure_date(c) for c in intake.closures)
    plan = (run_versions if contract.amendments else run_plan)(
        contract,
        intake.frame,
        intake.notices,
        intake.billing,
        days,
        instant,
        intake.exact,
        progress,
        intake.edges,
        given=given,
    )
    return result_of(plan)


def adjudicate_frame(
    contract: m.Contract | str | os.PathLike[str],
    outages: Any,
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
) -> FrameAdjudication:
    """Adjudicate a polars DataFrame, an Arrow table, a path (CSV, JSON Lines, JSON case
    file, Parquet) or a list of mappings under ``contract`` (a loaded contract, a bundled
    id or a path); the result holds frames. The inputs are taken as the command line takes
    them (:mod:`rulebook.mapping.inputs`): notices, billing and events may be paths too,
    ``project`` is a ``rulebook.toml`` whose maps apply, a column that is no field is left
    out with a warning (``strict``: refused), and the warnings the command line prints are
    in :attr:`FrameAdjudication.warnings`. ``since`` and ``until`` give the span the log
    covers, as :func:`rulebook.adjudicate` takes them.

    >>> import polars as pl, rulebook
    >>> log = pl.DataFrame({
    ...     "id": ["a", "b"], "service": ["CYBERMAIL Σ"] * 2,
    ...     "start": ["2026-09-03T10:00:00", "2026-09-10T01:00:00"],
    ...     "end": ["2026-09-03T10:45:00", "2026-09-10T03:00:00"],
    ...     "cause": ["provider_fault", "attack"], "detected_by": ["monitoring"] * 2})
    >>> result = rulebook.adjudicate_frame("cybermail", log)
    >>> result.records.select("id", "verdict", "counted_seconds").rows()
    [('a', 'counted', 2700), ('b', 'excluded', 0)]
    >>> result.periods.select("period", "availability", "met").rows()
    [('2026-09', '99.8958', False)]
    >>> result.warnings
    []
    """
    contract = contract_of(contract)
    taken, given, bills, as_of = arguments_of(notices, closures, billing, events, as_of)
    if isinstance(outages, list | tuple):
        outages = arguments.items(outages, "outages", (Mapping,), "mappings of fields")
    gathered = gather(outages, *taken)
    plan = project_of(project)
    closing = Closing(as_of_instant(as_of, timezone_of(contract)))
    intake, warnings = take_inputs(contract, gathered, plan, strict, keep_going, closing=closing)
    warnings += [str(e) for e in intake.errors]
    intake.notices += given
    intake.billing += bills
    adjudicated = adjudicate_intake(contract, intake, as_of, None, since, until)
    result = attrs.evolve(adjudicated, project_file=plan.provenance)
    scoped = scope_warning(contract, result.out_of_scope())
    result.warnings.extend([*warnings, *([scoped] if scoped else [])])
    return result
