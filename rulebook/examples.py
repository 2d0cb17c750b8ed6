"""Examples beside the rules: each contract's cases, run by ``rulebook test``.

An example gives outage records (and notices, billing, closures) and states what the engine
must decide: a record's verdict and deciding clause, its seconds, an obligation's verdict,
a period's target, availability or remedy. ``rulebook test`` runs every example and says,
for each one that fails, what was expected and what the engine decided instead.
"""

from __future__ import annotations

import fnmatch
from decimal import Decimal
from typing import Any

import attrs

from rulebook import model as m
from rulebook import units
from rulebook.branches import taken
from rulebook.engine.remedy import exact_decimal
from rulebook.intake.records import RecordError
from rulebook.reprs import with_repr
from rulebook.text import display_width


@with_repr
@attrs.frozen(repr=False)
class Failure:
    """One expectation that did not hold: where it is written, what it expected, what came."""

    span: m.Span
    expected: str
    actual: str

    def render(self) -> str:
        """``file:line: expected ...`` and, under it, ``actual ...``."""
        where = f"{self.span.file}:{self.span.line}: "
        pad = " " * display_width(where)
        return f"{where}expected {self.expected}\n{pad}actual   {self.actual}"


@with_repr
@attrs.frozen(repr=False)
class CaseResult:
    """One example run: passed, or its failures; and the clauses it made decide."""

    contract: str
    example: str
    title: str | None
    failures: tuple[Failure, ...]
    #: (clause id, branch) for every branch of a clause the run took (rulebook.branches).
    taken: frozenset[tuple[str, str]] = frozenset()

    @property
    def passed(self) -> bool:
        """True when every expectation held."""
        return not self.failures


def example_inputs(example: m.Example) -> dict[str, Any]:
    """An example's records as the arguments of :func:`rulebook.adjudicate`."""
    return {
        "outages": [dict(o) for o in example.outages],
        "notices": [dict(n) for n in example.notices],
        "billing": [dict(b) for b in example.billing],
        "closures": list(example.closures),
        "as_of": example.as_of,
    }


def run_example(contract: m.Contract, example: m.Example) -> CaseResult:
    """Adjudicate an example's records and compare with what it expects."""
    from rulebook.document.records import adjudicate

    try:
        data = adjudicate(contract, **example_inputs(example)).to_dict()
    except RecordError as exc:
        bad = Failure(example.span, "records that are valid input", f"bad input: {exc}")
        return CaseResult(contract.id, example.id, example.title, (bad,))
    failures = []
    for e in example.expectations:
        found = _compare(e, data)
        if found is not None:
            failures.append(Failure(e.span, *found))
    return CaseResult(
        contract.id, example.id, example.title, tuple(failures), taken(contract, data)
    )


def run_examples(contract: m.Contract, selected: str | None = None) -> list[CaseResult]:
    """The examples of a contract, in file order; only those matching ``selected`` if given."""
    return [run_example(contract, e) for e in contract.examples if matches(contract, e, selected)]


def matches(contract: m.Contract, example: m.Example, pattern: str | None) -> bool:
    """Whether ``pattern`` (``-k``) selects an example: a case-insensitive part of
    ``CONTRACT EXAMPLE TITLE``, or a glob of it with ``*``; ``not P`` selects the others.

    >>> from rulebook.load import load_contract
    >>> c = load_contract("cybermail")
    >>> [e.id for e in c.examples if matches(c, e, "ten_minutes")]
    ['threshold_ten_minutes']
    """
    if not pattern:
        return True
    if pattern.startswith("not "):
        return not matches(contract, example, pattern[4:])
    name = f"{contract.id} {example.id} {example.title or ''}".lower()
    wanted = pattern.lower()
    return fnmatch.fnmatch(name, f"*{wanted}*") if "*" in wanted else wanted in name


def _compare(e: m.Expectation, data: dict[str, Any]) -> tuple[str, str] | None:
    """(expected, actual) in words when the expectation does not hold, else None."""
    if e.kind in ("verdict", "seconds", "obligation"):
        record = next((o for o in data["outages"] if o["id"] == e.target), None)
        if record is None:
            return f"a record {e.target}", "no such record in the result"
        return _compare_record(e, record)
    service, label = e.target.split("|", 1)
    period = next(
        (p for p in data["periods"] if p["service"] == service and p["period"] == label), None
    )
    if period is None:
        return f"a period {label} of {service}", "no such period in the result"
    return _compare_period(e, period, f"{service} {label}")


def _compare_record(e: m.Expectation, record: dict[str, Any]) -> tuple[str, str] | None:
    if e.kind == "verdict":
        deciding = _deciding(record)
        got = record["verdict"]
        if got == e.value and (e.clause is None or e.clause in deciding):
            return None
        by = f" by {e.clause}" if e.clause else ""
        return f"{e.target} {e.value}{by}", got + (f" by {', '.join(deciding)}" if deciding else "")
    if e.kind == "seconds":
        assert e.amount is not None
        want, got_s = _seconds(e.amount), record[f"{e.value}_seconds"]
        return None if got_s == want else (f"{e.target} {e.value} {want} s", f"{got_s} s")
    ob = next((o for o in record["obligations"] if o["clause"] == e.clause), None)
    got = ob["verdict"] if ob else "absent"
    if got == e.value:
        return None
    detail = f" ({ob['detail']['en']})" if ob else ""
    return f"obligation {e.clause} of {e.target} {e.value}", got + detail


def _compare_period(e: m.Expectation, period: dict[str, Any], name: str) -> tuple[str, str] | None:
    if e.kind == "met":
        got = {True: "met", False: "missed", None: "unknown"}[period["met"]]
        return None if got == e.value else (f"{name} {e.value}", got)
    if e.kind == "claim":
        last = (period["remedy"] or {}).get("claim_last_day")
        return None if last == e.value else (f"the claim by the end of {e.value}", str(last))
    if e.kind == "availability":
        value = period["availability"]
        return None if value == e.value else (f"availability {e.value}", str(value))
    remedy = period["remedy"]
    if e.value == "forfeited":
        late = bool(remedy and remedy.get("forfeited"))
        return None if late else ("the remedy forfeited", str(remedy and remedy["kind"]))
    kind = remedy["kind"] if remedy else "none"
    if kind != e.value:
        return f"remedy {e.value}", kind
    if e.amount is not None and remedy is not None:
        got_amount = Decimal(remedy["amount"]) if remedy["amount"] is not None else None
        amount: Any = remedy["months"] if e.amount.unit == "month" else got_amount
        expected = exact_decimal(e.amount.value)
        if amount is None or Decimal(str(amount)) != expected:
            return f"remedy {e.value} {units.show(e.amount)}", f"{e.value} {amount}"
    return None


def _deciding(record: dict[str, Any]) -> list[str]:
    clauses = [r["clause"] for r in record["reasons"] if r.get("decisive")]
    clauses += [s["clause"] for s in record["segments"] if s["clause"]]
    return list(dict.fromkeys(clauses))


def _seconds(q: m.Quantity) -> int:
    unit = units.canonical(q.written)
    return int(q.value * (unit.seconds or 1)) if unit else int(q.value)
