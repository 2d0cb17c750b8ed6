"""Clause evaluation in three-valued logic: conditions compiled once into closures.

A condition becomes a function ``facts -> True | False | None`` where None is unknown
(Kleene logic: ``False and unknown`` is False, ``True or unknown`` is True). Exclusions,
inclusions and exceptions combine the same way: an exclusion applies when its condition
holds, its ``unless`` does not, and no exception or overriding clause cancels it. An
exclusion whose result is unknown does not apply; it is reported as undetermined with the
facts that would decide it.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction
from typing import Any

import attrs

from rulebook import collector
from rulebook import model as m
from rulebook.conditions import (
    EXCLUDED_BY,
    OPS,
    SERVICE,
    condition_facts,
    constant_value,
    service_matches,
)
from rulebook.engine.trace import Reason
from rulebook.nodes import NodeRules, NoRule
from rulebook.reprs import with_repr

Tri = bool | None
Facts = Mapping[str, Any]
Compiled = Callable[[Facts], Tri]

APPLIES, DOES_NOT_APPLY, UNDETERMINED = "applies", "does_not_apply", "undetermined"


def result_word(value: Tri) -> str:
    """The reason vocabulary for a three-valued result."""
    return APPLIES if value is True else DOES_NOT_APPLY if value is False else UNDETERMINED


# ------------------------------------------------------------------ compiling conditions


During = Callable[[int, str], bool]

#: The record engine's rule for each condition node (:mod:`rulebook.nodes`): the node and
#: the `during` test (None for records) to a closure.
RULES: NodeRules[Callable[[Any, During | None], Compiled]] = NodeRules("record engine")


def compile_condition(cond: m.Condition | None, during: During | None = None) -> Compiled:
    """A closure evaluating ``cond``; a missing condition always holds. ``during`` answers
    `EVENT during CALENDAR hours` for an instant (obligations give it; records cannot). A
    node without a rule raises :class:`~rulebook.nodes.NoRule`."""
    if cond is None:
        return _always
    if not gc.isenabled():  # within a compile (or another pause) already
        return RULES[cond](cond, during)
    with collector.paused():  # a few closures a term, no cycles (rulebook.collector)
        return RULES[cond](cond, during)


def _always(facts: Facts) -> Tri:
    return True


def _unknown(facts: Facts) -> Tri:
    return None


def kleene_and(values: Any) -> Tri:
    unknown = False
    for v in values:
        if v is False:
            return False
        if v is None:
            unknown = True
    return None if unknown else True


def kleene_or(values: Any) -> Tri:
    unknown = False
    for v in values:
        if v is True:
            return True
        if v is None:
            unknown = True
    return None if unknown else False


def kleene_not(value: Tri) -> Tri:
    return None if value is None else not value


@RULES.register(m.All)
def _all(node: m.All, during: During | None) -> Compiled:
    parts = [compile_condition(c, during) for c in node.items]
    return lambda facts: kleene_and(p(facts) for p in parts)


@RULES.register(m.Any)
def _any(node: m.Any, during: During | None) -> Compiled:
    parts = [compile_condition(c, during) for c in node.items]
    return lambda facts: kleene_or(p(facts) for p in parts)


@RULES.register(m.Not)
def _not(node: m.Not, during: During | None) -> Compiled:
    inner = compile_condition(node.item, during)
    return lambda facts: kleene_not(inner(facts))


@RULES.register(m.During)
def _during(node: m.During, during: During | None) -> Compiled:
    if during is None:
        # `during` needs instants and calendars: obligations evaluate it, records cannot.
        return _unknown
    event, calendar, test = node.fact, node.calendar, during
    return lambda facts: None if facts.get(event) is None else test(facts[event], calendar)


@RULES.register(m.DefinedBy)
def _defined_by(node: m.DefinedBy, during: During | None) -> Compiled:
    raise NoRule(DEFINED_BY)


#: Why `defined by` has no value of its own, in both evaluators.
DEFINED_BY = (
    "`defined by` has no value of its own: an obligation replaces it by its downtime "
    "clause's test before it is compiled (engine.obligations.defined_by), and `rulebook "
    "check` refuses it anywhere else"
)


def _compile_service(atom: m.Member | m.Compare) -> Compiled:
    matches = service_matches(atom)
    negated = atom.negated if isinstance(atom, m.Member) else atom.op == "!="
    return lambda facts: None if facts.get(SERVICE) is None else matches(facts[SERVICE]) != negated


@RULES.register(m.Known)
def _known(atom: m.Known, during: During | None) -> Compiled:
    fact, known = atom.fact, atom.known
    return lambda facts: (fact in facts) == known


@RULES.register(m.ExcludedBy)
def _excluded_by(node: m.ExcludedBy, during: During | None) -> Compiled:
    # The record's verdict is decided before any obligation is judged: never unknown.
    names = frozenset(ref.name for ref in node.clauses)
    return lambda facts: bool(names & facts.get(EXCLUDED_BY, frozenset()))


@RULES.register(m.Flag)
def _flag(atom: m.Flag, during: During | None) -> Compiled:
    fact = atom.fact
    return lambda facts: None if facts.get(fact) is None else bool(facts[fact])


@RULES.register(m.Compare)
def _compare(atom: m.Compare, during: During | None) -> Compiled:
    fact = atom.fact
    if fact == SERVICE:
        return _compile_service(atom)
    op, constant = OPS[atom.op], constant_value(atom.value)
    if isinstance(constant, Fraction):
        return lambda facts: (
            None if facts.get(fact) is None else op(Fraction(facts[fact]), constant)
        )
    return lambda facts: None if facts.get(fact) is None else op(facts[fact], constant)


@RULES.register(m.Member)
def _member(atom: m.Member, during: During | None) -> Compiled:
    fact = atom.fact
    if fact == SERVICE:
        return _compile_service(atom)
    values = frozenset(constant_value(v) for v in atom.values)
    negated = atom.negated

    def member(facts: Facts) -> Tri:
        v = facts.get(fact)
        if v is None:
            return None
        inside = v <= values if isinstance(v, frozenset) else v in values
        return inside != negated

    return member


@RULES.register(m.Includes)
def _includes(atom: m.Includes, during: During | None) -> Compiled:
    fact = atom.fact
    values = frozenset(constant_value(v) for v in atom.values)
    return lambda facts: None if facts.get(fact) is None else bool(facts[fact] & values)


RULES.complete()


# ------------------------------------------------------------------ rules


@with_repr
@attrs.frozen(repr=False)
class Rule:
    """An exclusion, inclusion or exception, compiled."""

    clause: m.RuleClause | m.ExceptionClause
    condition: Compiled
    unless: Compiled | None
    facts: tuple[str, ...]
    cancelled_by: tuple[str, ...]  # exceptions to it and clauses that override it


@with_repr
@attrs.frozen(repr=False)
class RuleSet:
    """Every rule clause of a contract, compiled, with the order of precedence."""

    rules: dict[str, Rule]
    exclusions: tuple[str, ...]
    inclusions: tuple[str, ...]

    @classmethod
    def of(cls, contract: m.Contract) -> RuleSet:
        cancellers: dict[str, list[str]] = {}
        for clause in contract.clauses:
            if isinstance(clause, m.ExceptionClause):
                for target in clause.targets:
                    cancellers.setdefault(target.name, []).append(clause.id)
            if isinstance(clause, m.RuleClause):
                for ref in clause.overrides:
                    cancellers.setdefault(ref.name, []).append(clause.id)
        obligations = {c.id for c in contract.clauses if isinstance(c, m.ObligationClause)}
        rules = {}
        for clause in contract.clauses:
            if isinstance(clause, m.ExceptionClause) and all(
                t.name in obligations for t in clause.targets
            ):
                continue  # an obligation's exception: judged with it (engine.obligations)
            if isinstance(clause, (m.RuleClause, m.ExceptionClause)):
                unless = getattr(clause, "unless", None)
                rules[clause.id] = Rule(
                    clause,
                    compile_condition(clause.condition),
                    compile_condition(unless) if unless is not None else None,
                    condition_facts(clause.condition, unless),
                    tuple(cancellers.get(clause.id, ())),
                )
        rule_clauses = [c for c in contract.clauses if isinstance(c, m.RuleClause)]
        return cls(
            rules,
            tuple(c.id for c in rule_clauses if c.effect == "exclude"),
            tuple(c.id for c in rule_clauses if c.effect == "count"),
        )

    def evaluate(self, clause_id: str, facts: Facts, memo: dict[str, Tri]) -> Tri:
        """Whether a rule applies to ``facts``, after its exceptions and overrides."""
        if clause_id in memo:
            return memo[clause_id]
        rule = self.rules[clause_id]
        value = rule.condition(facts)
        if rule.unless is not None:
            value = kleene_and((value, kleene_not(rule.unless(facts))))
        if value is not False:
            for canceller in rule.cancelled_by:
                value = kleene_and((value, kleene_not(self.evaluate(canceller, facts, memo))))
        memo[clause_id] = value
        return value

    def reason(
        self,
        clause_id: str,
        facts: Facts,
        memo: dict[str, Tri],
        value: Tri,
        via: Sequence[str] = (),
        decisive: bool = False,
    ) -> Reason:
        """The explained result ``value`` of one rule for one record's facts."""
        rule = self.rules[clause_id]
        seen = tuple([(name, facts.get(name)) for name in rule.facts])
        cancelled = None
        missing: tuple[str, ...] = ()
        if value is not True and rule.cancelled_by:
            own = rule.condition(facts)
            if rule.unless is not None:
                own = kleene_and((own, kleene_not(rule.unless(facts))))
            if own is True:
                # Its own condition holds: an exception or override stopped it (True), or
                # might have (unknown); name the one that did.
                wanted = True if value is False else None
                cancelled = next(
                    (c for c in rule.cancelled_by if self.evaluate(c, facts, memo) is wanted),
                    None,
                )
        if value is None:
            missing = tuple([name for name, v in seen if v is None])
            if not missing and cancelled is not None:
                missing = tuple([n for n in self.rules[cancelled].facts if facts.get(n) is None])
        kind = rule.clause.kind
        return Reason(
            clause_id, kind, result_word(value), seen, missing, None, via, decisive, cancelled
        )
