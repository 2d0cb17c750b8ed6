"""A record's facts as symbols, and conditions over them as formulas, for the solver.

Each fact a contract can read becomes two symbols: whether it is known, and its value —
a code an integer indexing the vocabulary's codes, a country or a text an integer indexing
the values the contract names plus values it does not name, a set of codes one Boolean per
code, a bool a Boolean, a number or a duration a real. The service is one of the names
the contract covers (and the names its conditions use). ``duration`` and
``event_duration`` are always known, positive, and an event is no shorter than its record.

A condition becomes a pair of formulas in three-valued logic (Kleene's, as both
evaluators): ``holds`` and ``fails``; when neither is true the condition is unknown. Each
node type has its rule here (the prover's column of :mod:`rulebook.nodes`); a test holds
the pair equal, on concrete facts, to the record engine's closures.

`during` (an instant within a calendar's hours) is not reasoned about: a free symbol that
is unknown when its event is, so that a refutation resting on it is marked as such.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import z3

from rulebook import model as m
from rulebook.conditions import SERVICE, atoms, constant_value, coverage, service_matches
from rulebook.countries import COUNTRIES
from rulebook.nodes import NodeRules

#: A condition's value: (holds, fails); neither true is unknown.
Pair = tuple[Any, Any]

#: Countries an example gives for "a country the contract names nowhere", in this order.
OTHER_COUNTRIES = ("US", "GB", "DE", "SG")

#: Facts every record has, derived by the engine; always known.
DERIVED = ("duration", "event_duration")


def _z3_name(*parts: str) -> str:
    return "|".join(parts)


class Record:
    """The symbolic facts of one record (``name`` tells records of one query apart)."""

    def __init__(
        self, contract: m.Contract, name: str = "r", names: list[str] | None = None
    ) -> None:
        assert contract.vocabulary is not None
        self.contract = contract
        self.name = name
        self.decls = {f.name: f for f in contract.vocabulary.facts}
        self.events = {e.name for e in contract.vocabulary.events}
        self.universes = universes(contract)
        self.services = names if names is not None else services(contract)
        self._known: dict[str, Any] = {}
        self._value: dict[str, Any] = {}
        self._free: dict[tuple[str, str], Any] = {}
        self.constraints: list[Any] = []
        self.service = z3.Int(_z3_name(name, SERVICE))
        self.constraints.append(z3.And(self.service >= 0, self.service < len(self.services)))

    # -------------------------------------------------------------- symbols

    def known(self, fact: str) -> Any:
        """Whether the record gives ``fact``."""
        if fact == SERVICE or fact in DERIVED:
            return z3.BoolVal(True)
        if fact not in self._known:
            self._known[fact] = z3.Bool(_z3_name(self.name, fact, "known"))
        return self._known[fact]

    def value(self, fact: str) -> Any:
        """The value of ``fact`` (meaningful when it is known); made on first use."""
        if fact in self._value:
            return self._value[fact]
        decl = self.decls.get(fact)
        kind = decl.type if decl is not None else "duration" if fact in DERIVED else "text"
        symbol = _z3_name(self.name, fact)
        value: Any
        if decl is not None and decl.is_set:
            value = {c.name: z3.Bool(_z3_name(symbol, c.name)) for c in decl.codes}
        elif kind == "bool":
            value = z3.Bool(symbol)
        elif kind in ("number", "duration", "instant"):
            value = z3.Real(symbol)
            if kind == "duration":
                self.constraints.append(value >= 0)
        elif kind == "code" and decl is not None:
            value = z3.Int(symbol)
            self.constraints.append(z3.And(value >= 0, value < len(decl.codes)))
        else:  # country, text, records: an index into the values the contract names
            value = z3.Int(symbol)
            self.constraints.append(z3.And(value >= 0, value < len(self.universe(fact))))
        self._value[fact] = value
        if fact == "duration":
            self.constraints += [value > 0, z3.IsInt(value)]
        if fact == "event_duration":
            self.constraints += [value >= self.value("duration"), z3.IsInt(value)]
        return value

    def free(self, key: str, fact: str) -> Pair:
        """An atom not reasoned about: either value, or unknown when ``fact`` is."""
        if (key, fact) not in self._free:
            t = z3.Bool(_z3_name(self.name, "free", key, "holds"))
            self._free[(key, fact)] = (
                z3.And(self.known(fact), t),
                z3.And(self.known(fact), z3.Not(t)),
            )
        result: Pair = self._free[(key, fact)]
        return result

    def reads(self, fact: str) -> bool:
        """Whether the queries so far read ``fact``."""
        return fact in self._value or fact in self._known

    def used(self) -> list[str]:
        """The facts the queries so far read, in the vocabulary's order."""
        return [f for f in self.decls if f in self._value or f in self._known]

    @property
    def approximate(self) -> bool:
        """Whether some atom read was not reasoned about (``during`` and the like)."""
        return bool(self._free)

    def codes(self, fact: str) -> list[str]:
        """A code fact's codes, in the vocabulary's order (the value indexes them)."""
        decl = self.decls.get(fact)
        return [c.name for c in decl.codes] if decl is not None else []

    def universe(self, fact: str) -> list[str]:
        """The values of a country or text fact the solver chooses from."""
        return self.universes.setdefault(fact, ["other"])

    # -------------------------------------------------------------- values

    def code_index(self, fact: str, value: Any) -> int | None:
        """The index of a constant among a fact's values, or None when it has none."""
        decl = self.decls.get(fact)
        if decl is not None and decl.type == "code":
            names = self.codes(fact)
        else:
            names = self.universe(fact)
        text = str(value)
        return names.index(text) if text in names else None

    def all_constraints(self) -> Any:
        """The domain constraints of every symbol made so far."""
        return z3.And(*self.constraints) if self.constraints else z3.BoolVal(True)


def universes(contract: m.Contract) -> dict[str, list[str]]:
    """For country and text facts: the constants the contract compares them with, and a
    value it names nowhere (a real country code, so that an example can carry it)."""
    assert contract.vocabulary is not None
    found: dict[str, list[str]] = {}
    kinds = {f.name: f.type for f in contract.vocabulary.facts}
    for atom in _atoms(contract):
        if isinstance(atom, (m.Compare, m.Member, m.Includes)) and kinds.get(atom.fact) in (
            "country",
            "text",
        ):
            values = atom.values if not isinstance(atom, m.Compare) else (atom.value,)
            names = found.setdefault(atom.fact, [])
            for v in values:
                text = str(constant_value(v))
                if text not in names:
                    names.append(text)
    for fact, names in found.items():
        if kinds.get(fact) == "country":
            names.append(next(c for c in (*OTHER_COUNTRIES, *sorted(COUNTRIES)) if c not in names))
        else:
            names.append(
                next(f"other{i}" for i in range(len(names) + 1) if f"other{i}" not in names)
            )
    return found


def services(contract: m.Contract, covered_only: bool = True) -> list[str]:
    """The service names a record may have: those the contract covers by name, instances
    of its globs and of the names its conditions test, kept when covered (unless
    ``covered_only`` is false: a cause of a covered record may be of any service)."""
    names: list[str] = []
    for clause in contract.clauses:
        if isinstance(clause, m.ServicesClause):
            names += [_instance(t.value) for t in clause.covers]
    for atom in _service_atoms(contract):
        values = atom.values if isinstance(atom, m.Member) else (atom.value,)
        names += [_instance(str(constant_value(v))) for v in values]
    names.append("S")
    found = coverage(contract) if covered_only else None
    covered = found[1] if found is not None else (lambda name: True)
    return list(dict.fromkeys(n for n in names if covered(n))) or ["S"]


def _instance(glob: str) -> str:
    """A name a service glob matches: ``*`` and ``?`` as ``X``."""
    return re.sub(r"[*?]", "X", glob)


def _atoms(contract: m.Contract) -> list[m.Atom]:
    """Every atom of every clause's `when` and `unless`."""
    parts = [getattr(c, name, None) for c in contract.clauses for name in ("condition", "unless")]
    return list(atoms(*parts))


def _service_atoms(contract: m.Contract) -> list[m.Member | m.Compare]:
    return [
        a for a in _atoms(contract) if isinstance(a, (m.Member, m.Compare)) and a.fact == SERVICE
    ]


# ------------------------------------------------------------------ conditions

#: The prover's rule for each condition node (:mod:`rulebook.nodes`): the node and a
#: record's symbols to the pair (holds, fails).
RULES: NodeRules[Callable[[Any, Record], Pair]] = NodeRules("prover")


def encode(cond: m.Condition | None, record: Record) -> Pair:
    """The pair (holds, fails) of a condition for a record; a missing one always holds."""
    if cond is None:
        return z3.BoolVal(True), z3.BoolVal(False)
    return RULES[cond](cond, record)


def kleene_and(*pairs: Pair) -> Pair:
    """Both hold; either fails."""
    return z3.And(*[p[0] for p in pairs]), z3.Or(*[p[1] for p in pairs])


def kleene_not(pair: Pair) -> Pair:
    """Holds where it fails, fails where it holds."""
    return pair[1], pair[0]


def _atom(record: Record, fact: str, test: Any) -> Pair:
    known = record.known(fact)
    return z3.And(known, test), z3.And(known, z3.Not(test))


@RULES.register(m.All)
def _all(node: m.All, record: Record) -> Pair:
    return kleene_and(*[encode(c, record) for c in node.items])


@RULES.register(m.Any)
def _any(node: m.Any, record: Record) -> Pair:
    pairs = [encode(c, record) for c in node.items]
    return z3.Or(*[p[0] for p in pairs]), z3.And(*[p[1] for p in pairs])


@RULES.register(m.Not)
def _not(node: m.Not, record: Record) -> Pair:
    return kleene_not(encode(node.item, record))


@RULES.register(m.Known)
def _known(node: m.Known, record: Record) -> Pair:
    holds = record.known(node.fact) if node.known else z3.Not(record.known(node.fact))
    return holds, z3.Not(holds)


@RULES.register(m.Flag)
def _flag(node: m.Flag, record: Record) -> Pair:
    value = record.value(node.fact)
    if not z3.is_bool(value):
        return record.free(f"flag-{node.fact}", node.fact)
    return _atom(record, node.fact, value)


@RULES.register(m.During)
def _during(node: m.During, record: Record) -> Pair:
    return record.free(f"during-{node.fact}-{node.calendar}", node.fact)


@RULES.register(m.DefinedBy)
def _defined_by(node: m.DefinedBy, record: Record) -> Pair:
    clause = record.contract.clause(node.clause.name)
    if isinstance(clause, m.DowntimeClause):
        return downtime_holds(clause, record)
    return record.free(f"defined-{node.clause.name}", SERVICE)


@RULES.register(m.ExcludedBy)
def _excluded_by(node: m.ExcludedBy, record: Record) -> Pair:
    # Which clause decided a record is not reasoned about here: either way can hold.
    names = "-".join(ref.name for ref in node.clauses)
    return record.free(f"excluded-{names}", SERVICE)


def downtime_holds(clause: m.DowntimeClause, record: Record) -> Pair:
    """A downtime clause's test of one record: its probes (a protocol it does not probe is
    not downtime; none given, the probes do not decide) and its `when`."""
    value = encode(clause.condition, record)
    if clause.probes and "protocol" in record.decls:
        codes = record.codes("protocol")
        probed = z3.Or(
            *[
                record.value("protocol") == codes.index(p.name)
                for p in clause.probes
                if p.name in codes
            ]
        )
        off = z3.And(record.known("protocol"), z3.Not(probed))
        value = (z3.And(z3.Not(off), value[0]), z3.Or(off, value[1]))
    return value


def _equal(record: Record, fact: str, constant: Any) -> Any:
    """``fact = constant`` as a formula on the fact's value (false for a value it lacks)."""
    value = record.value(fact)
    if isinstance(constant, Fraction):
        return value == z3.RealVal(str(constant)) if z3.is_real(value) else z3.BoolVal(False)
    if isinstance(constant, bool):
        return value == z3.BoolVal(constant) if z3.is_bool(value) else z3.BoolVal(False)
    index = record.code_index(fact, constant)
    if index is None or not z3.is_int(value):
        return z3.BoolVal(False)
    return value == index


@RULES.register(m.Compare)
def _compare(node: m.Compare, record: Record) -> Pair:
    if node.fact == SERVICE:
        return _service(node, record)
    constant = constant_value(node.value)
    if node.op in ("=", "!="):
        equal = _equal(record, node.fact, constant)
        return _atom(record, node.fact, equal if node.op == "=" else z3.Not(equal))
    value = record.value(node.fact)
    if not isinstance(constant, Fraction) or not z3.is_real(value):
        return record.free(f"compare-{node.fact}-{node.op}-{constant}", node.fact)
    bound = z3.RealVal(str(constant))
    test = {"<": value < bound, "<=": value <= bound, ">": value > bound, ">=": value >= bound}
    return _atom(record, node.fact, test[node.op])


@RULES.register(m.Member)
def _member(node: m.Member, record: Record) -> Pair:
    if node.fact == SERVICE:
        return _service(node, record)
    constants = [constant_value(v) for v in node.values]
    value = record.value(node.fact)
    if isinstance(value, dict):  # a set: every element is one of the values
        inside = z3.And(*[z3.Not(has) for code, has in value.items() if code not in constants])
    else:
        inside = z3.Or(*[_equal(record, node.fact, c) for c in constants])
    return _atom(record, node.fact, z3.Not(inside) if node.negated else inside)


@RULES.register(m.Includes)
def _includes(node: m.Includes, record: Record) -> Pair:
    value = record.value(node.fact)
    if not isinstance(value, dict):
        return record.free(f"includes-{node.fact}", node.fact)
    constants = {str(constant_value(v)) for v in node.values}
    shared = z3.Or(*[has for code, has in value.items() if code in constants])
    return _atom(record, node.fact, shared)


def _service(node: m.Member | m.Compare, record: Record) -> Pair:
    matches = service_matches(node)
    negated = node.negated if isinstance(node, m.Member) else node.op == "!="
    hits = [i for i, name in enumerate(record.services) if matches(name) != negated]
    holds = z3.Or(*[record.service == i for i in hits])
    return holds, z3.Not(holds)


RULES.complete()
