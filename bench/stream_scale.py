"""Benchmark: ``--engine stream`` on logs larger than memory, against the plain baseline.

For each size N (default 10^6 and 10^7), writes a probe-level log of N records in order
of time, a chunk at a time (``generate.write_timed_csv``: never held as text), then runs,
as separate processes, each timed with its peak memory (the process's maximum resident
set, from ``wait4``):

- ``rulebook report cybermail LOG --engine stream --memory M --format json``;
- ``rulebook adjudicate cybermail LOG --engine stream --memory M --format parquet -o P``;
- ``bench/baseline_stream.py LOG`` — the plain-Python baseline as a one-pass sweep
  (``baseline_python.py``'s computation; with ``--plain`` the two are compared at the
  first size);
- with ``--columnar``, ``rulebook report cybermail LOG --format json`` on one machine too,
  whose bytes the stream's report must equal.

The report's counted seconds per service and month must equal the baseline's, and the
Parquet records must number N. Prints each size's times and peaks, and each size's time
over the size before.

    python bench/stream_scale.py [--records 1000000 10000000] [--memory 4GiB] [--columnar]
                                 [--plain] [--data DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
from generate import write_timed_csv

HERE = Path(__file__).resolve().parent


def measure(command: list[str], stdout: Path | None = None) -> tuple[float, float, bytes]:
    """Wall seconds, peak resident memory (GiB) and standard output of a process."""
    out = open(stdout, "wb") if stdout else subprocess.PIPE  # noqa: SIM115
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=out, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    text = b"" if stdout else (child.stdout.read() if child.stdout else b"")
    errors = child.stderr.read() if child.stderr else b""
    if stdout:
        out.close()  # type: ignore[union-attr]
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{' '.join(command)} failed:\n{errors.decode()[-2000:]}")
    return wall, usage.ru_maxrss / 2**20, text


def report_figures(document: bytes) -> list[tuple[str, str, int]]:
    rows = json.loads(document)["periods"]
    return sorted(
        (p["service"], p["period"], p["downtime_seconds"]) for p in rows if p["downtime_seconds"]
    )


def baseline_figures(text: bytes) -> list[tuple[str, str, int]]:
    lines = [line.split("\t") for line in text.decode().splitlines()]
    return sorted((s, m, int(n)) for s, m, n in lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--memory", default="4GiB")
    parser.add_argument("--data", default=str(HERE / "data"))
    parser.add_argument("--columnar", action="store_true", help="also run one machine's report")
    parser.add_argument(
        "--plain", action="store_true", help="compare the baselines at the first size"
    )
    options = parser.parse_args()
    folder = Path(options.data)
    folder.mkdir(parents=True, exist_ok=True)
    python = sys.executable
    rulebook = [python, "-m", "rulebook"]
    before: dict[str, tuple[int, float]] = {}
    for n in options.records:
        log = folder / f"timed-{n}.csv"
        if not log.exists():
            began = time.perf_counter()
            write_timed_csv(str(log), n)
            print(
                f"wrote {log} ({log.stat().st_size / 2**30:.1f} GiB) in "
                f"{time.perf_counter() - began:.0f} s"
            )
        stream = ["--engine", "stream", "--memory", options.memory]
        timings: dict[str, tuple[float, float]] = {}
        wall, peak, report = measure(
            [*rulebook, "report", "cybermail", str(log), *stream, "--format", "json"]
        )
        timings["report (stream)"] = (wall, peak)
        prefix = folder / f"timed-{n}-out"
        wall, peak, _ = measure(
            [
                *rulebook,
                "adjudicate",
                "cybermail",
                str(log),
                *stream,
                "--format",
                "parquet",
                "-o",
                str(prefix),
            ]
        )
        timings["adjudicate --format parquet (stream)"] = (wall, peak)
        written = pl.scan_parquet(f"{prefix}.records.parquet").select(pl.len()).collect().item()
        wall, peak, baseline = measure([python, str(HERE / "baseline_stream.py"), str(log)])
        timings["plain baseline, one pass"] = (wall, peak)
        if n == options.records[0] and options.plain:
            _, _, plain = measure([python, str(HERE / "baseline_python.py"), str(log)])
            if plain != baseline:
                sys.exit("the one-pass baseline differs from bench/baseline_python.py")
        same = report_figures(report) == baseline_figures(baseline)
        if options.columnar:
            wall, peak, whole = measure(
                [*rulebook, "report", "cybermail", str(log), "--format", "json"]
            )
            timings["report (one machine)"] = (wall, peak)
            if whole != report:
                sys.exit("the stream's report differs from one machine's")
        print(
            f"\n{n:,} records, --memory {options.memory}; report equal to the baseline: "
            f"{same}; Parquet records written: {written:,}"
        )
        for name, (wall, peak) in timings.items():
            ratio = ""
            if name in before:
                size, took = before[name]
                ratio = f"  {wall / took:5.1f}x the time of {size:,}"
            print(f"  {name:40s} {wall:8.1f} s  peak {peak:5.2f} GiB{ratio}", flush=True)
            before[name] = (n, wall)
        if not same or written != n:
            sys.exit("the figures differ")


if __name__ == "__main__":
    main()
