"""Branch coverage of a contract by its examples (``rulebook test --coverage``).

A clause is more than "applies or not": a remedy has tiers and caps, an obligation is met or
missed, a downtime clause rules a record out by its ``when`` or by its threshold. Each such
way is a *branch*, written at a line of the contract (the item it concerns); the examples
cover a branch when some example's result shows the clause taking it. The measure is the
share of branches taken, and the lines of the branches never taken are listed, per clause,
as coverage.py lists a program's.

The branches of each clause kind (:func:`branches_of`):

- services: a record in scope (``covers``), a record out of scope (``excludes``);
- availability: a period that meets the target, one that misses it;
- downtime: a record that is downtime, one ruled out by ``when`` (or the probes), one
  whose stoppage is under the threshold;
- exclusion, inclusion: applies, does not apply; with ``including related``, applies
  through a cause; with exceptions or overriding clauses, cancelled by each of them;
- exception: taken, not taken;
- maintenance: a window excludes time, no window of it does;
- remedy: owed, not owed; each tier reached; a cap holding the amount down;
- obligation: met, missed, not applicable.

What a result shows is read from the JSON document of the example's run: the reasons,
segments and obligations of each record and the remedy of each period.
"""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction
from typing import Any

import attrs

from rulebook import model as m
from rulebook.engine.remedy import tier_of
from rulebook.reprs import with_repr


@with_repr
@attrs.frozen(repr=False)
class Branch:
    """One way a clause can decide: its key, the line it is written at, and its words."""

    clause: str
    key: str
    line: int
    label: str


@with_repr
@attrs.frozen(repr=False)
class ClauseCoverage:
    """The branches of one clause and which of them the examples took."""

    contract: str
    file: str
    clause: str
    kind: str
    line: int
    branches: tuple[Branch, ...]
    taken: frozenset[str]

    @property
    def missing(self) -> tuple[Branch, ...]:
        """The branches no example took, in line order."""
        return tuple(b for b in self.branches if b.key not in self.taken)

    @property
    def covered(self) -> bool:
        """Every branch taken."""
        return not self.missing


def _line(node: Any, default: int) -> int:
    span = getattr(node, "span", None)
    return span.line if isinstance(span, m.Span) and span.line else default


def branches_of(contract: m.Contract, clause: m.AnyClause) -> list[Branch]:
    """The branches of one clause (none for the clauses that decide nothing themselves)."""
    at = clause.span.line
    cid = clause.id
    out: list[Branch] = []

    def add(key: str, node: Any, label: str) -> None:
        out.append(Branch(cid, key, _line(node, at), label))

    if isinstance(clause, m.ServicesClause):
        add("applies", clause.covers[0] if clause.covers else None, "a record in scope")
        add("does_not_apply", clause.excludes[0] if clause.excludes else None, "out of scope")
    elif isinstance(clause, m.AvailabilityClause):
        if clause.target is not None:
            add("met", clause.target, "a period meets the target")
            add("missed", clause.target, "a period misses the target")
    elif isinstance(clause, m.DowntimeClause):
        add("applies", None, "a record is downtime")
        if clause.condition is not None or clause.probes:
            node = clause.condition if clause.condition is not None else clause.probes[0]
            add("not_when", node, "ruled out by `when` or the probes")
        if clause.threshold is not None:
            add("not_threshold", clause.threshold, "a stoppage under the threshold")
    elif isinstance(clause, m.RuleClause):
        add("applies", clause.condition, "applies")
        add("does_not_apply", clause.condition, "does not apply")
        if clause.related:
            add("related", clause.condition, "applies through a cause (including related)")
        for canceller in cancellers(contract, cid):
            add(f"cancelled:{canceller.id}", canceller, f"cancelled by {canceller.id}")
    elif isinstance(clause, m.ExceptionClause):
        add("applies", clause.condition, "taken")
        add("does_not_apply", clause.condition, "not taken")
    elif isinstance(clause, m.MaintenanceClause):
        add("applies", None, "a window excludes time")
        add("does_not_apply", None, "no window of it excludes time")
    elif isinstance(clause, m.RemedyClause):
        add("applies", clause.condition, "owed")
        add("does_not_apply", clause.condition, "not owed")
        for i, tier in enumerate(clause.tiers):
            add(f"tier:{i}", tier, f"tier {i + 1} reached")
        if clause.caps:
            add("capped", clause.caps[0], "a cap holds the amount down")
    elif isinstance(clause, m.ObligationClause):
        add("met", clause.deadline, "met")
        add("missed", clause.deadline, "missed")
        add("not_applicable", clause.condition or clause.unless, "not applicable")
    return out


def cancellers(contract: m.Contract, clause_id: str) -> list[m.AnyClause]:
    """The exceptions to a clause and the rule clauses that override it, in file order."""
    return [
        c
        for c in contract.clauses
        if (isinstance(c, m.ExceptionClause) and any(t.name == clause_id for t in c.targets))
        or (isinstance(c, m.RuleClause) and any(r.name == clause_id for r in c.overrides))
    ]


def taken(contract: m.Contract, data: dict[str, Any]) -> frozenset[tuple[str, str]]:
    """Every (clause, branch) one run's JSON document shows taken."""
    found: set[tuple[str, str]] = set()
    for record in data["outages"]:
        found.update(_record_branches(contract, record))
    for period in data["periods"]:
        found.update(_period_branches(contract, period))
    return frozenset(found)


def _record_branches(contract: m.Contract, record: dict[str, Any]) -> Iterable[tuple[str, str]]:
    for reason in record["reasons"]:
        clause, result = reason["clause"], reason["result"]
        if reason["kind"] == "downtime":
            if result == "applies":
                yield clause, "applies"
            elif result == "does_not_apply":
                threshold = "stoppage_seconds" in reason.get("facts", {})
                yield clause, "not_threshold" if threshold else "not_when"
            continue
        if result in ("applies", "does_not_apply"):
            yield clause, result
        if result == "applies" and reason.get("via"):
            yield clause, "related"
        if reason.get("cancelled_by") and result == "does_not_apply":
            yield clause, f"cancelled:{reason['cancelled_by']}"
            yield reason["cancelled_by"], "applies"
        if result == "applies" and reason["kind"] in ("exclusion", "inclusion"):
            # no exception to it held: each was not taken
            yield from ((c.id, "does_not_apply") for c in cancellers(contract, clause))
    for segment in record["segments"]:
        if segment["clause"]:
            yield segment["clause"], "applies"
    for ob in record["obligations"]:
        yield from _obligation_branches(contract, ob)


def _obligation_branches(contract: m.Contract, ob: dict[str, Any]) -> Iterable[tuple[str, str]]:
    """An obligation met, missed or not applicable; an exception to it taken when the result
    names it, not taken when the obligation was judged."""
    verdict = ob["verdict"]
    if ob.get("exception"):
        yield ob["exception"], "applies"
    if verdict in ("met", "missed", "not_applicable"):
        yield ob["clause"], verdict
    if verdict in ("met", "missed"):
        yield from ((c.id, "does_not_apply") for c in cancellers(contract, ob["clause"]))


def _period_branches(contract: m.Contract, period: dict[str, Any]) -> Iterable[tuple[str, str]]:
    availability = next((c for c in contract.clauses if isinstance(c, m.AvailabilityClause)), None)
    if availability is not None and period["met"] is not None:
        yield availability.id, "met" if period["met"] else "missed"
    remedy = period["remedy"] or {}
    given = remedy.get("clause")
    exact = period.get("availability_exact")
    value = Fraction(exact) * 100 if exact is not None else None
    for clause in contract.clauses:
        if not isinstance(clause, m.RemedyClause):
            continue
        if clause.id != given:
            yield clause.id, "does_not_apply"
            continue
        yield clause.id, "applies"
        tier = tier_of(clause, value) if value is not None else None
        if tier is not None:
            yield clause.id, f"tier:{tier}"
        if remedy.get("capped"):
            yield clause.id, "capped"


def coverage(
    contract: m.Contract, seen: Iterable[frozenset[tuple[str, str]]]
) -> list[ClauseCoverage]:
    """Each clause with branches, and which of them the runs took."""
    every = frozenset().union(*seen)
    rows = []
    for clause in contract.clauses:
        found = branches_of(contract, clause)
        if not found:
            continue
        keys = frozenset(key for cid, key in every if cid == clause.id)
        rows.append(
            ClauseCoverage(
                contract.id,
                contract.file,
                clause.id,
                clause.kind,
                clause.span.line,
                tuple(found),
                keys & {b.key for b in found},
            )
        )
    return rows


def counts(rows: Iterable[ClauseCoverage]) -> tuple[int, int]:
    """(branches taken, branches) over the rows."""
    rows = list(rows)
    return sum(len(r.branches) - len(r.missing) for r in rows), sum(len(r.branches) for r in rows)


def percent(rows: Iterable[ClauseCoverage]) -> float:
    """The share of branches taken, in percent (100 when there is none)."""
    done, total = counts(rows)
    return 100.0 * done / total if total else 100.0


def shown(value: float) -> str:
    """A percentage as shown: whole numbers, and never 100% unless every branch is taken
    (nor 0% unless none is), as coverage.py shows it.

    >>> shown(99.7), shown(100.0), shown(0.2)
    ('99%', '100%', '1%')
    """
    whole = round(value)
    if whole == 100 and value < 100:
        whole = 99
    if whole == 0 and value > 0:
        whole = 1
    return f"{whole}%"


def missing_text(row: ClauseCoverage) -> str:
    """``53 threshold not reached, 77 not owed``: the lines and branches never taken."""
    return ", ".join(f"{b.line} {b.label}" for b in row.missing)


def coverage_table(rows: list[ClauseCoverage]) -> list[str]:
    """The coverage as aligned lines, coverage.py's way: each clause with its branches
    taken of all, its share, and the lines never exercised; a last line with the total."""
    head = ("contract", "clause", "kind", "branches", "cover", "missing")
    body = [
        (
            r.contract,
            r.clause,
            r.kind,
            f"{len(r.branches) - len(r.missing)}/{len(r.branches)}",
            shown(percent([r])),
            missing_text(r),
        )
        for r in rows
    ]
    widths = [max(len(row[i]) for row in [head, *body]) for i in range(5)]
    lines = [
        "  " + "  ".join(cell.ljust(widths[i]) if i < 5 else cell for i, cell in enumerate(row))
        for row in [head, *body]
    ]
    done, total = counts(rows)
    lines.append(f"{done} of {total} branch(es) taken: {shown(percent(rows))}")
    return [line.rstrip() for line in lines]
