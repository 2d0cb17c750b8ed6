"""Branch coverage of contracts by their examples: `rulebook test --coverage`, the HTML
pages of `--coverage-html`, and `--fail-under` on the share of branches taken."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from rulebook.cli import main
from tests.helpers import contract_text

TIERS = contract_text(
    """  availability monthly { cite "第2条" "99.9%以上" period calendar month target >= 99.9% }
  remedy credit "クレジット" {
    cite "第4条" "月間稼働率に応じてクレジットを付与します。"
    when availability < target
    tier < 99.9% and >= 99.0% credit 10%
    tier < 99.0% credit 50%
  }
  example one_hour "1時間の停止: 99.8611% で 10%" {
    outage a "S" from "2026-09-03T10:00:00" to "2026-09-03T11:00:00" { cause provider_fault }
    billing "S" { monthly_fee "100000" currency JPY }
    expect period "S" "2026-09" missed
    expect period "S" "2026-09" remedy credit 10000 JPY
  }
  example ten_minutes "10分の停止: 99.9768% で達成" {
    outage a "S" from "2026-09-03T10:00:00" to "2026-09-03T10:10:00" { cause provider_fault }
    billing "S" { monthly_fee "100000" currency JPY }
    expect period "S" "2026-09" met
    expect period "S" "2026-09" remedy none
  }"""
)


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.stdout, result.stderr


def line_of(text: str, part: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if part in line)


def test_an_unreached_tier_is_a_branch_never_taken_and_fails_under_100(tmp_path: Path) -> None:
    path = tmp_path / "c.sla"
    path.write_text(TIERS, encoding="utf-8")
    code, out, err = run("test", "--coverage", "--fail-under", "100", str(path))
    fifty = line_of(TIERS, "credit 50%")
    assert out.splitlines()[3:] == [
        "coverage: the branches of each clause the examples took",
        "  contract  clause   kind          branches  cover  missing",
        "  t         monthly  availability  2/2       100%",
        f"  t         credit   remedy        3/4       75%    {fifty} tier 2 reached",
        "5 of 6 branch(es) taken: 83%",
    ]
    assert code == 1 and "rulebook: coverage 83% is under 100%" in err
    # a share no coverage can reach is a usage error, not a run that always fails
    code, _, err = run("test", "--coverage", "--fail-under", "150", str(path))
    assert code == 2 and "150.0 is not in the range 0<=x<=100" in err
    # the clause-level view of old said 100%: the remedy applies and does not apply
    assert run("test", "--fail-under", "83", str(path))[0] == 0


def test_an_example_reaching_the_tier_takes_the_branch(tmp_path: Path) -> None:
    # 9 hours of a 30-day month: (2592000 - 32400) / 2592000 = 98.75 % < 99.0 %: 50 %.
    more = """  example nine_hours "9時間の停止: 98.75% で 50%" {
    outage a "S" from "2026-09-03T10:00:00" to "2026-09-03T19:00:00" { cause provider_fault }
    billing "S" { monthly_fee "100000" currency JPY }
    expect period "S" "2026-09" remedy credit 50000 JPY
  }
}
"""
    path = tmp_path / "c.sla"
    path.write_text(TIERS.rstrip().removesuffix("}") + more, encoding="utf-8")
    code, out, _ = run("test", "--coverage", "--fail-under", "100", str(path))
    assert code == 0, out
    assert out.splitlines()[-1] == "6 of 6 branch(es) taken: 100%"


def test_branches_of_each_clause_kind_are_listed_with_their_lines(tmp_path: Path) -> None:
    body = """  downtime d { cite "第1条" "10分以上" threshold >= 10 min (以上) when detected_by = monitoring }
  exclusion war { cite "第4条" "戦争" when cause = war including related }
  exception peace to war { cite "第5条" "例外" when self_resolved }
  example e {
    outage a "S" from "2026-09-03T10:00:00" to "2026-09-03T11:00:00" { cause war detected_by monitoring self_resolved false }
    expect a excluded by war
  }"""
    text = contract_text(body)
    path = tmp_path / "c.sla"
    path.write_text(text, encoding="utf-8")
    code, out, _ = run("test", "--coverage", str(path))
    assert code == 0
    rows = {line.split()[1]: line for line in out.splitlines() if line.startswith("  t ")}
    d, war = line_of(text, "downtime d"), line_of(text, "exclusion war")
    assert rows["d"].split()[3:] == [
        "1/3",
        "33%",
        *f"{d} ruled out by `when` or the probes, {d} a stoppage under the threshold".split(),
    ]
    assert (
        f"{war} does not apply, {war} applies through a cause (including related), {line_of(text, 'exception peace')} cancelled by peace"
        in rows["war"]
    )
    assert rows["peace"].split()[3:7] == [
        "1/2",
        "50%",
        str(line_of(text, "exception peace")),
        "taken",
    ]


def test_the_html_pages_mark_each_line_and_are_the_same_bytes_each_time(tmp_path: Path) -> None:
    path = tmp_path / "c.sla"
    path.write_text(TIERS, encoding="utf-8")
    code, _, err = run("test", "--coverage-html", str(tmp_path / "html"), str(path))
    assert code == 0 and f"coverage pages written to {tmp_path / 'html' / 'index.html'}" in err
    index = (tmp_path / "html" / "index.html").read_text(encoding="utf-8")
    assert "Branch coverage of the contracts: 83%" in index
    assert re.search(r'<a href="t.html">t</a></td><td>[^<]*c.sla</td>', index)
    page = (tmp_path / "html" / "t.html").read_text(encoding="utf-8")
    fifty, ten = line_of(TIERS, "credit 50%"), line_of(TIERS, "credit 10%")
    assert f'<p id="t{fifty}" class="mis"' in page
    assert "never taken: credit: tier 2 reached</span>" in page
    assert f'<p id="t{ten}" class="run" title="taken: credit: tier 1 reached"' in page
    assert 'e.key === "j"' in page and "<link" not in page and "src=" not in page
    first = page
    run("test", "--coverage-html", str(tmp_path / "html"), str(path))
    assert (tmp_path / "html" / "t.html").read_text(encoding="utf-8") == first


def test_each_bundled_contract_prints_its_branches_and_is_fully_covered() -> None:
    code, out, _ = run("test", "--coverage", "--fail-under", "100")
    rows = [line for line in out.splitlines() if line.startswith("  ") and "/" in line]
    contracts = {row.split()[0] for row in rows}
    assert contracts == {"aoulu-cloud", "click-soko", "cybermail", "nexa-palette", "skyarch-sms"}
    assert code == 0 and out.splitlines()[-1].endswith("branch(es) taken: 100%")


def test_the_html_page_in_a_browser_jumps_to_the_lines_never_taken(tmp_path: Path) -> None:
    """Keyboard navigation as coverage.py's: `j` to the next line with a branch never taken,
    `k` back; nothing fetched, no script error."""
    import pytest

    from tests.browser import Page, chromium

    executable = chromium()
    if executable is None:
        pytest.skip("chromium is not installed (apt-get install chromium): browser tests skipped")
    pytest.importorskip("websocket", reason="websocket-client is not installed (the test extra)")
    text = TIERS.replace("credit 10%", "credit 10%\n    cap monthly_fee per month", 1)
    path = tmp_path / "c.sla"
    path.write_text(text, encoding="utf-8")
    run("test", "--coverage-html", str(tmp_path / "html"), str(path))
    page = Page(executable)
    try:
        page.open((tmp_path / "html" / "t.html").as_uri())
        current = "document.querySelector('p.current') && document.querySelector('p.current').id"
        press = "document.dispatchEvent(new KeyboardEvent('keydown', {key: '%s'}))"
        fifty, cap = line_of(text, "credit 50%"), line_of(text, "cap monthly_fee")
        assert page.evaluate(current) is None
        assert cap < fifty
        page.evaluate(press % "j")
        assert page.evaluate(current) == f"t{cap}"  # the first line with a branch never taken
        page.evaluate(press % "j")
        assert page.evaluate(current) == f"t{fifty}"
        page.evaluate(press % "k")
        assert page.evaluate(current) == f"t{cap}"
        assert page.errors() == []
        assert all(url.startswith("file:") for url in page.requests())
    finally:
        page.close()
