"""Helpers to write contracts inline in tests, and to run the command line."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from rulebook.cli import main
from rulebook.load import Loaded, check_files

HEADER = """import "vocabulary.sla"

contract t {
  title "テスト"
  provider "テスト株式会社"
  source "test.txt"
  language ja
  timezone "Asia/Tokyo"
  kind guarantee
"""


def contract_text(body: str, header: str = HEADER) -> str:
    """A complete contract around clause text ``body``."""
    return header + body + "\n}\n"


def check_text(tmp_path: Path, text: str, name: str = "t.sla") -> Loaded:
    """Write ``text`` to a file and check it."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return check_files([path])


def codes(loaded: Loaded) -> list[str]:
    """The diagnostic codes found, in order."""
    return [d.code for d in loaded.diagnostics]


def run_cli(args: list[str], stdin: bytes | str | None = None) -> tuple[int, str, str]:
    """Run the command line: exit code, stdout, stderr (an unexpected exception raised)."""
    result = CliRunner().invoke(main, args, input=stdin)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr
