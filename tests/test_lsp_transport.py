"""Issue 26: the language server answers every request, however malformed its parameters,
and bounds what it reads (``rulebook/lsp/transport.py``): a huge ``Content-Length`` or an
endless header line is read past in pieces, and a request among them gets an error."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from rulebook import limits

ROOT = Path(__file__).resolve().parent.parent
TEXT = 'import "vocabulary.sla"\n\ncontract t {\n  title "t"\n}\n'
METHODS = (
    "textDocument/hover",
    "textDocument/completion",
    "textDocument/definition",
    "textDocument/prepareRename",
    "textDocument/rename",
    "textDocument/documentSymbol",
    "textDocument/formatting",
    "textDocument/codeAction",
    "textDocument/semanticTokens/full",
)


def frame(message: dict[str, Any] | bytes) -> bytes:
    body = message if isinstance(message, bytes) else json.dumps(message).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def frames(stream: bytes) -> list[dict[str, Any]]:
    messages = []
    while stream:
        header, _, rest = stream.partition(b"\r\n\r\n")
        length = int(dict(h.split(b": ", 1) for h in header.split(b"\r\n"))[b"Content-Length"])
        messages.append(json.loads(rest[:length]))
        stream = rest[length:]
    return messages


def serve(stream: bytes) -> tuple[dict[Any, dict[str, Any]], str]:
    """The answers (by id) of ``rulebook lsp`` to ``stream``, and its log."""
    done = subprocess.run(
        [sys.executable, "-m", "rulebook", "lsp"], input=stream, capture_output=True,
        timeout=300, cwd=ROOT, check=False,
    )  # fmt: skip
    answers = {m.get("id"): m for m in frames(done.stdout) if "method" not in m}
    return answers, done.stderr.decode()


def test_every_request_with_parameters_of_the_wrong_shape_is_answered(tmp_path: Path) -> None:
    uri = (tmp_path / "c.sla").as_uri()
    start = [
        {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}},
        {"jsonrpc": "2.0", "method": "initialized", "params": {}},
        {"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
            "uri": uri, "languageId": "sla", "version": 1, "text": TEXT}}},
    ]  # fmt: skip
    wrong: list[Any] = [None, 5, "x", [], {}, {"textDocument": 5},
                        {"textDocument": {"uri": uri}, "position": {"line": -1, "character": 0}},
                        {"textDocument": {"uri": uri}, "position": {"line": "a", "character": 0}}]  # fmt: skip
    at = METHODS[:5]  # the requests with a position
    cases = [(m, p) for m in METHODS for p in wrong[:6]] + [(m, p) for m in at for p in wrong[6:]]
    requests = []
    for i, (method, params) in enumerate(cases):
        request = {"jsonrpc": "2.0", "id": 100 + i, "method": method}
        requests.append(request | ({} if params is None else {"params": params}))
    requests.append({"jsonrpc": "2.0", "id": [1], "method": "textDocument/hover", "params": 5})
    end = [{"jsonrpc": "2.0", "id": 2, "method": "shutdown"}, {"jsonrpc": "2.0", "method": "exit"}]
    answers, log = serve(b"".join(frame(m) for m in [*start, *requests, *end]))
    for request in requests[:-1]:
        error = answers[request["id"]]["error"]
        assert error["code"] == -32602
        assert error["message"].startswith(
            f"{request['method']}: the parameters are not those of the request"
        )
    assert answers[None]["error"]["code"] == -32602  # an id that is no id: none, as JSON-RPC says
    assert "result" in answers[2]  # and the session goes on to its shutdown
    assert "Traceback" not in log and all(
        line.startswith("rulebook lsp: ") for line in log.splitlines()
    )


def test_a_huge_content_length_and_an_endless_header_line_are_read_past(tmp_path: Path) -> None:
    initialize = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}}
    symbols = {"jsonrpc": "2.0", "id": 2, "method": "textDocument/documentSymbol",
               "params": {"textDocument": {"uri": (tmp_path / "none.sla").as_uri()}}}  # fmt: skip
    long_line = b"X-Junk: " + b"x" * (4 * limits.MAX_LSP_HEADER_BYTES) + b"\r\n"
    huge = limits.MAX_LSP_MESSAGE_BYTES + 1
    body = json.dumps({"jsonrpc": "2.0", "id": 3, "method": "textDocument/hover"}).encode()
    stream = (
        frame(initialize) + long_line + frame(symbols)
        + b"Content-Length: %d\r\n\r\n" % huge + body + b" " * (huge - len(body))
        + b"Content-Length: 100000000000\r\n\r\n" + json.dumps({"id": 5}).encode()
    )  # fmt: skip
    answers, log = serve(stream)
    assert "result" in answers[1] and 2 in answers
    assert answers[3]["error"] == {
        "code": -32600,
        "message": f"the message of {huge} bytes is larger than the {huge - 1:,} bytes "
        "rulebook reads; it was skipped",
    }
    assert answers[5]["error"]["message"].startswith("the message of 100000000000 bytes")
    assert "MemoryError" not in log and "Traceback" not in log
    assert f"a header line over {limits.MAX_LSP_HEADER_BYTES} bytes was skipped" in log
