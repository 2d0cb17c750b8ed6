"""Benchmark: the Spark engine (local[2]) against the single-machine columnar engine.

Writes N synthetic records (default 10^7, the cybermail services over a year; with
``--one-service``, one service's probe-level log over ten years, in order of time) as
Parquet part files in ``--data``, then runs, as separate processes on the same files:

- ``rulebook report cybermail LOG.csv --format json`` (the columnar plan, on the CSV the
  part files were written from);
- ``rulebook report cybermail DIR --engine spark --format json`` (a local[2] session);

checks that the two documents are the same bytes, and prints both wall times, the ratio,
the parts the services' records were cut into by time and the Spark tasks they ran in,
the cost per record in core-seconds and the data each record carries (what a shuffle
moves), and an estimate for 10^9 records on 16 executors of 4 cores from the measured cost
per record (docs/spark.md).

    python bench/spark_scale.py [--records 10000000] [--data DIR] [--one-service]
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
from generate import write_csv, write_timed_csv

HERE = Path(__file__).resolve().parent


def parquet_parts(folder: Path, records: int, one_service: bool) -> Path:
    """The log as Parquet part files of a million records each (made once, then kept)."""
    name = f"one-service-{records}" if one_service else f"cybermail-{records}"
    parts = folder / f"{name}-parquet"
    if parts.exists():
        return parts
    csv = folder / f"{name}.csv"
    if not csv.exists():
        if one_service:
            write_timed_csv(str(csv), records, services=["CYBERMAIL Σ"], gap=31.5)
        else:
            write_csv(str(csv), records)
    parts.mkdir(parents=True)
    log = pl.scan_csv(csv, infer_schema=False)
    for i, start in enumerate(range(0, records, 1_000_000)):
        log.slice(start, 1_000_000).collect().write_parquet(parts / f"part-{i:04d}.parquet")
    return parts


def run(command: list[str]) -> tuple[float, bytes, str]:
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, check=False)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{done.stderr.decode()[-2000:]}")
    return wall, done.stdout, done.stderr.decode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000_000)
    parser.add_argument("--data", default=str(HERE / "data"))
    parser.add_argument("--one-service", action="store_true")
    options = parser.parse_args()
    folder = Path(options.data)
    folder.mkdir(parents=True, exist_ok=True)
    parts = parquet_parts(folder, options.records, options.one_service)
    rulebook = [sys.executable, "-m", "rulebook", "report", "cybermail"]
    source = folder / f"{parts.name.removesuffix('-parquet')}.csv"  # the parts' records
    local, local_out, _ = run([*rulebook, str(source), "--format", "json"])
    spark, spark_out, said = run(
        [*rulebook, str(parts), "--engine", "spark", "--format", "json", "--verbose"]
    )
    if local_out != spark_out:
        sys.exit("the Spark engine and the columnar engine disagree")
    n = options.records
    on_disk = sum(p.stat().st_size for p in parts.glob("*.parquet"))
    in_memory = pl.read_parquet(parts / "part-0000.parquet").estimated_size()
    per_record = in_memory / min(n, 1_000_000)
    print(f"{n:,} records, {on_disk / 2**20:,.0f} MiB of Parquet; documents identical")
    print(f"columnar engine (one process)  {local:8.1f} s")
    print(f"Spark local[2]                 {spark:8.1f} s")
    print(f"Spark / columnar: {spark / local:.2f}")
    cut = re.search(r"(\d+) part\(s\).* in (\d+) Spark task", said)
    if cut:
        print(f"Spark cut the services' records into {cut[1]} parts by time, run as {cut[2]} tasks")
    cost = 2 * spark / n
    print(f"Spark cost per record: {cost * 1e6:.2f} core-microseconds of wall (2 cores)")
    rate = re.search(r"took ([\d.]+) CPU seconds in the workers for (\d+) records", said)
    if rate:
        per_second = int(rate[2]) / float(rate[1])
        size = n // int(cut[1]) if cut else n
        print(
            f"the parts' throughput: {per_second:,.0f} records a CPU second in a worker "
            f"({size / per_second:.1f} CPU s a part of {size:,})"
        )
        cores = 16 * 4
        print(
            f"estimate, 10^9 records on 16 executors of 4 cores: the parts' work "
            f"{1e9 / per_second / cores / 60:,.1f} min ({1e9 / size:,.0f} parts of {size:,}, "
            f"{1e9 / size / cores:,.0f} waves of {cores})"
        )
    print(f"data per record in memory (what a shuffle by service moves): {per_record:.0f} bytes")


if __name__ == "__main__":
    main()
