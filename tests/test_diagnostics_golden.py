"""Golden files for diagnostics: each case is a contract with a mistake and the exact
rendered output `rulebook check` must give for it (message, line, column, caret, hint).

The first line of each case names the diagnostic codes it must produce (`# expect: ...`),
so a case that stopped finding its mistake fails here, and the writer of golden files
(``python -m tests.write_goldens``, see :mod:`tests.goldens`) refuses to write it. A
missing ``.expected`` file fails; no test writes one.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests import goldens

CASES = goldens.diagnostics_cases()


def test_there_are_at_least_fifteen_distinct_mistakes() -> None:
    codes = {code for case in CASES for code in goldens.expected_codes(case)}
    assert len(CASES) >= 15
    assert len(codes) >= 15, codes


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_diagnostics_match_golden(case: Path) -> None:
    codes, rendered = goldens.check_case(case)
    assert codes == set(goldens.expected_codes(case))
    goldens.expect(case.with_suffix(".expected"), rendered)


def test_golden_files_have_no_strays() -> None:
    expected = {c.with_suffix(".expected").name for c in CASES}
    present = {p.name for p in goldens.DIAGNOSTICS.glob("*.expected")}
    assert present <= expected, present - expected
    assert os.sep not in "".join(expected)
