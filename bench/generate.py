"""Synthetic outage records for benchmarks: deterministic (seeded), realistic in shape.

Records spread over a year, 1 to 120 minutes long, on the bundled cybermail services and
a few that are not covered; causes drawn from the vocabulary; one record in twenty names an
earlier record as its cause; maintenance notices every week.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from collections.abc import Iterator
from typing import Any

SERVICES = [
    "CYBERMAIL Σ",
    "ENTERPRISEAUDIT Σ",
    "MAILGATES Σ",
    "CYBERMAIL Σ ST",
    "Cloud Mail SECURITYSUITE",
    "CYBERCHAT",
    "個別対応サービス",
]
CAUSES = [
    "provider_fault",
    "provider_fault",
    "provider_fault",
    "attack",
    "access_line",
    "external_dns",
    "customer_environment",
    "planned_maintenance",
    "war",
    "fire",
    None,
]
START = dt.datetime(2026, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=9)))


def records(n: int, seed: int = 1) -> Iterator[dict[str, Any]]:
    """``n`` outage records as mappings, one at a time (a 10^7 log never sits in memory)."""
    rng = random.Random(seed)
    for i in range(n):
        start = START + dt.timedelta(seconds=rng.randrange(365 * 86400))
        length = dt.timedelta(seconds=rng.randrange(60, 7200))
        record: dict[str, Any] = {
            "id": f"r{i:07d}",
            "service": rng.choice(SERVICES),
            "start": start.isoformat(),
            "end": (start + length).isoformat(),
            "detected_by": rng.choice(["monitoring", "monitoring", "customer"]),
            "protocol": rng.choice(["smtp", "https", "http", "imap"]),
        }
        cause = rng.choice(CAUSES)
        if cause:
            record["cause"] = cause
        if i and rng.random() < 0.05:
            record["caused_by"] = [f"r{rng.randrange(i):07d}"]
        yield record


def outages(n: int, seed: int = 1) -> list[dict[str, Any]]:
    """``n`` outage records as mappings, the way a file reader hands them over."""
    return list(records(n, seed))


COLUMNS = ("id", "service", "start", "end", "detected_by", "protocol", "cause", "caused_by")


def write_csv(path: str, n: int, seed: int = 1) -> None:
    """``n`` records written to a CSV file as they are generated (lists joined by ``;``)."""
    with open(path, "w", encoding="utf-8", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(COLUMNS)
        for record in records(n, seed):
            out.writerow([_cell(record.get(c)) for c in COLUMNS])


def _cell(value: Any) -> str:
    if value is None:
        return ""
    return ";".join(value) if isinstance(value, list) else str(value)


def notices(weeks: int = 52) -> list[dict[str, Any]]:
    """A two-hour maintenance every Wednesday night, announced a week before."""
    out = []
    for w in range(weeks):
        start = START + dt.timedelta(days=7 * w + 2, hours=2)
        out.append(
            {
                "id": f"n{w:03d}",
                "service": "*",
                "start": start.isoformat(),
                "end": (start + dt.timedelta(hours=2)).isoformat(),
                "announced_at": (start - dt.timedelta(days=7)).isoformat(),
                "channel": "email",
            }
        )
    return out


def write_timed_csv(
    path: str,
    n: int,
    seed: int = 1,
    chunk: int = 1_000_000,
    services: list[str] | None = None,
    gap: float = 3.15,
) -> None:
    """``n`` records in order of start, written a chunk at a time (a 10^8 log never sits in
    memory): what ``--engine stream`` reads. The shape of a probe-level monitoring log of
    the cybermail services: a record every 3.15 s on average across seven services (so a
    year holds 10^7 records, and 10^8 span ten years from 2020), most of them short
    failures of 1 to 30 seconds, one in a hundred a stop of 1 to 20 minutes; causes,
    detectors and protocols drawn as in :func:`records`; ``caused_by`` empty. ``services``
    and ``gap`` (mean seconds between two records) change the shape: one service with a
    gap of 31.5 s is one of the seven at the same pace, 10^7 records over ten years."""
    import numpy as np
    import polars as pl

    rng = np.random.default_rng(seed)
    clock = int(dt.datetime(2020, 1, 1, tzinfo=START.tzinfo).timestamp())
    causes = [c or "" for c in CAUSES]
    names = services or SERVICES
    with open(path, "wb") as out:
        for first in range(0, n, chunk):
            size = min(chunk, n - first)
            starts = clock + np.cumsum(rng.exponential(gap, size)).astype(np.int64)
            clock = int(starts[-1])
            long = rng.random(size) < 0.01
            lengths = np.where(long, rng.integers(60, 1200, size), rng.integers(1, 30, size))
            frame = pl.DataFrame(
                {
                    "id": pl.int_range(first, first + size, eager=True),
                    "service": np.array(names)[rng.integers(0, len(names), size)],
                    "start": starts,
                    "end": starts + lengths,
                    "detected_by": np.array(["monitoring", "monitoring", "customer"])[
                        rng.integers(0, 3, size)
                    ],
                    "protocol": np.array(["smtp", "https", "http", "imap"])[
                        rng.integers(0, 4, size)
                    ],
                    "cause": np.array(causes)[rng.integers(0, len(causes), size)],
                }
            )
            stamp = "%Y-%m-%dT%H:%M:%S+09:00"
            frame = frame.with_columns(
                id=pl.format("r{}", pl.col("id").cast(pl.String).str.zfill(9)),
                start=pl.from_epoch("start")
                .dt.replace_time_zone("UTC")
                .dt.convert_time_zone("Asia/Tokyo")
                .dt.strftime(stamp),
                end=pl.from_epoch("end")
                .dt.replace_time_zone("UTC")
                .dt.convert_time_zone("Asia/Tokyo")
                .dt.strftime(stamp),
                cause=pl.when(pl.col("cause") != "").then(pl.col("cause")),
                caused_by=pl.lit(None, dtype=pl.String),
            )
            frame.write_csv(out, include_header=first == 0)
