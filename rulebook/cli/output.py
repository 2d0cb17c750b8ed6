"""What every command prints and how it fails: text from input made safe for a terminal
(:func:`printable`), one ``rulebook:`` line and exit 1 (:func:`fail`, :func:`guarded`),
text written to standard output or a file (:func:`write_text`).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from typing import Any

import click

from rulebook.errors import RulebookError

_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f]")


def printable(text: str) -> str:
    r"""Text from input made safe for a terminal: control characters (ESC, OSC, NUL, ...)
    shown as escapes, never sent raw; newlines and tabs kept.

    >>> printable("a\x1b[31mb\x00")
    'a\\x1b[31mb\\x00'
    """
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def echo_data(text: str) -> None:
    """A file's text (CSV, a formatted contract, a drafted project file) to standard
    output: to a pipe, every character as ``-o`` writes it (``click.echo`` would drop ANSI
    sequences there, silently changing an id or a title); to a terminal, control
    characters shown as escapes (:func:`printable`), never sent raw."""
    if sys.stdout is not None and sys.stdout.isatty():
        click.echo(printable(text), nl=False)
    else:
        click.echo(text, nl=False, color=True)  # color=True: click strips nothing


def said(text: str) -> str:
    """A message for standard error: :func:`printable`, and each line cut to
    :data:`~rulebook.limits.MAX_MESSAGE_LINE` characters (a 10 MB cell quoted in a message
    must not become a 10 MB line on the terminal).

    >>> said("x" * 2000).endswith("… (1,001 characters cut)")
    True
    """
    from rulebook.limits import MAX_MESSAGE_LINE

    keep = MAX_MESSAGE_LINE - 1
    return "\n".join(
        line if len(line) <= keep + 1 else f"{line[:keep]}… ({len(line) - keep:,} characters cut)"
        for line in printable(text).split("\n")
    )


def fail(message: str) -> int:
    click.echo(f"rulebook: {said(message)}", err=True)
    return 1


def fail_error(exc: RulebookError) -> int:
    """An error's message; a project file's problems one a line, as contract diagnostics
    are printed, then how many there are."""
    from rulebook.project import ProjectError

    lines = str(exc).split("\n")
    if not isinstance(exc, ProjectError) or len(lines) < 2:
        return fail(str(exc))
    for line in lines:
        click.echo(said(line), err=True)
    return fail(f"{len(lines)} problem(s) in the project file; see above")


def write_text(text: str, output: str | None) -> list[str]:
    """``text`` to ``output`` (put in place whole, a link there replaced, never written
    through: :mod:`rulebook.io.outputs`), or to standard output (no ``-o``, or ``-o -``)."""
    if output and output != "-":
        from rulebook.io.outputs import replace_files

        return replace_files({output: text.encode("utf-8")})
    click.echo(printable(text), nl=False)
    return []


def wrote(paths: Iterable[str]) -> None:
    """Each file an output went to, named on standard error (whatever its format)."""
    for path in paths:
        click.echo(f"rulebook: wrote {path}", err=True)


def guarded(action: Any) -> Any:
    """Run ``action``; a RulebookError or a file that cannot be written ends the command
    with one line and exit 1."""
    try:
        return action()
    except RulebookError as exc:
        raise click.exceptions.Exit(fail(str(exc))) from None
    except OSError as exc:
        reason = exc.strerror or str(exc) or type(exc).__name__
        where = f"{exc.filename}:" if exc.filename else "cannot write the output:"
        raise click.exceptions.Exit(fail(f"{where} {reason}")) from None
