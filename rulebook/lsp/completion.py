"""Completion from the grammar at the cursor.

The text up to the cursor (less the word being typed) is read by the parser, past any
syntax error before it (:func:`rulebook.grammar.parser.expected_at`); the terminals it
takes there are what may be written. A keyword is offered as itself, with its meaning; a
name is offered from what the place names, told by the words just before: the codes of the
fact being compared (`cause in {`), the facts at the start of a condition or in a record's
fields, the channels after `notice by`, the clause ids after `by`, `overrides`, `minus`
and `exception … to`, the records of the example after `expect` and the verdicts after
`expect ID`, the units after a number, the calendars after `on` and `of`, and the words
of the metadata lines (`kind guarantee`).
"""

from __future__ import annotations

import functools
import re
import zoneinfo
from collections.abc import Iterable

from lark import Token
from lsprotocol import types as lsp

from rulebook import model as m
from rulebook import units
from rulebook.grammar.parser import expected_at
from rulebook.lsp.analysis import Analysis
from rulebook.lsp.words import BOUNDARY, KEYWORDS
from rulebook.meanings import (
    AT_LEAST_WORDS,
    BOUNDARY_WORDS,
    CAP_PERIODS,
    CLAIM_WORDS,
    EMERGENCY,
    KINDS,
    LANGUAGES,
    MEASURES,
    MET,
    NOTICE_WORDS,
    OBLIGATION_VERDICTS,
    READINGS,
    ROUNDING,
    STATUSES,
    VERDICTS,
    WEEKDAYS,
)

_K = lsp.CompletionItemKind
_PARTIAL = re.compile(r"[A-Za-z_][A-Za-z0-9_]*$|[^\x00-\x7f()（）\s]+$")
_OPERATORS = ("<", "<=", ">", ">=", "=", "!=")


def completion(analysis: Analysis, line: int, column: int) -> list[lsp.CompletionItem]:
    """What the grammar takes at the cursor, with the names that fit the place."""
    lines = analysis.lines
    if not 0 <= line < len(lines):
        return []
    before = lines[line][:column]
    if re.search(r'^\s*timezone\s+"[\w/+-]*$', before):
        return [_item(z, _K.Constant, "IANA timezone") for z in _timezones()]
    if _in_comment_or_string(before):
        return []
    partial = _PARTIAL.search(before)
    cut = column - (len(partial.group()) if partial else 0)
    prefix = "\n".join([*lines[:line], lines[line][:cut]])
    expected, read = expected_at(prefix)
    history = _this_item(read)
    fact = _compared_fact(history)
    values = _codes(analysis.vocabulary, fact) if fact and "NAME" in expected else []
    if values:  # the fact fixes what may be written: its codes only
        return values
    items: list[lsp.CompletionItem] = []
    for terminal in sorted(expected):
        items += _for_terminal(terminal, analysis, history, prefix)
    return list({i.label: i for i in items}.values())


def _for_terminal(
    terminal: str, analysis: Analysis, history: tuple[Token, ...], prefix: str
) -> list[lsp.CompletionItem]:
    if terminal == "NAME":
        return _names(analysis, history, prefix)
    if terminal == "OP":
        return [_item(op, _K.Operator, "comparison") for op in _OPERATORS]
    if terminal == "JWORD":
        return [_item(w, _K.Constant, BOUNDARY[w]) for w in _boundary_words(history)]
    if terminal == "PERCENT":
        return [_item("%", _K.Unit, "percent")]
    if terminal == "ORDINAL":
        return [_item(o, _K.Constant, "ordinal") for o in ("1st", "2nd", "3rd", "4th", "last")]
    if terminal == "STRING" and _last(history) == "timezone":
        return [_item(f'"{z}"', _K.Constant, "IANA timezone") for z in _timezones()]
    word = _keyword(terminal)
    if word is not None:
        meaning = KEYWORDS.get(word, ("", "keyword"))[1]
        item = _item(word, _K.Keyword, "keyword")
        item.documentation = lsp.MarkupContent(kind=lsp.MarkupKind.Markdown, value=meaning)
        return [item]
    return []


def _names(analysis: Analysis, history: tuple[Token, ...], prefix: str) -> list[lsp.CompletionItem]:
    """The names that fit after the last words read."""
    words = [str(t) for t in history]
    last, second = _last(history), (words[-2] if len(words) > 1 else "")
    vocabulary = analysis.vocabulary
    fixed = {
        "kind": KINDS,
        "language": LANGUAGES,
        "emergency": EMERGENCY,
        "rounding": ROUNDING,
        "breached": ("month",),
    }
    if last in fixed:
        return [_item(w, _K.EnumMember, last) for w in fixed[last]]
    if last == "per" and "cap" in words:
        return [_item(w, _K.EnumMember, "cap period") for w in CAP_PERIODS]
    if last == "on" and "threshold" in words:
        return [_item(w, _K.EnumMember, "threshold reading") for w in READINGS]
    if last == "by" and second == "notice":
        return _codes(vocabulary, "channel")
    if last in ("by", "overrides", "minus") or (last == "," and "overrides" in words):
        return _clauses(analysis)
    if last == "to" and "exception" in words:
        return _clauses(analysis)
    if last in ("on", "of") and ("within" in words or "moved" in words or "day" in words):
        return _clauses(analysis, "calendar")
    if (last in ("weekdays", ",") and "weekdays" in words) or _is_ordinal(history):
        return [_item(d, _K.EnumMember, "weekday") for d in WEEKDAYS]
    if (history and history[-1].type == "NUMBER") or last == "business":
        return [_item(u, _K.Unit, "unit") for u in units.SPELLINGS]
    if last in ("from", "to"):
        return _events(vocabulary)
    if last == "expect":
        return [_item(r, _K.Variable, "record of this example") for r in _records(prefix)]
    if second == "expect" and last != "period":
        verdicts = dict.fromkeys((*VERDICTS, *STATUSES))
        return [_item(v, _K.EnumMember, "verdict") for v in verdicts]
    if second == "obligation" and "expect" in words:
        return [_item(v, _K.EnumMember, "obligation verdict") for v in OBLIGATION_VERDICTS]
    if last == "obligation" and "expect" in words:
        return _clauses(analysis, "obligation")
    if "period" in words and "expect" in words and history[-1].type == "STRING":
        return [_item(v, _K.EnumMember, "target met") for v in MET]
    items = _facts(vocabulary)
    if "remedy" in words or "refund" in words or "cap" in words:
        items += [_item(n, _K.Variable, f"measure ({d})") for n, d in MEASURES.items()]
    return items


def _in_comment_or_string(before: str) -> bool:
    """Whether the cursor, after ``before`` on its line, is in a comment or a string."""
    quoted = False
    i = 0
    while i < len(before):
        ch = before[i]
        if quoted and ch == "\\":
            i += 2
            continue
        if ch == '"':
            quoted = not quoted
        elif ch == "#" and not quoted:
            return True
        i += 1
    return quoted


def _this_item(read: tuple[Token, ...]) -> tuple[Token, ...]:
    """The tokens read since the item the cursor is in began: from the last keyword that
    starts an item at the start of its line (`when`, `notice`, `expect` ...)."""
    for i in range(len(read) - 1, -1, -1):
        starts_line = i == 0 or (read[i - 1].line or 0) < (read[i].line or 0)
        if starts_line and (str(read[i]) in KEYWORDS or str(read[i]) in "{}"):
            return read[i:]
    return read


def _compared_fact(history: tuple[Token, ...]) -> str | None:
    """The fact a value is being written for: `cause = `, `cause in {war, `, or a field of
    an example's record (`{ cause `)."""
    tokens = list(history)
    if tokens and tokens[-1].type == "OP":
        return _name(tokens[:-1])
    opening = max((i for i, t in enumerate(tokens) if str(t) == "{"), default=None)
    if opening is None:
        return None
    inside, before = tokens[opening + 1 :], tokens[:opening]
    if _record_fields(before):  # a record's fields: NAME VALUE NAME VALUE
        return str(inside[-1]) if len(inside) % 2 == 1 and inside[-1].type == "NAME" else None
    if inside and str(inside[-1]) != ",":
        return None
    if before and str(before[-1]) in ("in", "includes"):
        before = before[:-1]
        if before and str(before[-1]) == "not":
            before = before[:-1]
        return _name(before)
    return None


def _record_fields(before: list[Token]) -> bool:
    """Whether the '{' after ``before`` opens an example record's fields
    (`outage a "S" from "..." to "..." {`, `billing "S" {`)."""
    for token in reversed(before):
        if str(token) in ("outage", "notice", "billing"):
            return True
        if token.type not in ("NAME", "STRING", "FROM", "TO"):
            return False
    return False


def _name(tokens: list[Token]) -> str | None:
    return str(tokens[-1]) if tokens and tokens[-1].type == "NAME" else None


def _is_ordinal(history: tuple[Token, ...]) -> bool:
    return bool(history) and history[-1].type == "ORDINAL"


def _boundary_words(history: tuple[Token, ...]) -> Iterable[str]:
    words = [str(t) for t in history]
    if "before" in words:
        return sorted(NOTICE_WORDS)
    if "least" in words or "within" in words:
        return sorted(AT_LEAST_WORDS | {"以内", "以下"})
    if "claim" in words:
        return sorted(CLAIM_WORDS)
    return list(BOUNDARY_WORDS)


def _records(prefix: str) -> list[str]:
    """The records of the example the cursor is in."""
    start = prefix.rfind("example ")
    found = re.findall(r"^\s*(?:outage|notice)\s+([A-Za-z_]\w*)", prefix[start:], re.M)
    return list(dict.fromkeys(found))


def _codes(vocabulary: m.Vocabulary | None, name: str) -> list[lsp.CompletionItem]:
    fact = vocabulary.fact(name) if vocabulary else None
    if fact is None:
        return []
    if fact.type == "bool":
        return [_item(w, _K.EnumMember, "bool") for w in ("true", "false")]
    return [_item(c.name, _K.EnumMember, f"{c.ja} / {c.en}") for c in fact.codes]


def _facts(vocabulary: m.Vocabulary | None) -> list[lsp.CompletionItem]:
    if vocabulary is None:
        return []
    return [_item(f.name, _K.Field, f"{f.ja} / {f.en}") for f in vocabulary.facts]


def _events(vocabulary: m.Vocabulary | None) -> list[lsp.CompletionItem]:
    if vocabulary is None:
        return []
    return [_item(e.name, _K.Event, f"{e.ja} / {e.en}") for e in vocabulary.events]


def _clauses(analysis: Analysis, kind: str | None = None) -> list[lsp.CompletionItem]:
    return [
        _item(c.id, _K.Reference, f"{c.kind}" + (f" — {c.title}" if c.title else ""))
        for c in analysis.clauses().values()
        if kind is None or c.kind == kind
    ]


def _last(history: tuple[Token, ...]) -> str:
    return str(history[-1]) if history else ""


def _keyword(terminal: str) -> str | None:
    word = terminal.lower()
    return word if word in KEYWORDS else None


def _item(label: str, kind: lsp.CompletionItemKind, detail: str) -> lsp.CompletionItem:
    return lsp.CompletionItem(label=label, kind=kind, detail=detail)


@functools.cache
def _timezones() -> tuple[str, ...]:
    return tuple(sorted(zoneinfo.available_timezones()))
