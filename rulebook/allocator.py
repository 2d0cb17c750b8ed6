"""What the command line's process asks of its two allocators and of Python's cycle
collector, and freed memory given back.

Polars allocates with jemalloc and sets it to keep freed pages 0.5 s, then to hold them 1 s
more as lazily freed, still resident (``dirty_decay_ms:500,muzzy_decay_ms:1000``): a run of
a few seconds then peaks near the sum of its stages' frames, not at the largest. The
command line gives them back after 0.2 s, at once (:data:`JEMALLOC`, set as
``_RJEM_MALLOC_CONF``, polars' documented override, read when polars is first imported):
10^6 records, report peak about 400 -> 325 MiB in the same time.

jemalloc also gives each thread that allocates an arena of its own (up to four a CPU), and
hands blocks of 8 MiB or more to an arena of their own that returns them the moment they
are freed. A column of 10^7 records is such a block: freed by one stage, it was faulted in
afresh by the next, and the pages one thread freed were of no use to another. The command
line keeps one arena and no separate one for large blocks (``narenas:1,oversize_threshold:0``):
the report of 10^7 records, 1.11 -> 0.90 million page faults, system time 3.7 -> 3.1 s,
peak 1,538 -> 1,419 MiB, in the same time (docs/performance.md, round ten). Polars' kernels
allocate a buffer a chunk, not a value, so one arena's lock is not a queue (a machine of
many cores that finds otherwise sets the variable itself).

Python's own buffers come from the C library's malloc. Where that is glibc, a block over
its threshold (128 KiB at first, raised as such blocks are freed, to 32 MiB at most) is a
fresh mapping of its own, and freed heap over twice the threshold goes back at once: the
16 MiB chunks a CSV log is read in (:mod:`rulebook.intake.frames`) and their copies were
faulted in afresh chunk after chunk (10^7 records: 1.6 million page faults, 4 s of system
time, a fifth of the user time). The command line keeps blocks up to 32 MiB on the heap and
up to 64 MiB of freed heap for the next chunk (:data:`GLIBC_MALLOC`), and the reading gives
what it freed back once it is done (:func:`give_back`): 1.1 million page faults, 2.6 s.

Python's cycle collector runs a young-generation pass every 700 containers allocated (net)
by default: starting the command line (polars' and rulebook's modules, attrs building the
model's classes) made about 110 such passes and 10 of the middle generation, 25-35 ms of a
0.55 s report of 10^5 records. The command line's process runs one every 100,000
(:data:`COLLECTOR`; the older generations' ratios kept, so full passes still come as the
run allocates): 15 passes, report of 10^5 records 0.55 -> 0.52 s (round fifteen).

docs/limits.md says how to override either allocator; docs/performance.md (round eight)
has the figures. A library that embeds rulebook keeps its process's own settings: only
:func:`give_back` runs there, which returns freed memory and changes nothing else.
"""

from __future__ import annotations

import gc
import os
from typing import Any

#: jemalloc's setting (polars' allocator) for the command line's process.
JEMALLOC = "dirty_decay_ms:200,muzzy_decay_ms:0,narenas:1,oversize_threshold:0"

#: glibc's ``mallopt`` options for the command line's process: M_MMAP_THRESHOLD (-3),
#: blocks up to 32 MiB from the heap; M_TRIM_THRESHOLD (-1), up to 64 MiB of freed heap
#: kept.
GLIBC_MALLOC = {-3: 32 << 20, -1: 64 << 20}

#: The cycle collector's thresholds for the command line's process (``gc.set_threshold``):
#: a young-generation pass every 100,000 containers instead of 700, the older ratios kept.
COLLECTOR = (100_000, 10, 10)

#: Variables by which the environment sets glibc's malloc itself (then left as it is).
GLIBC_VARIABLES = ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "GLIBC_TUNABLES")


def _glibc() -> Any | None:
    """The C library, where it is glibc."""
    try:
        os.confstr("CS_GNU_LIBC_VERSION")
    except (ValueError, OSError):  # not glibc (macOS, musl, Windows)
        return None
    import ctypes

    return ctypes.CDLL(None)


def command_line() -> bool:
    """Set both allocators for the command line's process, where the environment does not
    set them itself, and the cycle collector's thresholds (:data:`COLLECTOR`); whether
    glibc's malloc was set. Before polars is imported."""
    gc.set_threshold(*COLLECTOR)
    os.environ.setdefault("_RJEM_MALLOC_CONF", JEMALLOC)
    if any(name in os.environ for name in GLIBC_VARIABLES):
        return False
    libc = _glibc()
    mallopt = getattr(libc, "mallopt", None)
    if mallopt is None:
        return False
    return all(mallopt(option, value) == 1 for option, value in GLIBC_MALLOC.items())


def give_back() -> None:
    """Freed memory of glibc's heap given back to the system (``malloc_trim``): after a
    log's chunks are read, before the stages that peak."""
    libc = _glibc()
    trim = getattr(libc, "malloc_trim", None)
    if trim is not None:
        trim(0)
