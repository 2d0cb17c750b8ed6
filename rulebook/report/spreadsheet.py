"""The report for spreadsheets: records and periods as CSV (the csv module), durations both
as h:mm:ss and in seconds, money as the report shows it and as a plain amount. UTF-8, with
a byte order mark when asked (Excel in Japan reads UTF-8 without one as Shift_JIS).
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from rulebook.engine.remedy import exact_decimal
from rulebook.intake.billing import Billing
from rulebook.report.view import budget, clause_title, duration, hms, remedy_money

RECORD_FIELDS = (
    "id",
    "service",
    "start",
    "end",
    "duration",
    "duration_seconds",
    "counted_seconds",
    "excluded_seconds",
    "not_downtime_seconds",
    "verdict",
    "deciding",
    "deciding_titles",
    "obligations",
)
PERIOD_FIELDS = (
    "service",
    "period",
    "availability",
    "target",
    "met",
    "provisional",
    "allowed",
    "allowed_seconds",
    "used",
    "downtime_seconds",
    "left",
    "excluded_seconds",
    "denominator_seconds",
    "remedy_kind",
    "remedy",
    "amount",
    "currency",
    "claim_last_day",
)


def record_rows(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A row a record of the JSON document."""
    rows = []
    for o in data["outages"]:
        deciding = list(dict.fromkeys(o["deciding"]))
        obligations = [
            f"{ob['clause']}={ob['verdict']}" + (f"@{ob['deadline']}" if ob.get("deadline") else "")
            for ob in o.get("obligations", [])
            if ob["verdict"] != "not_applicable"
        ]
        seconds = duration(o)
        rows.append(
            {
                "id": o["id"],
                "service": o["service"],
                "start": o["start"],
                "end": o["end"],
                "duration": hms(seconds),
                "duration_seconds": seconds,
                "counted_seconds": o["counted_seconds"],
                "excluded_seconds": o["excluded_seconds"],
                "not_downtime_seconds": o["not_downtime_seconds"],
                "verdict": o["verdict"],
                "deciding": " ".join(deciding),
                "deciding_titles": "; ".join(clause_title(data, c) for c in deciding),
                "obligations": " ".join(obligations),
            }
        )
    return rows


def period_rows(
    data: Mapping[str, Any], billing: Mapping[str, Billing], lang: str
) -> list[dict[str, Any]]:
    """A row a service and period of the JSON document, with budget and remedy."""
    rows = []
    for p in data["periods"]:
        b = budget(p)
        remedy = p["remedy"] or {}
        rows.append(
            {
                "service": p["service"],
                "period": p["period"],
                "availability": p["availability"] or "",
                "target": p["target"] or "",
                "met": "no data"
                if p.get("no_data")
                else ""
                if p["met"] is None
                else str(p["met"]).lower(),
                "provisional": str(bool(p.get("provisional"))).lower(),
                "allowed": hms(b.allowed) if b else "",
                "allowed_seconds": _decimal(b.exact) if b else "",
                "used": hms(p["downtime_seconds"]),
                "downtime_seconds": p["downtime_seconds"],
                "left": hms(b.left) if b else "",
                "excluded_seconds": p["excluded_seconds"],
                "denominator_seconds": p["denominator_seconds"],
                "remedy_kind": remedy.get("kind", ""),
                "remedy": (remedy_money(remedy, billing.get(p["service"]), lang) or "")
                if remedy
                else "",
                "amount": remedy.get("amount") or "",
                "currency": remedy.get("currency") or "",
                "claim_last_day": remedy.get("claim_last_day") or "",
            }
        )
    return rows


def _decimal(value: Fraction) -> str:
    """An exact fraction as a decimal number a spreadsheet reads: 13392/5 -> 2678.4."""
    return f"{exact_decimal(value):f}"


#: A cell a spreadsheet may read as a formula starts with one of these (OWASP's "CSV
#: injection": = + - @, tab and CR; their full-width forms, which Japanese Excel also reads).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
#: A plain number or a duration (``-0:16:48``), which stay as they are with a sign.
_NUMBER = re.compile(r"[+-]?((\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|\d+:\d\d:\d\d)")


def neutral(value: Any) -> Any:
    """A cell as a spreadsheet should see it: text that could start a formula gets a
    leading ``'`` (OWASP's advice: Excel and LibreOffice then show it as text and never
    run it); numbers, durations and other text are left as they are.

    >>> neutral("=1+2"), neutral(" @SUM(1)"), neutral("-5"), neutral(-5)
    ("'=1+2", "' @SUM(1)", '-5', -5)
    >>> neutral("-0:16:48"), neutral("-0:16:48+cmd"), neutral("\x0b=1")
    ('-0:16:48', "'-0:16:48+cmd", "'\\x0b=1")
    """
    if not isinstance(value, str) or not value:
        return value
    if value.startswith(("\t", "\r")) or (
        _unpadded(value).startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(value)
    ):
        return "'" + value
    return value


def _unpadded(value: str) -> str:
    """``value`` from its first character that is no space, control or format character
    (a vertical tab, a no-break or zero-width space before ``=`` must not hide it).

    >>> _unpadded("\x0b\u200b =1")
    '=1'
    """
    start = 0
    while start < len(value) and (
        value[start].isspace() or unicodedata.category(value[start]) in ("Cc", "Cf")
    ):
        start += 1
    return value[start:]


def to_csv(rows: list[dict[str, Any]], fields: tuple[str, ...], bom: bool = False) -> str:
    """Rows as CSV text (CRLF line ends, as the csv module and spreadsheets expect), every
    cell :func:`neutral`: ids, service names and clause titles come from the inputs and the
    contract, and a cell such as ``=HYPERLINK(…)`` must not become a formula."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fields)
    writer.writeheader()
    writer.writerows({k: neutral(v) for k, v in row.items()} for row in rows)
    return ("\ufeff" if bom else "") + out.getvalue()
