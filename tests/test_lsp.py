"""The language server end to end: `python -m rulebook lsp` started as a subprocess and
driven over JSON-RPC on stdio by pygls's client, as an editor would."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from lsprotocol import types as lsp
from pygls.lsp.client import LanguageClient

from rulebook.lsp import features
from rulebook.lsp.analysis import analyse
from tests.helpers import contract_text

ROOT = Path(__file__).resolve().parent.parent

BODY = """  exclusion force_majeure "天災地変" {
    cite "第4条" "天災地変その他の不可抗力"
    when cause in {natural_disaster, war}
  }
  exclusion short "ｶﾀｶﾅ 短時間" {
    cite "第5条" "10分未満"
    when duration < 10 min (未満) and casue = war
  }
  example e {
    outage a "S" from "2026-09-03T10:00:00" to "2026-09-03T11:00:00" { cause war }
    expect a excluded by force_majeure
  }"""
TEXT = contract_text(BODY)


def line_of(text: str, needle: str) -> tuple[int, int]:
    """0-based line and column (characters) of the first ``needle``."""
    for i, line in enumerate(text.split("\n")):
        if needle in line:
            return i, line.index(needle)
    raise AssertionError(needle)


def test_a_real_client_session(tmp_path: Path) -> None:
    asyncio.run(asyncio.wait_for(_session(tmp_path), timeout=60))


async def _session(tmp_path: Path) -> None:
    path = tmp_path / "c.sla"
    path.write_text(TEXT, encoding="utf-8")
    uri = path.as_uri()
    client = LanguageClient("test", "1")
    published: list[lsp.PublishDiagnosticsParams] = []
    arrived = asyncio.Event()

    @client.feature(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def on_diagnostics(_: LanguageClient, params: lsp.PublishDiagnosticsParams) -> None:
        published.append(params)
        arrived.set()

    async def diagnostics() -> list[lsp.Diagnostic]:
        await asyncio.wait_for(arrived.wait(), 20)
        arrived.clear()
        return list(published[-1].diagnostics)

    await client.start_io(sys.executable, "-m", "rulebook", "lsp", cwd=str(ROOT))
    try:
        result = await client.initialize_async(
            lsp.InitializeParams(capabilities=lsp.ClientCapabilities(), root_uri=tmp_path.as_uri())
        )
        capabilities = result.capabilities
        assert capabilities.hover_provider and capabilities.definition_provider
        assert capabilities.document_formatting_provider and capabilities.completion_provider
        client.initialized(lsp.InitializedParams())

        # didOpen: check's diagnostic, with its code and hint, at the misspelt fact; the
        # line has half-width katakana above it and the column is in UTF-16 units.
        client.text_document_did_open(
            lsp.DidOpenTextDocumentParams(
                text_document=lsp.TextDocumentItem(uri=uri, language_id="sla", version=1, text=TEXT)
            )
        )
        found = await diagnostics()
        assert [(d.code, d.severity) for d in found] == [
            ("unknown-fact", lsp.DiagnosticSeverity.Error)
        ]
        line, column = line_of(TEXT, "casue")
        assert found[0].range.start == lsp.Position(line=line, character=column)
        assert found[0].range.end == lsp.Position(line=line, character=column + 5)
        assert found[0].message == "unknown fact 'casue'\nhint: did you mean 'cause'?"

        # didChange: the fix clears it; a syntax error anywhere is reported as the author types
        fixed = TEXT.replace("casue", "cause")
        _change(client, uri, 2, fixed)
        assert await diagnostics() == []
        broken = fixed.replace("exclusion short", "exclsion short")
        _change(client, uri, 3, broken)
        (syntax,) = await diagnostics()
        assert syntax.code == "syntax" and "did you mean 'exclusion'?" in syntax.message
        _change(client, uri, 4, fixed)
        assert await diagnostics() == []

        # hover: a fact, a code, a clause reference (with its citation) and a unit
        hover = await _hover(client, uri, fixed, "cause in")
        assert "fact `cause`" in hover and "原因 / cause" in hover
        hover = await _hover(client, uri, fixed, "natural_disaster")
        assert "code `natural_disaster`" in hover and "天災地変 / natural disaster" in hover
        hover = await _hover(client, uri, fixed, "force_majeure\n", last=True)
        assert "exclusion `force_majeure`" in hover and "第4条" in hover
        assert "> 天災地変その他の不可抗力" in hover
        hover = await _hover(client, uri, fixed, "min (")
        assert "unit `min`" in hover and "分" in hover

        # completion: the codes of the fact being compared; keywords and facts elsewhere
        line, column = line_of(fixed, "natural_disaster")
        items = await _complete(client, uri, line, column)
        assert "war" in items and "provider_fault" in items and "when" not in items
        line, _ = line_of(fixed, "expect a excluded by")
        items = await _complete(client, uri, line, len(fixed.split("\n")[line]))
        assert items == {"force_majeure", "short"}
        items = await _complete(client, uri, line + 1, 2)
        assert {"exclusion", "when", "cause", "min", "force_majeure"} <= items

        # definition: a clause reference goes to the clause; a code to the vocabulary
        line, column = line_of(fixed, "excluded by force_majeure")
        location = await client.text_document_definition_async(
            lsp.DefinitionParams(
                text_document=lsp.TextDocumentIdentifier(uri=uri),
                position=lsp.Position(line=line, character=column + 14),
            )
        )
        assert isinstance(location, lsp.Location)
        assert (
            location.uri == uri
            and location.range.start.line == line_of(fixed, "exclusion force")[0]
        )
        line, column = line_of(fixed, "natural_disaster")
        location = await client.text_document_definition_async(
            lsp.DefinitionParams(
                text_document=lsp.TextDocumentIdentifier(uri=uri),
                position=lsp.Position(line=line, character=column + 1),
            )
        )
        assert isinstance(location, lsp.Location) and location.uri.endswith("/vocabulary.sla")

        # document symbols: the clause outline
        symbols = await client.text_document_document_symbol_async(
            lsp.DocumentSymbolParams(text_document=lsp.TextDocumentIdentifier(uri=uri))
        )
        assert symbols is not None
        (contract,) = symbols
        assert isinstance(contract, lsp.DocumentSymbol) and contract.name == "t"
        assert [c.name for c in contract.children or []] == ["force_majeure", "short", "e"]

        # formatting: rulebook fmt's layout as one edit
        messy = fixed.replace(
            "    when cause in {natural_disaster, war}", "  when cause in { natural_disaster,war }"
        )
        _change(client, uri, 5, messy)
        await diagnostics()
        edits = await client.text_document_formatting_async(
            lsp.DocumentFormattingParams(
                text_document=lsp.TextDocumentIdentifier(uri=uri),
                options=lsp.FormattingOptions(tab_size=2, insert_spaces=True),
            )
        )
        assert edits is not None and len(edits) == 1 and edits[0].new_text == fixed

        await client.shutdown_async(None)
        client.exit(None)
    finally:
        await client.stop()


def _change(client: LanguageClient, uri: str, version: int, text: str) -> None:
    client.text_document_did_change(
        lsp.DidChangeTextDocumentParams(
            text_document=lsp.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[lsp.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


async def _hover(
    client: LanguageClient, uri: str, text: str, needle: str, last: bool = False
) -> str:
    lines = text.split("\n")
    index = text.rindex(needle) if last else text.index(needle)
    line = text.count("\n", 0, index)
    column = index - (text.rfind("\n", 0, index) + 1)
    assert lines[line]
    hover: Any = await client.text_document_hover_async(
        lsp.HoverParams(
            text_document=lsp.TextDocumentIdentifier(uri=uri),
            position=lsp.Position(line=line, character=column + 1),
        )
    )
    assert hover is not None
    return str(hover.contents.value)


async def _complete(client: LanguageClient, uri: str, line: int, column: int) -> set[str]:
    result = await client.text_document_completion_async(
        lsp.CompletionParams(
            text_document=lsp.TextDocumentIdentifier(uri=uri),
            position=lsp.Position(line=line, character=column),
        )
    )
    assert isinstance(result, lsp.CompletionList)
    return {item.label for item in result.items}


# ------------------------------------------------------------------ any text, any position

CYBERMAIL = (ROOT / "contracts" / "cybermail.sla").read_text(encoding="utf-8")


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # shrinking a contract is slow
)
@given(st.data())
def test_no_text_and_no_position_makes_a_feature_fail(data: st.DataObject) -> None:
    text = CYBERMAIL
    for _ in range(data.draw(st.integers(0, 3))):
        at = data.draw(st.integers(0, len(text)))
        junk = data.draw(st.sampled_from(["", "{", "}", '"', "（", "by ", "cause in {", "\n"]))
        text = text[:at] + junk + text[at + data.draw(st.integers(0, 20)) :]
    analysis = analyse(str(ROOT / "contracts" / "damaged.sla"), text)
    at = features.converter(analysis)
    lines = analysis.lines
    line = data.draw(st.integers(0, len(lines)))
    column = data.draw(st.integers(0, len(lines[line]) + 2 if line < len(lines) else 3))
    features.diagnostics(analysis, at)
    features.hover(analysis, line, column, at)
    features.definition(analysis, line, column, at)
    features.completion(analysis, line, column)
    features.symbols(analysis, at)


def test_a_malformed_message_is_logged_in_one_line_and_the_server_goes_on() -> None:
    def frame(body: bytes) -> bytes:
        return b"Content-Length: %d\r\n\r\n" % len(body) + body

    initialize = (
        b'{"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}}'
    )
    exit_ = b'{"jsonrpc": "2.0", "method": "exit"}'
    done = subprocess.run(
        [sys.executable, "-m", "rulebook", "lsp"],
        input=frame(b"{bad}") + frame(initialize) + frame(exit_),
        capture_output=True,
        timeout=60,
        cwd=ROOT,
    )
    assert b'"id": 1' in done.stdout and b'"capabilities"' in done.stdout
    assert b"Traceback" not in done.stderr and b"rulebook lsp: ERROR" in done.stderr
