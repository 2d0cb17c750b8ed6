"""The chain of a contract's versions: each amendment dated, in order, its removals and
replacements resolved, and every version as valid as a contract on its own.

:func:`check_versions` runs every other check on each version's whole text
(:func:`rulebook.versions.versions`); a diagnostic of a clause every version shares is
reported once, one that only a later version has names that version. The examples are
checked once, against the clauses of every version (an example may straddle an effective
date and name a clause of either side).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence

import attrs

from rulebook import model as m
from rulebook.check.examples import check_examples
from rulebook.check.scope import Check, Scope, error, warning
from rulebook.diagnostics import Diagnostic
from rulebook.versions import ORIGINAL, effective_date, every, resolve, versions


def check_chain(contract: m.Contract) -> Iterator[Diagnostic]:
    """Dates given and ordered, ids unique, every removal and replacement resolved, the
    periods and the services' measure kept (what the versions may not change)."""
    names: dict[str, m.Amendment] = {}
    clauses = {c.id: c for c in contract.clauses}
    previous: tuple[dt.date, m.Amendment] | None = None
    for amendment in contract.amendments:
        if amendment.id in names or amendment.id == ORIGINAL:
            yield error(
                "duplicate-id",
                f"amendment id '{amendment.id}' is used twice",
                amendment.span,
                "the first version is called 'original'; name each amendment once",
            )
        names[amendment.id] = amendment
        day = effective_date(amendment)
        if amendment.effective is None:
            yield error(
                "missing-effective-date",
                f"amendment {amendment.id} has no effective date",
                amendment.span,
                'add `effective "YYYY-MM-DD"`: the day its terms apply from',
            )
        elif day is None:
            yield error(
                "bad-effective-date",
                f"'{amendment.effective.value}' is not a date",
                amendment.effective.span,
                'write the effective date as "YYYY-MM-DD", e.g. "2023-07-31"',
            )
        elif previous is not None and day <= previous[0]:
            yield error(
                "versions-out-of-order",
                f"amendment {amendment.id} takes effect on {day}, not after "
                f"{previous[1].id} ({previous[0]})",
                amendment.effective.span,
                "write the amendments in the order they take effect, each on a later day "
                "(two on one day: make them one amendment)",
            )
        if day is not None and (previous is None or day > previous[0]):
            previous = (day, amendment)
        if amendment.citation is None:
            yield warning(
                "no-citation",
                f"amendment {amendment.id} cites nothing",
                amendment.span,
                "cite the line of the document that dates it, e.g. "
                'cite "改定履歴" "令和 5 年 07 月 31 日改定"',
            )
        own: dict[str, m.AnyClause] = {}
        for clause in amendment.clauses:
            if clause.id in own:
                yield error(
                    "duplicate-id",
                    f"clause id '{clause.id}' is used twice in amendment {amendment.id}",
                    clause.span,
                    f"the first is on line {own[clause.id].span.line}; an amendment states "
                    "each clause once",
                )
            own[clause.id] = clause
        for ref in amendment.removes:
            if ref.name not in clauses:
                yield error(
                    "unknown-clause",
                    f"amendment {amendment.id} removes '{ref.name}', which is not in force "
                    "before it",
                    ref.span,
                    "remove a clause of the version before: " + ", ".join(sorted(clauses)),
                )
            elif ref.name in own:
                yield error(
                    "remove-and-replace",
                    f"amendment {amendment.id} both removes and restates '{ref.name}'",
                    ref.span,
                    "to change a clause, restate it (same id) without removing it",
                )
        if not amendment.clauses and not amendment.removes:
            yield warning(
                "empty-amendment",
                f"amendment {amendment.id} changes nothing",
                amendment.span,
                "restate the clauses it changes (same id), add new ones, or `remove` ids",
            )
        for clause in amendment.clauses:
            before = clauses.get(clause.id)
            if before is not None and before.kind != clause.kind:
                yield error(
                    "amendment-changes-kind",
                    f"amendment {amendment.id} restates {before.kind} {clause.id} as a "
                    f"{clause.kind}",
                    clause.span,
                    "remove the old clause and add the new one under another id",
                )
            changes_period = (
                isinstance(clause, m.AvailabilityClause)
                and isinstance(before, m.AvailabilityClause)
                and before.period != clause.period
            )
            if changes_period:
                yield error(
                    "version-changes-period",
                    f"amendment {amendment.id} changes how periods are cut",
                    clause.span,
                    "every version measures the same periods (a period straddling "
                    "an effective date must be one period); keep the `period` line",
                )
        clauses = {c.id: c for c in resolve(tuple(clauses.values()), amendment)}


def check_versions(contract: m.Contract, checks: Sequence[Check]) -> list[Diagnostic]:
    """Every check on every version, the shared diagnostics once; the examples once,
    against every version's clauses; then the chain's."""
    chain = versions(contract)
    texts = every(contract)  # the examples may name a clause of any version
    found = [
        (version, d)
        for version in chain
        for check in checks
        if check is not check_examples or version is chain[0]
        for text in [texts if check is check_examples else version.contract]
        for d in check(text, Scope.of(text))
    ]
    out: list[Diagnostic] = []
    seen: set[tuple[str, str, m.Span]] = set()
    for version, d in found:
        key = (d.code, d.message, d.span)
        if key in seen:
            continue
        seen.add(key)
        if version.name != ORIGINAL:
            d = attrs.evolve(d, message=f"{d.message} (in version {version.label()})")
        out.append(d)
    out.extend(check_chain(contract))
    return out
