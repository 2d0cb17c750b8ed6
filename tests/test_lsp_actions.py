"""Quick fixes, rename and semantic tokens, driven by a real client over stdio: the server
(`python -m rulebook lsp`) is asked as an editor asks it, and the test client applies the
edits it answers with, as an editor would, then checks the text that results."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from lsprotocol import types as lsp
from pygls.lsp.client import LanguageClient

from rulebook.load import check_files

ROOT = Path(__file__).resolve().parent.parent
BASE = (ROOT / "tests" / "fixtures" / "recovery" / "base.sla").read_text(encoding="utf-8")
CYBERMAIL = (ROOT / "contracts" / "cybermail.sla").read_text(encoding="utf-8")

Ask = Callable[[str], Awaitable[tuple[str, Any, list[lsp.Diagnostic]]]]


def apply(text: str, edits: list[lsp.TextEdit]) -> str:
    """``text`` with the edits applied (positions in UTF-16 units, as the protocol's)."""
    lines = text.split("\n")

    def offset(p: lsp.Position) -> int:
        before = sum(len(line) + 1 for line in lines[: p.line])
        units = lines[p.line].encode("utf-16-le")[: 2 * p.character] if p.line < len(lines) else b""
        return before + len(units.decode("utf-16-le"))

    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character))[::-1]:
        start, end = offset(edit.range.start), offset(edit.range.end)
        text = text[:start] + edit.new_text + text[end:]
    return text


def codes(text: str, folder: Path) -> list[str]:
    path = folder / "c.sla"
    return [d.code for d in check_files([str(path)], {str(path): text}).diagnostics]


def run_session(
    tmp_path: Path, body: Callable[[LanguageClient, str, Ask], Awaitable[None]]
) -> None:
    async def session() -> None:
        path = tmp_path / "c.sla"
        path.write_text("", encoding="utf-8")
        uri = path.as_uri()
        client = LanguageClient("test", "1")
        published: dict[int, list[lsp.Diagnostic]] = {}
        arrived = asyncio.Event()

        @client.feature(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def on_diagnostics(_: LanguageClient, params: lsp.PublishDiagnosticsParams) -> None:
            published[params.version or 0] = list(params.diagnostics)
            arrived.set()

        version = 0

        async def open_text(text: str) -> tuple[str, Any, list[lsp.Diagnostic]]:
            nonlocal version
            version += 1
            arrived.clear()
            client.text_document_did_change(
                lsp.DidChangeTextDocumentParams(
                    text_document=lsp.VersionedTextDocumentIdentifier(uri=uri, version=version),
                    content_changes=[lsp.TextDocumentContentChangeWholeDocument(text=text)],
                )
            )
            while version not in published:
                await asyncio.wait_for(arrived.wait(), 30)
                arrived.clear()
            return uri, client, published[version]

        await client.start_io(sys.executable, "-m", "rulebook", "lsp", cwd=str(ROOT))
        try:
            result = await client.initialize_async(
                lsp.InitializeParams(capabilities=lsp.ClientCapabilities())
            )
            assert result.capabilities.code_action_provider
            assert result.capabilities.rename_provider
            assert result.capabilities.semantic_tokens_provider
            client.initialized(lsp.InitializedParams())
            client.text_document_did_open(
                lsp.DidOpenTextDocumentParams(
                    text_document=lsp.TextDocumentItem(
                        uri=uri, language_id="sla", version=0, text=""
                    )
                )
            )
            await body(client, uri, open_text)
        finally:  # also after a failed assertion: a server left running would hang the test
            await asyncio.wait_for(client.shutdown_async(None), 20)
            client.exit(None)
            await client.stop()

    asyncio.run(asyncio.wait_for(session(), timeout=120))


async def quick_fixes(client: LanguageClient, uri: str, d: lsp.Diagnostic) -> list[lsp.CodeAction]:
    answer = await client.text_document_code_action_async(
        lsp.CodeActionParams(
            text_document=lsp.TextDocumentIdentifier(uri=uri),
            range=d.range,
            context=lsp.CodeActionContext(diagnostics=[d]),
        )
    )
    return [a for a in answer or [] if isinstance(a, lsp.CodeAction)]


def edits_of(action: lsp.CodeAction | lsp.WorkspaceEdit, uri: str) -> list[lsp.TextEdit]:
    edit = action.edit if isinstance(action, lsp.CodeAction) else action
    assert edit is not None and edit.changes is not None
    return list(edit.changes[uri])


MISTAKES = [
    # (what, the base changed, the diagnostic's code, words of the fix's title)
    ("misspelt code used twice", lambda t: t.replace("war, fire", "wor, fire").replace(
        "excluded by force_majeure", "excluded by force_majeure"
    ).replace("{ cause war }", "{ cause wor }"), "unknown-code", "Replace 'wor' with 'war'"),
    ("misspelt keyword", lambda t: t.replace("  exclusion customer", "  exclsion customer"),
     "syntax", "Replace 'exclsion' with 'exclusion'"),
    ("misspelt unit", lambda t: t.replace("30 min (以内)", "30 mins (以内)"), "unknown-unit",
     "with 'min'"),
    ("clause without a cite", lambda t: t.replace('    cite "第7条" "30分以内に自然解決した停止"\n', ""),
     "no-citation", "Add a cite"),
    ("gap between tiers", lambda t: t.replace("tier < 99% credit 25%", "tier < 98% credit 25%"),
     "tier-gap", "Fill the tier gap: tier >= 98% and < 99%"),
    ("gap up to the target", lambda t: t.replace("tier < 99.9% and >= 99%", "tier < 99.5% and >= 99%"),
     "tier-gap", "Fill the tier gap: tier >= 99.5% and < 99.9%"),
    ("gap at the bottom", lambda t: t.replace("tier < 99% credit 25%", "tier < 99% and >= 50% credit 25%"),
     "tier-gap", "Fill the tier gap: tier < 50%"),
]  # fmt: skip


def test_quick_fixes_applied_by_a_client_fix_the_mistake(tmp_path: Path) -> None:
    async def body(client: LanguageClient, uri: str, open_text: Ask) -> None:
        _, _, clean = await open_text(BASE)
        assert clean == []
        for what, change, code, title in MISTAKES:
            text = change(BASE)
            _, _, found = await open_text(text)
            (diagnostic,) = [d for d in found if d.code == code]
            fixes = await quick_fixes(client, uri, diagnostic)
            chosen = [a for a in fixes if title in a.title]
            assert chosen, (what, [a.title for a in fixes])
            fixed = apply(text, edits_of(chosen[0], uri))
            _, _, after = await open_text(fixed)
            assert after == [], (what, fixed, after)
            assert codes(fixed, tmp_path) == [], what

    run_session(tmp_path, body)


def test_rename_a_clause_renames_its_references_not_a_code_of_the_same_name(
    tmp_path: Path,
) -> None:
    """cybermail's exclusion `access_line` shares its name with the cause code
    `access_line`: the clause is renamed where it is declared and in its examples'
    `expect … by`; `cause = access_line` is left as it is."""

    async def body(client: LanguageClient, uri: str, open_text: Ask) -> None:
        await open_text(CYBERMAIL)
        lines = CYBERMAIL.split("\n")
        line = next(i for i, t in enumerate(lines) if t.strip().startswith("exclusion access_line"))
        at = lsp.Position(line=line, character=lines[line].index("access_line") + 2)
        document = lsp.TextDocumentIdentifier(uri=uri)
        prepared = await client.text_document_prepare_rename_async(
            lsp.PrepareRenameParams(text_document=document, position=at)
        )
        assert isinstance(prepared, lsp.Range) and prepared.start.line == line
        edit = await client.text_document_rename_async(
            lsp.RenameParams(text_document=document, position=at, new_name="outside_line")
        )
        assert edit is not None
        edits = edits_of(edit, uri)
        renamed = apply(CYBERMAIL, edits)
        assert "exclusion outside_line" in renamed and "exclusion access_line" not in renamed
        assert renamed.count("cause = access_line") == CYBERMAIL.count("cause = access_line") > 0
        assert renamed.count("by outside_line") == CYBERMAIL.count("by access_line") > 0
        assert len(edits) == 1 + CYBERMAIL.count("by access_line")
        assert codes(renamed, tmp_path) == codes(CYBERMAIL, tmp_path)
        # a code is no clause: nothing to rename there
        line = next(i for i, t in enumerate(lines) if "when cause = access_line" in t)
        at = lsp.Position(line=line, character=lines[line].index("access_line") + 1)
        prepared = await client.text_document_prepare_rename_async(
            lsp.PrepareRenameParams(text_document=document, position=at)
        )
        assert prepared is None

    run_session(tmp_path, body)


def test_semantic_tokens_classify_the_words(tmp_path: Path) -> None:
    async def body(client: LanguageClient, uri: str, open_text: Ask) -> None:
        await open_text(BASE)
        answer = await client.text_document_semantic_tokens_full_async(
            lsp.SemanticTokensParams(text_document=lsp.TextDocumentIdentifier(uri=uri))
        )
        assert answer is not None
        data = answer.data
        assert len(data) % 5 == 0 and len(data) > 100
        lines, line, start, found = BASE.split("\n"), 0, 0, {}
        from rulebook.lsp.tokens import TYPES

        for i in range(0, len(data), 5):
            line += data[i]
            start = start + data[i + 1] if data[i] == 0 else data[i + 1]
            units = lines[line].encode("utf-16-le")
            word = units[2 * start : 2 * (start + data[i + 2])].decode("utf-16-le")
            found.setdefault(word, set()).add((TYPES[data[i + 3]], data[i + 4]))
        assert found["exclusion"] == {("keyword", 0)}
        assert ("function", 1) in found["force_majeure"]  # declared
        assert ("function", 0) in found["force_majeure"]  # `expect … by force_majeure`
        assert found["cause"] == {("property", 0)}
        assert ("enumMember", 0) in found["war"]
        assert found['"第5条"'] == {("string", 0)}
        assert ("type", 0) in found["min"]

    run_session(tmp_path, body)


def test_a_client_that_drops_ends_the_server_without_a_traceback() -> None:
    """The editor is killed: stdin closes under the server mid-session. It ends on its own,
    with no traceback on stderr."""
    import json

    def message(obj: dict[str, Any]) -> bytes:
        body = json.dumps(obj).encode()
        return b"Content-Length: %d\r\n\r\n" % len(body) + body

    process = subprocess.Popen(
        [sys.executable, "-m", "rulebook", "lsp"],
        cwd=str(ROOT),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdin is not None and process.stdout is not None
    init = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}}
    process.stdin.write(message(init))
    process.stdin.flush()
    process.stdout.readline()  # the answer has begun: the server is up
    process.stdout.close()
    process.stdin.close()
    code = process.wait(timeout=30)
    stderr = process.stderr.read().decode() if process.stderr else ""
    assert "Traceback" not in stderr
    assert code in (0, 1)
