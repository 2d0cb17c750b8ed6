"""Billing entries (``--billing``): what one service costs, validated field by field like
an outage record, so that remedies can be priced in money."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

import attrs

from rulebook import limits
from rulebook.intake.records import RecordError
from rulebook.reprs import with_repr
from rulebook.text import did_you_mean

TERMS = ("monthly", "annual")
BILLING_FIELDS = (
    "service",
    "monthly_fee",
    "currency",
    "contract_start",
    "term",
    "damages",
    "claims",
)


@with_repr
@attrs.frozen(repr=False)
class Billing:
    """What one service costs: the monthly fee, its currency, when the contract started,
    whether it runs month to month or by the year, and damages claimed per period."""

    service: str
    monthly_fee: Decimal
    currency: str
    contract_start: dt.date | None = None
    term: str = "monthly"
    damages: Mapping[str, Decimal] = attrs.field(factory=dict, eq=False)
    claims: Mapping[str, dt.date] = attrs.field(factory=dict, eq=False)  # period -> claimed on


def billing_from_mapping(
    data: Mapping[str, Any], index: int = 0, source: str | None = None
) -> Billing:
    """Validate one service's billing entry."""
    record = str(data.get("service") or f"#{index + 1}")
    try:
        unknown = [k for k in data if k not in BILLING_FIELDS]
        if unknown:
            raise RecordError(
                record,
                unknown[0],
                "is not a billing field",
                ", ".join(BILLING_FIELDS),
                did_you_mean(unknown[0], BILLING_FIELDS),
            )
        if not data.get("service"):
            raise RecordError(
                record, "service", "is missing", "the service name as in the outage records"
            )
        fee = _money(data.get("monthly_fee"), record, "monthly_fee")
        currency = str(data.get("currency") or "").strip()
        if len(currency) != 3 or not currency.isalpha() or not currency.isupper():
            raise RecordError(
                record,
                "currency",
                f"{limits.shown(currency)} is not a currency code",
                "ISO 4217, e.g. JPY, USD",
            )
        term = str(data.get("term") or "monthly").strip()
        if term not in TERMS:
            raise RecordError(
                record,
                "term",
                f"'{term}' is not a contract term",
                ", ".join(TERMS),
                did_you_mean(term, TERMS),
            )
        start = None
        if data.get("contract_start"):
            try:
                start = dt.date.fromisoformat(str(data["contract_start"]).strip())
            except ValueError:
                raise RecordError(
                    record,
                    "contract_start",
                    f"'{data['contract_start']}' is not a date",
                    "YYYY-MM-DD",
                ) from None
        if term == "annual" and start is None:
            raise RecordError(
                record,
                "contract_start",
                "is needed for an annual term",
                "the first day of the contract, YYYY-MM-DD",
            )
        claimed = data.get("damages") or {}
        if not isinstance(claimed, Mapping):
            raise RecordError(
                record,
                "damages",
                f"{limits.shown(claimed)} is not a map of periods to amounts",
                'e.g. {"2026-09": "80000"}',
            )
        damages = {str(k): _money(v, record, f"damages.{k}") for k, v in claimed.items()}
        claims = _claims(data.get("claims"), record)
        return Billing(str(data["service"]).strip(), fee, currency, start, term, damages, claims)
    except RecordError as exc:
        exc.source = exc.source or source
        raise exc.of("billing entry") from None


def _claims(value: Any, record: str) -> dict[str, dt.date]:
    """``claims``: the day a remedy was claimed, per period (``{"2026-09": "2026-11-02"}``)."""
    value = value or {}
    if not isinstance(value, Mapping):
        raise RecordError(
            record,
            "claims",
            f"{limits.shown(value)} is not a map of periods to dates",
            'e.g. {"2026-09": "2026-10-30"}',
        )
    out = {}
    for period, day in value.items():
        try:
            out[str(period)] = dt.date.fromisoformat(str(day).strip())
        except ValueError:
            raise RecordError(
                record, f"claims.{period}", f"'{day}' is not a date", "YYYY-MM-DD"
            ) from None
    return out


def _money(value: Any, record: str, field: str) -> Decimal:
    text = str(value).strip()
    too_big = limits.number_problem(text)
    if too_big is not None:  # 1e400 would overflow the decimal context later
        raise RecordError(
            record,
            field,
            f"'{limits.shorten(text)}' {too_big}",
            f"a decimal number of {limits.NUMBER_ACCEPTED}",
        )
    try:
        if isinstance(value, bool | list | dict):
            raise ValueError(value)
        amount = Decimal(text)
    except (InvalidOperation, ValueError):
        raise RecordError(
            record,
            field,
            f"{limits.shorten(value)} is not an amount",
            "a decimal number, e.g. 50000",
        ) from None
    if not amount.is_finite() or amount < 0:
        raise RecordError(
            record,
            field,
            f"{limits.shown(value)} is not an amount",
            "a decimal number of at least 0",
        )
    return amount
