"""Maintenance windows: announced ones checked against the contract's notice rules, and
recurring ones generated from the calendar.

A window excludes only the time it overlaps. A notice that fails every rule of its clause
excludes nothing, and the window keeps the reason ("announced 5 days before; 第2条 2.
requires 1 week, by email").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import attrs

from rulebook import model as m
from rulebook import units
from rulebook.engine.calendar import (
    BusinessCalendar,
    add_calendar,
    business_calendars,
    recurring_windows,
    start_of_day,
)
from rulebook.engine.trace import duration_words
from rulebook.intake.records import (
    Notice,
    format_instant,
)
from rulebook.reprs import with_repr
from rulebook.text import Words


@with_repr
@attrs.frozen(repr=False)
class Window:
    """A maintenance window of one clause, and whether it excludes its time."""

    clause: str
    service: str  # "*" for every service
    start: int
    end: int
    qualifies: bool | None  # None: the notice's facts do not say (e.g. no announced_at)
    detail: Words
    notice: str | None = None


def announced_windows(
    clause: m.MaintenanceClause, notices: Iterable[Notice], tz: dt.tzinfo
) -> list[Window]:
    """The windows of ``notices`` judged against the clause's notice rules."""
    if not clause.notices:
        return []
    out = []
    for notice in notices:
        qualifies, detail = judge_notice(clause, notice, tz)
        out.append(
            Window(
                clause.id, notice.service, notice.start, notice.end, qualifies, detail, notice.id
            )
        )
    return out


def judge_notice(
    clause: m.MaintenanceClause, notice: Notice, tz: dt.tzinfo
) -> tuple[bool | None, Words]:
    """Whether a notice satisfies any rule of the clause, and why (or why not)."""
    article = clause.citation.article if clause.citation else clause.id
    if notice.emergency and clause.emergency is not None and clause.emergency.name == "excluded":
        return True, Words(
            f"emergency maintenance, excluded by {article}",
            f"緊急メンテナンス（{article} により除外）",
        )
    rules = [_rule_words(r) for r in clause.notices]
    if notice.announced_at is None:
        return None, Words(
            f"notice {notice.id} does not say when it was announced; {article} requires "
            + "; or ".join(w.en for w in rules),
            f"通知 {notice.id} の通知日時が不明です。{article} は "
            + "、または".join(w.ja for w in rules)
            + " を求めています",
        )
    lead = notice.start - notice.announced_at
    failures: list[Words] = []
    for rule, words in zip(clause.notices, rules, strict=True):
        channel = notice.channel or "an unknown channel"
        if rule.channel.name not in ("any", notice.channel):
            failures.append(
                Words(f"{words.en} (sent by {channel})", f"{words.ja}（{channel} で送付）")
            )
            continue
        deadline = _deadline(rule, notice.start, tz)
        on_time = (
            notice.announced_at <= deadline
            if rule.lead is not None
            else notice.announced_at < notice.start
        )
        if on_time:
            return True, Words(
                f"announced {duration_words(lead).en} before, by {channel}; "
                f"meets {article} ({words.en})",
                f"{duration_words(lead).ja}前に {channel} で通知。{article}（{words.ja}）を満たす",
            )
        due = format_instant(deadline, tz)
        if rule.lead is None:  # strictly before the start
            failures.append(Words(f"{words.en}, i.e. before {due}", f"{words.ja}（{due} より前）"))
        else:
            failures.append(Words(f"{words.en}, i.e. by {due}", f"{words.ja}（期限 {due}）"))
    when_en = f"{duration_words(lead).en} before" if lead > 0 else "after the start"
    when_ja = f"{duration_words(lead).ja}前" if lead > 0 else "開始後"
    return False, Words(
        f"announced {when_en} by {notice.channel or 'an unknown channel'}; {article} requires "
        + "; or ".join(f.en for f in failures),
        f"{when_ja}に {notice.channel or '不明な方法'} で通知。{article} は "
        + "、または".join(f.ja for f in failures)
        + " を求めています",
    )


def _deadline(rule: m.NoticeRule, start: int, tz: dt.tzinfo) -> int:
    anchor = start_of_day(start, tz) if rule.to_work_day else start
    if rule.lead is None:
        return anchor
    return add_calendar(anchor, rule.lead, tz, sign=-1)


def _rule_words(rule: m.NoticeRule) -> Words:
    lead = units.show(rule.lead) if rule.lead is not None else None
    lead_ja = units.show_ja(rule.lead) if rule.lead is not None else None
    anchor_en = "the work day" if rule.to_work_day else "the start"
    anchor_ja = "作業実施日" if rule.to_work_day else "開始"
    return Words(
        f"{'at least ' + lead + ' ' if lead else ''}before {anchor_en}, by {rule.channel.name}",
        f"{anchor_ja}の{lead_ja + '前までに' if lead_ja else '前に'} {rule.channel.name} で",
    )


def regular_windows(
    clause: m.MaintenanceClause,
    tz: dt.tzinfo,
    start: int,
    end: int,
    calendars: dict[str, BusinessCalendar],
) -> list[Window]:
    """The recurring windows of a clause between ``start`` and ``end``."""
    if clause.recurrence is None:
        return []
    calendar = None
    if clause.moves:
        name = clause.moved_on.name if clause.moved_on else next(iter(calendars), None)
        calendar = calendars.get(name) if name else None
    article = clause.citation.article if clause.citation else clause.id
    out = []
    for w_start, w_end, scheduled, day in recurring_windows(
        clause.recurrence, tz, start, end, calendar
    ):
        moved = day != scheduled
        detail = Words(
            f"regular maintenance on {day.isoformat()}"
            + (f", moved from {scheduled.isoformat()} (not a business day)" if moved else "")
            + f", by {article}; no notice needed",
            f"{day.isoformat()} の定期メンテナンス"
            + (f"（{scheduled.isoformat()} が非営業日のため延期）" if moved else "")
            + f"。{article} により通知不要",
        )
        out.append(Window(clause.id, "*", w_start, w_end, True, detail))
    return out


def contract_windows(
    contract: m.Contract,
    notices: list[Notice],
    tz: dt.tzinfo,
    start: int,
    end: int,
    closures: frozenset[dt.date] = frozenset(),
) -> list[Window]:
    """Every maintenance window of the contract between ``start`` and ``end``, sorted."""
    calendars = business_calendars(contract, closures)
    windows: list[Window] = []
    for clause in contract.clauses:
        if isinstance(clause, m.MaintenanceClause):
            windows.extend(announced_windows(clause, notices, tz))
            windows.extend(regular_windows(clause, tz, start, end, calendars))
    windows.sort(key=lambda w: (w.start, w.end, w.clause, w.notice or ""))
    return windows
