"""The rule clauses of a contract for one symbolic record, whether a record reaches them,
and the solver's answer to a query.
"""

from __future__ import annotations

from typing import Any

import z3

from rulebook import model as m
from rulebook.prove import remedies as rm
from rulebook.prove.encode import Pair, Record, downtime_holds, encode, kleene_and, kleene_not

#: The solver's budget for one query, in z3's resource units: a count of its steps, so that
#: the answer is the same on every machine and every run (same inputs, same bytes out). The
#: queries of the bundled and generated contracts that the solver decides take at most
#: about 500,000; one that needs more is reported unknown.
RLIMIT = 2_000_000

#: A guard in wall-clock time, far above what the budget takes (about 1.5 s).
TIMEOUT_MS = 30_000


def solve_nicely(formulas: list[Any], preferences: list[Any]) -> tuple[str, Any]:
    """:func:`solve`, with a model that also meets ``preferences`` where one does (a fee
    in thousands, a month of 30 days, the provider's own fault), for readable examples."""
    if preferences:
        answer, model = solve(*formulas, *preferences)
        if answer == "sat":
            return answer, model
    return solve(*formulas)


def solve(*formulas: Any) -> tuple[str, Any]:
    """("sat", model), ("unsat", None) or ("unknown", None)."""
    solver = z3.Solver()
    solver.set("rlimit", RLIMIT)
    solver.set("timeout", TIMEOUT_MS)
    solver.add(*formulas)
    answer = solver.check()
    if answer == z3.sat:
        return "sat", solver.model()
    return ("unsat", None) if answer == z3.unsat else ("unknown", None)


class Rules:
    """The rule clauses of a contract for one symbolic record: each clause's value after
    its `unless`, its exceptions and the clauses that override it (the engine's
    ``RuleSet.evaluate``)."""

    def __init__(self, contract: m.Contract, record: Record) -> None:
        self.contract = contract
        self.record = record
        self.memo: dict[str, Pair] = {}
        self.cancellers: dict[str, list[str]] = {}
        for c in contract.clauses:
            if isinstance(c, m.ExceptionClause):
                for target in c.targets:
                    self.cancellers.setdefault(target.name, []).append(c.id)
            if isinstance(c, m.RuleClause):
                for ref in c.overrides:
                    self.cancellers.setdefault(ref.name, []).append(c.id)

    def own(self, clause: m.AnyClause) -> Pair:
        """A clause's `when` and not its `unless`."""
        value = encode(getattr(clause, "condition", None), self.record)
        unless = getattr(clause, "unless", None)
        if unless is not None:
            value = kleene_and(value, kleene_not(encode(unless, self.record)))
        return value

    def value(self, clause_id: str, depth: int = 0) -> Pair:
        """Whether a rule clause applies, after what cancels it."""
        if clause_id in self.memo:
            return self.memo[clause_id]
        clause = self.contract.clause(clause_id)
        if clause is None or depth > len(self.contract.clauses):
            return z3.BoolVal(False), z3.BoolVal(True)
        value = self.own(clause)
        for canceller in self.cancellers.get(clause_id, []):
            value = kleene_and(value, kleene_not(self.value(canceller, depth + 1)))
        self.memo[clause_id] = value
        return value


def reaches(contract: m.Contract, record: Record) -> Any:
    """A record reaches the clause evaluation: covered (every symbolic service is), not
    ruled out by the downtime clause's probes and `when`, and long enough when the
    threshold is read per record."""
    clause = next((c for c in contract.clauses if isinstance(c, m.DowntimeClause)), None)
    if clause is None:
        return z3.BoolVal(True)
    tests = [z3.Not(downtime_holds(clause, record)[1])]
    per_record = clause.reading is not None and clause.reading.name == "record"
    if clause.threshold is not None and per_record:
        limit = z3.RealVal(str(rm.threshold_seconds(contract)))
        tests.append(record.value("duration") >= limit)
    return z3.And(*tests)


def counts(contract: m.Contract, record: Record) -> Any:
    """A record reaches the clauses and none of them takes it: it counts whole — each
    exclusion that applies is won over by an inclusion that applies and that it does not
    override (the engine's ``_included``); a window needs a notice, and an example gives
    none."""
    values = Rules(contract, record)
    rules = [c for c in contract.clauses if isinstance(c, m.RuleClause)]
    inclusions = [c for c in rules if c.effect == "count"]
    kept = []
    for exclusion in (c for c in rules if c.effect == "exclude"):
        winners = [
            values.value(i.id)[0]
            for i in inclusions
            if exclusion.id not in values.cancellers.get(i.id, [])
        ]
        kept.append(z3.Or(z3.Not(values.value(exclusion.id)[0]), *winners))
    return z3.And(reaches(contract, record), *kept)
