"""The shape of the house: a declared order of layers that imports follow one way, no
import circles, no private name used across packages, modules of a readable size, and the
authoring commands (check, the language server) start without the engine.

docs/design.md draws the same layers; each package's ``__init__`` says what it may import.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "rulebook"

#: The layers, bottom to top. A unit — a top-level module or a subpackage of ``rulebook`` —
#: may import only the units listed before it: in a lower layer, or earlier in its own.
#: Imports at the top of a module, inside functions and under ``TYPE_CHECKING`` all count.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "text and units",
        (
            "_version",
            "reprs",
            "allocator",
            "collector",
            "text",
            "units",
            "countries",
            "limits",
            "meanings",
        ),
    ),
    (
        "model",
        (
            "model",
            "diagnostics",
            "errors",
            "nodes",
            "satisfiable",
            "conditions",
            "arguments",
            "versions",
        ),
    ),
    ("grammar", ("grammar", "highlight")),
    ("check", ("check", "prove", "contract_cache", "load")),
    ("io", ("io", "project")),
    ("intake and mapping", ("intake", "mapping", "evidence", "draft")),
    ("engine and columnar", ("engine", "columnar")),
    ("document", ("document", "amend", "spark", "branches", "examples")),
    ("report", ("report",)),
    ("command line", ("lsp", "cli", "__main__", "rulebook")),
)

#: The position of each unit in the order; ``rulebook`` is the package root (the public
#: API, which re-exports the library's entry points), last: nothing imports a name from it.
ORDER = {unit: i for i, unit in enumerate(u for _, units in LAYERS for u in units)}

#: Modules allowed past :data:`MAX_LINES`, each with the reason it is one piece.
MAX_LINES = 600
LARGE = {
    "rulebook/model.py": "the contract model: one frozen record a construct, one page to read",
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def sources() -> dict[str, str]:
    """Every module of the package and its text."""
    return {_module_name(p): p.read_text(encoding="utf-8") for p in PACKAGE.rglob("*.py")}


def unit_of(module: str) -> str:
    """``rulebook.engine.facts`` -> ``engine``; the root is ``rulebook``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def imports(modules: dict[str, str]) -> list[tuple[str, str, str | None, int]]:
    """Every import of a rulebook module: (importer, imported module, name or None, line),
    at the top, inside functions and under ``TYPE_CHECKING`` alike."""
    found = []
    for name, text in modules.items():
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.Import):
                found += [(name, a.name, None, node.lineno) for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for a in node.names:
                    sub = f"{node.module}.{a.name}"
                    if sub in modules:  # `from rulebook import model`: the module itself
                        found.append((name, sub, None, node.lineno))
                    else:
                        found.append((name, node.module, a.name, node.lineno))
    return [f for f in found if f[1] == "rulebook" or f[1].startswith("rulebook.")]


def violations(modules: dict[str, str]) -> list[str]:
    """What breaks the declared order: undeclared units, imports that climb (or stay level
    against the order), and private names imported from another unit."""
    problems = [
        f"{name}: unit '{unit_of(name)}' is in no layer of LAYERS"
        for name in sorted(modules)
        if unit_of(name) not in ORDER
    ]
    for importer, target, attr, line in imports(modules):
        src, dst = unit_of(importer), unit_of(target)
        if src == dst or src not in ORDER:
            continue
        if dst not in ORDER or ORDER[dst] > ORDER[src]:
            problems.append(f"{importer}:{line}: imports {target} ('{dst}' is above '{src}')")
        if attr and attr.startswith("_") and not attr.startswith("__"):
            problems.append(f"{importer}:{line}: imports the private name {target}.{attr}")
    return problems


def test_imports_follow_the_declared_layers() -> None:
    assert violations(sources()) == []


@pytest.mark.parametrize(
    "planted",
    [
        "from rulebook.report.view import budget\n",
        "def f():\n    from rulebook.cli import main\n",
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from rulebook.document import fields\n",
        "import rulebook.spark\n",
        "from rulebook import __version__\n",
    ],
)
def test_a_planted_upward_import_fails(planted: str) -> None:
    modules = {**sources(), "rulebook.engine.planted": planted}
    found = violations(modules)
    assert len(found) == 1
    assert found[0].startswith("rulebook.engine.planted:")
    assert "is above 'engine'" in found[0]


def test_a_planted_private_import_and_an_undeclared_unit_fail() -> None:
    modules = {
        **sources(),
        "rulebook.report.planted": "from rulebook.engine.classify import kleene_and as k\n"
        "from rulebook.engine.adjudicate import _window_segments\n",
        "rulebook.newthing": "x = 1\n",
    }
    assert violations(modules) == [
        "rulebook.newthing: unit 'newthing' is in no layer of LAYERS",
        "rulebook.report.planted:2: imports the private name "
        "rulebook.engine.adjudicate._window_segments",
    ]


def test_there_is_no_import_circle() -> None:
    modules = sources()
    graph = nx.DiGraph()
    units = nx.DiGraph()
    for importer, target, _, _ in imports(modules):
        graph.add_edge(importer, target)
        if unit_of(importer) != unit_of(target):
            units.add_edge(unit_of(importer), unit_of(target))
    assert list(nx.simple_cycles(graph)) == []
    assert list(nx.simple_cycles(units)) == []


def test_the_evaluators_do_not_import_the_checks() -> None:
    # Allowed by the order, but a contract reaches the evaluators checked: they never check.
    for importer, target, _, line in imports(sources()):
        if unit_of(importer) in ("engine", "columnar"):
            assert unit_of(target) != "check", f"{importer}:{line}"


def test_every_layer_is_declared_once() -> None:
    listed = [u for _, units in LAYERS for u in units]
    assert len(listed) == len(set(listed))
    present = {unit_of(name) for name in sources()}
    assert sorted(set(listed) - present) == []


def test_modules_are_of_a_readable_size() -> None:
    sizes = {
        str(p.relative_to(PACKAGE.parent)): len(p.read_text(encoding="utf-8").splitlines())
        for p in PACKAGE.rglob("*.py")
    }
    over = sorted(f"{path}: {n} lines" for path, n in sizes.items() if n > MAX_LINES)
    assert [o for o in over if o.split(":")[0] not in LARGE] == []
    # an exception that is no longer needed is taken off the list
    assert sorted(path for path in LARGE if sizes.get(path, 0) <= MAX_LINES) == []


def test_every_package_says_what_it_is_for_and_what_it_may_import() -> None:
    for init in sorted(PACKAGE.rglob("__init__.py")):
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) or ""
        assert "Layer:" in doc or init.parent == PACKAGE, init


def test_every_package_is_in_the_wheel() -> None:
    # pyproject.toml lists the packages: one left out would be missing from `pip install .`
    import tomllib

    config = tomllib.loads((PACKAGE.parent / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"]) - {"rulebook.contracts"}
    present = {_module_name(p) for p in PACKAGE.rglob("__init__.py")}
    assert listed == present


#: The modules an extra's distributions may be imported from (each such import is in a
#: function that says what to install when it is missing); every other third-party import
#: must come with ``pip install .``.
EXTRA_MODULES = {
    "spark": ("rulebook.spark", "rulebook.cli.spark"),
    "prove": ("rulebook.prove",),
    "highlight": ("rulebook.highlight",),
}


def _distribution(requirement: str) -> str:
    import re

    return re.split(r"[<>=!~;\[ ]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def _installed_with(names: set[str]) -> set[str]:
    """``names`` and every distribution they require, as installed here."""
    from importlib import metadata

    seen: set[str] = set()
    todo = list(names)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            requires = metadata.requires(name) or []
        except metadata.PackageNotFoundError:
            continue
        todo += [_distribution(r) for r in requires if "extra ==" not in r]
    return seen


def test_every_third_party_import_comes_with_the_install() -> None:
    """``--engine stream`` imported pyarrow, which only the test and Spark extras
    installed: after ``pip install .`` it stopped with a traceback."""
    import tomllib
    from importlib import metadata

    config = tomllib.loads((PACKAGE.parent / "pyproject.toml").read_text(encoding="utf-8"))
    project = config["project"]
    core = _installed_with({_distribution(r) for r in project["dependencies"]})
    extras = {
        extra: {_distribution(r) for r in requirements}
        for extra, requirements in project["optional-dependencies"].items()
    }
    owners = metadata.packages_distributions()
    wrong = []
    for name, text in sources().items():
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.Import):
                tops = [a.name.split(".")[0] for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                tops = [node.module.split(".")[0]]
            else:
                continue
            for top in tops:
                if top in sys.stdlib_module_names or top == "rulebook":
                    continue
                dists = {d.lower().replace("_", "-") for d in owners.get(top, [top])}
                if dists & core:
                    continue
                allowed = [
                    extra
                    for extra, modules in EXTRA_MODULES.items()
                    if dists & extras.get(extra, set())
                    and any(name == m or name.startswith(m + ".") for m in modules)
                ]
                if not allowed:
                    wrong.append(f"{name}:{node.lineno} imports {top}")
    assert wrong == []


@pytest.mark.parametrize(
    "modules, forbidden",
    [
        (
            "rulebook.cli, rulebook.check",
            ("rulebook.engine", "polars", "pygls", "lsprotocol", "pygments"),
        ),
        ("rulebook.lsp.server", ("rulebook.engine", "polars", "pygments")),
    ],
)
def test_check_and_the_language_server_do_not_load_the_engine(
    modules: str, forbidden: tuple[str, ...]
) -> None:
    code = (
        f"import sys, {modules}\n"
        "from rulebook.load import check_files\n"
        "check_files(['contracts/cybermail.sla'])\n"
        f"heavy = sorted(m for m in sys.modules if m.startswith({forbidden!r}))\n"
        "print(heavy)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=PACKAGE.parent,
    )
    assert out.stdout.strip() == "[]"


def test_every_attrs_class_is_shown_by_one_repr() -> None:
    # attrs compiles a __repr__ for each class it builds (about 0.2 ms a class at every
    # start): rulebook's classes are built without one and shown by rulebook.reprs instead,
    # unless a class writes its own.
    missing = []
    for name, text in sources().items():
        for node in ast.walk(ast.parse(text)):
            if not isinstance(node, ast.ClassDef):
                continue
            for i, deco in enumerate(node.decorator_list):
                call = deco.func if isinstance(deco, ast.Call) else deco
                if not (
                    isinstance(call, ast.Attribute)
                    and isinstance(call.value, ast.Name)
                    and call.value.id in ("attrs", "attr")
                    and call.attr in ("frozen", "define", "mutable", "s", "attrs")
                ):
                    continue
                keywords = deco.keywords if isinstance(deco, ast.Call) else []
                plain = any(
                    k.arg == "repr" and isinstance(k.value, ast.Constant) and k.value.value is False
                    for k in keywords
                )
                above = [d.id for d in node.decorator_list[:i] if isinstance(d, ast.Name)]
                own = any(
                    isinstance(s, ast.FunctionDef) and s.name == "__repr__" for s in node.body
                )
                if not own and not (plain and "with_repr" in above):
                    missing.append(f"{name}:{node.lineno}: class {node.name}")
    assert missing == []


def test_the_one_repr_shows_a_value_as_attrs_would() -> None:
    import attrs

    from rulebook.reprs import with_repr

    @attrs.define
    class Compiled:
        name: str
        items: list[object]
        hidden: int = attrs.field(default=0, repr=False)

    @with_repr
    @attrs.define(repr=False)
    class Shown:
        name: str
        items: list[object]
        hidden: int = attrs.field(default=0, repr=False)

    texts = {}
    for cls in (Compiled, Shown):
        inner = cls("in'ner", [None, 1.5, ("t",)], 7)
        outer = cls("outer", [inner, {"k": "v"}])
        outer.items.append(outer)  # met again inside itself: "..."
        texts[cls.__name__] = repr(outer)
    assert texts["Shown"] == texts["Compiled"].replace("Compiled", "Shown")
    assert "..." in texts["Shown"] and "hidden" not in texts["Shown"]
