"""Examples beside the rules, read without running them: ids are unique, each example
expects something, and its expectations name records, clauses and verdict words that exist.

Running the examples (and validating their records as input) is ``rulebook test``'s work:
it needs the engine, which `check` and the language server never import.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from rulebook import model as m
from rulebook.check.scope import Scope, error
from rulebook.diagnostics import Diagnostic
from rulebook.meanings import MET, OBLIGATION_VERDICTS, REMEDIES, STATUSES, VERDICTS
from rulebook.text import did_you_mean


def check_examples(contract: m.Contract, scope: Scope) -> Iterator[Diagnostic]:
    """Examples name existing records, clauses and verdicts."""
    if contract.vocabulary is None:
        return
    seen: dict[str, m.Example] = {}
    clause_ids = [c.id for c in contract.clauses]
    obligations = [c.id for c in contract.clauses if isinstance(c, m.ObligationClause)]
    for example in contract.examples:
        if example.id in seen:
            yield error("duplicate-id", f"example id '{example.id}' is used twice", example.span)
        seen[example.id] = example
        if not example.expectations:
            yield error(
                "empty-example",
                f"example {example.id} expects nothing",
                example.span,
                "add `expect RECORD VERDICT [by CLAUSE]`",
            )
        records = [str(dict(outage).get("id")) for outage in example.outages]
        for e in example.expectations:
            yield from _check_expectation(e, records, clause_ids, obligations)


_ACCEPTED = {
    "verdict": VERDICTS,
    "seconds": STATUSES,
    "obligation": OBLIGATION_VERDICTS,
    "met": MET,
    "remedy": REMEDIES,
}


def _check_expectation(
    e: m.Expectation, records: list[str], clauses: list[str], obligations: list[str]
) -> Iterator[Diagnostic]:
    if e.kind in ("verdict", "seconds", "obligation") and e.target not in records:
        yield _unknown("record", e.target, e.span, records)
    accepted = _ACCEPTED.get(e.kind)
    if accepted is not None and e.value not in accepted:
        yield _unknown(f"{e.kind} word", e.value, e.value_span or e.span, accepted)
    if e.kind == "verdict" and e.clause is not None and e.clause not in clauses:
        yield _unknown("clause", e.clause, e.clause_span or e.span, clauses)
    if e.kind == "obligation" and e.clause not in obligations:
        yield _unknown("obligation", e.clause or "", e.clause_span or e.span, obligations)


def _unknown(what: str, name: str, span: m.Span, known: Iterable[str]) -> Diagnostic:
    names = sorted(known)
    hint = did_you_mean(name, names) or (f"known: {', '.join(names)}" if names else None)
    return error("bad-expectation", f"unknown {what} '{name}'", span, hint)
