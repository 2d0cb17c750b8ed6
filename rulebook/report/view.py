"""The report's facts, worked out once from the JSON document (format 1), the contract, the
maintenance windows and the billing, for every format of the report: HTML, terminal,
Markdown and CSV show the same figures.

Nothing here adjudicates or builds a record's reasons: the figures are the document's;
this module only adds what a reader needs beside them — durations as h:mm:ss, the downtime
budget, the remedy in money, the claim deadline's weekday, clause titles for clause ids.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any, Protocol

import attrs

from rulebook.engine.remedy import exact_decimal
from rulebook.engine.trace import OBLIGATION_VERDICTS, VERDICTS
from rulebook.engine.windows import Window
from rulebook.intake.billing import Billing
from rulebook.reprs import with_repr
from rulebook.text import Words


class Reportable(Protocol):
    """What the report needs of a result, from either evaluator."""

    def to_dict(self, reasons: bool = ..., records: bool = ...) -> dict[str, Any]: ...

    def windows(self) -> list[Window]: ...

    def billing(self) -> dict[str, Billing]: ...

    @property
    def tz(self) -> dt.tzinfo: ...


def hms(seconds: int | Fraction) -> str:
    """A duration as ``h:mm:ss`` (hours unbounded; a fraction of a second is dropped).

    >>> hms(1920), hms(90061), hms(-75)
    ('0:32:00', '25:01:01', '-0:01:15')
    """
    sign = "-" if seconds < 0 else ""
    whole = abs(int(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{sign}{hours}:{minutes:02d}:{secs:02d}"


WEEKDAYS = {
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
    "ja": ("月", "火", "水", "木", "金", "土", "日"),
}
MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def day_words(day: dt.date, lang: str) -> str:
    """A date with its weekday: ``Sat 31 Oct 2026`` / ``2026年10月31日(土)``.

    >>> day_words(dt.date(2026, 10, 31), "en"), day_words(dt.date(2026, 10, 31), "ja")
    ('Sat 31 Oct 2026', '2026年10月31日(土)')
    """
    weekday = WEEKDAYS[lang][day.weekday()]
    if lang == "ja":
        return f"{day.year}年{day.month}月{day.day}日({weekday})"
    return f"{weekday} {day.day} {MONTHS_EN[day.month - 1]} {day.year}"


SYMBOLS = {"JPY": "¥", "USD": "$", "EUR": "€"}


def money(amount: Decimal | Fraction | str, currency: str) -> str:
    """An amount with its currency, thousands separated: ``¥50,000``, ``12.50 USD``.

    >>> money("69", "JPY"), money(Decimal("1234.5"), "USD")
    ('¥69', '$1,234.50')
    """
    value = Decimal(str(amount)) if not isinstance(amount, Fraction) else None
    if value is None:
        assert isinstance(amount, Fraction)
        value = exact_decimal(amount)
    places = 0 if currency == "JPY" else 2
    text = f"{value:,.{places}f}"
    symbol = SYMBOLS.get(currency)
    return f"{symbol}{text}" if symbol else f"{text} {currency}"


def local(text: str | None) -> str:
    """An instant of the document as ``YYYY-MM-DD HH:MM:SS`` (the offset is in the header).

    >>> local("2026-09-02T09:12:00+09:00")
    '2026-09-02 09:12:00'
    """
    return "—" if text is None else text[:19].replace("T", " ")


# ------------------------------------------------------------------ words

W = {
    "report": Words("SLA report", "SLA 報告書"),
    "provider": Words("Provider", "提供者"),
    "source": Words("Source document", "原文"),
    "timezone": Words("Timezone", "タイムゾーン"),
    "project_file": Words("Project file", "プロジェクトファイル"),
    "naive_times": Words("times without an offset read in", "時差のない時刻の読み方"),
    "as_of": Words("Ongoing records closed at", "継続中の記録の打ち切り時刻"),
    "availability": Words("Availability", "稼働率"),
    "target": Words("target", "目標"),
    "met": Words("met", "達成"),
    "missed": Words("missed", "未達"),
    "no_target": Words("no target", "目標なし"),
    "no_data": Words("no data", "データなし"),
    "no_data_note": Words(
        "The log does not cover this period (it is outside the span the log covers): it is "
        "not measured, whatever its records say.",
        "ログはこの期間を対象としていません（ログの対象期間外）。記録があっても計測しません。",
    ),
    "provisional": Words(" (provisional)", "（暫定）"),
    "provisional_note": Words(
        "The period was still running at the as-of instant: these figures can still change.",
        "この期間は打ち切り時刻の時点でまだ終わっていません。数値は今後変わることがあります。",
    ),
    "budget": Words("Downtime budget", "ダウンタイムの許容量"),
    "allowed": Words("allowed", "許容"),
    "used": Words("used", "使用"),
    "left": Words("left", "残り"),
    "over": Words("over by", "超過"),
    "denominator": Words("Denominator", "分母"),
    "remedy": Words("Remedy", "補償"),
    "no_remedy": Words("Nothing is owed for this period.", "この期間に補償はありません。"),
    "claim_by": Words("Claim by", "請求期限"),
    "claim_last": Words("last day in time", "この日まで"),
    "undetermined": Words("Still undetermined", "未確定の事項"),
    "nothing_open": Words("Nothing is left undetermined.", "未確定の事項はありません。"),
    "timeline": Words("Timeline", "タイムライン"),
    "records": Words("Records", "記録"),
    "id": Words("Record", "記録"),
    "start": Words("Start", "開始"),
    "end": Words("End", "終了"),
    "duration": Words("Duration", "時間"),
    "counted": Words("Counted", "算入"),
    "excluded": Words("Excluded", "除外"),
    "not_downtime": Words("Not downtime", "非ダウンタイム"),
    "out_of_scope": Words("Out of scope", "対象外"),
    "verdict": Words("Verdict", "判定"),
    "deciding": Words("Deciding clause", "決め手の条項"),
    "obligations": Words("Obligations (deadline)", "義務（期限）"),
    "window": Words("Maintenance window", "メンテナンス時間帯"),
    "window_not": Words(
        "Maintenance window that does not qualify", "要件を満たさないメンテナンス時間帯"
    ),
    "total": Words("Total", "合計"),
    "parts": Words("Parts (the record's own scale)", "内訳（記録ごとの縮尺）"),
    "counts": Words("Input", "入力"),
    "services": Words("Services and periods", "サービスと期間"),
    "quote": Words("Contract text", "契約の文言"),
    "service": Words("Service", "サービス"),
}


def word(key: str, lang: str) -> str:
    """One of the report's fixed words in ``lang``."""
    return W[key].get(lang)


# ------------------------------------------------------------------ the facts


@with_repr
@attrs.frozen(repr=False)
class Budget:
    """Allowed downtime of a period under its target, what was used, what is left: whole
    seconds (:func:`budget`); ``exact``, the allowed time as the contract's arithmetic
    gives it (the CSV's ``allowed_seconds``)."""

    allowed: int
    used: int
    left: int
    exact: Fraction


@with_repr
@attrs.frozen(repr=False)
class Band:
    """A maintenance window drawn on a period's timeline."""

    clause: str
    title: str
    start: int
    end: int
    qualifies: bool | None
    notice: str | None
    detail: str


@with_repr
@attrs.frozen(repr=False)
class ReportPeriod:
    """One service's period with everything the report shows about it."""

    data: dict[str, Any]  # the document's period
    start: int
    end: int
    budget: Budget | None
    denominator: str
    remedy_words: str | None
    remedy_money: str | None
    remedy_quotes: tuple[str, ...]
    remedy_title: str | None
    claim_day: str | None
    open_items: tuple[str, ...]
    records: tuple[dict[str, Any], ...]  # the document's records with a segment here
    bands: tuple[Band, ...]


@with_repr
@attrs.frozen(repr=False)
class Report:
    """The whole report: the contract, the input's counts, every period, every record."""

    lang: str
    contract: dict[str, Any]
    provider: str | None
    timezone: str
    counts: dict[str, int]
    clauses: dict[str, dict[str, Any]]
    periods: tuple[ReportPeriod, ...]
    records: tuple[dict[str, Any], ...]
    as_of: str | None
    version: str
    project_file: dict[str, Any] | None = None  # the project file the inputs were read with
    #: a contract with versions: the document's ``versions`` (each with the clause texts
    #: that differ from ``clauses``, the latest)
    versions: tuple[dict[str, Any], ...] = ()

    def title_of(self, clause: str | None) -> str:
        """A clause's title from the contract (its id when the contract has none)."""
        return clause_title({"clauses": self.clauses}, clause)

    def deciding(self, record: Mapping[str, Any]) -> str:
        """The titles of a record's deciding clauses, or a dash."""
        return ", ".join(self.title_of(c) for c in dict.fromkeys(record["deciding"])) or "—"

    def verdict(self, record: Mapping[str, Any]) -> str:
        """A record's verdict in words."""
        return VERDICTS[record["verdict"]].get(self.lang)

    def obligations(self, record: Mapping[str, Any]) -> list[str]:
        """A record's obligations that applied: clause title, verdict, deadline."""
        out = []
        for ob in record.get("obligations", []):
            if ob["verdict"] == "not_applicable":
                continue
            verdict = OBLIGATION_VERDICTS[ob["verdict"]].get(self.lang)
            line = f"{self.title_of(ob['clause'])}: {verdict}"
            if ob.get("deadline"):
                line += f" ({local(ob['deadline'])})"
            out.append(line)
        return out


def clause_title(data: Mapping[str, Any], clause: str | None) -> str:
    """A clause's title from the document's clauses (its id when it has none)."""
    if clause is None:
        return "—"
    return str(data["clauses"].get(clause, {}).get("title") or clause)


def duration(record: Mapping[str, Any]) -> int:
    """A record's seconds (counted, excluded, not downtime and out of scope together)."""
    return sum(_seconds(s) for s in record["segments"])


def _seconds(segment: Mapping[str, Any]) -> int:
    start = dt.datetime.fromisoformat(segment["start"])
    end = dt.datetime.fromisoformat(segment["end"])
    return int((end - start).total_seconds())


def instant(text: str) -> int:
    """A document instant as POSIX seconds."""
    return int(dt.datetime.fromisoformat(text).timestamp())


def period_bounds(label: str, tz: dt.tzinfo) -> tuple[int, int]:
    """The instants of a period label: a month ``2026-09`` or a quarter ``2026-Q3``."""
    match = re.fullmatch(r"(\d{4})-(?:(\d{2})|Q([1-4]))", label)
    if match is None:
        raise ValueError(f"not a period label: {label!r}")
    year = int(match[1])
    first = int(match[2]) if match[2] else 3 * int(match[3]) - 2
    count = 1 if match[2] else 3
    last = first + count
    end_year, end_month = (year + (last - 1) // 12, (last - 1) % 12 + 1)
    start = dt.datetime(year, first, 1, tzinfo=tz)
    end = dt.datetime(end_year, end_month, 1, tzinfo=tz)
    return int(start.timestamp()), int(end.timestamp())


def target_ratio(target: str | None) -> Fraction | None:
    """The availability a target promises, as a ratio: ``>= 99.9%`` -> 999/1000."""
    if target is None:
        return None
    match = re.search(r"([0-9.]+)\s*%", target)
    return Fraction(match[1]) / 100 if match else None


def budget(period: Mapping[str, Any]) -> Budget | None:
    """Allowed downtime: the whole seconds of the denominator times one minus the target;
    none for a period the log does not cover. Downtime is counted in whole seconds, so a
    period meets its target exactly when its downtime is at most these (99.95% of 2,577,600
    s allows 1,288.8 s: 1,288 whole), and allowed, used and left add up as shown."""
    ratio = target_ratio(period["target"])
    if ratio is None or period.get("no_data"):
        return None
    exact = period["denominator_seconds"] * (1 - ratio)
    allowed, used = math.floor(exact), period["downtime_seconds"]
    return Budget(allowed, used, allowed - used, exact)


def denominator_words(period: Mapping[str, Any], lang: str) -> str:
    """How the denominator was reached: the period, less planned stops."""
    whole, denominator = period["period_seconds"], period["denominator_seconds"]
    taken = whole - denominator
    if lang == "ja":
        text = f"期間 {hms(whole)}（{whole:,} 秒）"
        if taken:
            text += f" − 計画停止 {hms(taken)} = {hms(denominator)}（{denominator:,} 秒）"
        return text + "。除外された時間は分母にも分子にも入りません。"
    text = f"period {hms(whole)} ({whole:,} s)"
    if taken:
        text += f" − planned stops {hms(taken)} = {hms(denominator)} ({denominator:,} s)"
    return text + "; excluded time counts as neither downtime nor uptime lost."


KINDS = {
    "refund": Words("refund", "返金"),
    "credit": Words("credit", "クレジット"),
    "damages": Words("damages", "損害賠償"),
    "free_months": Words("free months", "無料月"),
}


def remedy_money(remedy: Mapping[str, Any], billing: Billing | None, lang: str) -> str | None:
    """The remedy's value in money: the amount owed, or free months times the fee."""
    if remedy["amount"] is not None and remedy["currency"]:
        kind = KINDS.get(remedy["kind"])
        value = money(remedy["amount"], remedy["currency"])
        return f"{kind.get(lang)} {value}" if kind else value
    if remedy["months"] is not None and billing is not None:
        value = money(billing.monthly_fee * remedy["months"], billing.currency)
        if lang == "ja":
            return f"{remedy['months']} か月無料（{value} 相当）"
        return f"{remedy['months']} free month(s), worth {value}"
    if remedy["months"] is not None:
        if lang == "ja":
            return f"{remedy['months']} か月無料"
        return f"{remedy['months']} free month(s)"
    return None


def open_items(
    period: Mapping[str, Any],
    records: Sequence[Mapping[str, Any]],
    billing: Billing | None,
    report_lang: str,
) -> tuple[str, ...]:
    """What the document leaves undetermined for a period, each with its reason."""
    ja = report_lang == "ja"
    out = []
    remedy = period["remedy"]
    if period["met"] is None and period["target"] is not None and not period.get("no_data"):
        out.append(
            "稼働率が求められないため、達成・未達を判断できません。"
            if ja
            else "Met or missed cannot be decided: the period has no availability."
        )
    if remedy is not None and remedy["amount"] is None and remedy["months"] is None:
        out.append(
            "月額料金（--billing）が与えられていないため、金額を計算できません。"
            if ja
            else "The amount cannot be computed: the monthly fee was not given (--billing)."
        )
    if remedy is not None and remedy["months"] is not None and billing is None:
        out.append(
            "月額料金（--billing）が与えられていないため、無料月の金額は示せません。"
            if ja
            else "The free month's value in money is not shown: the monthly fee was not given"
            " (--billing)."
        )
    for record in records:
        if record["ongoing"]:
            out.append(
                f"{record['id']}: 継続中（終了時刻なし）。{local(record['end'])} で打ち切って計算。"
                if ja
                else f"{record['id']}: ongoing (no end given);"
                f" counted up to {local(record['end'])}."
            )
        for ob in record.get("obligations", []):
            if ob["verdict"] == "undetermined":
                out.append(
                    f"{record['id']}: 義務 {ob['clause']} は事実が不足し判断できません。"
                    if ja
                    else f"{record['id']}: obligation {ob['clause']} cannot be decided"
                    " for want of facts."
                )
    return tuple(out)


def build(
    result: Reportable, data: dict[str, Any], lang: str, provider: str | None = None
) -> Report:
    """The report of ``result`` (either evaluator) from its JSON document ``data`` (with the
    input's counts, filtered to a period or not), in ``lang``."""
    tz = result.tz
    clauses = data["clauses"]
    billing = result.billing()
    windows = result.windows()
    periods = []
    for p in data["periods"]:
        start, end = period_bounds(p["period"], tz)
        here = tuple(
            r
            for r in data["outages"]
            if r["service"] == p["service"]
            and any(s["period"] == p["period"] for s in r["segments"])
        )
        bands = tuple(
            Band(
                w.clause,
                str(clauses.get(w.clause, {}).get("title") or w.clause),
                max(w.start, start),
                min(w.end, end),
                w.qualifies,
                w.notice,
                w.detail.get(lang),
            )
            for w in windows
            if w.service in ("*", p["service"]) and w.start < end and w.end > start
        )
        remedy = p["remedy"]
        bill = billing.get(p["service"])
        quoted = clauses.get(remedy["clause"], {}) if remedy else {}
        periods.append(
            ReportPeriod(
                p,
                start,
                end,
                budget(p),
                denominator_words(p, lang),
                remedy["formula"][lang] if remedy else None,
                remedy_money(remedy, bill, lang) if remedy else None,
                tuple(quoted.get("quotes", ())),
                quoted.get("title"),
                day_words(dt.date.fromisoformat(remedy["claim_last_day"]), lang)
                if remedy and remedy.get("claim_last_day")
                else None,
                open_items(p, here, bill, lang),
                here,
                bands,
            )
        )
    return Report(
        lang,
        data["contract"],
        provider,
        str(tz),
        data["counts"],
        clauses,
        tuple(periods),
        tuple(data["outages"]),
        data["as_of"],
        data["rulebook"],
        data.get("project_file"),
        tuple(data.get("versions", ())),
    )
