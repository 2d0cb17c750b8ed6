"""The columnar floor: the cybermail computation as the tightest polars query we can write.

What an expert in polars writes instead of rulebook for the benchmark's logs, with nothing
rulebook does beyond the figures (no validation, no explanations, no per-record output):
a lazy CSV scan of the needed columns only; covered services, downtime only where the
monitoring detected it on a probed protocol; the physical stoppages (each service's
touching or overlapping records as one run, found with one sort and one running maximum
over a key packing service and time, no window per group); the 10-minute threshold on
them; the excluded causes and the records they caused (transitively); then the union of
the counted records per service, cut at the JST month starts (a sorted search in a table
of a few dozen instants) and summed per service and month.

It prints ``service<TAB>month<TAB>seconds`` lines, sorted, which ``bench/scale.py`` checks
against rulebook's report.

    python bench/baseline_polars.py LOG.csv
"""

from __future__ import annotations

import datetime as dt
import sys
from zoneinfo import ZoneInfo

import polars as pl

COVERED = [
    "CYBERMAIL Σ",
    "ENTERPRISEAUDIT Σ",
    "MAILGATES Σ",
    "CYBERMAIL Σ ST",
    "Cloud Mail SECURITYSUITE",
    "CYBERCHAT",
]
EXCLUDED = [
    "natural_disaster",
    "force_majeure",
    "government_order",
    "war",
    "sabotage",
    "embargo",
    "fire",
    "flood",
    "labor_dispute",
    "transport_disruption",
    "infrastructure_outage",
    "third_party_service",
    "unknown_virus",
    "third_party_software",
    "supply_shortage",
    "power_supply",
    "access_line",
    "external_dns",
    "external_auth",
    "customer_system",
    "attack",
    "customer_environment",
    "customer_misconfiguration",
    "customer_action",
]
PROBES = ["smtp", "http", "https"]
TZ = ZoneInfo("Asia/Tokyo")
SHIFT = 1 << 40  # seconds since 1970 fit in 40 bits until the year 36812


def seconds(column: str) -> pl.Expr:
    return pl.col(column).str.to_datetime("%Y-%m-%dT%H:%M:%S%z").dt.epoch("s")


def run_ids() -> pl.Expr:
    """Each row's run, for rows sorted by service and start: a row opens a run when it
    starts after every earlier row of its service has ended (the key packing service and
    time makes one running maximum reset at each service: no window per group)."""
    key = pl.col("svc").cast(pl.Int64) * SHIFT
    opens = key + pl.col("start") > (key + pl.col("end")).cum_max().shift(1)
    return opens.fill_null(True).cum_sum()


def month_starts(low: int, high: int) -> list[int]:
    """The JST month starts from the month of ``low`` to the first after ``high``."""
    day = dt.datetime.fromtimestamp(low, TZ).replace(day=1, hour=0, minute=0, second=0)
    starts = []
    while not starts or starts[-1] <= high:
        starts.append(int(day.timestamp()))
        day = (day + dt.timedelta(days=32)).replace(day=1)
    return starts


def excluded(log: pl.DataFrame) -> pl.Series:
    """Per row: its cause is excluded, or a record it names as its cause is (transitively)."""
    hit = log.select(x=pl.col("cause").is_in(EXCLUDED).fill_null(False))["x"]
    edges = (
        log.select("id", cause=pl.col("caused_by").str.split(";"))
        .drop_nulls("cause")
        .explode("cause")
    )
    ids = log["id"]
    while True:
        found = edges.filter(pl.col("cause").is_in(ids.filter(hit).implode()))["id"]
        grown = hit | ids.is_in(found.implode())
        if grown.sum() == hit.sum():
            return hit
        hit = grown


def main(path: str) -> list[tuple[str, str, int]]:
    log = (
        pl.scan_csv(path, infer_schema=False)
        .select(
            "id",
            "cause",
            "caused_by",
            svc=pl.col("service").cast(pl.Enum(COVERED), strict=False).to_physical(),
            start=seconds("start"),
            end=seconds("end"),
            down=(pl.col("detected_by") == "monitoring")
            & (pl.col("protocol").is_null() | pl.col("protocol").is_in(PROBES)),
        )
        .collect()
    )
    log = log.with_columns(x=excluded(log))
    candidates = (
        log.lazy()
        .filter(pl.col("svc").is_not_null() & pl.col("down"))
        .select("svc", "start", "end", "x")
        .sort("svc", "start")
        .with_columns(run=run_ids())
    )
    # The threshold on the physical stoppage, then the counted records' union per service.
    length = pl.col("end").max().over("run") - pl.col("start").min().over("run")
    counted = candidates.filter((length >= 600) & ~pl.col("x")).select("svc", "start", "end")
    union = (
        counted.with_columns(run=run_ids())
        .group_by("run")
        .agg(pl.col("svc").first(), first=pl.col("start").min(), last=pl.col("end").max())
        .collect()
    )
    if union.height == 0:
        return []
    cuts = pl.Series(month_starts(union["first"].min(), union["last"].max()))  # type: ignore[arg-type]
    first = cuts.search_sorted(union["first"], side="right") - 1
    last = cuts.search_sorted(union["last"] - 1, side="right") - 1
    pieces = union.with_columns(i=pl.int_ranges(first, last + 1)).explode("i")
    at = pieces["i"]
    sums = (
        pieces.select(
            "svc",
            "i",
            length=pl.min_horizontal(pl.col("last"), cuts.gather(at + 1))
            - pl.max_horizontal(pl.col("first"), cuts.gather(at)),
        )
        .group_by("svc", "i")
        .agg(pl.col("length").sum())
    )
    labels = [dt.datetime.fromtimestamp(c, TZ).strftime("%Y-%m") for c in cuts]
    return [(COVERED[s], labels[i], int(n)) for s, i, n in sums.iter_rows()]


if __name__ == "__main__":
    for service, month, total in sorted(main(sys.argv[1])):
        print(f"{service}\t{month}\t{total}")
