"""Calendars as notices: an iCalendar file (RFC 5545) of recurring maintenance read as
maintenance notices (rulebook/io/calendars.py; docs/formats.md, "Calendars")."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import rulebook
from rulebook import limits
from rulebook.io.calendars import read_input
from rulebook.io.readers import InputError
from tests.helpers import run_cli as run

ROOT = Path(__file__).resolve().parent.parent
CALENDAR = str(ROOT / "tests" / "fixtures" / "cybermail-maintenance.ics")
LOG = str(ROOT / "examples" / "cybermail-2026-09.csv")
NOTICES = str(ROOT / "examples" / "cybermail-2026-09-notices.csv")
WEEKLY = "weekly-maintenance@cybermail.example"


def _ics(*lines: str) -> str:
    return "\r\n".join(["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//t//t//EN", *lines,
                        "END:VCALENDAR", ""])  # fmt: skip


def test_a_recurring_calendar_is_expanded_as_rfc_5545_says() -> None:
    """Weekly on Tuesdays 02:00-04:00 Tokyo, without an end; 8 September taken out
    (EXDATE); 22 September moved to the 23rd, 02:00-03:00 (RECURRENCE-ID); a cancelled
    event; a one-off given by DURATION in UTC."""
    notices = read_input(CALENDAR, "notices").notices
    first = [(n.data["id"], n.data["start"], n.data["end"]) for n in notices[:5]]
    assert first == [
        (f"{WEEKLY}@2026-09-01T02:00:00+09:00", "2026-09-01T02:00:00+09:00",
         "2026-09-01T04:00:00+09:00"),
        (f"{WEEKLY}@2026-09-15T02:00:00+09:00", "2026-09-15T02:00:00+09:00",
         "2026-09-15T04:00:00+09:00"),
        (f"{WEEKLY}@2026-09-22T02:00:00+09:00", "2026-09-23T02:00:00+09:00",
         "2026-09-23T03:00:00+09:00"),
        ("gateway-swap@cybermail.example", "2026-09-25T04:00:00+00:00",
         "2026-09-25T05:00:00+00:00"),
        (f"{WEEKLY}@2026-09-29T02:00:00+09:00", "2026-09-29T02:00:00+09:00",
         "2026-09-29T04:00:00+09:00"),
    ]  # fmt: skip
    assert {n.data["announced_at"] for n in notices[:5]} == {
        "2026-08-01T00:00:00+00:00",  # CREATED
        "2026-09-15T00:00:00+00:00",
    }
    assert not any("storage-upgrade" in n.data["id"] for n in notices)  # STATUS:CANCELLED
    ids = [n.data["id"] for n in notices]
    assert len(ids) == len(set(ids))
    # without an end, expanded CALENDAR_YEARS past the last instant written (2026)
    last = notices[-1].data["start"]
    assert last.startswith("2035-12-25T02:00:00"), last
    weekly = [n for n in notices if n.data["id"].startswith(WEEKLY)]
    assert len(weekly) == 487 - 1  # Tuesdays from 2026-09-01 to 2035-12-25, one taken out


@pytest.mark.parametrize("engine", ["columnar", "records"])
def test_calendar_notices_exclude_what_the_csv_notice_excludes(engine: str) -> None:
    """cm-08 (15 September 01:30-03:15, planned maintenance) loses 02:00-03:15 to the
    Tuesday window, as with the CSV notice; the MAILGATES swap (13:00-14:00 Tokyo on the
    25th, announced on the 15th) takes cm-11 (13:10-13:58) for every service (*)."""
    args = ["report", "cybermail", LOG, "--format", "json", "--engine", engine, "--no-config"]
    code, plain, err = run([*args, "--notices", NOTICES])
    assert code == 0, err
    code, out, err = run([*args, "--notices", CALENDAR])
    assert code == 0, err
    periods = {(p["service"], p["period"]): p for p in json.loads(out)["periods"]}
    before = {(p["service"], p["period"]): p for p in json.loads(plain)["periods"]}
    assert periods["CYBERMAIL Σ", "2026-09"] == before["CYBERMAIL Σ", "2026-09"]
    assert periods["CYBERMAIL Σ", "2026-09"]["availability"] == "99.8113"
    assert before["MAILGATES Σ", "2026-09"]["downtime_seconds"] == 48 * 60
    assert periods["MAILGATES Σ", "2026-09"]["downtime_seconds"] == 0
    assert periods["MAILGATES Σ", "2026-09"]["excluded_seconds"] == 47 * 60 + 48 * 60


def test_a_calendars_categories_are_read_as_services_when_mapped(tmp_path: Path) -> None:
    config = tmp_path / "rulebook.toml"
    config.write_text('[notices.columns]\n"categories" = "service"\n', encoding="utf-8")
    mapped = rulebook.adjudicate_frame("cybermail", LOG, notices=CALENDAR, project=str(config))
    plain = rulebook.adjudicate_frame("cybermail", LOG, notices=CALENDAR)
    assert mapped.warnings == plain.warnings
    document = mapped.to_dict()
    assert document["counts"]["notices"] == plain.to_dict()["counts"]["notices"] == 487
    assert sorted({w.service for w in mapped.windows()}) == ["CYBERMAIL Σ", "MAILGATES Σ"]
    assert sorted({w.service for w in plain.windows()}) == ["*"]


def test_a_calendar_as_anything_but_notices_is_refused() -> None:
    code, _, err = run(["report", "cybermail", LOG, "--events", CALENDAR, "--no-config"])
    assert code == 1 and "Traceback" not in err
    assert "a calendar is read as maintenance notices only; give it as --notices" in err


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:garbage\nEND:VEVENT\n", "not an iCalendar file"),
        (
            _ics("BEGIN:VEVENT", "UID:a", "DTSTART:20260901T020000", "DTEND:20260901T030000",
                 "RRULE:FREQ=WEEKLY;BYDAY=XX", "END:VEVENT"),
            "an event cannot be read (BrokenCalendarProperty",
        ),
        (
            _ics("BEGIN:VEVENT", "UID:m", "DTSTART:20260901T000000Z", "DTEND:20260901T000100Z",
                 "RRULE:FREQ=MINUTELY", "END:VEVENT"),
            f"more than {limits.MAX_CALENDAR_OCCURRENCES:,} occurrences before 2026-10-01",
        ),
    ],
)  # fmt: skip
def test_a_bad_calendar_is_refused_with_its_name(tmp_path: Path, text: str, said: str) -> None:
    path = tmp_path / "bad.ics"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=r"bad\.ics: ") as caught:
        read_input(str(path), "notices")
    assert said in str(caught.value)
    code, _, err = run(["report", "cybermail", LOG, "--notices", str(path), "--no-config"])
    assert code == 1 and said in err and "Traceback" not in err


def test_floating_all_day_and_announced_times(tmp_path: Path) -> None:
    """A floating time stays naive (read in the contract's timezone); an all-day event runs
    midnight to midnight; an invitation (METHOD) without CREATED is announced when sent."""
    path = tmp_path / "invite.ics"
    path.write_text(
        _ics("METHOD:REQUEST",
             "BEGIN:VEVENT", "UID:f", "DTSTAMP:20260901T010000Z", "DTSTART:20260915T020000",
             "DTEND:20260915T040000", "END:VEVENT",
             "BEGIN:VEVENT", "UID:d", "DTSTAMP:20260901T010000Z",
             "DTSTART;VALUE=DATE:20260920", "END:VEVENT"),
        encoding="utf-8",
    )  # fmt: skip
    data = [n.data for n in read_input(str(path), "notices").notices]
    assert data == [
        {"id": "f", "start": "2026-09-15T02:00:00", "end": "2026-09-15T04:00:00",
         "announced_at": "2026-09-01T01:00:00+00:00", "method": "REQUEST"},
        {"id": "d", "start": "2026-09-20T00:00:00", "end": "2026-09-21T00:00:00",
         "announced_at": "2026-09-01T01:00:00+00:00", "method": "REQUEST"},
    ]  # fmt: skip
    result = rulebook.adjudicate("cybermail", LOG, notices=str(path))
    excluded = {r["id"]: r["excluded_seconds"] for r in result.to_rows()}
    assert excluded["cm-08"] == 75 * 60  # 02:00-03:15 of the floating window


def test_both_engines_give_one_document_with_calendar_notices() -> None:
    args = ["adjudicate", "cybermail", LOG, "--notices", CALENDAR, "--format", "json"]
    documents = []
    for engine in ("columnar", "records"):
        code, out, err = run([*args, "--engine", engine, "--no-config"])
        assert code == 0, err
        documents.append(json.loads(out))
    assert documents[0] == documents[1]
    assert documents[0]["counts"]["notices"] == 487
    library = rulebook.adjudicate("cybermail", LOG, notices=CALENDAR).to_dict(reasons=False)
    assert library["periods"] == documents[0]["periods"]


def test_the_stream_engine_reads_a_calendar_as_the_others_do() -> None:
    """--engine stream read --notices with the CSV/JSON reader only: a calendar was refused
    as a file of no notice column."""
    args = ["report", "cybermail", LOG, "--notices", CALENDAR, "--format", "json", "--no-config"]
    code, streamed, err = run([*args, "--engine", "stream"])
    assert code == 0, err
    code, columnar, err = run([*args, "--engine", "columnar"])
    assert code == 0, err
    assert json.loads(streamed) == json.loads(columnar)
    periods = {(p["service"], p["period"]): p for p in json.loads(streamed)["periods"]}
    assert periods["MAILGATES Σ", "2026-09"]["downtime_seconds"] == 0
