"""What reaches the server from the editor, bounded and checked (issue 26): a request
whose parameters are not those of its method (wrong types, a negative position) is answered
with an error for its id instead of being dropped (the editor would wait for ever); a
message larger than :data:`~rulebook.limits.MAX_LSP_MESSAGE_BYTES`, or a header line longer
than :data:`~rulebook.limits.MAX_LSP_HEADER_BYTES`, is read past in pieces, never held
whole, and a request among them is answered with an error.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any, BinaryIO

from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcException, JsonRpcInvalidRequest
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.json_rpc import JsonRPCNotification

from rulebook import limits

logger = logging.getLogger(__name__)

#: The method of a request read past for its size (answered with an error) and of a
#: skipped message without an id (answered with nothing).
TOO_LARGE = "rulebook/messageTooLarge"
SKIPPED = "$/rulebook/skipped"
_ID = re.compile(rb'"id"\s*:\s*(-?\d{1,15}|"(?:[^"\\]|\\.){0,200}")')


class Protocol(LanguageServerProtocol):
    """pygls' protocol, answering a request it cannot read the parameters of."""

    def structure_message(self, data: dict[str, Any]) -> Any:
        try:
            return super().structure_message(data)
        except JsonRpcException as error:
            msg_id = data.get("id")
            if "method" not in data or "id" not in data:
                raise  # a notification or a response: nothing to answer, pygls logs it
            if not isinstance(msg_id, int | str) or isinstance(msg_id, bool):
                msg_id = None  # JSON-RPC's id for a request whose id cannot be read
            method = str(data.get("method"))[:80]
            answer = lsp.ResponseError(
                code=error.code,
                message=f"{method}: the parameters are not those of the request "
                f"({error.message}); see the Language Server Protocol for {method}",
            )
            self._send_response(msg_id, None, answer)  # type: ignore[arg-type]
            return JsonRPCNotification(method=SKIPPED, jsonrpc="2.0", params=None)


def register(server: LanguageServer) -> None:
    """The handlers of the messages :class:`BoundedInput` puts in place of what it skips."""

    @server.feature(TOO_LARGE)
    def too_large(ls: LanguageServer, params: Any) -> None:
        size = getattr(params, "bytes", None)
        raise JsonRpcInvalidRequest(
            message=f"the message of {size} bytes is larger than the "
            f"{limits.MAX_LSP_MESSAGE_BYTES:,} bytes rulebook reads; it was skipped"
        )

    @server.feature(SKIPPED)
    def skipped(ls: LanguageServer, params: Any) -> None:
        return None


class BoundedInput:
    """Standard input as pygls reads it (``readline`` for headers, ``read(n)`` for a body),
    never holding more than the limits."""

    def __init__(self, raw: BinaryIO) -> None:
        self.raw = raw

    def readline(self) -> bytes:
        line = self.raw.readline(limits.MAX_LSP_HEADER_BYTES)
        if len(line) < limits.MAX_LSP_HEADER_BYTES or line.endswith(b"\n"):
            return line
        while True:  # past the rest of the line, a piece at a time
            more = self.raw.readline(limits.MAX_LSP_HEADER_BYTES)
            if not more or more.endswith(b"\n"):
                break
        logger.warning("a header line over %d bytes was skipped", limits.MAX_LSP_HEADER_BYTES)
        return b"X-Rulebook-Skipped: a header line too long\r\n"

    def read(self, size: int) -> bytes:
        if size <= limits.MAX_LSP_MESSAGE_BYTES:
            return self.raw.read(size)
        head = self.raw.read(min(size, 4096))
        left = size - len(head)
        while left > 0 and head:
            piece = self.raw.read(min(left, 1 << 20))
            if not piece:
                break
            left -= len(piece)
        logger.warning(
            "a message of %d bytes (over %d) was skipped", size, limits.MAX_LSP_MESSAGE_BYTES
        )
        found = _ID.search(head)
        if found is None:
            return json.dumps({"jsonrpc": "2.0", "method": SKIPPED}).encode()
        msg_id = json.loads(found.group(1))
        body = {"jsonrpc": "2.0", "id": msg_id, "method": TOO_LARGE, "params": {"bytes": size}}
        return json.dumps(body).encode()
