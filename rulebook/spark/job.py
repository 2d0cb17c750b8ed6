"""On the executors: what each group of records goes through — validated, adjudicated by
the columnar plan, and returned to Spark as Arrow — and the schemas both sides share."""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING

import attrs
import polars as pl

from rulebook import model as m
from rulebook.columnar.ancestry import own_bits
from rulebook.columnar.parts import figures_of
from rulebook.columnar.plan import cut_segments, run_plan
from rulebook.columnar.result import RECORD_COLUMNS, records_frame, segments_as_text
from rulebook.columnar.state import Plan
from rulebook.columnar.versions import run_versions
from rulebook.document.frames import incident_texts
from rulebook.intake.billing import Billing
from rulebook.intake.columns import FrameIntake, frame_intake
from rulebook.intake.ongoing import Closing
from rulebook.intake.records import Notice, RecordError, timezone_of
from rulebook.io.readers import Case
from rulebook.reprs import with_repr

if TYPE_CHECKING:
    import pyarrow as pa

#: The column naming a record's part: its service's time range, merged with the ranges
#: its stretch reaches (:mod:`rulebook.spark.ranges`).
PART = "__part"
#: The resolved causal bits of a version of a contract with versions (``__v0_sure_0``).
VERSION_BITS = re.compile(r"^__v\d+_")

#: What each group returns: a row a record (kind "record"), the part's figures ("part", as
#: JSON in ``payload``: :class:`rulebook.columnar.parts.Figures`), a refused record
#: ("error", the message) or a refusal of the plan's own that stops the whole run as it
#: stops the record engine ("fatal", [record id, message]).
OUTPUT = (
    "kind string, id string, service string, start long, end long, ongoing boolean, "
    "verdict string, counted_seconds long, excluded_seconds long, "
    "not_downtime_seconds long, deciding array<string>, "
    "segments array<struct<start:long,end:long,period:string,status:string,clause:string>>, "
    "obligations string, incident string, payload string"
)
OUTPUT_COLUMNS = ["kind", *RECORD_COLUMNS, "segments", "obligations", "incident", "payload"]


def bits_ddl(names: list[str], prefix: str = "") -> str:
    """The schema of records' causal bits: an id, then a long a lane (``names``, as
    :func:`rulebook.columnar.related.bit_columns` gives them)."""
    return ", ".join([f"{prefix}id string", *(f"{prefix}{n} long" for n in names)])


def _frame_of(table: pa.Table) -> pl.DataFrame:
    frame = pl.from_arrow(table)
    assert isinstance(frame, pl.DataFrame)
    return frame


#: Bytes of a group's output in one Arrow chunk, about (polars' estimate). Spark declares
#: text as Arrow's ``string`` unless the session sets ``useLargeVarTypes``: its offsets are
#: 32 bits, 2 GiB of text a chunk, which the ids of one service's 10^8 records would pass.
CHUNK_BYTES = 1 << 28
LARGE_VAR_TYPES = "spark.sql.execution.arrow.useLargeVarTypes"


def arrow_table(frame: pl.DataFrame, schema: pa.Schema, budget: int = CHUNK_BYTES) -> pa.Table:
    """A polars frame as the Arrow table Spark declared (polars writes large strings), in
    chunks of about ``budget`` bytes, so that no chunk's text outgrows 32-bit offsets."""
    import pyarrow as pa

    size = frame.estimated_size()
    if size <= budget or frame.height < 2:
        return frame.to_arrow().cast(schema)
    rows = max(1, int(frame.height * budget // size))
    return pa.concat_tables(part.to_arrow().cast(schema) for part in frame.iter_slices(rows))


def arrow_schema(ddl: str, large: bool) -> pa.Schema:
    """The Arrow schema of a Spark DDL string (on the driver: it needs the session), with
    large strings where the session uses them (Spark checks what a group returns)."""
    from pyspark.sql.pandas.types import to_arrow_schema
    from pyspark.sql.types import StructType, _parse_datatype_string

    parsed = _parse_datatype_string(ddl)
    assert isinstance(parsed, StructType)
    return to_arrow_schema(parsed, prefers_large_types=large)


@with_repr
@attrs.frozen(repr=False)
class Job:
    """What every group needs, shipped to the executors with the kernel."""

    contract: m.Contract
    notices: tuple[Notice, ...]
    closures: frozenset[dt.date]
    as_of: int | None
    source: str
    output: pa.Schema  # OUTPUT as Arrow
    lanes: tuple[str, ...]  # the causal bit columns (bit_columns of the related clauses)
    bit_sets: pa.Schema  # bits_ddl(lanes) as Arrow
    # each service's contract start (measure.customer_start): the parts measure from it;
    # the driver settles the remedies, so no fee or damages travel
    starts: tuple[Billing, ...] = ()
    #: where the driver put this job's resolved causal bits: ``{prefix}{lane}`` columns
    prefix: str = "__"
    #: a contract with versions: one job a version (its text, lanes and prefix), whose
    #: causes the driver resolves apart; every part runs each version (run_versions)
    versioned: tuple[Job, ...] = ()

    @property
    def tz(self) -> dt.tzinfo:
        """The contract's timezone."""
        return timezone_of(self.contract)

    def intake(self, table: pa.Table) -> tuple[list[pl.DataFrame | None], FrameIntake]:
        """The group's records validated (every refusal kept); resolved causal bits apart
        (one frame a version, or the one)."""
        frame = _frame_of(table).drop(PART, strict=False)
        ancestries = []
        for job in self.versioned or (self,):
            ancestry = None
            resolved = [f"{job.prefix}{n}" for n in job.lanes]
            if resolved and resolved[0] in frame.columns:
                ancestry = frame.select(
                    "id", *(pl.col(r).alias(n) for r, n in zip(resolved, job.lanes, strict=True))
                ).filter(pl.col(job.lanes[0]).is_not_null())
                frame = frame.drop(resolved)
            ancestries.append(ancestry)
        # another version's bits, put there before this version's were resolved
        frame = frame.drop([c for c in frame.columns if VERSION_BITS.match(c)])
        taken = frame_intake(
            self.contract,
            frame,
            self.source,
            Case(),
            keep_going=True,
            first_line=None,
            causes=False,
            closing=Closing(self.as_of),
        )
        return ancestries, taken

    def bits(self, batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        """Each record's own values of the related clauses, as two bit sets."""
        import pyarrow as pa

        for batch in batches:
            _, taken = self.intake(pa.Table.from_batches([batch]))
            frame = own_bits(
                self.contract,
                taken.frame,
                list(self.notices),
                self.closures,
                self.as_of,
                taken.exact,
            )
            yield from arrow_table(frame, self.bit_sets).to_batches()

    def group(self, table: pa.Table) -> pa.Table:
        """One part of a service's records through the columnar plan: records, the part's
        figures, refusals, and what it cost ("cost": [records, CPU seconds of the worker,
        which contention with other processes does not inflate as it does wall time])."""
        began = time.process_time()
        ancestries, taken = self.intake(table)
        rows: list[pl.DataFrame] = []
        errors = [str(e) for e in taken.errors]
        if taken.frame.height:
            given = (list(self.notices), list(self.starts), self.closures, self.as_of)
            try:
                if self.versioned:
                    plan = run_versions(
                        self.contract, taken.frame, *given, taken.exact, ancestry=ancestries
                    )
                else:
                    plan = run_plan(
                        self.contract, taken.frame, *given, taken.exact, ancestry=ancestries[0]
                    )
            except RecordError as exc:  # the plan's own refusal (the intake refused the rest)
                fatal = json.dumps([exc.record, str(exc)], ensure_ascii=False)
                return arrow_table(
                    with_nulls(
                        pl.DataFrame({"kind": ["fatal"], "payload": [fatal]}), OUTPUT_COLUMNS
                    ).select(OUTPUT_COLUMNS),
                    self.output,
                )
            rows.append(self._records(plan))
            rows.append(self._figures(plan))
        if errors:
            rows.append(pl.DataFrame({"kind": ["error"] * len(errors), "payload": errors}))
        cost = json.dumps([table.num_rows, time.process_time() - began])
        rows.append(pl.DataFrame({"kind": ["cost"], "payload": [cost]}))
        frame = pl.concat(rows, how="diagonal_relaxed")
        return arrow_table(with_nulls(frame, OUTPUT_COLUMNS).select(OUTPUT_COLUMNS), self.output)

    def _records(self, plan: Plan) -> pl.DataFrame:
        segments = (
            segments_as_text(cut_segments(plan))
            .group_by("pos", maintain_order=True)
            .agg(segments=pl.struct("start", "end", "period", "status", "clause"))
        )
        records = records_frame(plan).join(segments, on="pos", how="left")
        tz = plan.tz
        obligations = [
            json.dumps([o.to_dict(tz) for o in plan.obligations.get(r, [])], ensure_ascii=False)
            for r in records["id"].to_list()
        ]
        return records.drop("pos").with_columns(
            kind=pl.lit("record"),
            obligations=pl.Series(obligations, dtype=pl.String),
            incident=incident_texts(plan.frame, records["id"]),
        )

    def _figures(self, plan: Plan) -> pl.DataFrame:
        figures = figures_of(plan)
        payload = [] if figures is None else [figures.to_json()]
        return pl.DataFrame(
            {"kind": ["part"] * len(payload), "payload": payload},
            schema_overrides={"payload": pl.String},
        )


def with_nulls(frame: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    missing = [pl.lit(None).alias(c) for c in columns if c not in frame.columns]
    return frame.with_columns(missing) if missing else frame
