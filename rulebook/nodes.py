"""The table of condition kinds: every node type of the condition language and, for each
part of rulebook that must understand every node, that part's rule for it.

Five parts give every node type (:data:`NODES`, the members of ``model.Condition``) a rule,
each in its own :class:`NodeRules`, listed in :data:`PARTS`:

- the record engine: a closure over a record's facts (``engine/classify.py``);
- the columnar plan: a polars expression (``columnar/translate.py``);
- satisfiability: the node in disjunctive normal form over constraints
  (``satisfiable.py``);
- the check: the node's names, types and units (``check/conditions.py``);
- the prover: the node as formulas for the SMT solver, in three-valued logic
  (``prove/encode.py``).

The table lives here, below all five, and each part registers its rules when its module is
imported, then calls :meth:`NodeRules.complete`: a node type without a rule in that part
fails at import. ``tests/test_nodes.py`` imports the five and holds the table complete.
Asked for a node of a type it has no rule for, every part raises :class:`NoRule`; none
guesses (the record engine once answered *unknown*).
"""

from __future__ import annotations

import typing
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from rulebook import model as m
from rulebook.errors import RulebookError

#: Every node type of the condition language, in the order of ``model.Condition``.
NODES: tuple[type, ...] = typing.get_args(m.Condition)

#: The parts that give every node type a rule, and the module where each registers them.
PARTS: dict[str, str] = {
    "record engine": "rulebook.engine.classify",
    "columnar plan": "rulebook.columnar.translate",
    "satisfiability": "rulebook.satisfiable",
    "check": "rulebook.check.conditions",
    "prover": "rulebook.prove.encode",
}


#: Each part's rules, by part, filled as the parts are imported.
TABLE: dict[str, NodeRules[Any]] = {}


class NoRule(RulebookError):
    """A condition node of a type a part of rulebook has no rule for (or no rule in the
    place it was found)."""


R = TypeVar("R")


class NodeRules(Generic[R]):
    """One part's rule for each node type, looked up by the node's exact type."""

    def __init__(self, part: str) -> None:
        if part not in PARTS:
            raise ValueError(f"'{part}' is not a part of the table (nodes.PARTS)")
        self.part = part
        self.rules: dict[type, R] = {}
        TABLE[part] = self

    def register(self, *types: type) -> Callable[[R], R]:
        """A decorator: the function is this part's rule for ``types``."""

        def add(rule: R) -> R:
            for kind in types:
                if kind not in NODES:
                    raise TypeError(f"{kind.__name__} is not a condition node (model.Condition)")
                if kind in self.rules:
                    raise TypeError(f"the {self.part} has two rules for {kind.__name__}")
                self.rules[kind] = rule
            return rule

        return add

    def __getitem__(self, node: object) -> R:
        rule = self.rules.get(type(node))
        if rule is None:
            raise NoRule(
                f"the {self.part} has no rule for the condition node {type(node).__name__}"
            )
        return rule

    def missing(self) -> list[str]:
        """The node types without a rule here, by name."""
        return [kind.__name__ for kind in NODES if kind not in self.rules]

    def complete(self) -> None:
        """Raise :class:`NoRule` unless every node type has a rule here (each part calls it
        at the end of its module, so a missing rule fails at import)."""
        missing = self.missing()
        if missing:
            raise NoRule(
                f"the {self.part} has no rule for {', '.join(missing)}: every condition node "
                "needs one in each part of rulebook.nodes.PARTS"
            )
