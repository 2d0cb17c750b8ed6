"""The columnar floor: the cybermail computation written by hand as one polars query.

What a user fluent in polars would write instead of rulebook, for the benchmark's logs:
covered services, downtime only where monitoring detected it on a probed protocol, the
10-minute threshold on each service's physical stoppage, the excluded causes (and records
they caused, transitively), then each service's counted seconds per JST month (a union: no
double counting). It prints ``service<TAB>month<TAB>seconds`` lines, sorted, which
``bench/scale.py`` checks against rulebook's report.

    python bench/baseline_polars.py LOG.csv
"""

from __future__ import annotations

import sys

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
TZ = "Asia/Tokyo"


def seconds(column: str) -> pl.Expr:
    return pl.col(column).str.to_datetime("%Y-%m-%dT%H:%M:%S%z").dt.epoch("s")


def main(path: str) -> list[tuple[str, str, int]]:
    log = pl.read_csv(path, infer_schema=False).select(
        "id",
        "service",
        start=seconds("start"),
        end=seconds("end"),
        detected_by="detected_by",
        protocol="protocol",
        cause="cause",
        caused_by=pl.col("caused_by").str.split(";"),
    )
    # Excluded causes, and every record an excluded record caused (to a fixed point).
    excluded = log.select("id", x=pl.col("cause").is_in(EXCLUDED).fill_null(False))
    edges = log.select("id", cause=pl.col("caused_by")).explode("cause").drop_nulls()
    while True:
        hit = edges.join(excluded.filter("x"), left_on="cause", right_on="id").select("id").unique()
        grown = excluded.with_columns(x=pl.col("x") | pl.col("id").is_in(hit["id"].implode()))
        if grown["x"].sum() == excluded["x"].sum():
            break
        excluded = grown
    log = log.join(excluded, on="id")
    down = log.filter(
        pl.col("service").is_in(COVERED)
        & (pl.col("detected_by") == "monitoring")
        & (pl.col("protocol").is_null() | pl.col("protocol").is_in(PROBES))
    ).sort("service", "start")
    runs = (
        down.with_columns(reach=pl.col("end").cum_max().shift(1).over("service"))
        .with_columns(
            run=(pl.col("reach").is_null() | (pl.col("start") > pl.col("reach")))
            .cum_sum()
            .over("service")
        )
        .with_columns(length=(pl.col("end").max() - pl.col("start").min()).over("service", "run"))
    )
    counted = runs.filter((pl.col("length") >= 600) & ~pl.col("x"))
    # Cut at JST month starts, then the union per service and month.
    months = (
        counted.with_columns(
            first=pl.from_epoch("start")
            .dt.replace_time_zone("UTC")
            .dt.convert_time_zone(TZ)
            .dt.truncate("1mo"),
        )
        .with_columns(
            month=pl.datetime_ranges(
                pl.col("first"),
                pl.from_epoch(pl.col("end") - 1)
                .dt.replace_time_zone("UTC")
                .dt.convert_time_zone(TZ),
                interval="1mo",
            )
        )
        .explode("month")
        .with_columns(
            m_start=pl.col("month").dt.epoch("s"),
            m_end=pl.col("month").dt.offset_by("1mo").dt.epoch("s"),
            label=pl.col("month").dt.strftime("%Y-%m"),
        )
        .with_columns(s=pl.max_horizontal("start", "m_start"), e=pl.min_horizontal("end", "m_end"))
    )
    union = (
        months.sort("service", "label", "s")
        .with_columns(reach=pl.col("e").cum_max().shift(1).over("service", "label"))
        .with_columns(
            run=(pl.col("reach").is_null() | (pl.col("s") > pl.col("reach")))
            .cum_sum()
            .over("service", "label")
        )
        .group_by("service", "label", "run")
        .agg(length=pl.col("e").max() - pl.col("s").min())
        .group_by("service", "label")
        .agg(pl.col("length").sum())
        .sort("service", "label")
    )
    return [(s, label, int(n)) for s, label, n in union.iter_rows()]


if __name__ == "__main__":
    for service, month, total in main(sys.argv[1]):
        print(f"{service}\t{month}\t{total}")
