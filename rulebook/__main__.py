"""``python -m rulebook`` and the ``rulebook`` script: the command line, then out of the
process at once.

A run over a large log ends holding frames of hundreds of MiB; Python would free them
object by object and tear its modules down before exiting (about 0.1 s at 10^6 records).
The operating system takes the whole process back in one go, so after the command the
output streams are flushed and the process ends there (as mypy does). A run that started
Spark exits the ordinary way (its exit hooks stop the JVM), and so does a run under a
tracer or a profiler (coverage, cProfile, pyinstrument write their data at exit).

Polars allocates with jemalloc and sets it to keep freed pages 0.5 s, then to hold them
1 s more as lazily freed, still resident (``dirty_decay_ms:500,muzzy_decay_ms:1000``): a
run of a few seconds then peaks near the sum of its stages' frames, not at the largest.
The command line gives them back after 0.2 s, at once (``_RJEM_MALLOC_CONF``, polars'
documented override, read when polars is first imported), unless the environment sets
that variable itself: 10^6 records, report peak about 400 -> 325 MiB in the same time
(docs/performance.md, round seven).
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import sys
from typing import Any

ALLOCATOR = "dirty_decay_ms:200,muzzy_decay_ms:0"
# Before anything imports polars (rulebook.cli does not at import; its commands do).
os.environ.setdefault("_RJEM_MALLOC_CONF", ALLOCATOR)

from rulebook.cli import main  # noqa: E402


class _Closed(io.TextIOBase):
    """A standard stream the process was started without (``>&-``): Python leaves it None,
    where writes would vanish; here every use is the error a closed descriptor gives, which
    the commands report as "cannot write the output" (or "cannot read"), exit 1."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.stream = name

    def _closed(self, *args: object) -> Any:
        raise OSError(errno.EBADF, f"standard {self.stream} is closed")

    write = read = readline = fileno = _closed

    @property
    def buffer(self) -> Any:
        return self._closed()


def run() -> None:
    """Run the command line and exit with its code."""
    for name in ("stdin", "stdout"):
        if getattr(sys, name) is None:
            setattr(sys, name, _Closed(name[3:].replace("in", "input").replace("out", "output")))
    if sys.stderr is None:  # nothing can be said: what would go there is dropped
        sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115
    try:
        main()
        code: object = 0
    except SystemExit as exc:
        code = exc.code
    if "pyspark" in sys.modules or sys.gettrace() is not None or sys.getprofile() is not None:
        sys.exit(code)  # type: ignore[arg-type]
    if code is None:
        code = 0
    elif not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    try:
        if not sys.stdout.closed:  # the language server closes it when the editor says exit
            sys.stdout.flush()
    except (OSError, ValueError) as exc:  # a closed pipe, a full disk
        print(f"rulebook: cannot write the output: {exc}", file=sys.stderr)
        code = code or 1
    with contextlib.suppress(OSError, ValueError):
        sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    run()
