"""A period still running at --as-of is provisional: its `met` is not final."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from rulebook.cli import main

ROOT = Path(__file__).resolve().parent.parent
AOULU = str(ROOT / "examples" / "aoulu-cloud-2026-09.csv")


def run(args: list[str]) -> str:
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def periods(as_of: str | None, engine: str) -> list[dict[str, object]]:
    extra = ["--as-of", as_of] if as_of else []
    out = run(["report", "aoulu-cloud", AOULU, "--format", "json", "--engine", engine, *extra])
    return list(json.loads(out)["periods"])


@pytest.mark.parametrize(
    ("as_of", "provisional"),
    [
        (None, False),
        ("2026-09-29T00:00:00", True),  # inside September
        ("2026-09-30T23:59:59", True),  # its last second
        ("2026-10-01T00:00:00", False),  # September is over (Asia/Tokyo)
        ("2027-01-01T00:00:00", False),
    ],
)
def test_a_period_running_at_as_of_is_provisional(as_of: str | None, provisional: bool) -> None:
    columnar, records = periods(as_of, "columnar"), periods(as_of, "records")
    assert columnar == records  # both evaluators, one document
    assert [p["provisional"] for p in columnar] == [provisional] * len(columnar)
    assert {p["met"] for p in columnar} == {True, False}  # met is still given


@pytest.mark.parametrize("engine", ["columnar", "records"])
def test_tables_mark_the_met_column(engine: str) -> None:
    args = ["report", "aoulu-cloud", AOULU, "--engine", engine, "--as-of", "2026-09-29T00:00:00"]
    table = run(args)
    assert "NO (provisional)" in table and "yes (provisional)" in table
    markdown = run([*args, "--format", "markdown", "--lang", "ja"])
    assert "| 未達（暫定） |" in markdown and "| 達成（暫定） |" in markdown
    final = run(["report", "aoulu-cloud", AOULU, "--engine", engine])
    assert "provisional" not in final


def test_the_periods_frame_has_the_column() -> None:
    from rulebook import adjudicate_frame, load_contract

    result = adjudicate_frame(load_contract("aoulu-cloud"), AOULU, as_of="2026-09-29T00:00:00")
    assert result.periods["provisional"].to_list() == [True, True]


@pytest.mark.parametrize("engine", ["columnar", "records"])
def test_explain_period_says_provisional(engine: str) -> None:
    args = ["explain", "aoulu-cloud", AOULU, "--period", "AOULU 販売", "2026-09"]
    running = run([*args, "--engine", engine, "--as-of", "2026-09-29T00:00:00"])
    assert "missed, provisional: the period is still running)" in running
    assert "provisional" not in run([*args, "--engine", engine])


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_html_report_and_the_csv_mark_it(lang: str) -> None:
    args = ["report", "aoulu-cloud", AOULU, "--lang", lang]
    running = [*args, "--as-of", "2026-09-29T00:00:00"]
    html = run([*running, "--format", "html"])
    mark = "（暫定）" if lang == "ja" else " (provisional)"
    assert f"達成{mark}" in html or f"met{mark}" in html
    assert ("数値は今後変わることがあります" if lang == "ja" else "can still change") in html
    assert mark not in run([*args, "--format", "html"])
    csv_text = run([*running, "--format", "csv"])
    header, *rows = csv_text.lstrip("\ufeff").splitlines()
    column = header.split(",").index("provisional")
    assert rows and all(row.split(",")[column] == "true" for row in rows)
    final = run([*args, "--format", "csv"]).splitlines()[1:]
    assert final and all(row.split(",")[column] == "false" for row in final)
