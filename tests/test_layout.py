"""`rulebook fmt`: one canonical layout, comments kept, idempotent, and the parse of the
output equals the parse of the input (bundled contracts and generated ones)."""

from __future__ import annotations

import random
import re
from pathlib import Path

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rulebook.grammar.build import ParsedFile
from rulebook.grammar.layout import format_text
from rulebook.grammar.parser import concrete_tree, parse_text
from tests.helpers import contract_text

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = sorted((ROOT / "contracts").glob("*.sla"))


def meaning(text: str) -> tuple[object, ...]:
    """What a text declares, without where: equal for texts that differ only in blanks."""
    parsed, diagnostics = parse_text(text, "t.sla")
    assert isinstance(parsed, ParsedFile), diagnostics
    contracts = tuple(attrs.evolve(c, sha256="") for c in parsed.contracts)
    return parsed.imports, parsed.vocabularies, contracts


def fmt(text: str) -> str:
    out, diagnostics = format_text(text)
    assert out is not None, diagnostics
    return out


def comments(text: str) -> list[str]:
    return re.findall(r"#[^\n]*", re.sub(r'"([^"\\\n]|\\.)*"', '""', text))


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.name)
def test_the_bundled_contracts_are_in_the_canonical_layout(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert fmt(text) == text


def test_a_messy_contract_gets_the_canonical_layout() -> None:
    text = """# head
import "vocabulary.sla"
contract t { title "t"   # the title
    exclusion war "戦争" { cite "第4条"
  "戦争" when cause in { war,fire } and duration<=30 min ( 以内 )
 including related }


  calendar b { weekdays mon , tue hours 10:00 - 12:00,13:00-18:00 }
  remedy r { refund monthly_fee*downtime/denominator tier < 99.9% and >= 99% credit 10 % }
  example e { outage a "S" from "2026-09-01T10:00:00" {cause war features [a,b]}
  expect a excluded by war }
  # last comment
}
"""
    assert (
        fmt(text)
        == """# head
import "vocabulary.sla"
contract t {
  title "t"  # the title
  exclusion war "戦争" {
    cite "第4条" "戦争"
    when cause in {war, fire} and duration <= 30 min (以内)
    including related
  }

  calendar b {
    weekdays mon, tue
    hours 10:00-12:00, 13:00-18:00
  }
  remedy r {
    refund monthly_fee * downtime / denominator
    tier < 99.9% and >= 99% credit 10%
  }
  example e {
    outage a "S" from "2026-09-01T10:00:00" { cause war features [a, b] }
    expect a excluded by war
  }
  # last comment
}
"""
    )


def test_codes_are_aligned_in_display_cells_and_a_comment_inside_an_item_ends_its_line() -> None:
    text = """vocabulary v {
  fact cause: code "原因" "cause" { war "戦争" "war"
    natural_disaster "天災地変" "natural disaster" }
}
contract t {
  exclusion a { when cause in {war,  # the first
  fire} }
}
"""
    assert (
        fmt(text)
        == """vocabulary v {
  fact cause: code "原因" "cause" {
    war               "戦争"      "war"
    natural_disaster  "天災地変"  "natural disaster"
  }
}
contract t {
  exclusion a {
    when cause in {war,  # the first
      fire}
  }
}
"""
    )


def test_a_file_with_a_syntax_error_is_not_formatted() -> None:
    out, diagnostics = format_text("contract t { exclusion { } }")
    assert out is None and [d.code for d in diagnostics] == ["syntax"]


# ------------------------------------------------------------------ generated contracts

SOURCES = [p.read_text(encoding="utf-8") for p in BUNDLED] + [
    contract_text('exclusion war { cite "第4条" "戦争" when cause = war }')
]
BLANKS = [" ", "  ", "\n", "\n\n\n", "\t", " \n  "]
COMMENTS = [" # 注記\n", "\n# a note on its own line\n", "  #\n", "\n\n  # 二つ目\n\n"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(SOURCES), st.integers(0, 2**32 - 1))
def test_any_spacing_formats_to_the_same_meaning_and_formatting_again_changes_nothing(
    source: str, seed: int
) -> None:
    text = respace(source, random.Random(seed))
    once = fmt(text)
    assert fmt(once) == once
    assert meaning(once) == meaning(text)
    assert comments(once) == comments(text)


def respace(text: str, rng: random.Random) -> str:
    """The same tokens and comments with other blanks between them, and new comments.

    (One random generator per example: a contract has thousands of gaps, too many for a
    draw each.)"""
    leaves = list(concrete_tree(text).scan_values(lambda _: True))
    out, position = [], 0
    for token in leaves:
        gap = text[position : token.start_pos]
        # blanks are replaced; where there were none, some may be put in; comments stay
        if (gap and "#" not in gap) or (not gap and rng.random() < 0.5):
            gap = rng.choice(BLANKS)
        if position and rng.random() < 0.03:
            gap += rng.choice(COMMENTS)
        out.append(gap + str(token))
        position = token.end_pos
    return "".join(out) + text[position:]
