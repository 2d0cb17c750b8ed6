"""On the driver: what crosses a service's parts is brought together first (ids, causes),
the parts are adjudicated in their groups, and their figures put together
(:func:`rulebook.columnar.parts.assemble`); remedies are settled here."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

import attrs

from rulebook import model as m
from rulebook.columnar.parts import Figures, assemble, starts_of
from rulebook.columnar.related import bit_columns, related_clauses, walk_named
from rulebook.document.fields import canonical_json, document_head, given_span, period_dict
from rulebook.document.frames import row_dict
from rulebook.engine.classify import RuleSet
from rulebook.engine.measure import Measure, customer_start
from rulebook.engine.remedy import settle
from rulebook.intake.billing import Billing, billing_from_mapping
from rulebook.intake.records import (
    Notice,
    closure_date,
    notice_from_mapping,
    parse_instant,
    timezone_of,
)
from rulebook.reprs import with_repr
from rulebook.spark.job import LARGE_VAR_TYPES, OUTPUT, PART, Job, arrow_schema, bits_ddl
from rulebook.spark.ranges import RANGE_RECORDS, with_parts
from rulebook.spark.session import SparkError, require_pyspark
from rulebook.versions import Chain, versions

if TYPE_CHECKING:
    import pyarrow as pa
    from pyspark.sql import DataFrame


@with_repr
@attrs.frozen(repr=False)
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
    parts: int = 1  # the groups the records were adjudicated in (services' time ranges)
    tasks: int = 1  # the Spark tasks (partitions) those groups ran in
    project_file: Mapping[str, str | None] | None = None  # the inputs' project file
    costs: tuple[tuple[int, float], ...] = ()  # each part's records and CPU seconds

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

        chain = Chain.of(self.contract, self.tz) if self.contract.amendments else None
        document = document_head(self.contract, self.tz, self.as_of, self.project_file, chain)
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
            if chain is not None:
                out["version"] = chain.version_at(row["start"]).name
            out["obligations"] = json.loads(row["obligations"] or "[]")
            outages.append(out)
        document["outages"] = outages
        document["periods"] = [
            period_dict(
                self.contract,
                s,
                p,
                self.remedies.get((s, p.period.label)),
                self.tz,
                self.as_of,
                chain,
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
    per_range: int = RANGE_RECORDS,
    span: tuple[str | None, str | None] = (None, None),
) -> SparkAdjudication:
    """Adjudicate a Spark DataFrame of outage records under ``contract``.

    The columns are those of a CSV log (``id``, ``service``, ``start``, ``end``, facts,
    events); timestamps may be text or Spark timestamps, lists arrays or ``;``-text. Bad
    records raise the first :class:`RecordError` message unless ``keep_going``, which keeps
    them in :attr:`SparkAdjudication.errors`. Each service's records are cut into time
    ranges of about ``per_range`` records (:mod:`rulebook.spark.ranges`). ``span``
    (since, until) is the span the log covers, as :func:`rulebook.adjudicate` takes it.
    """
    require_pyspark()
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
    job = Job(
        contract,
        tuple(given),
        frozenset(closure_date(c) for c in closures),
        instant,
        source,
        arrow_schema(OUTPUT, large),
        tuple(lanes),
        arrow_schema(bits_ddl(lanes), large),
        starts_of(bills.values()),
    )
    if contract.amendments:  # one job a version, for its causes; every part runs each
        job = attrs.evolve(job, versioned=tuple(version_jobs(job, large)))
    unique_ids(outages)
    resolved = outages
    for each in job.versioned or (job,):
        resolved = with_ancestry(resolved, each)
    grouped, parts = with_parts(resolved, job, per_range)

    def kernel(table: pa.Table) -> pa.Table:  # Spark inspects a plain function's arguments
        return job.group(table)

    out = grouped.groupBy("service", PART).applyInArrow(kernel, OUTPUT).cache()
    fatal = sorted(json.loads(r["payload"]) for r in out.filter(F.col("kind") == "fatal").collect())
    if fatal:  # the plan's refusal, the first by record id
        raise SparkError(fatal[0][1])
    errors = sorted(r["payload"] for r in out.filter(F.col("kind") == "error").collect())
    if errors and not keep_going:
        raise SparkError(errors[0])
    figures = [
        Figures.from_json(r["payload"]) for r in out.filter(F.col("kind") == "part").collect()
    ]
    covered = given_span(*span, tz)
    starts = {b.service: s for b in job.starts if (s := customer_start(b, tz)) is not None}
    measured = assemble(contract, tz, list(job.notices), job.closures, figures, covered, starts)
    remedies = settle(contract, measured, bills, tz)
    records = out.filter(F.col("kind") == "record").drop("kind", "payload")
    segments = records.select("id", F.explode("segments").alias("s")).select("id", "s.*")
    spark = outages.sparkSession
    chain = Chain.of(contract, tz) if contract.amendments else None
    rows = [
        period_dict(contract, s, p, remedies.get((s, p.period.label)), tz, instant, chain)
        for s, p in measured
    ]
    periods = spark.createDataFrame(
        [
            {k: v for k, v in r.items() if k != "version"}
            | {"remedy": json.dumps(r["remedy"], ensure_ascii=False)}
            for r in rows
        ]
        or [],
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
        parts,
        out.select(F.spark_partition_id().alias("task")).distinct().count(),
        None,
        tuple(
            tuple(json.loads(r["payload"])) for r in out.filter(F.col("kind") == "cost").collect()
        ),
    )


def version_jobs(job: Job, large: bool) -> Iterator[Job]:
    """One job a version of the job's contract: its text, its causal lanes, and where the
    driver puts its resolved bits (``__v0_``, ``__v1_``, ...)."""
    for i, version in enumerate(versions(job.contract)):
        lanes = bit_columns(related_clauses(RuleSet.of(version.contract)))
        yield attrs.evolve(
            job,
            contract=version.contract,
            lanes=tuple(lanes),
            bit_sets=arrow_schema(bits_ddl(lanes), large),
            prefix=f"__v{i}_",
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


def with_ancestry(outages: DataFrame, job: Job) -> DataFrame:
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
        [(n, *values) for n, values in walked.items()], bits_ddl(lanes, job.prefix)
    )
    key = f"{job.prefix}id"
    joined = outages.join(resolved, on=F.trim(outages["id"]) == resolved[key], how="left")
    return joined.drop(key)
