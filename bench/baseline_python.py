"""The plain-Python baseline: the cybermail computation as a short script.

What a user would write instead of rulebook, for the benchmark's logs: a dict of lists per
service, a sort and a sweep for the physical stoppages, the 10-minute threshold, the
excluded causes (and the records they caused), then the counted seconds per JST month as a
union. It prints ``service<TAB>month<TAB>seconds`` lines, sorted; ``bench/scale.py`` checks
them against rulebook's report and the polars baseline.

    python bench/baseline_python.py LOG.csv
"""

from __future__ import annotations

import csv
import datetime as dt
import sys
import zoneinfo

from baseline_polars import COVERED, EXCLUDED, PROBES

JST = zoneinfo.ZoneInfo("Asia/Tokyo")


def month_starts(first: int, last: int) -> list[tuple[str, int, int]]:
    """(label, start, end) of the JST months from the one holding ``first`` to ``last``."""
    day = dt.datetime.fromtimestamp(first, JST)
    year, month = day.year, day.month
    out = []
    while True:
        start = int(dt.datetime(year, month, 1, tzinfo=JST).timestamp())
        if start >= last:
            return out
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        end = int(dt.datetime(year, month, 1, tzinfo=JST).timestamp())
        out.append((f"{start and dt.datetime.fromtimestamp(start, JST):%Y-%m}", start, end))


def main(path: str) -> list[tuple[str, str, int]]:
    excluded: dict[str, bool] = {}
    by_service: dict[str, list[tuple[int, int, str]]] = {}
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            rid = row["id"]
            # Causes come earlier in the log than what they cause (ids in order).
            hit = row["cause"] in EXCLUDED or any(
                excluded.get(c, False) for c in row["caused_by"].split(";") if c
            )
            excluded[rid] = hit
            if row["service"] not in COVERED or row["detected_by"] != "monitoring":
                continue
            if row["protocol"] and row["protocol"] not in PROBES:
                continue
            start = int(dt.datetime.fromisoformat(row["start"]).timestamp())
            end = int(dt.datetime.fromisoformat(row["end"]).timestamp())
            by_service.setdefault(row["service"], []).append((start, end, rid))
    out = []
    for service, records in sorted(by_service.items()):
        records.sort()
        counted: list[tuple[int, int]] = []
        run: list[tuple[int, int, str]] = []
        reach = None
        for record in [*records, None]:
            if record is None or reach is None or record[0] > reach:
                if run and max(e for _, e, _ in run) - run[0][0] >= 600:
                    counted += [(s, e) for s, e, rid in run if not excluded[rid]]
                if record is None:
                    break
                run, reach = [], None
            run.append(record)
            reach = record[1] if reach is None else max(reach, record[1])
        counted.sort()
        first, last = counted[0][0], max(e for _, e in counted)
        for label, m_start, m_end in month_starts(first, last):
            total, cursor = 0, m_start
            for s, e in counted:
                s, e = max(s, cursor), min(e, m_end)
                if e > s:
                    total += e - s
                    cursor = e
            if total:
                out.append((service, label, total))
    return out


if __name__ == "__main__":
    for service, month, seconds in main(sys.argv[1]):
        print(f"{service}\t{month}\t{seconds}")
