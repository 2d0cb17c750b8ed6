"""What the printed report adds to the figures so that it can be attached to a claim: the
first page's summary (per service and period the shortfall, the remedy in money, the
claim deadline, and what the contract says to send to whom), the records gathered by
incident, the out-of-scope records summarised by service, ids too long for a column
shortened with a footnote, each record's reason in one line and in full, and the clauses
applied, each quoted once.

The reasons are the record engine's (the explainer's) words, rendered by
:mod:`rulebook.engine.trace`: the one-line reason is the first line of what ``explain``
says, not a second statement of it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any

import attrs

from rulebook import model as m
from rulebook.engine.trace import reason_line, render_record
from rulebook.intake.billing import Billing
from rulebook.report.view import Report, ReportPeriod, duration, hms, money
from rulebook.reprs import with_repr
from rulebook.text import Words

#: An id longer than this is shown shortened, its full text on hover and in a footnote.
ID_WIDTH = 22


def short_id(rid: str) -> str:
    """An id cut in the middle to :data:`ID_WIDTH` characters (its start and its end are
    what tell records apart).

    >>> short_id("1LczkFcPKVVPUEw6XBf7/L3ggmi3Jy4xJmgodFA9K@asia-northeast1")
    '1LczkFcPKV…-northeast1'
    """
    if len(rid) <= ID_WIDTH:
        return rid
    head = (ID_WIDTH - 1) // 2
    return rid[:head] + "…" + rid[-(ID_WIDTH - 1 - head) :]


#: A one-line reason longer than this is cut at a word in the table (in full on hover, in
#: the explanation and in the appendix).
REASON_WIDTH = 110


def clip(text: str, width: int = REASON_WIDTH) -> str:
    """``text`` cut at a space to at most ``width`` characters, with an ellipsis.

    >>> clip("a degradation is not downtime: the contract does not count it", 30)
    'a degradation is not…'
    """
    if len(text) <= width:
        return text
    cut = text[: width - 1]
    return (cut.rsplit(" ", 1)[0] if " " in cut else cut) + "…"


def incident_of(rid: str) -> str:
    """The incident a record belongs to: an importer's record id is ``INCIDENT/PART`` (a
    product or a component), a service map's copy ``ID@SERVICE``; otherwise the id.

    >>> incident_of("abc/def@us-east1"), incident_of("cm-01@AOULU 販売"), incident_of("cm-01")
    ('abc', 'cm-01', 'cm-01')
    """
    return rid.split("/", 1)[0].split("@", 1)[0]


@with_repr
@attrs.frozen(repr=False)
class ClaimRow:
    """One service's period on the first page."""

    service: str
    period: str
    availability: str
    target: str
    met: bool | None
    shortfall: str  # the downtime over the budget, h:mm:ss, or a dash
    remedy: str  # the remedy in words and money, or a dash
    claim_by: str  # the claim's last day, or a dash
    anchor: str
    no_data: bool = False  # a period the log says nothing of (docs/adjudication.md)


@with_repr
@attrs.frozen(repr=False)
class Group:
    """Records of one incident with the same verdict and deciding clauses: one row of the
    table (an export's incident is a record per product and region, usually alike)."""

    incident: str
    records: tuple[dict[str, Any], ...]
    services: tuple[str, ...]
    start: str
    end: str
    seconds: int
    counted: int
    excluded: int
    verdict: str
    deciding: str
    reasons: tuple[str, ...]  # the one-line reasons of its records, each once
    explanations: tuple[tuple[tuple[str, ...], str], ...]  # (record ids, explanation), each once


#: The one-line reasons shown in a row; more are counted ("+N").
SHOWN_REASONS = 3


@with_repr
@attrs.frozen(repr=False)
class Obligations:
    """Records of one incident with the same obligations and verdicts: one row."""

    incident: str
    records: tuple[str, ...]
    lines: tuple[str, ...]


@with_repr
@attrs.frozen(repr=False)
class Claim:
    """The claim-ready parts of a report."""

    rows: tuple[ClaimRow, ...]
    totals: tuple[str, ...]  # the remedies owed, summed by currency
    owed_months: int  # free months without a fee to price them
    how_to_claim: tuple[tuple[str, tuple[str, ...]], ...]  # remedy title, the contract's words
    groups: tuple[Group, ...]  # the rows of the records table
    quiet: tuple[Group, ...]  # at scale, rows without counted or excluded time (appendix)
    quiet_summary: tuple[tuple[str, str, int, int], ...]  # verdict, reason, incidents, records
    # past LIST_ROWS rows: verdict, deciding clauses, incidents, records, counted, excluded
    timed_summary: tuple[tuple[str, str, int, int, int, int], ...]
    obligations: tuple[Obligations, ...]
    obligation_summary: tuple[tuple[str, int, int], ...]  # at scale: line, incidents, records
    explanations: tuple[tuple[tuple[str, ...], str], ...]  # every explanation once, its ids
    out_of_scope: tuple[tuple[str, int], ...]  # service, records
    out_of_scope_records: tuple[dict[str, Any], ...]
    clauses: tuple[tuple[str, dict[str, Any]], ...]  # the clauses applied, by id
    long_ids: tuple[str, ...]  # ids the tables show shortened, in footnote order


def remedy_value(remedy: Mapping[str, Any], billing: Billing | None) -> tuple[Decimal, str] | None:
    """The remedy in money: the amount owed, or free months times the monthly fee."""
    if remedy["amount"] is not None and remedy["currency"]:
        return Decimal(str(remedy["amount"])), str(remedy["currency"])
    if remedy["months"] is not None and billing is not None:
        return billing.monthly_fee * remedy["months"], billing.currency
    return None


def build_claim(
    report: Report,
    billing: Mapping[str, Billing],
    reasons: Mapping[str, Mapping[str, Any]],
    contract: m.Contract,
) -> Claim:
    """The claim of ``report``: ``reasons`` are the record engine's records (with their
    reasons) by id."""
    lang = report.lang
    rows: list[ClaimRow] = []
    totals: dict[str, Decimal] = {}
    how: dict[str, tuple[str, ...]] = {}
    months = 0
    for i, p in enumerate(report.periods, 1):
        rows.append(_claim_row(p, lang, i))
        remedy = p.data["remedy"]
        if remedy is None:
            continue
        value = remedy_value(remedy, billing.get(p.data["service"]))
        if value is not None:
            totals[value[1]] = totals.get(value[1], Decimal(0)) + value[0]
        elif remedy["months"] is not None:
            months += remedy["months"]
        if p.remedy_quotes:
            how[p.remedy_title or remedy["clause"]] = p.remedy_quotes
    scoped = [r for r in report.records if r["verdict"] != "out_of_scope"]
    outside = [r for r in report.records if r["verdict"] == "out_of_scope"]
    by_service: dict[str, int] = {}
    for r in outside:
        by_service[r["service"]] = by_service.get(r["service"], 0) + 1
    every = _groups(report, scoped, reasons, contract)
    groups, quiet = every, []
    if len(every) > SCALE_ROWS:  # at scale, rows without time are counted, listed after
        groups = [g for g in every if g.counted or g.excluded]
        quiet = [g for g in every if not (g.counted or g.excluded)]
    applied = _clauses_applied(report, scoped, outside)
    obligations = _obligations(report, scoped)
    summary: dict[str, tuple[set[str], int]] = {}
    if len(obligations) > SCALE_OBLIGATIONS:
        for o in obligations:
            for line in o.lines:
                incidents, n = summary.get(_undated(line), (set(), 0))
                summary[_undated(line)] = (incidents | {o.incident}, n + len(o.records))
    shown = [g.records[0]["id"] if len(g.records) == 1 else g.incident for g in groups]
    if not summary:  # (at scale the obligations are listed in the appendix, ids in full)
        shown += [o.records[0] if len(o.records) == 1 else o.incident for o in obligations]
    long_ids = [i for i in dict.fromkeys(shown) if short_id(i) != i]
    return Claim(
        tuple(rows),
        tuple(money(v, c) for c, v in sorted(totals.items())),
        months,
        tuple(how.items()),
        tuple(groups),
        tuple(quiet),
        tuple(_quiet_summary(quiet)),
        tuple(_timed_summary(groups) if len(groups) > LIST_ROWS else ()),
        tuple(obligations),
        tuple((line, len(i), n) for line, (i, n) in summary.items()),
        tuple(_explanations(every)),
        tuple(sorted(by_service.items(), key=lambda kv: (-kv[1], kv[0]))),
        tuple(outside),
        tuple(_quoted(report, applied, scoped, outside)),
        tuple(long_ids),
    )


def _claim_row(p: ReportPeriod, lang: str, index: int) -> ClaimRow:
    data = p.data
    over = p.budget is not None and p.budget.left < 0
    return ClaimRow(
        data["service"],
        data["period"],
        f"{data['availability']} %" if data["availability"] else "—",
        data["target"] or "—",
        data["met"],
        hms(-p.budget.left) if over and p.budget is not None else "—",
        p.remedy_money or (p.remedy_words or "—") if data["remedy"] else "—",
        p.claim_day or "—",
        f"p{index}",
        bool(data.get("no_data")),
    )


def _groups(
    report: Report,
    records: Sequence[dict[str, Any]],
    reasons: Mapping[str, Mapping[str, Any]],
    contract: m.Contract,
) -> list[Group]:
    """Records of one incident with the same verdict and deciding clauses become one row;
    its reasons and explanations are listed each once."""
    lang = report.lang
    keyed: dict[tuple[str, str, tuple[str, ...]], list[dict[str, Any]]] = {}
    for r in records:
        keyed.setdefault((incident_of(r["id"]), r["verdict"], tuple(r["deciding"])), []).append(r)
    out = []
    for (incident, _, _), members in keyed.items():
        lines: dict[str, None] = {}
        bodies: dict[str, list[str]] = {}
        for r in members:
            full = reasons.get(r["id"])
            if full is None:
                continue
            lines[reason_line(full, contract, lang)] = None
            text = render_record(full, contract, lang, "text", quotes=False).split("\n", 1)
            bodies.setdefault(text[1] if len(text) > 1 else "", []).append(r["id"])
        first = members[0]
        out.append(
            Group(
                incident,
                tuple(members),
                tuple(dict.fromkeys(r["service"] for r in members)),
                min(r["start"] for r in members),
                max(r["end"] for r in members),
                sum(duration(r) for r in members),
                sum(r["counted_seconds"] for r in members),
                sum(r["excluded_seconds"] for r in members),
                report.verdict(first),
                report.deciding(first),
                tuple(lines),
                tuple((tuple(ids), body) for body, ids in bodies.items() if body),
            )
        )
    return out


#: Past this many rows, records without counted or excluded time are summarised by reason
#: in the body and listed in the appendix; past this many obligation rows, the obligations
#: too (a thousand incidents still print in twenty pages of body).
SCALE_ROWS = 60
SCALE_OBLIGATIONS = 30
#: Past this many rows with counted or excluded time, the body summarises them by verdict
#: and deciding clauses, and the table itself is an appendix (printed at about 48 rows a
#: page, more would take the body past twenty pages).
LIST_ROWS = 250


def _undated(line: str) -> str:
    """An obligation's line without its deadline: ``title: missed``."""
    return line.split(" (", 1)[0]


def _quiet_summary(quiet: Sequence[Group]) -> list[tuple[str, str, int, int]]:
    counted: dict[tuple[str, str], tuple[set[str], int]] = {}
    for g in quiet:
        key = (g.verdict, clip(g.reasons[0]) if g.reasons else "—")
        incidents, n = counted.get(key, (set(), 0))
        counted[key] = (incidents | {g.incident}, n + len(g.records))
    return [(v, r, len(i), n) for (v, r), (i, n) in counted.items()]


def _timed_summary(groups: Sequence[Group]) -> list[tuple[str, str, int, int, int, int]]:
    """The rows by verdict and deciding clauses: incidents, records, counted and excluded
    seconds — in the order they first occur."""
    summed: dict[tuple[str, str], tuple[set[str], int, int, int]] = {}
    for g in groups:
        incidents, n, counted, excluded = summed.get((g.verdict, g.deciding), (set(), 0, 0, 0))
        summed[(g.verdict, g.deciding)] = (
            incidents | {g.incident},
            n + len(g.records),
            counted + g.counted,
            excluded + g.excluded,
        )
    return [(v, d, len(i), n, c, e) for (v, d), (i, n, c, e) in summed.items()]


def _explanations(groups: Sequence[Group]) -> list[tuple[tuple[str, ...], str]]:
    """Every explanation once, with the records it explains (the appendix in print)."""
    ids: dict[str, list[str]] = {}
    for g in groups:
        for records, body in g.explanations:
            ids.setdefault(body, []).extend(records)
    return [(tuple(records), body) for body, records in ids.items()]


def _obligations(report: Report, records: Sequence[dict[str, Any]]) -> list[Obligations]:
    """The records' obligations, a row per incident and outcome (the same deadline and
    verdict for every record of an incident is one line, however many records)."""
    keyed: dict[tuple[str, tuple[str, ...]], list[str]] = {}
    for r in records:
        lines = tuple(report.obligations(r))
        if lines:
            keyed.setdefault((incident_of(r["id"]), lines), []).append(r["id"])
    return [Obligations(i, tuple(ids), lines) for (i, lines), ids in keyed.items()]


def _clauses_applied(
    report: Report, records: Sequence[Mapping[str, Any]], outside: Sequence[Mapping[str, Any]]
) -> list[str]:
    """The clauses that decided a record, an obligation, a window or a remedy, in the
    contract's order."""
    used: set[str] = set()
    for r in [*records, *outside]:
        used.update(r["deciding"])
        used.update(s["clause"] for s in r["segments"] if s["clause"])
        used.update(
            o["clause"] for o in r.get("obligations", []) if o["verdict"] != "not_applicable"
        )
    for p in report.periods:
        if p.data["remedy"]:
            used.add(p.data["remedy"]["clause"])
        used.update(b.clause for b in p.bands)
    return [c for c in report.clauses if c in used]


def _quoted(
    report: Report,
    applied: list[str],
    records: Sequence[Mapping[str, Any]],
    outside: Sequence[Mapping[str, Any]],
) -> Iterator[tuple[str, dict[str, Any]]]:
    """Each clause applied with the text it was applied in: for a contract with versions,
    the text of each version that used it (one entry where the versions' texts agree,
    naming them all), so a period judged under the first text is not quoted the later."""
    if not report.versions:
        yield from ((c, report.clauses[c]) for c in applied if c in report.clauses)
        return
    used: dict[str, set[str]] = {}
    for r in [*records, *outside]:
        named = {*r["deciding"], *(s["clause"] for s in r["segments"] if s["clause"])}
        named |= {o["clause"] for o in r.get("obligations", []) if o["verdict"] != "not_applicable"}
        for cid in named:
            used.setdefault(cid, set()).add(r["version"])
    for p in report.periods:
        named = {b.clause for b in p.bands}
        if p.data["remedy"]:
            named.add(p.data["remedy"]["clause"])
        for cid in named:
            used.setdefault(cid, set()).add(p.data["version"])
    order = [v["name"] for v in report.versions]
    for cid in applied:
        texts: dict[str, list[str]] = {}
        shown: dict[str, dict[str, Any]] = {}
        for name in sorted(used.get(cid, ()), key=order.index):
            version = report.versions[order.index(name)]
            text = version["clauses"].get(cid, report.clauses.get(cid))
            if text is None:
                continue
            key = json.dumps(text, ensure_ascii=False, sort_keys=True)
            texts.setdefault(key, []).append(name)
            shown[key] = text
        for key, names in texts.items():
            yield cid, {**shown[key], "versions": names}


WORDS = {
    "summary": Words("What is claimed", "請求の概要"),
    "shortfall": Words("Over the budget by", "許容量の超過"),
    "claim_total": Words("Total owed", "補償の合計"),
    "free_months_unpriced": Words(
        "free month(s) not priced (no monthly fee given)", "か月分の無料月（月額料金なし）"
    ),
    "how_to_claim": Words("How to claim (the contract's words)", "請求の方法（契約の文言）"),
    "nothing_owed": Words("Nothing is owed for any period.", "どの期間にも補償はありません。"),
    "provenance": Words("Provenance", "出所"),
    "generated": Words("Generated", "作成日時"),
    "contract_file": Words("Contract file", "契約ファイル"),
    "inputs": Words("Inputs", "入力ファイル"),
    "options": Words("Options", "オプション"),
    "project": Words("Project file", "プロジェクトファイル"),
    "reason": Words("Reason", "理由"),
    "why": Words("Why, in full", "理由の詳細"),
    "incident": Words("Incident", "インシデント"),
    "records_n": Words("records", "件"),
    "out_of_scope": Words("Out of scope", "対象外"),
    "out_of_scope_note": Words(
        "Records of services the contract does not cover; none of their time is counted. "
        "The list is in the appendix and in the JSON record.",
        "契約の対象外のサービスの記録です。時間は算入されません。"
        "一覧は付録と JSON 記録にあります。",
    ),
    "appendix": Words("Appendix", "付録"),
    "clauses_applied": Words("Clauses applied", "適用した条項"),
    "versions": Words("version", "版"),
    "contract_versions": Words("Versions", "契約の版"),
    "first_text": Words("first text", "最初の版"),
    "versions_rule": Words(
        "each record and period is judged under the version in force at its start",
        "各記録・各期間は、その開始時に施行されていた版で判定",
    ),
    "explanations": Words("Explanations", "理由の詳細"),
    "long_ids": Words("Full record ids", "記録 ID の全文"),
    "obligations": Words("Obligations, by incident", "義務（インシデントごと）"),
    "burn": Words("Downtime budget, used over the period", "ダウンタイム許容量の消費"),
    "zoom": Words(
        "Days with records too short for the month's scale", "月の縮尺では短すぎる記録の日"
    ),
    "zoom_on_screen": Words(
        "Printed without its %d zoomed strip(s) of short records (in the HTML report); each "
        "record's times and durations are in the records table.",
        "短い記録の拡大図 %d 件は HTML 版にあります。各記録の時刻と時間は記録の表にあります。",
    ),
    "page": Words("page", "ページ"),
    "no_records": Words("No records.", "記録はありません。"),
    "count": Words("Records", "記録数"),
    "period": Words("Period", "期間"),
    "timed": Words(
        "Records with counted or excluded time, by deciding clause",
        "算入・除外の時間がある記録（判定した条項ごと）",
    ),
    "records_listed": Words(
        "Each record, with its reason, is listed in the appendix.",
        "各記録とその理由は付録に一覧があります。",
    ),
    "quiet": Words("Records without counted or excluded time", "算入・除外の時間がない記録"),
    "incidents": Words("Incidents", "インシデント数"),
    "listed_in_appendix": Words(
        "Each incident's obligations are listed in the appendix.",
        "インシデントごとの義務は付録にあります。",
    ),
}
