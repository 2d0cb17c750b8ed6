"""Obligations: deadlines in wall-clock and business time, exceptions, verdicts."""

from __future__ import annotations

from typing import Any

import pytest

import rulebook
from rulebook.intake.records import RecordError

CLICK = "Click So-ko"
SKY = "システムマネージメントサービス"


def judged(contract_id: str, record: dict[str, Any], clause: str, **kw: Any) -> dict[str, Any]:
    contract = rulebook.load_contract(contract_id)
    result = rulebook.adjudicate(contract, [record], **kw).to_dict()
    return next(o for o in result["outages"][0]["obligations"] if o["clause"] == clause)


def click(**fields: Any) -> dict[str, Any]:
    return {
        "id": "r",
        "service": CLICK,
        "start": "2026-09-16T09:00:00",
        "end": "2026-09-16T09:30:00",
        **fields,
    }


def sky(**fields: Any) -> dict[str, Any]:
    return {
        "id": "r",
        "service": SKY,
        "start": "2026-12-28T09:00:00",
        "end": "2026-12-28T14:00:00",
        **fields,
    }


def test_first_report_across_the_lunch_break_is_met_at_the_deadline() -> None:
    # recognised 11:00; 3 business hours: 11-12, 13-15 -> due 15:00, reported exactly then
    ob = judged(
        "click-soko",
        click(recognized_at="2026-09-16T11:00:00", first_report_at="2026-09-16T15:00:00"),
        "first_report",
    )
    assert (ob["verdict"], ob["deadline"], ob["margin_seconds"]) == (
        "met",
        "2026-09-16T15:00:00+09:00",
        0,
    )


def test_first_report_one_second_late_is_missed() -> None:
    ob = judged(
        "click-soko",
        click(recognized_at="2026-09-16T11:00:00", first_report_at="2026-09-16T15:00:01"),
        "first_report",
    )
    assert ob["verdict"] == "missed" and ob["margin_seconds"] == -1
    assert "missed by 1 s" in ob["detail"]["en"]


def test_first_report_only_when_recognised_in_business_hours() -> None:
    ob = judged(
        "click-soko",
        click(recognized_at="2026-09-16T12:30:00", first_report_at="2026-09-17T12:00:00"),
        "first_report",
    )
    assert ob["verdict"] == "not_applicable"  # recognised in the lunch break


def test_across_a_weekend() -> None:
    # priority 1, reported Friday 16:00: 2 h on Friday, 2 h on Monday -> Monday 12:00
    record = click(
        customer_reported_at="2026-09-11T16:00:00", responded_at="2026-09-14T11:30:00", priority=1
    )
    ob = judged("click-soko", record, "response_p1")
    assert ob["deadline"] == "2026-09-14T12:00:00+09:00" and ob["verdict"] == "met"


def test_a_priority_1_report_received_late_on_a_friday_across_holidays() -> None:
    # Friday 2026-09-18 17:30: 30 min that day; 21-23 are holidays (Silver Week);
    # 3.5 h more on Thursday 24: 10-12, 13-14:30
    record = click(
        customer_reported_at="2026-09-18T17:30:00", responded_at="2026-09-24T15:00:00", priority=1
    )
    ob = judged("click-soko", record, "response_p1")
    assert ob["deadline"] == "2026-09-24T14:30:00+09:00"
    assert ob["verdict"] == "missed" and ob["margin_seconds"] == -1800


def test_priority_2_one_business_day_keeps_the_time_of_day() -> None:
    record = click(
        customer_reported_at="2026-09-18T15:00:00", responded_at="2026-09-24T15:00:00", priority=2
    )
    ob = judged("click-soko", record, "response_p2")
    assert ob["deadline"] == "2026-09-24T15:00:00+09:00" and ob["verdict"] == "met"


def test_unknown_priority_is_undetermined_and_named() -> None:
    record = click(customer_reported_at="2026-09-16T11:00:00", responded_at="2026-09-16T12:00:00")
    ob = judged("click-soko", record, "response_p1")
    assert ob["verdict"] == "undetermined" and ob["missing"] == ["priority"]


def test_report_due_across_the_year_end_closure() -> None:
    record = sky(
        restored_at="2026-12-28T14:00:00",
        report_submitted_at="2027-01-04T17:00:00",
        detected_by="monitoring",  # a 障害 as the specification defines it
    )
    ob = judged("skyarch-sms", record, "failure_report")
    assert ob["deadline"] == "2027-01-04T18:00:00+09:00" and ob["verdict"] == "met"


def test_arrival_with_and_without_its_exceptions() -> None:
    base = sky(dispatch_decided_at="2026-12-28T10:00:00", arrived_at="2026-12-28T12:30:00")
    assert judged("skyarch-sms", base, "onsite_arrival")["verdict"] == "missed"
    excused = judged(
        "skyarch-sms", {**base, "traffic_not_provider_fault": "true"}, "onsite_arrival"
    )
    assert excused["verdict"] == "not_applicable" and excused["exception"] == "onsite_arrival"
    art17 = judged("skyarch-sms", {**base, "cause": "service_suspension"}, "onsite_arrival")
    assert art17["exception"] == "art17_arrival"


def test_an_unestablished_exception_does_not_excuse() -> None:
    record = sky(replacement_decided_at="2026-12-28T10:00:00", reinstalled_at="2026-12-28T11:00:00")
    ob = judged("skyarch-sms", record, "os_reinstall")  # customer_rack etc. unknown
    assert ob["verdict"] == "met"


def test_no_start_event_means_not_applicable_and_no_stop_event_is_named() -> None:
    assert judged("skyarch-sms", sky(), "onsite_arrival")["verdict"] == "not_applicable"
    ob = judged("skyarch-sms", sky(dispatch_decided_at="2026-12-28T10:00:00"), "onsite_arrival")
    assert ob["verdict"] == "undetermined" and ob["missing"] == ["arrived_at"]
    late = judged(
        "skyarch-sms",
        sky(dispatch_decided_at="2026-12-28T10:00:00"),
        "onsite_arrival",
        as_of="2026-12-28T13:00:00",
    )
    assert late["verdict"] == "missed" and late["margin_seconds"] == -3600


def test_at_least_a_month_for_update_notices() -> None:
    aoulu = {
        "id": "r",
        "service": "AOULU 販売",
        "start": "2026-09-16T09:00:00",
        "end": "2026-09-16T09:30:00",
    }
    on_time = {
        **aoulu,
        "update_announced_at": "2026-08-16T09:00:00",
        "update_released_at": "2026-09-16T09:00:00",
    }
    late = {**on_time, "update_announced_at": "2026-08-16T09:00:01"}
    assert judged("aoulu-cloud", on_time, "update_notice")["verdict"] == "met"
    assert judged("aoulu-cloud", late, "update_notice")["verdict"] == "missed"


def test_events_may_come_as_a_separate_input() -> None:
    events = [
        {"record": "r", "event": "recognized_at", "at": "2026-09-16T11:00:00"},
        {"record": "r", "event": "first_report_at", "at": "2026-09-16T14:00:00"},
    ]
    ob = judged("click-soko", click(), "first_report", events=events)
    assert ob["verdict"] == "met"


@pytest.mark.parametrize(
    ("event", "field", "hint"),
    [
        (
            {"record": "r", "event": "recognised_at", "at": "2026-09-16T11:00:00"},
            "event",
            "did you mean 'recognized_at'",
        ),
        (
            {"record": "x", "event": "recognized_at", "at": "2026-09-16T11:00:00"},
            "record",
            "not an outage record",
        ),
        ({"record": "r", "event": "recognized_at", "at": "soon"}, "at", "not a timestamp"),
    ],
)
def test_bad_events_are_named(event: dict[str, str], field: str, hint: str) -> None:
    with pytest.raises(RecordError) as caught:
        judged("click-soko", click(), "first_report", events=[event])
    assert caught.value.field == field and hint in str(caught.value)


def test_an_unknown_event_field_on_a_record_gets_a_did_you_mean() -> None:
    with pytest.raises(RecordError, match="did you mean 'recognized_at'"):
        judged("click-soko", click(recognised_at="2026-09-16T11:00:00"), "first_report")


def test_obligations_are_explained_in_both_languages() -> None:
    contract = rulebook.load_contract("click-soko")
    record = click(recognized_at="2026-09-16T11:00:00", first_report_at="2026-09-16T15:30:00")
    result = rulebook.adjudicate(contract, [record])
    en = result.explain("r")
    assert (
        "Obligations:" in en and "first_report 「復旧情報通知時間」 (第3条 1. 項番4): missed" in en
    )
    ja = result.explain("r", lang="ja")
    assert "未達" in ja and "3営業時間以内" in ja


def test_restored_at_defaults_to_the_records_end() -> None:
    # ends 2026-12-28 14:00; a failure the monitoring alerted on
    record = sky(report_submitted_at="2027-01-04T18:00:00", detected_by="monitoring")
    ob = judged("skyarch-sms", record, "failure_report")
    assert ob["start"] == "2026-12-28T14:00:00+09:00" and ob["verdict"] == "met"


def test_json_lines_write_each_records_obligations_as_the_document_does() -> None:
    """``--format jsonl`` decoded the obligations' JSON into a polars struct: every line
    took every key any obligation had (``"missing": null``, facts another clause reads), in
    an order polars inferred anew each run, so two runs wrote different bytes. Each line now
    holds the obligations as the JSON document does, and the same bytes every run."""
    import json
    import subprocess
    import sys
    from pathlib import Path

    log = Path(__file__).parent.parent / "examples" / "skyarch-sms-2026-12.json"
    command = [sys.executable, "-m", "rulebook", "adjudicate", "skyarch-sms", str(log)]
    runs = [
        subprocess.run([*command, "--format", "jsonl"], capture_output=True, check=True).stdout
        for _ in range(3)
    ]
    assert runs[0] == runs[1] == runs[2]
    document = json.loads(
        subprocess.run([*command, "--format", "json"], capture_output=True, check=True).stdout
    )
    expected = {o["id"]: o["obligations"] for o in document["outages"]}
    lines = [json.loads(line) for line in runs[0].decode("utf-8").splitlines()]
    assert {line["id"]: line["obligations"] for line in lines} == expected
    assert all(expected.values())  # every record here has obligations to compare


@pytest.mark.parametrize("engine", ["columnar", "stream"])
def test_json_lines_split_only_at_line_ends_and_list_obligations_for_every_record(
    tmp_path: Any, engine: str
) -> None:
    """An id holding U+2028 (which polars writes unescaped, and str.splitlines splits at)
    made the JSON Lines writer raise with a traceback; a record out of scope had no
    "obligations" key where the JSON document gives it []."""
    import json

    from click.testing import CliRunner

    from rulebook.cli import main

    log = tmp_path / "log.csv"
    log.write_text(
        "id,service,start,end\n"
        "x\u20281,Other,2026-09-01T00:00:00,2026-09-01T01:00:00\n"
        "a1,AOULU 販売,2026-09-01T00:00:00,2026-09-01T01:00:00\n",
        encoding="utf-8",
    )
    args = ["adjudicate", "aoulu-cloud", str(log)]
    lines = CliRunner().invoke(main, [*args, "--format", "jsonl", "--engine", engine])
    document = CliRunner().invoke(main, [*args, "--format", "json"])
    assert lines.exit_code == document.exit_code == 0, lines.output
    written = [json.loads(line) for line in lines.stdout.split("\n") if line]
    expected = {o["id"]: o["obligations"] for o in json.loads(document.stdout)["outages"]}
    assert {line["id"]: line["obligations"] for line in written} == expected
    assert expected["x\u20281"] == [] and expected["a1"]


def test_json_lines_list_obligations_an_amendment_adds(tmp_path: Any) -> None:
    """Whether a contract has obligations was read off its first version: an obligation
    an amendment adds was judged, and shown in the JSON document, but --format jsonl wrote
    no "obligations" key on any line."""
    import json
    import shutil
    from pathlib import Path

    from click.testing import CliRunner

    from rulebook.cli import main

    root = Path(__file__).parent.parent
    shutil.copy(root / "contracts" / "vocabulary.sla", tmp_path / "vocabulary.sla")
    text = (root / "examples" / "cybermail-amended.sla").read_text(encoding="utf-8")
    text = text[: text.index("  example ")].rstrip() + "\n}\n"  # its examples left out
    added = (
        '    obligation status_notice "障害発生時の連絡" {\n'
        '      cite "4. 通知" "障害が発生した場合、1時間以内に障害状況をお知らせします。"\n'
        "      from occurred_at to status_posted_at\n"
        "      within 1 h (以内)\n"
        "    }\n"
    )
    last = text.rindex("  }\n")  # the end of the last amendment
    (tmp_path / "amended.sla").write_text(text[:last] + added + text[last:], encoding="utf-8")
    log = tmp_path / "log.csv"
    log.write_text(
        "id,service,start,end,cause,detected_by,status_posted_at\n"
        "a,CYBERMAIL Σ,2023-07-20T01:00:00,2023-07-20T02:00:00,attack,monitoring,"
        "2023-07-20T01:30:00\n"
        "b,CYBERMAIL Σ,2023-08-03T10:00:00,2023-08-03T12:12:00,provider_fault,monitoring,"
        "2023-08-03T12:30:00\n",
        encoding="utf-8",
    )
    args = ["adjudicate", str(tmp_path / "amended.sla"), str(log)]
    document = CliRunner().invoke(main, [*args, "--format", "json"])
    assert document.exit_code == 0, document.output
    expected = {o["id"]: o["obligations"] for o in json.loads(document.stdout)["outages"]}
    assert expected["a"] == [] and expected["b"][0]["clause"] == "status_notice"
    for engine in ("columnar", "stream"):
        lines = CliRunner().invoke(main, [*args, "--format", "jsonl", "--engine", engine])
        assert lines.exit_code == 0, lines.output
        written = [json.loads(line) for line in lines.stdout.split("\n") if line]
        assert {line["id"]: line["obligations"] for line in written} == expected
