"""Benchmark: rulebook at provider scale, against the two baselines, in the same run.

For each size (default 10^5, 10^6 and 10^7 records of a synthetic year on the cybermail
services, generated as CSV by ``generate.write_csv`` and kept in ``--data``), it runs as
separate processes, measuring wall time and peak memory (the child's maximum resident set):

- ``rulebook report cybermail LOG --format jsonl`` (the per-service, per-month figures);
- ``rulebook adjudicate cybermail LOG --format jsonl -o OUT`` (a line a record);
- ``bench/baseline_python.py LOG`` — the plain-Python script a user would write;
- ``bench/baseline_polars.py LOG`` — the same computation as a hand-written polars query
  (the columnar floor).

It checks that the three give the same counted seconds for every service and month, then
prints the figures and the ratios the targets speak of (docs/performance.md).

Every command runs as an installed program runs: Python's modules compiled once (as
``pip install .`` compiles them), kept under ``DATA/pycache`` (``PYTHONPYCACHEPREFIX``) even
where the environment sets ``PYTHONDONTWRITEBYTECODE``, and rulebook's contract cache
filled by one run before any is measured. ``--from-source`` measures instead with whatever
the environment says (an editable checkout under ``PYTHONDONTWRITEBYTECODE=1`` compiles
every module at every start).

The commands of one size take turns for ``--repeat`` rounds (default 3); each figure is the
median of its rounds (peak memory: the largest), and every round is printed as it ends.

    python bench/scale.py [--sizes 100000,1000000,10000000] [--data DIR] [--repeat N]
                          [--from-source]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from generate import write_csv

HERE = Path(__file__).resolve().parent


def measure(
    command: list[str], stdout: Path, env: dict[str, str] | None = None
) -> tuple[float, float, float]:
    """Wall seconds, peak resident MiB and CPU seconds (user + system) of one child."""
    with stdout.open("wb") as out:
        start = time.perf_counter()
        child = subprocess.Popen(command, stdout=out, stderr=subprocess.PIPE, env=env)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
    errors = child.stderr.read().decode() if child.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{' '.join(command)} failed:\n{errors}")
    return wall, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def figures_of_report(path: Path) -> list[tuple[str, str, int]]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return sorted(
        (p["service"], p["period"], p["downtime_seconds"]) for p in rows if p["downtime_seconds"]
    )


def figures_of_baseline(path: Path) -> list[tuple[str, str, int]]:
    rows = [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines()]
    return sorted((s, m, int(n)) for s, m, n in rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000,10000000")
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
    env = None
    if not options.from_source:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = str(data / "pycache")
    sizes = [int(s) for s in options.sizes.split(",")]
    first = data / f"cybermail-{sizes[0]}.csv"
    if not first.exists():
        start = time.perf_counter()
        write_csv(str(first), sizes[0])
        print(f"generated {first} in {time.perf_counter() - start:.0f} s", flush=True)
    # One run before any is measured: modules compiled, the contract's cache filled.
    warm = [python, "-m", "rulebook", "report", "cybermail", str(first), "--format", "jsonl"]
    for command in (
        warm,
        [python, str(HERE / "baseline_python.py"), str(first)],
        [python, str(HERE / "baseline_polars.py"), str(first)],
    ):
        measure(command, data / "warm-up.txt", env)
    print(
        "modules: "
        + ("as the environment says" if options.from_source else f"compiled in {data / 'pycache'}"),
        flush=True,
    )
    rows = []
    for size in sizes:
        log = data / f"cybermail-{size}.csv"
        if not log.exists():
            start = time.perf_counter()
            write_csv(str(log), size)
            print(f"generated {log} in {time.perf_counter() - start:.0f} s", flush=True)
        out = data / f"out-{size}"
        runs = {
            "rulebook report": [
                python,
                "-m",
                "rulebook",
                "report",
                "cybermail",
                str(log),
                "--format",
                "jsonl",
            ],
            "rulebook adjudicate --format jsonl": [
                python,
                "-m",
                "rulebook",
                "adjudicate",
                "cybermail",
                str(log),
                "--format",
                "jsonl",
                "-o",
                str(out.with_suffix(".records.jsonl")),
            ],
            "plain Python baseline": [python, str(HERE / "baseline_python.py"), str(log)],
            "hand-written polars (floor)": [python, str(HERE / "baseline_polars.py"), str(log)],
        }
        # The commands take turns, round after round: a slow spell of the machine falls
        # on all of them, and the median of each command's rounds is its figure.
        rounds: dict[str, list[tuple[float, float, float]]] = {name: [] for name in runs}
        outputs = {}
        for turn in range(options.repeat):
            for number, (name, command) in enumerate(runs.items()):
                outputs[name] = out.with_suffix(f".{name.split()[0]}-{number}.txt")
                wall, peak, cpu = measure(command, outputs[name], env)
                rounds[name].append((wall, peak, cpu))
                print(
                    f"{size:>10,}  {name:<36} {wall:8.2f} s  {peak:8.0f} MiB  {cpu:8.2f} s CPU"
                    f"  (round {turn + 1})",
                    flush=True,
                )
        measured = {
            name: (
                statistics.median(r[0] for r in taken),
                max(r[1] for r in taken),
                statistics.median(r[2] for r in taken),
                outputs[name],
            )
            for name, taken in rounds.items()
        }
        report = figures_of_report(measured["rulebook report"][3])
        for name in ("plain Python baseline", "hand-written polars (floor)"):
            if figures_of_baseline(measured[name][3]) != report:
                sys.exit(f"{name} disagrees with rulebook report at {size:,} records")
        print(f"{size:>10,}  figures agree: {len(report)} service-months", flush=True)
        rows.append((size, {k: v[:3] for k, v in measured.items()}))
    print()
    print(f"medians of {options.repeat} round(s)")
    print("| records | command | wall s | peak MiB | CPU s |")
    print("| ---: | --- | ---: | ---: | ---: |")
    for size, measured in rows:
        for name, (wall, peak, cpu) in measured.items():
            print(f"| {size:,} | {name} | {wall:.2f} | {peak:.0f} | {cpu:.2f} |")
    print()
    for size, measured in rows:
        report = measured["rulebook report"][0]
        floor = measured["hand-written polars (floor)"][0]
        plain = measured["plain Python baseline"][0]
        jsonl = measured["rulebook adjudicate --format jsonl"][0]
        print(
            f"{size:>10,}: report / floor {report / floor:.2f}; plain Python / report "
            f"{plain / report:.1f}; jsonl / report {jsonl / report:.2f}"
        )
    for (small, a), (big, b) in itertools.pairwise(rows):
        for name in ("rulebook report", "rulebook adjudicate --format jsonl"):
            ratio = b[name][0] / a[name][0]
            print(f"{name}: {big // small}x the records in {ratio:.1f}x the time")


if __name__ == "__main__":
    main()
