"""The shape of the house: no import circles between modules, and the authoring commands
(check, the language server) start without the engine."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "rulebook"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, modules: set[str]) -> set[str]:
    """Every rulebook module a file imports, at the top or inside a function."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        found.update(n for n in names if n in modules)
    return found


def test_there_is_no_import_circle() -> None:
    files = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph = nx.DiGraph()
    for name, path in files.items():
        for target in _imports(path, set(files)):
            # The package's own __init__ only re-exports; `from rulebook import x` names a
            # submodule or the version, not a stage.
            if target != "rulebook" and name != "rulebook":
                graph.add_edge(name, target)
    assert list(nx.simple_cycles(graph)) == []


def test_the_engine_does_not_import_the_checks() -> None:
    files = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    for name, path in files.items():
        if name.startswith("rulebook.engine"):
            assert not any(t.startswith("rulebook.check") for t in _imports(path, set(files)))


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
