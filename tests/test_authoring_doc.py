"""The tutorial's contract is real: assembled from docs/authoring.md's blocks, it checks
clean, is in the canonical layout, and its examples pass with every clause covered."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from rulebook.cli import main
from rulebook.grammar.layout import format_text

ROOT = Path(__file__).resolve().parent.parent
BLOCKS = re.findall(r"```sla\n(.*?)```", (ROOT / "docs" / "authoring.md").read_text("utf-8"), re.S)


def test_the_tutorial_contract_checks_tests_and_is_formatted(tmp_path: Path) -> None:
    clauses, examples = BLOCKS
    text = clauses.rstrip().removesuffix("}") + "\n" + examples + "}\n"
    assert format_text(text)[0] == text
    path = tmp_path / "sample.sla"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["test", "--coverage", "--fail-under", "100", str(path)])
    assert result.exit_code == 0, result.output
    assert "2 passed, 0 failed" in result.output
