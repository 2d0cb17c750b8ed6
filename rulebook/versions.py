"""Versions of a contract: its first text, and each amendment in force from its date.

A contract file states its first version as clauses, then its amendments in the order
they were made (``amendment ID "title" { effective "YYYY-MM-DD" cite … remove ID …
clauses }``). An amendment's clause replaces the clause of the same id where it stood (a
clause's place decides which remedy applies first), a clause with a new id is added after
the others, and ``remove`` drops clauses. :func:`versions` resolves the chain into whole
contracts, one a version, each of which the engines adjudicate as any contract;
:class:`Chain` says which version is in force at an instant, and the engines take each
record and period from the one in force at its start (:mod:`rulebook.engine.versions`,
:mod:`rulebook.columnar.versions`; docs/adjudication.md, "Versions").

Layer: model. It may import only the model and the text layer.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from collections.abc import Callable, Sequence
from typing import Any

import attrs

from rulebook import model as m
from rulebook.reprs import with_repr

#: The name of a contract's first version.
ORIGINAL = "original"

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@with_repr
@attrs.frozen(repr=False)
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
    force: the start of its effective date in the contract's timezone (an amendment
    without a valid date, which ``check`` refuses, from the beginning of time)."""
    return [
        int(dt.datetime.combine(v.effective, dt.time(), tzinfo=tz).timestamp())
        if v.effective
        else -(1 << 62)
        for v in chain[1:]
    ]


@with_repr
@attrs.frozen(repr=False)
class Chain:
    """A contract's versions and the instants each later one comes into force."""

    versions: tuple[Version, ...]
    starts: tuple[int, ...]

    @classmethod
    def of(cls, contract: m.Contract, tz: dt.tzinfo) -> Chain:
        chain = versions(contract)
        return cls(chain, tuple(starts(chain, tz)))

    def at(self, instant: int) -> int:
        """The index of the version in force at ``instant`` (0: the first text)."""
        return bisect.bisect_right(self.starts, instant)

    def text_at(self, instant: int) -> m.Contract:
        """The whole text in force at ``instant``."""
        return self.versions[self.at(instant)].contract

    def version_at(self, instant: int) -> Version:
        return self.versions[self.at(instant)]

    def names(self) -> list[str]:
        return [v.name for v in self.versions]

    def latest(self) -> dict[str, m.AnyClause]:
        """Every clause id of every version with its latest text, in first-seen order."""
        return {c.id: c for v in self.versions for c in v.contract.clauses}

    def to_list(self, clause_dict: Callable[[m.AnyClause], Any]) -> list[dict[str, Any]]:
        """The versions as the JSON document lists them: each with the clauses whose text
        in it differs from the latest (``clause_dict`` writes one)."""
        latest = self.latest()
        return [
            {
                "name": v.name,
                "title": v.title,
                "effective": v.effective.isoformat() if v.effective else None,
                "cite": None
                if v.citation is None
                else {"article": v.citation.article, "text": list(v.citation.quotes)},
                "clauses": {
                    c.id: clause_dict(c)
                    for c in v.contract.clauses
                    if clause_dict(c) != clause_dict(latest[c.id])
                },
            }
            for v in self.versions
        ]
