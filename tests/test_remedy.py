"""Remedies of every seed, and a generic three-tier credit contract at each band edge."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

import pytest

import rulebook
from rulebook import model as m
from rulebook.examples import run_examples
from rulebook.intake.records import RecordError
from rulebook.load import bundled_dir, check_files
from tests.helpers import check_text, codes, contract_text

START = dt.datetime(2026, 9, 3, 10, 0)  # September 2026: a 30-day month, 2,592,000 s


def down(rid: str, seconds: int, service: str, **facts: Any) -> dict[str, Any]:
    end = START + dt.timedelta(seconds=seconds)
    return {
        "id": rid,
        "service": service,
        "start": START.isoformat(),
        "end": end.isoformat(),
        **facts,
    }


def period(result: rulebook.Adjudication, index: int = 0) -> dict[str, Any]:
    return result.to_dict()["periods"][index]


MAIL = "CYBERMAIL Σ"


def test_cybermail_free_month_claimed_by_the_end_of_the_next_month() -> None:
    contract = rulebook.load_contract("cybermail")
    result = rulebook.adjudicate(
        contract, [down("a", 3600, MAIL, cause="provider_fault", detected_by="monitoring")]
    )
    remedy = period(result)["remedy"]
    assert remedy["kind"] == "free_months" and remedy["months"] == 1
    assert remedy["claim_deadline"] == "2026-11-01T00:00:00+09:00"
    assert remedy["claim_last_day"] == "2026-10-31"
    assert remedy["amount"] is None


def test_cybermail_met_target_owes_nothing() -> None:
    contract = rulebook.load_contract("cybermail")
    result = rulebook.adjudicate(
        contract, [down("a", 2592, MAIL, cause="provider_fault", detected_by="monitoring")]
    )
    assert period(result)["met"] is True and period(result)["remedy"] is None


def test_cybermail_annual_contract_counts_breached_months_in_its_year() -> None:
    contract = rulebook.load_contract("cybermail")
    records = [
        {
            "id": m,
            "service": MAIL,
            "start": f"2026-{m}-03T10:00:00",
            "end": f"2026-{m}-03T12:00:00",
            "cause": "provider_fault",
            "detected_by": "monitoring",
        }
        for m in ("03", "05", "09")
    ]
    billing = [
        {
            "service": MAIL,
            "monthly_fee": "80000",
            "currency": "JPY",
            "term": "annual",
            "contract_start": "2026-04-01",
        }
    ]
    periods = {
        p["period"]: p
        for p in rulebook.adjudicate(contract, records, billing=billing).to_dict()["periods"]
    }
    # March ends before the contract began (2026-04-01): not the customer's period at all
    # (docs/adjudication.md, "The customer's own start").
    assert "2026-03" not in periods
    assert periods["2026-05"]["remedy"]["contract_year"] == {
        "start": "2026-04-01",
        "breached_months": 1,
    }
    assert periods["2026-09"]["remedy"]["contract_year"] == {
        "start": "2026-04-01",
        "breached_months": 2,
    }
    assert periods["2026-04"]["remedy"] is None


def test_nexa_palette_pro_rata_refund_rounded_down_to_the_yen() -> None:
    contract = rulebook.load_contract("nexa-palette")
    billing = [{"service": "ネクサパレット", "monthly_fee": "50000", "currency": "JPY"}]
    result = rulebook.adjudicate(
        contract, [down("a", 3600, "ネクサパレット", cause="provider_fault")], billing=billing
    )
    remedy = period(result)["remedy"]
    assert remedy["kind"] == "refund"
    assert remedy["amount"] == "69"  # 50000 × 3600 / 2592000 = 69.44
    assert "50000 JPY * 3600 s / 2592000 s = 69.4444 JPY" in remedy["formula"]["en"]


def test_nexa_palette_at_its_target_owes_nothing() -> None:
    contract = rulebook.load_contract("nexa-palette")
    billing = [{"service": "ネクサパレット", "monthly_fee": "50000", "currency": "JPY"}]
    result = rulebook.adjudicate(
        contract, [down("a", 1296, "ネクサパレット", cause="provider_fault")], billing=billing
    )
    assert period(result)["availability"] == "99.9500" and period(result)["remedy"] is None


@pytest.mark.parametrize(
    ("claimed", "paid", "capped"), [("30000", "30000", False), ("80000", "50000", True)]
)
def test_skyarch_damages_are_capped_at_one_months_fee(
    claimed: str, paid: str, capped: bool
) -> None:
    contract = rulebook.load_contract("skyarch-sms")
    billing = [
        {
            "service": "システムマネージメントサービス",
            "monthly_fee": "50000",
            "currency": "JPY",
            "damages": {"2026-09": claimed},
        }
    ]
    record = down("a", 3600, "システムマネージメントサービス", cause="provider_fault")
    remedy = period(rulebook.adjudicate(contract, [record], billing=billing))["remedy"]
    assert remedy["kind"] == "damages" and remedy["amount"] == paid and remedy["capped"] is capped


def test_an_objective_reports_the_target_and_owes_nothing() -> None:
    contract = rulebook.load_contract("aoulu-cloud")
    result = rulebook.adjudicate(contract, [down("a", 3600, "AOULU 販売", cause="provider_fault")])
    p = period(result)
    assert p["met"] is False and p["remedy"] is None


# ------------------------------------------------------------------ a three-tier credit

THREE_TIERS = """
  availability monthly { cite "1" "99.9%" period calendar month target >= 99.9% (以上) }
  remedy credit {
    cite "2" "credits"
    when availability < target
    tier < 99.9% and >= 99.0% credit 10%
    tier < 99.0% and >= 95.0% credit 25%
    tier < 95.0% credit 100%
    cap monthly_fee per month
    rounding half_up to 1 JPY
  }
"""


@pytest.fixture(scope="module")
def tiers(tmp_path_factory: pytest.TempPathFactory) -> rulebook.Contract:
    path = tmp_path_factory.mktemp("c") / "tiers.sla"
    path.write_text(contract_text(THREE_TIERS), encoding="utf-8")
    return rulebook.load_contract(path)


@pytest.mark.parametrize(
    ("seconds", "availability", "amount"),
    [
        (2591, "99.9000", None),  # just above 99.9%
        (2592, "99.9000", None),  # exactly 99.9%: the target is met
        (2593, "99.8999", "1000"),  # just below: 10%
        (25919, "99.0000", "1000"),  # just above 99.0%
        (25920, "99.0000", "1000"),  # exactly 99.0%: still 10%
        (25921, "98.9999", "2500"),  # just below: 25%
        (129599, "95.0000", "2500"),
        (129600, "95.0000", "2500"),  # exactly 95.0%: 25%
        (129601, "94.9999", "10000"),  # just below: 100%
    ],
)
def test_credit_tiers_at_every_band_edge(
    tiers: rulebook.Contract, seconds: int, availability: str, amount: str | None
) -> None:
    billing = [{"service": "s", "monthly_fee": "10000", "currency": "JPY"}]
    result = rulebook.adjudicate(tiers, [down("a", seconds, "s")], billing=billing)
    p = period(result)
    assert p["availability"] == availability
    assert (p["remedy"] or {}).get("amount") == amount


def test_yearly_cap_and_minimum(tmp_path: Path) -> None:
    body = """
  availability monthly { cite "1" "99.9%" target >= 99.9% (以上) }
  remedy credit {
    cite "2" "credits"
    when availability < target
    tier < 99.9% credit 50%
    cap monthly_fee * 75% per year
    minimum 100 JPY
  }
"""
    path = tmp_path / "c.sla"
    path.write_text(contract_text(body), encoding="utf-8")
    contract = rulebook.load_contract(path)
    records = [
        {"id": m, "service": "s", "start": f"2026-{m}-03T10:00:00", "end": f"2026-{m}-03T12:00:00"}
        for m in ("05", "06", "07")
    ]
    billing = [
        {"service": "s", "monthly_fee": "10000", "currency": "JPY", "contract_start": "2026-04-01"}
    ]  # 50% a month, at most 75% of a fee a year: 5000, then 2500, then nothing
    paid = [
        p["remedy"]["amount"]
        for p in rulebook.adjudicate(contract, records, billing=billing).to_dict()["periods"]
    ]
    assert paid == ["5000", "2500", "0"]
    # A minimum raises a small amount that is owed, never one a cap has used up.
    small = [
        {"service": "s", "monthly_fee": "150", "currency": "JPY", "contract_start": "2026-04-01"}
    ]
    paid = [
        p["remedy"]["amount"]
        for p in rulebook.adjudicate(contract, records[:1], billing=small).to_dict()["periods"]
    ]
    assert paid == ["100"]  # 50% of 150 = 75, raised to 100


def test_without_a_fee_the_amount_is_not_guessed() -> None:
    contract = rulebook.load_contract("nexa-palette")
    result = rulebook.adjudicate(
        contract, [down("a", 3600, "ネクサパレット", cause="provider_fault")]
    )
    remedy = period(result)["remedy"]
    assert remedy["amount"] is None and "monthly fee" in remedy["formula"]["en"]


@pytest.mark.parametrize(
    ("entry", "field"),
    [
        ({"service": "s", "monthly_fee": "abc", "currency": "JPY"}, "monthly_fee"),
        ({"service": "s", "monthly_fee": "-1", "currency": "JPY"}, "monthly_fee"),
        ({"service": "s", "monthly_fee": "1", "currency": "yen"}, "currency"),
        ({"service": "s", "monthly_fee": "1", "currency": "JPY", "term": "yearly"}, "term"),
        (
            {"service": "s", "monthly_fee": "1", "currency": "JPY", "term": "annual"},
            "contract_start",
        ),
        ({"service": "s", "monthly_fee": "1", "currency": "JPY", "fee": "1"}, "fee"),
    ],
)
def test_bad_billing_names_the_field(entry: dict[str, str], field: str) -> None:
    contract = rulebook.load_contract("nexa-palette")
    with pytest.raises(RecordError) as caught:  # a key that is no field: as --strict
        rulebook.adjudicate(contract, [], billing=[entry], strict=True)
    assert caught.value.field == field


def test_a_billing_key_that_is_no_field_is_left_out_with_the_cli_warning() -> None:
    contract = rulebook.load_contract("nexa-palette")
    entry = {"service": "s", "monthly_fee": "1", "currency": "JPY", "note": "1"}
    result = rulebook.adjudicate(contract, [], billing=[entry])
    assert result.warnings == [
        "warning: billing: 1 column(s) that are no field of billing entries are ignored: "
        "note; accepted: service, monthly_fee, currency, contract_start, term, damages, "
        "claims; map one in rulebook.toml [billing.columns] (false there ignores it without "
        "this warning); --strict refuses them (see docs/formats.md)"
    ]


def test_period_explanations_in_both_languages() -> None:
    contract = rulebook.load_contract("nexa-palette")
    billing = [{"service": "ネクサパレット", "monthly_fee": "50000", "currency": "JPY"}]
    result = rulebook.adjudicate(
        contract, [down("a", 3600, "ネクサパレット", cause="provider_fault")], billing=billing
    )
    en = result.explain_period("ネクサパレット", "2026-09")
    assert "availability 99.8611% (target >= 99.95%: missed)" in en and "paid 69 JPY" in en
    ja = result.explain_period("ネクサパレット", "2026-09", lang="ja", fmt="markdown")
    assert ja.startswith("### ネクサパレット 2026-09") and "支払額 69 JPY" in ja


def test_damages_for_a_period_without_outages_are_refused_not_dropped() -> None:
    contract = rulebook.load_contract("skyarch-sms")
    billing = [
        {
            "service": "システムマネージメントサービス",
            "monthly_fee": "50000",
            "currency": "JPY",
            "damages": {"2026-12": "80000"},
        }
    ]
    record = down("a", 3600, "システムマネージメントサービス", cause="provider_fault")
    with pytest.raises(RecordError, match="claims damages for 2026-12, but no outage record"):
        rulebook.adjudicate(contract, [record], billing=billing)


def _cybermail_periods(
    records: list[dict[str, str]], billing: Any = (), until: str | None = None
) -> dict[str, Any]:
    contract = rulebook.load_contract("cybermail")
    outages = [
        {"service": MAIL, "cause": "provider_fault", "detected_by": "monitoring", **r}
        for r in records
    ]
    result = rulebook.adjudicate(contract, outages, billing=list(billing), until=until)
    return {p["period"]: p for p in result.to_dict()["periods"]}


def test_a_claim_follows_the_month_the_incident_began() -> None:
    # 600 s in September (met), 3600 s in October (breached): claimed by 31 October. The
    # log covers October too (until): by default it covers its records' start months only.
    crossing = [{"id": "x", "start": "2026-09-30T23:50:00", "end": "2026-10-01T01:00:00"}]
    assert _cybermail_periods(crossing)["2026-10"]["no_data"] is True
    periods = _cybermail_periods(crossing, until="2026-11-01")
    assert periods["2026-09"]["remedy"] is None
    remedy = periods["2026-10"]["remedy"]
    assert remedy["claim_deadline"] == "2026-11-01T00:00:00+09:00"
    assert remedy["claim_last_day"] == "2026-10-31"
    assert remedy["claim_last_weekday"] == "Saturday"
    assert remedy["claimed_on"] is None and remedy["forfeited"] is None
    # An incident that begins on 1 October at 00:00 is October's: 30 November.
    periods = _cybermail_periods(
        [{"id": "y", "start": "2026-10-01T00:00:00", "end": "2026-10-01T01:00:00"}]
    )
    assert periods["2026-10"]["remedy"]["claim_last_day"] == "2026-11-30"
    assert periods["2026-10"]["remedy"]["claim_last_weekday"] == "Monday"


def test_a_claim_after_the_last_day_is_forfeited() -> None:
    record = [{"id": "x", "start": "2026-10-02T10:00:00", "end": "2026-10-02T11:00:00"}]
    for claimed, late in (("2026-11-30", False), ("2026-12-01", True)):
        billing = [
            {
                "service": MAIL,
                "monthly_fee": "50000",
                "currency": "JPY",
                "claims": {"2026-10": claimed},
            }
        ]
        remedy = _cybermail_periods(record, billing)["2026-10"]["remedy"]
        assert remedy["claimed_on"] == claimed
        assert remedy["forfeited"] is late
        assert ("forfeited" in remedy["formula"]["en"]) is late


def test_a_bad_claim_day_is_an_input_error() -> None:
    billing = [{"service": MAIL, "monthly_fee": "1", "currency": "JPY", "claims": {"2026-10": "x"}}]
    with pytest.raises(rulebook.RecordError, match=r"claims\.2026-10"):
        _cybermail_periods([], billing)


def test_a_contract_starting_mid_month_is_judged_on_the_customers_part_of_it() -> None:
    billing = [
        {"service": MAIL, "monthly_fee": "1", "currency": "JPY", "contract_start": "2026-10-15"}
    ]
    periods = _cybermail_periods(
        [
            {"id": "sep", "start": "2026-09-03T10:00:00", "end": "2026-09-03T12:00:00"},
            {"id": "oct", "start": "2026-10-03T10:00:00", "end": "2026-10-03T12:00:00"},
            {"id": "late", "start": "2026-10-20T10:00:00", "end": "2026-10-20T10:30:00"},
        ],
        billing,
    )
    assert "2026-09" not in periods  # ended before the contract began: not the customer's
    october = periods["2026-10"]
    # 15 to 31 October: 17 days; only the 30 minutes after the start are the customer's
    assert october["period_seconds"] == october["denominator_seconds"] == 17 * 86400
    assert october["downtime_seconds"] == 1800
    assert october["met"] is False  # 99.9% of 17 days allows 1,468.8 s
    assert october["remedy"]["kind"] == "free_months"


# ------------------------------------------------------------------ per breached month

FREE_MONTHS = Path(__file__).resolve().parent / "fixtures" / "free-months.sla"


def _free_month_contracts() -> dict[str, rulebook.Contract]:
    loaded = check_files([FREE_MONTHS])
    assert not loaded.errors
    return {c.id: c for c in loaded.contracts}


def _example_inputs(example: Any) -> dict[str, Any]:
    return {
        "outages": [dict(o) for o in example.outages],
        "billing": [dict(b) for b in example.billing],
    }


def _months(contract: rulebook.Contract, inputs: dict[str, Any]) -> dict[str, Any]:
    periods = rulebook.adjudicate(contract, **inputs).to_dict()["periods"]
    return {p["period"]: p["remedy"] and p["remedy"]["months"] for p in periods}


def test_per_breached_month_changes_what_an_annual_contract_earns() -> None:
    """The two contracts of the fixture differ only in `per breached month`; on the same
    logs, the annual term's free months differ and the monthly term's do not."""
    contracts = _free_month_contracts()
    per, once = contracts["free-per-breached-month"], contracts["free-once-per-term"]
    remedy_per, remedy_once = per.clause("free_month"), once.clause("free_month")
    assert isinstance(remedy_per, m.RemedyClause) and isinstance(remedy_once, m.RemedyClause)
    assert remedy_per.free_per_breach and not remedy_once.free_per_breach
    assert remedy_per.free == remedy_once.free and remedy_per.condition == remedy_once.condition
    assert [e.id for e in per.examples] == [e.id for e in once.examples]
    figures = {}
    for mine, theirs in zip(per.examples, once.examples, strict=True):
        inputs = _example_inputs(mine)
        assert inputs == _example_inputs(theirs), f"{mine.id}: not the same log"
        figures[mine.id] = (_months(per, inputs), _months(once, inputs))
    # every example of both contracts passes `rulebook test`
    for contract in (per, once):
        assert all(case.passed for case in run_examples(contract)), contract.id
    annual_per, annual_once = figures["annual_term"]
    assert annual_per != annual_once
    assert sum(annual_per[p] or 0 for p in annual_per) > sum(
        annual_once[p] or 0 for p in annual_once
    )
    monthly_per, monthly_once = figures["monthly_term"]
    assert monthly_per == monthly_once


def test_without_per_breached_month_the_year_is_named_in_the_reason() -> None:
    """A breached month after the year's free month owes 0 months, and says why: which
    month earned the year's free month, and that the clause gives it once per term."""
    contracts = _free_month_contracts()
    once = contracts["free-once-per-term"]
    example = next(e for e in once.examples if e.id == "annual_term")
    result = rulebook.adjudicate(once, **_example_inputs(example))
    periods = {p["period"]: p for p in result.to_dict()["periods"]}
    later = periods["2026-09"]["remedy"]
    assert later["months"] == 0
    assert later["contract_year"] == {"start": "2026-04-01", "breached_months": 2}
    assert "already earned its 1 free month(s) in 2026-04" in later["formula"]["en"]
    assert "2026-04 に付与済み" in later["formula"]["ja"]
    text = result.explain_period("S", "2026-09")
    assert "once per annual term, not per breached month" in text
    assert periods["2027-04"]["remedy"]["contract_year"]["start"] == "2027-04-01"
    assert (
        "once for the contract year from 2027-04-01"
        in periods["2027-04"]["remedy"]["formula"]["en"]
    )


def test_cybermail_without_per_breached_month_gives_its_annual_customer_less() -> None:
    """The bundled contract's annual example, under the same contract with the phrase taken
    out: the months after the contract year's first breach earn nothing more."""
    text = (bundled_dir() / "cybermail.sla").read_text(encoding="utf-8")
    assert text.count("free 1 month per breached month") == 1
    with_phrase = rulebook.load_contract("cybermail")
    example = next(e for e in with_phrase.examples if e.id == "annual_contract")
    inputs = _example_inputs(example)
    folder = Path(tempfile.mkdtemp())
    variant = folder / "cybermail.sla"
    variant.write_text(text.replace("free 1 month per breached month", "free 1 month"), "utf-8")
    without = rulebook.load_contract(variant)
    got_with, got_without = _months(with_phrase, inputs), _months(without, inputs)
    breached = [p for p, months in got_with.items() if months]
    assert len(breached) >= 2
    assert [got_with[p] for p in breached] == [1] * len(breached)
    assert got_without[breached[0]] == 1
    assert [got_without[p] for p in breached[1:]] == [0] * (len(breached) - 1)


def test_free_years_are_twelve_months_and_part_of_a_month_is_refused(tmp_path: Path) -> None:
    base = """
  availability a { cite "1" "99.9%" period calendar month target >= 99.9% }
  remedy r { cite "2" "free" when availability < target FREE }"""
    year = tmp_path / "year.sla"
    year.write_text(contract_text(base.replace("FREE", "free 1 year")), encoding="utf-8")
    result = rulebook.adjudicate(rulebook.load_contract(year), [down("a", 3600, "S")])
    assert period(result)["remedy"]["months"] == 12
    for bad in ("free 1.5 month", "free 0 month"):
        loaded = check_text(tmp_path, contract_text(base.replace("FREE", bad)))
        assert codes(loaded) == ["bad-free"], bad
