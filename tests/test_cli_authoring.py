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
    assert "  exclusion war {\n    cite \"第4条\" \"戦争\"\n    when cause = war\n  }  # 戦争\n" in formatted
    assert run("fmt", "--check", str(path)) == (0, "", "")


def test_fmt_reads_stdin_and_writes_stdout() -> None:
    code, out, _ = run("fmt", "-", stdin='contract x {title "t"}')
    assert (code, out) == (0, 'contract x {\n  title "t"\n}\n')


def test_fmt_leaves_a_file_with_syntax_errors_alone(tmp_path: Path) -> None:
    path = tmp_path / "c.sla"
    text = contract_text("exclusion { }")
    path.write_text(text, encoding="utf-8")
    code, _, err = run("fmt", str(path))
    assert code == 1 and "error[syntax]: unexpected '{'" in err
    assert path.read_text(encoding="utf-8") == text
