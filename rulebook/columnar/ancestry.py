"""Causes resolved before a log's parts run (Spark's groups, the stream's chunks): each
record's own values of the ``including related`` clauses as lanes of bits, which a driver
walks down the ``caused_by`` edges (:func:`rulebook.columnar.related.walk_named`) and hands
to each part as :attr:`Plan.ancestry`."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import polars as pl

from rulebook import model as m
from rulebook.columnar.plan import close
from rulebook.columnar.related import causal_bits, related_clauses
from rulebook.columnar.rules import rule_values
from rulebook.columnar.state import Plan
from rulebook.engine.classify import RuleSet
from rulebook.intake.records import Notice, timezone_of


def own_bits(
    contract: m.Contract,
    frame: pl.DataFrame,
    notices: list[Notice],
    closures: frozenset[dt.date],
    as_of: int | None,
    exact: dict[str, dict[str, Fraction]] | None = None,
) -> pl.DataFrame:
    """``id`` and each record's own values of the related clauses (validated records),
    a ``sure`` and a ``maybe`` long a lane (:func:`rulebook.columnar.related.bit_columns`)."""
    assert contract.vocabulary is not None
    rules = RuleSet.of(contract)
    plan = Plan(
        contract,
        timezone_of(contract),
        frame,
        list(notices),
        {},
        closures,
        as_of,
        exact or {},
        {f.name: f for f in contract.vocabulary.facts},
    )
    close(plan)
    return rule_values(plan, rules).select("id", *causal_bits(related_clauses(rules)))
