"""Benchmark: ``rulebook diff OLD NEW LOG`` against one ``rulebook report`` of the same log,
in the same run (issue 30: the diff is two columnar runs and a join, so it should cost at
most about twice a report: the target is within 2.5x).

OLD is the bundled cybermail contract; NEW is the same text with the downtime threshold at
15 minutes instead of 10 (every record between the two changes verdict, every month's
figures change). The log is a synthetic year (``generate.write_csv``), kept in ``--data``.
The two commands take turns for ``--repeat`` rounds; each figure is the median of its
rounds (wall time), and every round is printed as it ends.

A third command times ``report`` under a contract with versions: the bundled text, then an
amendment from 1 July 2026 that restates the downtime clause with the 15-minute threshold
(each version runs over the whole log, then each record and period is taken from the version
in force at its start: about twice a report is what that costs).

    python bench/diff.py [--size 1000000] [--data DIR] [--repeat 3]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from generate import write_csv

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def timed(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--data", default=str(HERE / "data"))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    data = Path(args.data)
    data.mkdir(parents=True, exist_ok=True)
    log = data / f"outages-{args.size}.csv"
    if not log.exists():
        write_csv(str(log), args.size)
    old = ROOT / "contracts" / "cybermail.sla"
    new = data / "cybermail-15min.sla"
    shutil.copy(ROOT / "contracts" / "vocabulary.sla", data / "vocabulary.sla")
    new.write_text(
        old.read_text(encoding="utf-8").replace("threshold >= 10 min", "threshold >= 15 min"),
        encoding="utf-8",
    )
    versioned = data / "cybermail-versions.sla"
    text = old.read_text(encoding="utf-8")
    start = text.index("  downtime monitored")
    clause = text[start : text.index("\n  }\n", start) + 4]
    amendment = (
        '\n  amendment m7 "7月1日改定" {\n    effective "2026-07-01"\n'
        '    cite "改定履歴" "2026年7月1日改定"\n'
        + "\n".join("  " + line if line else line for line in clause.split("\n")).replace(
            "threshold >= 10 min", "threshold >= 15 min"
        )
        + "\n  }\n"
    )
    closing = text.rindex("}")
    versioned.write_text(text[:closing] + amendment + text[closing:], encoding="utf-8")
    rulebook = [sys.executable, "-m", "rulebook"]
    commands = {
        "report": [*rulebook, "report", str(old), str(log), "--format", "json"],
        "diff": [*rulebook, "diff", str(old), str(new), str(log), "--format", "json"],
        "versions": [*rulebook, "report", str(versioned), str(log), "--format", "json"],
    }
    timed(commands["report"])  # the contract cache and compiled modules, once
    rounds: dict[str, list[float]] = {name: [] for name in commands}
    for i in range(args.repeat):
        for name, argv in commands.items():
            rounds[name].append(timed(argv))
            print(f"round {i + 1}: {name} {rounds[name][-1]:.2f} s", flush=True)
    report = statistics.median(rounds["report"])
    diff = statistics.median(rounds["diff"])
    versions = statistics.median(rounds["versions"])
    print(
        f"{args.size} records: report {report:.2f} s, diff {diff:.2f} s, "
        f"diff/report {diff / report:.2f}x (target <= 2.5x); report under two versions "
        f"{versions:.2f} s, {versions / report:.2f}x a report"
    )


if __name__ == "__main__":
    main()
