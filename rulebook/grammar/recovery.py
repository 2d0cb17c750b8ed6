"""Syntax error recovery: every mistake of a file in one parse, each told once, at its place.

The file is parsed once, token by token, by Lark's interactive LALR parser
(:class:`Recovery`). At a syntax error the mistake is reported, then the parser
resynchronises at the next *anchor*: a keyword that starts an item or a clause at the start
of its line (``cite``, ``when``, ``tier``, ``exclusion`` ...: the first words of the grammar's
item rules, read from the grammar) or a closing brace. The tokens before the anchor are
skipped (a block that opens among them is skipped whole, up to its own ``}``), and the
parser's stack is unwound to the innermost state that takes the anchor, so the clause the
mistake was in goes on from there and the clauses after it are read as they are. Three
mistakes are repaired in place instead:

- a block left open: where a line starts at or left of the indentation of the innermost
  block still open above it, and ``}`` would let the parse go on, the ``}`` is put there;
- a brace missing before the offending token (a clause without its ``{``): it is put in;
- an unfinished line (``when cause = war and``, then a line starting a new item): the
  mistake is reported at the end of the unfinished line, not at the item after it, and the
  stack unwinds to take that item.

A keyword at the start of a line that the parser read as a name (a condition may go on over
lines, and a fact may be named like a keyword) is remembered with the parser's state before
it. When that line then fails, the keyword was the start of the next item and the line
before was unfinished: the parse goes back to the keyword and recovers there.
"""

from __future__ import annotations

import collections
import functools
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from lark import Lark, Token
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken
from lark.grammar import NonTerminal, Terminal

#: Stop reporting after this many syntax errors in one file.
MAX_ERRORS = 100

_BRACES = (("}", "RBRACE"), ("{", "LBRACE"))
_OPERATOR_WORDS = ("and", "or", "not")

#: Told for each syntax error: the error (its token is where it is), a hint, and for an
#: unfinished line the token that ends that line (the place of the mistake).
Report = Callable[[UnexpectedInput, "str | None", "Token | None"], None]


class Recovery:
    """One parse of ``text`` that goes on after each syntax error (see the module's doc)."""

    def __init__(self, lalr: Lark, text: str, report: Report, keep: int | None = 32) -> None:
        self.lalr, self.text, self.report = lalr, text, report
        self.ip: Any = lalr.parse_interactive(text)
        self.tokens: Iterator[Token] = self._lex()
        self.errors = 0
        self.last: Token | None = None  # the last token the parser took
        # the last ``keep`` tokens the parser took (all of them with None)
        self.history: collections.deque[Token] = collections.deque(maxlen=keep)
        self.skipping = False  # after an error, until an anchor
        self.depth = 0  # blocks opened among the skipped tokens
        self.closed: int | None = None  # where a '}' was last put in (once a place)
        self.put: list[int] = []  # every place a '}' was put in
        # a line-start keyword read as a name: the parser and the last token before it
        self.before: tuple[Any, Token, Token | None] | None = None

    def expected(self) -> tuple[frozenset[str], tuple[Token, ...]]:
        """Read the whole text (a file up to a cursor) and return the terminals the grammar
        takes next, with the last tokens read: what completion offers there."""
        while self.errors < MAX_ERRORS:
            token = self._next()
            if token is None:
                break
            self._take(token)
        return frozenset(self.ip.accepts()), tuple(self.history)

    def parse(self) -> Any:
        """The parse's result (the repaired file's model), or None when it cannot end."""
        while self.errors < MAX_ERRORS:
            token = self._next()
            if token is None:
                return self._end()
            self._take(token)
        return None

    # ------------------------------------------------------------------ tokens

    def _lex(self) -> Iterator[Token]:
        return iter(self.ip.lexer_thread.lex(self.ip.parser_state))

    def _next(self) -> Token | None:
        """The next token; a character no token starts with is reported and passed over."""
        while True:
            try:
                return next(self.tokens)
            except StopIteration:
                return None
            except UnexpectedToken as exc:  # lexed, but by no terminal of this state
                self.tokens = self._lex()
                found: Token = exc.token
                return found
            except UnexpectedCharacters as exc:
                if not self.skipping:
                    self._tell(exc, None, None)
                self._pass_characters(exc)
                self.skipping, self.depth = True, 0

    def _pass_characters(self, exc: UnexpectedCharacters) -> None:
        """Move the lexer past the bad character (past the whole line for an unterminated
        string, whose words are not the rules')."""
        counter = self.ip.lexer_thread.state.line_ctr
        pos = counter.char_pos
        end = _line_end(self.text, pos) if self.text[pos : pos + 1] == '"' else pos + 1
        counter.feed(self.text[pos:end])
        self.tokens = self._lex()

    # ------------------------------------------------------------------ parsing

    def _take(self, token: Token) -> None:
        if self.skipping:
            if not self._resumes_at(token):
                return
            self.skipping = False
            self._feed(token, quiet=True)
            return
        if self._starts_line(token):
            self.before = None
            if token.type == "NAME" and str(token) in _anchor_words(self.lalr):
                self.before = (_copy(self.ip), token, self.last)
        self._feed(token)

    def _feed(self, token: Token, quiet: bool = False) -> None:
        try:
            self.ip.feed_token(token)
            self.last = token
            self.history.append(token)
        except UnexpectedToken:
            if quiet:
                self.skipping, self.depth = True, 0
            else:
                self._error(token)

    def _error(self, token: Token) -> None:
        if self.before is not None and self.before[1].line == token.line:
            # the line began with a keyword taken as a name: the mistake is before it
            self.ip, token, self.last = self.before
            self.tokens = self._lex()
        self.before = None
        token = self._as_keyword(token)
        if self._misread_operator():
            return
        closed = self._unclosed_above(token)
        if closed is not None and self.closed != token.start_pos and self._takes("RBRACE", "}"):
            # told here; a second mistake at the same token (a misspelt keyword after the
            # block left open) is told with it, as one diagnostic with both hints
            hint = f"the '{{' on line {closed} is not closed: is a '}}' missing above?"
            self._tell(self._exception(token), hint, None)
            self.ip.feed_token(Token.new_borrow_pos("RBRACE", "}", token))
            self.errors, self.closed = self.errors - 1, token.start_pos
            self.put.append(int(token.start_pos or 0))
            self._feed(token)
            return
        for brace, terminal in _BRACES:
            if brace == "{" and not self._closed_later(token):
                continue
            if brace == "}" and not self._closes_on_its_line(token):
                continue
            if self._takes_after(terminal, brace, token.type):
                self._tell(self._exception(token), None, None)
                self._insert(terminal, brace, token)
                return
        if self._unfinished(token):
            assert self.last is not None
            self._tell(self._exception(token), None, self.last)
            self._unwind(self._anchor(token) or token.type, token)
            self._feed(token, quiet=True)
            return
        self._tell(self._exception(token), None, None)
        anchor = self._anchor(token)
        if anchor is not None and self._unwind(anchor, token):
            self._feed(token, quiet=True)
            return
        self.skipping, self.depth = True, (1 if token.type == "LBRACE" else 0)

    def _misread_operator(self) -> bool:
        """`and`, `or` or `not` where a name or a value was wanted (`cause = and`, `and and`)
        is read as a name, and the parse fails a word later: the mistake is that word. It is
        told there, and the rest of the line is skipped."""
        last = self.last
        if last is None or last.type != "NAME" or str(last) not in _OPERATOR_WORDS:
            return False
        before = self.history[-2] if len(self.history) > 1 else None
        if before is not None and before.type == "OP":
            hint = "a comparison needs a value after the operator, e.g. `duration <= 30 min`"
        elif before is not None and str(before) in _OPERATOR_WORDS:
            hint = f"a condition must follow '{before}', e.g. `cause = war`"
        else:
            hint = f"'{last}' is a word of the language, not a name"
        self._tell(self._exception(self._as_keyword(last)), hint, None)
        self.skipping, self.depth = True, 0
        return True

    def _resumes_at(self, token: Token) -> bool:
        """Whether the skipping ends at ``token`` (the parser unwound to take it)."""
        if token.type == "LBRACE":
            self.depth += 1
            return False
        if token.type == "RBRACE" and self.depth:
            self.depth -= 1
            return False
        anchor = self._anchor(token) if self.depth == 0 else None
        if anchor is None:
            return False
        if anchor != token.type:
            token.type = anchor
        return self._unwind(anchor, token)

    def _end(self) -> Any:
        """Feed the end of the file, closing the blocks still open (told once)."""
        told = self.skipping
        while True:
            end = Token.new_borrow_pos("$END", "", self.last) if self.last else Token("$END", "")
            try:
                return self.ip.feed_token(end)
            except UnexpectedToken:
                if not told:
                    self._tell(self._exception(end), None, None)
                    told = True
                stack = self.ip.parser_state.state_stack
                if "RBRACE" in self._choices() and self._closes(end):
                    continue
                if len(stack) > 1:
                    del stack[-1]
                    del self.ip.parser_state.value_stack[-1]
                else:
                    return None

    # ------------------------------------------------------------------ repairs

    def _closes(self, end: Token) -> bool:
        """Put a '}' in at the end of the file; False when the parser does not take it."""
        try:
            self.ip.feed_token(Token.new_borrow_pos("RBRACE", "}", end))
        except UnexpectedToken:
            return False
        return True

    def _insert(self, terminal: str, brace: str, token: Token) -> None:
        self.ip.feed_token(Token.new_borrow_pos(terminal, brace, token))
        if brace == "}":
            self.put.append(int(token.start_pos or 0))
        self._feed(token, quiet=True)

    def _unwind(self, terminal: str, token: Token | None = None) -> bool:
        """Pop the parser's stack to the innermost state that takes ``terminal``; for a '}'
        that starts its line, to the block whose header is indented as it is, when one is
        open (a set or a parenthesis left open inside the block is closed with it)."""
        state = self.ip.parser_state
        table = state.parse_conf.parse_table.states
        tops = range(len(state.state_stack) - 1, -1, -1)
        if terminal == "RBRACE" and token is not None and self._starts_line(token):
            matching = [top for top in tops if self._opens_block_at(top, token)]
            tops = range(matching[0], matching[0] - 1, -1) if matching else tops
        elif terminal != "RBRACE":  # a keyword resumes inside the innermost open block only:
            # `calendar` or `availability` starting a line of a clause is a slip there, not
            # a new clause (a block left open is repaired before, by its indentation)
            floor = self._innermost_block()
            tops = range(len(state.state_stack) - 1, floor, -1)
        for top in tops:
            if terminal in table[state.state_stack[top]]:
                del state.state_stack[top + 1 :]
                del state.value_stack[top:]
                return True
        return False

    def _innermost_block(self) -> int:
        """The stack index of the state right after the innermost '{' still open (-1 when
        none is): unwinding stops there."""
        values = self.ip.parser_state.value_stack
        for i in range(len(values) - 1, -1, -1):
            value = values[i]
            if isinstance(value, Token) and value.type == "LBRACE":
                return i
        return -1

    def _opens_block_at(self, top: int, closing: Token) -> bool:
        """Whether the state ``top`` follows a '{' on a line indented as ``closing`` is."""
        values = self.ip.parser_state.value_stack
        if top == 0 or top > len(values):
            return False
        value = values[top - 1]
        if not isinstance(value, Token) or value.type != "LBRACE" or not value.line:
            return False
        start, first = self._indents[value.line - 1]
        return first - start == int(closing.column or 0) - 1

    def _unfinished(self, token: Token) -> bool:
        """Whether ``token`` starts a new item on a line after an unfinished one: the parser
        can take neither it nor a closing brace here, and it is an anchor."""
        if self.last is None or self.last.line is None or token.line is None:
            return False
        if self.last.line >= token.line or self._anchor(token) is None:
            return False
        choices = self._choices()
        return token.type not in choices and "RBRACE" not in choices

    def _closed_later(self, token: Token) -> bool:
        """Whether a '{' put in before ``token`` would be closed: ``token`` starts a line (a
        clause header without its brace, the block below it), or the rest of the line has a
        '}' more than it opens (a set without its '{')."""
        if token.type == "RBRACE":  # `{}` would close at once, the block around left open
            return False
        if self._starts_line(token):
            return True
        start = int(token.start_pos or 0)
        rest = [ch for _, ch in _braces(self.text[: _line_end(self.text, start)], start)]
        return rest.count("}") > rest.count("{")

    def _closes_on_its_line(self, token: Token) -> bool:
        """Whether a '}' put in before ``token`` would close a set or block opened on the
        same line (`{war, fire including related`); at a line's start, or for a block
        opened on an earlier line, the indentation decides instead (:func:`unclosed_above`)."""
        if self._starts_line(token):
            return False
        innermost = self._innermost_block()
        if innermost < 0:
            return False
        opening = self.ip.parser_state.value_stack[innermost]
        return bool(opening.line == token.line)

    def _unclosed_above(self, token: Token) -> int | None:
        if token.type == "$END" or token.start_pos is None:
            return None
        return unclosed_above(self.text, int(token.start_pos), self.put)

    def _takes(self, terminal: str, brace: str) -> bool:
        """Would the parser take ``brace`` here? (Tried on a copy: a terminal of the state's
        row may still fail after the reductions it starts.)"""
        if terminal not in self._choices():
            return False
        try:
            _copy(self.ip).feed_token(Token(terminal, brace))
        except UnexpectedInput:
            return False
        return True

    def _takes_after(self, terminal: str, brace: str, then: str) -> bool:
        """Would the parser take ``brace`` here, and the terminal ``then`` after it?"""
        if terminal not in self._choices():
            return False
        attempt = _copy(self.ip)
        try:
            attempt.feed_token(Token(terminal, brace))
        except UnexpectedInput:
            return False
        return then in attempt.choices()

    # ------------------------------------------------------------------ helpers

    def _choices(self) -> Any:
        state = self.ip.parser_state
        return state.parse_conf.parse_table.states[state.position]

    def _starts_line(self, token: Token) -> bool:
        """Whether nothing but blanks is before ``token`` on its line."""
        if token.start_pos is None or not token.line:
            return False
        return self._indents[token.line - 1][1] == token.start_pos

    @functools.cached_property
    def _indents(self) -> list[tuple[int, int]]:
        """Where each line starts and where its first non-blank character is (a lookup,
        so that a long line costs no more per token than a short one)."""
        return [(m.start(), m.end()) for m in re.finditer(r"^[ \t]*", self.text, re.M)]

    def _anchor(self, token: Token) -> str | None:
        """The terminal ``token`` resynchronises at, or None when it is no anchor."""
        if token.type == "RBRACE":
            return "RBRACE"
        if not self._starts_line(token):
            return None
        return _anchor_words(self.lalr).get(str(token))

    def _as_keyword(self, token: Token) -> Token:
        """A keyword read as a name where no keyword of its kind fits is the keyword again:
        the hints (a missing brace before ``cite``, a misspelt keyword) see what was written."""
        if token.type == "NAME":
            terminal = keyword_terminals(self.lalr).get(str(token))
            if terminal is not None:
                return Token.new_borrow_pos(terminal, str(token), token)
        return token

    def _exception(self, token: Token) -> UnexpectedToken:
        return UnexpectedToken(  # type: ignore[no-untyped-call]
            token,
            set(self._choices()),
            state=self.ip.parser_state,
            interactive_parser=_copy(self.ip),
            terminals_by_name=None,
        )

    def _tell(self, exc: UnexpectedInput, hint: str | None, at: Token | None) -> None:
        self.errors += 1
        self.report(exc, hint, at)


@functools.cache
def keyword_terminals(lalr: Lark) -> dict[str, str]:
    """The terminal of each keyword by its text (``{"cite": "CITE", ...}``)."""
    return {
        str(t.pattern.value): t.name
        for t in lalr.terminals
        if t.pattern.type == "str" and str(t.pattern.value).isidentifier()
    }


@functools.cache
def _anchor_words(lalr: Lark) -> dict[str, str]:
    """The keywords that start an item or a clause (the first words of the grammar's
    ``_..._item`` and ``_top`` rules), by text, with their terminal."""
    expansions: dict[str, list[list[Any]]] = {}
    for rule in lalr.rules:
        expansions.setdefault(rule.origin.name, []).append(list(rule.expansion))
    firsts: set[str] = set()

    def first(name: str, seen: set[str]) -> None:
        if name in seen:
            return
        seen.add(name)
        for expansion in expansions.get(name, []):
            if not expansion:
                continue
            head = expansion[0]
            if isinstance(head, Terminal):
                firsts.add(head.name)
            elif isinstance(head, NonTerminal):
                first(head.name, seen)

    for name in expansions:
        if name.endswith("_item") or name in ("_top", "import_decl"):
            first(name, set())
    by_terminal = {t: w for w, t in keyword_terminals(lalr).items()}
    return {by_terminal[t]: t for t in firsts if t in by_terminal}


def unclosed_above(text: str, pos: int, closed: Iterable[int] = ()) -> int | None:
    """The line of the innermost block still open at ``pos`` when ``pos`` starts a line at or
    left of that block's own indentation (so it cannot belong inside it), else None.
    ``closed`` are the places where recovery took a '}' as written."""
    line_start = text.rfind("\n", 0, pos) + 1
    if text[line_start:pos].strip():
        return None
    opened: list[int] = []
    braces = [(i, ch) for i, ch in _braces(text[:pos], 0)] + [(i, "}") for i in closed if i < pos]
    for i, ch in sorted(braces):
        if ch == "{":
            opened.append(i)
        elif opened:
            opened.pop()
    if not opened:
        return None
    header = text.rfind("\n", 0, opened[-1]) + 1
    indent = len(text[header:]) - len(text[header:].lstrip(" \t"))
    if pos - line_start > indent:
        return None
    return text.count("\n", 0, opened[-1]) + 1


def missing_brace(exc: UnexpectedInput) -> str | None:
    """The brace whose absence caused ``exc``, if putting one in would let the parse go on."""
    if not isinstance(exc, UnexpectedToken) or exc.token.type == "$END":
        return None
    return next((b for b, t in _BRACES if _accepted_after(exc, t, b)), None)


def _accepted_after(exc: UnexpectedToken, terminal: str, brace: str) -> bool:
    """Would the parser take the offending token after ``brace``?"""
    if exc.interactive_parser is None:
        return False
    attempt = _copy(exc.interactive_parser)
    try:
        attempt.feed_token(Token(terminal, brace))
        return exc.token.type in attempt.choices()
    except UnexpectedInput:
        return False


def _copy(parser: Any) -> Any:
    """The interactive parser copied to try a token on, its value stack shared: the values
    are the model's frozen records and tokens, and a deep copy of a deeply nested condition
    ran out of recursion (``rulebook check`` stopped on such a file with a traceback)."""
    try:
        return parser.copy(deepcopy_values=False)
    except TypeError:  # a Lark before `deepcopy_values`
        return parser.copy()


def matching_brace(text: str, opening: int) -> int | None:
    """The index of the '}' that closes the '{' at ``opening`` (strings and comments skipped)."""
    depth = 0
    for i, ch in _braces(text, opening):
        depth += 1 if ch == "{" else -1
        if depth == 0:
            return i
    return None


def _braces(text: str, start: int) -> Iterator[tuple[int, str]]:
    """The braces of ``text`` from ``start`` on, with their index; not those in strings
    and comments."""
    i = start
    while i < len(text):
        ch = text[i]
        if ch == '"':
            i = _string_end(text, i)
            continue
        if ch == "#":
            i = _line_end(text, i)
            continue
        if ch in "{}":
            yield i, ch
        i += 1


def _line_end(text: str, pos: int) -> int:
    end = text.find("\n", pos)
    return len(text) if end < 0 else end


def _string_end(text: str, pos: int) -> int:
    """The index after the string starting at ``pos`` (its line's end if unterminated)."""
    i = pos + 1
    stop = _line_end(text, pos)
    while i < stop:
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == '"':
            return i + 1
        i += 1
    return stop
