"""``python -m rulebook`` and the ``rulebook`` script: the command line, then out of the
process at once.

A run over a large log ends holding frames of hundreds of MiB; Python would free them
object by object and tear its modules down before exiting (about 0.1 s at 10^6 records).
The operating system takes the whole process back in one go, so after the command the
output streams are flushed and the process ends there (as mypy does). A run that started
Spark exits the ordinary way (its exit hooks stop the JVM), and so does a run under a
tracer or a profiler (coverage, cProfile, pyinstrument write their data at exit).
"""

from __future__ import annotations

import contextlib
import os
import sys

from rulebook.cli import main


def run() -> None:
    """Run the command line and exit with its code."""
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
