"""Text -> model: the LALR parser of the contract language and its entry points.

The grammar lives in ``rulebook.lark`` beside this module and is loaded once; the builder
of :mod:`rulebook.grammar.build` runs inside the parser. Every syntax error of a file is
found (:mod:`rulebook.grammar.recovery`) and told in the DSL's words
(:mod:`rulebook.grammar.hints`).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator

import attrs
from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedInput, UnexpectedToken, VisitError
from lark.lark import PostLex

from rulebook import collector
from rulebook.diagnostics import Diagnostic
from rulebook.grammar import recovery
from rulebook.grammar.build import ParsedFile, ToModel
from rulebook.grammar.cache import cache_file
from rulebook.grammar.hints import syntax_diagnostic, unfinished_diagnostic


class WholeNames(PostLex):
    """Lets every state of the contextual lexer read a whole name.

    Lark's contextual lexer only tries the terminals the parser accepts where it stands; in
    a state that accepts the keyword ``not`` but no name, ``notified`` was read as ``not``
    followed by ``ified``, and the error named half a word. With names always tried, the
    longest match wins: ``notified`` is one name (unexpected there), ``not`` the keyword.
    The tokens themselves pass through unchanged.
    """

    always_accept = ("NAME",)

    def process(self, stream: Iterator[Token]) -> Iterator[Token]:
        return stream


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
        postlex=WholeNames(),
        cache=cache_file(),  # pickled to a private per-user folder (grammar/cache.py)
    )


# The in-parser transformer is one object; its per-file state is guarded by this lock.
_BUILDER = ToModel()
_LOCK = threading.Lock()


def parse_text(text: str, file: str) -> tuple[ParsedFile | None, list[Diagnostic]]:
    """Parse one file's text. On syntax errors, return None and every one of them."""
    parsed, diagnostics, syntax_ok = parse_recovering(text, file)
    return (parsed, diagnostics) if syntax_ok else (None, diagnostics)


def parse_recovering(text: str, file: str) -> tuple[ParsedFile | None, list[Diagnostic], bool]:
    """Parse; after a syntax error, recover (see :mod:`recovery`) so that all are found.

    Returns what the recovered parse declares (for an editor's outline; None if it could not
    end), the diagnostics, and whether the text parsed without a syntax error. With syntax
    errors, only those are returned: the recovered parse is not the author's text.
    """
    with _LOCK, collector.paused():  # no cycles in a parse (rulebook.collector)
        _BUILDER.start_file(file, text)
        try:
            parsed: ParsedFile = parser().parse(text)  # type: ignore[assignment]
            return attrs.evolve(parsed, text=text), list(_BUILDER.diagnostics), True
        except UnexpectedInput:
            pass
        except VisitError as exc:  # a bug of ours, never the author's: show the cause
            raise exc.orig_exc from None
        errors: list[Diagnostic] = []

        def report(exc: UnexpectedInput, hint: str | None, at: Token | None) -> None:
            if at is not None and isinstance(exc, UnexpectedToken):
                _add(errors, unfinished_diagnostic(exc, at, file))
            else:
                _add(errors, syntax_diagnostic(exc, text, file, parser(), hint))

        _BUILDER.start_file(file, text)
        try:
            recovered = recovery.Recovery(parser(), text, report).parse()
        except VisitError as exc:
            raise exc.orig_exc from None
    if recovered is None:
        return None, errors, False
    return attrs.evolve(recovered, text=text), errors, False


def expected_at(text: str) -> tuple[frozenset[str], tuple[Token, ...]]:
    """The terminals the grammar takes at the end of ``text`` (a file cut at a cursor), read
    past any syntax error before it, and the last tokens read (completion's context)."""
    with _LOCK:
        _BUILDER.start_file("<cursor>", text)
        try:
            return recovery.Recovery(parser(), text, lambda *_: None).expected()
        except VisitError as exc:
            raise exc.orig_exc from None


def tokens_of(text: str) -> tuple[Token, ...]:
    """Every token of ``text`` the parser took, in order, read past syntax errors (the
    skipped ones are not among them): what an editor highlights by meaning."""
    with _LOCK:
        _BUILDER.start_file("<tokens>", text)
        try:
            run = recovery.Recovery(parser(), text, lambda *_: None, keep=None)
            run.parse()
            return tuple(run.history)
        except VisitError as exc:
            raise exc.orig_exc from None


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
        postlex=WholeNames(),
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
