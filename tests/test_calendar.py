"""Business calendars, recurring windows, notice rules and business-time arithmetic."""

from __future__ import annotations

import csv
import datetime as dt
import zoneinfo
from pathlib import Path

import pytest

import rulebook
from rulebook import model as m
from rulebook.engine import calendar as cal
from rulebook.engine.calendar import BusinessCalendar, CalendarError

TZ = zoneinfo.ZoneInfo("Asia/Tokyo")
FIXTURE = Path(__file__).parent / "fixtures" / "jp-holidays-2020-2027.csv"


def at(*args: int) -> int:
    return int(dt.datetime(*args, tzinfo=TZ).timestamp())


def iso(seconds: int) -> str:
    return dt.datetime.fromtimestamp(seconds, TZ).isoformat()


def calendar_of(contract_id: str, announced: tuple[dt.date, ...] = ()) -> BusinessCalendar:
    contract = rulebook.load_contract(contract_id)
    clause = next(c for c in contract.clauses if isinstance(c, m.CalendarClause))
    return BusinessCalendar.of(clause, announced)


def test_japanese_holidays_match_the_cabinet_office_list_2020_2027() -> None:
    with FIXTURE.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(line for line in f if not line.startswith("#")))
    listed = {dt.date.fromisoformat(r["date"]) for r in rows}
    assert dt.date(2020, 7, 24) in listed and dt.date(2021, 8, 9) in listed  # moved, substitute
    calendar = BusinessCalendar("c", frozenset(range(7)), "JP", ())  # every weekday works
    day = dt.date(2020, 1, 1)
    while day.year < 2028:
        assert calendar.is_business_day(day) == (day not in listed), day
        day += dt.timedelta(days=1)


def test_a_year_outside_the_holiday_data_is_an_error() -> None:
    calendar = BusinessCalendar("c", frozenset(range(5)), "JP", ())
    with pytest.raises(CalendarError, match="covers 1949-2099, not 2150"):
        calendar.is_business_day(dt.date(2150, 1, 5))


def test_annual_closure_across_the_new_year() -> None:
    skyarch = calendar_of("skyarch-sms")
    assert [skyarch.is_business_day(dt.date(2026, 12, d)) for d in (28, 29, 30, 31)] == [
        True,
        True,
        False,
        False,
    ]
    assert not skyarch.is_business_day(dt.date(2027, 1, 3))
    assert skyarch.is_business_day(dt.date(2027, 1, 4))


def test_announced_closures_come_from_input() -> None:
    nexa = calendar_of("nexa-palette", (dt.date(2026, 12, 29),))
    assert not nexa.is_business_day(dt.date(2026, 12, 29))
    assert nexa.is_business_day(dt.date(2026, 12, 28))


@pytest.mark.parametrize(
    ("year", "month", "day"),
    [
        (2023, 11, dt.date(2023, 11, 24)),  # 4th Thursday 11/23 is 勤労感謝の日 -> Friday
        (2026, 11, dt.date(2026, 11, 26)),  # 11/26 is an ordinary Thursday
        (2024, 2, dt.date(2024, 2, 22)),
        (2027, 9, dt.date(2027, 9, 24)),  # 9/23 秋分の日 is the 4th Thursday -> Friday
        (2021, 12, dt.date(2021, 12, 23)),
    ],
)
def test_recurring_window_moves_off_non_business_days(year: int, month: int, day: dt.date) -> None:
    contract = rulebook.load_contract("click-soko")
    regular = next(c for c in contract.clauses if c.id == "regular")
    assert isinstance(regular, m.MaintenanceClause) and regular.recurrence is not None
    business = calendar_of("click-soko")
    start, end = at(year, month, 1), at(year, month, 28, 23)
    windows = cal.recurring_windows(regular.recurrence, TZ, start, end, business)
    (window,) = [w for w in windows if w[3].month == month]
    assert window[3] == day
    assert iso(window[0]) == f"{day.isoformat()}T22:00:00+09:00"
    assert iso(window[1]) == f"{(day + dt.timedelta(days=1)).isoformat()}T00:00:00+09:00"


def test_a_move_is_applied_repeatedly() -> None:
    # Thursday on a holiday, Friday an announced closure: the window goes to Monday.
    business = BusinessCalendar(
        "b", frozenset(range(5)), "JP", (), frozenset({dt.date(2023, 11, 24)})
    )
    assert business.next_business_day(dt.date(2023, 11, 23)) == dt.date(2023, 11, 27)


CLICK = calendar_of("click-soko")  # 10:00-12:00, 13:00-18:00 on JP business days


@pytest.mark.parametrize(
    ("start", "hours", "due"),
    [
        (at(2026, 9, 16, 11, 0), 3, "2026-09-16T15:00:00+09:00"),  # across the lunch break
        (at(2026, 9, 16, 12, 30), 1, "2026-09-16T14:00:00+09:00"),  # starts in lunch
        (at(2026, 9, 16, 20, 0), 1, "2026-09-17T11:00:00+09:00"),  # after hours
        (at(2026, 9, 11, 17, 0), 3, "2026-09-14T12:00:00+09:00"),  # across a weekend
        (at(2026, 9, 18, 17, 0), 3, "2026-09-24T12:00:00+09:00"),  # across three holidays
        (at(2026, 9, 16, 10, 0), 7, "2026-09-16T18:00:00+09:00"),  # exactly one business day
    ],
)
def test_add_business_hours(start: int, hours: int, due: str) -> None:
    assert iso(cal.add_business_seconds(CLICK, start, hours * 3600, TZ)) == due


def test_business_time_between_is_exact_to_the_second() -> None:
    assert (
        cal.business_seconds_between(
            CLICK, at(2026, 9, 11, 17, 59, 59), at(2026, 9, 14, 10, 0, 1), TZ
        )
        == 2
    )
    assert (
        cal.business_seconds_between(CLICK, at(2026, 9, 16, 11, 0), at(2026, 9, 16, 14, 0), TZ)
        == 7200
    )


def test_end_of_the_second_business_day_across_the_year_end_closure() -> None:
    skyarch = calendar_of("skyarch-sms")  # Mon-Fri, JP holidays, 12/30-1/3 closed, 10-18
    due = cal.end_of_nth_business_day(skyarch, at(2026, 12, 28, 15, 0), 2, TZ)
    assert iso(due) == "2027-01-04T18:00:00+09:00"


def test_add_business_days_keeps_the_business_time_of_day() -> None:
    assert (
        iso(cal.add_business_days(CLICK, at(2026, 9, 18, 15, 0), 1, TZ))
        == "2026-09-24T15:00:00+09:00"
    )
    assert (
        iso(cal.add_business_days(CLICK, at(2026, 9, 16, 19, 0), 1, TZ))
        == "2026-09-18T10:00:00+09:00"
    )


# ------------------------------------------------------------------ notice rules

NOTICE = {
    "id": "N",
    "service": "*",
    "start": "2026-09-17T22:00:00",
    "end": "2026-09-17T23:00:00",
    "channel": "email",
}
RECORD = {
    "id": "a",
    "service": "Click So-ko",
    "start": "2026-09-17T22:00:00",
    "end": "2026-09-17T22:30:00",
}


@pytest.mark.parametrize(
    ("announced", "channel", "verdict"),
    [
        ("2026-09-10T00:00:00", "email", "excluded"),  # exactly 1 week before the work day
        ("2026-09-10T00:00:01", "email", "counted"),  # one second late
        ("2026-09-09T12:00:00", "email", "excluded"),
        ("2026-09-01T12:00:00", "website", "counted"),  # wrong channel
    ],
)
def test_notice_lead_at_its_exact_boundary(announced: str, channel: str, verdict: str) -> None:
    contract = rulebook.load_contract("click-soko")
    notice = {**NOTICE, "announced_at": announced, "channel": channel}
    result = rulebook.adjudicate(contract, [RECORD], [notice]).to_dict()
    assert result["outages"][0]["verdict"] == verdict


def test_months_clamp_at_the_month_end() -> None:
    # AOULU: 6 months before on the user guide. A stop on 2026-08-31 needs 2026-02-28.
    contract = rulebook.load_contract("aoulu-cloud")
    base = {
        "id": "N",
        "service": "*",
        "start": "2026-08-31T01:00:00",
        "end": "2026-08-31T02:00:00",
        "channel": "user_guide",
    }
    record = {
        "id": "a",
        "service": "AOULU 販売",
        "start": "2026-08-31T01:00:00",
        "end": "2026-08-31T01:30:00",
    }
    on_time = rulebook.adjudicate(
        contract, [record], [{**base, "announced_at": "2026-02-28T01:00:00"}]
    )
    late = rulebook.adjudicate(
        contract, [record], [{**base, "announced_at": "2026-02-28T01:00:01"}]
    )
    assert on_time.to_dict()["outages"][0]["verdict"] == "excluded"
    assert late.to_dict()["outages"][0]["verdict"] == "counted"


def test_a_failed_notice_says_why_in_both_languages() -> None:
    contract = rulebook.load_contract("click-soko")
    notice = {**NOTICE, "announced_at": "2026-09-12T09:00:00"}
    result = rulebook.adjudicate(contract, [RECORD], [notice])
    planned = next(r for r in result.to_dict()["outages"][0]["reasons"] if r["clause"] == "planned")
    assert planned["detail"]["en"].startswith(
        "announced 5 days 13 h before by email; 第2条 2. requires at least 1 week"
    )
    assert planned["detail"]["ja"].startswith(
        "5日13時間前に email で通知。第2条 2. は 作業実施日の1週間前までに email で"
    )


def test_the_emergency_flag(tmp_path: Path) -> None:
    emergency = {**NOTICE, "announced_at": "2026-09-17T21:00:00", "emergency": "true"}
    click = rulebook.load_contract("click-soko")  # emergency counted
    result = rulebook.adjudicate(click, [RECORD], [emergency]).to_dict()
    assert result["outages"][0]["verdict"] == "counted"
    text = (Path(rulebook.load.bundled_dir()) / "click-soko.sla").read_text(encoding="utf-8")
    path = tmp_path / "c.sla"
    path.write_text(text.replace("emergency counted", "emergency excluded"), encoding="utf-8")
    lenient = rulebook.load_contract(path)
    result = rulebook.adjudicate(lenient, [RECORD], [emergency]).to_dict()
    assert result["outages"][0]["verdict"] == "excluded"
    planned = next(r for r in result["outages"][0]["reasons"] if r["clause"] == "planned")
    assert planned["detail"]["en"] == "emergency maintenance, excluded by 第2条 2."


def test_a_business_day_period_starting_at_midnight_counts_its_first_day() -> None:
    """民法 第140条 ただし書: at exactly 00:00 the day counts; a second either side it does not."""
    tz = zoneinfo.ZoneInfo("Asia/Tokyo")
    weekdays = BusinessCalendar("b", frozenset(range(5)), "JP", (), hours=((600, 1080),))

    def due(moment: str) -> str:
        t = int(dt.datetime.fromisoformat(moment).replace(tzinfo=tz).timestamp())
        return dt.datetime.fromtimestamp(
            cal.end_of_nth_business_day(weekdays, t, 2, tz), tz
        ).isoformat()

    assert due("2026-09-02T23:59:59") == "2026-09-04T18:00:00+09:00"  # Wed: Thu, Fri
    assert due("2026-09-03T00:00:00") == "2026-09-04T18:00:00+09:00"  # Thu 00:00: Thu, Fri
    assert due("2026-09-03T00:00:01") == "2026-09-07T18:00:00+09:00"  # Thu: Fri, Mon
    assert due("2026-09-05T00:00:00") == "2026-09-08T18:00:00+09:00"  # Sat 00:00: Mon, Tue
