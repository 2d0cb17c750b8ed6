"""The properties `rulebook check --prove` proves or refutes, each a query to the solver.

Over every record the vocabulary can describe (:mod:`rulebook.prove.encode`) and every
period (:mod:`rulebook.prove.remedies`):

- **an outage can count**: some outage is downtime and no exclusion takes it (else the
  availability is met whatever happens; the examples of the remedy properties need one);
- **one deciding clause**: no outage is taken by two exclusions, or by an exclusion and an
  inclusion, that the contract does not order (by an exception or `overrides`) — else
  which clause decides it would rest on the order of the file;
- **no dead clause**: each exclusion, inclusion, exception, maintenance `when`, downtime
  `when`, obligation and remedy can apply to some outage (or period) that reaches it;
- **tiers contiguous**: every availability a remedy with tiers is owed for is in exactly
  one tier;
- **remedies never negative** and **monotone in downtime**: more downtime in a period of
  the same length, fee and damages never owes less;
- **caps hold**: what a remedy pays never exceeds one of its caps (a minimum or a rounding
  up can break one).

Each query either has no model (the property is proved), a model (refuted: the model is
turned into an `example` block by :mod:`rulebook.prove.witness`), or the solver gave up
within its time (unknown).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from fractions import Fraction
from typing import Any

import attrs
import z3

from rulebook import model as m
from rulebook.limits import MAX_PAIRS_LISTED
from rulebook.prove import remedies as rm
from rulebook.prove.encode import Record, downtime_holds, encode, services
from rulebook.prove.rules import Rules, counts, reaches, solve, solve_nicely
from rulebook.prove.witness import period_example, record_example
from rulebook.reprs import with_repr

PROPERTIES = (
    "an outage can count",
    "one deciding clause",
    "no dead clause",
    "tiers contiguous",
    "remedies never negative",
    "remedies monotone in downtime",
    "caps hold",
)


@with_repr
@attrs.frozen(repr=False)
class Finding:
    """A property refuted (or not decided) at a clause, with the example that shows it."""

    property: str
    status: str  # "refuted" or "unknown"
    clause: str
    message: str
    span: m.Span
    example: str | None = None
    #: every clause the finding is about (both clauses of a pair), in file order
    clauses: tuple[str, ...] = ()


@with_repr
@attrs.frozen(repr=False)
class Proof:
    """What the solver found for one contract: each property's findings, and the time."""

    contract: str
    findings: tuple[Finding, ...]
    checked: tuple[tuple[str, int], ...]  # (property, how many queries)
    seconds: float

    def status(self, prop: str) -> str:
        """``proved``, ``refuted`` or ``unknown`` for one property."""
        mine = [f for f in self.findings if f.property == prop]
        if any(f.status == "refuted" for f in mine):
            return "refuted"
        return "unknown" if mine else "proved"


def undecided(prop: str, answer: str, clause: str, span: m.Span) -> Finding | None:
    """A query the solver did not refute: proved (no finding), or unknown."""
    if answer == "unsat":
        return None
    return Finding(prop, "unknown", clause, "the solver gave up", span)


# ------------------------------------------------------------------ the properties

Check = Callable[[m.Contract], Iterator[tuple[str, Finding | None]]]


def one_deciding_clause(contract: m.Contract) -> Iterator[tuple[str, Finding | None]]:
    """Pairs of rule clauses (not two inclusions) that can apply to one outage. For each
    clause, one query asks whether a later clause can apply with it; the model names every
    such clause at once, and the next query asks for the others — a query a clause plus one
    a finding, and at most :data:`~rulebook.limits.MAX_PAIRS_LISTED` findings, then a note
    that it stopped."""
    prop = "one deciding clause"
    rules = [c for c in contract.clauses if isinstance(c, m.RuleClause)]
    record = Record(contract)
    values = Rules(contract, record)
    # a Boolean a clause, defined once: the queries name them, not the conditions
    applies = {c.id: z3.Bool(f"applies|{c.id}") for c in rules}
    defined = [applies[c.id] == values.value(c.id)[0] for c in rules]
    base = [reaches(contract, record), *defined]
    base.append(record.all_constraints())  # last: of every symbol the formulas made
    listed = 0
    for i, first in enumerate(rules):
        later = [c for c in rules[i + 1 :] if "exclude" in (first.effect, c.effect)]
        while later:
            answer, model = solve(*base, applies[first.id], z3.Or(*[applies[c.id] for c in later]))
            if answer != "sat":
                for second in later:
                    yield prop, undecided(prop, answer, second.id, second.span)
                break
            found = [c for c in later if z3.is_true(model.eval(applies[c.id], True))]
            later = [c for c in later if c not in found]
            for second in found:
                if listed == MAX_PAIRS_LISTED:
                    yield prop, _stopped(contract, second)
                    return
                listed += 1
                yield prop, _two_deciding(contract, record, applies, base, first, second)


def _stopped(contract: m.Contract, clause: m.RuleClause) -> Finding:
    message = (
        f"and more: the prover lists {MAX_PAIRS_LISTED} pairs of clauses that decide one "
        "outage and stops there (docs/limits.md)"
    )
    return Finding("one deciding clause", "refuted", clause.id, message, clause.span)


def _two_deciding(
    contract: m.Contract,
    record: Record,
    applies: dict[str, Any],
    base: list[Any],
    first: m.RuleClause,
    second: m.RuleClause,
) -> Finding:
    """The finding of two clauses that apply to one outage, with an outage that no other
    clause takes (where there is one), so that its example shows these two."""
    others = [z3.Not(t) for cid, t in applies.items() if cid not in (first.id, second.id)]
    _, model = solve_nicely([*base, applies[first.id], applies[second.id]], [z3.And(*others)])
    both = f"'{first.id}' and '{second.id}'"
    exclusion, other = (first, second) if first.effect == "exclude" else (second, first)
    if other.effect == "exclude":
        message = (
            f"{both} both exclude one outage and the contract does not say which "
            f"decides it: the engine names '{first.id}', the first in the file "
            f"(add `overrides {first.id}` to '{second.id}', or the reverse, or an "
            "exception)"
        )
        expect = f"excluded by {second.id}"
        note = f"both {first.id} and {second.id} apply; {first.id} decides by file order"
    else:
        message = (
            f"exclusion '{exclusion.id}' and inclusion '{other.id}' both apply to one "
            "outage and neither is declared to win: the inclusion counts it"
        )
        expect = f"excluded by {exclusion.id}"
        note = f"{exclusion.id} excludes it and {other.id} counts it"
    name = f"prove_{first.id}_{second.id}"
    example = record_example(contract, record, model, name, note, expect)
    pair = (first.id, second.id)
    return Finding("one deciding clause", "refuted", second.id, message, second.span, example, pair)


def no_dead_clause(contract: m.Contract) -> Iterator[tuple[str, Finding | None]]:
    prop = "no dead clause"
    for clause in contract.clauses:
        related = isinstance(clause, m.RuleClause) and clause.related
        # a related clause also applies through a cause, which may be of any service
        record = Record(contract, names=services(contract, covered_only=False) if related else None)
        values = Rules(contract, record)
        query: list[Any]
        if isinstance(clause, m.RuleClause):
            reach = z3.BoolVal(True) if clause.related else reaches(contract, record)
            query = [reach, values.value(clause.id)[0]]
        elif isinstance(clause, m.ExceptionClause):
            targets = [t for t in (contract.clause(r.name) for r in clause.targets) if t]
            if not targets:
                continue
            query = [values.value(clause.id)[0], z3.Or(*[values.own(t)[0] for t in targets])]
        elif isinstance(clause, m.ObligationClause) and (clause.condition or clause.unless):
            query = [values.own(clause)[0]]
        elif isinstance(clause, m.MaintenanceClause) and clause.condition is not None:
            query = [reaches(contract, record), encode(clause.condition, record)[0]]
        elif isinstance(clause, m.DowntimeClause) and (clause.condition or clause.probes):
            query = [downtime_holds(clause, record)[0]]
        elif isinstance(clause, m.RemedyClause):
            period = rm.Period(contract, "p")
            yield _dead_remedy(contract, clause, period)
            continue
        else:
            continue
        answer, _ = solve(*query, record.all_constraints())
        if answer == "sat":
            yield prop, None
        elif answer == "unsat":
            message = f"no outage the vocabulary can describe makes '{clause.id}' apply"
            if isinstance(clause, m.ExceptionClause):
                names = "', '".join(r.name for r in clause.targets)
                message = f"'{clause.id}' can never hold together with '{names}'"
            yield prop, Finding(prop, "refuted", clause.id, message, clause.span)
        else:
            yield prop, Finding(prop, "unknown", clause.id, "the solver gave up", clause.span)


def _dead_remedy(
    contract: m.Contract, clause: m.RemedyClause, period: rm.Period
) -> tuple[str, Finding | None]:
    prop = "no dead clause"
    answer, _ = solve(*period.constraints, rm.applies(clause, period))
    if answer == "sat":
        return prop, None
    if answer == "unknown":
        return prop, Finding(prop, "unknown", clause.id, "the solver gave up", clause.span)
    message = f"no period's downtime makes remedy '{clause.id}' owed"
    return prop, Finding(prop, "refuted", clause.id, message, clause.span)


def tiers_contiguous(contract: m.Contract) -> Iterator[tuple[str, Finding | None]]:
    prop = "tiers contiguous"
    for clause in rm.remedies(contract):
        if not clause.tiers:
            continue
        period = rm.Period(contract, "p")
        holds = [rm.tier_holds(t, period) for t in clause.tiers]
        owed = (
            rm.condition(clause.condition, period)[0]
            if clause.condition is not None
            else z3.Not(period.met())
            if period.met() is not None
            else z3.BoolVal(True)
        )
        count = z3.Sum(*[z3.If(h, 1, 0) for h in holds])
        answer, model = solve_nicely([*period.constraints, owed, count != 1], period.preferences())
        if answer != "sat":
            yield prop, undecided(prop, answer, clause.id, clause.span)
            continue
        n = model.eval(count).as_long()
        what = "no tier" if n == 0 else f"{n} tiers"
        pct = _percent(model, period)
        message = f"remedy '{clause.id}' is owed at availability {pct}%, which is in {what}"
        expect = "remedy credit" if n == 0 else None
        refuting = Refuting(prop, contract, clause, clause.span)
        found = refuting.periods([(period, model)], "tiers", message)
        yield prop, found.demanding("", [expect])


def never_negative(contract: m.Contract) -> Iterator[tuple[str, Finding | None]]:
    prop = "remedies never negative"
    clauses = rm.remedies(contract)
    if not clauses:
        return
    relaxed = rm.Period(contract, "p", exact=False)
    given_r, _, paid_r = rm.owed(contract, relaxed)
    # never negative before rounding, in real numbers, is never negative: rounding keeps
    # the sign; else the case in whole seconds and yen
    answer, model = solve(*relaxed.constraints, given_r, paid_r < 0)
    period = rm.Period(contract, "p")
    given, which, paid = rm.owed(contract, period)
    if answer != "unsat":
        answer, model = solve_nicely([*period.constraints, given, paid < 0], period.preferences())
    if answer != "sat":
        yield prop, undecided(prop, answer, clauses[0].id, clauses[0].span)
        return
    clause = clauses[model.eval(which).as_long()]
    value = _number(model, paid)
    message = f"remedy '{clause.id}' pays {value} for a period: less than nothing"
    demand = f"remedy {rm_kind(clause)} 0 {_unit(clause)}"
    refuting = Refuting(prop, contract, clause, clause.span)
    found = refuting.periods([(period, model)], "negative", message)
    yield prop, found.demanding(" (it should pay 0 at least)", [demand])


def monotone(contract: m.Contract) -> Iterator[tuple[str, Finding | None]]:
    prop = "remedies monotone in downtime"
    clauses = rm.remedies(contract)
    if not clauses:
        return

    def query(exact: bool, pins: tuple[int, ...] = ()) -> tuple[Any, ...]:
        less = rm.Period(contract, "less", exact=exact)
        more = rm.Period(contract, "more", shared=less)
        _, which, paid_less = rm.owed(contract, less)
        _, _, paid_more = rm.owed(contract, more)
        pinned = [
            symbol == value
            for symbol, value in zip((less.downtime, more.downtime, less.fee), pins, strict=False)
        ]
        answer, model = solve_nicely(
            [
                *less.constraints,
                *more.constraints,
                *pinned,
                less.downtime < more.downtime,
                paid_less > paid_more,
            ],
            less.preferences(),
        )
        return answer, model, less, more, (which, paid_less, paid_more)

    # In real numbers and before rounding first (quick, even for a nonlinear formula):
    # monotone there is monotone, since rounding never turns an order round. Else the case
    # in whole seconds and yen, or whole ones beside the real case.
    relaxed = query(False)
    answer = "unsat" if relaxed[0] == "unsat" else "unknown"
    if answer == "unknown":
        answer, model, less, more, (which_less, paid_less, paid_more) = query(True)
    if answer == "unknown" and relaxed[0] == "sat":
        for pins in _whole_beside(relaxed[1], relaxed[2], relaxed[3]):
            whole = query(True, pins)
            if whole[0] == "sat":
                answer, model, less, more, (which_less, paid_less, paid_more) = whole
                break
    if answer != "sat":
        yield prop, undecided(prop, answer, clauses[0].id, clauses[0].span)
        return
    index = model.eval(which_less).as_long()
    clause = clauses[index]
    low, high = _number(model, paid_less), _number(model, paid_more)
    d1, d2 = model.eval(less.downtime).as_long(), model.eval(more.downtime).as_long()
    message = (
        f"remedy '{clause.id}' owes {low} for {d1} s of downtime but "
        f"{high} for {d2} s in a period of the same length: more downtime, less remedy"
    )
    expect_more = f"remedy {rm_kind(clause)} {low} {_unit(clause)}"
    refuting = Refuting(prop, contract, clause, clause.span)
    found = refuting.periods([(less, model), (more, model)], "monotone", message)
    yield (
        prop,
        found.demanding(f" (the longer downtime should owe {low} at least)", [None, expect_more]),
    )


def caps_hold(contract: m.Contract) -> Iterator[tuple[str, Finding | None]]:
    prop = "caps hold"
    for clause in rm.remedies(contract):
        if not clause.caps or clause.free is not None:
            continue
        period = rm.Period(contract, "p")
        pays = rm.amount(clause, period)
        for cap, limit in zip(clause.caps, rm.cap_limits(clause, period), strict=True):
            answer, model = solve_nicely(
                [*period.constraints, rm.applies(clause, period), pays > limit, limit >= 0],
                period.preferences(),
            )
            if answer != "sat":
                yield prop, undecided(prop, answer, clause.id, cap.span)
                continue
            value, ceiling = _number(model, pays), _number(model, limit)
            message = f"remedy '{clause.id}' pays {value}, above its cap of {ceiling}"
            demand = f"remedy {rm_kind(clause)} {ceiling} {_unit(clause)}"
            refuting = Refuting(prop, contract, clause, cap.span)
            found = refuting.periods([(period, model)], "cap", message)
            yield prop, found.demanding(" (it should pay the cap at most)", [demand])


def can_count(contract: m.Contract) -> Iterator[tuple[str, Finding | None]]:
    prop = "an outage can count"
    record = Record(contract)
    answer, _ = solve(counts(contract, record), record.all_constraints())
    if answer == "sat":
        yield prop, None
        return
    where = next((c for c in contract.clauses if isinstance(c, m.RuleClause)), None)
    span = where.span if where is not None else contract.span
    status = "refuted" if answer == "unsat" else "unknown"
    message = (
        "every outage the vocabulary can describe is excluded or is not downtime: no "
        "downtime ever counts, and the availability is always met"
        if status == "refuted"
        else "the solver gave up"
    )
    yield prop, Finding(prop, status, where.id if where else contract.id, message, span)


CHECKS: tuple[Check, ...] = (
    can_count,
    one_deciding_clause,
    no_dead_clause,
    tiers_contiguous,
    never_negative,
    monotone,
    caps_hold,
)


def prove(contract: m.Contract) -> Proof:
    """Every property of one contract (which must have a vocabulary)."""
    began = time.monotonic()
    findings: list[Finding] = []
    checked: dict[str, int] = {p: 0 for p in PROPERTIES}
    for check in CHECKS:
        for prop, finding in check(contract):
            checked[prop] += 1
            if finding is not None:
                findings.append(finding)
    return Proof(contract.id, tuple(findings), tuple(checked.items()), time.monotonic() - began)


@with_repr
@attrs.frozen(repr=False)
class Refuting:
    """A remedy property being refuted at a clause: the example of its periods."""

    prop: str
    contract: m.Contract
    clause: m.RemedyClause
    span: m.Span

    def periods(self, periods: list[tuple[rm.Period, Any]], suffix: str, message: str) -> Witness:
        """The periods of the counterexample, the example's name and the message."""
        return Witness(self, periods, f"prove_{self.clause.id}_{suffix}", message)


@with_repr
@attrs.frozen(repr=False)
class Witness:
    """A counterexample's periods, turned into a finding by what the property demands."""

    refuting: Refuting
    periods: list[tuple[rm.Period, Any]]
    name: str
    message: str

    def demanding(self, demand: str, expects: list[str | None]) -> Finding:
        """The finding: ``demand`` says in the example's title what the property asks,
        ``expects`` are its `expect` lines."""
        r = self.refuting
        note = self.message + demand
        example = period_example(r.contract, self.periods, self.name, note, expects)
        return Finding(r.prop, "refuted", r.clause.id, self.message, r.span, example)


def _whole_beside(model: Any, less: rm.Period, more: rm.Period) -> Iterator[tuple[int, ...]]:
    """Whole downtimes and fee next to a model's real ones (each rounded down and up)."""
    import math

    values = [_fraction(model, x) for x in (less.downtime, more.downtime, less.fee)]
    seen = set()
    for d1 in (math.floor(values[0]), math.ceil(values[0])):
        for d2 in (math.floor(values[1]), math.ceil(values[1])):
            for fee in (math.ceil(values[2]), math.floor(values[2])):
                if (d1, d2, fee) not in seen and d1 < d2:
                    seen.add((d1, d2, fee))
                    yield d1, d2, fee


def _fraction(model: Any, expr: Any) -> Fraction:
    value = model.eval(expr, model_completion=True)
    if z3.is_int_value(value):
        return Fraction(value.as_long())
    f = value.as_fraction()
    return Fraction(f.numerator, f.denominator)


# ------------------------------------------------------------------ numbers


def rm_kind(clause: m.RemedyClause) -> str:
    """The remedy's kind as `expect … remedy KIND` writes it."""
    if clause.free is not None:
        return "free_months"
    if clause.refund is not None:
        return "refund"
    return "credit" if clause.tiers else "damages"


def _unit(clause: m.RemedyClause) -> str:
    return "month" if clause.free is not None else "JPY"


def _number(model: Any, expr: Any) -> str:
    """An exact value of the model as a decimal (or a fraction when it has no end)."""
    value = model.eval(expr, model_completion=True)
    if z3.is_int_value(value):
        return str(value.as_long())
    fraction = value.as_fraction()
    if fraction.denominator == 1:
        return str(fraction.numerator)
    return str(value.as_decimal(12)).rstrip("?")


def _percent(model: Any, period: rm.Period) -> str:
    return _number(model, period.availability_percent())
