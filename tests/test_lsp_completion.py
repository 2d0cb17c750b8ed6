"""Completion from the grammar at the cursor, and hover on every keyword and boundary word.

Each case is a piece of contract written up to the cursor (the rest of the file follows it
unchanged) and the items completion must offer there: what the grammar takes at that
place, with the names of the vocabulary and of the contract that fit it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from rulebook.grammar.parser import keywords
from rulebook.lsp import features
from rulebook.lsp.analysis import analyse
from rulebook.lsp.completion import completion
from rulebook.lsp.words import BOUNDARY, KEYWORDS

BASE_PATH = Path(__file__).parent / "fixtures" / "recovery" / "base.sla"
BASE = BASE_PATH.read_text(encoding="utf-8")
HEAD, TAIL = BASE.split("  example war_excluded")
RECORD = '    outage m1 "S" from "2026-09-01T00:00:00" to "2026-09-01T01:00:00"'

#: (kind of place, text up to the cursor after HEAD, items that must be there, items that
#: must not be there)
CASES = [
    ("contract body", "  ", {"exclusion", "remedy", "example", "maintenance"}, {"when", "cite"}),
    (
        "remedy body",
        "  remedy r {\n    ",
        {"tier", "free", "refund", "cap", "when", "cite"},
        {"exclusion", "notice", "within"},
    ),
    (
        "start of a condition",
        "  exclusion x {\n    when ",
        {"cause", "self_resolved", "not", "defined"},
        {"exclusion", "war"},
    ),
    (
        "after a fact",
        "  exclusion x {\n    when cause ",
        {"in", "=", "is", "includes", "and"},
        {"cause", "war"},
    ),
    (
        "value of a code fact",
        "  exclusion x {\n    when cause = ",
        {"war", "provider_fault"},
        {"when", "cause", "false"},
    ),
    (
        "in a set of codes",
        "  exclusion x {\n    when cause in {war, ",
        {"fire", "flood"},
        {"when", "location"},
    ),
    (
        "channel after notice by",
        "  maintenance m {\n    notice by ",
        {"email", "website", "any"},
        {"war", "force_majeure"},
    ),
    (
        "unit after a number",
        "  maintenance m {\n    notice by email at least 7 ",
        {"days", "weeks", "min", "business"},
        {"email", "war"},
    ),
    (
        "clause ids after by",
        f"  example e {{\n{RECORD}\n    expect m1 excluded by ",
        {"force_majeure", "customer", "short_self"},
        {"war", "m1"},
    ),
    (
        "records after expect",
        f"  example e {{\n{RECORD}\n    expect ",
        {"m1", "period"},
        {"force_majeure"},
    ),
    (
        "verdicts after expect ID",
        f"  example e {{\n{RECORD}\n    expect m1 ",
        {"counted", "excluded", "not_downtime", "obligation"},
        {"force_majeure"},
    ),
    (
        "clause ids after overrides",
        "  exclusion x {\n    overrides ",
        {"force_majeure", "customer"},
        {"war"},
    ),
    (
        "fields of a record",
        f"  example e {{\n{RECORD} {{ ",
        {"cause", "detected_by"},
        {"when", "war"},
    ),
    ("value of a record field", f"  example e {{\n{RECORD} {{ cause ", {"war"}, {"cause"}),
    (
        "boundary words",
        "  exclusion x {\n    when duration < 10 min (",
        {"未満", "以上", "超"},
        {"前まで"},
    ),
    (
        "deadline words of a notice",
        "  maintenance m {\n    notice by email before (",
        {"前まで", "まで", "前"},
        {"未満"},
    ),
    ("events of a clock", "  obligation o {\n    from ", {"occurred_at", "restored_at"}, {"cause"}),
]


def _complete(piece: str) -> set[str]:
    text = HEAD + piece + "\n  }\n" + "  example war_excluded" + TAIL
    lines = (HEAD + piece).split("\n")
    analysis = analyse(str(BASE_PATH), text)
    return {i.label for i in completion(analysis, len(lines) - 1, len(lines[-1]))}


def test_there_are_ten_kinds_of_places_at_least() -> None:
    assert len(CASES) >= 10


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_completion_offers_what_fits_the_place(case: tuple[str, str, set[str], set[str]]) -> None:
    _, piece, wanted, unwanted = case
    items = _complete(piece)
    assert wanted <= items, wanted - items
    assert not unwanted & items, unwanted & items


def test_the_word_being_typed_is_completed_from_its_place() -> None:
    """`notice by em|`: the channels, as if `em` were not written yet (the editor filters)."""
    assert "email" in _complete("  maintenance m {\n    notice by em")


@pytest.mark.parametrize("piece", ["  # when ", '  exclusion x "title with when '])
def test_nothing_is_offered_in_a_comment_or_a_string(piece: str) -> None:
    assert _complete(piece) == set()


def test_kind_offers_the_kinds() -> None:
    text = BASE.replace("  kind guarantee\n", "  kind \n")
    line = text.split("\n").index("  kind ")
    items = {i.label for i in completion(analyse(str(BASE_PATH), text), line, 7)}
    assert items == {"guarantee", "objective"}


def test_every_keyword_has_a_meaning() -> None:
    assert set(keywords()) <= set(KEYWORDS)


@pytest.mark.parametrize("word", sorted(BOUNDARY))
def test_hover_on_every_boundary_word(word: str) -> None:
    text = BASE.replace("threshold >= 10 min (以上)", f"threshold >= 10 min ({word})")
    line = next(i for i, t in enumerate(text.split("\n")) if f"({word})" in t)
    column = text.split("\n")[line].index(f"({word})") + 1
    analysis = analyse(str(BASE_PATH), text)
    hover = features.hover(analysis, line, column, features.converter(analysis))
    assert hover is not None and f"boundary word {word}**" in hover.contents.value
    assert BOUNDARY[word] in hover.contents.value


@pytest.mark.parametrize("word", ["when", "tier", "including", "cite", "expect", "notice"])
def test_hover_on_a_keyword_gives_its_meaning(word: str) -> None:
    lines = BASE.split("\n")
    line = next(i for i, t in enumerate(lines) if t.strip().startswith(word + " "))
    column = lines[line].index(word) + 1
    analysis = analyse(str(BASE_PATH), BASE)
    hover = features.hover(analysis, line, column, features.converter(analysis))
    assert hover is not None and f"**keyword `{word}`**" in hover.contents.value
    assert KEYWORDS[word][1] in hover.contents.value


def test_hover_on_a_fact_gives_its_vocabulary_entry() -> None:
    lines = BASE.split("\n")
    line = next(i for i, t in enumerate(lines) if "when cause in" in t)
    analysis = analyse(str(BASE_PATH), BASE)
    hover = features.hover(
        analysis, line, lines[line].index("cause") + 1, features.converter(analysis)
    )
    assert hover is not None and "fact `cause`" in hover.contents.value
    assert "原因 / cause" in hover.contents.value


def test_every_meaning_names_a_section_of_the_reference() -> None:
    """The hover says where docs/dsl.md explains the word: that section exists."""
    reference = (Path(__file__).resolve().parent.parent / "docs" / "dsl.md").read_text("utf-8")
    headings = {line[3:].strip() for line in reference.splitlines() if line.startswith("## ")}
    sections = {section for section, _ in KEYWORDS.values()} | {"Japanese boundary words"}
    assert sections <= headings, sections - headings
