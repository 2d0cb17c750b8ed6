"""The command line: parse arguments, call the library, print, set the exit code.

Exit codes: 0 clean, 1 problems found (or a contract that cannot be used), 2 usage error.

A module a command group: :mod:`.authoring` (check, test, fmt, lsp, contracts),
:mod:`.adjudicating` (adjudicate, report, explain, compare), :mod:`.diffing` (diff),
:mod:`.packet` (packet, verify) and :mod:`.drafting` (init).
They share :mod:`.options` (the options and arguments, the project file), :mod:`.inputs`
(the inputs read once, then mapped, validated and adjudicated per contract),
:mod:`.scope` (the out-of-scope and ``--period`` warnings), :mod:`.spark` (``--engine
spark``) and :mod:`.output` (text safe for a terminal, one line and exit 1 on failure).
Here: the group :func:`main`, which gathers the commands.

Layer: command line. It may import everything below it in rulebook; nothing imports it but
:mod:`rulebook.__main__`. The engine, the columnar plan, polars and the readers are
imported inside the commands that need them, never at the top of a module, so that
``rulebook check`` starts without them.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import click

from rulebook._version import __version__
from rulebook.cli import adjudicating, authoring, diffing, drafting, packet
from rulebook.cli.options import ENGINES, FORMATS, SOURCES
from rulebook.cli.output import fail, printable

__all__ = ["ENGINES", "FORMATS", "SOURCES", "main", "printable"]


class _Group(click.Group):
    """The command group: output that cannot be written (a full disk, a closed pipe) ends
    the command with one line and exit 1, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except OSError as exc:
            _drop_stdout()
            raise click.exceptions.Exit(
                fail(f"cannot write the output: {exc.strerror or exc}")
            ) from None
        # (reading errors never get here: readers turn them into RulebookError)


def _drop_stdout() -> None:
    """Point stdout at the null device, so that the flush at exit cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # no file descriptor (a test runner)
        pass


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="rulebook")
def main() -> None:
    """rulebook: settle which outage minutes an SLA counts, and explain why."""


main.add_command(authoring.check)
main.add_command(authoring.test_command)
main.add_command(authoring.lsp_command)
main.add_command(authoring.fmt_command)
main.add_command(authoring.contracts)
main.add_command(adjudicating.adjudicate_command)
main.add_command(adjudicating.report_command)
main.add_command(adjudicating.explain_command)
main.add_command(drafting.init_command)
main.add_command(adjudicating.compare_command)
main.add_command(diffing.diff_command)
main.add_command(packet.packet_command)
main.add_command(packet.verify_command)
