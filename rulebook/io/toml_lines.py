"""The line of every key of a TOML text, for messages that name ``rulebook.toml:LINE``
(``tomllib`` gives no line numbers for keys)."""

from __future__ import annotations

import re

Key = tuple[str | int, ...]


_BARE = re.compile(r"[A-Za-z0-9_-]+")


def show_key(key: Key) -> str:
    """A key path as TOML would write it: ``services[2].to``, ``columns."開始 日時"``."""
    out = ""
    for part in key:
        if isinstance(part, int):
            out += f"[{part + 1}]"
        else:
            text = part if _BARE.fullmatch(part) else '"' + part.replace('"', '\\"') + '"'
            out += ("." if out else "") + text
    return out


def line_of(lines: dict[Key, int], key: Key) -> int:
    """The line of ``key``, else of its nearest enclosing key in ``lines``; 1 if none."""
    for end in range(len(key), 0, -1):
        if key[:end] in lines:
            return lines[key[:end]]
    return 1


def key_lines(text: str) -> dict[Key, int]:
    """The line of every key and table header of a TOML text (arrays of tables numbered
    from 0). Keys inside inline tables and multi-line values take the line of the key
    they belong to (see :func:`line_of`)."""
    lines: dict[Key, int] = {}
    counts: dict[Key, int] = {}
    table: Key = ()
    depth, quote = 0, ""
    for number, line in enumerate(text.split("\n"), start=1):
        if quote or depth:  # inside a multi-line string or array
            depth, quote = _scan(line, depth, quote)
            continue
        stripped = line.lstrip()
        if stripped.startswith("[["):
            path = _key(stripped[2:].split("]]", 1)[0])
            index = counts.get(path, 0)
            counts[path] = index + 1
            table = (*path, index)
            lines.setdefault(path, number)
            lines[table] = number
        elif stripped.startswith("["):
            table = _key(stripped[1:].split("]", 1)[0])
            lines[table] = number
        elif "=" in stripped and not stripped.startswith("#"):
            name, value = _split_assignment(stripped)
            if name is not None:
                lines[(*table, *_key(name))] = number
                depth, quote = _scan(value, 0, "")
    return lines


def _split_assignment(line: str) -> tuple[str | None, str]:
    """``key = value`` split at the first ``=`` outside a quoted key."""
    quote = ""
    for i, char in enumerate(line):
        if quote:
            if char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char == "=":
            return line[:i], line[i + 1 :]
    return None, line


def _key(text: str) -> tuple[str, ...]:
    """A dotted key's parts: bare, "basic" or 'literal'."""
    parts: list[str] = []
    i, text = 0, text.strip()
    while i < len(text):
        char = text[i]
        if char in " \t.":
            i += 1
            continue
        if char in "\"'":
            end = i + 1
            while end < len(text) and text[end] != char:
                end += 2 if char == '"' and text[end] == "\\" else 1
            raw = text[i + 1 : end]
            parts.append(_unescape(raw) if char == '"' else raw)
            i = end + 1
        else:
            match = _BARE.match(text, i)
            if match is None:
                break
            parts.append(match.group())
            i = match.end()
    return tuple(parts)


def _unescape(raw: str) -> str:
    import tomllib  # with the project file only: a run without one starts without it

    try:
        value = tomllib.loads(f'k = "{raw}"')["k"]
        return str(value)
    except tomllib.TOMLDecodeError:
        return raw


def _scan(text: str, depth: int, quote: str) -> tuple[int, str]:
    """Track open brackets and multi-line strings across a value's text."""
    i = 0
    while i < len(text):
        if quote:
            if text.startswith(quote, i):
                i += len(quote)
                quote = ""
                continue
            if quote in ('"', '"""') and text[i] == "\\":
                i += 2
                continue
            i += 1
            continue
        if text.startswith('"""', i) or text.startswith("'''", i):
            quote = text[i : i + 3]
            i += 3
        elif text[i] in "\"'":
            quote = text[i]
            i += 1
        elif text[i] == "#":
            break
        elif text[i] in "[{":
            depth += 1
            i += 1
        elif text[i] in "]}":
            depth = max(0, depth - 1)
            i += 1
        else:
            i += 1
    if quote in ('"', "'"):  # a one-line string never runs on to the next line
        quote = ""
    return depth, quote
