"""Where a result came from, so that someone else can check it: the rulebook version, the
contract (id, file, sha256), each input (its name, size and sha256), the options that
change the figures, ``as_of``, the project file when one was read, and when the output
was made.

The time of generation is the only part that changes between two runs on the same
inputs; ``SOURCE_DATE_EPOCH`` (the reproducible-builds convention: POSIX seconds) fixes it,
so that the same inputs give the same bytes.

>>> entry = file_entry("OUTAGES", __file__)
>>> sorted(entry), len(entry["sha256"])
(['name', 'role', 'sha256', 'size'], 64)
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from rulebook import model as m
from rulebook._version import __version__
from rulebook.errors import RulebookError

#: The options recorded (those that change what is decided or shown), in this order. The
#: engine is not one: the record engine, the columnar plan and Spark give the same bytes.
RECORDED_OPTIONS = (
    "source",
    "step",
    "input_format",
    "encoding",
    "as_of",
    "keep_going",
    "strict",
    "period",
    "lang",
)


def sha256_file(path: str | Path) -> str:
    """The sha256 of a file's bytes, read in blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def file_entry(role: str, path: str | Path) -> dict[str, Any]:
    """One input: the argument or option that named it, its file name (without its folder:
    the same files give the same provenance wherever they are), size, sha256.
        Standard input (``-``) is named but has no size or digest: it cannot be read again."""
    if str(path) == "-":
        return {"role": role, "name": "<stdin>", "size": None, "sha256": None}
    return {
        "role": role,
        "name": Path(path).name,
        "size": os.path.getsize(path),
        "sha256": sha256_file(path),
    }


def generated_at(environ: Mapping[str, str] | None = None) -> str:
    """Now in UTC to the second, or ``SOURCE_DATE_EPOCH`` when it is set.

    >>> generated_at({"SOURCE_DATE_EPOCH": "1790000000"})
    '2026-09-21T14:13:20+00:00'
    """
    env = os.environ if environ is None else environ
    epoch = env.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            moment = dt.datetime.fromtimestamp(int(epoch), dt.UTC)
        except (ValueError, OverflowError, OSError):
            raise RulebookError(
                f"SOURCE_DATE_EPOCH={epoch!r} is not a time: give whole POSIX seconds"
            ) from None
    else:
        moment = dt.datetime.now(dt.UTC).replace(microsecond=0)
    return moment.isoformat()


def provenance(
    contract: m.Contract,
    contract_file: str | Path | None,
    inputs: Sequence[tuple[str, str | Path]],
    options: Mapping[str, Any],
    project: tuple[str, str] | None = None,
    generated: str | None = None,
) -> dict[str, Any]:
    """The provenance of one run: ``inputs`` are (role, path) pairs (``OUTAGES``,
    ``--notices``, ...); ``options`` the command's, of which :data:`RECORDED_OPTIONS` that
    were given are kept; ``project`` the project file read, if any: its path and the
    sha256 of the bytes read (``Project.sha256``)."""
    return {
        "rulebook": __version__,
        "contract": {
            "id": contract.id,
            "file": Path(contract_file).name if contract_file else None,
            "sha256": contract.sha256,
        },
        "inputs": [file_entry(role, path) for role, path in inputs],
        "options": {
            k: options[k] for k in RECORDED_OPTIONS if options.get(k) not in (None, False, "")
        },
        "as_of": options.get("as_of"),
        "project": (
            {"name": Path(project[0]).name, "sha256": project[1]} if project is not None else None
        ),
        "generated": generated or generated_at(),
    }
