"""Examples beside the rules: each contract's cases, checked and run.

An example gives outage records (and notices, billing, closures) and states what the engine
must decide: a record's verdict and deciding clause, its seconds, an obligation's verdict,
a period's target, availability or remedy. ``rulebook test`` runs every example and says,
for each one that fails, what was expected and what the engine decided instead.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterator
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import attrs

from rulebook import model as m
from rulebook import units
from rulebook.engine.facts import (
    OutageRecord,
    RecordError,
    check_unique,
    outage_from_mapping,
    parse_instant,
    timezone_of,
)

if TYPE_CHECKING:
    from rulebook.engine.adjudicate import Adjudication
from rulebook.grammar.diagnostics import Diagnostic, did_you_mean

VERDICTS = ("counted", "excluded", "partly_excluded", "not_downtime", "out_of_scope")
STATUSES = ("counted", "excluded", "not_downtime")
OBLIGATION_VERDICTS = ("met", "missed", "not_applicable", "undetermined")
MET = ("met", "missed", "unknown")
REMEDIES = ("free_months", "refund", "credit", "damages", "none")


@attrs.frozen
class CaseResult:
    """One example run: passed, or the failures in plain words."""

    contract: str
    example: str
    title: str | None
    failures: tuple[str, ...]

    @property
    def passed(self) -> bool:
        """True when every expectation held."""
        return not self.failures


def _inputs(example: m.Example) -> dict[str, Any]:
    return {
        "outages": [dict(o) for o in example.outages],
        "notices": [dict(n) for n in example.notices],
        "billing": [dict(b) for b in example.billing],
        "closures": list(example.closures),
        "as_of": example.as_of,
    }


def run_example(contract: m.Contract, example: m.Example) -> CaseResult:
    """Adjudicate an example's records and compare with what it expects."""
    from rulebook.engine.adjudicate import adjudicate  # the engine, only when examples run

    try:
        result = adjudicate(contract, **_inputs(example))
    except RecordError as exc:
        return CaseResult(contract.id, example.id, example.title, (f"bad input: {exc}",))
    failures = [f for e in example.expectations if (f := _failure(e, result)) is not None]
    return CaseResult(contract.id, example.id, example.title, tuple(failures))


def run_examples(contract: m.Contract) -> list[CaseResult]:
    """Every example of a contract, in file order."""
    return [run_example(contract, e) for e in contract.examples]


def _failure(e: m.Expectation, result: Adjudication) -> str | None:
    data = result.to_dict()
    if e.kind in ("verdict", "seconds", "obligation"):
        record = next((o for o in data["outages"] if o["id"] == e.target), None)
        if record is None:
            return f"no record {e.target} in the result"
        if e.kind == "verdict":
            deciding = _deciding(record)
            got = record["verdict"]
            if got != e.value or (e.clause is not None and e.clause not in deciding):
                by = f" by {e.clause}" if e.clause else ""
                return f"expected {e.target} {e.value}{by}; got {got}" + (
                    f" by {', '.join(deciding)}" if deciding else ""
                )
            return None
        if e.kind == "seconds":
            assert e.amount is not None
            want = _seconds(e.amount)
            got_s = record[f"{e.value}_seconds"]
            return (
                None if got_s == want else f"expected {e.target} {e.value} {want} s; got {got_s} s"
            )
        ob = next((o for o in record["obligations"] if o["clause"] == e.clause), None)
        got = ob["verdict"] if ob else "absent"
        if got == e.value:
            return None
        detail = f" ({ob['detail']['en']})" if ob else ""
        return f"expected obligation {e.clause} of {e.target} {e.value}; got {got}{detail}"
    service, label = e.target.split("|", 1)
    period = next(
        (p for p in data["periods"] if p["service"] == service and p["period"] == label), None
    )
    if period is None:
        return f"no period {label} for {service} in the result"
    if e.kind == "met":
        got = {True: "met", False: "missed", None: "unknown"}[period["met"]]
        return None if got == e.value else f"expected {service} {label} {e.value}; got {got}"
    if e.kind == "claim":
        got = (period["remedy"] or {}).get("claim_last_day")
        return None if got == e.value else f"expected the claim by the end of {e.value}; got {got}"
    if e.kind == "availability":
        got = period["availability"]
        return None if got == e.value else f"expected availability {e.value}; got {got}"
    remedy = period["remedy"]
    kind = remedy["kind"] if remedy else "none"
    if kind != e.value:
        return f"expected remedy {e.value}; got {kind}"
    if e.amount is not None and remedy is not None:
        got_amount = Decimal(remedy["amount"]) if remedy["amount"] is not None else None
        months = remedy["months"]
        value: Any = months if e.amount.unit == "month" else got_amount
        expected = Decimal(e.amount.value.numerator) / Decimal(e.amount.value.denominator)
        if value is None or Decimal(str(value)) != expected:
            return f"expected remedy {e.value} {units.show(e.amount)}; got {value}"
    return None


def _deciding(record: dict[str, Any]) -> list[str]:
    clauses = [r["clause"] for r in record["reasons"] if r.get("decisive")]
    clauses += [s["clause"] for s in record["segments"] if s["clause"]]
    return list(dict.fromkeys(clauses))


def _seconds(q: m.Quantity) -> int:
    unit = units.canonical(q.written)
    return int(q.value * (unit.seconds or 1)) if unit else int(q.value)


# ------------------------------------------------------------------ static checks


def check_examples(contract: m.Contract) -> Iterator[Diagnostic]:
    """Examples name records, clauses and verdicts that exist, and their records are
    valid input (so a typo in an example is found by `rulebook check`, not by a test run)."""
    if contract.vocabulary is None:
        return
    seen: dict[str, m.Example] = {}
    clause_ids = [c.id for c in contract.clauses]
    obligations = [c.id for c in contract.clauses if isinstance(c, m.ObligationClause)]
    try:
        tz: dt.tzinfo = timezone_of(contract)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        tz = dt.UTC  # a bad timezone is reported by check_metadata
    for example in contract.examples:
        if example.id in seen:
            yield _error("duplicate-id", f"example id '{example.id}' is used twice", example.span)
        seen[example.id] = example
        if not example.expectations:
            yield _error(
                "empty-example",
                f"example {example.id} expects nothing",
                example.span,
                "add `expect RECORD VERDICT [by CLAUSE]`",
            )
        records: list[str] = []
        valid: list[OutageRecord] = []
        for i, outage in enumerate(example.outages):
            data = dict(outage)
            records.append(str(data.get("id")))
            try:
                valid.append(outage_from_mapping(data, contract.vocabulary, tz, i))
            except RecordError as exc:
                yield _error("bad-example-record", f"example {example.id}: {exc}", example.span)
        if len(valid) == len(example.outages):  # what `rulebook test` would refuse as a whole
            for problem in _whole_input(valid, example.as_of, tz):
                yield _error("bad-example-record", f"example {example.id}: {problem}", example.span)
        for e in example.expectations:
            yield from _check_expectation(e, records, clause_ids, obligations)


def _whole_input(records: list[OutageRecord], as_of: str | None, tz: dt.tzinfo) -> list[str]:
    """Problems of an example's records together, as the engine finds them when it runs:
    an id twice, a cycle of causes or an unknown cause, an ongoing record without as_of."""
    from rulebook.engine.adjudicate import closed_end
    from rulebook.engine.causes import causal_order

    problems: list[str] = []
    try:
        check_unique(r.id for r in records)
        causal_order(records)
        instant = parse_instant(as_of, tz, "as_of", None) if as_of is not None else None
        for record in records:
            closed_end(record.id, record.start, record.end, instant)
    except RecordError as exc:
        problems.append(str(exc))
    return problems


def _check_expectation(
    e: m.Expectation, records: list[str], clauses: list[str], obligations: list[str]
) -> Iterator[Diagnostic]:
    if e.kind in ("verdict", "seconds", "obligation") and e.target not in records:
        yield _unknown("record", e.target, e.span, records)
    accepted = {
        "verdict": VERDICTS,
        "seconds": STATUSES,
        "obligation": OBLIGATION_VERDICTS,
        "met": MET,
        "remedy": REMEDIES,
    }.get(e.kind)
    if accepted is not None and e.value not in accepted:
        yield _unknown(f"{e.kind} word", e.value, e.span, accepted)
    if e.kind == "verdict" and e.clause is not None and e.clause not in clauses:
        yield _unknown("clause", e.clause, e.span, clauses)
    if e.kind == "obligation" and e.clause not in obligations:
        yield _unknown("obligation", e.clause or "", e.span, obligations)


def _error(code: str, message: str, span: m.Span, hint: str | None = None) -> Diagnostic:
    return Diagnostic("error", code, message, span, hint)


def _unknown(what: str, name: str, span: m.Span, known: Any) -> Diagnostic:
    names = sorted(known)
    hint = did_you_mean(name, names) or (f"known: {', '.join(names)}" if names else None)
    return _error("bad-expectation", f"unknown {what} '{name}'", span, hint)
