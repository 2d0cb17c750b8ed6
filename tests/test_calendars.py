"""Calendars as notices: an iCalendar file (RFC 5545) of recurring maintenance read as
maintenance notices (rulebook/io/calendars.py; docs/formats.md, "Calendars")."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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
            f"more than {limits.MAX_CALENDAR_OCCURRENCES:,} occurrences by 2026-09-14",
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


def _event(*lines: str, uid: str = "a") -> list[str]:
    return ["BEGIN:VEVENT", f"UID:{uid}", *lines, "END:VEVENT"]


def _refusal(tmp_path: Path, text: str, *engines: str) -> str:
    """The one-line refusal of a calendar, the same on every engine named (exit 1, no
    traceback), from a process of its own: a hang fails at the timeout."""
    path = tmp_path / "bad.ics"
    path.write_text(text, encoding="utf-8")
    messages = set()
    for engine in engines or ("columnar",):
        command = [sys.executable, "-m", "rulebook", "report", "cybermail", LOG, "--notices",
                   str(path), "--no-config", "--format", "json", "--engine", engine]  # fmt: skip
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        done = subprocess.run(command, capture_output=True, text=True, timeout=60, env=env)
        assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
        messages.add(next(x for x in done.stderr.splitlines() if str(path) in x))
    assert len(messages) == 1, messages
    return messages.pop().replace(str(path), "bad.ics")


@pytest.mark.parametrize(
    ("rule", "said"),
    [
        ("FREQ=DAILY;INTERVAL=0", "has INTERVAL=0; accepted: INTERVAL a whole number from 1"),
        ("FREQ=DAILY;COUNT=0", "has COUNT=0; accepted: COUNT a whole number from 1"),
        ("FREQ=DAILY;COUNT=-3", "has COUNT=-3; accepted: COUNT a whole number from 1"),
    ],
)
def test_a_rule_that_never_moves_on_or_counts_nothing_is_refused(
    tmp_path: Path, rule: str, said: str
) -> None:
    """INTERVAL=0 ran forever, memory growing; COUNT=0 gave the start alone, a negative
    COUNT was read as no end: refused at once, naming the file, the UID and RRULE."""
    text = _ics(*_event("DTSTART:20260901T020000Z", "DTEND:20260901T020001Z", f"RRULE:{rule}"))
    message = _refusal(tmp_path, text, "columnar", "records", "stream")
    assert message == f"rulebook: bad.ics: event 1 (a): notice a, field 'RRULE': '{rule}' {said}"


HOURS = ",".join(str(h) for h in range(24))
SIXTY = ",".join(str(m) for m in range(60))


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=SECONDLY",
        "FREQ=SECONDLY;UNTIL=20990101T000000Z",
        f"FREQ=YEARLY;BYHOUR={HOURS};BYMINUTE={SIXTY};BYSECOND={SIXTY}",
    ],
)
def test_a_dense_rule_is_refused_at_the_bound_not_after_expanding_it(
    tmp_path: Path, rule: str
) -> None:
    """A rule of a second's step took 105 s and 5 GB to be refused (a month expanded at a
    time): the occurrences are counted one at a time, the refusal comes at the 20,001st."""
    text = _ics(*_event("DTSTART:20260901T020000Z", "DTEND:20260901T020001Z", f"RRULE:{rule}"))
    began = time.monotonic()
    with pytest.raises(InputError) as caught:
        read_input(str(_written(tmp_path, text)), "notices")
    assert time.monotonic() - began < 5
    assert str(caught.value).endswith(
        "bad.ics: more than 20,000 occurrences by 2026-09-01; accepted: at most 20,000 "
        "(docs/limits.md)"
    )


def _written(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "bad.ics"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_bound_counts_occurrences_as_expanded(tmp_path: Path) -> None:
    """20,001 starts with one taken out by EXDATE are 20,000 occurrences: read; 20,001
    without it are refused."""
    lines = ["DTSTART:20260901T020000Z", "DTEND:20260901T020001Z", "RRULE:FREQ=HOURLY;COUNT=20001"]
    out = _ics(*_event(*lines, "EXDATE:20260901T050000Z"))
    assert len(read_input(str(_written(tmp_path, out)), "notices").notices) == 20_000
    with pytest.raises(InputError, match="more than 20,000 occurrences by 2028-12-12;"):
        read_input(str(_written(tmp_path, _ics(*_event(*lines)))), "notices")


@pytest.mark.parametrize(
    ("lines", "said"),
    [
        (
            _event("DTSTART:00010101T020000Z", "DTEND:00010101T030000Z"),
            "event 1 (a): notice a, field 'start': '0001-01-01T02:00:00+00:00' is in the year 1; "
            "accepted: a year from 1900 to 2999",
        ),
        (
            _event("DTSTART:99991231T020000Z", "DTEND:99991231T030000Z"),
            "event 1 (a): notice a, field 'start': '9999-12-31T02:00:00+00:00' is in the year "
            "9999; accepted: a year from 1900 to 2999",
        ),
        (
            _event("DTSTART:20260901T020000Z", "DTEND:20260901T030000Z",
                   "RDATE:00010101T020000Z"),
            "event 1 (a): notice a, field 'start': '0001-01-01T02:00:00+00:00' is in the year 1; "
            "accepted: a year from 1900 to 2999",
        ),
        (
            [*_event("DTSTART:20260901T020000Z", "DTEND:20260901T030000Z"),
             *_event("DTSTART:20260902T020000Z", "DTEND:20260902T030000Z")],
            "event 2 (a): notice a, field 'id': is used twice (first at bad.ics: event 1 (a)); "
            "accepted: a unique id per notice",
        ),
        (
            _event("DTSTART:20260901T020000Z", "DTEND:20260901T010000Z"),
            "event 1 (a): notice a, field 'end': '2026-09-01T01:00:00+00:00' is not after start; "
            "accepted: an end later than the start",
        ),
        (
            _event("DTSTART:20260901T020000Z", "DURATION:-PT1H", "RRULE:FREQ=WEEKLY"),
            "event 1 (a): notice a, field 'end': '2026-09-01T01:00:00+00:00' is not after start; "
            "accepted: an end later than the start",
        ),
        (
            _event("DTSTART:20260901T020000Z", "DURATION:PT0S"),
            "event 1 (a): notice a, field 'end': '2026-09-01T02:00:00+00:00' is not after start; "
            "accepted: an end later than the start",
        ),
    ],
)  # fmt: skip
def test_an_event_the_csv_notice_would_refuse_is_refused_alike(
    tmp_path: Path, lines: list[str], said: str
) -> None:
    """Each was lost or turned around without a word (a year the expansion skips, the
    second of two events of one UID, an end before the start swapped): now each is the
    notice as written, refused by the notice intake in the CSV notice's words."""
    message = _refusal(tmp_path, _ics(*lines), "columnar", "records", "stream")
    assert message == f"rulebook: bad.ics: {said}"


def test_a_moved_occurrence_shares_its_events_uid(tmp_path: Path) -> None:
    """A RECURRENCE-ID event is no second event of its UID: it moves one occurrence."""
    text = _ics(
        *_event("DTSTART:20260901T020000Z", "DTEND:20260901T030000Z", "RRULE:FREQ=DAILY;COUNT=3"),
        *_event("RECURRENCE-ID:20260902T020000Z", "DTSTART:20260902T050000Z",
                "DTEND:20260902T060000Z"),
    )  # fmt: skip
    notices = read_input(str(_written(tmp_path, text)), "notices").notices
    assert [(n.data["id"], n.data["start"]) for n in notices] == [
        ("a@2026-09-01T02:00:00+00:00", "2026-09-01T02:00:00+00:00"),
        ("a@2026-09-02T02:00:00+00:00", "2026-09-02T05:00:00+00:00"),
        ("a@2026-09-03T02:00:00+00:00", "2026-09-03T02:00:00+00:00"),
    ]


def test_rdates_and_the_last_year_read_are_expanded(tmp_path: Path) -> None:
    """An RDATE past CALENDAR_YEARS of an unending rule's start was left out (its date did
    not move the horizon); a rule starting in the last year read expanded to nothing."""
    yearly = _ics(*_event("DTSTART:20260901T020000Z", "DTEND:20260901T030000Z",
                          "RRULE:FREQ=YEARLY", "RDATE:20500601T020000Z"))  # fmt: skip
    starts = [
        n.data["start"] for n in read_input(str(_written(tmp_path, yearly)), "notices").notices
    ]
    assert "2050-06-01T02:00:00+00:00" in starts
    assert starts[-1] == "2059-09-01T02:00:00+00:00"  # to 2060, ten years past 2050
    last = _ics(*_event("DTSTART:29991201T020000Z", "DTEND:29991201T030000Z", "RRULE:FREQ=DAILY"))
    notices = read_input(str(_written(tmp_path, last)), "notices").notices
    assert len(notices) == 31 and notices[-1].data["start"] == "2999-12-31T02:00:00+00:00"


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=SECONDLY;BYMONTH=2;BYMONTHDAY=30",
        "FREQ=DAILY;BYMONTH=4,6,9,11;BYMONTHDAY=31",
        "FREQ=WEEKLY;BYDAY=1MO;BYWEEKNO=53;BYMONTH=6",
        "FREQ=DAILY;INTERVAL=7;BYDAY=MO",  # from a Tuesday: it never lands on a Monday
        "FREQ=HOURLY;INTERVAL=168;BYDAY=MO",
        "FREQ=SECONDLY;INTERVAL=604800;BYDAY=MO",
    ],
)
def test_a_rule_without_an_occurrence_adds_nothing_at_once(tmp_path: Path, rule: str) -> None:
    """Such a rule has no occurrence, but the expansion looked for its first one a day at
    a time until the year 9999, twice (the bound's count, then the expansion): 10-19 s an
    event for a second's step whose days do not exist, 1-1.6 s for an interval that never
    lands on its days. Now the days are looked for a year at a time in one 400-year cycle,
    and the landing from the same start whole cycles later, near the year 9999; the event
    keeps its start and its other rule, as before."""
    lines = ["DTSTART:20260901T020000Z", "DTEND:20260901T030000Z", f"RRULE:{rule}",
             "RRULE:FREQ=MONTHLY;COUNT=2"]  # fmt: skip
    text = _ics(*_event(*lines), *_event(*lines, uid="b"), *_event(*lines, uid="c"))
    began = time.monotonic()
    notices = read_input(str(_written(tmp_path, text)), "notices").notices
    assert time.monotonic() - began < 5  # three events: 10 s to a minute or more before
    assert [(n.data["id"], n.data["start"]) for n in notices] == [
        (f"{uid}@2026-{month}-01T02:00:00+00:00", f"2026-{month}-01T02:00:00+00:00")
        for month in ("09", "10")
        for uid in "abc"
    ]


def test_a_dropped_rules_until_still_moves_the_horizon(tmp_path: Path) -> None:
    """The last instant the file writes includes the UNTIL of a rule without occurrences:
    an unending rule of another event is expanded ten years past it, as before such rules
    were dropped (fadace1 dropped them first, and the yearly event stopped in 2035)."""
    text = _ics(
        *_event("DTSTART:20260901T020000Z", "DTEND:20260901T030000Z",
                "RRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30;UNTIL=20500101T000000Z"),
        *_event("DTSTART:20260901T020000Z", "DTEND:20260901T030000Z", "RRULE:FREQ=YEARLY",
                uid="b"),
    )  # fmt: skip
    notices = read_input(str(_written(tmp_path, text)), "notices").notices
    starts = [n.data["start"] for n in notices if n.data["id"].startswith("b")]
    assert len(starts) == 34 and starts[-1] == "2059-09-01T02:00:00+00:00"


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


def test_with_keep_going_every_bad_event_is_listed_and_the_good_one_read(tmp_path: Path) -> None:
    text = _ics(
        *_event("DTSTART:20260915T000000Z", "DTEND:20260915T010000Z", uid="good"),
        *_event("DTSTART:20260901T020000Z", "DURATION:-PT1H", uid="back"),
        *_event("DTSTART:18000101T020000Z", "DURATION:PT1H", uid="old"),
    )
    args = ["adjudicate", "cybermail", LOG, "--notices", str(_written(tmp_path, text))]
    code, out, err = run([*args, "--format", "json", "--keep-going", "--no-config"])
    assert code == 1 and "Traceback" not in err
    assert json.loads(out)["counts"]["notices"] == 1
    assert "bad.ics: event 2 (back): notice back, field 'end'" in err
    assert "bad.ics: event 3 (old): notice old, field 'start': '1800-01-01T02:00:00+00:00'" in err


@pytest.mark.parametrize(
    "lines",
    [
        ["DTSTART:20260907T020000Z", "DTEND:20260907T030000Z",
         "RRULE:FREQ=DAILY;INTERVAL=7;BYDAY=TU;UNTIL=20250101T000000Z"],
        ["DTSTART;VALUE=DATE:20260907", "RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30;UNTIL=20250101"],
        ["DTSTART;TZID=Europe/London:20260907T020000", "DTEND;TZID=Europe/London:20260907T030000",
         "RRULE:FREQ=WEEKLY;UNTIL=20250101T000000Z",
         "RRULE:FREQ=MONTHLY;BYMONTH=4;BYMONTHDAY=31;UNTIL=20300101T000000Z"],
    ],
    ids=["until-before-start", "all-day", "latest-until-of-two"],
)  # fmt: skip
def test_a_dropped_rules_until_still_decides_the_events_start(lines: list[str]) -> None:
    """The expansion gives an event's start only when it is not after its rules' latest
    UNTIL: a rule without occurrences dropped whole took its UNTIL along, and the start
    came or went (found by a red-team pass). Its place is now taken by a rule of no
    occurrence with the same UNTIL: the same notices as the expansion to the year 9999."""
    from unittest import mock

    from rulebook.io import calendars

    text = _ics(*_event(*lines))
    quick = [i.data for i in calendars.read_calendar(text, "x.ics")]
    with mock.patch.object(calendars, "_drop_rules_without_occurrence", lambda *a: None):
        slow = [i.data for i in calendars.read_calendar(text, "x.ics")]
    assert quick == slow


@pytest.mark.parametrize(
    ("part", "said"),
    [("RSCALE=GREGORIAN;SKIP=FORWARD", "unknown parameter 'RSCALE'"),
     ("BYHOUR=25", "hour must be in 0..23")],
)  # fmt: skip
def test_a_rule_dateutil_cannot_read_is_refused_even_without_a_day(
    tmp_path: Path, part: str, said: str
) -> None:
    """A rule whose day parts admit no day was dropped before anything read the rest of
    it: RFC 7529's RSCALE (under which February 30th skips forward to March 1st) or an hour
    of 25 went unsaid. Each rule is read whole first, and refused as the expansion did."""
    rule = f"RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30;{part}"
    text = _ics(*_event("DTSTART:20260907T020000Z", "DTEND:20260907T030000Z", rule))
    with pytest.raises(InputError, match=f"an event cannot be read \\(ValueError: {said}"):
        read_input(str(_written(tmp_path, text)), "notices")


_DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


def _listed(draw: st.DrawFn, part: str, values: list[Any]) -> str:
    chosen = draw(st.lists(st.sampled_from(values), min_size=1, max_size=3, unique=True))
    return f"{part}=" + ",".join(str(v) for v in chosen)


@st.composite
def _rules(draw: st.DrawFn) -> str:
    """A rule of a yearly to daily step whose parts admit no day, or whose interval never
    lands on one (the cases the expansion's shortcut drops), or near misses of both."""
    freq = draw(st.sampled_from(["YEARLY", "MONTHLY", "WEEKLY", "DAILY"]))
    steps = [1, 7, 14] if freq == "DAILY" else [1, 2, 3]
    parts = [f"FREQ={freq}", f"INTERVAL={draw(st.sampled_from(steps))}"]
    kind = draw(st.sampled_from(["no day", "never lands", "any"]))
    if kind == "no day":
        parts += [_listed(draw, "BYMONTH", [2, 4, 6, 9, 11]), _listed(draw, "BYMONTHDAY", [30, 31])]
    elif kind == "never lands":
        parts = ["FREQ=DAILY", f"INTERVAL={draw(st.sampled_from([7, 14]))}"]
        parts.append(_listed(draw, "BYDAY", _DAYS))
    else:
        if draw(st.booleans()):
            parts.append(_listed(draw, "BYMONTH", [2, 4, 6, 9, 11]))
        if draw(st.booleans()):
            parts.append(_listed(draw, "BYMONTHDAY", [1, 29, 30, 31, -1]))
        if freq != "YEARLY" and draw(st.booleans()):
            parts.append(_listed(draw, "BYDAY", _DAYS))
    end = draw(st.sampled_from(["", "COUNT=3", "UNTIL=20400101T000000Z", "UNTIL=20250101T000000Z"]))
    return ";".join([*parts, end] if end else parts)


@settings(max_examples=40, deadline=None)
@given(rule=_rules(), day=st.integers(1, 28))
def test_the_shortcut_gives_what_the_expansion_gives(rule: str, day: int) -> None:
    """With the rules without an occurrence dropped first (at once) or expanded to the
    year 9999 (as before): the same notices, every one, for any such rule beside an
    unending monthly event."""
    from unittest import mock

    from rulebook.io import calendars

    text = _ics(
        *_event(f"DTSTART:202609{day:02d}T020000Z", f"DTEND:202609{day:02d}T030000Z",
                f"RRULE:{rule}"),
        *_event("DTSTART:20260901T020000Z", "DTEND:20260901T030000Z", "RRULE:FREQ=MONTHLY",
                uid="b"),
    )  # fmt: skip
    quick = [i.data for i in calendars.read_calendar(text, "x.ics")]
    with mock.patch.object(calendars, "_drop_rules_without_occurrence", lambda *a: None):
        slow = [i.data for i in calendars.read_calendar(text, "x.ics")]
    assert quick == slow
