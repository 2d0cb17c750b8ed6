"""The columnar plan's outcome: frames of verdicts, segments and periods, and the writers.

The frames are the result; the JSON document (format 1), JSON Lines and Parquet are
written from them. Reasons are not built here: :meth:`FrameAdjudication.explain` runs the
record engine, the explainer, on the record's neighbourhood (read off the plan's key
columns, :mod:`.dependencies`), which decides the record exactly as the whole input does.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import polars as pl

from rulebook.columnar.plan import cut_segments
from rulebook.columnar.state import Plan, deciding_clauses
from rulebook.intake.clock import iso

if TYPE_CHECKING:
    pass

RECORD_COLUMNS = (
    "id",
    "service",
    "start",
    "end",
    "ongoing",
    "verdict",
    "counted_seconds",
    "excluded_seconds",
    "not_downtime_seconds",
    "deciding",
)


def text_of(instants: pl.Series, own: pl.Series, own_text: pl.Series, tz: dt.tzinfo) -> pl.Series:
    """``instants`` as ISO 8601: ``own_text`` where they equal ``own`` (already written),
    written here where they do not."""
    differ = instants != own
    if not differ.any():
        return own_text.alias(instants.name)
    written = iso(instants.filter(differ), tz)
    return own_text.scatter(differ.arg_true(), written).alias(instants.name)


def in_record_order(per_record: pl.DataFrame, frame: pl.DataFrame) -> bool:
    """Whether ``per_record`` has a row for each record of the plan's ``frame``, in the
    frame's order (then its columns sit beside the frame's as they are, no join)."""
    return per_record.height == frame.height and bool((per_record["pos"] == frame["pos"]).all())


def segments_as_text(segments: pl.DataFrame) -> pl.DataFrame:
    """The plan's segments with period, status and clause as text (the plan holds them as
    enumerations), as every frame leaving it has them."""
    return segments.with_columns(pl.col("period", "status", "clause").cast(pl.String))


def records_frame(plan: Plan, text: bool = True) -> pl.DataFrame:
    """The plan's per-record verdicts and seconds, one row a record, by id; the verdicts
    and deciding clauses as text, or (``text`` false, for JSON Lines, which writes them
    the same) as the plan's enumerations."""
    seconds = (
        cut_segments(plan)
        .group_by("pos", maintain_order=True)
        .agg(
            counted_seconds=_sum_of("counted"),
            excluded_seconds=_sum_of("excluded"),
            not_downtime_seconds=_sum_of("not_downtime"),
        )
    )
    if in_record_order(seconds, plan.frame):  # the segments are in record order
        frame = plan.frame.with_columns(seconds.drop("pos"))
    else:
        frame = plan.frame.join(seconds, on="pos", how="left", maintain_order="left")
    deciding = deciding_clauses(frame.columns, None if text else plan.clause_ids)
    out = frame.select(
        "pos",
        "id",
        "service",
        "start",
        "end",
        "ongoing",
        verdict=pl.col("status").cast(pl.String) if text else pl.col("status"),
        counted_seconds=pl.col("counted_seconds").fill_null(0),
        excluded_seconds=pl.col("excluded_seconds").fill_null(0),
        not_downtime_seconds=pl.col("not_downtime_seconds").fill_null(0),
        deciding=deciding,
    )
    # by id: a log written in the order of its ids (as exports often are) is one look
    return out if out["id"].is_sorted() else out.sort("id")


def _sum_of(status: str) -> pl.Expr:
    return ((pl.col("end") - pl.col("start")) * (pl.col("status") == status)).sum()
