"""Diagnostics: problems in a contract file, as values with a source span.

A diagnostic renders the way editors and compilers print them::

    contracts/x.sla:12:10: error: unknown fact 'casue'
        when casue in {war}
             ^^^^^
    hint: did you mean 'cause'?

and the same fields go to ``--json``.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any

import attrs

from rulebook.model import Span


@attrs.frozen
class Diagnostic:
    """One problem found in a contract file."""

    severity: str  # "error" or "warning"
    code: str  # a stable short name, e.g. "unknown-fact"
    message: str
    span: Span
    hint: str | None = None
    source_line: str | None = None

    def render(self) -> str:
        """``file:line:col: severity: message``, the source line, a caret and the hint."""
        lines = [f"{self.span}: {self.severity}: {self.message}"]
        if self.source_line is not None and self.span.line > 0:
            text = self.source_line.rstrip("\n")
            lines.append("    " + text)
            width = 1
            if self.span.end_line == self.span.line and self.span.end_column > self.span.column:
                marked = text[self.span.column - 1 : self.span.end_column - 1]
                width = max(1, len(_pad(marked, len(marked)).replace("\t", "    ")))
            lines.append("    " + _pad(text, self.span.column - 1) + "^" * width)
        if self.hint:
            lines.append(f"hint: {self.hint}")
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
        }


def _pad(text: str, width: int) -> str:
    """Spaces under ``text[:width]``, keeping tabs and counting wide characters as two."""
    out = []
    for ch in text[:width]:
        if ch == "\t":
            out.append("\t")
        elif ord(ch) > 0x2E80:  # CJK and full-width forms take two cells
            out.append("  ")
        else:
            out.append(" ")
    return "".join(out)


def did_you_mean(word: str, candidates: Iterable[str]) -> str | None:
    """A hint naming the closest candidate, or None when nothing is close.

    >>> did_you_mean("casue", ["cause", "location"])
    "did you mean 'cause'?"
    """
    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else None


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
