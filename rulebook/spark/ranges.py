"""Time ranges: each service's records cut into parts by time, so that parallelism grows
with the records, not with the number of services.

Three passes, two of them aggregations whose results are small:

1. each record's start and end read as the intake reads them (:func:`instants`, on the
   executors, in the partitions as they are); per service, how many records and the first
   and last start (collected);
2. each service's span cut into ranges of about ``per_range`` records (equal lengths of
   time); per range, the first start and the last end of its records (collected);
3. on the driver, a service's ranges in order of time: a range whose first start is not
   after the ends reached before it belongs to the part before (a stretch crosses its
   edge, :mod:`rulebook.columnar.parts`), else it starts a new part.

The parts are then joined to the records (a small table, broadcast) and grouped by
service and part. A record whose start cannot be read is refused by its group: such
records of a service share a part of their own. A service continuously down — no instant
between its records where none is ongoing — stays one part however long.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import TYPE_CHECKING

import polars as pl

from rulebook.columnar.parts import OPEN_END
from rulebook.intake.cells import datetime_column, instant_column
from rulebook.intake.frames import blank_is_null
from rulebook.intake.records import RecordError, parse_instant
from rulebook.spark.job import PART, Job

if TYPE_CHECKING:
    import pyarrow as pa
    from pyspark.sql import DataFrame

#: Records in a time range, about, unless the caller says otherwise.
RANGE_RECORDS = 500_000

START, END = "__start", "__end"


def _seconds(series: pl.Series, job: Job) -> pl.Series:
    """Instants as the intake reads them (POSIX seconds), null where it would refuse."""
    if isinstance(series.dtype, pl.Datetime):
        return datetime_column(series, job.tz).values
    if series.dtype.is_nested():  # a list or an object (JSON): no instant; the group names it
        return pl.Series(series.name, [None] * len(series), dtype=pl.Int64)
    text = blank_is_null(series.cast(pl.String).str.strip_chars())
    checked = instant_column(text, job.tz)
    values = checked.values
    for at in checked.bad.arg_true().to_list():  # other shapes: the record route's reading
        try:
            values[at] = parse_instant(text[at], job.tz, "", series.name)
        except (RecordError, ValueError, TypeError, OverflowError):
            continue
    return values


def instants(batches: Iterator[pa.RecordBatch], job: Job) -> Iterator[pa.RecordBatch]:
    """Each record with its start and end in seconds (``__start``, ``__end``): an
    ongoing record reaches ``as_of``, or everything after it without one; an end that
    cannot be read is its start (the record is refused: it joins nothing)."""
    import pyarrow as pa

    for batch in batches:
        frame = pl.from_arrow(batch)
        assert isinstance(frame, pl.DataFrame)
        size = frame.height
        start = (
            _seconds(frame["start"], job)
            if "start" in frame.columns
            else pl.Series(START, [None] * size, dtype=pl.Int64)
        )
        if "end" in frame.columns:
            given = frame["end"]
            if given.dtype == pl.String:
                given = blank_is_null(given.str.strip_chars())
            end = _seconds(given, job)
            ongoing = given.is_null()
        else:
            end = pl.Series(END, [None] * size, dtype=pl.Int64)
            ongoing = pl.repeat(True, size, eager=True)
        reach = job.as_of if job.as_of is not None else OPEN_END
        end = pl.select(
            pl.when(ongoing).then(pl.lit(reach)).otherwise(end.fill_null(start)).cast(pl.Int64)
        ).to_series()
        yield batch.append_column(START, pa.array(start.cast(pl.Int64).to_arrow())).append_column(
            END, pa.array(end.to_arrow())
        )


def with_parts(outages: DataFrame, job: Job, per_range: int) -> tuple[DataFrame, int]:
    """``outages`` with each record's part (:data:`PART`) and the number of parts."""
    from pyspark.sql import functions as F
    from pyspark.sql.types import LongType, StructField, StructType

    schema = StructType(
        [*outages.schema.fields, StructField(START, LongType()), StructField(END, LongType())]
    )

    def timed_kernel(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        return instants(batches, job)

    timed = outages.mapInArrow(timed_kernel, schema)
    spans = timed.groupBy("service").agg(
        F.count(START).alias("n"), F.min(START).alias("lo"), F.max(START).alias("hi")
    )
    widths = []
    for row in spans.collect():
        if row["n"] == 0:
            continue
        ranges = max(1, math.ceil(row["n"] / max(1, per_range)))
        width = max(1, math.ceil((row["hi"] - row["lo"] + 1) / ranges))
        widths.append((row["service"], row["lo"], width))
    bounds = outages.sparkSession.createDataFrame(widths, "service string, __lo long, __width long")
    ranged = timed.join(F.broadcast(bounds), on="service", how="left").withColumn(
        "__range",
        F.coalesce(F.floor((F.col(START) - F.col("__lo")) / F.col("__width")), F.lit(-1)),
    )
    edges = (
        ranged.filter(F.col(START).isNotNull())
        .groupBy("service", "__range")
        .agg(F.min(START).alias("first"), F.max(END).alias("last"))
        .collect()
    )
    parts = _parts([(r["service"], r["__range"], r["first"], r["last"]) for r in edges])
    table = outages.sparkSession.createDataFrame(
        [(s, r, p) for (s, r), p in parts.items()] or [],
        f"service string, __range long, {PART} long",
    )
    grouped = ranged.join(F.broadcast(table), on=["service", "__range"], how="left")
    grouped = grouped.withColumn(PART, F.coalesce(F.col(PART), F.lit(-1)))
    columns = [*outages.columns, PART]
    return grouped.select(*columns), len(set(parts.values()))


def _parts(
    ranges: list[tuple[str | None, int, int, int]],
) -> dict[tuple[str | None, int], int]:
    """Each range's part: a service's ranges in order of time, a range joined to the part
    before it when its first start is not after the last end reached so far."""
    out: dict[tuple[str | None, int], int] = {}
    part, reach, service = -1, 0, object()
    for name, number, first, last in sorted(ranges, key=lambda r: (r[0] is None, r[0] or "", r[2])):
        if name != service or first > reach:
            part += 1
            service, reach = name, last
        reach = max(reach, last)
        out[(name, number)] = part
    return out
