"""Syntax error recovery: every mistake of a file in one run, cascades not reported, and
no text of any shape makes the parser crash or loop (hypothesis)."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from rulebook.grammar.parser import parse_text

ROOT = Path(__file__).resolve().parent.parent
CYBERMAIL = (ROOT / "contracts" / "cybermail.sla").read_text(encoding="utf-8")
HEAD = 'import "vocabulary.sla"\ncontract t {\n  title "t"\n'


def syntax_lines(text: str) -> list[int]:
    parsed, diagnostics = parse_text(text, "t.sla")
    assert parsed is None and all(d.code == "syntax" for d in diagnostics)
    return [d.span.line for d in diagnostics]


def test_three_mistakes_give_three_errors() -> None:
    text = HEAD + (
        "  exclusion a {\n"  # 4
        '    cite "1" "x"\n'
        "    when cause in {war, fire\n"  # 6: the set is not closed
        "  }\n"
        '  exclusion b { cite "2" "y" when cause = }\n'  # 8: no value
        '  exclusion c { cite "3" "z" when cause = war }\n'
        '  exclusoin d { cite "4" "w" when cause = fire }\n'  # 10: misspelt keyword
        "}\n"
    )
    # line 6's set takes line 7's brace: the clause is found open at line 8
    assert syntax_lines(text) == [8, 8, 10]


def test_a_block_left_open_is_one_error_at_the_next_clause() -> None:
    text = HEAD + '  exclusion a {\n    cite "1" "x"\n  exclusion b { cite "2" "y" }\n}\n'
    _, diagnostics = parse_text(text, "t.sla")
    assert [(d.span.line, d.hint) for d in diagnostics] == [
        (6, "the '{' on line 4 is not closed: is a '}' missing above?")
    ]


def test_an_unterminated_string_does_not_cascade_into_its_continuation() -> None:
    text = HEAD + '  exclusion a {\n    cite "1" "x\n      "more"\n    when war\n  }\n}\n'
    assert syntax_lines(text) == [5]


def test_a_missing_brace_at_the_end_is_one_error() -> None:
    text = HEAD + '  exclusion a { cite "1" "x" when war\n'
    assert len(syntax_lines(text)) == 1


# No shrinking: shrinking a damaged 20 kB contract takes minutes; the failing text is shown.
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)
@given(st.data())
def test_any_damage_to_a_contract_gives_diagnostics_not_a_crash(data: st.DataObject) -> None:
    text = CYBERMAIL
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(text)))
        cut = data.draw(st.integers(0, 12))
        junk = data.draw(
            st.sampled_from(["", "{", "}", '"', "（", "when", "exclusion x", "#", "\n"])
        )
        text = text[:at] + junk + text[at + cut :]
    parsed, diagnostics = parse_text(text, "t.sla")
    assert parsed is not None or diagnostics
    lines = text.count("\n") + 2
    assert all(0 < d.span.line <= lines for d in diagnostics)


def test_a_deeply_nested_condition_with_a_piece_cut_out_is_a_diagnostic() -> None:
    """Cuts in a condition 250 `and`/`or` deep: recovery tries tokens on copies of the
    parser, and a deep copy of its value stack ran out of recursion (`rulebook check`
    stopped with a traceback). Each cut is a syntax error at its place now."""
    import random

    from rulebook.grammar.parser import parse_recovering

    path = Path(__file__).parent / "hostile" / "inputs" / "contracts" / "and-or-250.sla"
    text = path.read_text(encoding="utf-8")
    rng = random.Random(1)  # the draws that found it: four of the sixty ran out
    for _ in range(60):
        at = rng.randrange(len(text))
        variant = text[:at] + text[at + rng.randint(1, 5) :]
        parsed, diagnostics, _ = parse_recovering(variant, "cut.sla")
        assert parsed is not None or diagnostics
        assert all(d.code != "internal" for d in diagnostics)


def _two_dangling_ands() -> tuple[str, list[int]]:
    """The bundled cybermail contract with `and` left at the end of two `when` lines."""
    lines = CYBERMAIL.split("\n")
    whens = [i for i, line in enumerate(lines) if line.strip().startswith("when cause = ")][:2]
    for i in whens:
        lines[i] += " and"
    return "\n".join(lines), [i + 1 for i in whens]


def test_two_dangling_ands_are_two_diagnostics_in_check(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from rulebook.cli import main

    text, lines = _two_dangling_ands()
    path = tmp_path / "cybermail.sla"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(path)])
    assert result.exit_code == 1
    found = [int(line.split(":")[1]) for line in result.output.splitlines() if "error[" in line]
    assert found == lines
    assert result.output.count("the line ends with 'and'") == 2


def test_a_keyword_inside_a_name_does_not_split_it() -> None:
    text = HEAD + '  exclusion a {\n    cite "1" "x"\n    when cause notified\n  }\n}\n'
    _, diagnostics = parse_text(text, "t.sla")
    assert [(d.span.line, d.span.column, d.message) for d in diagnostics] == [
        (6, 16, "unexpected name 'notified'")
    ]
