"""The columnar plan on Apache Spark: the same adjudication where the logs already live.

``pip install 'rulebook[spark]'`` (PySpark 4, Java 17). The work splits by service: a
service's timeline, its threshold and its windows depend on its own records only, so
``groupBy("service").applyInArrow(...)`` hands each service's records, as one Arrow table,
to the columnar plan (:mod:`rulebook.columnar`) on an executor. What crosses services is
brought together first, and only that:

- ``caused_by`` edges: the edges and each record's own values of the ``including related``
  clauses (a ``sure`` and a ``maybe`` long a lane of 63 clauses, any number of lanes: see
  :mod:`rulebook.columnar.related`) are collected, walked in causal order on the driver,
  and each record's resolved values joined back to it before the groups run;
- ids: one id per record across the whole log;
- periods: each group returns its services' measured seconds per period; the driver
  settles remedies on them (caps and annual counts run across periods) with the record
  engine's own function.

The result holds Spark DataFrames of verdicts, segments and periods, and
:meth:`SparkAdjudication.to_dict` collects the JSON document (format 1), the same bytes as
on one machine.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

import attrs
import polars as pl

from rulebook import model as m
from rulebook.columnar.plan import close, cut_segments, run_plan
from rulebook.columnar.related import bit_columns, causal_bits, related_clauses, walk_named
from rulebook.columnar.result import RECORD_COLUMNS, records_frame, segments_as_text
from rulebook.columnar.rules import rule_values
from rulebook.columnar.state import Plan
from rulebook.document.fields import canonical_json, document_head, period_dict
from rulebook.document.frames import incident_texts, row_dict
from rulebook.engine.classify import RuleSet
from rulebook.engine.measure import Measure, Period, availability_target, measure_seconds
from rulebook.engine.remedy import settle
from rulebook.errors import RulebookError
from rulebook.intake.billing import Billing, billing_from_mapping
from rulebook.intake.columns import FrameIntake, frame_intake
from rulebook.intake.records import (
    Notice,
    RecordError,
    closure_date,
    notice_from_mapping,
    parse_instant,
    timezone_of,
)
from rulebook.io.readers import Case

if TYPE_CHECKING:
    import pyarrow as pa
    from pyspark.sql import DataFrame, SparkSession

#: What each group returns: a row a record (kind "record"), a service's period ("period",
#: its figures as JSON in ``payload``), a refused record ("error", the message) or an error
#: that stops the whole run as it stops the record engine ("fatal", [record id, message]).
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


class SparkError(RulebookError):
    """The Spark run could not be done (no PySpark, no Java, a bad input path)."""


def _require_pyspark() -> None:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        raise SparkError(
            "the Spark engine needs PySpark: pip install 'rulebook[spark]' (and Java 17)"
        ) from None


# ------------------------------------------------------------------ on the executors


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


def _arrow_schema(ddl: str, large: bool) -> pa.Schema:
    """The Arrow schema of a Spark DDL string (on the driver: it needs the session), with
    large strings where the session uses them (Spark checks what a group returns)."""
    from pyspark.sql.pandas.types import to_arrow_schema
    from pyspark.sql.types import StructType, _parse_datatype_string

    parsed = _parse_datatype_string(ddl)
    assert isinstance(parsed, StructType)
    return to_arrow_schema(parsed, prefers_large_types=large)


@attrs.frozen
class _Job:
    """What every group needs, shipped to the executors with the kernel."""

    contract: m.Contract
    notices: tuple[Notice, ...]
    closures: frozenset[dt.date]
    as_of: int | None
    source: str
    output: pa.Schema  # OUTPUT as Arrow
    lanes: tuple[str, ...]  # the causal bit columns (bit_columns of the related clauses)
    bit_sets: pa.Schema  # bits_ddl(lanes) as Arrow
    # the contract starts (measure.customer_start); the driver settles remedies
    starts: tuple[Billing, ...] = ()

    def intake(self, table: pa.Table) -> tuple[pl.DataFrame | None, FrameIntake]:
        """The group's records validated (every refusal kept); resolved causal bits apart."""
        frame = _frame_of(table)
        ancestry = None
        resolved = [f"__{n}" for n in self.lanes]
        if resolved[0] in frame.columns:
            ancestry = frame.select(
                "id", *(pl.col(r).alias(n) for r, n in zip(resolved, self.lanes, strict=True))
            ).filter(pl.col(self.lanes[0]).is_not_null())
            frame = frame.drop(resolved)
        taken = frame_intake(
            self.contract,
            frame,
            self.source,
            Case(),
            keep_going=True,
            first_line=None,
            causes=False,
        )
        return ancestry, taken

    def bits(self, batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        """Each record's own values of the related clauses, as two bit sets."""
        import pyarrow as pa

        rules = RuleSet.of(self.contract)
        related = related_clauses(rules)
        for batch in batches:
            _, taken = self.intake(pa.Table.from_batches([batch]))
            plan = self._plan(taken.frame, taken.exact)
            close(plan)
            frame = rule_values(plan, rules).select("id", *causal_bits(related))
            yield from arrow_table(frame, self.bit_sets).to_batches()

    def _plan(self, frame: pl.DataFrame, exact: Any) -> Plan:
        assert self.contract.vocabulary is not None
        return Plan(
            self.contract,
            timezone_of(self.contract),
            frame,
            list(self.notices),
            {},
            self.closures,
            self.as_of,
            exact,
            {f.name: f for f in self.contract.vocabulary.facts},
        )

    def group(self, table: pa.Table) -> pa.Table:
        """One service's records through the columnar plan: records, periods, refusals."""
        ancestry, taken = self.intake(table)
        rows: list[pl.DataFrame] = []
        errors = [str(e) for e in taken.errors]
        if taken.frame.height:
            try:
                plan = run_plan(
                    self.contract,
                    taken.frame,
                    list(self.notices),
                    list(self.starts),
                    self.closures,
                    self.as_of,
                    taken.exact,
                    ancestry=ancestry,
                )
            except RecordError as exc:  # an ongoing record without as_of after its start
                fatal = json.dumps([exc.record, str(exc)], ensure_ascii=False)
                return arrow_table(
                    _with(
                        pl.DataFrame({"kind": ["fatal"], "payload": [fatal]}), OUTPUT_COLUMNS
                    ).select(OUTPUT_COLUMNS),
                    self.output,
                )
            rows.append(self._records(plan))
            rows.append(self._periods(plan))
        if errors:
            rows.append(pl.DataFrame({"kind": ["error"] * len(errors), "payload": errors}))
        frame = pl.concat(rows, how="diagonal_relaxed") if rows else pl.DataFrame()
        return arrow_table(_with(frame, OUTPUT_COLUMNS).select(OUTPUT_COLUMNS), self.output)

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

    def _periods(self, plan: Plan) -> pl.DataFrame:
        payload = [
            json.dumps(
                {
                    "service": service,
                    "label": p.period.label,
                    "start": p.period.start,
                    "end": p.period.end,
                    "seconds": p.period.seconds,
                    "downtime": p.downtime,
                    "excluded": p.excluded,
                    "planned": p.period.seconds - p.denominator,
                    "incident_start": p.incident_start,
                    "records": [list(r) for r in p.records],
                },
                ensure_ascii=False,
            )
            for service, p in plan.periods
        ]
        return pl.DataFrame(
            {"kind": ["period"] * len(payload), "payload": payload},
            schema_overrides={"payload": pl.String},
        )


def _with(frame: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    missing = [pl.lit(None).alias(c) for c in columns if c not in frame.columns]
    return frame.with_columns(missing) if missing else frame


# ------------------------------------------------------------------ on the driver


@attrs.frozen
class SparkAdjudication:
    """The Spark result: DataFrames of verdicts (``records``), ``segments`` and
    ``periods``, and the counts."""

    contract: m.Contract
    tz: dt.tzinfo
    as_of: int | None
    notices: int
    records: DataFrame
    segments: DataFrame
    periods: DataFrame
    measured: tuple[tuple[str, Measure], ...]
    remedies: Mapping[tuple[str, str], Any]
    errors: tuple[str, ...]
    read: int
    project_file: Mapping[str, str | None] | None = None  # the inputs' project file

    @property
    def adjudicated(self) -> int:
        """Records adjudicated (read minus rejected)."""
        return self.read - len(self.errors)

    def out_of_scope(self) -> dict[str, int]:
        """The services of the out-of-scope records, with how many records each."""
        from pyspark.sql import functions as F

        rows = (
            self.records.filter(F.col("verdict") == "out_of_scope")
            .groupBy("service")
            .count()
            .collect()
        )
        return dict(sorted((r["service"], int(r["count"])) for r in rows))

    def to_dict(self, reasons: bool = False, records: bool = True) -> dict[str, Any]:
        """The JSON document (format 1, without reasons), collected on the driver; without
        ``records``, only the records that have obligations."""
        if reasons:
            raise SparkError("reasons are explained on one machine: use --engine columnar")
        from pyspark.sql import functions as F

        document = document_head(self.contract, self.tz, self.as_of, self.project_file)
        frame = self.records if records else self.records.filter(F.col("obligations") != "[]")
        rows = sorted(frame.collect(), key=lambda r: r["id"])
        document["counts"] = {"outages": self.adjudicated, "notices": self.notices}
        outages = []
        for row in rows:
            segments = [
                (s["start"], s["end"], s["period"], s["status"], s["clause"])
                for s in sorted(row["segments"], key=lambda s: s["start"])
            ]
            incident = json.loads(row["incident"]) if row["incident"] else None
            out = row_dict(row.asDict(), segments, self.tz, incident)
            out["obligations"] = json.loads(row["obligations"] or "[]")
            outages.append(out)
        document["outages"] = outages
        document["periods"] = [
            period_dict(
                self.contract, s, p, self.remedies.get((s, p.period.label)), self.tz, self.as_of
            )
            for s, p in self.measured
        ]
        return document

    def to_json(self, indent: int | None = None) -> str:
        """Canonical JSON: the same bytes as the columnar plan on one machine."""
        return canonical_json(self.to_dict(), indent)

    def explain(
        self, record_id: str, lang: str = "en", fmt: str = "text", full: bool = False
    ) -> str:
        """Explanations come from the record engine on one machine."""
        raise SparkError("reasons are explained on one machine: use --engine columnar")

    def write_parquet(self, folder: str) -> list[str]:
        """``FOLDER/records``, ``FOLDER/segments`` and ``FOLDER/periods`` as Parquet."""
        paths = []
        for name, frame in (
            ("records", self.records),
            ("segments", self.segments),
            ("periods", self.periods),
        ):
            path = f"{folder.rstrip('/')}/{name}"
            frame.write.mode("overwrite").parquet(path)
            paths.append(path)
        return paths


def adjudicate(
    outages: DataFrame,
    contract: m.Contract,
    notices: Iterable[Notice | Mapping[str, Any]] = (),
    billing: Iterable[Billing | Mapping[str, Any]] = (),
    as_of: str | dt.datetime | None = None,
    closures: Iterable[dt.date | str] = (),
    keep_going: bool = False,
    source: str = "<spark>",
) -> SparkAdjudication:
    """Adjudicate a Spark DataFrame of outage records under ``contract``.

    The columns are those of a CSV log (``id``, ``service``, ``start``, ``end``, facts,
    events); timestamps may be text or Spark timestamps, lists arrays or ``;``-text. Bad
    records raise the first :class:`RecordError` message unless ``keep_going``, which keeps
    them in :attr:`SparkAdjudication.errors`.
    """
    _require_pyspark()
    from pyspark.sql import functions as F

    tz = timezone_of(contract)
    assert contract.vocabulary is not None
    instant = parse_instant(as_of, tz, "as_of", None) if as_of is not None else None
    given = [
        n if isinstance(n, Notice) else notice_from_mapping(n, contract.vocabulary, tz, i)
        for i, n in enumerate(notices)
    ]
    bills = {
        b.service: b
        for b in (
            b if isinstance(b, Billing) else billing_from_mapping(b, i)
            for i, b in enumerate(billing)
        )
    }
    lanes = bit_columns(related_clauses(RuleSet.of(contract)))
    large = str(outages.sparkSession.conf.get(LARGE_VAR_TYPES, "false")).lower() == "true"
    job = _Job(
        contract,
        tuple(given),
        frozenset(closure_date(c) for c in closures),
        instant,
        source,
        _arrow_schema(OUTPUT, large),
        tuple(lanes),
        _arrow_schema(bits_ddl(lanes), large),
        tuple(attrs.evolve(b, damages={}, claims={}) for b in bills.values()),
    )
    unique_ids(outages)
    grouped = _with_ancestry(outages, job)

    def kernel(table: pa.Table) -> pa.Table:  # Spark inspects a plain function's arguments
        return job.group(table)

    out = grouped.groupBy("service").applyInArrow(kernel, OUTPUT).cache()
    fatal = sorted(json.loads(r["payload"]) for r in out.filter(F.col("kind") == "fatal").collect())
    if fatal:  # the record engine's error, for the first such record by id
        raise SparkError(fatal[0][1])
    errors = sorted(r["payload"] for r in out.filter(F.col("kind") == "error").collect())
    if errors and not keep_going:
        raise SparkError(errors[0])
    measured = sorted(
        (
            _measure(json.loads(r["payload"]), contract)
            for r in out.filter(F.col("kind") == "period").collect()
        ),
        key=lambda sp: (sp[0], sp[1].period.start),
    )
    remedies = settle(contract, measured, bills, tz)
    records = out.filter(F.col("kind") == "record").drop("kind", "payload")
    segments = records.select("id", F.explode("segments").alias("s")).select("id", "s.*")
    spark = outages.sparkSession
    rows = [
        period_dict(contract, s, p, remedies.get((s, p.period.label)), tz, instant)
        for s, p in measured
    ]
    periods = spark.createDataFrame(
        [{**r, "remedy": json.dumps(r["remedy"], ensure_ascii=False)} for r in rows] or [],
        "service string, period string, period_seconds long, denominator_seconds long, "
        "downtime_seconds long, excluded_seconds long, availability string, "
        "availability_exact string, target string, met boolean, provisional boolean, "
        "remedy string",
    )
    return SparkAdjudication(
        contract,
        tz,
        instant,
        len(given),
        records,
        segments,
        periods,
        tuple(measured),
        remedies,
        tuple(errors),
        outages.count(),
    )


def _measure(data: dict[str, Any], contract: m.Contract) -> tuple[str, Measure]:
    """A group's period figures, measured by the record engine's arithmetic."""
    period = Period(data["label"], data["start"], data["end"], data["seconds"])
    figures = (data["downtime"], data["excluded"], data["planned"])
    return data["service"], measure_seconds(
        period,
        *figures,
        availability_target(contract),
        data["incident_start"],
        tuple((cid, seconds) for cid, seconds in data["records"]),
    )


def unique_ids(outages: DataFrame) -> None:
    """One record per id across the whole log (groups cannot see each other)."""
    from pyspark.sql import functions as F

    twice = outages.groupBy("id").count().filter(F.col("count") > 1).orderBy("id").limit(1)
    for row in twice.collect():
        raise SparkError(
            f"record {row['id']}, field 'id': is used {row['count']} times; "
            "accepted: a unique id per record"
        )


def _with_ancestry(outages: DataFrame, job: _Job) -> DataFrame:
    """The log with each effect's resolved causal bits (``__sure_0``, ``__maybe_0``, ...):
    the edges and the bits of the records they touch are collected and walked on the
    driver, each record's lanes as one Python integer (any width)."""
    from pyspark.sql import functions as F
    from pyspark.sql.types import ArrayType

    related = related_clauses(RuleSet.of(job.contract))
    if not related or "caused_by" not in outages.columns:
        return outages
    causes = F.col("caused_by")
    if not isinstance(outages.schema["caused_by"].dataType, ArrayType):
        causes = F.split(F.col("caused_by"), ";")
    edges = (
        outages.select(F.trim(F.col("id")).alias("child"), F.explode(causes).alias("cause"))
        .select("child", F.trim("cause").alias("cause"))
        .filter(F.col("cause") != "")
    )
    pairs = [(r["child"], r["cause"]) for r in edges.collect()]
    if not pairs:
        return outages
    known = outages.select(F.trim(F.col("id")).alias("cause"))
    missing = edges.join(known, on="cause", how="left_anti").orderBy("child").limit(1).collect()
    for row in missing:
        raise SparkError(
            f"record {row['child']}, field 'caused_by': names record '{row['cause']}', which is "
            "not in the input; accepted: ids of records in the same input"
        )
    nodes = outages.sparkSession.createDataFrame(
        [(n,) for n in sorted({c for pair in pairs for c in pair})], "id string"
    )
    involved = outages.join(nodes, on=F.trim(outages["id"]) == nodes["id"], how="left_semi")

    def own(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        return job.bits(batches)

    lanes = list(job.lanes)
    bits = {
        r["id"]: [r[n] for n in lanes] for r in involved.mapInArrow(own, bits_ddl(lanes)).collect()
    }
    for child, cause in pairs:
        if cause not in bits or child not in bits:  # a refused record, named by its group
            raise SparkError(
                f"record {child}, field 'caused_by': names '{cause}', which is not among the "
                "valid records; accepted: ids of valid records in the same input"
            )
    walked = walk_named(bits, pairs)
    if walked is None:
        raise SparkError(
            "records cause each other in a cycle (caused_by); "
            "accepted: a chain of causes without cycles"
        )
    resolved = outages.sparkSession.createDataFrame(
        [(n, *values) for n, values in walked.items()], bits_ddl(lanes, "__")
    )
    joined = outages.join(resolved, on=F.trim(outages["id"]) == resolved["__id"], how="left")
    return joined.drop("__id")


# ------------------------------------------------------------------ sessions and files


def session(master: str | None = None) -> SparkSession:
    """A Spark session: the given master, or a local one on two cores."""
    _require_pyspark()
    import os
    import sys

    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    builder = SparkSession.builder.appName("rulebook").master(master or "local[2]")
    builder = (
        builder.config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "8")
    )
    try:
        spark = builder.getOrCreate()
        spark.sparkContext.setLogLevel("ERROR")
        return spark
    except Exception as exc:  # the JVM did not start: no Java, a bad master
        raise SparkError(f"cannot start Spark ({type(exc).__name__}: {exc})") from None


def read(spark: SparkSession, paths: list[str], fmt: str | None = None) -> DataFrame:
    """Parquet, CSV or JSON Lines files (globs and directories too), every CSV cell text."""
    kind = fmt or _kind(paths[0])
    reader = spark.read
    try:
        if kind == "parquet":
            return reader.parquet(*paths)
        if kind == "csv":
            return reader.option("header", True).option("inferSchema", False).csv(paths)
        return reader.json(paths)
    except Exception as exc:  # an AnalysisException names the path
        raise SparkError(f"cannot read {', '.join(paths)}: {str(exc).splitlines()[0]}") from None


def _kind(path: str) -> str:
    lowered = path.rstrip("/").lower()
    for suffix, kind in (
        (".csv", "csv"),
        (".jsonl", "jsonl"),
        (".ndjson", "jsonl"),
        (".json", "jsonl"),
    ):
        if lowered.endswith(suffix):
            return kind
    return "parquet"
