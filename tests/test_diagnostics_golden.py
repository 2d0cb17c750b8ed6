"""Golden files for diagnostics: each case is a contract with a mistake and the exact
rendered output `rulebook check` must give for it (message, line, column, caret, hint).

The first line of each case names the diagnostic codes it must produce (`# expect: ...`),
so regenerating the golden text with ``pytest --update-golden`` cannot silently accept a
case that stopped finding its mistake.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from rulebook.load import check_files

ROOT = Path(__file__).resolve().parent.parent
CASES = sorted((ROOT / "tests" / "golden" / "diagnostics").glob("*.sla"))


def test_there_are_at_least_fifteen_distinct_mistakes() -> None:
    codes = {code for case in CASES for code in _expected_codes(case)}
    assert len(CASES) >= 15
    assert len(codes) >= 15, codes


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_diagnostics_match_golden(
    case: Path, update_golden: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)  # diagnostics name the file as given: keep it relative
    relative = case.relative_to(ROOT).as_posix()
    loaded = check_files([relative])
    assert {d.code for d in loaded.diagnostics} == set(_expected_codes(case))
    rendered = "\n\n".join(d.render() for d in loaded.diagnostics) + "\n"
    golden = case.with_suffix(".expected")
    if update_golden or not golden.exists():
        golden.write_text(rendered, encoding="utf-8")
    assert rendered == golden.read_text(encoding="utf-8")


def _expected_codes(case: Path) -> list[str]:
    first = case.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# expect:"), f"{case.name} must start with '# expect: CODES'"
    return first.removeprefix("# expect:").split()


def test_golden_files_have_no_strays() -> None:
    expected = {c.with_suffix(".expected").name for c in CASES}
    present = {p.name for p in (ROOT / "tests" / "golden" / "diagnostics").glob("*.expected")}
    assert present <= expected, present - expected
    assert os.sep not in "".join(expected)
