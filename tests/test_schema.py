"""The JSON document of an adjudication matches docs/adjudication.schema.json.

Real adjudications under the five bundled contracts (and one inline contract with an
exception and an override) are validated against the schema with the standard validator,
and deliberately broken documents must fail it.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

import rulebook
from tests.helpers import contract_text

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "docs" / "adjudication.schema.json"

MAIL = "CYBERMAIL Σ"
SOKO = "Click So-ko"
NEXA = "ネクサパレット"
AOULU = "AOULU 販売"
SMS = "システムマネージメントサービス"


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def rec(rid: str, service: str, start: str, end: str | None, **facts: Any) -> dict[str, Any]:
    return {"id": rid, "service": service, "start": start, "end": end, **facts}


def cybermail() -> rulebook.Adjudication:
    """Counted, excluded, partly excluded by a notice, not downtime, out of scope,
    undetermined, a caused_by chain, overlapping records and an ongoing record."""
    records = [
        rec(
            "a",
            MAIL,
            "2026-09-03T10:00:00",
            "2026-09-03T10:45:00",
            cause="provider_fault",
            detected_by="monitoring",
            features=["mail_sending"],
        ),
        rec(
            "b",
            MAIL,
            "2026-09-03T02:30:00",
            "2026-09-03T03:30:00",
            cause="planned_maintenance",
            detected_by="monitoring",
        ),
        rec("c", "個別対応サービス", "2026-09-03T10:00:00", "2026-09-03T11:00:00"),
        rec("d", MAIL, "2026-09-05T10:00:00", "2026-09-05T10:05:00", detected_by="monitoring"),
        rec("e", MAIL, "2026-09-07T10:00:00", "2026-09-07T11:00:00"),  # nothing known
        rec("f", MAIL, "2026-09-08T10:00:00", "2026-09-08T11:00:00", detected_by="customer"),
        rec(
            "root",
            MAIL,
            "2026-09-10T10:00:00",
            "2026-09-10T11:00:00",
            cause="attack",
            detected_by="monitoring",
        ),
        rec(
            "mid",
            MAIL,
            "2026-09-10T10:30:00",
            "2026-09-10T11:30:00",
            cause="provider_fault",
            caused_by="root",
            detected_by="monitoring",
        ),
        rec(
            "leaf",
            MAIL,
            "2026-09-12T10:00:00",
            "2026-09-12T11:00:00",
            caused_by=["mid"],
            detected_by="monitoring",
        ),
        rec(
            "late",
            MAIL,
            "2026-09-30T23:30:00",
            None,
            cause="provider_fault",
            detected_by="monitoring",
            protocol="smtp",
        ),
    ]
    notices = [
        {
            "id": "N1",
            "service": MAIL,
            "start": "2026-09-03T02:00:00",
            "end": "2026-09-03T03:00:00",
            "announced_at": "2026-09-01T10:00:00",
            "channel": "email",
        },
    ]
    contract = rulebook.load_contract("cybermail")
    return rulebook.adjudicate(contract, records, notices, as_of="2026-10-01T00:30:00+09:00")


def click_soko() -> rulebook.Adjudication:
    """A regular window moved past a holiday, a notice one day short, no availability clause."""
    records = [
        rec("thu", SOKO, "2023-11-23T22:00:00", "2023-11-23T23:00:00"),
        rec("fri", SOKO, "2023-11-24T21:30:00", "2023-11-24T23:00:00"),
        rec("late", SOKO, "2023-11-17T22:00:00", "2023-11-17T23:00:00", cause="force_majeure"),
    ]
    notices = [
        {
            "id": "N1",
            "service": "*",
            "start": "2023-11-17T22:00:00",
            "end": "2023-11-17T23:00:00",
            "announced_at": "2023-11-11T09:00:00",
            "channel": "email",
        },
    ]
    return rulebook.adjudicate(rulebook.load_contract("click-soko"), records, notices)


def nexa_palette() -> rulebook.Adjudication:
    """Announced maintenance taken out of the denominator; a month boundary in UTC input."""
    records = [
        rec("n1", NEXA, "2026-09-30T14:30:00Z", "2026-09-30T15:30:00Z", cause="provider_fault"),
        rec("n2", NEXA, "2026-09-15T01:00:00", "2026-09-15T03:00:00"),
        rec(
            "n3",
            NEXA,
            "2026-09-16T10:00:00",
            "2026-09-16T10:20:00",
            cause="access_line",
            self_resolved=True,
        ),
    ]
    notices = [
        {
            "id": "M1",
            "service": NEXA,
            "start": "2026-09-15T00:00:00",
            "end": "2026-09-15T02:00:00",
            "announced_at": "2026-09-01T00:00:00",
            "channel": "website",
        },
    ]
    return rulebook.adjudicate(rulebook.load_contract("nexa-palette"), records, notices)


def aoulu_cloud() -> rulebook.Adjudication:
    """Use outside Japan, a notice without announced_at (undetermined window), two services."""
    records = [
        rec("j1", AOULU, "2026-09-03T10:00:00", "2026-09-03T10:03:00", location="US"),
        rec(
            "j2",
            AOULU,
            "2026-09-04T01:00:00",
            "2026-09-04T03:00:00",
            cause="planned_maintenance",
            location="JP",
            protocol="https",
        ),
        rec(
            "j3",
            "AOULU 電子便",
            "2026-09-05T01:00:00",
            "2026-09-05T01:00:30",
            protocol="https",
            location="JP",
            cause="provider_fault",
        ),
        rec("j4", AOULU, "2026-09-06T01:00:00", "2026-09-06T02:00:00", protocol="http"),
    ]
    notices = [
        {
            "id": "M1",
            "service": "*",
            "start": "2026-09-04T00:00:00",
            "end": "2026-09-04T02:00:00",
            "announced_at": "2026-03-01T00:00:00",
            "channel": "user_guide",
        },
        {
            "id": "M2",
            "service": AOULU,
            "start": "2026-09-04T02:30:00",
            "end": "2026-09-04T02:45:00",
            "channel": "top_page",
        },
    ]
    return rulebook.adjudicate(rulebook.load_contract("aoulu-cloud"), records, notices)


def skyarch_sms() -> rulebook.Adjudication:
    """Probes: a protocol that is not probed is not downtime; a suspension is excluded."""
    records = [
        rec(
            "s1",
            SMS,
            "2026-09-03T10:00:00",
            "2026-09-03T10:05:00",
            protocol="imap",
            detected_by="monitoring",
        ),
        rec(
            "s2",
            SMS,
            "2026-09-03T11:00:00",
            "2026-09-03T11:05:00",
            protocol="ping",
            detected_by="monitoring",
            cause="service_suspension",
        ),
        rec("s3", SMS, "2026-09-03T12:00:00", "2026-09-03T12:05:00", protocol="ping"),
    ]
    return rulebook.adjudicate(rulebook.load_contract("skyarch-sms"), records)


PRECEDENCE = """
  availability monthly {
    cite "第1条" "月間稼働率 99.9% 以上"
    period calendar month
    target >= 99.9% (以上)
  }
  exclusion customer {
    cite "第2条" "お客様の作為に起因する場合"
    when cause = customer_action
  }
  exception stale to customer {
    cite "第2条" "ただし連絡先が更新されていなかった場合はこの限りではない"
    when contact_outdated
  }
  exclusion http {
    cite "第3条" "暗号化されていない通信"
    when protocol = http
  }
  inclusion monitored_http {
    cite "第3条" "ただし当社監視で検知したものは含む"
    when protocol = http and detected_by = monitoring
    overrides http, customer
  }
"""


def precedence(tmp_path: Path) -> rulebook.Adjudication:
    """An exception and an override: reasons with cancelled_by."""
    path = tmp_path / "precedence.sla"
    path.write_text(contract_text(PRECEDENCE), encoding="utf-8")
    records = [
        rec(
            "x1",
            "S",
            "2026-09-03T10:00:00",
            "2026-09-03T11:00:00",
            cause="customer_action",
            contact_outdated=True,
        ),
        rec("x2", "S", "2026-09-04T10:00:00", "2026-09-04T11:00:00", cause="customer_action"),
        rec(
            "x3",
            "S",
            "2026-09-05T10:00:00",
            "2026-09-05T11:00:00",
            protocol="http",
            detected_by="monitoring",
        ),
        rec(
            "x4",
            "S",
            "2026-09-06T10:00:00",
            "2026-09-06T11:00:00",
            protocol="http",
            contact_outdated=False,
            cause="customer_action",
        ),
    ]
    return rulebook.adjudicate(rulebook.load_contract(path), records)


BUNDLED: dict[str, Callable[[], rulebook.Adjudication]] = {
    "cybermail": cybermail,
    "click-soko": click_soko,
    "nexa-palette": nexa_palette,
    "aoulu-cloud": aoulu_cloud,
    "skyarch-sms": skyarch_sms,
}


def errors(validator: Draft202012Validator, document: Any) -> list[str]:
    return [
        f"{'/'.join(str(p) for p in e.absolute_path)}: {e.message}"
        for e in validator.iter_errors(document)
    ]


@pytest.fixture(scope="module")
def documents(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """The parsed JSON of every adjudication, by name."""
    results = {name: make() for name, make in BUNDLED.items()}
    results["precedence"] = precedence(tmp_path_factory.mktemp("contracts"))
    return {name: json.loads(result.to_json()) for name, result in results.items()}


def test_the_schema_is_a_valid_draft_2020_12_schema() -> None:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize("name", [*BUNDLED, "precedence"])
def test_real_adjudications_match_the_schema(
    validator: Draft202012Validator, documents: dict[str, dict[str, Any]], name: str
) -> None:
    assert errors(validator, documents[name]) == []


@pytest.mark.parametrize("name", list(BUNDLED))
def test_the_indented_json_is_the_same_document(
    validator: Draft202012Validator, documents: dict[str, dict[str, Any]], name: str
) -> None:
    indented = json.loads(BUNDLED[name]().to_json(indent=2))
    assert indented == documents[name]
    assert errors(validator, indented) == []


def test_the_documents_cover_every_verdict_status_result_and_reason_part(
    documents: dict[str, dict[str, Any]],
) -> None:
    """The validated documents exercise every enumerated value and every optional part, so a
    schema that wrongly refused one of them would be caught here."""
    outages = [o for d in documents.values() for o in d["outages"]]
    reasons = [r for o in outages for r in o["reasons"]]
    periods = [p for d in documents.values() for p in d["periods"]]
    assert {o["verdict"] for o in outages} == {
        "counted",
        "excluded",
        "partly_excluded",
        "not_downtime",
        "out_of_scope",
    }
    assert {s["status"] for o in outages for s in o["segments"]} == {
        "counted",
        "excluded",
        "not_downtime",
        "out_of_scope",
    }
    assert {r["result"] for r in reasons} == {"applies", "does_not_apply", "undetermined"}
    assert {r["kind"] for r in reasons} == {
        "services",
        "downtime",
        "exclusion",
        "inclusion",
        "maintenance",
    }
    optional = {"decisive", "facts", "missing", "detail", "via", "cancelled_by"}
    assert optional <= {key for r in reasons for key in r}
    assert any(o["ongoing"] for o in outages)
    assert {d["as_of"] is None for d in documents.values()} == {True, False}
    assert {p["met"] for p in periods} == {True, False, None}
    assert {p["target"] is None for p in periods} == {True, False}
    assert any(p["denominator_seconds"] < p["period_seconds"] for p in periods)
    assert {p["remedy"] is None for p in periods} == {True, False}


def remedies() -> list[rulebook.Adjudication]:
    """Free months in an annual term, a pro-rata refund, capped damages, and a refund owed
    without a known fee."""
    cyber = rulebook.load_contract("cybermail")
    nexa = rulebook.load_contract("nexa-palette")
    sky = rulebook.load_contract("skyarch-sms")
    two_hours = ("2026-09-03T10:00:00", "2026-09-03T12:00:00")
    return [
        rulebook.adjudicate(
            cyber,
            [rec("a", MAIL, *two_hours, detected_by="monitoring")],
            billing=[
                {
                    "service": MAIL,
                    "monthly_fee": "50000",
                    "currency": "JPY",
                    "contract_start": "2026-04-01",
                    "term": "annual",
                },
            ],
        ),
        rulebook.adjudicate(
            nexa,
            [rec("a", NEXA, *two_hours)],
            billing=[{"service": NEXA, "monthly_fee": "33333", "currency": "JPY"}],
        ),
        rulebook.adjudicate(nexa, [rec("a", NEXA, *two_hours)]),
        rulebook.adjudicate(
            sky,
            [rec("a", SMS, *two_hours)],
            billing=[
                {
                    "service": SMS,
                    "monthly_fee": "100000",
                    "currency": "JPY",
                    "damages": {"2026-09": "250000"},
                },
            ],
        ),
    ]


def test_remedies_match_the_schema(validator: Draft202012Validator) -> None:
    documents = [json.loads(result.to_json()) for result in remedies()]
    for document in documents:
        assert errors(validator, document) == []
    owed = [p["remedy"] for d in documents for p in d["periods"] if p["remedy"]]
    assert {r["kind"] for r in owed} == {"free_months", "refund", "damages"}
    assert any(r["capped"] for r in owed) and any("contract_year" in r for r in owed)
    assert {r["amount"] is None for r in owed} == {True, False}


def _valid_cybermail(documents: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return copy.deepcopy(documents["cybermail"])


def _outage(document: dict[str, Any], verdict: str) -> dict[str, Any]:
    return next(o for o in document["outages"] if o["verdict"] == verdict)


def _reason(document: dict[str, Any], test: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    return next(r for o in document["outages"] for r in o["reasons"] if test(r))


def _set_verdict_maybe(d: dict[str, Any]) -> None:
    d["outages"][0]["verdict"] = "maybe"


def _set_status_unknown(d: dict[str, Any]) -> None:
    d["outages"][0]["segments"][0]["status"] = "unknown"


def _set_result_yes(d: dict[str, Any]) -> None:
    d["outages"][0]["reasons"][0]["result"] = "yes"


def _add_top_level_key(d: dict[str, Any]) -> None:
    d["extra"] = 1


def _add_outage_key(d: dict[str, Any]) -> None:
    d["outages"][0]["note"] = "x"


def _add_reason_key(d: dict[str, Any]) -> None:
    d["outages"][0]["reasons"][0]["comment"] = "x"


def _drop_met(d: dict[str, Any]) -> None:
    del d["periods"][0]["met"]


def _availability_rounded(d: dict[str, Any]) -> None:
    d["periods"][0]["availability"] = "99.9"


def _availability_number(d: dict[str, Any]) -> None:
    d["periods"][0]["availability"] = 99.6875


def _availability_exact_decimal(d: dict[str, Any]) -> None:
    d["periods"][0]["availability_exact"] = "0.996875"


def _met_as_text(d: dict[str, Any]) -> None:
    d["periods"][0]["met"] = "false"


def _timestamp_without_offset(d: dict[str, Any]) -> None:
    d["outages"][0]["start"] = "2026-09-03T10:00:00"


def _timestamp_with_fraction(d: dict[str, Any]) -> None:
    d["outages"][0]["segments"][0]["end"] = "2026-09-03T10:45:00.500+09:00"


def _format_two(d: dict[str, Any]) -> None:
    d["format"] = 2


def _short_sha(d: dict[str, Any]) -> None:
    d["contract"]["sha256"] = "abc"


def _decisive_false(d: dict[str, Any]) -> None:
    _reason(d, lambda r: r.get("decisive") is True)["decisive"] = False


def _empty_missing(d: dict[str, Any]) -> None:
    _reason(d, lambda r: "missing" in r)["missing"] = []


def _missing_on_applies(d: dict[str, Any]) -> None:
    _reason(d, lambda r: "missing" in r)["result"] = "applies"


def _excluded_segment_without_clause(d: dict[str, Any]) -> None:
    _outage(d, "excluded")["segments"][0]["clause"] = None


def _counted_with_excluded_seconds(d: dict[str, Any]) -> None:
    _outage(d, "counted")["excluded_seconds"] = 60


def _partly_excluded_all_counted(d: dict[str, Any]) -> None:
    for segment in _outage(d, "partly_excluded")["segments"]:
        segment["status"], segment["clause"] = "counted", None


def _period_label(d: dict[str, Any]) -> None:
    d["periods"][0]["period"] = "September 2026"


def _negative_seconds(d: dict[str, Any]) -> None:
    d["outages"][0]["counted_seconds"] = -1


def _detail_in_one_language(d: dict[str, Any]) -> None:
    del _reason(d, lambda r: "detail" in r)["detail"]["ja"]


def _remedy_kind(d: dict[str, Any]) -> None:
    d["periods"][0]["remedy"]["kind"] = "discount"


def _remedy_amount_as_number(d: dict[str, Any]) -> None:
    d["periods"][0]["remedy"]["months"] = None
    d["periods"][0]["remedy"]["kind"] = "refund"
    d["periods"][0]["remedy"]["amount"] = 92


BREAKAGES: list[Callable[[dict[str, Any]], None]] = [
    _set_verdict_maybe,
    _set_status_unknown,
    _set_result_yes,
    _add_top_level_key,
    _add_outage_key,
    _add_reason_key,
    _drop_met,
    _availability_rounded,
    _availability_number,
    _availability_exact_decimal,
    _met_as_text,
    _timestamp_without_offset,
    _timestamp_with_fraction,
    _format_two,
    _short_sha,
    _decisive_false,
    _empty_missing,
    _missing_on_applies,
    _excluded_segment_without_clause,
    _counted_with_excluded_seconds,
    _partly_excluded_all_counted,
    _period_label,
    _negative_seconds,
    _detail_in_one_language,
    _remedy_kind,
    _remedy_amount_as_number,
]


@pytest.mark.parametrize("breakage", BREAKAGES, ids=lambda f: f.__name__.strip("_"))
def test_a_broken_document_fails_validation(
    validator: Draft202012Validator,
    documents: dict[str, dict[str, Any]],
    breakage: Callable[[dict[str, Any]], None],
) -> None:
    document = _valid_cybermail(documents)
    assert errors(validator, document) == []
    breakage(document)
    assert errors(validator, document) != []
