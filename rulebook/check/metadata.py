"""The contract's metadata, citations and clause ids."""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterator

from rulebook import model as m
from rulebook.check.scope import Scope, error, warning
from rulebook.diagnostics import Diagnostic
from rulebook.meanings import KINDS, LANGUAGES, REQUIRED_META
from rulebook.text import did_you_mean


def check_metadata(contract: m.Contract, scope: Scope) -> Iterator[Diagnostic]:
    """Required metadata is present once, with accepted values."""
    seen: dict[str, m.Meta] = {}
    for meta in contract.meta:
        if meta.key in seen:
            yield error(
                "duplicate-meta",
                f"'{meta.key}' is given twice",
                meta.span,
                f"the first is on line {seen[meta.key].span.line}",
            )
        seen[meta.key] = meta
    for key in REQUIRED_META:
        if key not in seen:
            yield error(
                "missing-meta",
                f"contract {contract.id} has no '{key}'",
                contract.span,
                _META_HINTS[key],
            )
    checks = (("kind", KINDS), ("language", LANGUAGES))
    for key, accepted in checks:
        if key in seen and seen[key].value not in accepted:
            meta = seen[key]
            yield error(
                f"bad-{key}",
                f"{key} '{meta.value}' is not one of {', '.join(accepted)}",
                meta.span,
                did_you_mean(meta.value, accepted),
            )
    if "timezone" in seen:
        tz = seen["timezone"]
        try:
            zoneinfo.ZoneInfo(tz.value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            yield error(
                "bad-timezone",
                f"'{tz.value}' is not an IANA timezone",
                tz.span,
                did_you_mean(tz.value, sorted(zoneinfo.available_timezones()))
                or 'write e.g. timezone "Asia/Tokyo"',
            )
    if contract.vocabulary is None:
        yield error(
            "no-vocabulary",
            f"contract {contract.id} uses no vocabulary, so no fact can be named",
            contract.span,
            'add `import "vocabulary.sla"` at the top of the file',
        )


_META_HINTS = {
    "title": 'add `title "..."` with the document\'s title',
    "provider": 'add `provider "..."` naming the company that gives the promise',
    "source": 'add `source "..."` naming the document the clauses quote',
    "language": "add `language ja` (the language of the quoted text)",
    "timezone": 'add `timezone "Asia/Tokyo"`; timestamps without an offset are read in it',
    "kind": "add `kind guarantee` (a remedy is owed) or `kind objective` (a target only)",
}


def check_citations(contract: m.Contract, scope: Scope) -> Iterator[Diagnostic]:
    """Every clause cites the article and sentence it encodes."""
    for clause in contract.clauses:
        if clause.citation is None:
            yield warning(
                "no-citation",
                f"{clause.kind} {clause.id} cites no article of the contract",
                clause.span,
                'add `cite "第N条" "the original sentence"`',
            )
        elif not all(q.strip() for q in clause.citation.quotes) or not clause.citation.article:
            yield warning(
                "empty-citation",
                f"{clause.kind} {clause.id} has an empty citation",
                clause.citation.span,
                "quote the article and the sentence it encodes",
            )


def check_duplicate_ids(contract: m.Contract, scope: Scope) -> Iterator[Diagnostic]:
    """Clause ids are unique within a contract."""
    first: dict[str, m.AnyClause] = {}
    for clause in contract.clauses:
        if clause.id in first:
            yield error(
                "duplicate-id",
                f"clause id '{clause.id}' is used twice",
                clause.span,
                f"the first {first[clause.id].kind} {clause.id} is on line "
                f"{first[clause.id].span.line}; rename one",
            )
        else:
            first[clause.id] = clause
