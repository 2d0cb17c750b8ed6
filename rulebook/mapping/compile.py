"""Compiling the project file against a contract: the ``[columns]``, ``[values.FIELD]`` and
``[[services]]`` maps checked against the contract's vocabulary, each problem at its line
of ``rulebook.toml``, into a :class:`~rulebook.mapping.apply.Mapping` ready to apply; and
the warnings about services the contract does not cover."""

from __future__ import annotations

from collections.abc import Callable

from rulebook import model as m
from rulebook.conditions import coverage
from rulebook.intake.billing import BILLING_FIELDS, TERMS
from rulebook.intake.kinds import KINDS
from rulebook.intake.records import (
    EVENT_FIELDS,
    NOTICE_FIELDS,
    RECORD_FIELDS,
    RecordError,
    fact_value,
)
from rulebook.io.toml_lines import show_key
from rulebook.mapping.apply import UNKNOWN, Mapping
from rulebook.mapping.others import InputMaps
from rulebook.project import ColumnRule, InputMap, Project, ProjectError
from rulebook.text import did_you_mean
from rulebook.versions import every

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

    renames = _renames(project.columns, (), known, "outage records", problem)
    key: tuple[str | int, ...]
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
    inputs = {i.kind: _input_maps(i, vocabulary, problem) for i in project.inputs}
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
        inputs=inputs,
    )


def _renames(
    rules: tuple[ColumnRule, ...],
    prefix: tuple[str, ...],
    fields: tuple[str, ...],
    what: str,
    problem: Callable[[int, tuple[str | int, ...], str, str], None],
) -> dict[str, str]:
    """``[columns]`` (or ``[KIND.columns]``) checked: each column read as a field of
    ``what``, one column a field."""
    renames: dict[str, str] = {}
    for rule in rules:
        key: tuple[str | int, ...] = (*prefix, "columns", rule.column)
        if rule.field is None:
            continue
        if rule.field not in fields:
            hint = did_you_mean(rule.field, fields)
            problem(
                rule.line,
                key,
                f"'{rule.field}' is not a field of {what}",
                ", ".join(fields) + (f" ({hint})" if hint else ""),
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
    return renames


_INPUT_FIELDS = {"notices": NOTICE_FIELDS, "billing": BILLING_FIELDS, "events": EVENT_FIELDS}


def _input_maps(
    maps: InputMap,
    vocabulary: m.Vocabulary,
    problem: Callable[[int, tuple[str | int, ...], str, str], None],
) -> InputMaps:
    """The maps of a notices, billing or events file, checked: each column to a field of
    that kind, each word to a value its field accepts."""
    fields = _INPUT_FIELDS[maps.kind]
    what = KINDS[maps.kind][0]
    renames = _renames(maps.columns, (maps.kind,), fields, what, problem)
    values: dict[str, dict[str, str]] = {}
    for word in maps.values:
        key = (maps.kind, "values", word.field, word.word)
        if word.field not in fields:
            hint = did_you_mean(word.field, fields)
            problem(
                word.line,
                key[:3],
                f"'{word.field}' is not a field of {what}",
                ", ".join(fields) + (f" ({hint})" if hint else ""),
            )
            continue
        wrong = _wrong_value(maps.kind, word.field, word.value, word.word, vocabulary)
        if wrong is not None:
            problem(word.line, key, *wrong)
            continue
        values.setdefault(word.field, {})[word.word] = word.value
    return InputMaps(renames, frozenset(c.column for c in maps.columns if c.field is None), values)


def _wrong_value(
    kind: str, field: str, value: str, word: str, vocabulary: m.Vocabulary
) -> tuple[str, str] | None:
    """What is wrong with ``value`` as ``field`` of ``kind`` (None: nothing we can tell
    before reading: ids, services and times are checked as the records are)."""
    if kind == "events" and field == "event":
        names = [e.name for e in vocabulary.events]
        if value not in names:
            hint = did_you_mean(value, names)
            return f"'{value}' is not an event", ", ".join(names) + (f" ({hint})" if hint else "")
    if kind == "billing" and field == "term" and value not in TERMS:
        return f"'{value}' is not a contract term", ", ".join(TERMS)
    if (
        kind == "billing"
        and field == "currency"
        and not (len(value) == 3 and value.isalpha() and value.isupper())
    ):
        return f"'{value}' is not a currency code", "ISO 4217, e.g. JPY, USD"
    decl = vocabulary.fact(field) if kind == "notices" else None
    if decl is not None and field in ("channel", "emergency"):
        try:
            fact_value(decl, value, word)
        except RecordError as exc:
            return exc.problem, (exc.accepted or "") + (f" ({exc.hint})" if exc.hint else "")
    return None


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
    """A warning for each service a rule maps to that ``contract`` (any of its versions)
    does not cover."""
    found = coverage(every(contract))
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


_SHOWN = 10  # out-of-scope services named in the warning


def scope_warning(contract: m.Contract, services: dict[str, int]) -> str | None:
    """One warning for the out-of-scope records (``services``: records per service name),
    naming the nearest covered names and how to map them; None when there are none."""
    if not services:
        return None
    covers = [t.value for s in contract.of_kind("services") for t in getattr(s, "covers", ())]
    records = sum(services.values())
    lines = [
        f"warning: {records} record(s) of {len(services)} service(s) are out of scope: "
        f"contract {contract.id} does not cover them, so no time of theirs is counted"
    ]
    for name in list(services)[:_SHOWN]:
        hint = did_you_mean(name, covers)
        lines.append(f"  {name} ({services[name]} record(s))" + (f": {hint}" if hint else ""))
    if len(services) > _SHOWN:
        lines.append(f"  and {len(services) - _SHOWN} more")
    lines.append(
        f"  covered: {', '.join(covers) or '(none)'}; to count such records, map the name to "
        "a covered one in rulebook.toml ([[services]]), rename the service in the log or "
        "add it to the contract's `covers` (see docs/formats.md)"
    )
    return "\n".join(lines)
