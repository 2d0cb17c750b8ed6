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

import importlib
import os
import sys
from typing import Any

import click

from rulebook._version import __version__
from rulebook.cli.options import ENGINES, FORMATS, SOURCES
from rulebook.cli.output import fail, printable

__all__ = ["ENGINES", "FORMATS", "SOURCES", "main", "printable"]

#: Each command by name: the module of this package that defines it, and its function. A
#: command's module is imported when the command is looked up, so that ``rulebook report``
#: starts without the authoring, diff, init and packet modules.
COMMANDS = {
    "check": ("authoring", "check"),
    "test": ("authoring", "test_command"),
    "lsp": ("authoring", "lsp_command"),
    "fmt": ("authoring", "fmt_command"),
    "contracts": ("authoring", "contracts"),
    "adjudicate": ("adjudicating", "adjudicate_command"),
    "report": ("adjudicating", "report_command"),
    "explain": ("adjudicating", "explain_command"),
    "init": ("drafting", "init_command"),
    "compare": ("adjudicating", "compare_command"),
    "diff": ("diffing", "diff_command"),
    "packet": ("packet", "packet_command"),
    "verify": ("packet", "verify_command"),
}


class _Group(click.Group):
    """The command group: output that cannot be written (a full disk, a closed pipe) ends
    the command with one line and exit 1, never a traceback. Its commands are
    :data:`COMMANDS`, each imported when looked up."""

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        # An unknown name loads them all: its error suggests the nearest (self.commands).
        for name in [cmd_name] if cmd_name in COMMANDS else COMMANDS:
            if name not in self.commands:
                module, function = COMMANDS[name]
                self.add_command(getattr(importlib.import_module(f"{__name__}.{module}"), function))
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *COMMANDS})

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
