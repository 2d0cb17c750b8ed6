"""Static checks: what they accept as well as what they reject."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import check_text, codes, contract_text

CITE = 'cite "第1条" "テスト"'


def check(tmp_path: Path, body: str) -> list[str]:
    return codes(check_text(tmp_path, contract_text(body)))


def test_a_clean_contract_has_no_diagnostics(tmp_path: Path) -> None:
    body = f"""
  availability monthly {{ {CITE} period calendar month target >= 99.9% (以上) }}
  downtime stop {{ {CITE} probes smtp, http, https
                  threshold >= 10 min (以上) on stoppage }}
  exclusion war {{ {CITE} when cause in {{war, fire}} including related }}
  remedy free {{ {CITE} when availability < target free 1 month per breached month
                claim by period end + 1 month (まで) }}
"""
    assert check(tmp_path, body) == []


def test_declared_order_resolves_a_contradiction(tmp_path: Path) -> None:
    body = f"""
  exclusion attacks {{ {CITE} when cause = attack }}
  inclusion monitored {{ {CITE} when detected_by = monitoring overrides attacks }}
"""
    assert check(tmp_path, body) == []


def test_an_exception_is_a_declared_order(tmp_path: Path) -> None:
    body = f"""
  exclusion planned {{ {CITE} when cause = planned_maintenance }}
  inclusion unnoticed {{ {CITE} when contact_outdated }}
  exception outdated to planned {{ {CITE} when contact_outdated }}
"""
    # the inclusion still contradicts the exclusion: the exception is a third clause
    assert check(tmp_path, body) == ["contradiction"]


def test_disjoint_exclusion_and_inclusion_do_not_contradict(tmp_path: Path) -> None:
    body = f"""
  exclusion attacks {{ {CITE} when cause = attack }}
  inclusion faults {{ {CITE} when cause = provider_fault }}
"""
    assert check(tmp_path, body) == []


def test_unless_is_taken_into_account_for_never_applies(tmp_path: Path) -> None:
    body = f"exclusion x {{ {CITE} when cause = war unless cause in {{war, fire}} }}"
    assert check(tmp_path, body) == ["never-applies"]


def test_an_exception_that_cannot_hold_with_its_target(tmp_path: Path) -> None:
    body = f"""
  exclusion war {{ {CITE} when cause = war }}
  exception fires to war {{ {CITE} when cause = fire }}
"""
    assert check(tmp_path, body) == ["never-applies"]


def test_overrides_cycle_is_an_exception_cycle(tmp_path: Path) -> None:
    body = f"""
  exclusion a {{ {CITE} when cause = war overrides b }}
  inclusion b {{ {CITE} when cause = war overrides a }}
"""
    assert check(tmp_path, body) == ["exception-cycle"]


@pytest.mark.parametrize(
    ("tiers", "expected"),
    [
        ("tier < 99.9% and >= 99.0% credit 10% tier < 99.0% credit 25%", []),
        ("tier < 99.9% and >= 99.0% credit 10% tier <= 99.0% credit 25%", ["tier-overlap"]),
        ("tier < 99.9% and > 99.0% credit 10% tier < 99.0% credit 25%", ["tier-gap"]),
        ("tier < 99.9% and >= 99.0% credit 10% tier < 98.0% credit 25%", ["tier-gap"]),
        ("tier <= 99.9% and >= 99.0% credit 10% tier < 99.0% credit 25%", ["tier-overlap"]),
        ("tier < 99.5% and >= 99.0% credit 10% tier < 99.0% credit 25%", ["tier-gap"]),
        ("tier < 99.9% and >= 99.0% credit 10% tier < 99.0% and >= 50% credit 25%", ["tier-gap"]),
    ],
    ids=[
        "exact",
        "overlap-at-edge",
        "gap-at-one-value",
        "gap-range",
        "pays-at-target",
        "gap-below-target",
        "no-floor",
    ],
)
def test_credit_tiers(tmp_path: Path, tiers: str, expected: list[str]) -> None:
    body = f"""
  availability monthly {{ {CITE} target >= 99.9% (以上) }}
  remedy credit {{ {CITE} when availability < target {tiers} }}
"""
    assert check(tmp_path, body) == expected


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ("duration <= 30 min (以内)", []),
        ("duration < 30 min (未満)", []),
        ("duration >= 10 min (以上)", []),
        ("duration > 10 min (超)", []),
        ("duration <= 30 min (未満)", ["boundary-word-mismatch"]),
        ("duration >= 10 min (超)", ["boundary-word-mismatch"]),
        ("duration <= 30 min (ぐらい)", ["unknown-boundary-word"]),
        ("duration <= 1 month", ["unit-mismatch"]),
        ("features includes {imap}", []),
        ("features in {imap, pop}", []),
        ("cause includes {war}", ["type-mismatch"]),
        ("features = imap", ["type-mismatch"]),
        ("location = JP", []),
        ("priority = 1", []),
        ("priority = true", ["type-mismatch"]),
        ("contact_outdated", []),
        ("cause", ["type-mismatch"]),
        ("cause is unknown", []),
    ],
)
def test_conditions(tmp_path: Path, condition: str, expected: list[str]) -> None:
    assert check(tmp_path, f"exclusion x {{ {CITE} when {condition} }}") == expected


def test_all_problems_are_reported_at_once(tmp_path: Path) -> None:
    body = f"""
  exclusion a {{ {CITE} when casue = war }}
  exclusion a {{ {CITE} when cause = wr }}
  exclusion b {{ when duration <= 3 minuts }}
"""
    found = check(tmp_path, body)
    assert sorted(found) == sorted(
        ["unknown-fact", "duplicate-id", "unknown-code", "no-citation", "unknown-unit"]
    )


def test_events_and_measures_are_only_valid_in_their_clauses(tmp_path: Path) -> None:
    body = f"""
  exclusion e {{ {CITE} when recognized_at is known }}
  remedy r {{ {CITE} when cause = war }}
"""
    assert check(tmp_path, body) == ["unknown-fact", "unknown-fact"]


def test_defined_by_names_a_downtime_clause_in_an_obligation(tmp_path: Path) -> None:
    report = "from restored_at to report_submitted_at within 1 h"
    body = f"""
  downtime monitored {{ {CITE} when detected_by = monitoring }}
  obligation ok {{ {CITE} {report} when defined by monitored }}
"""
    assert check(tmp_path, body) == []
    assert check(tmp_path, body + f"obligation b {{ {CITE} {report} when defined by ok }}") == [
        "wrong-clause-kind"
    ]
    assert check(tmp_path, body + f"obligation c {{ {CITE} {report} when defined by mon }}") == [
        "unknown-clause"
    ]
    assert check(tmp_path, body + f"exclusion d {{ {CITE} when defined by monitored }}") == [
        "type-mismatch"
    ]


def test_service_is_tested_by_quoted_names(tmp_path: Path) -> None:
    assert check(tmp_path, f'exclusion a {{ {CITE} when service in {{"X*", "Y"}} }}') == []
    assert check(tmp_path, f'exclusion a {{ {CITE} when service != "X" }}') == []
    assert check(tmp_path, f"exclusion a {{ {CITE} when service in {{X}} }}") == ["type-mismatch"]
    assert check(tmp_path, f'exclusion a {{ {CITE} when service includes {{"X"}} }}') == [
        "type-mismatch"
    ]
