"""Compiling the project file against a contract: the ``[columns]``, ``[values.FIELD]`` and
``[[services]]`` maps checked against the contract's vocabulary, each problem at its line
of ``rulebook.toml``, into a :class:`~rulebook.mapping.apply.Mapping` ready to apply; and
the warnings about services the contract does not cover."""

from __future__ import annotations

from collections.abc import Callable

from rulebook import model as m
from rulebook.conditions import coverage
from rulebook.intake.records import (
    RECORD_FIELDS,
    RecordError,
    fact_value,
)
from rulebook.mapping.apply import UNKNOWN, Mapping
from rulebook.project import Project, ProjectError, show_key
from rulebook.text import did_you_mean

#: Fact types a service rule's ``when`` can test (as text; sets: any item).
WHEN_TYPES = ("code", "country", "text", "bool")


def compile_mapping(project: Project, contract: m.Contract, strict: bool = False) -> Mapping:
    """Check ``project``'s maps against ``contract``'s vocabulary; raise
    :class:`~rulebook.project.ProjectError` naming every problem at its line."""
    vocabulary = contract.vocabulary
    assert vocabulary is not None
    facts = {f.name: f for f in vocabulary.facts}
    known = (
        *RECORD_FIELDS,
        *(f.name for f in vocabulary.facts if not f.derived),
        *(e.name for e in vocabulary.events),
    )
    problems: list[str] = []

    def problem(line: int, key: tuple[str | int, ...], what: str, accepted: str = "") -> None:
        text = f"{project.place(line)}: {show_key(key)}: {what}"
        problems.append(text + (f"; accepted: {accepted}" if accepted else ""))

    renames: dict[str, str] = {}
    key: tuple[str | int, ...]
    for rule in project.columns:
        key = ("columns", rule.column)
        if rule.field is None:
            continue
        if rule.field not in known:
            hint = did_you_mean(rule.field, known)
            problem(
                rule.line,
                key,
                f"'{rule.field}' is not a field of outage records",
                ", ".join(known) + (f" ({hint})" if hint else ""),
            )
        elif rule.field in renames.values():
            first = next(c for c, f in renames.items() if f == rule.field)
            problem(
                rule.line,
                key,
                f"'{rule.field}' is already read from column '{first}'",
                "one column a field",
            )
        else:
            renames[rule.column] = rule.field
    values: dict[str, dict[str, str]] = {}
    for word in project.values:
        key = ("values", word.field, word.word)
        decl = facts.get(word.field)
        mappable = [f.name for f in vocabulary.facts if not f.derived and f.type != "records"]
        if decl is None or decl.derived or decl.type == "records":
            hint = did_you_mean(word.field, mappable)
            problem(
                project.line_of("values", word.field),
                key[:2],
                f"'{word.field}' is not a fact whose values can be mapped",
                ", ".join(mappable) + (f" ({hint})" if hint else ""),
            )
            continue
        try:
            if word.value != UNKNOWN:  # the fact is not known: nothing to check
                fact_value(decl, [word.value] if decl.is_set else word.value, word.word)
        except RecordError as exc:
            problem(
                word.line,
                key,
                exc.problem,
                (exc.accepted or "") + (f" ({exc.hint})" if exc.hint else ""),
            )
            continue
        values.setdefault(word.field, {})[word.word] = word.value
    _check_services(project, contract, facts, problem)
    if problems:
        raise ProjectError("\n".join(dict.fromkeys(problems)))
    return Mapping(
        project,
        known,
        frozenset(f.name for f in vocabulary.facts if f.derived),
        renames,
        frozenset(c.column for c in project.columns if c.field is None),
        values,
        frozenset(f.name for f in vocabulary.facts if f.is_set or f.type == "records"),
        frozenset(("start", "end", *(e.name for e in vocabulary.events))),
        strict,
        frozenset(f.name for f in vocabulary.facts if f.type == "country"),
    )


def _check_services(
    project: Project,
    contract: m.Contract,
    facts: dict[str, m.FactDecl],
    problem: Callable[[int, tuple[str | int, ...], str, str], None],
) -> None:
    testable = ["id", *(n for n, f in facts.items() if not f.derived and f.type in WHEN_TYPES)]
    for i, rule in enumerate(project.services):
        for (field, _), line in zip(rule.when, rule.when_lines, strict=True):
            if field not in testable:
                hint = did_you_mean(field, testable)
                problem(
                    line,
                    ("services", i, "when", field),
                    "is not a field a service rule can test",
                    ", ".join(testable) + (f" ({hint})" if hint else ""),
                )


def scope_warnings(project: Project, contract: m.Contract) -> list[str]:
    """A warning for each service a rule maps to that ``contract`` does not cover."""
    found = coverage(contract)
    if found is None:
        return []
    clause, covered = found
    names = [t.value for t in clause.covers]
    out = []
    for i, rule in enumerate(project.services):
        for name in rule.to:
            if not covered(name):
                hint = did_you_mean(name, names)
                out.append(
                    f"warning: {project.place(rule.line)}: {show_key(('services', i, 'to'))}: "
                    f"'{name}' is not a service contract {contract.id} covers; covered: "
                    + ", ".join(names)
                    + (f" ({hint})" if hint else "")
                )
    return out
