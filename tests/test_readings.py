"""Readings, round three (docs/readings.md): the constructs behind its four principles —
`excluded by` with exceptions to several obligations, leads never given, the customer's own
start, remedies by their own records — refused where they make no sense and explained
where they decide. The contracts' own examples (`rulebook test`, the differential suite)
hold the figures; these hold what the examples cannot say."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import rulebook
from tests.helpers import check_text, codes, contract_text

CITE = 'cite "第1条" "テスト"'


def check(tmp_path: Path, body: str) -> list[str]:
    return codes(check_text(tmp_path, contract_text(body)))


def test_excluded_by_is_for_obligations_only(tmp_path: Path) -> None:
    body = f"""
  exclusion war {{ {CITE} when cause = war }}
  exclusion odd {{ {CITE} when excluded by war }}
"""
    assert check(tmp_path, body) == ["type-mismatch"]


def test_an_exception_lifts_several_obligations_once(tmp_path: Path) -> None:
    body = f"""
  exclusion war {{ {CITE} when cause = war }}
  obligation first {{ {CITE} from detected_at to first_report_at within 1 h }}
  obligation second {{ {CITE} from detected_at to restored_at within 6 h }}
  exception lift to first, second {{ {CITE} when excluded by war }}
"""
    assert check(tmp_path, body) == []


def test_an_exception_that_also_narrows_an_exclusion_cannot_read_verdicts(
    tmp_path: Path,
) -> None:
    body = f"""
  exclusion war {{ {CITE} when cause = war }}
  exclusion fire {{ {CITE} when cause = fire }}
  obligation first {{ {CITE} from detected_at to first_report_at within 1 h }}
  exception lift to first, fire {{ {CITE} when excluded by war }}
"""
    assert check(tmp_path, body) == ["type-mismatch"]


def test_excluded_by_names_exclusions_and_maintenance(tmp_path: Path) -> None:
    body = f"""
  exclusion war {{ {CITE} when cause = war }}
  inclusion ours {{ {CITE} when detected_by = monitoring overrides war }}
  obligation first {{ {CITE} from detected_at to first_report_at within 1 h
                      unless excluded by ours }}
  obligation second {{ {CITE} from detected_at to restored_at within 6 h
                       unless excluded by peace }}
"""
    assert check(tmp_path, body) == ["wrong-clause-kind", "unknown-clause"]


def test_records_time_needs_its_records_and_records_need_a_use(tmp_path: Path) -> None:
    unbound = f"""
  remedy damages {{ {CITE} when records_time > 0 s cap monthly_fee }}
"""
    unused = f"""
  remedy damages {{ {CITE} records where cause = provider_fault cap monthly_fee }}
"""
    used = f"""
  remedy refund {{ {CITE} records where cause = provider_fault
                   refund monthly_fee * records_time / denominator }}
"""
    assert check(tmp_path, unbound) == ["no-records-condition"]
    assert check(tmp_path, unused) == ["unused-records"]
    assert check(tmp_path, used) == []


def test_records_where_names_record_facts_not_measures(tmp_path: Path) -> None:
    body = f"""
  remedy damages {{ {CITE} records where availability < target when records_time > 0 s }}
"""
    assert "unknown-fact" in check(tmp_path, body)


def outage(rid: str, start: str, end: str, **facts: Any) -> dict[str, Any]:
    return {"id": rid, "service": "AOULU 販売", "start": start, "end": end, **facts}


def test_the_explanation_names_the_exclusion_that_lifted_the_obligation() -> None:
    contract = rulebook.load_contract("aoulu-cloud")
    quake = outage(
        "quake",
        "2026-10-03T10:00:00",
        "2026-10-03T12:00:00",
        cause="natural_disaster",
        location="JP",
        protocol="https",
        status_posted_at="2026-10-03T11:30:00",
    )
    result = rulebook.adjudicate(contract, [quake])
    obligations = result.to_dict()["outages"][0]["obligations"]
    status = next(o for o in obligations if o["clause"] == "status_notice")
    assert status["verdict"] == "not_applicable"
    assert status["exception"] == "outside_slo"
    assert status["lifted_by"] == ["beyond_control"]
    for lang, words in (("en", "excluded by beyond_control"), ("ja", "beyond_control により除外")):
        assert words in result.explain("quake", lang=lang)
    frames = rulebook.adjudicate_frame(contract, [quake])
    assert frames.explain("quake", "en") == result.explain("quake", lang="en")


def test_a_contract_year_never_begins_before_the_contract() -> None:
    contract = rulebook.load_contract("cybermail")
    sep = {
        "id": "sep",
        "service": "CYBERMAIL Σ",
        "start": "2026-09-20T10:00:00",
        "end": "2026-09-20T10:22:00",
        "cause": "provider_fault",
        "detected_by": "monitoring",
        "protocol": "smtp",
    }
    billing = [
        {
            "service": "CYBERMAIL Σ",
            "monthly_fee": "50000",
            "currency": "JPY",
            "term": "annual",
            "contract_start": "2026-09-16",
        }
    ]
    for document in (
        rulebook.adjudicate(contract, [sep], billing=billing).to_dict(),
        rulebook.adjudicate_frame(contract, [sep], billing=billing).to_dict(),
    ):
        (period,) = document["periods"]
        assert period["period_seconds"] == 15 * 86400
        assert period["remedy"]["contract_year"] == {"start": "2026-09-16", "breached_months": 1}


def test_a_lead_never_given_is_missed_and_says_so() -> None:
    contract = rulebook.load_contract("aoulu-cloud")
    update = outage(
        "u",
        "2026-09-20T10:00:00",
        "2026-09-20T10:30:00",
        cause="provider_fault",
        location="JP",
        protocol="https",
        update_released_at="2026-09-20T10:00:00",
    )
    result = rulebook.adjudicate(contract, [update])
    obligations = result.to_dict()["outages"][0]["obligations"]
    ob = next(o for o in obligations if o["clause"] == "update_notice")
    assert ob["verdict"] == "missed"
    assert ob["start"] is None
    assert ob["deadline"] == "2026-08-20T10:00:00+09:00"
    assert ob["detail"]["en"].startswith("no update_announced_at at all")
