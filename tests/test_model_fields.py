"""Every field of the contract model has an effect, or is refused, or is listed here with
its reason.

The parser sets the model's fields; the record engine, the columnar plan, the document,
the report, the static checks and the examples runner read them. A field only the parser
sets is a construct the language accepts and nothing honours (as `per breached month` and
`consecutive` once were): this test walks the attrs model from :class:`Contract` down,
field by field, and fails for a field that no reader reads.

"Read" is found in the readers' source, by ``ast``: a module reads field ``f`` of class
``C`` when it loads the attribute ``.f`` (or ``getattr(x, "f")``) and the module can hold
a ``C`` — it names ``C`` (an annotation, an ``isinstance``, a constructor; a subclass or a
base of it counts), or it reads a field whose type holds ``C`` from a class it can hold
(``clause.threshold`` gives a module that holds a downtime clause a ``Comparison``).
"""

from __future__ import annotations

import ast
import typing
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest

from rulebook import model as m

PACKAGE = Path(__file__).resolve().parent.parent / "rulebook"

#: Where a field must be read to have an effect: the evaluators, what they write, the
#: checks that refuse, and the model-level helpers they share (the facts a condition
#: reads, the satisfiability of conditions). The grammar (which sets fields), the
#: formatter, the language server and the command line are not readers.
READERS = (
    "engine",
    "columnar",
    "document",
    "report",
    "check",
    "io/probes.py",  # the probe importer: the probe interval turns samples into outages
    "spark",
    "examples.py",
    "conditions.py",
    "satisfiable.py",
    "versions.py",  # a contract's versions resolved: the amendments' fields
)

#: Fields no reader needs to read, each with its reason. Keep this short: a field that
#: changes nothing is a field to implement or to refuse.
NOT_READ: dict[tuple[str, str], str] = {
    ("MonthDay", "span"): (
        "where a closure's day is written: the only mistake a day can have (no such day, "
        "02/30) is found by the parser at its token, before the model exists, and no check "
        "needs the place afterwards; kept because every node of the model has its span"
    ),
}


def model_classes() -> dict[str, type]:
    """The attrs classes of the model reached from :class:`Contract`, by their fields'
    types (unions, tuples and optionals opened), clause kinds through ``AnyClause``."""
    found: dict[str, type] = {}
    todo: list[type] = [m.Contract]
    while todo:
        cls = todo.pop()
        if cls.__name__ in found:
            continue
        found[cls.__name__] = cls
        for hint in typing.get_type_hints(cls, vars(m)).values():
            todo += [t for t in _attrs_types(hint) if t.__name__ not in found]
        todo += [c for c in cls.__subclasses__() if attrs.has(c)]
        todo += [b for b in cls.__mro__[1:] if attrs.has(b)]
    return found


def _attrs_types(hint: object) -> Iterator[type]:
    if isinstance(hint, type) and attrs.has(hint):
        yield hint
    for arg in typing.get_args(hint):  # Union, X | None, tuple[X, ...] alike
        yield from _attrs_types(arg)


def field_types(classes: dict[str, type]) -> dict[tuple[str, str], set[str]]:
    """(class, field) -> the model classes a value of that field can hold."""
    out: dict[tuple[str, str], set[str]] = {}
    for name, cls in classes.items():
        for field, hint in typing.get_type_hints(cls, vars(m)).items():
            out[(name, field)] = {t.__name__ for t in _attrs_types(hint)}
    return out


def fields(classes: dict[str, type]) -> list[tuple[str, str]]:
    """Every (class, field) of the model; a base class's field once, on the base."""
    out = []
    for name, cls in classes.items():
        own = {f.name for f in attrs.fields(cls)}
        for base in cls.__mro__[1:]:
            if attrs.has(base):
                own -= {f.name for f in attrs.fields(base)}
        out += [(name, f) for f in sorted(own)]
    return sorted(out)


def reader_sources() -> dict[str, str]:
    """The readers' modules and their text."""
    files: list[Path] = []
    for reader in READERS:
        path = PACKAGE / reader
        files += sorted(path.rglob("*.py")) if path.is_dir() else [path]
    return {str(p.relative_to(PACKAGE)): p.read_text(encoding="utf-8") for p in files}


def uses(tree: ast.AST) -> tuple[set[str], set[str]]:
    """The model classes a module names (``m.RemedyClause`` through its import of the model,
    or a name imported from it) and the attributes it loads."""
    aliases: set[str] = set()
    direct: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "rulebook":
            aliases |= {a.asname or a.name for a in node.names if a.name == "model"}
        elif isinstance(node, ast.ImportFrom) and node.module == "rulebook.model":
            direct |= {a.asname or a.name: a.name for a in node.names}
        elif isinstance(node, ast.Import):
            aliases |= {a.asname for a in node.names if a.name == "rulebook.model" and a.asname}
    names: set[str] = set()
    loaded: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in direct:
            names.add(direct[node.id])
        elif isinstance(node, ast.Attribute):
            if isinstance(node.value, ast.Name) and node.value.id in aliases:
                names.add(node.attr)  # `m.RemedyClause`
            elif isinstance(node.ctx, ast.Load):
                loaded.add(node.attr)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "getattr"
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant)
            and isinstance(node.args[1].value, str)
        ):
            loaded.add(node.args[1].value)
    return names, loaded


def held(
    names: set[str],
    loaded: set[str],
    classes: dict[str, type],
    types_of: dict[tuple[str, str], set[str]],
) -> set[str]:
    """The model classes a module can hold: those it names (with their bases and
    subclasses), and those it reaches by loading a field of a class it holds."""
    out: set[str] = set()
    for name in names & set(classes):
        out.add(name)
        cls = classes[name]
        out |= {b.__name__ for b in cls.__mro__ if b.__name__ in classes}
        out |= {s for s, c in classes.items() if issubclass(c, cls)}
    while True:
        more = {
            t
            for (cls, field), targets in types_of.items()
            if cls in out and field in loaded
            for t in targets
        } | {
            t
            for (cls, field), targets in types_of.items()
            if field in loaded and any(issubclass(classes[h], classes[cls]) for h in out)
            for t in targets
        }
        if more <= out:
            return out
        out |= more


def read_fields(
    sources: dict[str, str] | None = None,
) -> tuple[set[tuple[str, str]], list[tuple[str, str]]]:
    """The (class, field) pairs some reader reads, and every pair of the model."""
    classes = model_classes()
    types_of = field_types(classes)
    every = fields(classes)
    read: set[tuple[str, str]] = set()
    for text in (reader_sources() if sources is None else sources).values():
        names, loaded = uses(ast.parse(text))
        holds = held(names, loaded, classes, types_of)
        for cls, field in every:
            subclasses = {s for s, c in classes.items() if issubclass(c, classes[cls])}
            if field in loaded and holds & subclasses:
                read.add((cls, field))
    return read, every


def test_the_walk_reaches_the_whole_model() -> None:
    """Every attrs class of model.py is reached from Contract (or the walk misses fields)."""
    defined = {
        name
        for name, value in vars(m).items()
        if isinstance(value, type) and attrs.has(value) and value.__module__ == m.__name__
    }
    assert defined == set(model_classes())


def test_the_walk_sees_the_fields_it_must() -> None:
    """The walk finds what it should: the clause kinds' own fields, nested records' fields."""
    every = set(read_fields()[1])
    assert ("RemedyClause", "free_per_breach") in every
    assert ("DowntimeClause", "threshold") in every
    assert ("Comparison", "word") in every
    assert ("Clause", "citation") in every
    assert ("Expectation", "value_span") in every


def test_a_field_only_the_parser_sets_is_found() -> None:
    """The reading is real: a module that names a class but never loads a field does not
    read it, and a field loaded only where the class cannot be held does not count."""
    classes = model_classes()
    types_of = field_types(classes)
    source = (
        "from rulebook import model as m\n\ndef f(c: m.RemedyClause) -> None:\n    c.free = 1\n"
    )
    names, loaded = uses(ast.parse(source))
    assert names == {"RemedyClause"} and "free" not in loaded
    names, loaded = uses(ast.parse("def f(x: Any) -> object:\n    return x.consecutive\n"))
    assert "consecutive" in loaded and held(names, loaded, classes, types_of) == set()
    source = "from rulebook.model import DowntimeClause as D\n\ndef f(c: D) -> object:\n    return c.threshold\n"
    names, loaded = uses(ast.parse(source))
    reached = held(names, loaded, classes, types_of)
    assert {"DowntimeClause", "Comparison"} <= reached and "Quantity" not in reached


def test_an_evaluator_that_stops_reading_a_field_is_caught() -> None:
    """Take the readers as they are, but with the remedy's reading of `per breached month`
    (and the threshold's reading) gone: the test names those fields."""
    sources = reader_sources()
    assert ("RemedyClause", "free_per_breach") in read_fields(sources)[0]
    for old, new in ((".free_per_breach", ".free"), (".threshold", ".probes")):
        assert any(old in text for text in sources.values()), old
        sources = {path: text.replace(old, new) for path, text in sources.items()}
    read, _ = read_fields(sources)
    assert ("RemedyClause", "free_per_breach") not in read
    assert ("DowntimeClause", "threshold") not in read
    assert ("RemedyClause", "free") in read


@pytest.mark.parametrize(("cls", "field"), sorted(NOT_READ))
def test_every_listed_field_exists(cls: str, field: str) -> None:
    assert (cls, field) in set(read_fields()[1]), "a stale entry of NOT_READ"


def test_every_field_is_read_or_listed() -> None:
    read, every = read_fields()
    unread = [f"{cls}.{field}" for cls, field in every if (cls, field) not in read]
    unlisted = [f for f in unread if tuple(f.split(".")) not in NOT_READ]
    assert not unlisted, (
        "fields of the model no evaluator, document, report or check reads — implement "
        "them, refuse them in `check`, or list them in NOT_READ with the reason: "
        + ", ".join(unlisted)
    )


def test_no_listed_field_is_read_after_all() -> None:
    """An entry of NOT_READ for a field that a reader does read is out of date."""
    read, _ = read_fields()
    assert not [f for f in NOT_READ if f in read]
