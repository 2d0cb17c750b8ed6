"""Benchmark: reading and validating a log (the intake), before and after a change, in one run.

Each round runs, as separate processes taking turns, the intake and the plan of
``rulebook.adjudicate_frame("cybermail", LOG)`` under cProfile, once with the code of this
checkout and once with the code of ``--before`` (another checkout of rulebook, for example
``git worktree add /tmp/before COMMIT``). It prints, per round and as medians: wall and CPU
seconds of the whole call (CPU: user + system of all threads), and the cumulative seconds
of the intake (``take_in``: reading, mapping, validation) and of the plan (``run_plan``);
with ``--top N``, the N functions of rulebook and polars that took the most time of their
own in the last round (the profile to read before changing anything).

The figures under cProfile are a little above the plain ones (each Python call is counted);
the comparison is fair, both sides paying the same. Say what else ran on the machine when
you quote them.

    python bench/intake_speed.py LOG.csv --before /tmp/before [--rounds 3] [--top 15]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

#: Run in the child: the call under cProfile; prints one JSON line of figures.
CHILD = """
import cProfile, json, os, pstats, sys, time
import rulebook
log, top = sys.argv[1], int(sys.argv[2])
rulebook.load_contract("cybermail")  # the contract's cache filled, parsed once
profile = cProfile.Profile()
wall, cpu = time.perf_counter(), time.process_time()
profile.enable()
rulebook.adjudicate_frame("cybermail", log)
profile.disable()
wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
stats = pstats.Stats(profile).stats
def cumulative(name):
    return sum(v[3] for k, v in stats.items() if k[2] == name and "rulebook" in k[0])
own = sorted(((v[2], f"{os.path.basename(k[0])}:{k[2]}") for k, v in stats.items()), reverse=True)
print(json.dumps({"wall": wall, "cpu": cpu, "intake": cumulative("take_in"),
                  "plan": cumulative("run_plan"), "top": own[:top]}))
"""


def run(checkout: Path, log: str, top: int) -> dict[str, object]:
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, log, str(top)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if done.returncode != 0:
        sys.exit(f"{checkout}: {done.stderr}")
    return dict(json.loads(done.stdout.splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("log")
    parser.add_argument("--before", required=True, help="a checkout of rulebook to compare")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--top", type=int, default=0)
    options = parser.parse_args()
    sides = {"before": Path(options.before).resolve(), "after": HERE.parent}
    taken: dict[str, list[dict[str, object]]] = {side: [] for side in sides}
    for turn in range(options.rounds):
        for side, checkout in sides.items():
            figures = run(checkout, options.log, options.top)
            taken[side].append(figures)
            print(
                f"round {turn + 1} {side:<6} wall {figures['wall']:6.2f} s  "
                f"CPU {figures['cpu']:6.2f} s  intake {figures['intake']:6.2f} s  "
                f"plan {figures['plan']:6.2f} s",
                flush=True,
            )
    print(f"\nmedians of {options.rounds} round(s), {options.log}")
    print("| code | wall s | CPU s | intake s | plan s |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for side in sides:
        medians = [
            statistics.median(float(f[key]) for f in taken[side])  # type: ignore[arg-type]
            for key in ("wall", "cpu", "intake", "plan")
        ]
        print(f"| {side} | " + " | ".join(f"{m:.2f}" for m in medians) + " |")
    if options.top:
        for side in sides:
            print(f"\n{side}: the most time of their own (last round)")
            for seconds, name in taken[side][-1]["top"]:  # type: ignore[union-attr]
                print(f"  {seconds:7.3f} s  {name}")


if __name__ == "__main__":
    main()
