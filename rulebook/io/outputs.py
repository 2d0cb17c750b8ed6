"""Files rulebook writes (``-o``): each written whole beside its place, then put in place
by a rename (issue 26). A link at the path is replaced by the file, never written through
(a link planted at ``report.html`` cannot make rulebook overwrite what it points to); a
write that fails leaves nothing half-written, and of a pair of files (``PREFIX.records.csv``
and ``PREFIX.periods.csv``) either both are put in place or neither.

A name that is no file to replace is written into as it is (:func:`stream_at`): a pipe or a
character device (``-o /dev/null``, a FIFO) and the process's own descriptors
(``/dev/stdout``, ``/dev/fd/63`` for a shell's ``>(gzip > out.gz)``). A file renamed over
such a name would take its place: ``/dev/null`` a plain file for every user of the machine
(as root), the reader of the pipe waiting for ever."""

from __future__ import annotations

import errno
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import BinaryIO


def _mode() -> int:
    """The mode a new file gets from the process's umask (a temporary file gets 0600)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def _no_folder(paths: list[str]) -> None:
    for path in paths:
        if os.path.isdir(path):
            raise IsADirectoryError(errno.EISDIR, "is a folder; give the path of a file", path)


def _beside(path: str) -> str:
    """The folder ``path`` is written in, where the file is made before it is put in
    place; a missing one is named (not the temporary file that could not be made)."""
    folder = os.path.dirname(path) or "."
    if not os.path.isdir(folder):
        problem = "is not a folder" if os.path.exists(folder) else "does not exist"
        raise FileNotFoundError(errno.ENOENT, f"its folder {folder} {problem}", path)
    return folder


#: ``-o`` names of the process's own descriptors: standard output and error, ``/dev/fd/N``.
_OWN = re.compile(r"/dev/std(out|err)|/dev/fd/(\d+)|/proc/self/fd/(\d+)")


def is_stream(path: str) -> bool:
    """Whether ``path`` names no file to replace but a stream to write into: one of the
    process's own descriptors, or a pipe or a character device named as it is (a link is
    a name to replace, as everywhere here: one planted cannot make rulebook write into a
    device). A block device or a socket is refused (OSError)."""
    if _OWN.fullmatch(path):
        return True
    try:
        mode = os.lstat(path).st_mode
    except OSError:  # nothing there yet (or out of reach: the write says why)
        return False
    if stat.S_ISBLK(mode) or stat.S_ISSOCK(mode):
        raise OSError(
            errno.EINVAL,
            "is a block device or a socket; accepted: a file, a pipe or a character device",
            path,
        )
    return stat.S_ISFIFO(mode) or stat.S_ISCHR(mode)


def stream_at(path: str) -> int:
    """A descriptor open for writing into the stream ``path`` names (:func:`is_stream`):
    a copy of the process's own (its offset and append mode kept: ``-o /dev/stdout`` with
    ``>> log`` appends), or the pipe or device opened (a FIFO waits for its reader)."""
    own = _OWN.fullmatch(path)
    try:
        if own is None:
            return os.open(path, os.O_WRONLY | os.O_CLOEXEC)
        return os.dup(1 if own[1] == "out" else 2 if own[1] == "err" else int(own[2] or own[3]))
    except OSError as exc:  # a descriptor that is not open: EBADF, named
        raise OSError(exc.errno, exc.strerror, path) from None


def _into(path: str, data: bytes) -> None:
    with os.fdopen(stream_at(path), "wb") as stream:
        stream.write(data)


def replace_files(contents: Mapping[str, bytes]) -> list[str]:
    """Write each path's bytes, all or none; returns the paths. A stream (:func:`is_stream`)
    is written once the files are ready, before they are put in place."""
    _no_folder(list(contents))
    streams = [path for path in contents if is_stream(path)]
    temps: dict[str, str] = {}
    try:
        for path, data in contents.items():
            if path in streams:
                continue
            handle, temp = tempfile.mkstemp(dir=_beside(path), prefix=f".{Path(path).name}.")
            temps[path] = temp
            with os.fdopen(handle, "wb") as file:
                file.write(data)
            os.chmod(temp, _mode())
        for path in streams:
            _into(path, contents[path])
        for path, temp in temps.items():
            os.replace(temp, path)
    except BaseException:
        for temp in temps.values():
            Path(temp).unlink(missing_ok=True)
        raise
    return list(contents)


def work_folder(path: str) -> str:
    """A private folder beside ``path`` (mode 0700, a fresh name: nothing can be planted
    in it) where files are written before they are put in place."""
    return tempfile.mkdtemp(dir=_beside(path), prefix=".rulebook-")


def put_in_place(pairs: list[tuple[str, str]]) -> list[str]:
    """Each written file renamed to its final path (a link there is replaced); the paths."""
    finals = [final for _, final in pairs]
    _no_folder(finals)
    for path, final in pairs:
        os.chmod(path, _mode())
        os.replace(path, final)
    return finals


def rewrite_file(path: str, data: bytes) -> None:
    """An existing file edited in place (``fmt``): written whole beside it and renamed over
    it, so a failure leaves the file as it was; its mode kept (in a folder the user may not
    write, the file is written in place, as before). A link is the name of the file it
    points to: the file is rewritten, the link stays (as other formatters do)."""
    real = os.path.realpath(path)
    try:
        handle, temp = tempfile.mkstemp(dir=os.path.dirname(real), prefix=f".{Path(real).name}.")
    except PermissionError:  # a folder this user may not write, a file it may: in place
        with open(real, "r+b") as file:
            file.write(data)
            file.truncate()
        return
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        shutil.copymode(real, temp)
        os.replace(temp, real)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def place_written(prefix: str, write: Callable[[str], list[str]]) -> list[str]:
    """Files a writer names after a prefix (``PREFIX.records.parquet``, …): written under a
    temporary prefix beside them, then put in place together."""
    work = work_folder(prefix)
    try:
        stem = os.path.join(work, "out")
        written = write(stem)
        return put_in_place([(path, prefix + path[len(stem) :]) for path in written])
    finally:
        shutil.rmtree(work, ignore_errors=True)


def write_with(path: str, write: Callable[[str | BinaryIO], object]) -> list[str]:
    """One file written by ``write`` (given a temporary path beside ``path``: a large
    output is written straight to the file, never held as text), then put in place; a
    stream (:func:`is_stream`) is given to ``write`` open, and written into."""
    if is_stream(path):
        with os.fdopen(stream_at(path), "wb") as stream:
            write(stream)
        return [path]

    def one(stem: str) -> list[str]:
        write(stem)
        return [stem]

    return place_written(path, one)
