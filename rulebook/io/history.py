"""Which periods of a contract were reported, kept for the editor's warning that an
amendment reaches back into them (issue 30, ``retroactive-amendment``).

``rulebook report`` and ``rulebook packet`` append one line to ``reported.jsonl`` in the
user's private cache folder (:func:`rulebook.grammar.cache.private_file`: no link, the
user's own, mode 0600): the contract file's path and id, its versions (name and effective
date), and each service's last period reported with the instant it ends. Nothing else — no
record, figure or input name. The language server reads it back; ``rulebook check`` never
does (a check depends on the file alone). It is a convenience: a line that cannot be
written or read is skipped, and removing the file only silences the warning. Setting
``RULEBOOK_NO_HISTORY`` (to anything) writes nothing (docs/security.md).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from rulebook import model as m
from rulebook.grammar.cache import private_file
from rulebook.versions import versions

NAME = "reported.jsonl"
#: The lines read back: the newest, past this many the oldest are not looked at.
KEPT = 2000
#: Past this size the file is cut back to its newest :data:`KEPT` lines.
LIMIT = 1 << 20


def record(contract: m.Contract, periods: Iterable[tuple[str, str, int]], when: str) -> None:
    """Note that ``periods`` (service, label, end instant) of ``contract`` were reported
    ``when`` (an ISO 8601 instant)."""
    if os.environ.get("RULEBOOK_NO_HISTORY") or not contract.file:
        return
    last: dict[str, tuple[str, int]] = {}
    for service, label, end in periods:
        if service not in last or end > last[service][1]:
            last[service] = (label, end)
    if not last:
        return
    line = {
        "contract": contract.id,
        "file": str(Path(contract.file).resolve()),
        "versions": [
            [v.name, str(v.effective) if v.effective else None] for v in versions(contract)
        ],
        "periods": [[s, label, end] for s, (label, end) in sorted(last.items())],
        "at": when,
    }
    path = private_file(NAME)
    if path is None:
        return
    try:
        with open(path, "a", encoding="utf-8") as out:
            os.chmod(path, 0o600)
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
        if path.stat().st_size > LIMIT:  # keep the newest lines only
            kept = path.read_text(encoding="utf-8").splitlines()[-KEPT:]
            path.write_text("".join(k + "\n" for k in kept), encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return


def reported(contract: m.Contract) -> Iterator[dict[str, Any]]:
    """The lines recorded for ``contract`` (same file and id), newest last."""
    path = private_file(NAME)
    if path is None or not contract.file:
        return
    try:
        lines = path.read_text(encoding="utf-8").splitlines()[-KEPT:]
    except (OSError, UnicodeDecodeError):
        return
    file = str(Path(contract.file).resolve())
    for text in lines:
        try:
            entry = json.loads(text)
        except ValueError:
            continue
        if (
            isinstance(entry, dict)
            and entry.get("file") == file
            and entry.get("contract") == contract.id
        ):
            yield entry
