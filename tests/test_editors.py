"""Editor packaging: the Pygments lexer (registered by entry point) and the VS Code folder."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from pygments.lexers import get_lexer_by_name, get_lexer_for_filename
from pygments.token import Error, Keyword

from rulebook.grammar.parser import keywords
from rulebook.highlight import CONSTANTS, DECLARATIONS, SlaLexer

ROOT = Path(__file__).resolve().parent.parent
VSCODE = ROOT / "editors" / "vscode"
DOC_BLOCKS = [
    (page.name, block)
    for page in sorted((ROOT / "docs").glob("*.md"))
    for block in re.findall(r"```sla\n(.*?)```", page.read_text(encoding="utf-8"), re.S)
]


def test_the_lexer_is_found_by_name_and_by_file_name() -> None:
    assert isinstance(get_lexer_by_name("sla"), SlaLexer)
    assert isinstance(get_lexer_for_filename("contract.sla"), SlaLexer)


def test_the_lexer_marks_declarations_keywords_strings_and_boundary_words() -> None:
    tokens = list(SlaLexer().get_tokens("exclusion war { when duration < 30 min (以内) }"))
    assert (Keyword.Declaration, "exclusion") in tokens and (Keyword, "when") in tokens
    assert any(value == "(以内)" for _, value in tokens)


def test_every_bundled_contract_lexes_without_an_error_token() -> None:
    for path in sorted((ROOT / "contracts").glob("*.sla")):
        tokens = SlaLexer().get_tokens(path.read_text(encoding="utf-8"))
        assert [v for t, v in tokens if t is Error] == [], path.name


@pytest.mark.parametrize("page, block", DOC_BLOCKS, ids=[p for p, _ in DOC_BLOCKS])
def test_the_sla_blocks_of_the_docs_are_highlighted(page: str, block: str) -> None:
    tokens = list(SlaLexer().get_tokens(block))
    assert [v for t, v in tokens if t is Error] == []
    assert any(t in Keyword for t, _ in tokens)


def test_there_are_sla_blocks_in_the_docs() -> None:
    assert len(DOC_BLOCKS) >= 5


def test_the_vscode_grammar_knows_every_keyword_of_the_language() -> None:
    grammar = json.loads((VSCODE / "syntaxes" / "sla.tmLanguage.json").read_text(encoding="utf-8"))
    repository = grammar["repository"]
    named = set()
    for rule in ("declaration", "constant", "keyword"):
        named |= set(re.fullmatch(r"\\b\((.*)\)\\b", repository[rule]["match"]).group(1).split("|"))
    assert named == set(keywords()) | set(DECLARATIONS) | set(CONSTANTS)


def test_the_vscode_extension_points_at_files_that_exist() -> None:
    package = json.loads((VSCODE / "package.json").read_text(encoding="utf-8"))
    contributes = package["contributes"]
    # `main` is the bundle `vscode:prepublish` builds from extension.js
    assert package["main"] == "./dist/extension.js"
    assert (
        "extension.js --bundle --outfile=dist/extension.js"
        in package["scripts"]["vscode:prepublish"]
    )
    assert (VSCODE / "extension.js").is_file()
    assert (VSCODE / contributes["languages"][0]["configuration"]).is_file()
    assert (VSCODE / contributes["grammars"][0]["path"]).is_file()
    assert contributes["languages"][0]["extensions"] == [".sla"]
    json.loads((VSCODE / "language-configuration.json").read_text(encoding="utf-8"))
    assert "rulebook.server.command" in contributes["configuration"]["properties"]


def test_the_vscode_extension_can_be_published() -> None:
    """A licence, a README whose picture is in the package, and only what the extension
    needs in it (.vscodeignore)."""
    package = json.loads((VSCODE / "package.json").read_text(encoding="utf-8"))
    assert package["license"] == "MIT" and "MIT License" in (VSCODE / "LICENSE").read_text()
    readme = (VSCODE / "README.md").read_text(encoding="utf-8")
    pictures = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", readme)
    assert pictures and all((VSCODE / p).is_file() for p in pictures)
    ignored = (VSCODE / ".vscodeignore").read_text(encoding="utf-8").split()
    assert "node_modules/**" in ignored and "screenshot/**" in ignored


def test_the_vsix_built_in_ci_holds_the_extension() -> None:
    """`.ci/run` packages the extension before the tests (build/rulebook-sla.vsix)."""
    import zipfile

    from tests.conftest import in_ci

    vsix = ROOT / "build" / "rulebook-sla.vsix"
    if not vsix.is_file():
        assert not in_ci(), "CI did not build build/rulebook-sla.vsix"
        pytest.skip("the VS Code package is built by .ci/run (npm ci; npx vsce package)")
    names = set(zipfile.ZipFile(vsix).namelist())
    for wanted in (
        "extension/package.json",
        "extension/dist/extension.js",
        "extension/syntaxes/sla.tmLanguage.json",
        "extension/language-configuration.json",
        "extension/LICENSE.txt",
        "extension/readme.md",
        "extension/images/screenshot.png",
    ):
        assert wanted in names, (wanted, sorted(names))
    assert not any("node_modules" in n or "screenshot/" in n for n in names)
