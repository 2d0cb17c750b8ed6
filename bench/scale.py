"""Benchmark: rulebook at provider scale, against the columnar floor and the plain-Python
baseline, in the same run.

For each size (default 10^5, 10^6 and 10^7 records of a synthetic year on the cybermail
services, generated as CSV by ``generate.write_csv`` and kept in ``--data``) and each
setting of ``POLARS_MAX_THREADS`` (default: unset, 1 and 2), it runs as separate processes,
measuring wall time, user and system CPU time and peak memory (the child's maximum
resident set):

- ``rulebook report cybermail LOG --format json`` (the per-service, per-month figures);
- ``rulebook adjudicate cybermail LOG --format jsonl -o OUT`` (a line a record), and the
  same with ``-o /dev/null``: the page cache a new file of gigabytes takes is the machine's
  cost (on the 2-core VM these figures come from, about 3 s a GB of system time: ``dd`` of
  3.9 GB to a new file 9-13 s, over the same file's cached pages 0.4 s), so the two show
  what the writing costs apart from what rulebook does;
- ``bench/baseline_polars.py LOG`` — the floor: the same figures as the tightest polars
  query we can write (lazy scan of the needed columns, no validation, no explanations);
- the same floor under the allocator settings rulebook's command line makes for itself
  (jemalloc's ``_RJEM_MALLOC_CONF`` and glibc's malloc thresholds, see
  ``rulebook/allocator.py``): the floor as written keeps polars' and glibc's own, so the
  report's peak is shown against both;
- ``bench/baseline_python.py LOG`` — the plain-Python script a user would write (with
  ``POLARS_MAX_THREADS`` unset only: it uses no polars);
- ``python -c "import polars"`` — the start-up every polars program pays, whose system
  time against its user time is the least any of them can show at 10^5 records.

It checks that they give the same counted seconds for every service and month, then prints
the medians and the ratios the targets speak of (docs/performance.md): report against the
floor in wall time, CPU time and peak memory, system time against user time (the report's,
the floor's and polars' import's), adjudicate against report, and the system time the new
JSON Lines file took a GiB (``bench/fresh_memory.py`` measures the machine's own figure).

Every command runs as an installed program runs: Python's modules compiled once (as
``pip install .`` compiles them), kept under ``DATA/pycache`` (``PYTHONPYCACHEPREFIX``) even
where the environment sets ``PYTHONDONTWRITEBYTECODE``, and rulebook's contract cache
filled by one run before any is measured. ``--from-source`` measures instead with whatever
the environment says.

The commands of one size and setting take turns for ``--repeat`` rounds (default 3); each
figure is the median of its rounds (peak memory: the largest), and every round is printed
as it ends. The machine's other load falls on every command alike, turn by turn; say what
else ran when you quote the figures.

    python bench/scale.py [--sizes 100000,1000000,10000000] [--threads unset,1,2]
                          [--data DIR] [--repeat N] [--from-source]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from generate import write_csv

from rulebook.allocator import GLIBC_MALLOC, GLIBC_VARIABLES, JEMALLOC

HERE = Path(__file__).resolve().parent


Figures = tuple[float, float, float, float, int]  # wall s, peak MiB, user s, sys s, faults


def measure(command: list[str], stdout: Path, env: dict[str, str]) -> Figures:
    """Wall seconds, peak resident MiB, user and system CPU seconds and page faults (those
    served without reading the disk) of one child."""
    with stdout.open("wb") as out:
        start = time.perf_counter()
        child = subprocess.Popen(command, stdout=out, stderr=subprocess.PIPE, env=env)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
    errors = child.stderr.read().decode() if child.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{' '.join(command)} failed:\n{errors}")
    return wall, usage.ru_maxrss / 1024, usage.ru_utime, usage.ru_stime, usage.ru_minflt


def round_line(size: int, threads: str, name: str, figures: Figures, turn: int) -> str:
    """One round of one command, as it is printed when it ends."""
    wall, peak, user, system, faults = figures
    return (
        f"{size:>10,} threads={threads:<5} {name:<38} {wall:7.2f} s wall {user:7.2f} s user "
        f"{system:6.2f} s sys {peak:6.0f} MiB {faults / 1e6:5.2f} M faults (round {turn + 1})"
    )


def figures_of_report(path: Path) -> list[tuple[str, str, int]]:
    periods = json.loads(path.read_text(encoding="utf-8"))["periods"]
    return sorted(
        (p["service"], p["period"], p["downtime_seconds"]) for p in periods if p["downtime_seconds"]
    )


def figures_of_baseline(path: Path) -> list[tuple[str, str, int]]:
    rows = [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines()]
    return sorted((s, m, int(n)) for s, m, n in rows)


FLOOR_AS_RULEBOOK = "floor, rulebook's allocator setting"
JSONL_NULL = "adjudicate --format jsonl -o /dev/null"
IMPORT = "import polars (start-up)"
#: What a command's environment has beyond the run's (the floor as rulebook allocates).
EXTRA_ENV = {
    FLOOR_AS_RULEBOOK: {
        "_RJEM_MALLOC_CONF": JEMALLOC,
        "MALLOC_MMAP_THRESHOLD_": str(GLIBC_MALLOC[-3]),  # mallopt's M_MMAP_THRESHOLD
        "MALLOC_TRIM_THRESHOLD_": str(GLIBC_MALLOC[-1]),  # M_TRIM_THRESHOLD
    }
}


def commands(python: str, log: Path, out: Path, threads: str) -> dict[str, list[str]]:
    """The commands, by name (each run with :data:`EXTRA_ENV`'s additions)."""
    rulebook = [python, "-m", "rulebook"]
    runs = {
        "report --format json": [*rulebook, "report", "cybermail", str(log), "--format", "json"],
        "adjudicate --format jsonl": [
            *rulebook, "adjudicate", "cybermail", str(log), "--format", "jsonl",
            "-o", str(out.with_suffix(".records.jsonl")),
        ],
        JSONL_NULL: [
            *rulebook, "adjudicate", "cybermail", str(log), "--format", "jsonl", "-o", os.devnull,
        ],
        "floor (tight polars)": [python, str(HERE / "baseline_polars.py"), str(log)],
        FLOOR_AS_RULEBOOK: [python, str(HERE / "baseline_polars.py"), str(log)],
        IMPORT: [python, "-c", "import polars"],
    }  # fmt: skip
    if threads == "unset":
        runs["plain Python"] = [python, str(HERE / "baseline_python.py"), str(log)]
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000,10000000")
    parser.add_argument("--threads", default="unset,1,2", help="POLARS_MAX_THREADS settings")
    parser.add_argument("--data", default=str(HERE / "data"))
    parser.add_argument(
        "--repeat", type=int, default=3, help="rounds per size; the median is the figure"
    )
    parser.add_argument(
        "--from-source",
        action="store_true",
        help="keep the environment's bytecode settings (see the module's docstring)",
    )
    options = parser.parse_args()
    data = Path(options.data)
    data.mkdir(parents=True, exist_ok=True)
    python = sys.executable
    # Each command with its own allocator setting: rulebook's, polars' for the floor.
    unset = ("POLARS_MAX_THREADS", "_RJEM_MALLOC_CONF", *GLIBC_VARIABLES)
    base = {k: v for k, v in os.environ.items() if k not in unset}
    if not options.from_source:
        base.pop("PYTHONDONTWRITEBYTECODE", None)
        base["PYTHONPYCACHEPREFIX"] = str(data / "pycache")
    sizes = [int(s) for s in options.sizes.split(",")]
    settings = options.threads.split(",")
    for size in sizes:
        log = data / f"cybermail-{size}.csv"
        if not log.exists():
            start = time.perf_counter()
            write_csv(str(log), size)
            print(f"generated {log} in {time.perf_counter() - start:.0f} s", flush=True)
    # One run before any is measured: modules compiled, the contract's cache filled.
    first = data / f"cybermail-{sizes[0]}.csv"
    for name, command in commands(python, first, data / "warm", "unset").items():
        measure(command, data / "warm-up.txt", {**base, **EXTRA_ENV.get(name, {})})
    print(f"cores: {os.cpu_count()}; load average before: {os.getloadavg()}", flush=True)
    results: dict[tuple[int, str], dict[str, list[Figures]]] = {}
    written: dict[tuple[int, str], int] = {}  # bytes of the JSON Lines file
    for size in sizes:
        log = data / f"cybermail-{size}.csv"
        for threads in settings:
            env = dict(base) if threads == "unset" else {**base, "POLARS_MAX_THREADS": threads}
            out = data / f"out-{size}-{threads}"
            runs = commands(python, log, out, threads)
            # The commands take turns, round after round: a slow spell of the machine falls
            # on all of them, and the median of each command's rounds is its figure.
            rounds: dict[str, list[Figures]] = {name: [] for name in runs}
            outputs = {name: out.with_suffix(f".{i}.txt") for i, name in enumerate(runs)}
            for turn in range(options.repeat):
                for name, command in runs.items():
                    figures = measure(command, outputs[name], {**env, **EXTRA_ENV.get(name, {})})
                    rounds[name].append(figures)
                    print(round_line(size, threads, name, figures, turn), flush=True)
            report = figures_of_report(outputs["report --format json"])
            for name in ("floor (tight polars)", FLOOR_AS_RULEBOOK, "plain Python"):
                if name in outputs and figures_of_baseline(outputs[name]) != report:
                    sys.exit(f"{name} disagrees with rulebook report at {size:,} records")
            print(f"{size:>10,} threads={threads}: figures agree ({len(report)} service-months)")
            results[size, threads] = rounds
            written[size, threads] = out.with_suffix(".records.jsonl").stat().st_size
    summary(results, written, options.repeat)


def summary(
    results: dict[tuple[int, str], dict[str, list[Figures]]],
    written: dict[tuple[int, str], int],
    repeat: int,
) -> None:
    print()
    print(f"medians of {repeat} round(s) (peak: the largest)")
    print("| records | POLARS_MAX_THREADS | command | wall s | user s | sys s | peak MiB |")
    print("| ---: | --- | --- | ---: | ---: | ---: | ---: |")
    medians = {}
    for (size, threads), rounds in results.items():
        for name, taken in rounds.items():
            wall, user, system = (statistics.median(r[k] for r in taken) for k in (0, 2, 3))
            peak = max(r[1] for r in taken)
            medians[size, threads, name] = (wall, user + system, peak, user, system)
            print(
                f"| {size:,} | {threads} | {name} | {wall:.2f} | {user:.2f} | {system:.2f} "
                f"| {peak:.0f} |"
            )
    print()
    print("| records | POLARS_MAX_THREADS | report/floor wall | CPU | peak | peak (floor "
          "with rulebook's allocator setting) | report sys/user | (floor's) | (import "
          "polars') | jsonl/report wall | (to /dev/null) | new file sys s/GiB "
          "| plain Python/report wall |")  # fmt: skip
    print("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
          "| ---: |")  # fmt: skip
    for size, threads in results:
        report = medians[size, threads, "report --format json"]
        floor = medians[size, threads, "floor (tight polars)"]
        same = medians[size, threads, FLOOR_AS_RULEBOOK]
        jsonl = medians[size, threads, "adjudicate --format jsonl"]
        null = medians[size, threads, JSONL_NULL]
        plain = medians.get((size, threads, "plain Python"))
        start = medians[size, threads, IMPORT]
        per_gib = (jsonl[4] - null[4]) / (written[size, threads] / (1 << 30))
        print(
            f"| {size:,} | {threads} | {report[0] / floor[0]:.2f} | {report[1] / floor[1]:.2f} "
            f"| {report[2] / floor[2]:.2f} | {report[2] / same[2]:.2f} "
            f"| {report[4] / max(report[3], 1e-9):.2f} | {floor[4] / max(floor[3], 1e-9):.2f} "
            f"| {start[4] / max(start[3], 1e-9):.2f} "
            f"| {jsonl[0] / report[0]:.2f} | {null[0] / report[0]:.2f} | {per_gib:.2f} | "
            + (f"{plain[0] / report[0]:.1f} |" if plain else "— |")
        )


if __name__ == "__main__":
    main()
