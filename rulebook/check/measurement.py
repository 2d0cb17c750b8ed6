"""What is measured: services covered, the availability period and target, downtime, performance."""

from __future__ import annotations

from collections.abc import Iterator

from rulebook import model as m
from rulebook import units
from rulebook.check.quantities import FACT_DIMENSION, check_dimension, check_word
from rulebook.check.scope import Scope, error, unknown, warning
from rulebook.diagnostics import Diagnostic
from rulebook.meanings import READINGS
from rulebook.satisfiable import magnitude


def check_services(contract: m.Contract, scope: Scope) -> Iterator[Diagnostic]:
    """A services clause covers something, and never covers what it excludes."""
    for clause in contract.clauses:
        if not isinstance(clause, m.ServicesClause):
            continue
        if not clause.covers:
            yield error(
                "no-services",
                f"services {clause.id} covers no service",
                clause.span,
                'add `covers "Service name"`',
            )
        covered = {t.value for t in clause.covers}
        for text in clause.excludes:
            if text.value in covered:
                yield error(
                    "contradiction",
                    f"service '{text.value}' is both covered and excluded",
                    text.span,
                    'name the excluded variant distinctly, e.g. "CYBERCHAT (bundled)"',
                )


def check_availability(contract: m.Contract, scope: Scope) -> Iterator[Diagnostic]:
    """Period, target and denominator of the availability clause make sense."""
    clauses = [c for c in contract.clauses if isinstance(c, m.AvailabilityClause)]
    for extra in clauses[1:]:
        yield error(
            "duplicate-availability",
            "a contract has one availability clause",
            extra.span,
            f"the first is on line {clauses[0].span.line}",
        )
    for clause in clauses:
        if isinstance(clause.period, m.Quantity):
            yield from check_dimension(clause.period, ("time",), "period")
            length = magnitude(clause.period)
            if length is not None and not 28 * 86400 <= length <= 31 * 86400:
                yield error(
                    "bad-period",
                    f"a fixed period of {units.show(clause.period)} is not a month",
                    clause.period.span,
                    "a fixed length stands for a month measured as if it were that long: "
                    "write 28 to 31 days (usually `period 30 days`), or `period quarter`",
                )
        if clause.target is not None:
            target = clause.target
            yield from check_dimension(target.quantity, ("percent",), "target")
            if not (0 < target.quantity.value <= 100):
                yield error(
                    "bad-target",
                    f"a target of {units.show(target.quantity)} is not a percentage of the period",
                    target.quantity.span,
                    "write a value above 0% and at most 100%",
                )
            if target.op in ("<", "<=", "=", "!="):
                yield error(
                    "bad-target",
                    f"an availability target is a floor; '{target.op}' would promise downtime",
                    target.span,
                    "write `target >= 99.9% (以上)`",
                )
            yield from check_word(target.op or ">=", target.word)
        elif contract.kind == "guarantee":
            yield warning(
                "availability-without-target",
                f"availability {clause.id} sets no target",
                clause.span,
                "add `target 99.9% (以上)`",
            )


def check_downtime(contract: m.Contract, scope: Scope) -> Iterator[Diagnostic]:
    """Probes are protocols of the vocabulary; the threshold is a duration; its reading named."""
    protocols = scope.facts.get("protocol")
    for clause in contract.clauses:
        if not isinstance(clause, m.DowntimeClause):
            continue
        for probe in clause.probes:
            if protocols is not None and protocols.code(probe.name) is None:
                yield unknown(
                    "probe",
                    probe.name,
                    probe.span,
                    [c.name for c in protocols.codes],
                    "unknown-code",
                )
        if clause.probe_interval is not None:
            yield from check_dimension(clause.probe_interval, ("time",), "a probe interval")
        if clause.threshold is not None:
            t = clause.threshold
            yield from check_dimension(t.quantity, ("time",), "threshold")
            yield from check_word(t.op or ">=", t.word)
            if t.op in ("<", "<=", "=", "!="):
                yield error(
                    "bad-threshold",
                    f"a downtime threshold is a minimum length; '{t.op}' is not one",
                    t.span,
                    "write `threshold >= 10 min (以上)`",
                )
        if clause.reading is not None and clause.reading.name not in READINGS:
            yield unknown(
                "threshold reading",
                clause.reading.name,
                clause.reading.span,
                READINGS,
                "bad-reading",
            )


def check_performance(contract: m.Contract, scope: Scope) -> Iterator[Diagnostic]:
    """A performance clause bounds a measured fact of the vocabulary, in its unit."""
    for clause in contract.clauses:
        if not isinstance(clause, m.PerformanceClause):
            continue
        if clause.measure is None or clause.bound is None:
            yield error(
                "incomplete-performance",
                f"performance {clause.id} needs `measure FACT <= VALUE`",
                clause.span,
                "e.g. `measure response_time <= 3 s (以下)`",
            )
            continue
        decl = scope.facts.get(clause.measure.name)
        measurable = [f.name for f in scope.facts.values() if f.type in ("duration", "number")]
        if decl is None or decl.type not in ("duration", "number"):
            yield unknown(
                "measurable fact",
                clause.measure.name,
                clause.measure.span,
                measurable,
                "unknown-fact",
            )
            continue
        bound = clause.bound
        if bound.op in ("=", "!="):
            yield error(
                "bad-operator",
                f"a performance target is a ceiling or a floor; '{bound.op}' is neither",
                bound.span,
                "write `<=` (以下) for a ceiling or `>=` (以上) for a floor",
            )
        if bound.op is None and bound.word is None:
            yield error(
                "no-operator",
                f"performance {clause.id} does not say whether {decl.name} is a ceiling or a floor",
                bound.span,
                "write `<=` (以下) for a ceiling or `>=` (以上) for a floor",
            )
        yield from check_dimension(bound.quantity, FACT_DIMENSION[decl.type], decl.name)
        yield from check_word(bound.op, bound.word)
