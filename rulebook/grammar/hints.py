"""A syntax error in the language's words.

Lark reports the token it met and the terminals it expected; :func:`syntax_diagnostic`
turns that into a :class:`Diagnostic` with a caret, the token named as an author would name
it, and a hint: a common mistake recognised by example, a missing brace, a misspelt
keyword, or else the expected tokens in the DSL's words.
"""

from __future__ import annotations

import functools
from typing import Any

from lark import Lark, Token
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from rulebook import model as m
from rulebook.diagnostics import Diagnostic
from rulebook.grammar import recovery
from rulebook.text import did_you_mean

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
    "LSQB": "'['",
    "RSQB": "']'",
    "RPAR": "')'",
    "COMMA": "','",
    "COLON": "':'",
    "PERCENT": "'%'",
    "MINUS": "'-'",
    "$END": "the end of the file",
}

# Words the language once had and no longer has, with why and what to write instead. An
# old file that still uses one gets this error (`removed-word`) rather than a bare syntax
# error; the hint says how to bring the file up to date.
REMOVED_WORDS: dict[str, tuple[str, str]] = {
    "consecutive": (
        "`consecutive` is no longer part of the language: a threshold is always a continuous "
        "length",
        "delete the word: `threshold >= 10 min (以上)` already means 10 minutes in a row "
        "(連続して) — of the physical stoppage, or of the record with `on record`; "
        "see docs/dsl.md, downtime",
    ),
}

# Common mistakes, recognised by example (Lark's match_examples) and named in plain words.
_EXAMPLES: dict[str, list[str]] = {
    "a clause needs an id after its keyword, e.g. `exclusion force_majeure { ... }`": [
        "contract x { exclusion { } }",
        'contract x { exclusion "t" { } }',
        "contract x { remedy { } }",
        "contract x { obligation { } }",
        'contract x { remedy "t" { } }',
        'contract x { obligation "t" { } }',
        'contract x { maintenance "t" { } }',
        'contract x { availability "t" { } }',
        'contract x { downtime "t" { } }',
        'contract x { calendar "t" { } }',
        'contract x { services "t" { } }',
        'contract x { inclusion "t" { } }',
        'contract x { performance "t" { } }',
        'contract x { example "t" { } }',
    ],
    'a citation needs the article and at least one quoted sentence: `cite "第4条" "..."`': [
        'contract x { exclusion a { cite "第4条" } }',
        'contract x { exclusion a { cite "第4条" when x } }',
    ],
    "a comparison needs a value after the operator, e.g. `duration <= 30 min`": [
        "contract x { exclusion a { when duration <= } }",
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
    exc: UnexpectedInput, text: str, file: str, lalr: Lark, hint: str | None = None
) -> Diagnostic:
    """Turn Lark's exception into a diagnostic with a caret and the expected tokens.

    ``lalr`` is the parser that raised ``exc``: a common mistake is recognised by the state
    that parser fails in on its example.
    """
    line = getattr(exc, "line", 0) or 0
    column = getattr(exc, "column", 0) or 0
    if isinstance(exc, UnexpectedEOF) or line < 1:
        lines = text.splitlines() or [""]
        line, column = len(lines), len(lines[-1]) + 1
    width = 1
    if isinstance(exc, UnexpectedToken):  # a bare word, whatever terminal the lexer saw
        removed = REMOVED_WORDS.get(str(exc.token))
        if removed is not None:
            span = m.Span(file, line, column, line, column + len(str(exc.token)))
            return Diagnostic("error", "removed-word", removed[0], span, removed[1])
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
        expected = set() if char in "（）" else _allowed_here(exc)
    else:
        message, expected = "unexpected end of file", getattr(exc, "expected", set())
    hint = hint or _match_example(exc, lalr) or _brace_hint(exc) or _keyword_hint(exc, expected)
    hint = hint or _expected_hint(expected)
    span = m.Span(file, line, column, line, column + width)
    return Diagnostic("error", "syntax", message, span, hint)


def unfinished_diagnostic(exc: UnexpectedToken, last: Token, file: str) -> Diagnostic:
    """A line that stops before it is complete (``when cause = war and``, then a line that
    starts a new item): told at the line's last token, naming what it still needs."""
    words = _expected_hint(exc.accepts or exc.expected) or ""
    line, column = int(last.line or 1), int(last.column or 1)
    width = max(1, len(str(last)))
    if str(last) in ("and", "or", "not"):
        message = f"the line ends with '{last}': a condition must follow it"
        hint: str | None = f"finish the condition, or delete '{last}'"
    else:
        message = f"unfinished line: nothing follows {_describe_token(last)}"
        hint = words.replace("expected ", "it needs ", 1) if words else None
    closes = exc.token.type == "RBRACE"
    where = (
        f"the block closes on line {exc.token.line}"
        if closes
        else (f"{_describe_token(exc.token)} on line {exc.token.line} starts a new item")
    )
    hint = f"{hint}; {where}" if hint else where
    span = m.Span(file, line, column, line, column + width)
    return Diagnostic("error", "syntax", message, span, hint)


def _allowed_here(exc: UnexpectedCharacters) -> set[str]:
    """The terminals the parser accepted where the lexer stopped: a name is tried in every
    state (so that no name is split), but is not expected in all of them."""
    allowed = set(exc.allowed or ())
    state = exc.state
    table = getattr(getattr(state, "parse_conf", None), "parse_table", None)
    if table is None:
        return allowed
    return {t for t in allowed if t in table.states[state.position]}


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
        kind = _TOKEN_WORDS[token.type].split(" (")[0].removeprefix("an ").removeprefix("a ")
        return f"{kind} '{token}'"
    return f"'{token}'"


def _describe_bad_character(char: str) -> str:
    if char == '"':
        return 'unterminated string: a string must close with " on the same line'
    if char in "（）":
        return f"full-width parenthesis '{char}' in the rules: write the ASCII '(' or ')'"
    if char == "":
        return "unexpected end of file"
    return f"unexpected character '{char}'"


def _match_example(exc: UnexpectedInput, lalr: Lark) -> str | None:
    """The named mistake whose example fails in the same parser state on the same token.

    Lark's ``match_examples`` compares whole parser stacks, which differ with what precedes
    the mistake; the LALR state and the offending token are what identify it.
    """
    if not isinstance(exc, UnexpectedToken) or exc.state is None:
        return None
    return _example_index(lalr).get((exc.state.position, exc.token.type))


@functools.cache
def _example_index(lalr: Lark) -> dict[tuple[int, str], str]:
    index: dict[tuple[int, str], str] = {}
    for label, examples in _EXAMPLES.items():
        for example in examples:
            try:
                lalr.parse(example)
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
