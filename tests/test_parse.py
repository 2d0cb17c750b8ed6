"""The parser builds the model: every construct, with positions."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import attrs

from rulebook import model as m
from rulebook.grammar.parser import keywords, parse_text
from tests.helpers import check_text, codes, contract_text

CLICK = contract_text(
    """
  calendar business "当社営業日" {
    cite "第3条" "当社営業日 10:00〜12:00、13:00〜18:00"
    weekdays mon, tue, wed, thu, fri
    holidays JP
    closed 12/30 to 1/3
    closed announced
    hours 10:00-12:00, 13:00-18:00
  }
  maintenance regular {
    cite "第2条 3." "毎月第 4木曜日 22:00 ～ 00:00"
    every 4th thursday 22:00-24:00
    moved to next business day of business
  }
  maintenance planned {
    cite "第2条 2." "作業実施日の 1週間前までにメールにて通知を行います。"
    notice by email at least 1 week before (まで)
    emergency counted
  }
  exclusion short {
    cite "2.(ア)②" "30 分以内で自然解決したもの"
    when (cause in {customer_environment, infrastructure_outage} or cause = unidentified)
      and self_resolved and duration <= 30 min (以内)
    including related
  }
"""
)


def parse(text: str) -> m.Contract:
    parsed, diagnostics = parse_text(text, "t.sla")
    assert diagnostics == [] and parsed is not None
    return parsed.contracts[0]


def test_metadata_and_clause_kinds_in_file_order() -> None:
    contract = parse(CLICK)
    assert contract.id == "t"
    assert contract.get("timezone") == "Asia/Tokyo"
    assert [c.kind for c in contract.clauses] == [
        "calendar",
        "maintenance",
        "maintenance",
        "exclusion",
    ]
    assert len(contract.sha256) == 64


def test_calendar_items() -> None:
    cal = parse(CLICK).clause("business")
    assert isinstance(cal, m.CalendarClause)
    assert cal.title == "当社営業日"
    assert [d.name for d in cal.weekdays] == ["mon", "tue", "wed", "thu", "fri"]
    assert cal.holidays is not None and cal.holidays.name == "JP"
    ((first, last),) = cal.annual_closures
    assert (first.month, first.day, last.month, last.day) == (12, 30, 1, 3)
    assert cal.announced_closures is True
    assert [(h.start, h.end) for h in cal.hours] == [(600, 720), (780, 1080)]


def test_recurring_window_allows_24_00() -> None:
    regular = parse(CLICK).clause("regular")
    assert isinstance(regular, m.MaintenanceClause)
    assert regular.recurrence is not None
    assert regular.recurrence.ordinal == 4
    assert (regular.recurrence.window.start, regular.recurrence.window.end) == (1320, 1440)
    assert regular.moves and regular.moved_on is not None and regular.moved_on.name == "business"


def test_notice_rule_keeps_lead_and_word() -> None:
    planned = parse(CLICK).clause("planned")
    assert isinstance(planned, m.MaintenanceClause)
    (rule,) = planned.notices
    assert rule.channel.name == "email"
    assert rule.lead is not None and (rule.lead.value, rule.lead.unit) == (1, "week")
    assert rule.word is not None and rule.word.word == "まで"


def test_condition_structure_and_precedence() -> None:
    short = parse(CLICK).clause("short")
    assert isinstance(short, m.RuleClause) and short.related
    cond = short.condition
    assert isinstance(cond, m.All) and len(cond.items) == 3
    group, flag, compare = cond.items
    assert isinstance(group, m.Any)
    assert isinstance(flag, m.Flag) and flag.fact == "self_resolved"
    assert isinstance(compare, m.Compare)
    assert compare.op == "<=" and compare.word is not None and compare.word.word == "以内"
    assert compare.value == m.Quantity(Fraction(30), "min", "min", compare.span)


def test_not_binds_tighter_than_and_which_binds_tighter_than_or() -> None:
    c = parse(contract_text("exclusion x { when not a or b and c }")).clause("x")
    assert isinstance(c, m.RuleClause)
    cond = c.condition
    assert isinstance(cond, m.Any)
    assert isinstance(cond.items[0], m.Not)
    assert isinstance(cond.items[1], m.All)


def test_positions_point_at_the_source() -> None:
    contract = parse(CLICK)
    short = contract.clause("short")
    assert short is not None
    line = CLICK.splitlines()[short.span.line - 1]
    assert line[short.span.column - 1 :].startswith("short")


def test_quantities_are_exact() -> None:
    c = parse(contract_text("availability a { target >= 99.95% (以上) }")).clause("a")
    assert isinstance(c, m.AvailabilityClause) and c.target is not None
    assert c.target.quantity.value == Fraction(9995, 100)
    assert c.target.quantity.unit == "%"


def test_business_units_and_deadlines() -> None:
    text = contract_text(
        """
  calendar b { weekdays mon hours 10:00-18:00 }
  obligation o {
    from recognized_at to first_report_at
    within 3 business hours (以内) on b
    when recognized_at during b hours
  }"""
    )
    o = parse(text).clause("o")
    assert isinstance(o, m.ObligationClause)
    assert o.deadline is not None and o.deadline.unit == "business hour"
    assert o.calendar is not None and o.calendar.name == "b"
    assert isinstance(o.condition, m.During)


def test_remedy_formula_and_tiers() -> None:
    text = contract_text(
        """
  remedy r {
    refund monthly_fee * downtime / denominator
    cap monthly_fee per month
    claim by period end + 1 month (まで)
    rounding down to 1 JPY
  }"""
    )
    r = parse(text).clause("r")
    assert isinstance(r, m.RemedyClause)
    assert isinstance(r.refund, m.Binary) and r.refund.op == "/"
    assert isinstance(r.refund.left, m.Binary) and r.refund.left.op == "*"
    assert r.caps[0].per is not None and r.caps[0].per.name == "month"
    assert r.claim_set and r.claim_after is not None and r.claim_after.unit == "month"


def test_an_item_given_twice_is_reported(tmp_path: Path) -> None:
    loaded = check_text(tmp_path, contract_text('exclusion x { cite "a" "b" when war when fire }'))
    assert "duplicate-item" in codes(loaded)


def test_string_escapes() -> None:
    c = parse(contract_text('exclusion x { cite "第1条" "a \\"quoted\\" word" }')).clause("x")
    assert c is not None and c.citation is not None
    assert c.citation.quotes == ('a "quoted" word',)


def test_performance_minimum_lead_work_day_and_probe_interval() -> None:
    text = contract_text(
        """
  performance response { measure response_time <= 3 s (以下) }
  obligation update { from update_announced_at to update_released_at at least 1 month (前まで) }
  maintenance planned { notice by email at least 1 week before work day (まで) }
  downtime d { probes ping every 10 min }"""
    )
    contract = parse(text)
    perf = contract.clause("response")
    assert isinstance(perf, m.PerformanceClause)
    assert perf.measure is not None and perf.measure.name == "response_time"
    assert perf.bound is not None and perf.bound.op == "<="
    update = contract.clause("update")
    assert isinstance(update, m.ObligationClause) and update.minimum
    planned = contract.clause("planned")
    assert isinstance(planned, m.MaintenanceClause) and planned.notices[0].to_work_day
    down = contract.clause("d")
    assert isinstance(down, m.DowntimeClause)
    assert down.probe_interval is not None and down.probe_interval.value == 10


def test_consecutive_is_gone_and_an_old_file_is_told_to_delete_it(tmp_path: Path) -> None:
    """`consecutive` added nothing (every threshold is a continuous length): it is no word of
    the language any more, and a file that still writes it gets `removed-word` at the word,
    with the reason and the fix, instead of a bare syntax error."""
    old = contract_text(
        '  downtime d { cite "定義" "10分以上連続して" threshold >= 10 min consecutive }'
    )
    loaded = check_text(tmp_path, old)
    assert codes(loaded) == ["removed-word"]
    found = loaded.diagnostics[0]
    assert found.severity == "error"
    line = next(i for i, text in enumerate(old.splitlines(), 1) if "consecutive" in text)
    column = old.splitlines()[line - 1].index("consecutive") + 1
    assert (found.span.line, found.span.column) == (line, column)
    assert found.span.end_column - found.span.column == len("consecutive")
    assert found.hint is not None and "delete the word" in found.hint
    # the same file without the word reads, and the threshold is as it was
    down = parse(old.replace(" consecutive", "")).clause("d")
    assert isinstance(down, m.DowntimeClause) and down.threshold is not None
    assert "consecutive" not in {f.name for f in attrs.fields(m.DowntimeClause)}
    assert "consecutive" not in keywords()
    # a clause may still be called `consecutive`: only the keyword is gone
    named = contract_text('  exclusion consecutive { cite "第1条" "x" when cause = war }')
    assert parse(named).clause("consecutive") is not None
