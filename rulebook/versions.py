"""Versions of a contract: its first text, and each amendment in force from its date.

A contract file states its first version as clauses, then its amendments in the order
they were made (``amendment ID "title" { effective "YYYY-MM-DD" cite … remove ID …
clauses }``). An amendment's clause replaces the clause of the same id where it stood (a
clause's place decides which remedy applies first), a clause with a new id is added after
the others, and ``remove`` drops clauses. :func:`versions` resolves the chain into whole
contracts, one a version, each of which the engines adjudicate as any contract; which
version decides what is :mod:`rulebook.document.versioned`'s (docs/adjudication.md,
"Versions").

Layer: model. It may import only the model and the text layer.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
import zoneinfo
from collections.abc import Callable, Sequence

import attrs

from rulebook import model as m

#: The name of a contract's first version.
ORIGINAL = "original"

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@attrs.frozen
class Version:
    """One version of a contract: its name (``original`` or the amendment's id), title,
    effective date (None for the first text: in force before every amendment), the
    amendment's citation, and the whole text in force (a contract without amendments)."""

    name: str
    title: str | None
    effective: dt.date | None
    citation: m.Citation | None
    contract: m.Contract

    def label(self) -> str:
        """``r5 (from 2023-07-31)``, or ``original``."""
        return self.name if self.effective is None else f"{self.name} (from {self.effective})"


def effective_date(amendment: m.Amendment) -> dt.date | None:
    """The amendment's effective date, or None where it is missing or not a date
    (``check`` reports it: ``bad-effective-date``)."""
    if amendment.effective is None or not _DATE.fullmatch(amendment.effective.value):
        return None
    try:
        return dt.date.fromisoformat(amendment.effective.value)
    except ValueError:
        return None


def resolve(clauses: Sequence[m.AnyClause], amendment: m.Amendment) -> tuple[m.AnyClause, ...]:
    """The clauses in force after ``amendment``: replaced in place, removed, added last."""
    removed = {r.name for r in amendment.removes}
    new = {c.id: c for c in amendment.clauses}
    kept = [new.pop(c.id, c) for c in clauses if c.id not in removed]
    return (*kept, *(c for c in amendment.clauses if c.id in new and new[c.id] is c))


def versions(contract: m.Contract) -> tuple[Version, ...]:
    """Every version of ``contract``, first text first, each a whole contract."""
    first = attrs.evolve(contract, amendments=())
    out = [Version(ORIGINAL, contract.title, None, None, first)]
    clauses: tuple[m.AnyClause, ...] = contract.clauses
    for amendment in contract.amendments:
        clauses = resolve(clauses, amendment)
        text = attrs.evolve(contract, clauses=clauses, amendments=())
        out.append(
            Version(
                amendment.id,
                amendment.title,
                effective_date(amendment),
                amendment.citation,
                text,
            )
        )
    return tuple(out)


def every(contract: m.Contract) -> m.Contract:
    """One text holding every version's clauses (the latest text of each id, in the
    latest version's order, then those a version removed): for what asks which clauses
    a contract may apply at all — the services it may cover, its branches."""
    if not contract.amendments:
        return contract
    clauses: dict[str, m.AnyClause] = {}
    for version in reversed(versions(contract)):
        for clause in version.contract.clauses:
            clauses.setdefault(clause.id, clause)
    return attrs.evolve(contract, clauses=tuple(clauses.values()), amendments=())


def starts(chain: Sequence[Version], tz: dt.tzinfo) -> list[int]:
    """The instants (seconds since the epoch) at which each later version comes into
    force: the start of its effective date in the contract's timezone."""
    out = []
    for version in chain[1:]:
        day = version.effective or dt.date.min
        midnight = dt.datetime.combine(day, dt.time(), tzinfo=tz)
        out.append(int(midnight.timestamp()) if version.effective else -(1 << 62))
    return out


def in_force(instants: Sequence[int], at: int) -> int:
    """The index of the version in force at ``at`` (0: the first text)."""
    return bisect.bisect_right(instants, at)


def timezone(contract: m.Contract) -> dt.tzinfo:
    """The contract's timezone (as the intake reads it)."""
    return zoneinfo.ZoneInfo(contract.timezone or "UTC")


def texts_in_force(contract: m.Contract, tz: dt.tzinfo) -> Callable[[int], m.Contract]:
    """The whole text in force at an instant, for each instant."""
    chain = versions(contract)
    at = starts(chain, tz)
    return lambda instant: chain[in_force(at, instant)].contract

