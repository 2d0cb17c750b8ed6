"""Checked contracts kept between runs: a bulk command starts without parsing its contract.

Parsing and checking a contract takes a quarter of a second, as long as adjudicating a
hundred thousand records. A contract that loads without errors is therefore pickled into
the user's private cache folder (the parser's: :mod:`rulebook.grammar.cache`, the same
ownership and permission checks) with the SHA-256 of every file it was read from. It is used
again only when

- it was asked for by the same path from the same working directory,
- every file it was read from is still the same file under its name (a symbolic link
  pointed elsewhere names another) with that digest, and the folder of the contract (as
  named, a link not followed) still holds the same contract files leading to the same
  files (a vocabulary put beside it, or a folder or a link of that name made a file, would
  change an import),
- by the same rulebook (the size and modification time of every module of the package),
  Python and Lark (its files, likewise).

Otherwise the contract is parsed and checked afresh, and the entry replaced. A cache entry
that cannot be read is ignored; no cache folder, no cache (``docs/security.md``). At most
:data:`MAX_ENTRIES` entries are kept, the least recently used going first.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import pickle
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rulebook.grammar.cache import private_file

FORMAT = 3  # the layout of an entry
#: Entries kept: past this many, the least recently used go (each working folder, path
#: and version of rulebook makes its own entry).
MAX_ENTRIES = 64


@functools.cache
def _code_stamp() -> str:
    """What identifies this rulebook's code: every module's size and modification time
    (``os.walk`` and ``os.stat``: a tenth of what ``Path.rglob`` takes at start-up)."""
    import importlib.util

    root = os.path.dirname(os.path.abspath(__file__))
    parts = [f"{FORMAT}|{sys.version}"]
    lark = importlib.util.find_spec("lark")  # its files, not its import (40 ms)
    if lark is not None and lark.origin is not None:
        info = os.stat(lark.origin)
        parts.append(f"lark|{lark.origin}|{info.st_size}|{info.st_mtime_ns}")
    for folder, folders, names in os.walk(root):
        folders.sort()
        for name in sorted(names):
            if name.endswith((".py", ".lark")):
                path = os.path.join(folder, name)
                info = os.stat(path)
                parts.append(f"{os.path.relpath(path, root)}|{info.st_size}|{info.st_mtime_ns}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _entry(path: Path) -> Path | None:
    key = f"{_code_stamp()}|{os.getcwd()}|{path}"
    return private_file(f"contract-{hashlib.sha256(key.encode()).hexdigest()[:32]}.pickle")


def _digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _neighbours(path: Path) -> list[tuple[str, str]]:
    """The contract files beside ``path`` as loading sees them (an import is looked up
    there first, beside the path as given, a link not followed): each name with the file
    it leads to, or "" where it leads to none (a folder, a dangling link, a loop)."""
    try:
        names = sorted(Path(os.path.abspath(path)).parent.glob("*.sla"))
    except OSError:
        return []
    return [(p.name, _target(p)) for p in names]


def _resolved(name: str) -> str | None:
    """The file a name leads to now (None: a loop of links)."""
    try:
        return str(Path(name).resolve())
    except (OSError, RuntimeError):  # Python 3.11 raises RuntimeError for a loop
        return None


def _target(path: Path) -> str:
    return (_resolved(str(path)) or "") if path.is_file() else ""


def lookup(path: Path) -> Any | None:
    """The checked load of ``path`` kept by :func:`store`, if still valid."""
    entry = _entry(path)
    if entry is None or not entry.exists():
        return None
    try:
        with entry.open("rb") as handle:
            files, neighbours, loaded = pickle.load(handle)  # a private folder: see above
    except Exception:  # a broken or foreign entry: parse afresh
        return None
    if neighbours != _neighbours(path):
        return None
    for name, resolved, digest in files:  # a link pointed elsewhere: another file
        if _resolved(name) != resolved or _digest(Path(resolved)) != digest:
            return None
    with contextlib.suppress(OSError):
        os.utime(entry)  # used now: the last to go
    return loaded


def store(
    path: Path, loaded: Any, sources: dict[str, str], text_of: Callable[[bytes], str]
) -> None:
    """Keep ``loaded`` (read from the files named in ``sources``, each name with the text
    parsed) for the next run — unless a file changed since it was parsed: its bytes now,
    read as parsing reads them (``text_of``), must give that text, or the entry would pair
    the old contract with the new file's digest."""
    entry = _entry(path)
    if entry is None:
        return
    files = []
    for name, text in sources.items():
        resolved = _resolved(name)
        if resolved is None:
            return
        try:
            raw = Path(resolved).read_bytes()
            same = text_of(raw) == text
        except (OSError, UnicodeDecodeError):
            return
        if not same:  # saved again while it was parsed: the next run parses it afresh
            return
        files.append((name, resolved, hashlib.sha256(raw).hexdigest()))
    try:
        handle, temporary = tempfile.mkstemp(dir=entry.parent, prefix=".contract-")
    except OSError:
        return
    try:
        with os.fdopen(handle, "wb") as out:  # mkstemp: 0600, this user's
            pickle.dump((files, _neighbours(path), loaded), out, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, entry)
    except Exception:  # a full disk, an unpicklable value: no entry, no harm
        with contextlib.suppress(OSError):
            os.unlink(temporary)
    _evict(entry.parent)


def _evict(folder: Path) -> None:
    """The least recently used entries past :data:`MAX_ENTRIES` removed."""
    try:
        kept = sorted(
            folder.glob("contract-*.pickle"), key=lambda p: p.stat().st_mtime_ns, reverse=True
        )
        for old in kept[MAX_ENTRIES:]:
            old.unlink(missing_ok=True)
    except OSError:  # another run removed one first
        pass
