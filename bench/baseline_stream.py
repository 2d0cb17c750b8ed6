"""The plain-Python baseline for a log in order of start, in one pass and little memory.

``bench/baseline_python.py``'s computation (covered services, monitoring on a probed
protocol, the 10-minute threshold on each service's physical stoppage, the excluded
causes, the counted seconds per JST month as a union) written as a user would for a log
too large to hold: a sweep that keeps each service's open stoppage only, and adds a
stoppage's counted union to its months when a later record starts after its end (the
stoppages of a service never overlap, so their unions add up). Causes named in
``caused_by`` are looked up among the records already read, as the plain baseline does;
so that memory does not grow with the log, a first pass (a polars scan of the one column)
collects the ids some record names as its cause, and the sweep keeps whether a record is
excluded for those ids only. Prints ``service<TAB>month<TAB>seconds`` lines, sorted, as
the plain baseline does.

    python bench/baseline_stream.py LOG.csv
"""

from __future__ import annotations

import csv
import datetime as dt
import sys

import polars as pl
from baseline_polars import COVERED, EXCLUDED, PROBES
from baseline_python import JST, month_starts


def add_run(run: list[tuple[int, int]], totals: dict[tuple[str, str], int], service: str) -> None:
    """A stoppage's counted records (sorted by start) as a union, cut at JST months."""
    union: list[list[int]] = []
    for s, e in run:
        if union and s <= union[-1][1]:
            union[-1][1] = max(union[-1][1], e)
        else:
            union.append([s, e])
    for s, e in union:
        for label, m_start, m_end in month_starts(s, e):
            part = min(e, m_end) - max(s, m_start)
            if part > 0:
                totals[(service, label)] = totals.get((service, label), 0) + part


def named_causes(path: str) -> set[str]:
    """The ids that some record's ``caused_by`` names (a scan of that one column)."""
    column = pl.scan_csv(path, infer_schema=False).select(
        pl.col("caused_by").str.split(";").explode()
    )
    return {c for c in column.collect(engine="streaming").to_series() if c}


def main(path: str) -> list[tuple[str, str, int]]:
    named = named_causes(path)
    excluded: set[str] = set()  # the named ids of excluded records
    runs: dict[str, tuple[int, int, list[tuple[int, int]]]] = {}  # first, reach, counted
    totals: dict[tuple[str, str], int] = {}
    excluded_causes, covered, probes = set(EXCLUDED), set(COVERED), set(PROBES)
    parse = dt.datetime.fromisoformat
    with open(path, newline="", encoding="utf-8") as f:
        rows = csv.reader(f)
        header = next(rows)
        i_id, i_service, i_start, i_end, i_detected, i_protocol, i_cause, i_caused = (
            header.index(name)
            for name in (
                "id", "service", "start", "end", "detected_by", "protocol", "cause", "caused_by"
            )
        )  # fmt: skip
        for row in rows:
            causes = row[i_caused]
            hit = row[i_cause] in excluded_causes or (
                bool(causes) and any(c in excluded for c in causes.split(";") if c)
            )
            if hit and row[i_id] in named:
                excluded.add(row[i_id])
            service = row[i_service]
            if service not in covered or row[i_detected] != "monitoring":
                continue
            protocol = row[i_protocol]
            if protocol and protocol not in probes:
                continue
            start = int(parse(row[i_start]).timestamp())
            end = int(parse(row[i_end]).timestamp())
            run = runs.get(service)
            if run is not None and start > run[1]:
                if run[1] - run[0] >= 600:
                    add_run(run[2], totals, service)
                run = None
            if run is None:
                run = (start, end, [])
            run = (run[0], max(run[1], end), run[2])
            if not hit:
                run[2].append((start, end))
            runs[service] = run
    for service, (first, reach, counted) in runs.items():
        if reach - first >= 600:
            add_run(counted, totals, service)
    return sorted((s, label, n) for (s, label), n in totals.items())


if __name__ == "__main__":
    _ = JST
    for service, month, total in main(sys.argv[1]):
        print(f"{service}\t{month}\t{total}")
