"""The table of condition kinds (rulebook/nodes.py): every node type of the condition
language has its rule in each part — the record engine, the columnar plan, satisfiability,
the check —, a part without one fails, both evaluators refuse a node they have no rule for
in the same way, and on every node type they give the same values."""

from __future__ import annotations

import importlib
from fractions import Fraction
from typing import Any

import attrs
import polars as pl
import pytest

import rulebook
from rulebook import model as m
from rulebook import nodes
from rulebook.nodes import NODES, PARTS, TABLE, NodeRules, NoRule

AT = m.NOWHERE
CYBERMAIL = rulebook.load_contract("cybermail")
assert CYBERMAIL.vocabulary is not None
DECLS = {f.name: f for f in CYBERMAIL.vocabulary.facts}


def code(name: str) -> m.Code:
    return m.Code(name, AT)


def minutes(n: int) -> m.Quantity:
    return m.Quantity(Fraction(n), "min", "min", AT)


ATTACK = m.Compare("cause", "=", code("attack"), None, AT)
RESOLVED = m.Flag("self_resolved", AT)

#: Nodes of every type, for both evaluators (a new node type needs its samples here).
SAMPLES: dict[type, list[Any]] = {
    m.Compare: [
        ATTACK,
        m.Compare("cause", "!=", code("attack"), None, AT),
        m.Compare("duration", "<=", minutes(30), None, AT),
        m.Compare("duration", ">", minutes(30), None, AT),
        m.Compare("service", "=", m.Text("Mail A", AT), None, AT),
        m.Compare("service", "!=", m.Text("Mail *", AT), None, AT),
    ],
    m.Member: [
        m.Member("cause", (code("attack"), code("fire")), False, AT),
        m.Member("cause", (code("attack"),), True, AT),
        m.Member("features", (code("imap"), code("web_access")), False, AT),
        m.Member("service", (m.Text("Mail *", AT),), False, AT),
    ],
    m.Includes: [
        m.Includes("features", (code("imap"),), AT),
        m.Includes("features", (), AT),
    ],
    m.Known: [m.Known("cause", True, AT), m.Known("cause", False, AT)],
    m.Flag: [RESOLVED],
    m.During: [m.During("detected_at", "office", AT)],
    m.DefinedBy: [m.DefinedBy(m.Ref("monitored", AT), AT)],
    m.ExcludedBy: [m.ExcludedBy((m.Ref("social", AT), m.Ref("dns", AT)), AT)],
    m.Not: [m.Not(RESOLVED, AT), m.Not(ATTACK, AT)],
    m.All: [m.All((RESOLVED, ATTACK), AT), m.All((), AT)],
    m.Any: [m.Any((RESOLVED, ATTACK), AT), m.Any((), AT)],
}

#: Records' facts, some unknown (absent), as the record engine holds them.
ROWS: list[dict[str, Any]] = [
    {"service": "Mail A"},
    {"service": "Mail B", "cause": "attack", "self_resolved": True, "duration": Fraction(1800)},
    {"service": "Chat", "cause": "fire", "self_resolved": False, "duration": Fraction(1801)},
    {"service": "Mail *", "cause": "attack", "features": frozenset({"imap"})},
    {"service": "Mail A", "features": frozenset({"imap", "web_access", "chat"})},
    {"service": "Gate", "features": frozenset(), "self_resolved": False},
]


def frame() -> pl.DataFrame:
    """:data:`ROWS` as the plan's frame holds them (null: unknown)."""

    def cell(value: Any) -> Any:
        if isinstance(value, frozenset):
            return sorted(value)
        return float(value) if isinstance(value, Fraction) else value

    names = ["service", "cause", "self_resolved", "duration", "features", "detected_at"]
    return pl.DataFrame(
        {n: [cell(r.get(n)) for r in ROWS] for n in names},
        schema={
            "service": pl.String,
            "cause": pl.String,
            "self_resolved": pl.Boolean,
            "duration": pl.Float64,
            "features": pl.List(pl.String),
            "detected_at": pl.Int64,
        },
    )


def test_every_node_type_has_a_rule_in_every_part() -> None:
    for module in PARTS.values():
        importlib.import_module(module)
    assert sorted(TABLE) == sorted(PARTS)
    assert {part: TABLE[part].missing() for part in PARTS} == {part: [] for part in PARTS}
    assert set(SAMPLES) == set(NODES)


def test_a_part_missing_a_rule_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(nodes, "TABLE", {})
    rules: NodeRules[Any] = NodeRules("record engine")
    rules.register(*[n for n in NODES if n is not m.Includes])(lambda node: node)
    with pytest.raises(NoRule, match=r"the record engine has no rule for Includes: every"):
        rules.complete()
    with pytest.raises(TypeError, match="two rules for Flag"):
        rules.register(m.Flag)(lambda node: node)
    with pytest.raises(TypeError, match="Quantity is not a condition node"):
        rules.register(m.Quantity)(lambda node: node)


@attrs.frozen
class Between:
    """A node type no part has a rule for."""

    fact: str
    span: m.Span = AT


def test_every_part_refuses_a_node_it_has_no_rule_for() -> None:
    from rulebook.check.conditions import RECORD, check_condition
    from rulebook.check.scope import Scope
    from rulebook.columnar.translate import translate
    from rulebook.engine.classify import compile_condition
    from rulebook.satisfiable import satisfiable

    node: Any = m.Not(Between("duration"), AT)
    from rulebook.prove.encode import Record, encode

    calls = [
        lambda: compile_condition(node),
        lambda: translate(node, DECLS),
        lambda: satisfiable(node, lambda fact: None),
        lambda: list(check_condition(node, RECORD, Scope.of(CYBERMAIL))),
        lambda: encode(node, Record(CYBERMAIL)),
    ]
    for part, call in zip(PARTS, calls, strict=True):
        with pytest.raises(
            NoRule, match=rf"^the {part} has no rule for the condition node Between$"
        ):
            call()


@pytest.mark.parametrize(
    "node", [n for kind in NODES for n in SAMPLES.get(kind, [])], ids=lambda n: type(n).__name__
)
def test_both_evaluators_give_every_node_the_same_values(node: Any) -> None:
    from rulebook.columnar.translate import translate
    from rulebook.engine.classify import compile_condition

    if isinstance(node, m.DefinedBy):  # resolved by obligations before compiling: refused
        with pytest.raises(NoRule, match="`defined by` has no value of its own") as engine:
            compile_condition(node)
        with pytest.raises(NoRule) as plan:
            translate(node, DECLS)
        assert str(plan.value) == str(engine.value)
        return
    if isinstance(node, m.ExcludedBy):
        # A verdict, known once every record is decided: obligations evaluate it with the
        # record engine's closure in every engine; the plan's expressions refuse it.
        from rulebook.conditions import EXCLUDED_BY

        closure = compile_condition(node)
        assert [closure(row) for row in ROWS] == [False] * len(ROWS)
        assert closure({EXCLUDED_BY: frozenset({"dns"})}) is True
        assert closure({EXCLUDED_BY: frozenset({"planned"})}) is False
        with pytest.raises(NoRule, match="`excluded by` reads a record's verdict"):
            translate(node, DECLS)
        return
    closure = compile_condition(node)
    expected = [closure(row) for row in ROWS]
    values = frame().select(translate(node, DECLS).alias("v"))["v"]
    assert values.len() in (1, len(ROWS))  # a literal is one value for every row
    got = values.to_list() * (len(ROWS) // values.len())
    assert got == expected


@pytest.mark.parametrize(
    "node",
    [n for kind in NODES for n in SAMPLES.get(kind, []) if kind not in (m.During, m.DefinedBy)],
    ids=lambda n: type(n).__name__,
)
def test_the_prover_gives_every_node_the_record_engines_values(node: Any) -> None:
    """On concrete facts, the prover's pair (holds, fails) is the record engine's value
    (`during` and `defined by` are not reasoned about by the prover: free symbols)."""
    import z3

    from rulebook.engine.classify import compile_condition
    from rulebook.prove.encode import DERIVED, Record, encode

    closure = compile_condition(node)
    names = sorted({str(row["service"]) for row in ROWS})
    for row in ROWS:
        record = Record(CYBERMAIL, names=names)
        holds, fails = encode(node, record)
        if any(record.reads(f) and f not in row for f in DERIVED):
            continue  # a record always has its duration: rows without one are not records
        fixed = [record.service == names.index(row["service"]), record.all_constraints()]
        for fact in record.used():
            if fact not in row:
                fixed.append(z3.Not(record.known(fact)))
                continue
            fixed.append(record.known(fact))
            value, given = record.value(fact), row[fact]
            if isinstance(value, dict):
                fixed += [has == (code in given) for code, has in value.items()]
            elif z3.is_bool(value):
                fixed.append(value == given)
            elif z3.is_real(value):
                fixed.append(value == z3.RealVal(str(given)))
            else:
                fixed.append(value == record.code_index(fact, given))
        solver = z3.Solver()
        solver.add(*fixed)
        assert solver.check() == z3.sat
        model = solver.model()
        got = (
            True
            if z3.is_true(model.eval(holds, True))
            else False
            if z3.is_true(model.eval(fails, True))
            else None
        )
        assert got == closure(row), (node, row)
