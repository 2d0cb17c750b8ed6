"""Writers: adjudications as terminal tables, Markdown or JSON, in Japanese or English.

Tables are aligned by display width, so Japanese text (two cells a character) lines up.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import unicodedata
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, BinaryIO, Protocol

from rulebook.engine.trace import OBLIGATION_VERDICTS, VERDICTS
from rulebook.intake.billing import Billing
from rulebook.report.view import (
    budget,
    clause_title,
    day_words,
    duration,
    hms,
    local,
    remedy_money,
)
from rulebook.text import Words, markdown_text

if TYPE_CHECKING:
    import polars as pl

    from rulebook.document.frames import FrameAdjudication


class Adjudicated(Protocol):
    """What the writers need of a result, from either evaluator."""

    def to_dict(self, reasons: bool = ..., records: bool = ...) -> dict[str, Any]: ...

    def explain(self, record_id: str, lang: str = ..., fmt: str = ..., full: bool = ...) -> str: ...

    @property
    def tz(self) -> dt.tzinfo: ...


HEADERS = {
    "incident": Words("incident (impact, URL)", "インシデント（影響度、URL）"),
    "id": Words("record", "記録"),
    "service": Words("service", "サービス"),
    "start": Words("start", "開始"),
    "end": Words("end", "終了"),
    "verdict": Words("verdict", "判定"),
    "duration": Words("duration", "時間"),
    "counted": Words("counted", "算入"),
    "excluded": Words("excluded", "除外"),
    "clause": Words("deciding clause", "決め手の条項"),
    "period": Words("period", "期間"),
    "availability": Words("availability %", "稼働率 %"),
    "target": Words("target", "目標"),
    "met": Words("met", "達成"),
    "downtime": Words("used", "使用"),
    "allowed": Words("allowed", "許容"),
    "left": Words("left", "残り"),
    "claim": Words("claim by", "請求期限"),
    "total": Words("total", "合計"),
    "remedy": Words("remedy", "補償"),
    "obligations": Words("obligations", "義務"),
    "contract": Words("contract", "契約"),
    "obligation": Words("obligation", "義務"),
    "deadline": Words("deadline", "期限"),
    "actual": Words("actual", "実績"),
    "margin": Words("margin", "余裕"),
    "version": Words("version", "版"),
}
MET = {True: Words("yes", "達成"), False: Words("NO", "未達"), None: Words("—", "—")}
PROVISIONAL = Words("provisional", "暫定")
#: A period outside the span the log covers (docs/formats.md, "What a log covers").
NO_DATA = Words("no data", "データなし")


def met_text(period: Mapping[str, Any], lang: str) -> str:
    """The met column: ``yes``, ``NO`` or ``—``; a period still running at ``as_of`` is
    marked provisional (``yes (provisional)``, ``達成（暫定）``); one the log does not cover
    is ``no data``."""
    if period.get("no_data"):
        return NO_DATA.get(lang)
    met = MET[period["met"]].get(lang)
    if not period.get("provisional"):
        return met
    mark = PROVISIONAL.get(lang)
    return f"{met}（{mark}）" if lang == "ja" else f"{met} ({mark})"


def width(text: str) -> int:
    """Display width: East Asian wide and full-width characters take two cells."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A plain aligned table with a rule under the header."""
    widths = [max([width(h)] + [width(r[i]) for r in rows]) for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            c + " " * (w - width(c)) for c, w in zip(cells, widths, strict=True)
        ).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths]), *(line(r) for r in rows)])


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A GitHub-style Markdown table (pipes in cells escaped)."""

    def cell(text: str) -> str:
        return markdown_text(text.replace("|", "\\|"))  # no raw HTML from input

    out = ["| " + " | ".join(cell(h) for h in headers) + " |", "|" + "---|" * len(headers)]
    out += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return "\n".join(out)


def _grid(fmt: str, headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    return markdown_table(headers, rows) if fmt == "markdown" else table(headers, rows)


def outage_rows(data: dict[str, Any], lang: str) -> tuple[list[str], list[list[str]]]:
    """The records of an adjudication as table rows (durations h:mm:ss, clauses by title),
    and a totals row."""
    keys = [
        "id",
        "service",
        "start",
        "end",
        "duration",
        "counted",
        "excluded",
        "verdict",
        "clause",
        "obligations",
    ]
    rows = []
    totals = [0, 0, 0]
    for o in data["outages"]:
        obligations = [
            f"{clause_title(data, ob['clause'])}: {OBLIGATION_VERDICTS[ob['verdict']].get(lang)}"
            + (f" ({local(ob['deadline'])[:16]})" if ob.get("deadline") else "")
            for ob in o.get("obligations", [])
            if ob["verdict"] != "not_applicable"
        ]
        seconds = [duration(o), o["counted_seconds"], o["excluded_seconds"]]
        totals = [a + b for a, b in zip(totals, seconds, strict=True)]
        rows.append(
            [
                o["id"],
                o["service"],
                o["start"][:16].replace("T", " "),
                o["end"][:16].replace("T", " "),
                *(hms(n) for n in seconds),
                VERDICTS[o["verdict"]].get(lang),
                ", ".join(clause_title(data, c) for c in dict.fromkeys(o["deciding"])) or "—",
                "; ".join(obligations) or "—",
            ]
        )
    if rows:
        rows.append([HEADERS["total"].get(lang), "", "", "", *(hms(n) for n in totals), "", "", ""])
    if any("incident" in o for o in data["outages"]):  # the incident each record came from
        keys.append("incident")
        for row, o in zip(rows, data["outages"], strict=False):
            row.append(incident_text(o.get("incident")))
        if len(rows) > len(data["outages"]):
            rows[-1].append("")
    if "versions" in data:  # a contract with versions: the one each record was judged by
        keys.append("version")
        for row, o in zip(rows, data["outages"], strict=False):
            row.append(o["version"])
        if len(rows) > len(data["outages"]):
            rows[-1].append("")
    return [HEADERS[k].get(lang) for k in keys], rows


def incident_text(incident: dict[str, str] | None) -> str:
    """``title [impact] URL`` of a record's incident (the title cut at 60 characters)."""
    if not incident:
        return "—"
    title = incident.get("title", "").split("\n")[0]
    title = title if len(title) <= 60 else title[:59] + "…"
    parts = [title, f"[{incident['impact']}]" if "impact" in incident else "", incident.get("url")]
    return " ".join(p for p in parts if p)


def remedy_text(remedy: dict[str, Any] | None, bill: Billing | None, lang: str) -> str:
    """A period's remedy in words and money: ``¥110``, ``1 free month(s), worth ¥120,000``."""
    if remedy is None:
        return "—"
    return remedy_money(remedy, bill, lang) or (
        f"{remedy['kind']} (月額料金なし)" if lang == "ja" else f"{remedy['kind']} (fee not given)"
    )


def period_rows(
    data: dict[str, Any], lang: str, billing: Mapping[str, Billing] | None = None
) -> tuple[list[str], list[list[str]]]:
    """The periods of an adjudication as table rows: availability against the target, the
    downtime budget (allowed, used, left), the remedy in money and the claim deadline."""
    keys = [
        "service",
        "period",
        "availability",
        "target",
        "met",
        "allowed",
        "downtime",
        "left",
        "excluded",
        "remedy",
        "claim",
    ]
    rows = []
    for p in data["periods"]:
        remedy = p["remedy"]
        left = budget(p)
        last_day = remedy.get("claim_last_day") if remedy else None
        rows.append(
            [
                p["service"],
                p["period"],
                p["availability"] or (NO_DATA.get(lang) if p.get("no_data") else "—"),
                p["target"] or "—",
                met_text(p, lang),
                hms(left.allowed) if left else "—",
                hms(p["downtime_seconds"]),
                hms(left.left) if left else "—",
                hms(p["excluded_seconds"]),
                remedy_text(remedy, (billing or {}).get(p["service"]), lang),
                day_words(dt.date.fromisoformat(last_day), lang) if last_day else "—",
            ]
        )
        if "versions" in data:
            rows[-1].append(p["version"])
    if "versions" in data:  # a contract with versions: the one each period was judged by
        keys.append("version")
    return [HEADERS[k].get(lang) for k in keys], rows


def obligation_list(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Every obligation that applied (or could not be decided), with its record."""
    return [
        {"record": o["id"], "service": o["service"], **ob}
        for o in data["outages"]
        for ob in o.get("obligations", [])
        if ob["verdict"] != "not_applicable"
    ]


def obligation_rows(data: dict[str, Any], lang: str) -> tuple[list[str], list[list[str]]]:
    """Obligations as table rows: record, clause, verdict, deadline, actual, margin."""
    keys = ["id", "obligation", "verdict", "deadline", "actual", "margin"]
    rows = [
        [
            ob["record"],
            clause_title(data, ob["clause"]),
            OBLIGATION_VERDICTS[ob["verdict"]].get(lang),
            (ob["deadline"] or "—")[:19].replace("T", " "),
            (ob["actual"] or "—")[:19].replace("T", " "),
            "—" if ob["margin_seconds"] is None else hms(ob["margin_seconds"]),
        ]
        for ob in obligation_list(data)
    ]
    return [HEADERS[k].get(lang) for k in keys], rows


def counts_line(counts: Sequence[int], lang: str = "en") -> str:
    """The line every output carries: read, adjudicated, rejected (nothing is dropped
    silently) and, when any, the records the record engine's closures decided in the
    columnar plan."""
    read, adjudicated, rejected, *rest = counts
    fallback = rest[0] if rest else 0
    if lang == "ja":
        line = f"読み込み {read} 件、判定 {adjudicated} 件、不正で除外 {rejected} 件"
        return line + (f"（うちレコード評価器で判定 {fallback} 件）" if fallback else "")
    line = f"records read {read}, adjudicated {adjudicated}, rejected {rejected}"
    return line + (f" (decided by the record engine: {fallback})" if fallback else "")


COUNT_KEYS = ("read", "adjudicated", "rejected", "fallback")


def render(
    result: Adjudicated,
    fmt: str,
    lang: str,
    counts: Sequence[int],
    what: str = "adjudicate",
    explain: bool = False,
    period: str | None = None,
) -> str:
    """The output of `adjudicate` (records and periods) or `report` (periods only).
    Reasons are in the JSON only with ``explain``; ``report`` lists no records."""
    data = filtered(result.to_dict(reasons=explain, records=what == "adjudicate"), period)
    if fmt == "json":
        data["counts"].update(dict(zip(COUNT_KEYS, counts, strict=False)))
        if what == "report":
            data["obligations"] = obligation_list(data)
            data.pop("outages")
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    contract = data["contract"]
    title = f"{contract['id']} — {contract['title']}"
    zone = ("タイムゾーン " if lang == "ja" else "timezone ") + str(result.tz)
    zone += project_note(data.get("project_file"), lang)
    if fmt == "markdown":  # the title and the project file's path come from files
        title, zone = markdown_text(f"# {title}"), markdown_text(zone)
    parts = [title, f"{zone}; {counts_line(counts, lang)}"]
    if what == "adjudicate":
        parts.append(_grid(fmt, *outage_rows(data, lang)))
    billing = result.billing() if hasattr(result, "billing") else {}
    parts.append(_grid(fmt, *period_rows(data, lang, billing)) if data["periods"] else "")
    if what == "report" and obligation_list(data):
        parts.append(_grid(fmt, *obligation_rows(data, lang)))
    if explain:
        markdown = "markdown" if fmt == "markdown" else "text"
        parts += [result.explain(o["id"], lang, markdown) for o in data["outages"]]
    return "\n\n".join(p for p in parts if p) + "\n"


def project_note(project_file: dict[str, Any] | None, lang: str) -> str:
    """The project file the inputs were read with, for a header line (it may change how
    naive times, columns and words are read); empty without one."""
    if not project_file:
        return ""
    path, tz = project_file["path"], project_file.get("timezone")
    if lang == "ja":
        return f"（プロジェクトファイル {path}" + (f"、時差なしの時刻は {tz}）" if tz else "）")
    return f" (project file {path}" + (f"; naive times read in {tz})" if tz else ")")


def project_line(project_file: dict[str, Any] | None, lang: str) -> str:
    """The project file the inputs were read with, as a line of its own (``diff`` and
    ``explain``, whose outputs have no header line): its path, SHA-256 and the zone of
    naive times; empty without one."""
    if not project_file:
        return ""
    path, sha, tz = project_file["path"], project_file.get("sha256"), project_file.get("timezone")
    if lang == "ja":
        zone = f"、時差なしの時刻は {tz}" if tz else ""
        return f"プロジェクトファイル {path}（sha256 {sha}）{zone}"
    return f"project file {path} (sha256 {sha})" + (f"; naive times read in {tz}" if tz else "")


def write_frames(
    result: FrameAdjudication, fmt: str, what: str, period: str | None, output: str | None
) -> list[str]:
    """JSON Lines (a line a record; for ``report`` a line a period) to ``output`` or
    standard output, or Parquet files named after ``output``. Returns the paths written."""
    import sys

    import polars as pl

    from rulebook.io.outputs import place_written, write_with

    if fmt == "parquet":
        assert output is not None
        return place_written(output, lambda prefix: result.write_parquet(prefix, period))
    if what == "report":
        frame = result.periods
        if period is not None:
            frame = frame.filter(pl.col("period") == period)
    else:
        frame = result.jsonl_frame(period)
    if output and output != "-":
        return write_with(output, lambda path: ndjson(frame, path))
    sys.stdout.flush()
    ndjson(frame, sys.stdout.buffer)
    return []


def ndjson(frame: pl.DataFrame, target: str | BinaryIO) -> None:
    """``frame`` as JSON Lines to ``target``, the bytes of ``write_ndjson``: polars'
    streaming sink, which writes in batches (``adjudicate`` at 10^6 records 3.6-4.3 ->
    3.1-3.5 s; docs/performance.md, round seven); records with obligations as
    :func:`~rulebook.document.frames.jsonl_text` writes them, 10,000 rows at a time."""
    from rulebook.document.frames import OBLIGATIONS, jsonl_text

    if OBLIGATIONS not in frame.columns:
        frame.lazy().sink_ndjson(target, check_extension=False)
        return
    with contextlib.ExitStack() as stack:
        out = stack.enter_context(open(target, "wb")) if isinstance(target, str) else target
        for rows in frame.iter_slices(10_000):
            out.write(jsonl_text(rows).encode("utf-8"))


def filtered(data: dict[str, Any], period: str | None) -> dict[str, Any]:
    """Only the periods labelled ``period`` and the records with a segment in it."""
    if period is None:
        return data
    data["periods"] = [p for p in data["periods"] if p["period"] == period]
    data["outages"] = [
        o for o in data["outages"] if any(s["period"] == period for s in o["segments"])
    ]
    return data


def render_compare(
    results: Sequence[Adjudicated], fmt: str, lang: str, counts: Sequence[int]
) -> str:
    """The same log under several contracts: each record's verdict, each period's figure."""
    datas = [r.to_dict(reasons=False) for r in results]
    if fmt == "json":
        payload = {
            "format": 1,
            "counts": dict(zip(COUNT_KEYS, counts, strict=False)),
            "contracts": [d["contract"] for d in datas],
            "project_file": datas[0].get("project_file") if datas else None,
            "outages": _compare_outages(datas),
            "periods": _compare_periods(datas),
        }
        return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"
    ids = [d["contract"]["id"] for d in datas]
    record_rows = [
        [
            o["id"],
            o["service"],
            *(VERDICTS[v].get(lang) if v else "—" for v in o["verdicts"].values()),
        ]
        for o in _compare_outages(datas)
    ]
    period_rows_ = [
        [p["service"], p["period"], *(a or "—" for a in p["availability"].values())]
        for p in _compare_periods(datas)
    ]
    head = [HEADERS["id"].get(lang), HEADERS["service"].get(lang), *ids]
    phead = [HEADERS["service"].get(lang), HEADERS["period"].get(lang), *ids]
    project = project_note(datas[0].get("project_file") if datas else None, lang)
    parts = [counts_line(counts, lang) + project, _grid(fmt, head, record_rows)]
    if period_rows_:
        parts.append(_grid(fmt, phead, period_rows_))
    return "\n\n".join(parts) + "\n"


def _compare_outages(datas: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {}
    for d in datas:
        for o in d["outages"]:
            row = rows.setdefault(o["id"], {"id": o["id"], "service": o["service"], "verdicts": {}})
            row["verdicts"][d["contract"]["id"]] = o["verdict"]
    ids = [d["contract"]["id"] for d in datas]
    for row in rows.values():
        row["verdicts"] = {cid: row["verdicts"].get(cid) for cid in ids}
    return [rows[k] for k in sorted(rows)]


def _compare_periods(datas: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for d in datas:
        for p in d["periods"]:
            key = (p["service"], p["period"])
            row = rows.setdefault(key, {"service": key[0], "period": key[1], "availability": {}})
            row["availability"][d["contract"]["id"]] = p["availability"]
    ids = [d["contract"]["id"] for d in datas]
    for row in rows.values():
        row["availability"] = {cid: row["availability"].get(cid) for cid in ids}
    return [rows[k] for k in sorted(rows)]
