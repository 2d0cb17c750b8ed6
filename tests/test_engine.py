"""The engine's fixed meanings (DESIGN.md), one test each, on the bundled contracts and on
small contracts written inline."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import rulebook
from rulebook.intake.records import RecordError
from tests.helpers import contract_text

MAIL = "CYBERMAIL Σ"


@pytest.fixture(scope="module")
def cybermail() -> rulebook.Contract:
    return rulebook.load_contract("cybermail")


def outage(rid: str, start: str, end: str | None, **facts: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": rid,
        "service": facts.pop("service", MAIL),
        "start": start,
        "end": end,
    }
    record.update({"detected_by": "monitoring", **facts})
    return record


def by_id(result: rulebook.Adjudication) -> dict[str, dict[str, Any]]:
    return {o["id"]: o for o in result.to_dict()["outages"]}


def test_month_boundary_in_jst_given_utc_inputs(cybermail: rulebook.Contract) -> None:
    # 23:30-00:30 JST across the end of September, written in UTC
    result = rulebook.adjudicate(
        cybermail,
        [outage("a", "2026-09-30T14:30:00Z", "2026-09-30T15:30:00Z", cause="provider_fault")],
    )
    periods = {p["period"]: p for p in result.to_dict()["periods"]}
    assert periods["2026-09"]["downtime_seconds"] == 1800
    assert periods["2026-10"]["downtime_seconds"] == 1800
    segments = by_id(result)["a"]["segments"]
    assert [(s["period"], s["start"], s["end"]) for s in segments] == [
        ("2026-09", "2026-09-30T23:30:00+09:00", "2026-10-01T00:00:00+09:00"),
        ("2026-10", "2026-10-01T00:00:00+09:00", "2026-10-01T00:30:00+09:00"),
    ]


def test_leap_day(cybermail: rulebook.Contract) -> None:
    result = rulebook.adjudicate(
        cybermail,
        [outage("a", "2028-02-28T23:00:00", "2028-02-29T01:00:00", cause="provider_fault")],
    )
    (period,) = result.to_dict()["periods"]
    assert period["period"] == "2028-02"
    assert period["period_seconds"] == 29 * 86400
    assert period["downtime_seconds"] == 7200


@pytest.mark.parametrize(("minutes", "seconds", "met"), [(43, 12, True), (43, 13, False)])
def test_exactly_the_allowed_downtime_meets_the_target(
    cybermail: rulebook.Contract, minutes: int, seconds: int, met: bool
) -> None:
    end = f"2026-09-03T10:{minutes:02d}:{seconds:02d}"
    result = rulebook.adjudicate(
        cybermail, [outage("a", "2026-09-03T10:00:00", end, cause="provider_fault")]
    )
    (period,) = result.to_dict()["periods"]
    assert period["period_seconds"] == 30 * 86400
    assert period["downtime_seconds"] == minutes * 60 + seconds
    assert period["met"] is met
    assert period["availability"] == ("99.9000" if met else "99.8999")


def test_threshold_applies_to_the_physical_stoppage(cybermail: rulebook.Contract) -> None:
    records = [
        outage("a", "2026-09-03T10:00:00", "2026-09-03T10:06:00", cause="provider_fault"),
        outage(
            "b", "2026-09-03T10:05:00", "2026-09-03T10:10:00", cause="provider_fault"
        ),  # run of 10 min
        outage(
            "c", "2026-09-04T10:00:00", "2026-09-04T10:09:59", cause="provider_fault"
        ),  # 9:59 alone
    ]
    outages = by_id(rulebook.adjudicate(cybermail, records))
    assert outages["a"]["verdict"] == outages["b"]["verdict"] == "counted"
    assert outages["c"]["verdict"] == "not_downtime"
    assert outages["c"]["not_downtime_seconds"] == 599
    reason = next(
        r for r in outages["c"]["reasons"] if r["kind"] == "downtime" and r.get("decisive")
    )
    assert "599 s" in reason["detail"]["en"]


def test_threshold_read_per_record_when_the_contract_says_so(tmp_path: Path) -> None:
    body = """
  downtime d { cite "x" "y" threshold >= 10 min (以上) on record }
"""
    path = tmp_path / "c.sla"
    path.write_text(contract_text(body), encoding="utf-8")
    contract = rulebook.load_contract(path)
    records = [
        {"id": "a", "service": "s", "start": "2026-09-03T10:00:00", "end": "2026-09-03T10:06:00"},
        {"id": "b", "service": "s", "start": "2026-09-03T10:05:00", "end": "2026-09-03T10:10:00"},
    ]
    outages = by_id(rulebook.adjudicate(contract, records))
    assert outages["a"]["verdict"] == outages["b"]["verdict"] == "not_downtime"


def test_overlapping_records_with_different_causes_are_never_double_counted(
    cybermail: rulebook.Contract,
) -> None:
    records = [
        outage("a", "2026-09-03T10:00:00", "2026-09-03T11:00:00", cause="attack"),
        outage("b", "2026-09-03T10:30:00", "2026-09-03T11:30:00", cause="provider_fault"),
    ]
    result = rulebook.adjudicate(cybermail, records)
    outages = by_id(result)
    assert outages["a"]["verdict"] == "excluded"
    assert outages["b"]["verdict"] == "counted"
    (period,) = result.to_dict()["periods"]
    assert period["downtime_seconds"] == 3600  # 10:30-11:30, counted once
    assert period["excluded_seconds"] == 1800  # 10:00-10:30: only the attack covers it


def test_caused_by_chain_propagates_a_related_exclusion(cybermail: rulebook.Contract) -> None:
    records = [
        outage("root", "2026-09-03T10:00:00", "2026-09-03T11:00:00", cause="attack"),
        outage(
            "mid",
            "2026-09-03T10:10:00",
            "2026-09-03T11:10:00",
            cause="provider_fault",
            caused_by="root",
        ),
        outage("leaf", "2026-09-05T10:00:00", "2026-09-05T11:00:00", caused_by=["mid"]),
    ]
    outages = by_id(rulebook.adjudicate(cybermail, records))
    assert {o["verdict"] for o in outages.values()} == {"excluded"}
    reason = next(r for r in outages["leaf"]["reasons"] if r.get("decisive"))
    assert reason["clause"] == "attack"
    assert reason["via"] == ["leaf", "mid", "root"]


def test_a_cycle_in_caused_by_is_an_input_error_naming_it(cybermail: rulebook.Contract) -> None:
    records = [
        outage("a", "2026-09-03T10:00:00", "2026-09-03T11:00:00", caused_by="b"),
        outage("b", "2026-09-03T10:00:00", "2026-09-03T11:00:00", caused_by="a"),
    ]
    with pytest.raises(RecordError, match=r"cycle: a -> b -> a"):
        rulebook.adjudicate(cybermail, records)


def test_an_unknown_fact_leaves_the_exclusion_undetermined(cybermail: rulebook.Contract) -> None:
    record = outage("a", "2026-09-03T10:00:00", "2026-09-03T11:00:00")  # cause not given
    o = by_id(rulebook.adjudicate(cybermail, [record]))["a"]
    assert o["verdict"] == "counted"
    attack = next(r for r in o["reasons"] if r["clause"] == "attack")
    assert attack["result"] == "undetermined"
    assert attack["missing"] == ["cause"]
    assert attack["facts"] == {"cause": None}


def test_a_window_excludes_only_its_overlap(cybermail: rulebook.Contract) -> None:
    notice = {
        "id": "N1",
        "service": MAIL,
        "start": "2026-09-03T02:00:00",
        "end": "2026-09-03T03:00:00",
        "announced_at": "2026-09-01T10:00:00",
        "channel": "email",
    }
    record = outage("a", "2026-09-03T02:30:00", "2026-09-03T03:30:00", cause="planned_maintenance")
    o = by_id(rulebook.adjudicate(cybermail, [record], [notice]))["a"]
    assert o["verdict"] == "partly_excluded"
    assert (o["counted_seconds"], o["excluded_seconds"]) == (1800, 1800)
    assert [(s["status"], s["clause"]) for s in o["segments"]] == [
        ("excluded", "notified"),
        ("counted", None),
    ]


def test_a_notice_one_day_short_excludes_nothing_and_says_why() -> None:
    contract = rulebook.load_contract("click-soko")
    notice = {
        "id": "N1",
        "service": "*",
        "start": "2026-09-17T22:00:00",
        "end": "2026-09-17T23:00:00",
        "announced_at": "2026-09-11T09:00:00",
        "channel": "email",
    }
    record = {
        "id": "a",
        "service": "Click So-ko",
        "start": "2026-09-17T22:00:00",
        "end": "2026-09-17T23:00:00",
    }
    o = by_id(rulebook.adjudicate(contract, [record], [notice]))["a"]
    assert o["verdict"] == "counted"
    planned = next(r for r in o["reasons"] if r["clause"] == "planned")
    assert planned["result"] == "does_not_apply"
    assert planned["detail"]["en"] == (
        "announced 6 days 13 h before by email; 第2条 2. requires at least 1 week before the work "
        "day, by email, i.e. by 2026-09-10T00:00:00+09:00"
    )


def test_the_fourth_thursday_on_a_holiday_moves_to_the_next_business_day() -> None:
    contract = rulebook.load_contract("click-soko")
    records = [
        {
            "id": "thu",
            "service": "Click So-ko",
            "start": "2023-11-23T22:00:00",
            "end": "2023-11-23T23:00:00",
        },
        {
            "id": "fri",
            "service": "Click So-ko",
            "start": "2023-11-24T22:00:00",
            "end": "2023-11-24T23:00:00",
        },
    ]
    outages = by_id(rulebook.adjudicate(contract, records))
    assert outages["thu"]["verdict"] == "counted"  # 勤労感謝の日: no window that day
    assert outages["fri"]["verdict"] == "excluded"


def test_a_service_that_is_not_covered(cybermail: rulebook.Contract) -> None:
    record = outage("a", "2026-09-03T10:00:00", "2026-09-03T11:00:00", service="個別対応サービス")
    result = rulebook.adjudicate(cybermail, [record])
    assert by_id(result)["a"]["verdict"] == "out_of_scope"
    assert result.to_dict()["periods"] == []


def test_an_ongoing_record_needs_as_of(cybermail: rulebook.Contract) -> None:
    record = outage("a", "2026-09-03T10:00:00", None, cause="provider_fault")
    with pytest.raises(RecordError, match="as_of"):
        rulebook.adjudicate(cybermail, [record])
    o = by_id(rulebook.adjudicate(cybermail, [record], as_of="2026-09-03T10:20:00"))["a"]
    assert o["ongoing"] and o["counted_seconds"] == 1200


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"end": "2026-09-03T09:00:00"}, "end", "is not after start"),
        ({"start": "yesterday"}, "start", "is not a timestamp"),
        ({"cause": "attak"}, "cause", "did you mean 'attack'"),
        ({"casue": "attack"}, "casue", "did you mean 'cause'"),
        ({"location": "Japan"}, "location", "not an ISO 3166-1 alpha-2"),
        ({"self_resolved": "yes"}, "self_resolved", "not true or false"),
    ],
)
def test_invalid_records_name_record_field_and_accepted_values(
    cybermail: rulebook.Contract, change: dict[str, str], field: str, message: str
) -> None:
    record = {**outage("r7", "2026-09-03T10:00:00", "2026-09-03T11:00:00"), **change}
    with pytest.raises(RecordError) as caught:  # strict: as --strict (a place is unknown)
        rulebook.adjudicate(cybermail, [record], strict=True)
    assert caught.value.record == "r7" and caught.value.field == field
    assert message in str(caught.value)


def test_a_location_that_is_no_country_is_unknown_with_the_clis_warning(
    cybermail: rulebook.Contract,
) -> None:
    record = {**outage("r7", "2026-09-03T10:00:00", "2026-09-03T11:00:00"), "location": "Japan"}
    result = rulebook.adjudicate(cybermail, [record])
    assert len(result.warnings) == 1 and "Japan" in result.warnings[0]
    assert result.warnings == rulebook.adjudicate_frame(cybermail, [record]).warnings


def test_duplicate_ids_are_an_input_error(cybermail: rulebook.Contract) -> None:
    record = outage("a", "2026-09-03T10:00:00", "2026-09-03T11:00:00")
    with pytest.raises(RecordError, match="used twice"):
        rulebook.adjudicate(cybermail, [record, dict(record)])


def test_same_inputs_in_any_order_give_the_same_bytes(cybermail: rulebook.Contract) -> None:
    records = [
        outage("a", "2026-09-03T10:00:00", "2026-09-03T11:00:00", cause="attack"),
        outage("b", "2026-09-03T10:30:00", "2026-09-03T11:30:00", cause="provider_fault"),
        outage("c", "2026-09-30T23:50:00", "2026-10-01T00:20:00"),
    ]
    first = rulebook.adjudicate(cybermail, records).to_json()
    assert rulebook.adjudicate(cybermail, list(reversed(records))).to_json() == first
    data = json.loads(first)
    assert data["format"] == 1
    assert data["contract"]["id"] == "cybermail" and len(data["contract"]["sha256"]) == 64


def test_explanations_in_both_languages_and_formats(cybermail: rulebook.Contract) -> None:
    record = outage("a", "2026-09-03T10:00:00", "2026-09-03T11:00:00", cause="attack")
    result = rulebook.adjudicate(cybermail, [record])
    en = result.explain("a")
    assert "excluded" in en and "DDoS 攻撃等、第三者による妨害行為その他の攻撃を受けた場合" in en
    assert "cause = attack (attack (DDoS or other interference))" in en
    ja = result.explain("a", lang="ja")
    assert "除外" in ja and "原因 = attack (DDoS 攻撃等の妨害行為)" in ja
    md = result.explain("a", fmt="markdown", full=True)
    assert md.startswith("### Record a") and "> DDoS" in md
    assert len(md) > len(result.explain("a", fmt="markdown"))


@pytest.mark.parametrize(("minutes", "verdict"), [(30, "excluded"), (31, "counted")])
def test_duration_is_derived_from_the_record_30_minutes_exactly_is_within(
    minutes: int, verdict: str
) -> None:
    contract = rulebook.load_contract("nexa-palette")
    record = {
        "id": "a",
        "service": "ネクサパレット",
        "start": "2026-09-03T10:00:00",
        "end": f"2026-09-03T10:{minutes:02d}:00",
        "cause": "unidentified",
        "self_resolved": "true",
    }
    assert by_id(rulebook.adjudicate(contract, [record]))["a"]["verdict"] == verdict


def test_a_cancelled_exclusion_names_what_cancelled_it(tmp_path: Path) -> None:
    body = """
  exclusion planned { cite "x" "y" when cause = planned_maintenance }
  exception outdated to planned { cite "x" "z" when contact_outdated }
"""
    path = tmp_path / "c.sla"
    path.write_text(contract_text(body), encoding="utf-8")
    contract = rulebook.load_contract(path)
    base = {
        "id": "a",
        "service": "s",
        "start": "2026-09-03T10:00:00",
        "end": "2026-09-03T11:00:00",
        "cause": "planned_maintenance",
    }
    cancelled = by_id(rulebook.adjudicate(contract, [{**base, "contact_outdated": "true"}]))["a"]
    reason = next(r for r in cancelled["reasons"] if r["clause"] == "planned")
    assert (reason["result"], reason["cancelled_by"]) == ("does_not_apply", "outdated")
    maybe = by_id(rulebook.adjudicate(contract, [base]))["a"]
    reason = next(r for r in maybe["reasons"] if r["clause"] == "planned")
    assert (reason["result"], reason["cancelled_by"]) == ("undetermined", "outdated")
    assert reason["missing"] == ["contact_outdated"]


def _demo(tmp_path: Path, body: str) -> rulebook.Contract:
    path = tmp_path / "demo.sla"
    path.write_text(contract_text(body), encoding="utf-8")
    return rulebook.load_contract(path)


def test_a_maintenance_when_unknown_excludes_nothing_and_names_the_fact(tmp_path: Path) -> None:
    contract = _demo(
        tmp_path,
        'maintenance m { cite "1" "通知" notice by email before when contact_outdated }',
    )
    notice = {
        "id": "n",
        "service": "S",
        "start": "2026-09-03T01:00:00",
        "end": "2026-09-03T02:00:00",
        "announced_at": "2026-09-01T00:00:00",
        "channel": "email",
    }
    records = [
        {
            "id": "yes",
            "service": "S",
            "start": "2026-09-03T01:00:00",
            "end": "2026-09-03T02:30:00",
            "contact_outdated": True,
        },
        {
            "id": "maybe",
            "service": "S",
            "start": "2026-09-03T01:00:00",
            "end": "2026-09-03T02:00:00",
        },
    ]
    result = rulebook.adjudicate(contract, records, notices=[notice])
    got = by_id(result)
    assert (got["yes"]["excluded_seconds"], got["yes"]["counted_seconds"]) == (3600, 1800)
    assert got["maybe"]["verdict"] == "counted"
    reason = next(r for r in got["maybe"]["reasons"] if r["clause"] == "m")
    assert reason["result"] == "undetermined" and reason["missing"] == ["contact_outdated"]


def test_a_service_glob_decides_an_exclusion_and_is_shown(tmp_path: Path) -> None:
    contract = _demo(tmp_path, 'exclusion chat { cite "1" "チャット" when service in {"*CHAT"} }')
    records = [
        {
            "id": "a",
            "service": "CYBERCHAT",
            "start": "2026-09-03T01:00:00",
            "end": "2026-09-03T02:00:00",
        },
        {
            "id": "b",
            "service": "CHAT 2",
            "start": "2026-09-03T01:00:00",
            "end": "2026-09-03T02:00:00",
        },
    ]
    got = by_id(rulebook.adjudicate(contract, records))
    assert got["a"]["verdict"] == "excluded" and got["b"]["verdict"] == "counted"
    reason = next(r for r in got["a"]["reasons"] if r["clause"] == "chat")
    assert reason["facts"] == {"service": "CYBERCHAT"}
