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
from typing import Any

import attrs
import z3

from rulebook import model as m
from rulebook.prove import remedies as rm
from rulebook.prove.encode import Record, downtime_holds, encode, services
from rulebook.prove.rules import Rules, counts, reaches, solve, solve_nicely
from rulebook.prove.witness import period_example, record_example

PROPERTIES = (
    "an outage can count",
    "one deciding clause",
    "no dead clause",
    "tiers contiguous",
    "remedies never negative",
    "remedies monotone in downtime",
    "caps hold",
)


@attrs.frozen
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


@attrs.frozen
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
    rules = [c for c in contract.clauses if isinstance(c, m.RuleClause)]
    for i, first in enumerate(rules):
        for second in rules[i + 1 :]:
            if first.effect == "count" and second.effect == "count":
                continue
            record = Record(contract)
            values = Rules(contract, record)
            answer, model = solve(
                reaches(contract, record),
                values.value(first.id)[0],
                values.value(second.id)[0],
                record.all_constraints(),
            )
            prop = "one deciding clause"
            if answer == "unsat":
                yield prop, None
                continue
            both = f"'{first.id}' and '{second.id}'"
            if answer == "unknown":
                yield (
                    prop,
                    Finding(prop, "unknown", second.id, f"{both}: the solver gave up", second.span),
                )
                continue
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
            example = record_example(
                contract, record, model, f"prove_{first.id}_{second.id}", note, expect
            )
            pair = (first.id, second.id)
            yield prop, Finding(prop, "refuted", second.id, message, second.span, example, pair)


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
            target = contract.clause(clause.target.name)
            if target is None:
                continue
            query = [values.value(clause.id)[0], values.own(target)[0]]
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
                message = f"'{clause.id}' can never hold together with '{clause.target.name}'"
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
    period = rm.Period(contract, "p")
    given, which, paid = rm.owed(contract, period)
    answer, model = solve_nicely([*period.constraints, given, paid < 0], period.preferences())
    if answer == "unknown":
        relaxed = rm.Period(contract, "p", exact=False)
        given_r, _, paid_r = rm.owed(contract, relaxed)
        if solve(*relaxed.constraints, given_r, paid_r < 0)[0] == "unsat":
            answer = "unsat"  # never negative before rounding; rounding keeps the sign
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

    def query(exact: bool) -> tuple[str, Any, rm.Period, rm.Period, Any]:
        less = rm.Period(contract, "less", exact=exact)
        more = rm.Period(contract, "more", shared=less)
        _, which, paid_less = rm.owed(contract, less)
        _, _, paid_more = rm.owed(contract, more)
        answer, model = solve_nicely(
            [
                *less.constraints,
                *more.constraints,
                less.downtime < more.downtime,
                paid_less > paid_more,
            ],
            less.preferences(),
        )
        return answer, model, less, more, (which, paid_less, paid_more)

    answer, model, less, more, (which_less, paid_less, paid_more) = query(True)
    if answer == "unknown" and query(False)[0] == "unsat":
        answer = "unsat"  # monotone before rounding, and rounding never turns it around
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


@attrs.frozen
class Refuting:
    """A remedy property being refuted at a clause: the example of its periods."""

    prop: str
    contract: m.Contract
    clause: m.RemedyClause
    span: m.Span

    def periods(self, periods: list[tuple[rm.Period, Any]], suffix: str, message: str) -> Witness:
        """The periods of the counterexample, the example's name and the message."""
        return Witness(self, periods, f"prove_{self.clause.id}_{suffix}", message)


@attrs.frozen
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
