"""Where a project file is looked for: the working folder and its parents, up to the
boundaries ``docs/security.md`` gives (the home folder, another filesystem, a folder of
another user or that every user may write), and what a path that is no file is called."""

from __future__ import annotations

import os
import stat
from pathlib import Path

FILENAME = "rulebook.toml"


def find(start: Path, notes: list[str] | None = None, home: Path | None = None) -> Path | None:
    """The project file in ``start`` or the nearest parent folder that has one; None when
    there is none. The search stops (``docs/security.md``) after the user's home folder
    (``home``), before a folder on another filesystem, and at a folder that another user
    owns or everyone may write (``/tmp``): a file there, or one that is a link, not a
    regular file, or writable by others, is not used, and ``notes`` says why."""
    folder = start.resolve()
    try:
        home = (home or Path.home()).resolve()
    except (RuntimeError, KeyError, OSError):  # no home folder known
        home = None
    try:
        device = folder.stat().st_dev
        for candidate in (folder, *folder.parents):
            info = candidate.stat()
            if info.st_dev != device:
                return None  # another filesystem: the search does not cross it
            unsafe = _unsafe(info, f"its folder {candidate}")
            path = candidate / FILENAME
            if os.path.lexists(path):
                problem = unsafe or _file_problem(path)
                if problem is None:
                    return path
                if notes is not None:
                    notes.append(
                        f"warning: {path} is not used: {problem}; give it with --config to "
                        "use it (or --no-config to say no project file is wanted)"
                    )
                return None
            if unsafe is not None or candidate == home:
                return None  # no further up than a folder others can write, or home
    except OSError:
        return None  # a folder that cannot be looked at ends the search
    return None


def _unsafe(info: os.stat_result, what: str) -> str | None:
    """Why a file or folder with ``info`` is not trusted: another user owns it, or everyone
    may write it (a group the owner shares it with is trusted, as the owner chose)."""
    uid = os.geteuid() if hasattr(os, "geteuid") else None
    if uid is not None and info.st_uid not in (uid, 0):
        return f"{what} belongs to another user (uid {info.st_uid})"
    if info.st_mode & stat.S_IWOTH:
        return f"{what} may be written by every user"
    return None


def _file_problem(path: Path) -> str | None:
    """Why a project file found by the search is not used, or None."""
    info = path.lstat()
    if stat.S_ISLNK(info.st_mode):
        return "it is a link (a found project file is used only as a file of its own)"
    if not stat.S_ISREG(info.st_mode):
        return f"it is {file_kind(info.st_mode)}, not a file"
    return _unsafe(info, "it")


def file_kind(mode: int) -> str:
    """What a path that is no regular file is, in a message's words.

    >>> file_kind(stat.S_IFIFO)
    'a FIFO (named pipe)'
    """
    kinds = (
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISFIFO, "a FIFO (named pipe)"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    )
    return next((name for test, name in kinds if test(mode)), "not a regular file")


def config_problem(config: str) -> str | None:
    """Why the path given with ``--config`` is no project file to read, or None. A link is
    followed: the user named it."""
    try:
        info = Path(config).stat()
    except FileNotFoundError:
        return f"{config}: no such file (given with --config)"
    except OSError as exc:
        return f"{config}: cannot read: {exc.strerror} (given with --config)"
    if stat.S_ISDIR(info.st_mode):
        return f"{config}: is a folder; give the project file's path to --config"
    if not stat.S_ISREG(info.st_mode):
        return (
            f"{config}: is {file_kind(info.st_mode)}, not a file; give the project file's "
            "path to --config"
        )
    return None


def read_bounded(path: Path, name: str, limit: int) -> bytes | str:
    """The bytes of the file at ``path``, or what is wrong (named ``name``): it cannot be
    read, or it holds more than ``limit`` bytes (no more than that is read)."""
    try:
        with path.open("rb") as file:
            raw = file.read(limit + 1)
    except OSError as exc:
        return f"{name}: cannot read: {exc.strerror}"
    if len(raw) > limit:
        return (
            f"{name}: is larger than {limit:,} bytes; accepted: a project file as "
            "docs/formats.md describes it"
        )
    return raw
