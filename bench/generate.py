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
