"""Remedies and credit tiers: formulas come out in money, tiers neither overlap nor leave gaps."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from fractions import Fraction

import attrs

from rulebook import model as m
from rulebook import units
from rulebook.check.quantities import check_deadline_word, check_dimension, check_word
from rulebook.check.scope import Scope, error, target_of, unknown
from rulebook.diagnostics import Diagnostic
from rulebook.meanings import CAP_PERIODS, CLAIM_WORDS, MEASURES, ROUNDING
from rulebook.units import show_number


def check_remedies(contract: m.Contract, scope: Scope) -> Iterator[Diagnostic]:
    """Remedies fit the contract's kind; formulas come out in money; rounding is known."""
    for clause in contract.clauses:
        if not isinstance(clause, m.RemedyClause):
            continue
        if contract.kind == "objective":
            yield error(
                "remedy-in-objective",
                f"remedy {clause.id} in an objective contract: an objective owes nothing",
                clause.span,
                "make the contract `kind guarantee`, or remove the remedy",
            )
        kinds = [
            k
            for k, v in (("free", clause.free), ("refund", clause.refund), ("tier", clause.tiers))
            if v
        ]
        if len(kinds) > 1:
            yield error(
                "mixed-remedy",
                f"remedy {clause.id} mixes {' and '.join(kinds)}; write one remedy clause for each",
                clause.span,
            )
        if clause.free is not None:
            yield from check_dimension(clause.free, ("calendar",), "a free period")
            if clause.free.value.denominator != 1 or clause.free.value < 1:
                yield error(
                    "bad-free",
                    "free service is given in whole months or years, "
                    f"not {units.show(clause.free)}",
                    clause.free.span,
                    "write a whole number of months, e.g. `free 1 month`",
                )
        if clause.refund is not None:
            yield from _expect_money(clause.refund, "a refund")
        for cap in clause.caps:
            yield from _expect_money(cap.amount, "a cap")
            if cap.per is not None and cap.per.name not in CAP_PERIODS:
                yield unknown("cap period", cap.per.name, cap.per.span, CAP_PERIODS, "bad-cap")
        if clause.minimum is not None:
            yield from _expect_money(clause.minimum, "a minimum payout")
        if clause.claim_word is not None:
            yield from check_deadline_word(clause.claim_word, CLAIM_WORDS, "a claim deadline")
        if clause.claim_after is not None:
            # Business time would need a calendar, and a claim names none (found by the
            # generated contracts: the engine could not compute such a deadline).
            yield from check_dimension(clause.claim_after, ("calendar", "time"), "a claim deadline")
        if clause.rounding is not None:
            mode, step = clause.rounding
            if mode.name not in ROUNDING:
                yield unknown("rounding mode", mode.name, mode.span, ROUNDING, "bad-rounding")
            yield from check_dimension(step, ("money",), "a rounding step")
        for tier in clause.tiers:
            yield from check_dimension(tier.credit, ("percent",), "a credit")
            for bound in tier.bounds:
                yield from check_dimension(bound.quantity, ("percent",), "availability")
                yield from check_word(bound.op, bound.word)
                if bound.op in (None, "=", "!="):
                    yield error(
                        "bad-tier",
                        "a tier bound needs <, <=, > or >=",
                        bound.span,
                        "write `tier < 99.99% and >= 99.0% credit 10%`",
                    )


def _expect_money(expr: m.Expr, what: str) -> Iterator[Diagnostic]:
    found: list[Diagnostic] = []
    dims = _dimension(expr, found)
    yield from found
    if dims is not None and dims != _MONEY:
        yield error(
            "unit-mismatch",
            f"{what} must come out as money, but this formula gives {_dims_words(dims)}",
            expr.span,
            "e.g. `monthly_fee * downtime / denominator`",
        )


# Dimensions of formulas as exponents of (money, time). A percentage is a ratio:
# `monthly_fee * 10%` is money; availability and target are ratios too.
Dims = tuple[int, int]


_MONEY: Dims = (1, 0)


_DIM_OF: dict[str, Dims] = {"money": (1, 0), "time": (0, 1), "percent": (0, 0), "number": (0, 0)}


def _dimension(expr: m.Expr, found: list[Diagnostic]) -> Dims | None:
    if isinstance(expr, m.Quantity):
        unit = units.canonical(expr.written)
        if unit is None:
            return None  # reported by check_units
        if unit.dimension not in _DIM_OF:
            found.append(
                error(
                    "unit-mismatch",
                    f"{units.show(expr)} has no fixed length and cannot be used in a formula",
                    expr.span,
                    "use s, min, h, day or week, or a measure such as downtime",
                )
            )
            return None
        return _DIM_OF[unit.dimension]
    if isinstance(expr, m.Variable):
        if expr.name not in MEASURES:
            found.append(unknown("measure", expr.name, expr.span, MEASURES, "unknown-fact"))
            return None
        return _DIM_OF[MEASURES[expr.name]]
    left, right = _dimension(expr.left, found), _dimension(expr.right, found)
    if left is None or right is None:
        return None
    if expr.op in "+-":
        if left != right:
            found.append(
                error(
                    "unit-mismatch",
                    f"cannot combine {_dims_words(left)} and {_dims_words(right)} with '{expr.op}'",
                    expr.span,
                )
            )
            return None
        return left
    sign = 1 if expr.op == "*" else -1
    return (left[0] + sign * right[0], left[1] + sign * right[1])


def _dims_words(d: Dims) -> str:
    names = {_MONEY: "money", (0, 1): "time", (0, 0): "a plain number or ratio"}
    return names.get(d, "a mixed unit")


def check_tiers(contract: m.Contract, scope: Scope) -> Iterator[Diagnostic]:
    """Credit tiers neither overlap nor leave a gap, down to 0% and up to the target."""
    target = target_of(scope)
    for clause in contract.clauses:
        if not isinstance(clause, m.RemedyClause) or not clause.tiers:
            continue
        bands = [(_band(t), t) for t in clause.tiers]
        if any(b is None for b, _ in bands):
            continue
        ordered = sorted(((b, t) for b, t in bands if b), key=lambda bt: _band_order(bt[0]))
        for (low, _), (high, tier) in itertools.pairwise(ordered):
            yield from _between(low, high, tier)
        lowest_band, lowest = ordered[0]
        if (lowest_band.low is not None and lowest_band.low > 0) or (
            lowest_band.low == 0 and not lowest_band.low_inclusive
        ):
            yield error(
                "tier-gap",
                f"no tier covers availability {_below(lowest_band)}",
                lowest.span,
                "let the lowest tier reach 0%: drop its lower bound",
            )
        top_band, top = ordered[-1]
        if target is not None and target.op in (None, ">=", ">"):
            limit = target.quantity.value
            inclusive_met = target.op in (None, ">=")
            top_high, high_inc = top_band.high, top_band.high_inclusive
            if (
                top_high is None
                or top_high > limit
                or (top_high == limit and high_inc and inclusive_met)
            ):
                yield error(
                    "tier-overlap",
                    "the top tier pays credit at availabilities that meet the "
                    f"{show_number(limit)}% target",
                    top.span,
                    f"bound the top tier with `< {show_number(limit)}%`",
                )
            elif top_high < limit or (top_high == limit and not high_inc and not inclusive_met):
                yield error(
                    "tier-gap",
                    f"availability from {show_number(top_high)}% up to the "
                    f"{show_number(limit)}% target is below target but in no tier",
                    top.span,
                    f"bound the top tier with `< {show_number(limit)}%`",
                )


@attrs.frozen
class _Band:
    low: Fraction | None
    low_inclusive: bool
    high: Fraction | None
    high_inclusive: bool


def _band(tier: m.Tier) -> _Band | None:
    low: Fraction | None = None
    high: Fraction | None = None
    low_inc = high_inc = True
    for bound in tier.bounds:
        value = bound.quantity.value
        if bound.op in (">", ">="):
            low, low_inc = value, bound.op == ">="
        elif bound.op in ("<", "<="):
            high, high_inc = value, bound.op == "<="
        else:
            return None
    return _Band(low, low_inc, high, high_inc)


def _band_order(b: _Band) -> tuple[Fraction, int]:
    return (b.low if b.low is not None else Fraction(-1), 0 if b.low_inclusive else 1)


def _between(low: _Band, high: _Band, tier: m.Tier) -> Iterator[Diagnostic]:
    """Compare two neighbouring bands: ``low`` ends where ``high`` should begin."""
    end, end_inc = low.high, low.high_inclusive
    start, start_inc = high.low, high.low_inclusive
    if end is None or start is None or end > start or (end == start and end_inc and start_inc):
        yield error(
            "tier-overlap",
            f"tiers overlap at {_overlap_words(low, high)}",
            tier.span,
            "make one bound strict: `< X%` in one tier and `>= X%` in the next",
        )
    elif end < start or (end == start and not end_inc and not start_inc):
        at = (
            f"exactly {show_number(end)}%"
            if end == start
            else f"from {show_number(end)}% to {show_number(start)}%"
        )
        yield error(
            "tier-gap",
            f"no tier covers availability {at}",
            tier.span,
            "make the neighbouring bounds meet: `< X%` in one tier and `>= X%` in the next",
        )


def _overlap_words(low: _Band, high: _Band) -> str:
    if low.high is not None and high.low is not None and low.high == high.low:
        return f"exactly {show_number(low.high)}%"
    return f"{show_number(high.low)}%" if high.low is not None else "their lower end"


def _below(b: _Band) -> str:
    assert b.low is not None
    return (
        f"below {show_number(b.low)}%" if b.low_inclusive else f"at or below {show_number(b.low)}%"
    )
