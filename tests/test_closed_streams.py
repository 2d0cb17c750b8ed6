"""Issue 26: a process started without its standard output (``>&-``) or input (``<&-``)
says it cannot write (or read) and exits 1 — no AttributeError at exit, no output silently
lost; without standard error it still exits with the command's code."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = "examples/cybermail-2026-09.csv"


def _run(args: list[str], close: int) -> subprocess.CompletedProcess[str]:
    """``python -m rulebook ARGS`` with descriptor ``close`` closed (as the shell's ``>&-``)."""
    shell = f'exec {close}>&- ; exec "$0" -m rulebook "$@"'
    return subprocess.run(
        ["sh", "-c", shell, sys.executable, *args],
        cwd=ROOT,
        capture_output=True,
        stdin=subprocess.DEVNULL,
        text=True,
        check=False,
    )


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["adjudicate", "cybermail", EXAMPLE], "rulebook: cannot write the output: standard output is closed"),
        (["adjudicate", "cybermail", EXAMPLE, "--format", "jsonl"], "rulebook: cannot write the output: standard output is closed"),
        (["check", "contracts/cybermail.sla"], "rulebook: cannot write the output: standard output is closed"),
    ],
)  # fmt: skip
def test_a_closed_standard_output_cannot_be_written(args: list[str], said: str) -> None:
    done = _run(args, 1)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert done.stderr.rstrip().splitlines()[-1] == said


def test_a_closed_standard_input_cannot_be_read() -> None:
    done = _run(["report", "cybermail", "-", "--input-format", "csv"], 0)
    assert done.returncode == 1
    assert done.stderr.rstrip() == "rulebook: -: cannot read: standard input is closed"


def test_a_closed_standard_error_keeps_the_exit_code() -> None:
    done = _run(["adjudicate", "cybermail", "no/such.csv"], 2)
    assert done.returncode == 1 and done.stdout == ""
    done = _run(["report", "cybermail", EXAMPLE], 2)
    assert done.returncode == 0 and "CYBERMAIL Σ" in done.stdout
