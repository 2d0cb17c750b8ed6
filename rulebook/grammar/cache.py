"""Where the parser's analysed grammar is cached between runs.

Lark caches its tables as a pickle, and loading a pickle runs whatever code it names. The
cache therefore lives only in the user's own cache folder (``platformdirs``), created
private (0700); before each use the folder and the file are checked to belong to the user
and to be writable by no one else. When that cannot be had, there is no cache: the grammar
is analysed at each start (a fraction of a second), never loaded from a place others write.
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import lark


def cache_file(kind: str = "grammar") -> str | bool:
    """The cache file for ``Lark(cache=...)`` of one ``kind`` of parser (each set of
    options its own file), or False when no private folder is at hand."""
    name = f"{kind}-lark{lark.__version__}-py{sys.version_info[0]}{sys.version_info[1]}.pickle"
    path = private_file(name)
    return False if path is None else str(path)


def private_file(name: str) -> Path | None:
    """``name`` in the user's private cache folder (made 0700 if missing), or None when
    the folder, or a file already there under that name, is not private."""
    try:
        import platformdirs

        folder = Path(platformdirs.user_cache_dir("rulebook", appauthor=False))
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        path = folder / name
        if not private(folder) or (os.path.lexists(path) and not private(path)):
            return None
        return path
    except OSError:
        return None


def private(path: Path) -> bool:
    """Whether ``path`` is no link, belongs to this user and is writable by no one else."""
    info = path.lstat()
    if stat.S_ISLNK(info.st_mode):
        return False
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        return False
    return not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
