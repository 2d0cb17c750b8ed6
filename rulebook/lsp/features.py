"""The language server's features, each a small function over an :class:`Analysis`.

Hover shows a fact's, code's, event's or unit's Japanese and English labels, for a
clause reference the clause and the article and sentence it cites, and for a keyword or a
boundary word (以上, 未満, 前まで ...) its meaning (:mod:`words`); completion is in
:mod:`completion`; definition goes to a clause, an imported file or a vocabulary
entry; symbols are the clause outline; diagnostics are ``rulebook check``'s.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

from lsprotocol import types as lsp

from rulebook import model as m
from rulebook import units
from rulebook.diagnostics import Diagnostic
from rulebook.grammar.recovery import matching_brace
from rulebook.lsp.analysis import Analysis, string_at, word_at
from rulebook.lsp.words import boundary_hover, keyword_hover
from rulebook.meanings import MEASURES, WEEKDAYS
from rulebook.text import markdown_text
from rulebook.versions import ORIGINAL, versions

#: (line, column) in characters -> a position in the editor's units.
Convert = Callable[[int, int], lsp.Position]


def converter(analysis: Analysis, encoding: str = "utf-16") -> Convert:
    """Positions in the units the editor counts: UTF-16 code units (the protocol's
    default), UTF-8 bytes or characters (UTF-32)."""
    lines = analysis.lines
    codec = {"utf-8": "utf-8", "utf-32": None}.get(encoding, "utf-16-le")

    def convert(line: int, column: int) -> lsp.Position:
        text = lines[line][:column] if 0 <= line < len(lines) else ""
        units = len(text) if codec is None else len(text.encode(codec)) // (1 + (codec != "utf-8"))
        return lsp.Position(line=line, character=units)

    return convert


def range_of(span: m.Span, at: Convert) -> lsp.Range:
    """A span of the model as a range in the editor's units."""
    start = at(max(span.line - 1, 0), max(span.column - 1, 0))
    end_line = span.end_line or span.line
    end = at(max(end_line - 1, 0), max((span.end_column or span.column) - 1, 0))
    return lsp.Range(start=start, end=end)


# ------------------------------------------------------------------ diagnostics


def diagnostics(analysis: Analysis, at: Convert) -> list[lsp.Diagnostic]:
    """``rulebook check``'s diagnostics of the document, with code, hint and the other uses."""
    return [_diagnostic(d, analysis, at) for d in analysis.diagnostics]


def _diagnostic(d: Diagnostic, analysis: Analysis, at: Convert) -> lsp.Diagnostic:
    severity = (
        lsp.DiagnosticSeverity.Error if d.severity == "error" else lsp.DiagnosticSeverity.Warning
    )
    uri = Path(analysis.path).resolve().as_uri()
    related = [
        lsp.DiagnosticRelatedInformation(
            location=lsp.Location(uri=uri, range=range_of(s, at)), message="the same name"
        )
        for s in d.also
    ]
    return lsp.Diagnostic(
        range=range_of(d.span, at),
        message=d.message + (f"\nhint: {d.hint}" if d.hint else ""),
        severity=severity,
        code=d.code,
        source="rulebook",
        related_information=related or None,
    )


# ------------------------------------------------------------------ hover


def hover(analysis: Analysis, line: int, column: int, at: Convert) -> lsp.Hover | None:
    """What the name, keyword or boundary word under the cursor means."""
    boundary = _boundary_at(analysis, line, column)
    if boundary is not None:
        word, start, end = boundary
        return lsp.Hover(
            contents=lsp.MarkupContent(
                kind=lsp.MarkupKind.Markdown, value=boundary_hover(word) or ""
            ),
            range=lsp.Range(start=at(line, start), end=at(line, end)),
        )
    found = word_at(analysis.text, line, column)
    if found is None:
        return None
    word, start, end = found
    parts = list(_meanings(analysis, word, _previous_word(analysis, line, start)))
    if not parts:
        return None
    return lsp.Hover(
        contents=lsp.MarkupContent(kind=lsp.MarkupKind.Markdown, value="\n\n---\n\n".join(parts)),
        range=lsp.Range(start=at(line, start), end=at(line, end)),
    )


def _boundary_at(analysis: Analysis, line: int, column: int) -> tuple[str, int, int] | None:
    """The boundary or deadline word in ``(WORD)`` under the cursor, with its columns."""
    if not 0 <= line < len(analysis.lines):
        return None
    for match in re.finditer(r"\(([^\x00-\x7f()（）\s]+)\)", analysis.lines[line]):
        if match.start(1) <= column <= match.end(1) and boundary_hover(match.group(1)):
            return match.group(1), match.start(1), match.end(1)
    return None


def _previous_word(analysis: Analysis, line: int, column: int) -> str:
    words = re.findall(r"[A-Za-z_]\w*", analysis.lines[line][:column])
    return words[-1] if words else ""


def _meanings(analysis: Analysis, word: str, before: str) -> Iterator[str]:
    clause = analysis.clauses().get(word)
    if clause is not None:
        yield _clause_words(clause)
    for contract in analysis.contracts:
        history = version_history(contract, word)
        if history:
            yield history
    vocabulary = analysis.vocabulary
    if vocabulary is not None:
        fact = vocabulary.fact(word)
        if fact is not None:
            kind = f"set of {fact.type}" if fact.is_set else fact.type
            derived = ", derived by the engine" if fact.derived else ""
            words = markdown_text(f"{fact.ja} / {fact.en}")
            yield f"**fact `{fact.name}`** ({kind}{derived})\n\n{words}"
        event = vocabulary.event(word)
        if event is not None:
            yield f"**event `{event.name}`** (an instant)\n\n" + markdown_text(
                f"{event.ja} / {event.en}"
            )
        for fact, code in _codes(vocabulary, word):
            words = markdown_text(f"{code.ja} / {code.en}")
            yield f"**code `{code.name}`** of `{fact.name}`\n\n{words}"
    if word in MEASURES:
        yield f"**measure `{word}`** ({MEASURES[word]}), known to remedies"
    spelled = f"business {word}" if before == "business" else word
    unit = units.canonical(spelled)
    if unit is not None and spelled:
        ja = units.label_ja(unit.name)
        length = f", {unit.seconds} s" if unit.seconds else ""
        written = f", written `{word}`" if word != unit.name else ""
        yield f"**unit `{unit.name}`** ({unit.dimension}{length}{written})" + (
            f"\n\n{ja}" if ja else ""
        )
    if word in WEEKDAYS:
        yield f"**weekday** `{word}`"
    keyword = keyword_hover(word)
    if keyword is not None:
        yield keyword


def _codes(vocabulary: m.Vocabulary, name: str) -> Iterator[tuple[m.FactDecl, m.CodeDecl]]:
    for fact in vocabulary.facts:
        code = fact.code(name)
        if code is not None:
            yield fact, code


def version_history(contract: m.Contract, cid: str) -> str | None:
    """Which versions of a contract with amendments have clause ``cid``, and how it
    changed from one to the next (added, changed, removed)."""
    if not contract.amendments:
        return None
    lines = []
    before: m.AnyClause | None = None
    for version in versions(contract):
        now = next((c for c in version.contract.clauses if c.id == cid), None)
        since = f" (from {version.effective})" if version.effective else ""
        if now is not None and before is None:
            what = "has it" if version.name == ORIGINAL else "adds it"
        elif now is not None and before is not None:
            what = "keeps it" if now == before else "changes it"
        elif before is not None:
            what = "removes it"
        else:
            what = ""
        if what:
            lines.append(f"- `{version.name}`{since}: {what}")
        before = now
    if not lines:
        return None
    return "**versions**\n\n" + "\n".join(lines)


def _clause_words(clause: m.AnyClause) -> str:
    """A clause's hover: its title, article and quotes are the contract's text, which may
    come from the other side: Markdown with no raw HTML (as the command line's)."""
    title = f" — {markdown_text(clause.title)}" if clause.title else ""
    text = f"**{clause.kind} `{clause.id}`**{title}"
    if clause.citation is not None:
        quotes = "\n".join(f"> {markdown_text(q)}" for q in clause.citation.quotes)
        text += f"\n\n{markdown_text(clause.citation.article)}\n\n{quotes}"
    return text


# ------------------------------------------------------------------ definition


def definition(analysis: Analysis, line: int, column: int, at: Convert) -> lsp.Location | None:
    """Where the name (or the imported file) under the cursor is declared."""
    target = string_at(analysis.text, line, column)
    if target is not None and analysis.lines[line].lstrip().startswith("import"):
        path = analysis.import_target(target)
        if path is None:
            return None
        start = lsp.Position(line=0, character=0)
        return lsp.Location(uri=path.resolve().as_uri(), range=lsp.Range(start=start, end=start))
    found = word_at(analysis.text, line, column)
    if found is None:
        return None
    span = _declaration(analysis, found[0])
    if span is None:
        return None
    uri = Path(span.file).resolve().as_uri()
    same = Path(span.file).resolve() == Path(analysis.path).resolve()
    # A span in another file is converted with this document's lines only when it is this one.
    convert = at if same else _plain
    return lsp.Location(uri=uri, range=range_of(span, convert))


def _plain(line: int, column: int) -> lsp.Position:
    return lsp.Position(line=line, character=column)


def _declaration(analysis: Analysis, word: str) -> m.Span | None:
    clause = analysis.clauses().get(word)
    if clause is not None:
        return clause.span
    vocabulary = analysis.vocabulary
    if vocabulary is None:
        return None
    declared = vocabulary.fact(word) or vocabulary.event(word)
    if declared is not None:
        return declared.span
    return next((code.span for _, code in _codes(vocabulary, word)), None)


# ------------------------------------------------------------------ symbols


def symbols(analysis: Analysis, at: Convert) -> list[lsp.DocumentSymbol]:
    """The outline: each contract with its clauses and examples; each vocabulary's facts."""
    out = []
    parsed = analysis.parsed
    if parsed is None:
        return []
    for vocabulary in parsed.vocabularies:
        facts = [
            _symbol(analysis, f.name, f"{f.ja} / {f.en}", lsp.SymbolKind.Field, f.span, at)
            for f in vocabulary.facts
        ]
        out.append(
            _symbol(
                analysis,
                vocabulary.name,
                "vocabulary",
                lsp.SymbolKind.Namespace,
                vocabulary.span,
                at,
                facts,
            )
        )

    def clauses(listed: tuple[m.AnyClause, ...]) -> list[lsp.DocumentSymbol]:
        return [
            _symbol(
                analysis,
                c.id,
                f"{c.kind}" + (f" — {c.title}" if c.title else ""),
                _KINDS.get(c.kind, lsp.SymbolKind.Object),
                c.span,
                at,
            )
            for c in listed
        ]

    for contract in parsed.contracts:
        children = clauses(contract.clauses)
        children += [  # each later version, with the clauses it states
            _symbol(
                analysis,
                a.id,
                "amendment"
                + (f" from {a.effective.value}" if a.effective else "")
                + (f" — {a.title}" if a.title else ""),
                lsp.SymbolKind.Namespace,
                a.span,
                at,
                clauses(a.clauses),
            )
            for a in contract.amendments
        ]
        children += [
            _symbol(
                analysis,
                e.id,
                "example" + (f" — {e.title}" if e.title else ""),
                lsp.SymbolKind.Event,
                e.span,
                at,
            )
            for e in contract.examples
        ]
        out.append(
            _symbol(
                analysis,
                contract.id,
                "contract",
                lsp.SymbolKind.Module,
                contract.span,
                at,
                children,
            )
        )
    return out


_KINDS = {
    "exclusion": lsp.SymbolKind.Function,
    "inclusion": lsp.SymbolKind.Function,
    "exception": lsp.SymbolKind.Function,
    "remedy": lsp.SymbolKind.Method,
    "obligation": lsp.SymbolKind.Method,
    "calendar": lsp.SymbolKind.Struct,
    "maintenance": lsp.SymbolKind.Struct,
}


def _symbol(
    analysis: Analysis,
    name: str,
    detail: str,
    kind: lsp.SymbolKind,
    span: m.Span,
    at: Convert,
    children: list[lsp.DocumentSymbol] | None = None,
) -> lsp.DocumentSymbol:
    selection = range_of(span, at)
    whole = _block_range(analysis, span, at) or selection
    for child in children or ():  # a block whose brace does not close yet still holds its parts
        whole = _union(whole, child.range)
    return lsp.DocumentSymbol(
        name=name,
        detail=detail,
        kind=kind,
        range=whole,
        selection_range=selection,
        children=children,
    )


def _union(a: lsp.Range, b: lsp.Range) -> lsp.Range:
    """The smallest range holding both."""

    def key(p: lsp.Position) -> tuple[int, int]:
        return (p.line, p.character)

    return lsp.Range(start=min(a.start, b.start, key=key), end=max(a.end, b.end, key=key))


def _block_range(analysis: Analysis, span: m.Span, at: Convert) -> lsp.Range | None:
    """From the start of the header line to the block's closing brace."""
    lines = analysis.lines
    if not 0 < span.line <= len(lines):
        return None
    offset = sum(len(line) + 1 for line in lines[: span.line - 1]) + span.column - 1
    opening = analysis.text.find("{", offset)
    closing = matching_brace(analysis.text, opening) if opening >= 0 else None
    if closing is None:
        return None
    end_line = analysis.text.count("\n", 0, closing)
    end_column = closing - (analysis.text.rfind("\n", 0, closing) + 1) + 1
    return lsp.Range(start=at(span.line - 1, 0), end=at(end_line, end_column))
