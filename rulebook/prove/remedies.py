"""One service's period as symbols, and what the contract's remedies owe for it.

A period has a length (the lengths the contract's periods can have: 28 to 31 days for
calendar months, 90 to 92 for quarters, the stated length for a fixed one), an integer
downtime between the threshold (or one second) and the period, a monthly fee and the
damages claimed (whole amounts of money). Where the availability clause takes maintenance
windows out of the denominator, the denominator is any part of the period (so a proof
holds whatever the windows); else it is the period. The remedies are settled as the engine settles
them (``engine/remedy.py``): the first clause that applies, in file order; its amount —
free months, a refund's formula, a tier's credit of the fee, the damages claimed —, held
down by each cap in turn (a yearly cap with nothing paid before in the year), raised to
the minimum when positive and below it, and rounded by the clause's rounding (down to
1 yen without one; the currency is JPY).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import z3

from rulebook import model as m
from rulebook.conditions import fold_formula
from rulebook.prove.encode import Pair
from rulebook.satisfiable import magnitude

DAY = 86400


def real(value: Any) -> Any:
    """An integer symbol as a real one (a real one as it is)."""
    return z3.ToReal(value) if z3.is_int(value) else value


def period_lengths(contract: m.Contract) -> list[int]:
    """The lengths in seconds a measuring period of the contract can have."""
    clause = availability(contract)
    kind = clause.period if clause is not None and clause.period is not None else None
    if kind == "quarter":
        return [90 * DAY, 91 * DAY, 92 * DAY]
    if isinstance(kind, m.Quantity):
        fixed = magnitude(kind)
        if fixed is not None:
            return [int(fixed)]
    return [28 * DAY, 29 * DAY, 30 * DAY, 31 * DAY]


def availability(contract: m.Contract) -> m.AvailabilityClause | None:
    return next((c for c in contract.clauses if isinstance(c, m.AvailabilityClause)), None)


def remedies(contract: m.Contract) -> list[m.RemedyClause]:
    return [c for c in contract.clauses if isinstance(c, m.RemedyClause)]


class Period:
    """The symbols of one period: length, downtime, fee, damages claimed."""

    def __init__(
        self, contract: m.Contract, name: str, shared: Period | None = None, exact: bool = True
    ) -> None:
        self.contract = contract
        #: exact: whole seconds and amounts, and the rounding; else real numbers and no
        #: rounding — a relaxation whose proofs carry over (rounding never decreases).
        self.exact: bool = exact if shared is None else shared.exact
        number = z3.Int if self.exact else z3.Real
        self.downtime = number(f"{name}|downtime")
        # `records where`: the time of a remedy's own records, apart from the downtime;
        # a second period compared with the first has the same
        self.records: Any = number(f"{name}|records") if shared is None else shared.records
        if shared is None:
            self.length = z3.Int(f"{name}|length")
            self.denominator = z3.Int(f"{name}|denominator")
            self.fee = number(f"{name}|fee")
            self.damages = number(f"{name}|damages")
        else:  # a second period compared with the first: the same length, fee, damages
            self.length, self.fee, self.damages = shared.length, shared.fee, shared.damages
            self.denominator = shared.denominator
        clause = availability(contract)
        minus = clause is not None and bool(clause.denominator_minus)
        floor = max(1, int(threshold_seconds(contract)))
        self.constraints = [
            z3.Or(*[self.length == n for n in period_lengths(contract)]),
            self.downtime >= floor,
            # windows taken out of the denominator (`denominator period minus`): any part
            self.denominator <= self.length if minus else self.denominator == self.length,
            self.denominator > 0,
            self.downtime <= self.denominator,
            self.fee >= 0,
            self.damages >= 0,
            self.records >= 0,
            self.records <= self.length,
        ]

    def preferences(self) -> list[Any]:
        """What makes an example easy to read: a fee of whole thousands, 30 days."""
        thousands = self.fee % 1000 == 0 if self.exact else z3.BoolVal(True)
        whole = self.denominator == self.length
        return [self.fee >= 10000, thousands, self.length == 30 * DAY, whole]

    def availability_percent(self) -> Any:
        """Availability as a percentage, exactly."""
        denominator = z3.ToReal(self.denominator)
        return (denominator - real(self.downtime)) * 100 / denominator

    def measure(self, name: str) -> Any:
        """A measure a remedy names, as the engine's ``_measures`` gives it: availability and
        target in percent; downtime, denominator and period in seconds; the fee."""
        if name == "availability":
            return self.availability_percent()
        if name == "target":
            target = target_of(self.contract)
            return z3.RealVal(str(target.quantity.value)) if target is not None else None
        if name == "downtime":
            return real(self.downtime)
        if name == "denominator":
            return z3.ToReal(self.denominator)
        if name == "period":
            return z3.ToReal(self.length)
        if name == "monthly_fee":
            return real(self.fee)
        if name == "records_time":
            return real(self.records)
        return None

    def met(self) -> Any:
        """Whether the period meets the target (None without one)."""
        target = target_of(self.contract)
        if target is None:
            return None
        goal = z3.RealVal(str(target.quantity.value))
        op = target.op or (
            ">" if target.word is not None and target.word.word in ("超", "超える") else ">="
        )
        value = self.availability_percent()
        return value > goal if op == ">" else value >= goal


def threshold_seconds(contract: m.Contract) -> Fraction:
    """The downtime threshold in seconds (0 without one); a period's downtime is a counted
    stoppage, so it is at least this long."""
    clause = next((c for c in contract.clauses if isinstance(c, m.DowntimeClause)), None)
    if clause is None or clause.threshold is None:
        return Fraction(0)
    limit = magnitude(clause.threshold.quantity) or Fraction(0)
    return limit + 1 if clause.threshold.op == ">" else limit


def target_of(contract: m.Contract) -> m.Comparison | None:
    clause = availability(contract)
    return clause.target if clause is not None else None


# ------------------------------------------------------------------ conditions


def condition(cond: m.Condition | None, period: Period) -> Pair:
    """A remedy's `when` over the measures: comparisons of a measure with a quantity or
    with another measure, joined by and, or, not. Measures are always known here."""
    if cond is None:
        return z3.BoolVal(True), z3.BoolVal(False)
    if isinstance(cond, m.All):
        pairs = [condition(c, period) for c in cond.items]
        return z3.And(*[p[0] for p in pairs]), z3.Or(*[p[1] for p in pairs])
    if isinstance(cond, m.Any):
        pairs = [condition(c, period) for c in cond.items]
        return z3.Or(*[p[0] for p in pairs]), z3.And(*[p[1] for p in pairs])
    if isinstance(cond, m.Not):
        holds, fails = condition(cond.item, period)
        return fails, holds
    if isinstance(cond, m.Compare):
        left = period.measure(cond.fact)
        right: Any
        if isinstance(cond.value, m.Code):
            right = period.measure(cond.value.name)
        elif isinstance(cond.value, m.Quantity):
            number = magnitude(cond.value)
            right = z3.RealVal(str(number if number is not None else cond.value.value))
        else:
            right = None
        if left is not None and right is not None:
            test = {
                "<": left < right,
                "<=": left <= right,
                ">": left > right,
                ">=": left >= right,
                "=": left == right,
                "!=": left != right,
            }[cond.op]
            return test, z3.Not(test)
    # anything else names no measure (check refuses it): unknown
    return z3.BoolVal(False), z3.BoolVal(False)


def evaluate(expr: m.Expr, period: Period) -> Any:
    """A remedy formula, as the engine's ``evaluate`` (one fold of the formula for both);
    a division by zero is zero."""

    def variable(name: str) -> Any:
        value = period.measure(name)
        return z3.RealVal(0) if value is None else value

    return fold_formula(
        expr,
        lambda number: z3.RealVal(str(number)),
        variable,
        lambda left, right: z3.If(right != 0, left / z3.If(right != 0, right, 1), 0),
    )


# ------------------------------------------------------------------ amounts


def applies(clause: m.RemedyClause, period: Period) -> Any:
    """Whether the clause owes something for the period (the engine's ``_applies``)."""
    if clause.free is None and clause.refund is None and not clause.tiers:  # damages
        given = z3.BoolVal(True)
        return given if clause.condition is None else condition(clause.condition, period)[0]
    if clause.condition is None:
        met = period.met()
        owed = z3.BoolVal(False) if met is None else z3.Not(met)
    else:
        owed = condition(clause.condition, period)[0]
    # a credit needs a tier the availability is in; else the next clause is tried
    return z3.And(owed, any_tier(clause, period)) if clause.tiers else owed


def tier_holds(tier: m.Tier, period: Period) -> Any:
    value = period.availability_percent()
    tests = []
    for bound in tier.bounds:
        limit = z3.RealVal(str(bound.quantity.value))
        op = bound.op or ">="
        tests.append(
            {"<": value < limit, "<=": value <= limit, ">": value > limit}.get(op, value >= limit)
        )
    return z3.And(*tests)


def any_tier(clause: m.RemedyClause, period: Period) -> Any:
    return z3.Or(*[tier_holds(t, period) for t in clause.tiers])


def raw_amount(clause: m.RemedyClause, period: Period) -> Any:
    """What the clause computes before caps, minimum and rounding."""
    if clause.free is not None:
        per_unit = 12 if clause.free.unit == "year" else 1
        return z3.RealVal(str(clause.free.value * per_unit))
    if clause.refund is not None:
        return evaluate(clause.refund, period)
    if clause.tiers:
        amount: Any = z3.RealVal(0)
        for tier in reversed(clause.tiers):  # the first tier that holds
            rate = z3.RealVal(str(tier.credit.value / 100))
            amount = z3.If(tier_holds(tier, period), real(period.fee) * rate, amount)
        return amount
    return real(period.damages)


def cap_limits(clause: m.RemedyClause, period: Period) -> list[Any]:
    """Each cap's limit for the period (a yearly cap with nothing paid before)."""
    return [evaluate(cap.amount, period) for cap in clause.caps]


def amount(clause: m.RemedyClause, period: Period) -> Any:
    """What the clause pays when it applies: months for free months, else money."""
    value = raw_amount(clause, period)
    if clause.free is not None:
        return value
    for limit in cap_limits(clause, period):
        value = z3.If(value > limit, limit, value)
    if clause.minimum is not None:
        low = evaluate(clause.minimum, period)
        value = z3.If(z3.And(value > 0, value < low), low, value)
    return rounded(value, clause) if period.exact else value


def rounded(value: Any, clause: m.RemedyClause) -> Any:
    """The clause's rounding (down to 1 without one), as Decimal's modes do it."""
    mode, step = "down", Fraction(1)
    if clause.rounding is not None:
        mode, step = clause.rounding[0].name, clause.rounding[1].value
    q = value / z3.RealVal(str(step))
    magnitude_ = z3.If(q >= 0, q, -q)
    whole = z3.ToReal(z3.ToInt(magnitude_))
    rest = magnitude_ - whole
    if mode == "down":
        steps = whole
    elif mode == "up":
        steps = z3.If(rest > 0, whole + 1, whole)
    elif mode == "half_up":
        steps = z3.If(rest >= z3.RealVal("1/2"), whole + 1, whole)
    else:  # half_even
        even = z3.ToInt(whole) % 2 == 0
        steps = z3.If(
            rest > z3.RealVal("1/2"),
            whole + 1,
            z3.If(rest < z3.RealVal("1/2"), whole, z3.If(even, whole, whole + 1)),
        )
    return z3.If(q >= 0, steps, -steps) * z3.RealVal(str(step))


def owed(contract: m.Contract, period: Period) -> tuple[Any, Any, Any]:
    """(some clause applies, the index of the one that does, what it pays) for the period:
    the first clause that applies, in file order; 0 when none does."""
    clauses = remedies(contract)
    given: Any = z3.BoolVal(False)
    which: Any = z3.IntVal(-1)
    paid: Any = z3.RealVal(0)
    for i, clause in reversed(list(enumerate(clauses))):
        yes = applies(clause, period)
        given = z3.Or(yes, given)
        which = z3.If(yes, i, which)
        paid = z3.If(yes, amount(clause, period), paid)
    return given, which, paid
