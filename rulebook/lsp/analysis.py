"""What the language server knows about one open document: the workspace model.

A document is analysed as a whole on every change, by the same code as ``rulebook check``
(:func:`rulebook.load.check_files`, given the editor's text instead of the file on disk);
the features (hover, completion, definition, outline) are small functions over the
:class:`Analysis`. While the text has syntax errors, the outline and names come from the
repaired parse (see :mod:`rulebook.grammar.recovery`).

Positions here are 0-based lines and columns counted in characters (code points); the
server converts them to the editor's units.
"""

from __future__ import annotations

import re
from pathlib import Path

import attrs

from rulebook import model as m
from rulebook.diagnostics import Diagnostic
from rulebook.grammar.build import ParsedFile
from rulebook.grammar.parser import parse_recovering
from rulebook.intake.records import timezone_of
from rulebook.io.history import reported
from rulebook.load import bundled_dir, check_files, load_files
from rulebook.reprs import with_repr
from rulebook.versions import Chain


@with_repr
@attrs.frozen(repr=False)
class Analysis:
    """One document, checked: its diagnostics, what it declares and the vocabulary it uses."""

    path: str
    text: str
    diagnostics: tuple[Diagnostic, ...]
    parsed: ParsedFile | None
    vocabulary: m.Vocabulary | None

    @property
    def lines(self) -> list[str]:
        return self.text.split("\n")

    @property
    def contracts(self) -> tuple[m.Contract, ...]:
        return self.parsed.contracts if self.parsed else ()

    def clauses(self) -> dict[str, m.AnyClause]:
        """The clauses of the document's contracts by id (the first of a repeated id)."""
        found: dict[str, m.AnyClause] = {}
        for contract in self.contracts:
            for clause in contract.clauses:
                found.setdefault(clause.id, clause)
            for amendment in contract.amendments:  # a clause a later version adds
                for clause in amendment.clauses:
                    found.setdefault(clause.id, clause)
        return found

    def import_target(self, name: str) -> Path | None:
        """The file an ``import "name"`` of this document reads, as the loader finds it."""
        for candidate in (Path(self.path).parent / name, bundled_dir() / name):
            if candidate.is_file():
                return candidate
        return None


def analyse(path: str, text: str) -> Analysis:
    """Check ``text`` as the contents of ``path`` and keep what the features need."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    loaded = check_files([path], {path: text})
    mine = tuple(d for d in loaded.diagnostics if d.span.file == path)
    mine += tuple(d for c in loaded.contracts if c.file == path for d in retroactive(c))
    parsed, _, _ = parse_recovering(text, path)
    vocabulary = _vocabulary(parsed, path, loaded.vocabularies)
    return Analysis(path, text, mine, parsed, vocabulary)


def _vocabulary(
    parsed: ParsedFile | None, path: str, loaded: tuple[m.Vocabulary, ...]
) -> m.Vocabulary | None:
    if parsed is None:
        return None
    if parsed.vocabularies:
        return parsed.vocabularies[0]
    if loaded:
        return loaded[0]
    # With syntax errors the loader reads no import: read them here for names and labels.
    doc = Analysis(path, "", (), parsed, None)
    for imp in parsed.imports:
        target = doc.import_target(imp.value)
        if target is not None:
            vocabularies = load_files([target]).vocabularies
            if vocabularies:
                return vocabularies[0]
    return None


_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_\-]*|%")


def word_at(text: str, line: int, column: int) -> tuple[str, int, int] | None:
    """The name under a position, with its start and end column, or None."""
    lines = text.split("\n")
    if not 0 <= line < len(lines):
        return None
    for match in _WORD.finditer(lines[line]):
        if match.start() <= column <= match.end():
            return match.group(), match.start(), match.end()
    return None


def string_at(text: str, line: int, column: int) -> str | None:
    """The contents of the quoted string under a position, or None."""
    lines = text.split("\n")
    if not 0 <= line < len(lines):
        return None
    for match in re.finditer(r'"((?:[^"\\]|\\.)*)"', lines[line]):
        if match.start() <= column < match.end():
            return match.group(1)
    return None


def retroactive(contract: m.Contract) -> list[Diagnostic]:
    """A warning at an amendment's effective date that is earlier than the end of a period
    already reported (``rulebook report``, :mod:`rulebook.io.history`) under a text that did
    not have the amendment, since the last report under one that did: that report's figures
    would change (the editor only; ``check`` depends on the file alone)."""
    if not contract.amendments:
        return []
    chain = Chain.of(contract, timezone_of(contract))
    out = []
    entries = list(reported(contract))
    later = zip(contract.amendments, chain.versions[1:], chain.starts, strict=True)
    for amendment, version, at in later:
        if version.effective is None or amendment.effective is None:
            continue
        mark = [version.name, str(version.effective)]
        # reports made since the last one under a text with this amendment
        since = max(
            (i + 1 for i, e in enumerate(entries) if mark in e.get("versions", [])), default=0
        )
        hit = [
            (end, service, label, entry.get("at", "?"))
            for entry in entries[since:]
            for service, label, end in entry.get("periods", [])
            if isinstance(end, int) and end > at
        ]
        if hit:
            _, service, label, when = max(hit)
            out.append(
                Diagnostic(
                    "warning",
                    "retroactive-amendment",
                    f"amendment {version.name} takes effect on {version.effective}, before the "
                    f"end of {label} of {service}, reported on {when[:10]} under a text "
                    "without it: those figures would change",
                    amendment.effective.span,
                    "if the amendment really applies from that day, report the periods "
                    "again; otherwise give the day it takes effect",
                )
            )
    return out
