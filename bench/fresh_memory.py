"""The machine, not rulebook: what the first touch of memory costs in system time, for a
process's own memory and for the page cache of a new file, when the memory was freed a
moment ago and when it was freed seconds ago.

A virtual machine whose balloon device reports free pages to its host (Linux's
``virtio_balloon`` with free page reporting, as on the VM of docs/performance.md) hands
memory that stayed free for a few seconds back to the host, and the next touch of it waits
for the host. ``bench/scale.py``'s system times come from such touches (a process's pages
up to its peak, the page cache of the file ``-o`` writes), so they say as much about the
machine as about rulebook; this script measures the machine's part. Taking turns, each
``--pause`` seconds after the previous run freed its memory (default: at once, then 10 s
later):

- a child process that fills ``--mib`` MiB of its own memory (anonymous pages);
- ``--mib`` MiB written to a new file in ``--folder``, in blocks of 1 MiB, then deleted.

It prints the system seconds per GiB, medians of ``--repeat`` rounds, against the first
pause (the baseline: the same touch of memory the machine has just had back).

    python bench/fresh_memory.py [--mib 512] [--pauses 0,10] [--repeat 3] [--folder DIR]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

#: A child that fills MiB of its memory (``bytearray`` writes every byte; no imports).
FILL = "import sys; bytearray(int(sys.argv[1]) << 20)"


def child_seconds(command: list[str]) -> tuple[float, float]:
    """System and user seconds of one child."""
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{' '.join(command)} failed")
    return usage.ru_stime, usage.ru_utime


def write_file(path: Path, mib: int) -> float:
    """System seconds of writing ``mib`` MiB to the new file ``path`` (then deleted)."""
    block = b"\1" * (1 << 20)
    before = os.times().system
    with path.open("wb") as file:
        for _ in range(mib):
            file.write(block)
    spent = os.times().system - before
    path.unlink()
    return spent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mib", type=int, default=512)
    parser.add_argument("--pauses", default="0,10", help="seconds after the previous run")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--folder", default=str(HERE / "data"))
    options = parser.parse_args()
    folder = Path(options.folder)
    folder.mkdir(parents=True, exist_ok=True)
    pauses = [float(p) for p in options.pauses.split(",")]
    gib = options.mib / 1024
    taken: dict[tuple[str, float], list[float]] = {}
    fill = [sys.executable, "-S", "-c", FILL, str(options.mib)]
    child_seconds(fill)  # a first touch of whatever the machine had, not measured
    for turn in range(options.repeat):
        for pause in pauses:
            time.sleep(pause)
            system, _ = child_seconds(fill)
            taken.setdefault(("process memory", pause), []).append(system / gib)
            print(f"process memory, {pause:4.0f} s after: {system / gib:5.2f} s sys/GiB "
                  f"(round {turn + 1})", flush=True)  # fmt: skip
            time.sleep(pause)
            system = write_file(folder / "fresh-memory.bin", options.mib)
            taken.setdefault(("new file", pause), []).append(system / gib)
            print(f"new file,       {pause:4.0f} s after: {system / gib:5.2f} s sys/GiB "
                  f"(round {turn + 1})", flush=True)  # fmt: skip
    print()
    print(f"medians of {options.repeat} round(s), {options.mib} MiB each")
    print("| memory | freed | system s per GiB | against freed at once |")
    print("| --- | ---: | ---: | ---: |")
    for what in ("process memory", "new file"):
        baseline = statistics.median(taken[what, pauses[0]])
        for pause in pauses:
            median = statistics.median(taken[what, pause])
            ratio = median / baseline if baseline else float("inf")
            print(f"| {what} | {pause:.0f} s before | {median:.2f} | {ratio:.1f}x |")


if __name__ == "__main__":
    main()
