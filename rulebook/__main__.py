"""``python -m rulebook`` and the ``rulebook`` script: the command line, then out of the
process at once.

A run over a large log ends holding frames of hundreds of MiB; Python would free them
object by object and tear its modules down before exiting (about 0.1 s at 10^6 records).
The operating system takes the whole process back in one go, so after the command the
output streams are flushed and the process ends there (as mypy does). A run that started
Spark exits the ordinary way (its exit hooks stop the JVM), and so does a run under a
tracer or a profiler (coverage, cProfile, pyinstrument write their data at exit).

The allocators are set for the command line's process before polars is imported
(:func:`rulebook.allocator.command_line`: freed memory given back sooner, Python's read
buffers reused).
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import sys
from typing import Any

from rulebook.allocator import command_line

# Before anything imports polars (rulebook.cli does not at import; its commands do).
command_line()

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
