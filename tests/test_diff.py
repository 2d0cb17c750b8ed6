"""``rulebook diff OLD NEW [OUTAGES]`` (issue 30, first part): clauses added, removed and
changed with both citations, and on a log the records, periods and money that change. Three
amendments, each computed by hand: a tier edge moved, a new exclusion, a longer notice lead."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from rulebook.cli import main

ROOT = Path(__file__).resolve().parent.parent

BASE = """import "vocabulary.sla"

contract tiers {
  title "T"
  provider "P"
  source "t.txt"
  language ja
  timezone "Asia/Tokyo"
  kind guarantee

  services scope {
    cite "第1条" "対象"
    covers "S"
  }

  availability monthly {
    cite "第2条" "月間稼働率 99.9%%以上"
    period calendar month
    target >= 99.9%% (以上)
  }
%(extra)s
  remedy credit {
    cite "第4条" "月額料金に対するクレジット"
    when availability < target
    tier < 99.9%% and >= %(edge)s%% credit 10%%
    tier < %(edge)s%% credit 25%%
  }
}
"""

FIVE_HOURS = {"service": "S", "start": "2026-09-03T10:00:00", "end": "2026-09-03T15:00:00"}
BILLING = {"service": "S", "monthly_fee": "10000", "currency": "JPY"}


def contract(tmp_path: Path, name: str, edge: str = "99.0", extra: str = "") -> str:
    shutil.copy(ROOT / "contracts" / "vocabulary.sla", tmp_path / "vocabulary.sla")
    path = tmp_path / f"{name}.sla"
    path.write_text(BASE % {"edge": edge, "extra": extra}, encoding="utf-8")
    return str(path)


def diff(
    tmp_path: Path, old: str, new: str, outages: list[dict[str, Any]], *more: str
) -> dict[str, Any]:
    log = tmp_path / "log.jsonl"
    log.write_text("".join(json.dumps(o) + "\n" for o in outages), encoding="utf-8")
    billing = tmp_path / "billing.jsonl"
    billing.write_text(json.dumps(BILLING) + "\n", encoding="utf-8")
    args = ["diff", old, new, str(log), "--billing", str(billing), "--format", "json", *more]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_a_moved_tier_edge_shows_its_lines_and_the_money(tmp_path: Path) -> None:
    old = contract(tmp_path, "old")
    new = contract(tmp_path, "new", edge="99.5")
    data = diff(tmp_path, old, new, [{"id": "a", "cause": "provider_fault", **FIVE_HOURS}])
    (clause,) = data["clauses"]
    assert clause["clause"] == "credit" and clause["change"] == "changed"
    assert clause["removed"] == ["tier < 99.9% and >= 99.0% credit 10%", "tier < 99.0% credit 25%"]
    assert clause["added"] == ["tier < 99.9% and >= 99.5% credit 10%", "tier < 99.5% credit 25%"]
    assert clause["old_citation"]["article"] == clause["new_citation"]["article"] == "第4条"
    effect = data["effect"]
    assert effect["records"] == []  # the verdicts do not change, the money does
    (period,) = effect["periods"]
    # 5 h of a 30-day month: 99.3055 %, in the 10 % band before and the 25 % band after
    assert (period["old_availability"], period["new_availability"]) == ("99.3055", "99.3055")
    assert (period["old_amount"], period["new_amount"]) == ("1000", "2500")
    (money,) = effect["money"]
    assert money["difference"] == "1500"
    assert effect["total"] == [
        {
            "currency": "JPY",
            "old_amount": "1000",
            "new_amount": "2500",
            "difference": "1500",
            "free_months_difference": 0,
        }
    ]


def test_a_new_exclusion_names_itself_as_the_reason(tmp_path: Path) -> None:
    old = contract(tmp_path, "old")
    attack = """
  exclusion attack "攻撃" {
    cite "第3条" "攻撃による停止は除く"
    when cause = attack
  }
"""
    new = contract(tmp_path, "new", extra=attack)
    data = diff(tmp_path, old, new, [{"id": "a", "cause": "attack", **FIVE_HOURS}])
    (clause,) = data["clauses"]
    assert (clause["clause"], clause["change"], clause["old_citation"]) == ("attack", "added", None)
    assert clause["added"] == ['cite "第3条" "攻撃による停止は除く"', "when cause = attack"]
    (record,) = data["effect"]["records"]
    assert (record["old_verdict"], record["new_verdict"]) == ("counted", "excluded")
    assert (record["old_counted_seconds"], record["new_counted_seconds"]) == (18000, 0)
    assert record["new_why"] == "attack 「攻撃」 (第3条)"
    assert data["effect"]["total"][0]["difference"] == "-1000"


def test_a_longer_notice_lead_counts_the_stop_it_no_longer_covers(tmp_path: Path) -> None:
    lead = """
  maintenance planned "計画停止" {
    cite "第5条" "%s前までに通知"
    notice by email at least %s before
  }
"""
    old = contract(tmp_path, "old", extra=lead % ("1日", "1 day"))
    new = contract(tmp_path, "new", extra=lead % ("7日", "7 day"))
    notices = tmp_path / "notices.jsonl"
    notice = {
        "id": "n",
        "service": "S",
        "start": FIVE_HOURS["start"],
        "end": FIVE_HOURS["end"],
        "announced_at": "2026-08-31T10:00:00",
        "channel": "email",
    }
    notices.write_text(json.dumps(notice) + "\n", encoding="utf-8")
    stop = {"id": "m", "cause": "planned_maintenance", **FIVE_HOURS}
    data = diff(tmp_path, old, new, [stop], "--notices", str(notices))
    (clause,) = data["clauses"]
    assert clause["removed"] == [
        'cite "第5条" "1日前までに通知"',
        "notice by email at least 1 day before",
    ]
    assert clause["added"] == [
        'cite "第5条" "7日前までに通知"',
        "notice by email at least 7 day before",
    ]
    (record,) = data["effect"]["records"]
    assert (record["old_verdict"], record["new_verdict"]) == ("excluded", "counted")
    assert data["effect"]["total"][0]["difference"] == "1000"


def test_the_same_contract_twice_changes_nothing(tmp_path: Path) -> None:
    old = contract(tmp_path, "old")
    data = diff(tmp_path, old, old, [{"id": "a", "cause": "provider_fault", **FIVE_HOURS}])
    assert data["clauses"] == []
    assert data["effect"]["records"] == data["effect"]["periods"] == []
    assert data["effect"]["total"][0]["difference"] == "0"


def test_text_markdown_and_html(tmp_path: Path) -> None:
    old = contract(tmp_path, "old")
    new = contract(tmp_path, "new", edge="99.5")
    runner = CliRunner()
    text = runner.invoke(main, ["diff", old, new])
    assert text.exit_code == 0, text.output
    assert "- tier < 99.0% credit 25%" in text.stdout and "+ tier < 99.5% credit 25%" in text.stdout
    markdown = runner.invoke(main, ["diff", old, new, "--format", "markdown", "--lang", "ja"])
    assert "```diff" in markdown.stdout and "変更" in markdown.stdout
    out = tmp_path / "diff.html"
    html = runner.invoke(main, ["diff", old, new, "--format", "html", "-o", str(out)])
    assert html.exit_code == 0, html.output
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert "+ tier &lt; 99.5% credit 25%" in page  # escaped


def test_a_version_with_errors_is_refused(tmp_path: Path) -> None:
    old = contract(tmp_path, "old")
    broken = tmp_path / "broken.sla"
    broken.write_text((tmp_path / "old.sla").read_text("utf-8").replace("tier <", "tier"), "utf-8")
    result = CliRunner().invoke(main, ["diff", old, str(broken)])
    assert result.exit_code == 1
    assert "broken.sla" in result.output


def test_diff_refuses_an_engine_it_does_not_run() -> None:
    """diff joins the columnar plan's frames: another --engine is refused, not ignored."""
    from tests.helpers import run_cli

    log = str(ROOT / "examples" / "cybermail-2026-09.csv")
    for engine in ("stream", "records", "spark"):
        code, out, err = run_cli(["diff", "cybermail", "cybermail", log, "--engine", engine])
        assert code == 2 and out == ""
        assert f"--engine {engine} is not supported (leave --engine out)" in err
