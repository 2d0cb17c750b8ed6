"""The recovery corpus: single and double mistakes made in one contract, each with the
diagnostics it must give — one per mistake, at the mistake's line, and nothing else (no
cascade). The base (tests/fixtures/recovery/base.sla) checks clean.

A mistake is an edit of one line of the base: the text ``old`` on line ``line`` becomes
``new``. ``expected`` is the line each diagnostic must stand on and a piece of its message
or hint. A double mistake is two single ones in different clauses; it must give exactly the
diagnostics of both.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import attrs
import pytest

from rulebook.grammar.layout import format_text
from rulebook.load import check_files

BASE_PATH = Path(__file__).parent / "fixtures" / "recovery" / "base.sla"
BASE = BASE_PATH.read_text(encoding="utf-8")


@attrs.frozen
class Mistake:
    name: str
    line: int  # the line of the base that is edited
    old: str
    new: str
    expected: tuple[tuple[int, str], ...]  # (line, a piece of the message or hint) each

    def apply(self, text: str) -> str:
        lines = text.split("\n")
        assert self.old in lines[self.line - 1], (self.name, lines[self.line - 1])
        lines[self.line - 1] = lines[self.line - 1].replace(self.old, self.new, 1)
        return "\n".join(lines)


def _m(name: str, line: int, old: str, new: str, *expected: tuple[int, str]) -> Mistake:
    return Mistake(name, line, old, new, expected or ((line, ""),))


SINGLE = (
    _m("dangling-and", 38, "location = JP", "location = JP and", (38, "ends with 'and'")),
    _m("dangling-or", 44, "(以内)", "(以内) or", (44, "ends with 'or'")),
    _m("dangling-not", 32, "fire}", "fire} and not", (32, "ends with 'not'")),
    _m("dangling-and-before-brace", 49, "< target", "< target and", (49, "ends with 'and'")),
    _m(
        "comparison-without-value",
        38,
        "cause = customer_system",
        "cause =",
        (38, "unexpected 'and' a comparison needs a value"),
    ),
    _m(
        "misspelt-clause-keyword",
        36,
        "exclusion customer",
        "exclusoin customer",
        (36, "did you mean 'exclusion'"),
    ),
    _m("misspelt-item-keyword", 32, "when cause", "wen cause", (32, "did you mean 'when'")),
    _m("misspelt-meta-keyword", 6, "title", "titel", (6, "did you mean 'title'")),
    _m(
        "clause-without-open-brace",
        42,
        '"短時間の自然解決" {',
        '"短時間の自然解決"',
        (43, "a '{' is missing"),
    ),
    _m("clause-without-close-brace", 34, "  }", "", (36, "the '{' on line 30 is not closed")),
    _m("set-not-closed", 32, "fire}", "fire", (33, "the '{' on line 32 is not closed")),
    _m("unterminated-string", 31, '不可抗力"', "不可抗力", (31, "unterminated string")),
    _m(
        "cite-without-quote",
        43,
        '"第7条" "30分以内に自然解決した停止"',
        '"第7条"',
        (43, "needs a quoted string"),
    ),
    _m("clause-without-id", 47, "remedy credit", "remedy", (47, "needs an id")),
    _m("full-width-parenthesis", 44, "(以内)", "（以内）", (44, "full-width parenthesis")),
    _m(
        "set-without-braces",
        32,
        "{natural_disaster, war, fire}",
        "natural_disaster",
        (32, "a set of values is written in braces"),
    ),
    _m(
        "stray-word-in-clause",
        33,
        "including related",
        "including related please",
        (33, "unexpected name 'please'"),
    ),
    _m(
        "missing-operator",
        44,
        "duration <= 30 min",
        "duration 30 min",
        (44, "unexpected number '30'"),
    ),
    _m("tier-without-credit", 51, "tier < 99% credit 25%", "tier < 99%", (51, "'credit'")),
    _m(
        "tier-dangling-and",
        50,
        "tier < 99.9% and >= 99% credit 10%",
        "tier < 99.9% and",
        (50, "ends with 'and'"),
    ),
    _m(
        "outage-without-from",
        62,
        '"S" from "2026-09-04',
        '"S" "2026-09-04',
        (62, "expected 'from'"),
    ),
    _m("expect-by-without-id", 63, "by force_majeure", "by", (63, "nothing follows 'by'")),
    _m(
        "double-and",
        38,
        "customer_system and",
        "customer_system and and",
        (38, "unexpected 'and' a condition must follow 'and'"),
    ),
    _m("parenthesis-not-closed", 44, "self_resolved and", "(self_resolved and", (44, "')'")),
    _m(
        "name-with-a-keyword-inside",
        44,
        "self_resolved and",
        "self_resolved notified and",
        (44, "name 'notified'"),
    ),
    _m(
        "when-without-condition",
        49,
        "when availability < target",
        "when",
        (49, "nothing follows 'when'"),
    ),
    _m("comma-missing-in-set", 32, "war, fire", "war fire", (32, "expected ',', '}'")),
    _m("notice-without-channel", 27, "notice by email", "notice by", (27, "unexpected 'least'")),
    _m(
        "threshold-without-number",
        22,
        ">= 10 min (以上)",
        ">= min (以上)",
        (22, "expected a number"),
    ),
    _m("stray-character", 56, "from restored_at", "from @restored_at", (56, "'@'")),
    _m("removed-word", 22, "threshold >=", "threshold consecutive >=", (22, "no longer")),
    _m(
        "clause-keyword-in-the-wrong-clause",
        39,
        "unless duration",
        "tier duration",
        (39, "unexpected 'tier'"),
    ),
    _m(
        "unfinished-cite-before-when",
        37,
        '"お客様の設備に起因する停止"',
        "",
        (37, 'nothing follows string "第6条"'),
    ),
    _m("extra-close-brace", 45, "  }", "  } }", (45, "nothing follows '}'")),
)
assert len({m.name for m in SINGLE}) == len(SINGLE)

# Two mistakes in two different clauses (so that they are two mistakes, not one).
_CLAUSES = (
    (5, 12),
    (13, 19),
    (20, 24),
    (25, 29),
    (30, 35),
    (36, 41),
    (42, 46),
    (47, 53),
    (54, 59),
    (60, 66),
)


def _clause(line: int) -> int:
    return next(i for i, (a, b) in enumerate(_CLAUSES) if a <= line <= b)


def _touched(mistake: Mistake) -> set[int]:
    return {_clause(mistake.line)} | {_clause(line) for line, _ in mistake.expected}


DOUBLE = tuple(
    (a, b) for a, b in itertools.combinations(SINGLE, 2) if not _touched(a) & _touched(b)
)


def _diagnostics(text: str) -> list[tuple[int, str]]:
    loaded = check_files([str(BASE_PATH)], {str(BASE_PATH): text})
    return [(d.span.line, f"{d.message} {d.hint or ''}") for d in loaded.diagnostics]


def _matches(found: list[tuple[int, str]], expected: tuple[tuple[int, str], ...]) -> bool:
    return len(found) == len(expected) and all(
        line == want_line and piece in words
        for (line, words), (want_line, piece) in zip(sorted(found), sorted(expected), strict=True)
    )


def test_the_base_checks_clean() -> None:
    assert _diagnostics(BASE) == []


def test_the_corpus_has_thirty_single_and_thirty_double_mistakes_at_least() -> None:
    assert len(SINGLE) >= 30 and len(DOUBLE) >= 30


@pytest.mark.parametrize("mistake", SINGLE, ids=lambda m: m.name)
def test_one_mistake_is_one_diagnostic_at_its_place(mistake: Mistake) -> None:
    found = _diagnostics(mistake.apply(BASE))
    assert _matches(found, mistake.expected), found


@pytest.mark.parametrize("pair", DOUBLE, ids=lambda p: f"{p[0].name}+{p[1].name}")
def test_two_mistakes_are_two_diagnostics(pair: tuple[Mistake, Mistake]) -> None:
    first, second = pair
    found = _diagnostics(second.apply(first.apply(BASE)))
    assert _matches(found, first.expected + second.expected), found


@pytest.mark.parametrize("mistake", SINGLE, ids=lambda m: m.name)
def test_fmt_check_reports_the_same_diagnostics(mistake: Mistake) -> None:
    text = mistake.apply(BASE)
    formatted, diagnostics = format_text(text, str(BASE_PATH))
    assert formatted is None
    assert [(d.span.line, d.message) for d in diagnostics] == [
        (d.span.line, d.message)
        for d in check_files([str(BASE_PATH)], {str(BASE_PATH): text}).diagnostics
    ]


def _deletions(name: str, count: int) -> list[tuple[int, str, str]]:
    """``count`` texts of a bundled contract with one word deleted, spread over the file
    (the same on every run): (line, word, damaged text)."""
    import random
    import re

    text = (Path(__file__).resolve().parent.parent / "contracts" / f"{name}.sla").read_text(
        encoding="utf-8"
    )
    lines = text.split("\n")
    rng = random.Random(name)
    places = [
        (i, word)
        for i, line in enumerate(lines)
        if line.strip() and not line.lstrip().startswith("#")
        for word in list(re.finditer(r'"[^"]*"|\S+', line))[:6]
    ]
    chosen = sorted(rng.sample(places, count), key=lambda p: (p[0], p[1].start()))
    return [
        (
            i + 1,
            w.group(),
            "\n".join([*lines[:i], lines[i][: w.start()] + lines[i][w.end() :], *lines[i + 1 :]]),
        )
        for i, w in chosen
    ]


@pytest.mark.parametrize(
    "name", ["cybermail", "nexa-palette", "aoulu-cloud", "click-soko", "skyarch-sms"]
)
def test_a_word_deleted_anywhere_in_a_bundled_contract_is_at_most_one_diagnostic(name: str) -> None:
    """Twenty-five words deleted, one at a time, from each bundled contract (any of the
    first six words of a line): never a cascade. (Run over every such word of the five
    contracts — 5,208 texts — each gave one diagnostic or none.)"""
    from rulebook.grammar.parser import parse_text

    for line, word, text in _deletions(name, 25):
        _, diagnostics = parse_text(text, f"{name}.sla")
        assert len(diagnostics) <= 1, (line, word, [(d.span.line, d.message) for d in diagnostics])
