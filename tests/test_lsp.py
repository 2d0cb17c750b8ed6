"""The language server end to end: `python -m rulebook lsp` started as a subprocess and
driven over JSON-RPC on stdio by pygls's client, as an editor would."""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from lsprotocol import types as lsp
from pygls.lsp.client import LanguageClient

from rulebook.lsp import features
from rulebook.lsp.analysis import analyse, string_at, word_at
from rulebook.lsp.completion import completion
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
        items = await _complete(client, uri, line + 1, 2)  # a new item of the example
        assert {"expect", "outage", "notice", "billing"} <= items and "when" not in items

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
def test_any_text_and_any_position_give_well_formed_answers(data: st.DataObject) -> None:
    """The cybermail contract damaged in up to three places, asked at any position (past
    the end of a line or of the text too): no feature fails, and each answer is the right
    one for its request — the diagnostics are exactly `rulebook check`'s of the same text
    read from disk, at their places in UTF-16 units; a hover and a definition are about the
    name under the cursor; the outline's names are where it says they are."""
    text = CYBERMAIL
    for _ in range(data.draw(st.integers(0, 3))):
        at = data.draw(st.integers(0, len(text)))
        junk = data.draw(st.sampled_from(["", "{", "}", '"', "（", "by ", "cause in {", "\n"]))
        text = text[:at] + junk + text[at + data.draw(st.integers(0, 20)) :]
    path = str(ROOT / "contracts" / "damaged.sla")
    analysis = analyse(path, text)
    at = features.converter(analysis)
    lines = analysis.lines
    line = data.draw(st.integers(0, len(lines)))
    column = data.draw(st.integers(0, len(lines[line]) + 2 if line < len(lines) else 3))

    _diagnostics_are_checks(text, features.diagnostics(analysis, at), lines)
    if text == CYBERMAIL:
        assert features.diagnostics(analysis, at) == []
    _hover_is_about_the_word(analysis, line, column, features.hover(analysis, line, column, at))
    _definition_is_of_the_word(
        analysis, line, column, features.definition(analysis, line, column, at)
    )
    _completion_fits_the_place(analysis, line, column, completion(analysis, line, column))
    for symbol in features.symbols(analysis, at):
        _symbol_is_where_it_says(symbol, lines, None)


def test_an_unclosed_contract_still_holds_its_clauses_in_the_outline() -> None:
    """While the contract's closing brace is missing (as when typing), its outline range
    still holds its clauses (an editor reveals a clause inside its parent)."""
    text = CYBERMAIL.rstrip().removesuffix("}")
    analysis = analyse(str(ROOT / "contracts" / "damaged.sla"), text)
    (contract,) = features.symbols(analysis, features.converter(analysis))
    assert contract.name == "cybermail" and len(contract.children or []) > 30
    _symbol_is_where_it_says(contract, analysis.lines, None)


def _u16(text: str) -> int:
    """The length of ``text`` in UTF-16 code units (the protocol's default)."""
    return len(text.encode("utf-16-le")) // 2


def _text_at(lines: list[str], span: lsp.Range) -> str:
    """The text of a one-line range given in UTF-16 units."""
    assert span.start.line == span.end.line, span
    units = lines[span.start.line].encode("utf-16-le")
    return units[2 * span.start.character : 2 * span.end.character].decode("utf-16-le")


def _inside(lines: list[str], span: lsp.Range) -> None:
    """A range that starts no later than it ends and lies within the document."""
    for position in (span.start, span.end):
        assert 0 <= position.line < len(lines), span
        assert 0 <= position.character <= _u16(lines[position.line]), span
    assert (span.start.line, span.start.character) <= (span.end.line, span.end.character)


def _diagnostics_are_checks(text: str, found: list[lsp.Diagnostic], lines: list[str]) -> None:
    import tempfile

    from rulebook.load import bundled_dir, check_files

    with tempfile.TemporaryDirectory() as folder:
        on_disk = Path(folder) / "damaged.sla"
        on_disk.write_text(text, encoding="utf-8")
        (Path(folder) / "vocabulary.sla").write_bytes(
            (bundled_dir() / "vocabulary.sla").read_bytes()
        )
        checked = [d for d in check_files([on_disk]).diagnostics if d.span.file == str(on_disk)]
        expected = [
            (
                d.code,
                lsp.DiagnosticSeverity.Error if d.severity == "error" else lsp.DiagnosticSeverity.Warning,
                d.span.line - 1,
                _u16(lines[d.span.line - 1][: d.span.column - 1]) if d.span.line <= len(lines) else 0,
                (d.message + (f"\nhint: {d.hint}" if d.hint else "")).replace(folder, str(ROOT / "contracts")),
            )
            for d in checked
        ]  # fmt: skip
    assert [
        (d.code, d.severity, d.range.start.line, d.range.start.character, d.message) for d in found
    ] == expected
    for d in found:
        assert d.source == "rulebook" and d.message
        _inside(lines, d.range)


def _hover_is_about_the_word(analysis: Any, line: int, column: int, hover: Any) -> None:
    if hover is None:
        return
    assert isinstance(hover.contents, lsp.MarkupContent) and hover.contents.kind == "markdown"
    if hover.contents.value.startswith("**boundary word"):  # (以上): the word in parentheses
        word_there = _text_at(analysis.lines, hover.range)
        assert f"boundary word {word_there}**" in hover.contents.value
        return
    word = word_at(analysis.text, line, column)
    assert word is not None  # a hover needs a name under the cursor
    assert f"`{word[0]}`" in hover.contents.value  # it names what it explains
    lines = analysis.lines
    _inside(lines, hover.range)
    assert hover.range.start.line == line and _text_at(lines, hover.range) == word[0]


def _definition_is_of_the_word(analysis: Any, line: int, column: int, found: Any) -> None:
    if found is None:
        return
    assert isinstance(found, lsp.Location)
    target = Path(unquote(urlparse(found.uri).path))
    assert target.is_file() or target == Path(analysis.path).resolve()
    if analysis.lines[line].lstrip().startswith("import"):  # the imported file, at its top
        assert target.name == string_at(analysis.text, line, column)
        assert found.range == lsp.Range(start=lsp.Position(0, 0), end=lsp.Position(0, 0))
        return
    word = word_at(analysis.text, line, column)
    assert word is not None
    here = target == Path(analysis.path).resolve()
    lines = analysis.lines if here else target.read_text(encoding="utf-8").split("\n")
    _inside(lines, found.range)
    assert _text_at(lines, found.range) == word[0]  # the declaration of that very name


def _completion_fits_the_place(analysis: Any, line: int, column: int, items: Any) -> None:
    assert all(isinstance(i.label, str) and i.label.strip() == i.label != "" for i in items)
    assert all(i.kind is not None and i.detail for i in items)
    before = analysis.lines[line][:column] if line < len(analysis.lines) else ""
    vocabulary = analysis.vocabulary
    if vocabulary is not None and re.search(r"\bcause\s*(=|!=|\bin)\s*\{?[\w\s,]*$", before):
        cause = vocabulary.fact("cause")
        assert {i.label for i in items} == {c.name for c in cause.codes}  # its codes only


def _symbol_is_where_it_says(symbol: Any, lines: list[str], parent: Any) -> None:
    _inside(lines, symbol.range)
    _inside(lines, symbol.selection_range)
    assert _text_at(lines, symbol.selection_range) == symbol.name

    def contains(outer: lsp.Range, inner: lsp.Range) -> bool:
        return (outer.start.line, outer.start.character) <= (
            inner.start.line,
            inner.start.character,
        ) and (inner.end.line, inner.end.character) <= (outer.end.line, outer.end.character)

    assert contains(symbol.range, symbol.selection_range)
    if parent is not None:
        assert contains(parent.range, symbol.range)
    for child in symbol.children or []:
        _symbol_is_where_it_says(child, lines, symbol)


def test_a_malformed_message_is_logged_in_one_line_and_the_server_goes_on(
    tmp_path: Path,
) -> None:
    """Raw JSON-RPC on stdin, as an editor writes it: a malformed message, then a session.
    The malformed one is logged as one line and shown to the user; every request after it
    gets its own answer, in order and for the right id; shutdown then exit ends the
    process with code 0 (the protocol's "exit after shutdown")."""

    def frame(message: dict[str, Any] | bytes) -> bytes:
        body = message if isinstance(message, bytes) else json.dumps(message).encode()
        return b"Content-Length: %d\r\n\r\n" % len(body) + body

    uri = (tmp_path / "c.sla").as_uri()
    line, column = line_of(TEXT, "cause in")
    position = {"line": line, "character": column + 1}
    messages = [
        b"{bad}",
        {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}},
        {"jsonrpc": "2.0", "method": "initialized", "params": {}},
        {"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
            "uri": uri, "languageId": "sla", "version": 1, "text": TEXT}}},
        {"jsonrpc": "2.0", "id": 2, "method": "textDocument/hover", "params": {
            "textDocument": {"uri": uri}, "position": position}},
        {"jsonrpc": "2.0", "id": 3, "method": "shutdown"},
        {"jsonrpc": "2.0", "method": "exit"},
    ]  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-m", "rulebook", "lsp"],
        input=b"".join(frame(m) for m in messages),
        capture_output=True,
        timeout=60,
        cwd=ROOT,
    )
    assert done.stderr.decode() == "rulebook lsp: ERROR: Unable to handle message\n"
    assert done.returncode == 0
    out = _frames(done.stdout)
    answers = [m for m in out if "id" in m]
    assert [m["id"] for m in answers] == [1, 2, 3]
    assert all("error" not in m for m in answers)
    initialized, hover, shutdown = (m["result"] for m in answers)
    assert initialized["capabilities"]["hoverProvider"] is True
    assert initialized["serverInfo"]["name"] == "rulebook"
    assert "fact `cause`" in hover["contents"]["value"]
    assert hover["range"]["start"] == {"line": line, "character": column}
    assert shutdown is None
    notices = [m for m in out if "id" not in m]
    assert [m["method"] for m in notices] == [
        "window/showMessage",
        "textDocument/publishDiagnostics",
    ]
    assert (
        notices[0]["params"]["type"] == 1
        and "Expecting property name" in notices[0]["params"]["message"]
    )
    (diagnostic,) = notices[1]["params"]["diagnostics"]
    assert notices[1]["params"]["uri"] == uri and diagnostic["code"] == "unknown-fact"


def _frames(stream: bytes) -> list[dict[str, Any]]:
    """The JSON-RPC messages of a stream of ``Content-Length`` frames; nothing else in it."""
    messages = []
    while stream:
        header, _, rest = stream.partition(b"\r\n\r\n")
        fields = dict(line.split(b": ", 1) for line in header.split(b"\r\n"))
        length = int(fields[b"Content-Length"])
        messages.append(json.loads(rest[:length]))
        assert messages[-1]["jsonrpc"] == "2.0"
        stream = rest[length:]
    return messages


def test_two_dangling_ands_are_two_diagnostics_in_the_server(tmp_path: Path) -> None:
    from tests.test_recovery import _two_dangling_ands

    text, lines = _two_dangling_ands()
    analysis = analyse(str(tmp_path / "cybermail.sla"), text)
    found = features.diagnostics(analysis, features.converter(analysis))
    assert [d.range.start.line + 1 for d in found] == lines
    assert all(d.code == "syntax" and "ends with 'and'" in d.message for d in found)


def test_a_hover_holds_no_raw_html_from_the_contract() -> None:
    """A contract may come from the other side: its titles, articles and quotes are shown
    in the hover's Markdown as text, every ``<`` written ``&lt;`` (issue 26, Markdown)."""
    text = (ROOT / "tests" / "hostile" / "inputs" / "markdown" / "contract.sla").read_text(
        encoding="utf-8"
    )
    analysis = analyse(str(ROOT / "tests" / "hostile" / "inputs" / "markdown" / "x.sla"), text)
    line = next(i for i, s in enumerate(analysis.lines) if s.startswith("  exclusion war"))
    found = features.hover(analysis, line, 13, features.converter(analysis))
    assert found is not None
    shown = found.contents.value  # type: ignore[union-attr]
    assert "**exclusion `war`** — &lt;i>war&lt;/i>" in shown
    assert "> &lt;a href=javascript:alert(4)>x&lt;/a>" in shown
    assert "<" not in shown.replace("&lt;", "")
