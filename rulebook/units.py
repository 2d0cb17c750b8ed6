"""Units of the contract language: what each written unit means and which ones compare.

A quantity's unit is written the way contracts speak (``min``, ``weeks``, ``business days``,
``%``, ``JPY``); here each spelling maps to a canonical unit and a dimension. Two quantities
compare only within one dimension, and durations convert exactly to seconds.

>>> canonical("minutes")
Unit(name='min', dimension='time', seconds=60)
>>> canonical("business hours").dimension
'business_time'
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import attrs

from rulebook.reprs import with_repr


@with_repr
@attrs.frozen(repr=False)
class Unit:
    """A canonical unit: its name, its dimension and, for fixed durations, its seconds."""

    name: str
    dimension: str  # time, calendar, business_time, percent, money, number
    seconds: int | None = None


_UNITS: dict[str, Unit] = {}


def _define(unit: Unit, *spellings: str) -> None:
    for spelling in (unit.name, *spellings):
        _UNITS[spelling] = unit


_define(Unit("s", "time", 1), "sec", "second", "seconds")
_define(Unit("min", "time", 60), "minute", "minutes")
_define(Unit("h", "time", 3600), "hour", "hours")
_define(Unit("day", "time", 86400), "days")
_define(Unit("week", "time", 7 * 86400), "weeks")
# Months and years have no fixed length: they are calendar steps (month ends clamp).
_define(Unit("month", "calendar"), "months")
_define(Unit("year", "calendar"), "years")
_define(Unit("business hour", "business_time"), "business hours")
_define(Unit("business day", "business_time"), "business days")
_define(Unit("%", "percent"))
for _currency in ("JPY", "USD", "EUR"):
    _define(Unit(_currency, "money"))
_define(Unit("", "number"))

#: Every spelling the parser accepts, for "did you mean" hints.
SPELLINGS: tuple[str, ...] = tuple(sorted(s for s in _UNITS if s))

#: Dimensions that are lengths of time (fixed or calendar steps).
TIME_DIMENSIONS = frozenset({"time", "calendar"})


def canonical(written: str) -> Unit | None:
    """The unit ``written`` stands for, or None when the language does not know it."""
    return _UNITS.get(written)


def show_number(value: Fraction) -> str:
    """An exact number as an author writes it: ``99.9``, ``10``, ``1/3`` when not decimal.

    >>> show_number(Fraction(999, 10)), show_number(Fraction(99)), show_number(Fraction(1, 3))
    ('99.9', '99', '1/3')
    """
    if value.denominator == 1:
        return str(value.numerator)
    scaled = value
    for digits in range(1, 13):
        scaled *= 10
        if scaled.denominator == 1:
            return f"{Decimal(scaled.numerator).scaleb(-digits):f}"
    return str(value)


def show(q: object) -> str:
    """A quantity as written: ``30 min``, ``99.9%``, ``3 business hours``."""
    value = show_number(q.value)  # type: ignore[attr-defined]
    written = q.written  # type: ignore[attr-defined]
    if not written:
        return value
    return f"{value}%" if written == "%" else f"{value} {written}"


_JA = {
    "s": "秒",
    "min": "分",
    "h": "時間",
    "day": "日",
    "week": "週間",
    "month": "か月",
    "year": "年",
    "business hour": "営業時間",
    "business day": "営業日",
    "%": "%",
}


def show_ja(q: object) -> str:
    """A quantity written the Japanese way: ``1週間``, ``3営業時間``, ``6か月``."""
    written = q.written  # type: ignore[attr-defined]
    unit = canonical(written)
    name = unit.name if unit else written
    return f"{show_number(q.value)}{_JA.get(name, written)}"  # type: ignore[attr-defined]


def label_ja(name: str) -> str | None:
    """The Japanese word for a unit's canonical name (``week`` -> ``週間``), if it has one."""
    return _JA.get(name)
