"""The effect of an amendment on a log: the same records adjudicated under both versions
(two columnar runs), joined by record id and by service and period.

A record is *changed* when its verdict, its counted or excluded seconds or its deciding
clauses differ; a period when its availability, whether it met the target, or its remedy
(kind, amount, free months) differ. Money is summed per service and currency over the
periods' remedies (free months apart), and the difference is new minus old: what the
amendment would have cost the customer is a negative difference.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import attrs
import polars as pl

from rulebook import model as m
from rulebook.reprs import with_repr

if TYPE_CHECKING:
    from rulebook.document.frames import FrameAdjudication

RECORD_FIELDS = ("verdict", "counted_seconds", "excluded_seconds", "deciding")
PERIOD_FIELDS = ("availability", "met", "kind", "amount", "currency", "months")


@with_repr
@attrs.frozen(repr=False)
class Effect:
    """Changed records and periods (old and new side by side), and the money."""

    records: pl.DataFrame
    periods: pl.DataFrame
    money: tuple[dict[str, Any], ...]  # per service and currency
    total: tuple[dict[str, Any], ...]  # per currency
    records_compared: int
    periods_compared: int

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON."""
        return {
            "records_compared": self.records_compared,
            "periods_compared": self.periods_compared,
            "records": self.records.to_dicts(),
            "periods": self.periods.to_dicts(),
            "money": list(self.money),
            "total": list(self.total),
        }


def _records(result: FrameAdjudication) -> pl.DataFrame:
    return result.records.select(
        "id",
        "service",
        "start",
        "verdict",
        "counted_seconds",
        "excluded_seconds",
        pl.col("deciding").list.join(", ").alias("deciding"),
    )


def _periods(result: FrameAdjudication) -> pl.DataFrame:
    remedy = pl.col("remedy")
    return result.periods.select(
        "service",
        "period",
        "availability",
        "met",
        remedy.struct.field("kind").alias("kind"),
        remedy.struct.field("amount").alias("amount"),
        remedy.struct.field("currency").alias("currency"),
        remedy.struct.field("months").alias("months"),
    )


def _differ(fields: tuple[str, ...]) -> pl.Expr:
    """A row whose old and new value of any field differ (a missing side differs too)."""
    return pl.any_horizontal([pl.col(f"old_{f}").ne_missing(pl.col(f"new_{f}")) for f in fields])


def _sides(
    frame: pl.DataFrame, keys: list[str], fields: tuple[str, ...], side: str
) -> pl.DataFrame:
    return frame.select(*keys, *(pl.col(f).alias(f"{side}_{f}") for f in fields))


def effect(
    old: FrameAdjudication,
    new: FrameAdjudication,
    old_contract: m.Contract,
    new_contract: m.Contract,
) -> Effect:
    """The log's records and periods under both versions, and what changed."""
    a, b = _records(old), _records(new)
    keys = ["id", "service", "start"]
    records = (
        _sides(a, keys, RECORD_FIELDS, "old")
        .join(_sides(b, keys, RECORD_FIELDS, "new"), on=keys, how="full", coalesce=True)
        .filter(_differ(RECORD_FIELDS))
        .sort("id")
    )
    records = records.with_columns(
        old_why=_why(records["old_deciding"], old_contract),
        new_why=_why(records["new_deciding"], new_contract),
    )
    pa, pb = _periods(old), _periods(new)
    pkeys = ["service", "period"]
    periods = (
        _sides(pa, pkeys, PERIOD_FIELDS, "old")
        .join(_sides(pb, pkeys, PERIOD_FIELDS, "new"), on=pkeys, how="full", coalesce=True)
        .filter(_differ(PERIOD_FIELDS))
        .sort(pkeys)
    )
    money, total = _money(pa, pb)
    return Effect(
        records, periods, money, total, max(a.height, b.height), max(pa.height, pb.height)
    )


def _why(deciding: pl.Series, contract: m.Contract) -> pl.Series:
    """Each record's deciding clauses in that version's words: id, title and article."""
    words: dict[str, str] = {}
    for clause in contract.clauses:
        article = clause.citation.article if clause.citation else ""
        title = f" 「{clause.title}」" if clause.title else ""
        words[clause.id] = f"{clause.id}{title}" + (f" ({article})" if article else "")

    def say(ids: str | None) -> str:
        if not ids:
            return ""
        return "; ".join(words.get(i, i) for i in ids.split(", "))

    return pl.Series([say(v) for v in deciding.to_list()], dtype=pl.String)


def _money(
    old: pl.DataFrame, new: pl.DataFrame
) -> tuple[tuple[dict[str, Any], ...], tuple[dict[str, Any], ...]]:
    """Per service and currency: the remedies' amounts and free months in both versions."""
    sums: dict[tuple[str, str], list[Any]] = defaultdict(lambda: [Decimal(0), Decimal(0), 0, 0])
    for side, frame in ((0, old), (1, new)):
        for service, amount, currency, months in frame.select(
            "service", "amount", "currency", "months"
        ).iter_rows():
            if amount is None and not months:
                continue
            entry = sums[(service, currency or "")]
            if amount is not None:
                entry[side] += Decimal(amount)
            entry[2 + side] += months or 0
    per_service = tuple(
        {
            "service": service,
            "currency": currency or None,
            "old_amount": str(v[0]),
            "new_amount": str(v[1]),
            "difference": str(v[1] - v[0]),
            "old_free_months": v[2],
            "new_free_months": v[3],
            "free_months_difference": v[3] - v[2],
        }
        for (service, currency), v in sorted(sums.items())
    )
    totals: dict[str, list[Any]] = defaultdict(lambda: [Decimal(0), Decimal(0), 0, 0])
    for (_, currency), v in sums.items():
        for i in range(4):
            totals[currency][i] += v[i]
    total = tuple(
        {
            "currency": currency or None,
            "old_amount": str(v[0]),
            "new_amount": str(v[1]),
            "difference": str(v[1] - v[0]),
            "free_months_difference": v[3] - v[2],
        }
        for currency, v in sorted(totals.items())
    )
    return per_service, total
