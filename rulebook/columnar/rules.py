"""Clause values per record: the translated expressions of the exclusions, inclusions and
their exceptions, with the record engine's closures for the records whose values a double
cannot hold (the fallback, counted)."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import polars as pl

import rulebook.columnar.translate as tr
from rulebook import model as m
from rulebook.columnar.runs import period_union
from rulebook.columnar.state import (
    OUT_OF_SCOPE,
    Plan,
    facts_of,
    status_lit,
)
from rulebook.engine.classify import RuleSet, Tri, compile_condition
from rulebook.engine.measure import selections
from rulebook.engine.selection import EVENT_DURATION
from rulebook.intake.frames import IN_MEMORY


def rule_values(plan: Plan, rules: RuleSet) -> pl.DataFrame:
    """The frame with each rule's own value (``__rule_ID``: after its exceptions and
    overrides, before related causes)."""
    values = {cid: rule_value(plan, rules, cid) for cid in rules.rules}
    frame = plan.frame.with_columns(v.alias(f"__rule_{cid}") for cid, v in values.items())
    return fallback_rules(plan, frame, rules)


def decide(
    plan: Plan, frame: pl.DataFrame, mask: pl.Expr, status: str, clause: str
) -> pl.DataFrame:
    """Records under ``mask`` get ``status``, decided by ``clause``."""
    return frame.with_columns(
        status=pl.when(mask).then(status_lit(status)).otherwise(pl.col("status")),
        deciding=pl.when(mask).then(plan.clause(clause)).otherwise(pl.col("deciding")),
    )


def condition_values(plan: Plan, cond: m.Condition | None, derived: bool = False) -> pl.Series:
    """A condition's value per record: the downtime condition's, where the record engine
    looks at the given facts only (the derived durations are not among them at that
    stage), or with ``derived`` a remedy's `records where`, which sees them as exclusions
    do. Records the plan cannot decide exactly take the engine's closure."""
    expr = tr.condition(cond, plan.facts)
    odd = inexact_ids(plan, cond)
    if odd:
        closure = compile_condition(cond)
        decided = {rid: closure(f) for rid, f in facts_of(plan, odd, duration=derived).items()}
        plan.fallback.update(decided)
        expr = override(expr, decided)
    if derived:
        return plan.frame.select(expr.alias("value"))["value"]
    unknown_length = plan.frame.with_columns(
        pl.lit(None, dtype=pl.Float64).alias(name)
        for name in ("duration", EVENT_DURATION)
        if name == "duration" or name in plan.frame.columns
    )
    return unknown_length.select(expr.alias("value"))["value"]


def inexact_ids(plan: Plan, cond: m.Condition | None) -> list[str]:
    if not tr.exact(cond):
        return plan.frame["id"].to_list()
    return sorted(plan.exact)


def override(expr: pl.Expr, decided: Mapping[str, Tri]) -> pl.Expr:
    if not decided:
        return expr
    ids = list(decided)
    values = pl.Series(list(decided.values()), dtype=pl.Boolean)
    known = pl.col("id").is_in(ids)
    fixed = pl.col("id").replace_strict(ids, values, default=None, return_dtype=pl.Boolean)
    return pl.when(known).then(fixed).otherwise(expr)


def rule_value(plan: Plan, rules: RuleSet, cid: str, seen: tuple[str, ...] = ()) -> pl.Expr:
    """A rule's value after its `unless`, its exceptions and the clauses overriding it."""
    rule = rules.rules[cid]
    clause = rule.clause
    value = tr.condition(clause.condition, plan.facts)
    unless = getattr(clause, "unless", None)
    if unless is not None:
        value = value & ~tr.condition(unless, plan.facts)
    for canceller in rule.cancelled_by:
        if canceller not in seen:
            value = value & ~rule_value(plan, rules, canceller, (*seen, cid))
    return value


def fallback_rules(plan: Plan, frame: pl.DataFrame, rules: RuleSet) -> pl.DataFrame:
    """Rule values of the records the plan cannot decide exactly, from the record engine."""
    conditions = [
        c
        for rule in rules.rules.values()
        for c in (rule.clause.condition, getattr(rule.clause, "unless", None))
    ]
    odd = sorted(plan.exact) if all(tr.exact(c) for c in conditions) else frame["id"].to_list()
    if not odd:
        return frame
    facts = facts_of(plan, odd)
    plan.fallback.update(facts)
    decided: dict[str, dict[str, Tri]] = {cid: {} for cid in rules.rules}
    for rid, f in facts.items():
        memo: dict[str, Tri] = {}
        for cid in rules.rules:
            decided[cid][rid] = rules.evaluate(cid, f, memo)
    return frame.with_columns(
        override(pl.col(f"__rule_{cid}"), decided[cid]).alias(f"__rule_{cid}")
        for cid in rules.rules
    )


def selected_seconds(
    plan: Plan, cuts: pl.DataFrame, from_since: Callable[[pl.DataFrame], pl.DataFrame]
) -> list[tuple[str, dict[tuple[int, int], int]]]:
    """Per remedy with `records where` (in id order), the seconds of the union of the
    in-scope records it selects, per service and period (the record engine's
    ``selected_records``): unknown selects nothing."""
    out = []
    inside = plan.frame["status"] != OUT_OF_SCOPE
    for cid, cond in sorted(selections(plan.contract), key=lambda sel: sel[0]):
        chosen = inside & condition_values(plan, cond, derived=True).fill_null(False)
        spans = from_since(
            plan.frame.lazy().filter(chosen).select("svc", "start", "end").collect(engine=IN_MEMORY)
        )
        sums: dict[tuple[int, int], int] = {}
        if spans.height:
            union = period_union(spans, cuts, "seconds")
            sums = {(code, i): t for code, i, t in union.iter_rows()}
        out.append((cid, sums))
    return out
