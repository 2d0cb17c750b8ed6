"""The authoring commands on the command line: fmt, and test's -k and --coverage."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from rulebook.cli import main
from tests.helpers import contract_text

MESSY = contract_text('exclusion war { cite "第4条" "戦争"   when cause = war }  # 戦争')


def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), input=stdin)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.stdout, result.stderr


def test_fmt_check_reports_an_unformatted_file_and_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "c.sla"
    path.write_text(MESSY, encoding="utf-8")
    code, _, err = run("fmt", "--check", str(path))
    assert (code, err) == (1, f"would reformat {path}\n")
    assert path.read_text(encoding="utf-8") == MESSY


def test_fmt_rewrites_the_file_and_then_check_passes(tmp_path: Path) -> None:
    path = tmp_path / "c.sla"
    path.write_text(MESSY, encoding="utf-8")
    assert run("fmt", str(path))[0] == 0
    formatted = path.read_text(encoding="utf-8")
    assert (
        '  exclusion war {\n    cite "第4条" "戦争"\n    when cause = war\n  }  # 戦争\n'
        in formatted
    )
    assert run("fmt", "--check", str(path)) == (0, "", "")


def test_fmt_reads_stdin_and_writes_stdout() -> None:
    code, out, _ = run("fmt", "-", stdin='contract x {title "t"}')
    assert (code, out) == (0, 'contract x {\n  title "t"\n}\n')


def test_fmt_check_of_stdin_prints_nothing_and_says_by_its_exit_code() -> None:
    """``fmt --check -`` printed the formatted text and exited 0, as ``fmt -`` does."""
    assert run("fmt", "--check", "-", stdin=MESSY) == (1, "", "would reformat -\n")
    formatted = run("fmt", "-", stdin=MESSY)[1]
    assert run("fmt", "--check", "-", stdin=formatted) == (0, "", "")


def test_fmt_leaves_a_file_with_syntax_errors_alone(tmp_path: Path) -> None:
    path = tmp_path / "c.sla"
    text = contract_text("exclusion { }")
    path.write_text(text, encoding="utf-8")
    code, _, err = run("fmt", str(path))
    assert code == 1 and "error[syntax]: unexpected '{'" in err
    assert path.read_text(encoding="utf-8") == text


EXAMPLES = contract_text(
    """  exclusion war { cite "第4条" "戦争" when cause = war }
  exclusion fire { cite "第5条" "火災" when cause = fire }
  example war_applies "戦争は除外" {
    outage a "S" from "2026-09-03T10:00:00" to "2026-09-03T11:00:00" { cause war }
    expect a excluded by war
  }
  example peace {
    outage a "S" from "2026-09-03T10:00:00" to "2026-09-03T11:00:00" { cause provider_fault }
    expect a excluded by war
  }"""
)


def test_test_k_selects_examples_and_a_failure_names_its_line_expected_and_actual(
    tmp_path: Path,
) -> None:
    path = tmp_path / "c.sla"
    path.write_text(EXAMPLES, encoding="utf-8")
    code, out, _ = run("test", "-k", "peace", str(path))
    where = f"{path}:18: "
    assert (code, out.splitlines()) == (
        1,
        [
            "FAIL t peace",
            f"     {where}expected a excluded by war",
            f"     {' ' * len(where)}actual   counted",
            "0 passed, 1 failed (-k peace)",
        ],
    )
    code, out, _ = run("test", "-k", "戦争", str(path))
    assert code == 0 and out.splitlines()[0] == "PASS t war_applies — 戦争は除外"
    assert run("test", "-k", "not peace", str(path))[0] == 0


def test_test_coverage_lists_each_clause_and_fail_under_fails_below(tmp_path: Path) -> None:
    path = tmp_path / "c.sla"
    path.write_text(EXAMPLES, encoding="utf-8")
    code, out, err = run("test", "-k", "war_applies", "--coverage", "--fail-under", "60", str(path))
    assert out.splitlines()[2:] == [
        "coverage: the branches of each clause the examples took",
        "  contract  clause  kind       branches  cover  missing",
        "  t         war     exclusion  1/2       50%    10 does not apply",
        "  t         fire    exclusion  1/2       50%    11 applies",
        "2 of 4 branch(es) taken: 50%",
    ]
    assert code == 1 and "coverage 50% is under 60%" in err


def test_test_reports_an_example_record_that_is_not_valid_input(tmp_path: Path) -> None:
    path = tmp_path / "c.sla"
    body = """  exclusion war { cite "第4条" "戦争" when cause = war }
  example typo {
    outage a "S" from "2026-09-03T10:00:00" to "2026-09-03T11:00:00" { cause wat }
    expect a excluded by war
  }"""
    path.write_text(contract_text(body), encoding="utf-8")
    assert run("check", str(path))[0] == 0  # check does not run the engine
    code, out, _ = run("test", str(path))
    lines = out.splitlines()
    assert code == 1 and lines[0] == "FAIL t typo"
    assert lines[1] == f"     {path}:11: expected records that are valid input"
    assert "actual   bad input:" in lines[2] and "wat" in lines[2]
