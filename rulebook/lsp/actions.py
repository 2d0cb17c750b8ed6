"""Code actions and rename: edits the language server offers over an :class:`Analysis`.

- **Quick fixes** from the diagnostics' own hints: a "did you mean 'X'?" replaces the
  misspelt name (every use of it, when the diagnostic lists the others); a clause without a
  citation gets a ``cite`` line to fill in; a gap between credit tiers gets the tier that
  fills it (its credit copied from the tier above it, for the author to set).
- **Rename** of a clause id: its declaration and every reference to it in the file — an
  ``overrides``, an ``exception … to``, a ``denominator … minus``, a ``defined by``, a
  calendar after ``on``/``of``/``during``, and the examples' ``expect … by`` and
  ``expect … obligation`` — never a code or a fact that happens to have the same name.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from lark import Token, Tree
from lark.exceptions import UnexpectedInput
from lsprotocol import types as lsp

from rulebook import model as m
from rulebook.check.remedies import tier_gaps
from rulebook.diagnostics import Diagnostic
from rulebook.grammar.parser import concrete_tree
from rulebook.lsp.analysis import Analysis, word_at
from rulebook.lsp.features import Convert, range_of
from rulebook.units import show_number

_DID_YOU_MEAN = re.compile(r"did you mean '([^']+)'")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def code_actions(analysis: Analysis, wanted: lsp.Range, at: Convert) -> list[lsp.CodeAction]:
    """The quick fixes of the diagnostics that touch ``wanted``."""
    uri = Path(analysis.path).resolve().as_uri()
    actions: list[lsp.CodeAction] = []
    for d in analysis.diagnostics:
        shown = range_of(d.span, at)
        if not _touches(shown, wanted):
            continue
        for title, edits in _fixes(analysis, d, at):
            actions.append(
                lsp.CodeAction(
                    title=title,
                    kind=lsp.CodeActionKind.QuickFix,
                    diagnostics=[_as_lsp(d, shown)],
                    edit=lsp.WorkspaceEdit(changes={uri: edits}),
                    is_preferred=len(actions) == 0,
                )
            )
    return actions


def _fixes(
    analysis: Analysis, d: Diagnostic, at: Convert
) -> Iterator[tuple[str, list[lsp.TextEdit]]]:
    found = _DID_YOU_MEAN.search(d.hint or "")
    if found is not None:
        new = found.group(1)
        spans = [_last_word(analysis, s) for s in (d.span, *d.also)]
        old = _text_of(analysis, spans[0])
        title = f"Replace '{old}' with '{new}'" + (f" ({len(spans)} places)" if d.also else "")
        yield title, [lsp.TextEdit(range=range_of(s, at), new_text=new) for s in spans]
    if d.code == "no-citation":
        yield from _add_cite(analysis, d, at)
    if d.code == "tier-gap":
        yield from _fill_gap(analysis, d, at)


def _add_cite(
    analysis: Analysis, d: Diagnostic, at: Convert
) -> Iterator[tuple[str, list[lsp.TextEdit]]]:
    """A ``cite`` line as the first item of the clause, to be filled with the article."""
    lines = analysis.lines
    header = d.span.line - 1
    opening = next((i for i in range(header, len(lines)) if "{" in lines[i]), None)
    if opening is None:
        return
    indent = len(lines[header]) - len(lines[header].lstrip()) + 2
    where = at(opening + 1, 0)
    text = " " * indent + 'cite "第N条" "the sentence of the contract, word for word"\n'
    yield "Add a cite", [lsp.TextEdit(range=lsp.Range(start=where, end=where), new_text=text)]


def _fill_gap(
    analysis: Analysis, d: Diagnostic, at: Convert
) -> Iterator[tuple[str, list[lsp.TextEdit]]]:
    """The tier that covers the gap at the diagnostic's tier (:func:`tier_gaps`, what the
    check reports): put before that tier, or after it for the gap up to the target; its
    credit is the neighbouring tier's, for the author to set."""
    for remedy, target in _remedies(analysis):
        for gap in tier_gaps(remedy, target):
            tier = gap.beside
            if (tier.span.line, tier.span.column) != (d.span.line, d.span.column):
                continue
            bounds = [f"{'<=' if gap.high_inclusive else '<'} {show_number(gap.high)}%"]
            if gap.low is not None:
                bounds.insert(0, f"{'>=' if gap.low_inclusive else '>'} {show_number(gap.low)}%")
            line = tier.span.line - 1
            written = analysis.lines[line]
            indent = written[: len(written) - len(written.lstrip())]
            credit = _text_of_quantity(analysis, tier.credit)
            text = f"{indent}tier {' and '.join(bounds)} credit {credit}\n"
            where = at(line + 1 if gap.kind == "target" else line, 0)
            yield (
                f"Fill the tier gap: tier {' and '.join(bounds)}",
                [lsp.TextEdit(range=lsp.Range(start=where, end=where), new_text=text)],
            )


def _remedies(analysis: Analysis) -> Iterator[tuple[m.RemedyClause, m.Comparison | None]]:
    for contract in analysis.contracts:
        target = next(
            (
                c.target
                for c in contract.clauses
                if isinstance(c, m.AvailabilityClause) and c.target
            ),
            None,
        )
        for clause in contract.clauses:
            if isinstance(clause, m.RemedyClause):
                yield clause, target


def _text_of_quantity(analysis: Analysis, quantity: m.Quantity) -> str:
    """The credit as written (``10%``, ``5000 JPY``)."""
    span = quantity.span
    line = analysis.lines[span.line - 1]
    if span.end_line == span.line and span.end_column > span.column:
        return line[span.column - 1 : span.end_column - 1]
    return show_number(quantity.value) + "%"


# ------------------------------------------------------------------ rename


def prepare_rename(analysis: Analysis, line: int, column: int, at: Convert) -> lsp.Range | None:
    """The clause id under the cursor, when it can be renamed (the file parses)."""
    found = _clause_id_at(analysis, line, column)
    if found is None:
        return None
    _, start, end = found
    return lsp.Range(start=at(line, start), end=at(line, end))


def rename(
    analysis: Analysis, line: int, column: int, new_name: str, at: Convert
) -> lsp.WorkspaceEdit | None:
    """Every place of the clause id under the cursor, renamed to ``new_name``."""
    found = _clause_id_at(analysis, line, column)
    if found is None:
        return None
    if not _NAME.match(new_name) or new_name in analysis.clauses():
        raise ValueError(f"'{new_name}' is not a free clause id (letters, digits and _)")
    old = found[0]
    edits = [
        lsp.TextEdit(
            range=lsp.Range(
                start=at(t.line - 1, t.column - 1), end=at(t.line - 1, t.column - 1 + len(old))
            ),
            new_text=new_name,
        )
        for t in clause_references(analysis.text)
        if str(t) == old and t.line is not None and t.column is not None
    ]
    return lsp.WorkspaceEdit(changes={Path(analysis.path).resolve().as_uri(): edits})


def _clause_id_at(analysis: Analysis, line: int, column: int) -> tuple[str, int, int] | None:
    word = word_at(analysis.text, line, column)
    if word is None or word[0] not in analysis.clauses():
        return None
    places = {(t.line, t.column) for t in clause_references(analysis.text) if str(t) == word[0]}
    return word if (line + 1, word[1] + 1) in places else None


#: Rules whose first name declares a clause (examples and vocabularies have their own ids).
_DECLARES = frozenset(
    (
        "services", "availability", "downtime", "calendar", "maintenance", "exclusion",
        "inclusion", "exception", "remedy", "obligation", "performance",
    )
)  # fmt: skip
#: Rules with a clause id after one of their keywords.
_AFTER = {
    "exception": "to",
    "expect_verdict": "by",
    "expect_obligation": "obligation",
    "defined_by": "by",
    "moved": "of",
    "deadline": "on",
    "minimum_lead": "on",
    "close_of_day": "on",
    "during": "during",
}


def clause_references(text: str) -> list[Token]:
    """The tokens of ``text`` that declare or name a clause, in order; none when the text
    does not parse."""
    try:
        tree = concrete_tree(text)
    except UnexpectedInput:
        return []
    return list(_references(tree))


def _references(tree: Tree[Token]) -> Iterator[Token]:
    rule = str(tree.data)
    names = [c for c in tree.children if isinstance(c, Token) and c.type == "NAME"]
    if rule in _DECLARES and names:
        yield names[0]
    if rule == "ref_list":
        yield from names
    keyword = _AFTER.get(rule)
    if keyword is not None:
        previous = ""
        for child in tree.children:
            if isinstance(child, Token) and child.type == "NAME" and previous == keyword:
                yield child
            previous = str(child) if isinstance(child, Token) else ""
    for child in tree.children:
        if isinstance(child, Tree):
            yield from _references(child)


# ------------------------------------------------------------------ helpers


def _touches(a: lsp.Range, b: lsp.Range) -> bool:
    def key(p: lsp.Position) -> tuple[int, int]:
        return (p.line, p.character)

    return key(a.start) <= key(b.end) and key(b.start) <= key(a.end)


def _last_word(analysis: Analysis, span: m.Span) -> m.Span:
    """The span narrowed to its last word: a diagnostic on a quantity (`30 mins`) names its
    unit, the word the hint replaces."""
    text = _text_of(analysis, span)
    cut = len(text) - len(text.rstrip().split()[-1]) if text.strip() else 0
    trailing = len(text) - len(text.rstrip())
    if cut <= 0 and not trailing:
        return span
    return m.Span(
        span.file, span.line, span.column + cut, span.end_line, span.end_column - trailing
    )


def _text_of(analysis: Analysis, span: m.Span) -> str:
    line = analysis.lines[span.line - 1] if 0 < span.line <= len(analysis.lines) else ""
    return line[span.column - 1 : span.end_column - 1] if span.end_line == span.line else ""


def _as_lsp(d: Diagnostic, shown: lsp.Range) -> lsp.Diagnostic:
    return lsp.Diagnostic(range=shown, message=d.message, code=d.code, source="rulebook")
