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
over the size before. ``--together`` starts a size's commands at once (on a machine shared
with others, three processes get three shares of it), each still timed on its own.

    python bench/stream_scale.py [--records 1000000 10000000] [--memory 4GiB] [--columnar]
                                 [--plain] [--together] [--data DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import polars as pl
from generate import write_timed_csv

HERE = Path(__file__).resolve().parent


class Run:
    """A process started, then waited for: wall seconds, peak resident memory (GiB, from
    ``wait4``) and standard output. A thread reaps it as it ends, so that processes run
    side by side are each timed to their own end; output goes through files."""

    def __init__(self, command: list[str]) -> None:
        self.command = command
        self.out = tempfile.TemporaryFile()  # noqa: SIM115 (read in wait)
        self.errors = tempfile.TemporaryFile()  # noqa: SIM115
        self.start = time.perf_counter()
        self.child = subprocess.Popen(command, stdout=self.out, stderr=self.errors)
        self.result: list[Any] = []
        self.reaper = threading.Thread(target=self._reap)
        self.reaper.start()

    def _reap(self) -> None:
        _, status, usage = os.wait4(self.child.pid, 0)
        self.child.returncode = os.waitstatus_to_exitcode(status)
        self.result = [time.perf_counter() - self.start, usage.ru_maxrss / 2**20]

    def wait(self) -> tuple[float, float, bytes]:
        self.reaper.join()
        wall, peak = self.result
        self.out.seek(0)
        self.errors.seek(0)
        if self.child.returncode != 0:
            text = self.errors.read().decode()[-2000:]
            sys.exit(f"{' '.join(self.command)} failed:\n{text}")
        return wall, peak, self.out.read()


def measure(
    commands: dict[str, list[str]], together: bool
) -> dict[str, tuple[float, float, bytes]]:
    """Each command's wall seconds, peak memory and output: one after another, or all
    started at once (``together``)."""
    if together:
        runs = {name: Run(command) for name, command in commands.items()}
        return {name: run.wait() for name, run in runs.items()}
    return {name: Run(command).wait() for name, command in commands.items()}


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
    parser.add_argument(
        "--together", action="store_true", help="run a size's commands side by side"
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
        prefix = folder / f"timed-{n}-out"
        commands = {
            "report (stream)": [
                *rulebook, "report", "cybermail", str(log), *stream, "--format", "json"
            ],
            "adjudicate --format parquet (stream)": [
                *rulebook, "adjudicate", "cybermail", str(log), *stream, "--format", "parquet",
                "-o", str(prefix),
            ],
            "plain baseline, one pass": [python, str(HERE / "baseline_stream.py"), str(log)],
        }  # fmt: skip
        if options.columnar:
            commands["report (one machine)"] = [
                *rulebook, "report", "cybermail", str(log), "--format", "json"
            ]  # fmt: skip
        done = measure(commands, options.together)
        timings = {name: (wall, peak) for name, (wall, peak, _) in done.items()}
        report, baseline = done["report (stream)"][2], done["plain baseline, one pass"][2]
        written = pl.scan_parquet(f"{prefix}.records.parquet").select(pl.len()).collect().item()
        if n == options.records[0] and options.plain:
            plain = Run([python, str(HERE / "baseline_python.py"), str(log)]).wait()[2]
            if plain != baseline:
                sys.exit("the one-pass baseline differs from bench/baseline_python.py")
        same = report_figures(report) == baseline_figures(baseline)
        if options.columnar and done["report (one machine)"][2] != report:
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
