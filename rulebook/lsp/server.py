"""``rulebook lsp``: the language server, over stdio (pygls).

Each handler converts the editor's request to an :class:`~rulebook.lsp.analysis.Analysis`
question and the answer back; the analysis of a document is made once per version of its
text. Nothing here imports the engine: the server starts as fast as ``rulebook check``.
"""

from __future__ import annotations

import logging
import sys

from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer
from pygls.workspace import TextDocument

from rulebook._version import __version__
from rulebook.grammar.layout import format_text
from rulebook.lsp import actions, features, tokens, transport
from rulebook.lsp.analysis import Analysis, analyse
from rulebook.lsp.completion import completion as completion_at

server = LanguageServer("rulebook", __version__, protocol_cls=transport.Protocol)
transport.register(server)

# The analysis of each open document, with the version of the text it was made from.
_ANALYSES: dict[str, tuple[int | None, Analysis]] = {}


def _document(ls: LanguageServer, uri: str) -> TextDocument:
    return ls.workspace.get_text_document(uri)


def _analysis(ls: LanguageServer, uri: str) -> Analysis:
    document = _document(ls, uri)
    cached = _ANALYSES.get(uri)
    if cached is not None and cached[0] == document.version and cached[0] is not None:
        return cached[1]
    analysis = analyse(document.path, document.source)
    _ANALYSES[uri] = (document.version, analysis)
    return analysis


def _convert(ls: LanguageServer, analysis: Analysis) -> features.Convert:
    encoding = str(ls.workspace.position_encoding or "utf-16")
    return features.converter(analysis, encoding)


def _position(ls: LanguageServer, uri: str, position: lsp.Position) -> tuple[int, int]:
    """The editor's position as a line and a column in characters."""
    document = _document(ls, uri)
    at = document.position_codec.position_from_client_units(document.lines, position)
    return at.line, at.character


def _at(
    ls: LanguageServer,
    params: lsp.HoverParams
    | lsp.CompletionParams
    | lsp.DefinitionParams
    | lsp.PrepareRenameParams
    | lsp.RenameParams,
) -> tuple[Analysis, int, int, features.Convert]:
    """The analysis of a request's document, its position in characters, the converter."""
    analysis = _analysis(ls, params.text_document.uri)
    line, column = _position(ls, params.text_document.uri, params.position)
    return analysis, line, column, _convert(ls, analysis)


def _publish(ls: LanguageServer, uri: str) -> None:
    analysis = _analysis(ls, uri)
    ls.text_document_publish_diagnostics(
        lsp.PublishDiagnosticsParams(
            uri=uri,
            diagnostics=features.diagnostics(analysis, _convert(ls, analysis)),
            version=_document(ls, uri).version,
        )
    )


@server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: LanguageServer, params: lsp.DidOpenTextDocumentParams) -> None:
    _publish(ls, params.text_document.uri)


@server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: LanguageServer, params: lsp.DidChangeTextDocumentParams) -> None:
    _publish(ls, params.text_document.uri)


@server.feature(lsp.TEXT_DOCUMENT_DID_SAVE)
def did_save(ls: LanguageServer, params: lsp.DidSaveTextDocumentParams) -> None:
    _ANALYSES.pop(params.text_document.uri, None)  # an import beside it may have changed
    _publish(ls, params.text_document.uri)


@server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: LanguageServer, params: lsp.DidCloseTextDocumentParams) -> None:
    _ANALYSES.pop(params.text_document.uri, None)
    ls.text_document_publish_diagnostics(
        lsp.PublishDiagnosticsParams(uri=params.text_document.uri, diagnostics=[])
    )


@server.feature(lsp.TEXT_DOCUMENT_HOVER)
def hover(ls: LanguageServer, params: lsp.HoverParams) -> lsp.Hover | None:
    return features.hover(*_at(ls, params))


@server.feature(
    lsp.TEXT_DOCUMENT_COMPLETION,
    lsp.CompletionOptions(trigger_characters=[" ", "{", ",", '"']),
)
def completion(ls: LanguageServer, params: lsp.CompletionParams) -> lsp.CompletionList:
    analysis, line, column, _ = _at(ls, params)
    items = completion_at(analysis, line, column)
    return lsp.CompletionList(is_incomplete=False, items=items)


@server.feature(lsp.TEXT_DOCUMENT_DEFINITION)
def definition(ls: LanguageServer, params: lsp.DefinitionParams) -> lsp.Location | None:
    return features.definition(*_at(ls, params))


@server.feature(lsp.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
def document_symbol(
    ls: LanguageServer, params: lsp.DocumentSymbolParams
) -> list[lsp.DocumentSymbol]:
    analysis = _analysis(ls, params.text_document.uri)
    return features.symbols(analysis, _convert(ls, analysis))


@server.feature(lsp.TEXT_DOCUMENT_FORMATTING)
def formatting(ls: LanguageServer, params: lsp.DocumentFormattingParams) -> list[lsp.TextEdit]:
    """The whole document in the canonical layout of ``rulebook fmt``; nothing while it
    has syntax errors."""
    document = _document(ls, params.text_document.uri)
    formatted, _ = format_text(document.source, document.path)
    if formatted is None or formatted == document.source:
        return []
    end = lsp.Position(line=len(document.lines), character=0)
    whole = lsp.Range(start=lsp.Position(line=0, character=0), end=end)
    return [lsp.TextEdit(range=whole, new_text=formatted)]


@server.feature(
    lsp.TEXT_DOCUMENT_CODE_ACTION,
    lsp.CodeActionOptions(code_action_kinds=[lsp.CodeActionKind.QuickFix]),
)
def code_action(ls: LanguageServer, params: lsp.CodeActionParams) -> list[lsp.CodeAction]:
    """The quick fixes of the diagnostics in the range: did-you-mean, a cite, a tier."""
    analysis = _analysis(ls, params.text_document.uri)
    return actions.code_actions(analysis, params.range, _convert(ls, analysis))


@server.feature(lsp.TEXT_DOCUMENT_PREPARE_RENAME)
def prepare_rename(ls: LanguageServer, params: lsp.PrepareRenameParams) -> lsp.Range | None:
    analysis, line, column, at = _at(ls, params)
    return actions.prepare_rename(analysis, line, column, at)


@server.feature(lsp.TEXT_DOCUMENT_RENAME, lsp.RenameOptions(prepare_provider=True))
def rename(ls: LanguageServer, params: lsp.RenameParams) -> lsp.WorkspaceEdit | None:
    """A clause id renamed at its declaration and every reference, examples included."""
    analysis, line, column, at = _at(ls, params)
    return actions.rename(analysis, line, column, params.new_name, at)


@server.feature(
    lsp.TEXT_DOCUMENT_SEMANTIC_TOKENS_FULL,
    lsp.SemanticTokensLegend(
        token_types=list(tokens.TYPES), token_modifiers=list(tokens.MODIFIERS)
    ),
)
def semantic_tokens(ls: LanguageServer, params: lsp.SemanticTokensParams) -> lsp.SemanticTokens:
    analysis = _analysis(ls, params.text_document.uri)
    return lsp.SemanticTokens(data=tokens.semantic_tokens(analysis, _convert(ls, analysis)))


def run() -> None:
    """Serve one editor over stdin and stdout until it says exit.

    What goes wrong (a malformed message from the editor) is logged to stderr as one line,
    not as a traceback: the editor shows stderr to its user as the server's log.
    """
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("rulebook lsp: %(levelname)s: %(message)s"))
    handler.addFilter(_without_traceback)
    logging.basicConfig(level=logging.WARNING, handlers=[handler], force=True)
    server.start_io(stdin=transport.BoundedInput(sys.stdin.buffer))  # type: ignore[arg-type]


def _without_traceback(record: logging.LogRecord) -> bool:
    """One line a record: pygls formats some tracebacks into the message itself."""
    record.msg, record.args = record.getMessage().split("\n", 1)[0], ()
    record.exc_info, record.exc_text, record.stack_info = None, None, None
    return True
