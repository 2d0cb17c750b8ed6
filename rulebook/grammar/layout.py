"""The canonical layout of a contract file: what ``rulebook fmt`` writes.

The text is read with the real grammar into a concrete syntax tree (every token kept) and
written again with fixed blanks; only blanks change, so the parse of the output equals the
parse of the input. The layout:

- every item starts a line: an import, a vocabulary or contract, a metadata line, a clause,
  each item of a clause (``cite``, ``when``, ``tier``, ...), an example and each of its
  records and expectations, a fact and each of its codes;
- a block (vocabulary, contract, clause, example, a fact's codes) opens at the end of its
  header line and closes on a line of its own; its items are indented two spaces a level;
- an item is written on one line, however the author broke it; a comment inside an item
  ends its line, and the item goes on below, one level further in;
- one space between tokens, except none inside ``( )``, ``[ ]`` and a set ``{war, fire}``,
  none before ``,`` ``:`` ``%``, none in ``10:00-18:00``; a record's fields read
  ``{ cause war }``;
- one blank line between items is kept where the author left one or more, never after a
  block opens or before it closes;
- the codes of a fact are aligned in columns, measured in display cells (a Japanese
  character takes two); comments are kept, own-line ones on their own line, one at the end
  of a line after two spaces, aligned with those of the lines around it.

Formatting is idempotent: the layout of a formatted file is the file itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import attrs
from lark import Token, Tree

from rulebook.diagnostics import Diagnostic
from rulebook.grammar.parser import concrete_tree, parse_text
from rulebook.reprs import with_repr
from rulebook.text import display_width

INDENT = "  "

#: Rules that are items and hold a block of items: vocabulary, contract, clauses, example.
_BLOCK_ITEMS = (
    "vocabulary",
    "contract",
    "services",
    "availability",
    "downtime",
    "calendar",
    "maintenance",
    "exclusion",
    "inclusion",
    "exception",
    "remedy",
    "obligation",
    "performance",
    "example",
    "amendment",
)
#: Rules whose first token starts a line.
ITEMS = frozenset(
    (
        *_BLOCK_ITEMS,
        "import_decl",
        "fact_decl",
        "event_decl",
        "code_decl",
        "meta",
        "cite",
        "covers",
        "excludes",
        "period_month",
        "period_quarter",
        "period_fixed",
        "target",
        "denominator",
        "probes",
        "threshold",
        "weekdays",
        "holidays",
        "closed_annual",
        "closed_announced",
        "hours",
        "notice",
        "emergency",
        "every",
        "moved",
        "when",
        "unless",
        "related",
        "overrides",
        "free",
        "refund",
        "tier",
        "cap",
        "minimum",
        "claim",
        "rounding",
        "records_where",
        "clock",
        "deadline",
        "minimum_lead",
        "close_of_day",
        "measure",
        "effective",
        "remove",
        "sample_outage",
        "sample_notice",
        "sample_billing",
        "sample_closure",
        "sample_as_of",
        "expect_verdict",
        "expect_seconds",
        "expect_obligation",
        "expect_met",
        "expect_availability",
        "expect_remedy",
        "expect_claim",
    )
)
#: Rules whose braces open and close a block of items on lines of their own.
BLOCKS = frozenset((*_BLOCK_ITEMS, "code_block"))
_NO_SPACE_AFTER = frozenset({"(", "["})
_NO_SPACE_BEFORE = frozenset({")", "]", ",", ":", "%"})
_COMMENT = re.compile(r"#[^\n]*")


@with_repr
@attrs.frozen(repr=False)
class _Leaf:
    """A token and what its place in the tree says about the layout."""

    token: Token
    starts_item: bool
    rule: str  # the rule the token belongs to directly
    item: str  # the rule of the item the token is in


@with_repr
@attrs.frozen(repr=False)
class _Line:
    """One output line: its depth, its text, its trailing comment, its item's rule."""

    depth: int
    words: list[str]
    comment: str | None = None
    blank_before: bool = False
    item: str = ""  # the rule of the item the line starts, if it starts one


def format_text(text: str, file: str = "<text>") -> tuple[str | None, list[Diagnostic]]:
    """The canonical layout of ``text``, or None and the syntax errors when it does not parse.

    >>> format_text('import "vocabulary.sla"  # shared\\ncontract x {title "t"\\n\\n\\n  }')[0]
    'import "vocabulary.sla"  # shared\\ncontract x {\\n  title "t"\\n}\\n'
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    parsed, diagnostics = parse_text(text, file)
    if parsed is None:
        return None, diagnostics
    return layout(text, list(_leaves(concrete_tree(text), "start", False))), []


def _leaves(tree: Tree[Token], item: str, first: bool) -> Iterator[_Leaf]:
    """The tokens of ``tree`` in order, each with its rule and the item it is in; ``first``
    when the tree is the first child of an item (its first token starts the item)."""
    rule = str(tree.data)
    starts = rule in ITEMS
    item = rule if starts else item
    for i, child in enumerate(tree.children):
        head = (starts or first) and i == 0
        if isinstance(child, Tree):
            yield from _leaves(child, item, head)
        else:
            yield _Leaf(child, head, rule, item)


def layout(text: str, leaves: list[_Leaf]) -> str:
    """The canonical text of a file from its tokens in order (comments are in ``text``)."""
    lines: list[_Line] = []
    depth = 0
    inline: list[str] = []  # the open inline brackets: "set", "{", "(" or "["
    current: list[str] | None = None
    previous: _Leaf | None = None
    position = 0
    for leaf in leaves:
        token = leaf.token
        start = token.start_pos or 0
        breaks, comments = _gap(text[position:start], first=previous is None)
        position = token.end_pos or start
        closes = token == "}" and leaf.rule in BLOCKS
        after_open = previous is not None and _opens(previous)
        if comments and comments[0][0] == 0 and lines:
            lines[-1] = attrs.evolve(lines[-1], comment=comments[0][1])  # ends the line
            comments = comments[1:]
        ended = bool(lines) and lines[-1].comment is not None and current is lines[-1].words
        if current is None or leaf.starts_item or closes or after_open or comments or ended:
            inner = depth + len(inline)
            for n, comment in comments:
                lines.append(_Line(inner, [], comment, n > 1 and not after_open))
                after_open = False
            if closes:
                depth -= 1
            going_on = not (leaf.starts_item or closes or after_open or current is None)
            blank = breaks > 1 and leaf.starts_item and not after_open and previous is not None
            current = []
            level = depth + max(len(inline), going_on)
            item = leaf.item if leaf.starts_item else ""  # a line that goes on has no item
            lines.append(_Line(level, current, None, blank, item))
        if current and _space_between(previous, leaf, inline):
            current.append(" ")
        current.append(str(token))
        _track(leaf, inline)
        if _opens(leaf):
            depth += 1
        previous = leaf
    _, comments = _gap(text[position:], first=False)
    for n, comment in comments:
        if n == 0 and lines:
            lines[-1] = attrs.evolve(lines[-1], comment=comment)
        else:
            lines.append(_Line(0, [], comment, n > 1))
    return _render(lines)


def _opens(leaf: _Leaf) -> bool:
    return leaf.token == "{" and leaf.rule in BLOCKS


def _gap(gap: str, first: bool) -> tuple[int, list[tuple[int, str]]]:
    """Line breaks in the blanks between two tokens (after the last comment), and the
    comments there, each with the line breaks before it (0: it ends the line before)."""
    comments: list[tuple[int, str]] = []
    last = 0
    for match in _COMMENT.finditer(gap):
        breaks = gap.count("\n", last, match.start())
        comments.append((max(breaks, 1) if first and not comments else breaks, match.group()))
        last = match.end()
    return gap.count("\n", last), comments


def _space_between(previous: _Leaf | None, leaf: _Leaf, inline: list[str]) -> bool:
    if previous is None:
        return False
    before, word = str(previous.token), str(leaf.token)
    if before in _NO_SPACE_AFTER or word in _NO_SPACE_BEFORE:
        return False
    if inline and inline[-1] == "set" and (before == "{" or word == "}"):
        return False
    if "time_range" in (leaf.rule, previous.rule):
        return leaf.rule != previous.rule  # 10:00-18:00
    return not (before == "{" and word == "}")


def _track(leaf: _Leaf, inline: list[str]) -> None:
    """Keep the stack of open inline brackets up to date."""
    word = str(leaf.token)
    if word == "{" and leaf.rule not in BLOCKS:
        inline.append("set" if leaf.rule == "value_set" else "{")
    elif word in ("(", "["):
        inline.append(word)
    elif word in ("}", ")", "]") and leaf.rule not in BLOCKS and inline:
        inline.pop()


def _render(lines: list[_Line]) -> str:
    lines = _align_codes(lines)
    texts = _align_comments([INDENT * line.depth + "".join(line.words) for line in lines], lines)
    out: list[str] = []
    for line, text in zip(lines, texts, strict=True):
        if line.blank_before and out and out[-1] != "":
            out.append("")
        out.append(text.rstrip())
    return "\n".join(out).strip("\n") + "\n"


def _align_codes(lines: list[_Line]) -> list[_Line]:
    """The codes of a fact (``name "ja" "en"``) aligned in columns."""
    out = list(lines)
    run: list[int] = []
    for i, line in enumerate([*lines, _Line(0, [])]):
        if _whole_code(line) and not (run and line.blank_before):
            run.append(i)
            continue
        if len(run) > 1:
            _align(out, run)
        run = [i] if _whole_code(line) else []
    return out


def _whole_code(line: _Line) -> bool:
    """A code declaration on one line (not broken by a comment): ``name "ja" "en"``."""
    return line.item == "code_decl" and len([w for w in line.words if w != " "]) == 3


def _align(lines: list[_Line], run: list[int]) -> None:
    cells = [[w for w in lines[i].words if w != " "] for i in run]
    widths = [max(display_width(c[k]) for c in cells) for k in range(2)]
    for i, words in zip(run, cells, strict=True):
        padded = [w + " " * (widths[k] - display_width(w) + 2) for k, w in enumerate(words[:2])]
        lines[i] = attrs.evolve(lines[i], words=[*padded, *words[2:]])


def _align_comments(texts: list[str], lines: list[_Line]) -> list[str]:
    """Comments at the end of lines after two spaces; those of consecutive lines aligned."""
    out = list(texts)
    i = 0
    while i < len(lines):
        comment = lines[i].comment
        if comment is None:
            i += 1
            continue
        if not lines[i].words:  # a comment on a line of its own
            out[i] = texts[i] + comment
            i += 1
            continue
        run = [i]
        while run[-1] + 1 < len(lines) and _trails(lines[run[-1] + 1]):
            run.append(run[-1] + 1)
        column = max(display_width(texts[j].rstrip()) for j in run) + 2
        for j in run:
            body = texts[j].rstrip()
            out[j] = body + " " * (column - display_width(body)) + str(lines[j].comment)
        i = run[-1] + 1
    return out


def _trails(line: _Line) -> bool:
    return line.comment is not None and bool(line.words) and not line.blank_before
