"""Text -> parse tree -> model.

The grammar lives in ``rulebook.lark`` beside this module and is loaded once. The
:class:`ToModel` transformer has one method per grammar rule, named after it. Syntax errors
become :class:`Diagnostic` values with the tokens that were expected, in the DSL's words.
"""

from __future__ import annotations

import functools
import hashlib
import json
import threading
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import attrs
from lark import Lark, Token, Transformer, Tree
from lark.exceptions import (
    UnexpectedCharacters,
    UnexpectedEOF,
    UnexpectedInput,
    UnexpectedToken,
    VisitError,
)

from rulebook import limits, units
from rulebook import model as m
from rulebook.diagnostics import Diagnostic
from rulebook.grammar import recovery
from rulebook.grammar.cache import cache_file
from rulebook.limits import MAX_CONDITION_DEPTH
from rulebook.text import did_you_mean


@attrs.frozen
class ParsedFile:
    """What one file declares: imports, vocabularies and contracts (not yet linked)."""

    file: str
    text: str
    imports: tuple[m.Text, ...]
    vocabularies: tuple[m.Vocabulary, ...]
    contracts: tuple[m.Contract, ...]


@functools.cache
def parser() -> Lark:
    """The LALR parser, built once per process, building the model as it reduces.

    The transformer runs inside the parser (no parse tree is built), which halves the time
    of a parse; positions come from the tokens, so Lark need not propagate them.
    """
    return Lark.open_from_package(
        "rulebook.grammar",
        "rulebook.lark",
        parser="lalr",
        maybe_placeholders=False,
        transformer=_BUILDER,
        cache=cache_file(),  # pickled to a private per-user folder (grammar/cache.py)
    )


# The in-parser transformer is one object; its per-file state is guarded by this lock.
_LOCK = threading.Lock()


def parse_text(text: str, file: str) -> tuple[ParsedFile | None, list[Diagnostic]]:
    """Parse one file's text. On syntax errors, return None and every one of them."""
    parsed, diagnostics, syntax_ok = parse_recovering(text, file)
    return (parsed, diagnostics) if syntax_ok else (None, diagnostics)


def parse_recovering(text: str, file: str) -> tuple[ParsedFile | None, list[Diagnostic], bool]:
    """Parse, repairing after each syntax error (see :mod:`recovery`) so all are found.

    Returns what the repaired text declares (for an editor's outline; None if it could not
    be repaired), the diagnostics, and whether the text parsed without a syntax error. With
    syntax errors, only those are returned: the repaired text is not the author's.
    """
    errors: list[Diagnostic] = []
    current, previous = text, None
    for _ in range(recovery.MAX_REPAIRS):
        with _LOCK:
            _BUILDER.start_file(file, text)
            try:
                parsed: ParsedFile = parser().parse(current)  # type: ignore[assignment]
                found = list(_BUILDER.diagnostics)
            except UnexpectedInput as exc:
                fix = recovery.repair(current, exc)
                if not recovery.is_cascade(current, recovery.error_offset(current, exc), previous):
                    _add(errors, syntax_diagnostic(exc, text, file, fix.hint if fix else None))
                if fix is None:
                    return None, errors, False
                current, previous = fix.text, fix
                continue
            except VisitError as exc:  # a bug of ours, never the author's: show the cause
                raise exc.orig_exc from None
        parsed = attrs.evolve(parsed, text=text)
        return parsed, errors or found, not errors
    return None, errors, False


@functools.cache
def keywords() -> tuple[str, ...]:
    """The keywords of the language, read from the grammar (for completion, highlighting).

    >>> "exclusion" in keywords() and "when" in keywords()
    True
    """
    found = {
        str(t.pattern.value)
        for t in parser().terminals
        if t.pattern.type == "str" and str(t.pattern.value).isidentifier()
    }
    return tuple(sorted(found))


@functools.cache
def concrete_parser() -> Lark:
    """A parser that keeps every token in the tree (the formatter's view of a file)."""
    return Lark.open_from_package(
        "rulebook.grammar",
        "rulebook.lark",
        parser="lalr",
        maybe_placeholders=False,
        keep_all_tokens=True,
        cache=cache_file("concrete"),  # never a pickle from the shared temp dir
    )


def concrete_tree(text: str) -> Tree[Token]:
    """The concrete syntax tree of a text that parses: every token a leaf, in order."""
    return concrete_parser().parse(text)


def _add(errors: list[Diagnostic], new: Diagnostic) -> None:
    """Two problems found at one token (a block left open, then a misspelt keyword) are
    reported as one diagnostic with both hints."""
    if errors and errors[-1].span == new.span and errors[-1].message == new.message:
        hints = [h for h in (errors[-1].hint, new.hint) if h]
        errors[-1] = attrs.evolve(errors[-1], hint=" ".join(dict.fromkeys(hints)) or None)
    else:
        errors.append(new)


# ------------------------------------------------------------------ syntax errors

# Names of terminals as an author would say them.
_TOKEN_WORDS = {
    "NAME": "a name",
    "CONTRACT_ID": "a contract id (letters, digits, - and _)",
    "STRING": 'a quoted string ("...")',
    "NUMBER": "a number",
    "OP": "a comparison (<, <=, >, >=, =, !=)",
    "TIME": "a time (HH:MM)",
    "MONTHDAY": "a day of the year (MM/DD)",
    "ORDINAL": "an ordinal (1st, 2nd, 3rd, 4th, last)",
    "JWORD": "a Japanese boundary word (以上, 以下, 以内, 未満, 超)",
    "ADDOP": "+ or -",
    "MULOP": "* or /",
    "LBRACE": "'{'",
    "RBRACE": "'}'",
    "LPAR": "'('",
    "RPAR": "')'",
    "COMMA": "','",
    "COLON": "':'",
    "PERCENT": "'%'",
    "MINUS": "'-'",
    "$END": "the end of the file",
}

# Common mistakes, recognised by example (Lark's match_examples) and named in plain words.
_EXAMPLES: dict[str, list[str]] = {
    "a clause needs an id after its keyword, e.g. `exclusion force_majeure { ... }`": [
        "contract x { exclusion { } }",
        'contract x { exclusion "t" { } }',
        "contract x { remedy { } }",
        "contract x { obligation { } }",
    ],
    'a citation needs the article and at least one quoted sentence: `cite "第4条" "..."`': [
        'contract x { exclusion a { cite "第4条" } }',
        'contract x { exclusion a { cite "第4条" when x } }',
    ],
    "a comparison needs a value after the operator, e.g. `duration <= 30 min`": [
        "contract x { exclusion a { when duration <= } }",
        "contract x { exclusion a { when duration < and x } }",
    ],
    "`when` needs a condition, e.g. `when cause in {war, fire}`": [
        "contract x { exclusion a { when } }",
        "contract x { exclusion a { when cite } }",
    ],
    "a set of values is written in braces: `cause in {war, fire}`": [
        "contract x { exclusion a { when cause in war } }",
        "contract x { exclusion a { when cause in (war, fire) } }",
    ],
}


def syntax_diagnostic(
    exc: UnexpectedInput, text: str, file: str, hint: str | None = None
) -> Diagnostic:
    """Turn Lark's exception into a diagnostic with a caret and the expected tokens."""
    line = getattr(exc, "line", 0) or 0
    column = getattr(exc, "column", 0) or 0
    if isinstance(exc, UnexpectedEOF) or line < 1:
        lines = text.splitlines() or [""]
        line, column = len(lines), len(lines[-1]) + 1
    width = 1
    if isinstance(exc, UnexpectedToken):
        token = exc.token
        if token.type == "$END":
            message = "unexpected end of file"
        else:
            message = f"unexpected {_describe_token(token)}"
            width = max(1, len(str(token)))
        expected = exc.accepts or exc.expected
    elif isinstance(exc, UnexpectedCharacters):
        pos = exc.pos_in_stream or 0
        char = text[pos] if pos < len(text) else ""
        message = _describe_bad_character(char)
        expected = set() if char in "（）" else exc.allowed or set()
    else:
        message, expected = "unexpected end of file", getattr(exc, "expected", set())
    hint = hint or _match_example(exc, text) or _brace_hint(exc) or _keyword_hint(exc, expected)
    hint = hint or _expected_hint(expected)
    span = m.Span(file, line, column, line, column + width)
    return Diagnostic("error", "syntax", message, span, hint)


def _brace_hint(exc: UnexpectedInput) -> str | None:
    brace = recovery.missing_brace(exc)
    if brace == "}":
        return "a '}' is missing before this: the block or set above is not closed"
    if brace == "{":
        return "a '{' is missing before this: a block opens after the clause's id and title"
    return None


def _keyword_hint(exc: UnexpectedInput, expected: Any) -> str | None:
    """A misspelt keyword: the unexpected word is close to one the parser expected."""
    if not isinstance(exc, UnexpectedToken) or not str(exc.token).isidentifier():
        return None
    keywords = [t.lower() for t in expected if t not in _TOKEN_WORDS and t.isalpha()]
    return did_you_mean(str(exc.token), keywords)


def _describe_token(token: Token) -> str:
    if token.type in ("NAME",):
        return f"name '{token}'"
    if token.type == "STRING":
        return f"string {token}"
    if token.type in ("NUMBER", "TIME", "MONTHDAY", "ORDINAL"):
        return f"{_TOKEN_WORDS[token.type].split(' (')[0]} '{token}'"
    return f"'{token}'"


def _describe_bad_character(char: str) -> str:
    if char == '"':
        return 'unterminated string: a string must close with " on the same line'
    if char in "（）":
        return f"full-width parenthesis '{char}' in the rules: write the ASCII '(' or ')'"
    if char == "":
        return "unexpected end of file"
    return f"unexpected character '{char}'"


def _match_example(exc: UnexpectedInput, text: str) -> str | None:
    """The named mistake whose example fails in the same parser state on the same token.

    Lark's ``match_examples`` compares whole parser stacks, which differ with what precedes
    the mistake; the LALR state and the offending token are what identify it.
    """
    if not isinstance(exc, UnexpectedToken) or exc.state is None:
        return None
    return _example_index().get((exc.state.position, exc.token.type))


@functools.cache
def _example_index() -> dict[tuple[int, str], str]:
    index: dict[tuple[int, str], str] = {}
    for label, examples in _EXAMPLES.items():
        for example in examples:
            try:
                parser().parse(example)
            except UnexpectedToken as exc:
                if exc.state is not None:
                    index.setdefault((exc.state.position, exc.token.type), label)
            except UnexpectedInput:
                continue
    return index


def _expected_hint(expected: Any) -> str | None:
    words = sorted({_TOKEN_WORDS.get(t, _keyword(t)) for t in expected})
    if not words:
        return None
    if len(words) > 12:
        words = [*words[:12], "..."]
    return "expected " + ", ".join(words)


def _keyword(terminal: str) -> str:
    """Lark names anonymous keyword terminals after their text (``WHEN`` for "when")."""
    return f"'{terminal.lower()}'"


# ------------------------------------------------------------------ tree -> model


class ToModel(Transformer[Token, ParsedFile]):
    """One method per grammar rule, called with the rule's children as the parser reduces
    it; each returns a model node or a tagged clause item ``(field, value[, span])``."""

    def __init__(self) -> None:
        super().__init__()
        self.start_file("", "")

    def start_file(self, file: str, text: str) -> None:
        """Reset the per-file state before a parse."""
        self.file = file
        self.source = text
        self.diagnostics: list[Diagnostic] = []

    # -- positions and helpers

    def span(self, token: Token) -> m.Span:
        return m.Span(
            self.file,
            token.line or 0,
            token.column or 0,
            token.end_line or token.line or 0,
            token.end_column or token.column or 0,
        )

    def span_of(self, children: list[Any]) -> m.Span:
        """From the first located child to the last (keywords are not children)."""
        first = _first_span(self, children, 0)
        last = _first_span(self, children, -1)
        if first is None or last is None:
            return m.Span(self.file, 0, 0, 0, 0)
        return m.Span(self.file, first.line, first.column, last.end_line, last.end_column)

    def error(self, code: str, message: str, span: m.Span, hint: str | None = None) -> None:
        self.diagnostics.append(Diagnostic("error", code, message, span, hint))

    def string(self, token: Token) -> str:
        """The text of a string token; escapes as in JSON (\\" \\\\ \\n \\u3000)."""
        try:
            return str(json.loads(str(token)))
        except ValueError:
            self.error(
                "bad-string",
                "this string has an escape or character JSON strings do not allow",
                self.span(token),
                'escape only \\" \\\\ \\n \\t \\uXXXX; write tabs as \\t',
            )
            return str(token)[1:-1]

    # -- file

    def start(self, children: list[Any]) -> ParsedFile:
        imports = tuple(c for c in children if isinstance(c, m.Text))
        vocabularies = tuple(c for c in children if isinstance(c, m.Vocabulary))
        contracts = tuple(c for c in children if isinstance(c, m.Contract))
        return ParsedFile(self.file, self.source, imports, vocabularies, contracts)

    def import_decl(self, children: list[Token]) -> m.Text:
        return m.Text(self.string(children[0]), self.span(children[0]))

    # -- vocabulary

    def vocabulary(self, children: list[Any]) -> m.Vocabulary:
        name, *items = children
        facts = tuple(i for i in items if isinstance(i, m.FactDecl))
        events = tuple(i for i in items if isinstance(i, m.EventDecl))
        return m.Vocabulary(str(name), facts, events, self.span_of(children))

    def fact_decl(self, children: list[Any]) -> m.FactDecl:
        name, (type_name, is_set, type_span), (ja, en), *rest = children
        derived = any(r == "derived" for r in rest)
        codes: tuple[m.CodeDecl, ...] = next((r for r in rest if isinstance(r, tuple)), ())
        return m.FactDecl(
            str(name), type_name, is_set, ja, en, derived, codes, self.span(name), type_span
        )

    def simple_type(self, children: list[Token]) -> tuple[str, bool, m.Span]:
        return str(children[0]), False, self.span(children[0])

    def set_type(self, children: list[Token]) -> tuple[str, bool, m.Span]:
        return str(children[0]), True, self.span(children[0])

    def derived(self, children: list[Any]) -> str:
        return "derived"

    def labels(self, children: list[Token]) -> tuple[str, str]:
        return self.string(children[0]), self.string(children[1])

    def code_block(self, children: list[m.CodeDecl]) -> tuple[m.CodeDecl, ...]:
        return tuple(children)

    def code_decl(self, children: list[Any]) -> m.CodeDecl:
        name, (ja, en) = children
        return m.CodeDecl(str(name), ja, en, self.span(name))

    def event_decl(self, children: list[Any]) -> m.EventDecl:
        name, (ja, en) = children
        return m.EventDecl(str(name), ja, en, self.span(name))

    # -- contract

    def contract(self, children: list[Any]) -> m.Contract:
        name, *items = children
        metas = tuple(i for i in items if isinstance(i, m.Meta))
        clauses: tuple[m.AnyClause, ...] = tuple(i for i in items if isinstance(i, m.Clause))  # type: ignore[misc]
        examples = tuple(i for i in items if isinstance(i, m.Example))
        digest = hashlib.sha256(self.source.encode("utf-8")).hexdigest()
        return m.Contract(
            str(name), metas, clauses, None, self.file, digest, self.span(name), examples
        )

    def meta(self, children: list[Token]) -> m.Meta:
        key, value = children
        text = self.string(value) if value.type == "STRING" else str(value)
        return m.Meta(str(key), text, self.span(value))

    def cite(self, children: list[Token]) -> tuple[str, Any]:
        article, *quotes = (self.string(t) for t in children)
        return "citation", m.Citation(article, tuple(quotes), self.span_of(children))

    def ref_list(self, children: list[Token]) -> tuple[m.Ref, ...]:
        return tuple(m.Ref(str(t), self.span(t)) for t in children)

    def _clause(
        self,
        cls: Callable[..., m.AnyClause],
        children: list[Any],
        many: tuple[str, ...] = (),
        **fixed: Any,
    ) -> m.AnyClause:
        """Build a clause from its id, optional title and tagged items.

        ``many`` names the fields that collect repeated items; any other field given twice
        is a diagnostic (the later one wins, so checking can go on).
        """
        name, *rest = children
        fields: dict[str, Any] = dict(fixed)
        if rest and isinstance(rest[0], Token) and rest[0].type == "STRING":
            fields["title"] = self.string(rest.pop(0))
        seen: dict[str, m.Span] = {}
        items = [i for r in rest for i in (r if isinstance(r, list) else [r])]
        for key, value, *more in items:
            if value is None:
                continue
            if key in many:
                fields[key] = fields.get(key, ()) + (
                    value if isinstance(value, tuple) else (value,)
                )
                continue
            span = more[0] if more else getattr(value, "span", None)
            if not isinstance(span, m.Span) or not span.line:
                span = self.span(name)  # an item of keywords only: point at the clause
            if key in seen and key not in _SECONDARY_ITEMS:
                self.error(
                    "duplicate-item",
                    f"'{_ITEM_WORDS.get(key, key)}' is given twice in {name}",
                    span,
                    f"the first one is on line {seen[key].line}; keep one",
                )
            seen[key] = span
            fields[key] = value
        return cls(id=str(name), span=self.span(name), **fields)

    def services(self, children: list[Any]) -> m.AnyClause:
        return self._clause(m.ServicesClause, children, many=("covers", "excludes"))

    def covers(self, children: list[Token]) -> tuple[str, Any]:
        return "covers", tuple(m.Text(self.string(t), self.span(t)) for t in children)

    def excludes(self, children: list[Token]) -> tuple[str, Any]:
        return "excludes", tuple(m.Text(self.string(t), self.span(t)) for t in children)

    def availability(self, children: list[Any]) -> m.AnyClause:
        return self._clause(m.AvailabilityClause, children)

    def period_month(self, children: list[Any]) -> tuple[str, Any, m.Span]:
        return "period", "calendar_month", self.span_of(children)

    def period_quarter(self, children: list[Any]) -> tuple[str, Any, m.Span]:
        return "period", "quarter", self.span_of(children)

    def period_fixed(self, children: list[m.Quantity]) -> tuple[str, Any]:
        return "period", children[0]

    def target(self, children: list[m.Comparison]) -> tuple[str, Any]:
        return "target", children[0]

    def denominator(self, children: list[Any]) -> tuple[str, Any, m.Span]:
        return "denominator_minus", children[0] if children else (), self.span_of(children)

    def downtime(self, children: list[Any]) -> m.AnyClause:
        return self._clause(m.DowntimeClause, children, many=("probes",))

    def probes(self, children: list[Any]) -> list[tuple[Any, ...]]:
        names = tuple(m.Name(str(t), self.span(t)) for t in children if isinstance(t, Token))
        interval = next((c for c in children if isinstance(c, m.Quantity)), None)
        return [("probes", names), ("probe_interval", interval)]

    def interval(self, children: list[m.Quantity]) -> m.Quantity:
        return children[0]

    def threshold(self, children: list[Any]) -> list[tuple[Any, ...]]:
        comparison, *rest = children
        span = self.span_of(children)
        return [("threshold", comparison, span)] + [(*r, span) for r in rest]

    def consecutive(self, children: list[Any]) -> tuple[str, Any]:
        return "consecutive", True

    def reading(self, children: list[Token]) -> tuple[str, Any]:
        return "reading", m.Name(str(children[0]), self.span(children[0]))

    def calendar(self, children: list[Any]) -> m.AnyClause:
        return self._clause(
            m.CalendarClause, children, many=("weekdays", "annual_closures", "hours")
        )

    def weekdays(self, children: list[Token]) -> tuple[str, Any]:
        return "weekdays", tuple(m.Name(str(t), self.span(t)) for t in children)

    def holidays(self, children: list[Token]) -> tuple[str, Any]:
        return "holidays", m.Name(str(children[0]), self.span(children[0]))

    def closed_annual(self, children: list[Token]) -> tuple[str, Any]:
        first, last = (self.month_day(t) for t in children)
        return "annual_closures", ((first, last),)

    def closed_announced(self, children: list[Any]) -> tuple[str, Any, m.Span]:
        return "announced_closures", True, self.span_of(children)

    def hours(self, children: list[m.TimeRange]) -> tuple[str, Any]:
        return "hours", tuple(children)

    def time_range(self, children: list[Token]) -> m.TimeRange:
        start, end = (self.minutes(t) for t in children)
        return m.TimeRange(start, end, self.span_of(children))

    def minutes(self, token: Token) -> int:
        hours, minutes = (int(p) for p in str(token).split(":"))
        if minutes > 59 or hours > 24 or (hours == 24 and minutes):
            self.error(
                "bad-time",
                f"'{token}' is not a time of day",
                self.span(token),
                "write HH:MM from 00:00 to 24:00 (24:00 is the end of the day)",
            )
        return hours * 60 + minutes

    def month_day(self, token: Token) -> m.MonthDay:
        month, day = (int(p) for p in str(token).split("/"))
        if not (1 <= month <= 12 and 1 <= day <= _DAYS_IN_MONTH[month - 1]):
            self.error(
                "bad-date",
                f"'{token}' is not a day of the year",
                self.span(token),
                "write MM/DD, e.g. 12/30",
            )
        return m.MonthDay(month, day, self.span(token))

    def maintenance(self, children: list[Any]) -> m.AnyClause:
        return self._clause(m.MaintenanceClause, children, many=("notices",))

    def notice(self, children: list[Any]) -> tuple[str, Any]:
        channel, *rest = children
        lead = next((r for r in rest if isinstance(r, m.Quantity)), None)
        word = next((r for r in rest if isinstance(r, m.BoundaryWord)), None)
        to_day = "work_day" in rest
        name = m.Name(str(channel), self.span(channel))
        return "notices", m.NoticeRule(name, lead, word, self.span_of(children), to_day)

    def work_day(self, children: list[Any]) -> str:
        return "work_day"

    def lead(self, children: list[m.Quantity]) -> m.Quantity:
        return children[0]

    def emergency(self, children: list[Token]) -> tuple[str, Any]:
        return "emergency", m.Name(str(children[0]), self.span(children[0]))

    def every(self, children: list[Any]) -> tuple[str, Any]:
        ordinal, weekday, window = children
        text = str(ordinal)
        number = -1 if text == "last" else int(text[:-2])
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(
            number % 10 if number % 100 not in (11, 12, 13) else 0, "th"
        )
        if number != -1 and not text.endswith(suffix):
            self.error(
                "bad-ordinal",
                f"'{text}' is not an ordinal",
                self.span(ordinal),
                f"write {number}{suffix}",
            )
        elif not (number == -1 or 1 <= number <= 5):
            self.error(
                "bad-ordinal",
                f"there is no {text} weekday in a month",
                self.span(ordinal),
                "use 1st to 5th, or last",
            )
        day = m.Name(str(weekday), self.span(weekday))
        return "recurrence", m.Recurrence(number, day, window, self.span_of(children))

    def moved(self, children: list[Token]) -> list[tuple[Any, ...]]:
        ref = m.Ref(str(children[0]), self.span(children[0])) if children else None
        return [("moves", True, self.span_of(children)), ("moved_on", ref, self.span_of(children))]

    def exclusion(self, children: list[Any]) -> m.AnyClause:
        return self._clause(m.RuleClause, children, effect="exclude")

    def inclusion(self, children: list[Any]) -> m.AnyClause:
        return self._clause(m.RuleClause, children, effect="count")

    def related(self, children: list[Any]) -> tuple[str, Any, m.Span]:
        return "related", True, self.span_of(children)

    def overrides(self, children: list[Any]) -> tuple[str, Any, m.Span]:
        return "overrides", children[0], self.span_of(children)

    def exception(self, children: list[Any]) -> m.AnyClause:
        name, target, *rest = children
        ref = m.Ref(str(target), self.span(target))
        return self._clause(m.ExceptionClause, [name, *rest], target=ref)

    def remedy(self, children: list[Any]) -> m.AnyClause:
        return self._clause(m.RemedyClause, children, many=("tiers", "caps"))

    def free(self, children: list[Any]) -> list[tuple[Any, ...]]:
        quantity, *per = children
        span = self.span_of(children)
        return [("free", quantity, span), ("free_per_breach", bool(per) or None, span)]

    def per_breach(self, children: list[Token]) -> bool:
        if str(children[0]) not in ("month", "period"):
            self.error(
                "bad-free",
                f"free months are given per breached month, not per '{children[0]}'",
                self.span(children[0]),
                "write `free 1 month per breached month`",
            )
        return True

    def refund(self, children: list[Any]) -> tuple[str, Any, m.Span]:
        return "refund", children[0], self.span_of(children)

    def tier(self, children: list[Any]) -> tuple[str, Any]:
        # `!tier` keeps its keywords, so the span starts at "tier"; drop them here.
        *bounds, credit = (c for c in children if not isinstance(c, Token))
        return "tiers", m.Tier(tuple(bounds), credit, self.span_of(children))

    def cap(self, children: list[Any]) -> tuple[str, Any]:
        amount, *per = children
        name = m.Name(str(per[0]), self.span(per[0])) if per else None
        return "caps", m.Cap(amount, name, self.span_of(children))

    def minimum(self, children: list[Any]) -> tuple[str, Any, m.Span]:
        return "minimum", children[0], self.span_of(children)

    def claim(self, children: list[Any]) -> list[tuple[Any, ...]]:
        quantity = next((c for c in children if isinstance(c, m.Quantity)), None)
        word = next((c for c in children if isinstance(c, m.BoundaryWord)), None)
        sign = next((str(c) for c in children if isinstance(c, Token) and c.type == "ADDOP"), "+")
        incident = any(isinstance(c, Token) and c.type == "INCIDENT" for c in children)
        if sign == "-":
            self.error(
                "bad-claim",
                "a claim deadline cannot come before the end of the period",
                self.span_of(children),
                "write `claim by period end + 1 month`",
            )
        span = self.span_of(children)
        return [
            ("claim_set", True, span),
            ("claim_after", quantity, span),
            ("claim_word", word, span),
            ("claim_from_incident", incident, span),
        ]

    def rounding(self, children: list[Any]) -> tuple[str, Any, m.Span]:
        mode, step = children
        return "rounding", (m.Name(str(mode), self.span(mode)), step), self.span_of(children)

    def obligation(self, children: list[Any]) -> m.AnyClause:
        return self._clause(m.ObligationClause, children)

    def clock(self, children: list[Token]) -> list[tuple[Any, ...]]:
        start, stop = (m.Name(str(t), self.span(t)) for t in children)
        span = self.span_of(children)
        return [("start_event", start, span), ("stop_event", stop, span)]

    def deadline(self, children: list[Any]) -> list[tuple[Any, ...]]:
        quantity, *rest = children
        word = next((r for r in rest if isinstance(r, m.BoundaryWord)), None)
        cal = next((m.Ref(str(r), self.span(r)) for r in rest if isinstance(r, Token)), None)
        span = self.span_of(children)
        return [
            ("deadline", quantity, span),
            ("deadline_word", word, span),
            ("calendar", cal, span),
        ]

    def close_of_day(self, children: list[Any]) -> list[tuple[Any, ...]]:
        ordinal, *rest = children
        number = 0 if str(ordinal) == "last" else int(str(ordinal)[:-2])
        span = self.span(ordinal)
        if number < 1:
            self.error(
                "bad-ordinal",
                f"'{ordinal}' is not a count of business days",
                span,
                "write e.g. 2nd",
            )
        days = m.Quantity(Fraction(max(number, 1)), "business day", "business days", span)
        items = self.deadline([days, *rest])
        return [*items, ("to_close", True, span)]

    def minimum_lead(self, children: list[Any]) -> list[tuple[Any, ...]]:
        items = self.deadline(children)
        return [*items, ("minimum", True, items[0][2])]

    def performance(self, children: list[Any]) -> m.AnyClause:
        return self._clause(m.PerformanceClause, children)

    def measure(self, children: list[Any]) -> list[tuple[Any, ...]]:
        name, comparison = children
        span = self.span(name)
        return [("measure", m.Name(str(name), span), span), ("bound", comparison, span)]

    # -- examples

    def example(self, children: list[Any]) -> m.Example:
        name, *rest = children
        title = None
        if rest and isinstance(rest[0], Token) and rest[0].type == "STRING":
            title = self.string(rest.pop(0))
        parts: dict[str, list[Any]] = {}
        for key, value in rest:
            parts.setdefault(key, []).append(value)
        as_of = parts.get("as_of", [None])[-1]
        return m.Example(
            str(name),
            title,
            tuple(parts.get("outage", ())),
            tuple(parts.get("notice", ())),
            tuple(parts.get("billing", ())),
            tuple(parts.get("closure", ())),
            as_of,
            tuple(parts.get("expect", ())),
            self.span(name),
        )

    def sample_outage(self, children: list[Any]) -> tuple[str, Any]:
        rid, service, start, *rest = children
        end = self.string(rest[0]) if rest and isinstance(rest[0], Token) else None
        fields = rest[-1] if rest and isinstance(rest[-1], tuple) else ()
        head = (("id", str(rid)), ("service", self.string(service)), ("start", self.string(start)))
        return "outage", (*head, ("end", end), *fields)

    def sample_notice(self, children: list[Any]) -> tuple[str, Any]:
        rid, service, start, end, *rest = children
        fields = rest[0] if rest else ()
        head = (("id", str(rid)), ("service", self.string(service)), ("start", self.string(start)))
        return "notice", (*head, ("end", self.string(end)), *fields)

    def sample_billing(self, children: list[Any]) -> tuple[str, Any]:
        service, fields = children
        return "billing", (("service", self.string(service)), *fields)

    def sample_closure(self, children: list[Token]) -> tuple[str, Any]:
        return "closure", self.string(children[0])

    def sample_as_of(self, children: list[Token]) -> tuple[str, Any]:
        return "as_of", self.string(children[0])

    def field_block(self, children: list[Any]) -> tuple[tuple[str, Any], ...]:
        return tuple(children)

    def sample_field(self, children: list[Any]) -> tuple[str, Any]:
        return str(children[0]), _plain(children[1])

    def sample_text(self, children: list[Token]) -> str:
        return self.string(children[0])

    def sample_name(self, children: list[Token]) -> str:
        return str(children[0])

    def sample_number(self, children: list[Token]) -> str:
        return str(children[0])

    def sample_map(self, children: list[tuple[str, Any]]) -> dict[str, Any]:
        return dict(children)

    def sample_entry(self, children: list[Any]) -> tuple[str, Any]:
        return self.string(children[0]), _plain(children[1])

    def sample_list(self, children: list[Any]) -> list[Any]:
        return [_plain(c) for c in children if c is not None]

    def _expect(
        self,
        kind: str,
        target: str,
        value: Token,
        span: m.Span,
        clause: Token | None = None,
        amount: m.Quantity | None = None,
    ) -> tuple[str, Any]:
        return "expect", m.Expectation(
            kind,
            target,
            self.string(value) if value.type == "STRING" else str(value),
            str(clause) if clause is not None else None,
            amount,
            span,
            self.span(value),
            self.span(clause) if clause is not None else None,
        )

    def expect_verdict(self, children: list[Token]) -> tuple[str, Any]:
        rid, verdict, *by = children
        return self._expect("verdict", str(rid), verdict, self.span(rid), by[0] if by else None)

    def expect_seconds(self, children: list[Any]) -> tuple[str, Any]:
        rid, status, amount = children
        return self._expect("seconds", str(rid), status, self.span(rid), amount=amount)

    def expect_obligation(self, children: list[Token]) -> tuple[str, Any]:
        rid, clause, verdict = children
        return self._expect("obligation", str(rid), verdict, self.span(rid), clause)

    def _period(self, children: list[Any]) -> tuple[str, m.Span]:
        service, period = children[0], children[1]
        return f"{self.string(service)}|{self.string(period)}", self.span(service)

    def expect_met(self, children: list[Any]) -> tuple[str, Any]:
        target, span = self._period(children)
        return self._expect("met", target, children[2], span)

    def expect_availability(self, children: list[Any]) -> tuple[str, Any]:
        target, span = self._period(children)
        return self._expect("availability", target, children[2], span)

    def expect_claim(self, children: list[Any]) -> tuple[str, Any]:
        target, span = self._period(children)
        return self._expect("claim", target, children[2], span)

    def expect_remedy(self, children: list[Any]) -> tuple[str, Any]:
        target, span = self._period(children)
        amount = children[3] if len(children) > 3 else None
        return self._expect("remedy", target, children[2], span, amount=amount)

    def when(self, children: list[m.Condition]) -> tuple[str, Any]:
        return "condition", self._bounded(children[0])

    def unless(self, children: list[m.Condition]) -> tuple[str, Any]:
        return "unless", self._bounded(children[0])

    def _bounded(self, condition: m.Condition) -> m.Condition:
        """A condition nested deeper than the checks walk is an error (docs/limits.md)."""
        stand_in = condition_too_deep(condition)
        if stand_in is None:
            return condition
        message = f"the condition nests deeper than {limits.MAX_CONDITION_DEPTH} levels"
        self.error("too-deep", message, condition.span, "split it into clauses or facts")
        return stand_in  # type: ignore[no-any-return]

    # -- conditions

    def or_(self, children: list[m.Condition]) -> m.Condition:
        left, right = children
        items = (*left.items, right) if isinstance(left, m.Any) else (left, right)
        return m.Any(items, self.span_of(children))

    def and_(self, children: list[m.Condition]) -> m.Condition:
        left, right = children
        items = (*left.items, right) if isinstance(left, m.All) else (left, right)
        return m.All(items, self.span_of(children))

    def not_(self, children: list[m.Condition]) -> m.Condition:
        return m.Not(children[0], self.span_of(children))

    def compare(self, children: list[Any]) -> m.Condition:
        fact, op, value, *word = children
        return m.Compare(
            str(fact), str(op), value, word[0] if word else None, self.span_of(children)
        )

    def member(self, children: list[Any]) -> m.Condition:
        return m.Member(str(children[0]), children[1], False, self.span_of(children))

    def not_member(self, children: list[Any]) -> m.Condition:
        return m.Member(str(children[0]), children[1], True, self.span_of(children))

    def includes(self, children: list[Any]) -> m.Condition:
        return m.Includes(str(children[0]), children[1], self.span_of(children))

    def known(self, children: list[Token]) -> m.Condition:
        return m.Known(str(children[0]), True, self.span_of(children))

    def unknown(self, children: list[Token]) -> m.Condition:
        return m.Known(str(children[0]), False, self.span_of(children))

    def during(self, children: list[Token]) -> m.Condition:
        return m.During(str(children[0]), str(children[1]), self.span_of(children))

    def defined_by(self, children: list[Token]) -> m.Condition:
        return m.DefinedBy(m.Ref(str(children[0]), self.span(children[0])), self.span_of(children))

    def flag(self, children: list[Token]) -> m.Condition:
        return m.Flag(str(children[0]), self.span_of(children))

    def value_set(self, children: list[m.Value]) -> tuple[m.Value, ...]:
        return tuple(c for c in children if c is not None)

    def code(self, children: list[Token]) -> m.Value:
        return m.Code(str(children[0]), self.span(children[0]))

    def text(self, children: list[Token]) -> m.Value:
        return m.Text(self.string(children[0]), self.span(children[0]))

    def true(self, children: list[Any]) -> m.Value:
        return m.Bool(True, self.span_of(children))

    def false(self, children: list[Any]) -> m.Value:
        return m.Bool(False, self.span_of(children))

    def comparison(self, children: list[Any]) -> m.Comparison:
        op = next((str(c) for c in children if isinstance(c, Token)), None)
        quantity = next(c for c in children if isinstance(c, m.Quantity))
        word = next((c for c in children if isinstance(c, m.BoundaryWord)), None)
        return m.Comparison(op, quantity, word, self.span_of(children))

    def jword(self, children: list[Token]) -> m.BoundaryWord:
        return m.BoundaryWord(str(children[0]), self.span(children[0]))

    def quantity(self, children: list[Any]) -> m.Quantity:
        number, *unit = children
        span = self.span(number)
        written = ""
        if unit:
            written, token = unit[0]
            if token is None:  # "%" right after the number
                span = attrs.evolve(span, end_column=span.end_column + 1)
            else:
                end = self.span(token)
                span = attrs.evolve(span, end_line=end.end_line, end_column=end.end_column)
        known = units.canonical(written)
        canonical = known.name if known else written
        if len(str(number)) > limits.MAX_NUMBER_CHARS:  # no 5,000-digit Fraction
            limit = f"at most {limits.MAX_NUMBER_CHARS} characters"
            self.error("number-too-long", f"a number of {len(str(number))} characters", span, limit)
            number = "0"
        return m.Quantity(Fraction(str(number)), canonical, written, span)

    def percent(self, children: list[Any]) -> tuple[str, Token | None]:
        return ("%", None)

    def unit(self, children: list[Token]) -> tuple[str, Token | None]:
        return (str(children[0]), children[0])

    def business_unit(self, children: list[Token]) -> tuple[str, Token | None]:
        return (f"business {children[0]}", children[0])

    # -- arithmetic

    def binary(self, children: list[Any]) -> m.Expr:
        left, op, right = children
        return m.Binary(str(op), left, right, self.span_of(children))

    def variable(self, children: list[Token]) -> m.Expr:
        return m.Variable(str(children[0]), self.span(children[0]))


_DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)

# Item keys as the author wrote them, for "given twice" messages.
_ITEM_WORDS = {
    "citation": "cite",
    "condition": "when",
    "denominator_minus": "denominator",
    "recurrence": "every",
    "announced_closures": "closed announced",
    "start_event": "from ... to",
    "deadline": "within / at least",
    "claim_set": "claim",
    "moves": "moved to next business day",
    "probe_interval": "every (after probes)",
    "measure": "measure",
    "free": "free",
    "reading": "on (threshold reading)",
}

# Fields set by the same line as another field: a repeated line is reported once, by the
# first field of its line (in _ITEM_WORDS).
_SECONDARY_ITEMS = frozenset(
    {
        "stop_event",
        "deadline_word",
        "calendar",
        "minimum",
        "to_close",
        "claim_after",
        "claim_word",
        "claim_from_incident",
        "moved_on",
        "bound",
        "free_per_breach",
        "consecutive",
    }
)


def _first_span(builder: ToModel, items: Any, end: int) -> m.Span | None:
    """The span of the first (``end=0``) or last (``end=-1``) located thing in ``items``."""
    if isinstance(items, Token):
        return builder.span(items)
    span = getattr(items, "span", None)
    if isinstance(span, m.Span) and span.line:
        return span
    if isinstance(items, (list, tuple)) and items:
        ordered = items if end == 0 else reversed(items)
        for item in ordered:
            found = _first_span(builder, item, end)
            if found is not None:
                return found
    return None


def _plain(value: Any) -> Any:
    """A sample value as input data: `true`/`false` become Python booleans."""
    return value.value if isinstance(value, m.Bool) else value


_BUILDER = ToModel()


def condition_too_deep(condition: Any) -> Any:
    """None when a contract condition nests at most :data:`MAX_CONDITION_DEPTH` deep; else
    its first simple part (a stand-in, so that no later walk recurses through it)."""
    from rulebook import model as m

    stack: list[tuple[Any, int]] = [(condition, 1)]
    too_deep = False
    leaf = None
    while stack:
        node, depth = stack.pop()
        too_deep = too_deep or depth > MAX_CONDITION_DEPTH
        if isinstance(node, m.Any | m.All):
            stack.extend((item, depth + 1) for item in node.items)
        elif isinstance(node, m.Not):
            stack.append((node.item, depth + 1))
        elif leaf is None:
            leaf = node
    return leaf if too_deep else None
