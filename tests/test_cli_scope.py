"""Never silently empty: out-of-scope records and an empty --period are warned about on
stderr (errors with --strict); a malformed --period is a usage error."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner

from rulebook.cli import main
from rulebook.load import load_contract
from rulebook.mapping.compile import scope_warning

ROOT = Path(__file__).resolve().parent.parent
AOULU = str(ROOT / "examples" / "aoulu-cloud-2026-09.csv")


def run(args: list[str]) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, args)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def renamed(tmp_path: Path) -> str:
    """The aoulu example with two records' services misspelt or unknown."""
    with open(AOULU, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    rows[1][1] = "AOULU 販壳"  # a typo of 'AOULU 販売'
    rows[2][1] = "Bogus Storage"
    rows[3][1] = "Bogus Storage"
    path = tmp_path / "renamed.csv"
    with open(path, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    return str(path)


@pytest.mark.parametrize("engine", ["columnar", "records"])
@pytest.mark.parametrize("command", ["report", "adjudicate"])
def test_out_of_scope_records_are_warned_about(renamed: str, engine: str, command: str) -> None:
    code, out, err = run([command, "aoulu-cloud", renamed, "--engine", engine])
    assert code == 0
    assert "warning: 3 record(s) of 2 service(s) are out of scope" in err
    assert "AOULU 販壳 (1 record(s)): did you mean 'AOULU 販売'?" in err
    assert "Bogus Storage (2 record(s))" in err
    assert "add it to the contract's `covers`" in err
    assert "warning" not in out  # stdout is the report only
    _, clean, _ = run([command, "aoulu-cloud", AOULU, "--engine", engine])
    assert out.splitlines()[0] == clean.splitlines()[0]


@pytest.mark.parametrize("engine", ["columnar", "records"])
def test_strict_makes_the_warning_an_error(renamed: str, engine: str) -> None:
    code, out, err = run(["report", "aoulu-cloud", renamed, "--engine", engine, "--strict"])
    assert code == 1
    assert out  # the report is still written
    assert "out of scope" in err and "--strict" in err


def test_a_clean_log_warns_nothing_even_strict() -> None:
    code, _, err = run(["report", "aoulu-cloud", AOULU, "--strict"])
    assert (code, err) == (0, "")


def test_compare_warns_per_contract_and_strict_fails() -> None:
    log = str(ROOT / "examples" / "cybermail-2026-09.csv")
    args = ["compare", log, "--contract", "cybermail", "--contract", "aoulu-cloud"]
    code, _, err = run(args)
    assert code == 0
    assert "1 record(s) of 1 service(s) are out of scope: contract cybermail" in err
    assert "13 record(s) of 3 service(s) are out of scope: contract aoulu-cloud" in err
    code, out, strict = run([*args, "--strict"])
    assert code == 1 and out  # the comparison is still written
    assert strict == err + "rulebook: --strict: warnings are errors; see above\n"


@pytest.mark.parametrize("engine", ["columnar", "records"])
def test_a_period_without_records_is_warned_about(engine: str) -> None:
    args = ["report", "aoulu-cloud", AOULU, "--period", "2026-10", "--engine", engine]
    code, _, err = run(args)
    assert code == 0
    assert "warning: no record falls in period 2026-10 (periods seen: 2026-09 to 2026-09)" in err
    code, _, strict = run([*args, "--strict"])
    assert code == 1
    assert strict == err + "rulebook: --strict: warnings are errors; see above\n"
    code, out, err = run(["report", "aoulu-cloud", AOULU, "--period", "2026-09", "--strict"])
    assert (code, err) == (0, "") and "2026-09" in out


@pytest.mark.parametrize("period", ["2026-13", "2026-00", "2026-9", "202609", "2026-Q1", "x"])
def test_a_malformed_period_is_a_usage_error(period: str) -> None:
    code, _, err = run(["report", "aoulu-cloud", AOULU, "--period", period])
    assert code == 2
    assert "give YYYY-MM" in err
    assert "Traceback" not in err


def test_many_services_are_cut_at_ten() -> None:
    contract = load_contract("aoulu-cloud")
    text = scope_warning(contract, {f"svc-{i:02d}": 1 for i in range(13)})
    assert text is not None
    assert "13 record(s) of 13 service(s)" in text
    assert "svc-09" in text and "svc-10" not in text
    assert "and 3 more" in text
    assert scope_warning(contract, {}) is None


def test_a_quarterly_contract_takes_quarters(tmp_path: Path) -> None:
    text = (ROOT / "contracts" / "aoulu-cloud.sla").read_text(encoding="utf-8")
    text = text.replace("period calendar month", "period quarter", 1)
    text = "\n".join(line for line in text.splitlines() if 'expect period "' not in line)
    path = tmp_path / "quarterly.sla"
    path.write_text(text, encoding="utf-8")
    code, _, err = run(["report", str(path), AOULU, "--period", "2026-09"])
    assert code == 2 and "(quarterly): give YYYY-Qn" in err
    code, out, err = run(["report", str(path), AOULU, "--period", "2026-Q3", "--strict"])
    assert (code, err) == (0, ""), err
    assert "2026-Q3" in out
