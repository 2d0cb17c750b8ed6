"""The explanation: small typed records appended as the engine works, rendered to text or
Markdown, in Japanese or English, only when asked for.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, NamedTuple, overload

from rulebook import model as m
from rulebook.conditions import DEGRADATION, DEGRADED, IMPACT
from rulebook.text import Words, markdown_text


class Reason(NamedTuple):
    """One clause considered for one record: its result, the facts it looked at and, when
    undetermined, the facts that would decide it.

    A NamedTuple rather than an attrs class: the engine makes one per clause and record
    (millions for a large log), and a tuple is built several times faster.
    """

    clause: str
    kind: str
    result: str  # applies, does_not_apply, undetermined
    facts: tuple[tuple[str, Any], ...] = ()
    missing: tuple[str, ...] = ()
    detail: Words | None = None
    via: Sequence[str] = ()  # records from this one back to the cause a clause applied to
    decisive: bool = False
    cancelled_by: str | None = None  # the exception or override that stopped the clause

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON; empty parts are left out."""
        out: dict[str, Any] = {"clause": self.clause, "kind": self.kind, "result": self.result}
        if self.decisive:
            out["decisive"] = True
        if self.facts:
            out["facts"] = {name: json_value(value) for name, value in self.facts}
        if self.missing:
            out["missing"] = list(self.missing)
        if self.detail is not None:
            out["detail"] = {"en": self.detail.en, "ja": self.detail.ja}
        if self.via:
            out["via"] = list(self.via)
        if self.cancelled_by:
            out["cancelled_by"] = self.cancelled_by
        return out


class Via(Sequence[str]):
    """The records from one record back to the cause a related clause applied to, kept as
    a link to the deciding cause's own chain: each record adds one link, so a chain of n
    records costs n links, not n² ids; the ids are walked only when shown.

    >>> list(Via("c", Via("b", "a")))
    ['c', 'b', 'a']
    """

    __slots__ = ("record", "rest")

    def __init__(self, record: str, rest: Via | str) -> None:
        self.record, self.rest = record, rest

    def __iter__(self) -> Iterator[str]:
        link: Via | str = self
        while isinstance(link, Via):
            yield link.record
            link = link.rest
        yield link

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __bool__(self) -> bool:
        return True  # a record and its cause at least: never walk the chain to say so

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[str]: ...
    def __getitem__(self, index: int | slice) -> str | Sequence[str]:
        return tuple(self)[index]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and tuple(self) == tuple(other)

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return f"Via{tuple(self)!r}"


def json_value(value: Any) -> Any:
    """A fact value as JSON: sets sorted, fractions as exact strings, unknown as null."""
    if isinstance(value, frozenset):
        return sorted(value)
    if isinstance(value, tuple):
        return list(value)
    if value is None or isinstance(value, (bool, str, int)):
        return value
    return str(value)


# ------------------------------------------------------------------ words


def duration_words(seconds: int) -> Words:
    """A length of time in days, hours, minutes and seconds: ``5 days 3 h`` / ``5日3時間``.

    >>> duration_words(3 * 86400 + 3600 + 1)
    Words(en='3 days 1 h 1 s', ja='3日1時間1秒')
    """
    days, rest = divmod(abs(seconds), 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [
        (days, f" day{'s' if days != 1 else ''}", "日"),
        (hours, " h", "時間"),
        (minutes, " min", "分"),
        (secs, " s", "秒"),
    ]
    shown = [(n, en, ja) for n, en, ja in parts if n] or [(0, " s", "秒")]
    return Words(
        " ".join(f"{n}{en}" for n, en, _ in shown), "".join(f"{n}{ja}" for n, _, ja in shown)
    )


VERDICTS = {
    "counted": Words("counted as downtime", "ダウンタイムに算入"),
    "excluded": Words("excluded", "除外"),
    "partly_excluded": Words("partly excluded", "一部除外"),
    "not_downtime": Words("not downtime", "ダウンタイムに該当しない"),
    "out_of_scope": Words("out of scope", "SLA の対象外"),
}
RESULTS = {
    "applies": Words("applies", "適用"),
    "does_not_apply": Words("does not apply", "非適用"),
    "undetermined": Words("undetermined", "判断不能"),
}
KINDS = {
    "services": Words("scope", "対象範囲"),
    "downtime": Words("downtime definition", "ダウンタイムの定義"),
    "exclusion": Words("exclusion", "適用除外"),
    "inclusion": Words("inclusion", "算入"),
    "exception": Words("exception", "例外"),
    "maintenance": Words("maintenance", "メンテナンス"),
}
UNKNOWN = Words("unknown", "不明")


def degraded(clause: str) -> Reason:
    """Why a degradation is not downtime, decided under ``clause`` (the contract does not
    test `impact`: :func:`rulebook.conditions.degradation_clause`)."""
    facts = ((IMPACT, DEGRADATION),)
    return Reason(clause, "downtime", "does_not_apply", facts, detail=DEGRADED, decisive=True)


NO_WINDOW = Words(
    "no maintenance window of this clause overlaps the record",
    "この条項のメンテナンス時間帯と重なりません",
)
LABELS = {
    "record": Words("Record", "記録"),
    "deciding": Words("Deciding clause", "決め手となった条項"),
    "facts": Words("facts", "事実"),
    "missing": Words("would be decided by", "判断に必要な事実"),
    "via": Words("through the records", "経由した記録"),
    "counted": Words("counted", "算入"),
    "excluded": Words("excluded", "除外"),
    "all": Words("All clauses considered", "検討した全条項"),
    "obligations": Words("Obligations", "義務（期限）"),
    "open": Words(
        "Not decided for want of facts (the record counts unless they are established)",
        "事実が不足し判断できない条項（確定しない限り算入）",
    ),
    "cancelled": Words("does not apply because of", "次の条項により適用されない"),
    "maybe_cancelled": Words(
        "undetermined: it would not apply if this were established",
        "判断不能：次の条項の事実が確定すれば適用されない",
    ),
    "no_decisive": Words("No clause excluded any of it.", "除外した条項はありません。"),
}


def fact_words(name: str, value: Any, vocabulary: m.Vocabulary | None, lang: str) -> str:
    """``label = value (code label)`` in the chosen language."""
    decl = vocabulary.fact(name) if vocabulary else None
    label = (decl.ja if lang == "ja" else decl.en) if decl else name
    if value is None:
        return f"{label} ({name}) = {UNKNOWN.get(lang)}"
    shown = json_value(value)
    if decl is not None and decl.codes:
        codes = shown if isinstance(shown, list) else [shown]
        labels = []
        for code in codes:
            c = decl.code(str(code))
            labels.append(f"{code} ({c.ja if lang == 'ja' else c.en})" if c else str(code))
        return f"{label} = {', '.join(labels)}"
    if decl is not None and decl.type == "duration":
        return f"{label} = {shown} s"
    return f"{label} = {shown}"


# ------------------------------------------------------------------ rendering


def render_record(
    record: Mapping[str, Any],
    contract: m.Contract,
    lang: str = "en",
    fmt: str = "text",
    full: bool = False,
    quotes: bool = True,
) -> str:
    """One record's explanation: short (the deciding clause and its facts) or full;
    without ``quotes`` the clauses are named, not quoted (a report quotes each clause once,
    in its appendix)."""
    md = fmt == "markdown"
    verdict = VERDICTS[record["verdict"]].get(lang)
    head = (
        f"{LABELS['record'].get(lang)} {record['id']} ({record['service']}, "
        f"{record['start']} – {record['end']}): {verdict}; "
        f"{LABELS['counted'].get(lang)} {record['counted_seconds']} s, "
        f"{LABELS['excluded'].get(lang)} {record['excluded_seconds']} s"
    )
    lines = [f"### {head}" if md else head]
    # Short: the deciding clauses; when none decided, those that could not be decided for
    # want of a fact (they are what a dispute over the record is about).
    reasons = list(record["reasons"]) if full else decisive_reasons(record)
    if not full and not reasons:
        lines.append(("- " if md else "  ") + LABELS["no_decisive"].get(lang))

    def heading(key: str) -> str:
        return f"**{LABELS[key].get(lang)}**" if md else f"  {LABELS[key].get(lang)}:"

    if full:
        lines.append(heading("all"))
        for reason in reasons:
            lines.extend(_reason_lines(reason, contract, lang, md, quotes))
    else:
        deciding = [r for r in reasons if r.get("decisive")]
        open_ = [r for r in reasons if not r.get("decisive")]
        for key, group in (("deciding", deciding), ("open", open_)):
            if group:
                lines.append(heading(key))
            for reason in group:
                lines.extend(_reason_lines(reason, contract, lang, md, quotes))
    # the short form leaves out obligations that do not apply, but not those a stop
    # outside the SLA lifted: that is a finding (`excluded by`)
    obligations = [
        o
        for o in record.get("obligations", [])
        if full or o["verdict"] != "not_applicable" or o.get("lifted_by")
    ]
    if obligations:
        title = LABELS["obligations"].get(lang)
        lines.append(f"**{title}**" if md else f"  {title}:")
    for ob in obligations:
        lines.extend(_obligation_lines(ob, contract, lang, md, quotes))
    return markdown_text("\n".join(lines)) if md else "\n".join(lines)


def decisive_reasons(record: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The reasons the short explanation shows: the deciding clauses; when none decided,
    those that could not be decided for want of a fact."""
    decided = record["verdict"] in ("excluded", "out_of_scope", "not_downtime")
    return [
        r
        for r in record["reasons"]
        if r.get("decisive") or (r["result"] == "undetermined" and not decided)
    ]


def reason_line(record: Mapping[str, Any], contract: m.Contract, lang: str = "en") -> str:
    """The short explanation's first reason in one line, in its own words: the clause's
    title and what decided it (the clause's detail, else the chain of causes, else the
    facts it read), or that no clause excluded any of it.

    A report prints it beside each record; :func:`render_record` is the same reason in
    full.
    """
    reasons = decisive_reasons(record)
    if not reasons:
        return LABELS["no_decisive"].get(lang)
    reason = reasons[0]
    clause = contract.clause(reason["clause"])
    title = clause.title if clause is not None and clause.title else reason["clause"]
    lines = _reason_parts(reason, contract, lang)
    why = lines.get("detail") or lines.get("via") or lines.get("facts")
    why = why or RESULTS[reason["result"]].get(lang)
    more = f" (+{len(reasons) - 1})" if len(reasons) > 1 else ""
    return f"{title}: {why}{more}"


OBLIGATION_VERDICTS = {
    "met": Words("met", "達成"),
    "missed": Words("missed", "未達"),
    "not_applicable": Words("not applicable", "対象外"),
    "undetermined": Words("undetermined", "判断不能"),
}


def _obligation_lines(
    ob: Mapping[str, Any], contract: m.Contract, lang: str, md: bool, quotes: bool = True
) -> list[str]:
    clause = contract.clause(ob["clause"])
    title = f" 「{clause.title}」" if clause is not None and clause.title else ""
    article = f" ({clause.citation.article})" if clause is not None and clause.citation else ""
    bullet, indent = ("- ", "  ") if md else ("  - ", "      ")
    verdict = OBLIGATION_VERDICTS[ob["verdict"]].get(lang)
    out = [f"{bullet}{ob['clause']}{title}{article}: {verdict}"]
    if quotes and clause is not None and clause.citation:
        for quote in clause.citation.quotes:
            out.append(f"{indent}> {quote}" if md else f"{indent}「{quote}」")
    out.append(f"{indent}{ob['detail'][lang]}")
    if ob.get("missing"):
        out.append(f"{indent}{LABELS['missing'].get(lang)}: {', '.join(ob['missing'])}")
    return out


def _reason_lines(
    reason: Mapping[str, Any], contract: m.Contract, lang: str, md: bool, quotes: bool = True
) -> list[str]:
    clause = contract.clause(reason["clause"])
    kind = KINDS.get(reason["kind"], Words(reason["kind"], reason["kind"])).get(lang)
    title = f" 「{clause.title}」" if clause is not None and clause.title else ""
    article = f" ({clause.citation.article})" if clause is not None and clause.citation else ""
    result = RESULTS[reason["result"]].get(lang)
    bullet, indent = ("- ", "  ") if md else ("  - ", "      ")
    out = [f"{bullet}{kind} {reason['clause']}{title}{article}: {result}"]
    if quotes and clause is not None and clause.citation:
        for quote in clause.citation.quotes:
            out.append(f"{indent}> {quote}" if md else f"{indent}「{quote}」")
    parts = _reason_parts(reason, contract, lang)
    out += [
        f"{indent}{parts[k]}"
        for k in ("detail", "cancelled", "facts", "missing", "via")
        if k in parts
    ]
    return out


def _reason_parts(reason: Mapping[str, Any], contract: m.Contract, lang: str) -> dict[str, str]:
    """The lines of a reason after its clause, by name: detail, cancelled, facts, missing,
    via (those it has)."""
    out = {}
    if reason.get("detail"):
        out["detail"] = reason["detail"][lang]
    elif reason["kind"] == "maintenance" and not reason.get("facts"):
        out["detail"] = NO_WINDOW.get(lang)
    if reason.get("cancelled_by"):
        label = "cancelled" if reason["result"] == "does_not_apply" else "maybe_cancelled"
        out["cancelled"] = f"{LABELS[label].get(lang)}: {reason['cancelled_by']}"
    facts = reason.get("facts") or {}
    if facts:
        shown = "; ".join(
            fact_words(n, _from_json(v), contract.vocabulary, lang) for n, v in facts.items()
        )
        out["facts"] = f"{LABELS['facts'].get(lang)}: {shown}"
    if reason.get("missing"):
        out["missing"] = f"{LABELS['missing'].get(lang)}: {', '.join(reason['missing'])}"
    if reason.get("via"):
        out["via"] = f"{LABELS['via'].get(lang)}: {' ← '.join(reason['via'])}"
    return out


def _from_json(value: Any) -> Any:
    return frozenset(value) if isinstance(value, list) else value


_WEEKDAY_JA = {
    "Monday": "月曜日",
    "Tuesday": "火曜日",
    "Wednesday": "水曜日",
    "Thursday": "木曜日",
    "Friday": "金曜日",
    "Saturday": "土曜日",
    "Sunday": "日曜日",
}

PERIOD_LABELS = {
    "availability": Words("availability", "稼働率"),
    "target": Words("target", "目標"),
    "met": Words("met", "達成"),
    "missed": Words("missed", "未達"),
    "no_target": Words("no target", "目標なし"),
    "no_data": Words(
        "no data: the log does not cover this period, which is not measured",
        "データなし：ログの対象期間外のため計測しません",
    ),
    "provisional": Words(", provisional: the period is still running", "（暫定: 期間中）"),
    "downtime": Words("downtime", "ダウンタイム"),
    "excluded": Words("excluded", "除外"),
    "denominator": Words("denominator", "分母"),
    "remedy": Words("remedy", "補償"),
    "none": Words("none owed", "なし"),
    "claim": Words("claim by the end of", "請求期限"),
    "records": Words("records in the period", "この期間の記録"),
    "no_records": Words("no record falls in the period", "この期間の記録はありません"),
}


def render_period(
    period: Mapping[str, Any],
    lang: str = "en",
    fmt: str = "text",
    records: Sequence[Mapping[str, Any]] | None = None,
) -> str:
    """One service's period: availability against target, downtime, the remedy and, when
    given, the records that fall in it (each with its seconds there and its incident)."""
    w = {k: v.get(lang) for k, v in PERIOD_LABELS.items()}
    met = w["no_target"] if period["met"] is None else w["met"] if period["met"] else w["missed"]
    met = w["no_data"] if period.get("no_data") else met
    if period.get("provisional"):
        met += w["provisional"]
    head = f"{period['service']} {period['period']}"
    lines = [f"### {head}" if fmt == "markdown" else head]
    bullet = "- " if fmt == "markdown" else "  "
    availability = f"{period['availability']}%" if period["availability"] is not None else "—"
    target = period["target"] or "—"
    lines.append(f"{bullet}{w['availability']} {availability} ({w['target']} {target}: {met})")
    lines.append(
        f"{bullet}{w['downtime']} {period['downtime_seconds']} s, {w['excluded']} "
        f"{period['excluded_seconds']} s, {w['denominator']} {period['denominator_seconds']} s"
    )
    remedy = period.get("remedy")
    if remedy is None:
        lines.append(f"{bullet}{w['remedy']}: {w['none']}")
    else:
        lines.append(f"{bullet}{w['remedy']}: {remedy['formula'][lang]}")
        if remedy.get("claim_last_day"):
            day = remedy.get("claim_last_weekday")
            shown = f" ({day if lang == 'en' else _WEEKDAY_JA.get(day, day)})" if day else ""
            lines.append(f"{bullet}{w['claim']} {remedy['claim_last_day']}{shown}")
    if period.get("version") is not None:  # a contract with versions: the one at its start
        said = "適用した版（期間の開始時に施行）" if lang == "ja" else "judged under version"
        after = "" if lang == "ja" else ", in force at the period's start"
        lines.append(f"{bullet}{said}: {period['version']}{after}")
    if records is not None:
        lines += _period_records(period["period"], records, lang, fmt)
    text = "\n".join(lines)
    return markdown_text(text) if fmt == "markdown" else text


def _period_records(
    label: str, records: Sequence[Mapping[str, Any]], lang: str, fmt: str
) -> list[str]:
    """The records of a period: id, verdict, counted and excluded seconds in the period,
    and the incident (title, impact, URL) it came from."""
    bullet, inner = ("- ", "  - ") if fmt == "markdown" else ("  ", "    - ")
    words = {k: v.get(lang) for k, v in PERIOD_LABELS.items()}
    if not records:
        return [f"{bullet}{words['no_records']}"]
    out = [f"{bullet}{words['records']} ({len(records)}):"]
    for record in records:
        seconds = {"counted": 0, "excluded": 0}
        for segment in record["segments"]:
            if segment["period"] == label and segment["status"] in seconds:
                seconds[segment["status"]] += _seconds_between(segment["start"], segment["end"])
        line = (
            f"{inner}{record['id']}: {VERDICTS[record['verdict']].get(lang)}; "
            f"{LABELS['counted'].get(lang)} {seconds['counted']} s, "
            f"{LABELS['excluded'].get(lang)} {seconds['excluded']} s"
        )
        incident = record.get("incident") or {}
        said = [
            incident.get("title", "").split("\n")[0],
            incident.get("impact"),
            incident.get("url"),
        ]
        if any(said):
            line += " — " + " · ".join(str(p) for p in said if p)
        out.append(line)
    return out


def _seconds_between(start: str, end: str) -> int:
    return int((dt.datetime.fromisoformat(end) - dt.datetime.fromisoformat(start)).total_seconds())
