"""Benchmark: the command line's allocator setting against polars' own and the one before it,
in the same run.

rulebook's command line sets jemalloc (polars' allocator) for its own process
(``rulebook/allocator.py``, docs/limits.md). This runs the same commands under each setting
of ``_RJEM_MALLOC_CONF`` as separate processes, taking turns round after round:

- ``polars' own`` — the variable set empty: polars' defaults
  (``dirty_decay_ms:500,muzzy_decay_ms:1000``), what a caller gets who sets nothing;
- ``round seven`` — ``dirty_decay_ms:200,muzzy_decay_ms:0``, the setting before round ten;
- ``rulebook's`` — :data:`rulebook.allocator.JEMALLOC`, the setting now;

and any other given with ``--setting NAME=CONF`` (``--settings`` picks which of them run,
by name), and prints, for each command, size and ``POLARS_MAX_THREADS`` setting, the
medians of wall, user and system time and of page faults, the largest peak, and system
time against user time (the target of docs/performance.md is under a fifth). glibc's
malloc is left as the command line sets it. The commands are ``report cybermail LOG
--format json`` and ``adjudicate cybermail LOG --format jsonl -o /dev/null`` (the writing
of a file of gigabytes is the machine's cost, not the allocator's: bench/scale.py); the
report's output is compared across the settings (same bytes) before any figure is printed.

    python bench/allocator.py [--sizes 1000000,10000000] [--threads unset,1,2]
                              [--data DIR] [--repeat N] [--setting NAME=CONF ...]
                              [--settings NAME,NAME]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import sys
import time
from pathlib import Path

from generate import write_csv
from scale import Figures, measure, round_line

from rulebook.allocator import JEMALLOC

HERE = Path(__file__).resolve().parent

SETTINGS = {
    "polars' own": "",
    "round seven": "dirty_decay_ms:200,muzzy_decay_ms:0",
    "rulebook's": JEMALLOC,
}


def commands(python: str, log: Path) -> dict[str, list[str]]:
    rulebook = [python, "-m", "rulebook"]
    return {
        "report --format json": [*rulebook, "report", "cybermail", str(log), "--format", "json"],
        "adjudicate --format jsonl -o /dev/null": [
            *rulebook, "adjudicate", "cybermail", str(log), "--format", "jsonl", "-o", os.devnull,
        ],
    }  # fmt: skip


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000000,10000000")
    parser.add_argument("--threads", default="unset,1,2", help="POLARS_MAX_THREADS settings")
    parser.add_argument("--data", default=str(HERE / "data"))
    parser.add_argument("--repeat", type=int, default=3, help="rounds; the median is the figure")
    parser.add_argument(
        "--setting", action="append", default=[], help="NAME=CONF, a setting more to compare"
    )
    parser.add_argument("--settings", help="the settings to run, by name (default: all)")
    options = parser.parse_args()
    settings = dict(SETTINGS)
    for given in options.setting:
        name, equals, conf = given.partition("=")
        if not equals or not name:
            parser.error(f"--setting {given!r}: give NAME=CONF")
        settings[name] = conf
    if options.settings:
        names = options.settings.split(",")
        unknown = [n for n in names if n not in settings]
        if unknown:
            parser.error(f"--settings: no setting named {', '.join(unknown)}")
        settings = {n: settings[n] for n in names}
    data = Path(options.data)
    data.mkdir(parents=True, exist_ok=True)
    unset = ("POLARS_MAX_THREADS", "_RJEM_MALLOC_CONF")
    base = {k: v for k, v in os.environ.items() if k not in unset}
    base.pop("PYTHONDONTWRITEBYTECODE", None)  # as installed: modules compiled once
    base["PYTHONPYCACHEPREFIX"] = str(data / "pycache")
    print(f"cores: {os.cpu_count()}; load average before: {os.getloadavg()}", flush=True)
    rows = []
    for size in (int(s) for s in options.sizes.split(",")):
        log = data / f"cybermail-{size}.csv"
        if not log.exists():
            start = time.perf_counter()
            write_csv(str(log), size)
            print(f"generated {log} in {time.perf_counter() - start:.0f} s", flush=True)
        for threads in options.threads.split(","):
            env = dict(base) if threads == "unset" else {**base, "POLARS_MAX_THREADS": threads}
            taken: dict[tuple[str, str], list[Figures]] = {}
            reports: set[str] = set()
            for turn in range(options.repeat):
                for setting, conf in settings.items():
                    for name, command in commands(sys.executable, log).items():
                        stdout = data / "allocator-out.txt"
                        figures = measure(command, stdout, {**env, "_RJEM_MALLOC_CONF": conf})
                        taken.setdefault((name, setting), []).append(figures)
                        if name.startswith("report"):
                            reports.add(digest(stdout))
                        named = f"{name} ({setting})"
                        print(round_line(size, threads, named, figures, turn), flush=True)
            if len(reports) != 1:
                sys.exit(f"the report differs from one setting to another at {size:,} records")
            for (name, setting), runs in taken.items():
                wall, user, system, middle = (
                    statistics.median(r[k] for r in runs) for k in (0, 2, 3, 4)
                )
                peak = max(r[1] for r in runs)
                rows.append((size, threads, name, setting, wall, user, system, peak, middle))
    print()
    print(f"medians of {options.repeat} round(s) (peak: the largest)")
    print("| records | POLARS_MAX_THREADS | command | setting | wall s | user s | sys s "
          "| sys/user | peak MiB | page faults (M) |")  # fmt: skip
    print("| ---: | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for row in rows:
        records, threads, name, setting, wall, user, system, peak, middle = row
        print(
            f"| {records:,} | {threads} | {name} | {setting} | {wall:.2f} | {user:.2f} "
            f"| {system:.2f} | {system / max(user, 1e-9):.2f} | {peak:.0f} | {middle / 1e6:.2f} |"
        )


if __name__ == "__main__":
    main()
