"""Diagnostics: problems in a contract file, as values with a source span.

A diagnostic renders the way editors and compilers print them::

    contracts/x.sla:12:10: error[unknown-fact]: unknown fact 'casue'
        when casue in {war}
             ^^^^^
    hint: did you mean 'cause'?

with the code in brackets, as rustc and ruff print it, so a reader can look it up in
docs/checks.md; the same fields go to ``--json``. Carets are placed in display columns:
a wide (East Asian) character takes two cells, a combining mark none.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import attrs

from rulebook.model import Span
from rulebook.reprs import with_repr
from rulebook.text import cell_width, display_width


@with_repr
@attrs.frozen(repr=False)
class Diagnostic:
    """One problem found in a contract file."""

    severity: str  # "error" or "warning"
    code: str  # a stable short name, e.g. "unknown-fact"
    message: str
    span: Span
    hint: str | None = None
    source_line: str | None = None
    #: Further places with the same cause (a misspelt name used again): reported once.
    also: tuple[Span, ...] = ()

    def render(self) -> str:
        """``file:line:col: severity[code]: message``, the source line, a caret and the hint."""
        lines = [f"{self.span}: {self.severity}[{self.code}]: {self.message}"]
        if self.source_line is not None and self.span.line > 0:
            text = self.source_line.rstrip("\n")
            lines.append("    " + text)
            width = 1
            if self.span.end_line == self.span.line and self.span.end_column > self.span.column:
                marked = text[self.span.column - 1 : self.span.end_column - 1]
                width = max(1, display_width(marked))
            lines.append("    " + _pad(text[: self.span.column - 1]) + "^" * width)
        if self.hint:
            lines.append(f"hint: {self.hint}")
        if self.also:
            places = ", ".join(f"{s.line}:{s.column}" for s in self.also)
            lines.append(f"note: the same name is used again at {places}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """The diagnostic as plain data for ``--json``."""
        return {
            "file": self.span.file,
            "line": self.span.line,
            "column": self.span.column,
            "end_line": self.span.end_line,
            "end_column": self.span.end_column,
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
            "hint": self.hint,
            "also": [{"line": s.line, "column": s.column} for s in self.also],
        }


def _pad(text: str) -> str:
    """Blanks as wide as ``text`` on screen; tabs are kept so the caret lines up with them."""
    return "".join("\t" if ch == "\t" else " " * cell_width(ch) for ch in text)


def attach_source(diagnostics: Iterable[Diagnostic], sources: dict[str, str]) -> list[Diagnostic]:
    """Fill in each diagnostic's source line from the texts of the files it names."""
    out = []
    split: dict[str, list[str]] = {}  # each file split once, not once per diagnostic
    for d in diagnostics:
        text = sources.get(d.span.file)
        if text is not None and d.source_line is None and d.span.line > 0:
            lines = split.get(d.span.file)
            if lines is None:
                lines = split[d.span.file] = text.splitlines()
            if d.span.line <= len(lines):
                d = attrs.evolve(d, source_line=lines[d.span.line - 1])
        out.append(d)
    return out


def sort_key(d: Diagnostic) -> tuple[str, int, int, str]:
    """Diagnostics print in file order, so the output is the same on every run."""
    return (d.span.file, d.span.line, d.span.column, d.code)


#: Codes of a name that is not known: every use of the same misspelt name has one cause.
_NAME_CODES = frozenset(
    {
        "unknown-fact",
        "unknown-code",
        "unknown-event",
        "unknown-clause",
        "unknown-unit",
        "unknown-country",
        "wrong-clause-kind",
        "bad-weekday",
        "bad-expectation",
    }
)


#: A problem that follows from another in the same file is left out when that one is
#: reported: a contract has no vocabulary because its import is missing.
_CAUSED_BY = {"no-vocabulary": "missing-import"}


def collapse(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Cascades collapsed into their cause: the uses of one unknown name in one file become
    one diagnostic at the first use, listing the others (``also``), and a problem caused by
    another reported in the same file is left out. Input in file order.

    >>> from rulebook.model import Span
    >>> a, b = (Diagnostic("error", "unknown-clause", "unknown clause 'x'", Span("f", n, 1, n, 2))
    ...         for n in (3, 9))
    >>> [(d.span.line, [s.line for s in d.also]) for d in collapse([a, b])]
    [(3, [9])]
    """
    given = list(diagnostics)
    causes = {(d.span.file, d.code) for d in given}
    first: dict[tuple[str, str, str], int] = {}
    out: list[Diagnostic] = []
    for d in given:
        if (d.span.file, _CAUSED_BY.get(d.code)) in causes:
            continue
        key = (d.span.file, d.code, d.message)
        if d.code in _NAME_CODES and key in first:
            i = first[key]
            out[i] = attrs.evolve(out[i], also=(*out[i].also, d.span))
            continue
        first[key] = len(out)
        out.append(d)
    return out
