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
from rulebook.conditions import atoms
from rulebook.diagnostics import Diagnostic
from rulebook.meanings import CAP_PERIODS, CLAIM_WORDS, MEASURES, ROUNDING
from rulebook.reprs import with_repr
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
        yield from _check_records(clause)
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


def _check_records(clause: m.RemedyClause) -> Iterator[Diagnostic]:
    """`records_time` needs the remedy's `records where`, and `records where` needs a use."""
    used = [
        span
        for span in (
            *_measure_spans(clause.condition, "records_time"),
            *(
                v.span
                for expr in (clause.refund, clause.minimum, *(c.amount for c in clause.caps))
                for v in _variables(expr)
                if v.name == "records_time"
            ),
        )
    ]
    if clause.records is None and used:
        yield error(
            "no-records-condition",
            f"remedy {clause.id} uses records_time but says no `records where`: whose time "
            "would it measure?",
            used[0],
            "add `records where CONDITION` (the records whose time counts, e.g. the "
            "provider's fault), or use `downtime`",
        )
    elif clause.records is not None and not used:
        yield error(
            "unused-records",
            f"remedy {clause.id} selects records (`records where`) but never uses their time",
            clause.records.span,
            "use `records_time` in its `when` or formula (e.g. `when records_time > 0 s`), "
            "or remove `records where`",
        )


def _measure_spans(cond: m.Condition | None, name: str) -> Iterator[m.Span]:
    """Where a remedy condition compares the measure ``name`` (on either side)."""
    for a in atoms(cond):
        if isinstance(a, m.Compare) and (
            a.fact == name or (isinstance(a.value, m.Code) and a.value.name == name)
        ):
            yield a.span


def _variables(expr: m.Expr | None) -> Iterator[m.Variable]:
    if isinstance(expr, m.Variable):
        yield expr
    elif isinstance(expr, m.Binary):
        yield from _variables(expr.left)
        yield from _variables(expr.right)


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
        if not isinstance(clause, m.RemedyClause):
            continue
        ordered = _ordered_bands(clause)
        if not ordered:
            continue
        for (low, _), (high, tier) in itertools.pairwise(ordered):
            yield from _overlap(low, high, tier)
        for gap in tier_gaps(clause, target):
            hint = _GAP_HINTS[gap.kind].format(target=show_number(gap.high))
            yield error("tier-gap", _gap_words(gap), gap.beside.span, hint)
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


@with_repr
@attrs.frozen(repr=False)
class TierGap:
    """Availability below the target that no credit tier covers: from ``low`` (None: from
    0%) to ``high``. ``beside`` is the tier next to it; ``kind`` is ``between`` (two tiers),
    ``below`` (under the lowest tier) or ``target`` (from the top tier up to the target)."""

    low: Fraction | None
    low_inclusive: bool
    high: Fraction
    high_inclusive: bool
    beside: m.Tier
    kind: str


def tier_gaps(clause: m.RemedyClause, target: m.Comparison | None) -> list[TierGap]:
    """The gaps a remedy's tiers leave (none when a tier's bounds are not all comparisons
    of availability): what ``tier-gap`` reports, and what the editor's quick fix fills."""
    ordered = _ordered_bands(clause)
    if not ordered:
        return []
    gaps = []
    for (low, _), (high, tier) in itertools.pairwise(ordered):
        end, end_inc, start, start_inc = low.high, low.high_inclusive, high.low, high.low_inclusive
        if end is None or start is None:
            continue
        if end < start or (end == start and not end_inc and not start_inc):
            gaps.append(TierGap(end, not end_inc, start, not start_inc, tier, "between"))
    lowest_band, lowest = ordered[0]
    bottom = lowest_band.low
    if bottom is not None and (bottom > 0 or (bottom == 0 and not lowest_band.low_inclusive)):
        gaps.append(TierGap(None, True, bottom, not lowest_band.low_inclusive, lowest, "below"))
    top_band, top = ordered[-1]
    if target is not None and target.op in (None, ">=", ">") and top_band.high is not None:
        limit, met_inclusive = target.quantity.value, target.op in (None, ">=")
        top_high, high_inc = top_band.high, top_band.high_inclusive
        if top_high < limit or (top_high == limit and not high_inc and not met_inclusive):
            gaps.append(TierGap(top_high, not high_inc, limit, not met_inclusive, top, "target"))
    return gaps


_GAP_HINTS = {
    "between": "make the neighbouring bounds meet: `< X%` in one tier and `>= X%` in the next",
    "below": "let the lowest tier reach 0%: drop its lower bound",
    "target": "bound the top tier with `< {target}%`",
}


def _gap_words(gap: TierGap) -> str:
    high = show_number(gap.high)
    if gap.kind == "below":
        below = "at or below" if gap.high_inclusive else "below"
        return f"no tier covers availability {below} {high}%"
    assert gap.low is not None
    low = show_number(gap.low)
    if gap.kind == "target":
        return f"availability from {low}% up to the {high}% target is below target but in no tier"
    between = f"exactly {low}%" if gap.low == gap.high else f"from {low}% to {high}%"
    return f"no tier covers availability {between}"


def _ordered_bands(clause: m.RemedyClause) -> list[tuple[_Band, m.Tier]]:
    """The tiers' bands from the lowest, or nothing when a bound is not a comparison."""
    bands = [(_band(t), t) for t in clause.tiers]
    if not bands or any(b is None for b, _ in bands):
        return []
    return sorted(((b, t) for b, t in bands if b), key=lambda bt: _band_order(bt[0]))


@with_repr
@attrs.frozen(repr=False)
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


def _overlap(low: _Band, high: _Band, tier: m.Tier) -> Iterator[Diagnostic]:
    """Two neighbouring bands that overlap: ``low`` ends after ``high`` begins."""
    end, end_inc = low.high, low.high_inclusive
    start, start_inc = high.low, high.low_inclusive
    if end is None or start is None or end > start or (end == start and end_inc and start_inc):
        yield error(
            "tier-overlap",
            f"tiers overlap at {_overlap_words(low, high)}",
            tier.span,
            "make one bound strict: `< X%` in one tier and `>= X%` in the next",
        )


def _overlap_words(low: _Band, high: _Band) -> str:
    if low.high is not None and high.low is not None and low.high == high.low:
        return f"exactly {show_number(low.high)}%"
    return f"{show_number(high.low)}%" if high.low is not None else "their lower end"
