"""Readers: outage logs, notices and case files from CSV, JSON Lines and JSON.

Every item read keeps where it came from (``file:line`` for CSV and JSON Lines,
``file: outages[3]`` for a case file), so a bad record is reported at its place. A file
that cannot be read at all raises :class:`InputError`; a bad record is left to the engine's
validation, which names the field.

- CSV: a header row with the field names of the engine; list fields separated by ``;``;
  booleans ``true``/``false``; an empty cell is unknown.
- JSON Lines: one JSON object per line; blank lines are skipped.
- JSON case file: ``{"outages": [...], "notices": [...], "billing": [...],
  "events": [...], "closures": [...]}``; ``billing`` may also be an object keyed by service.
- ``-`` reads standard input (the format is then taken from ``--input-format`` or sniffed).
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import attrs

from rulebook import limits
from rulebook.errors import RulebookError
from rulebook.io import json_text
from rulebook.reprs import with_repr
from rulebook.text import did_you_mean

FORMATS = ("csv", "jsonl", "json", "parquet")  # Parquet: read as columns (intake.columns)
CASE_KEYS = ("outages", "notices", "billing", "events", "closures")


class InputError(RulebookError):
    """A file that cannot be read as the format it claims to be."""


#: What a CSV row of the wrong number of cells should have been (:func:`width_problem`).
WIDTH_ACCEPTED = "one cell per header column"


def width_problem(row: list[str], header: list[str]) -> str | None:
    """What is wrong with a CSV row whose cells are not one per header column."""
    if len(row) == len(header):
        return None
    return f"{len(row)} cells, but the header has {len(header)} columns ({', '.join(header)})"


@with_repr
@attrs.frozen(repr=False)
class Item:
    """One input object and where it came from."""

    where: str
    data: dict[str, Any]
    problem: str | None = None  # a row that could not be read as a record at all
    accepted: str = WIDTH_ACCEPTED  # what the problem's row should have been


@with_repr
@attrs.define(repr=False)
class Case:
    """Everything one input holds."""

    outages: list[Item] = attrs.field(factory=list)
    notices: list[Item] = attrs.field(factory=list)
    billing: list[Item] = attrs.field(factory=list)
    events: list[Item] = attrs.field(factory=list)
    closures: list[str] = attrs.field(factory=list)
    columns: dict[str, list[str]] = attrs.field(factory=dict)  # CSV header per file
    closure_places: list[str] = attrs.field(factory=list)  # where each closure was read


def read_text(path: str, encoding: str | None = None) -> tuple[str, str]:
    """The text of ``path`` (``-``: standard input) and the name to report it by, decoded
    with :func:`decode`."""
    name = "<stdin>" if path == "-" else path
    raw = read_input(path)
    # Standard input is decoded as files are.
    text = decode(raw, name, encoding)
    # Universal newlines, as text mode would read them.
    return text.replace("\r\n", "\n").replace("\r", "\n"), name


def read_input(path: str) -> bytes:
    """The bytes of an input file (``-``: standard input), bounded by
    :data:`~rulebook.limits.MAX_INPUT_BYTES`; what cannot be read is an
    :class:`InputError` naming the file (``docs/limits.md``)."""
    shown = "-" if path == "-" else limits.shorten_path(path, 80)
    try:
        if path == "-":
            return limits.read_stream(sys.stdin.buffer, limits.MAX_INPUT_BYTES)
        return limits.read_file(path, limits.MAX_INPUT_BYTES)
    except limits.NotReadable as exc:
        raise InputError(f"{shown}: {exc}") from None
    except FileNotFoundError:
        raise InputError(f"{shown}: no such file") from None
    except OSError as exc:
        raise InputError(f"{shown}: cannot read: {exc.strerror or exc}") from None


# ------------------------------------------------------------------ encodings

#: Encodings a log is tried in when it is not UTF-8, for the hint of the error.
GUESSES = ("cp932", "euc-jp")
#: Named in messages as what is accepted (any text encoding Python knows is).
COMMON = "utf-8, utf-8-sig, cp932 or shift_jis, euc-jp"
#: Shift_JIS as Windows and Excel write it is cp932, a superset of the JIS standard's.
_ALIASES = {"shift_jis": "cp932", "shiftjis": "cp932", "sjis": "cp932", "s_jis": "cp932"}


def encoding_of(name: str) -> str:
    """The canonical name of a text encoding (``shift_jis`` is read as ``cp932``); raise
    :class:`InputError` for a name Python does not know as a text encoding.

    >>> encoding_of("Shift_JIS"), encoding_of("EUC-JP"), encoding_of("UTF8")
    ('cp932', 'euc_jp', 'utf-8')
    """
    key = name.strip().lower().replace("-", "_")
    try:
        info = codecs.lookup(_ALIASES.get(key, name.strip()))
    except (LookupError, ValueError):  # ValueError: a NUL in the name
        info = None
    if info is None or not getattr(info, "_is_text_encoding", True):
        names = ["utf-8", "utf-8-sig", "cp932", "shift_jis", "euc-jp", "utf-16", "latin-1"]
        hint = did_you_mean(name.lower(), names)
        raise InputError(
            f"'{limits.shorten(name)}' is not a text encoding; accepted: {COMMON}, or any "
            "encoding Python reads" + (f" ({hint})" if hint else "")
        )
    return info.name


def decode(raw: bytes, name: str, encoding: str | None = None) -> str:
    """Bytes as text in ``encoding`` (default UTF-8). A UTF-8 byte order mark is honoured
    whatever the encoding (and dropped). A byte that does not decode is an
    :class:`InputError` naming the line and the byte, and the encoding that would read the
    file when one of :data:`GUESSES` does."""
    wanted = encoding_of(encoding) if encoding else "utf-8"
    if raw.startswith(codecs.BOM_UTF8):
        raw, wanted = raw[len(codecs.BOM_UTF8) :], "utf-8"
    elif wanted == "utf-8-sig":
        wanted = "utf-8"
    try:
        return raw.decode(wanted)
    except UnicodeDecodeError as exc:
        raise InputError(_undecodable(raw, name, wanted, exc.start)) from None


def _undecodable(raw: bytes, name: str, encoding: str, at: int) -> str:
    line = raw.count(b"\n", 0, at) + 1
    text = _not_text(name, line, encoding, raw[at], at)
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return text + "; it starts with a UTF-16 byte order mark: give --encoding utf-16"
    for guess in ("utf-8", *GUESSES):
        if guess == encoding:
            continue
        try:
            raw.decode(guess)
        except UnicodeDecodeError:
            continue
        return (
            f"{text}; it reads as {guess}: give --encoding {guess} (or encoding = "
            f'"{guess}" in rulebook.toml)'
        )
    return f"{text}; give the file's encoding with --encoding ({COMMON})"


def _not_text(name: str, line: int, encoding: str, byte: int, at: int) -> str:
    label = "UTF-8" if encoding == "utf-8" else encoding
    return f"{name}:{line}: not {label} text (byte 0x{byte:02x} at offset {at})"


def utf8_only(
    path: str, engine: str, name: str | None = None, opener: Opener | None = None
) -> str | None:
    """What an ``engine`` that reads UTF-8 logs only (the stream, Spark) says of the file
    at ``path`` (named ``name``, by default its path) when it is not UTF-8 text: its first
    such byte placed as :func:`decode` places it (the file read 1 MiB at a time, its byte
    order mark dropped as :func:`decode` drops it), the encoding that reads it, and how
    to read it. None when it is UTF-8 text (or cannot be read: the reading names that).
    ``opener`` opens the file for binary reading (default: this machine's files)."""
    opener = opener or _open_binary
    try:
        with opener(path) as file:
            start = file.read(len(codecs.BOM_UTF8))
    except OSError:
        return None
    skip = len(start) if start == codecs.BOM_UTF8 else 0
    found = _first_undecodable(path, "utf-8", skip, opener)
    if found is None:
        return None
    at, byte, line = found
    text = _not_text(name or path, line, "utf-8", byte, at)
    if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding: str | None = "utf-16"
        reads = "it starts with a UTF-16 byte order mark"
    else:
        guesses = (g for g in GUESSES if not _first_undecodable(path, g, skip, opener))
        encoding = next(guesses, None)
        reads = f"it reads as {encoding}"
    if encoding is None:
        return f"{text}; {utf8_hint(engine)} ({COMMON})"
    return f"{text}; {reads}; {utf8_hint(engine, encoding)}"


def utf8_hint(engine: str, encoding: str = "ENCODING") -> str:
    """How to read a log that is not UTF-8 text, for an ``engine`` that reads UTF-8 only."""
    return (
        f"{engine} reads UTF-8 logs: convert it to UTF-8 first (iconv -f {encoding} -t "
        f"UTF-8), or use --engine columnar --encoding {encoding}"
    )


#: What opens a file for binary reading: ``read(size)``, ``seek(offset)``, a context manager.
Opener = Callable[[str], AbstractContextManager[Any]]


def _open_binary(path: str) -> AbstractContextManager[Any]:
    return open(path, "rb")


def _first_undecodable(
    path: str, encoding: str, skip: int, opener: Opener
) -> tuple[int, int, int] | None:
    """The offset (after the first ``skip`` bytes), value and line of the first byte of
    ``path`` that ``encoding`` does not decode, read 1 MiB at a time; None when it all
    decodes (or it cannot be read: the reading names that)."""
    decoder = codecs.getincrementaldecoder(encoding)()
    fed, lines = 0, 1  # the bytes given to the decoder, the lines they began
    try:
        with opener(path) as file:
            file.seek(skip)
            while True:
                piece = file.read(1 << 20)
                held = decoder.getstate()[0]  # an unfinished sequence from before
                try:
                    decoder.decode(piece, final=not piece)
                except UnicodeDecodeError as exc:
                    data = held + piece
                    line = lines + data.count(b"\n", 0, exc.start)
                    return fed - len(held) + exc.start, data[exc.start], line
                if not piece:
                    return None
                fed += len(piece)
                lines += piece.count(b"\n")
    except OSError:
        return None


def utf8(raw: bytes, name: str, encoding: str | None = None) -> bytes:
    """File bytes as UTF-8 for a reader that takes only UTF-8 (polars): unchanged when
    they are meant as UTF-8 (a reader that fails on them hands the file to :func:`decode`,
    which names the byte); else decoded and encoded again."""
    if (encoding is None or encoding_of(encoding) in ("utf-8", "utf-8-sig")) or raw.startswith(
        codecs.BOM_UTF8
    ):
        return raw
    return decode(raw, name, encoding).encode("utf-8")


def detect(path: str, text: str, given: str | None = None) -> str:
    """The format: as given, else by extension, else sniffed from the first character."""
    if given:
        return given
    suffix = Path(path).suffix.lower()
    if suffix in (".csv", ".jsonl", ".json"):
        return suffix[1:]
    if suffix == ".ndjson":
        return "jsonl"
    head = text.lstrip()[:1]
    if head == "{":
        first = text.lstrip().split("\n", 1)[0]
        try:
            data = json.loads(first)
        except (ValueError, RecursionError):
            return "json"
        # A one-line case file is a case file, not one record.
        case = isinstance(data, dict) and data and all(k in CASE_KEYS for k in data)
        return "json" if case else "jsonl"
    return "json" if head == "[" else "csv"


def read_case(
    path: str, fmt: str | None = None, kind: str = "outages", encoding: str | None = None
) -> Case:
    """Read one input; CSV and JSON Lines files hold items of ``kind``."""
    text, name = read_text(path, encoding)
    return case_of_text(text, name, detect(path, text, fmt), kind)


def case_of_text(text: str, name: str, fmt: str, kind: str = "outages") -> Case:
    """One input's text (``fmt`` csv, jsonl or json) read as :func:`read_case` reads it."""
    case = Case()
    if fmt == "json":
        return _read_json(text, name, kind)
    if fmt == "csv":
        header, rows = _read_csv(text, name)
        case.columns[name] = header
        items = list(rows)
    else:
        items = list(_read_jsonl(text, name))
    if kind == "closures":
        case.closures = [str(i.data.get("date", "")) for i in items]
        case.closure_places = [i.where for i in items]
    else:
        getattr(case, kind).extend(items)
    return case


def _read_csv(text: str, name: str) -> tuple[list[str], Iterator[Item]]:
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        return [], iter(())
    except csv.Error as exc:
        raise InputError(f"{name}:1: {_csv_problem(exc)}") from None
    header = [h.strip() for h in header]
    check_header(header, name)
    return header, _csv_rows(text.split("\n"), reader.line_num, header, name)


def _csv_problem(exc: csv.Error) -> str:
    """Python's csv error in the words of the other messages."""
    if "field larger than field limit" in str(exc):
        return (
            f"a cell of more than {limits.MAX_CSV_CELL:,} characters; accepted: cells of at "
            f"most {limits.MAX_CSV_CELL:,} characters (docs/limits.md)"
        )
    return str(exc)


def check_header(header: list[str], name: str) -> None:
    """Every column named, and named once."""
    blank = [i + 1 for i, h in enumerate(header) if not h]
    if blank:
        raise InputError(f"{name}:1: column {blank[0]} has no name in the header row")
    dupes = sorted(h for h, n in Counter(header).items() if n > 1)
    if dupes:
        raise InputError(f"{name}:1: column '{dupes[0]}' appears twice in the header row")


_UNTERMINATED = (
    "a quoted cell opened on this line is never closed; the lines after it are read as rows",
    'a closing " for every opening one (a " inside a cell is written "")',
)


def _csv_rows(lines: list[str], done: int, header: list[str], name: str) -> Iterator[Item]:
    """The records after line ``done``, each placed at its first line. A quote that never
    closes would swallow every later line: it is reported at the line it opens on, and the
    lines after it are read again as rows of their own, so no row goes uncounted."""
    while True:
        reader = csv.reader(io.StringIO("\n".join(lines[done:])))
        rows: list[tuple[int, int, list[str]]] = []  # first line, last line, cells
        try:
            for row in reader:
                rows.append(((rows[-1][1] if rows else done) + 1, done + reader.line_num, row))
        except csv.Error as exc:
            line = (rows[-1][1] if rows else done) + 1
            raise InputError(f"{name}:{line}: {_csv_problem(exc)}") from None
        last = rows[-1] if rows else None
        unterminated = last is not None and _unclosed("\n".join(lines[last[0] - 1 : last[1]]))
        for first, _, row in rows[:-1] if unterminated else rows:
            item = _csv_item(row, header, name, first)
            if item is not None:
                yield item
        if not unterminated or last is None:
            return
        yield Item(f"{name}:{last[0]}", {}, *_UNTERMINATED)
        done = last[0]


def _unclosed(raw: str) -> bool:
    """Whether a record's lines end inside a quoted cell (the strict reader says so)."""
    try:
        list(csv.reader(io.StringIO(raw), strict=True))
    except csv.Error as exc:
        return "unexpected end of data" in str(exc)
    return False


def _csv_item(row: list[str], header: list[str], name: str, line: int) -> Item | None:
    if not row or all(not cell.strip() for cell in row):
        return None
    problem = width_problem(row, header)
    if problem is not None:
        return Item(f"{name}:{line}", {}, problem)
    data = {h: _cell(h, cell) for h, cell in zip(header, row, strict=True)}
    return Item(f"{name}:{line}", {k: v for k, v in data.items() if v is not None})


def _cell(column: str, cell: str) -> Any:
    value = cell.strip()
    if value == "":
        return None  # empty = unknown
    if column in ("caused_by", "features"):
        return [part.strip() for part in value.split(";") if part.strip()]
    return value


def load_json(text: str, name: str, line: bool = False) -> Any:
    """JSON with its numbers and nesting bounded (``docs/limits.md``), each key once and no
    lone surrogate (:mod:`.json_text`). ``line``: ``name`` is a JSON Lines line's place
    (``log.jsonl:3``), to which a column is added."""
    try:
        data = json_text.loads(text, limits.json_int)
    except json_text.StrictJSONError as exc:
        raise InputError(f"{_place(text, name, exc.at, line)}: {exc.message}") from None
    except limits.JSONNumberTooLong as exc:
        digits = len(str(exc).lstrip("-"))
        raise InputError(
            f"{name}: an integer of {digits} digits ({limits.shorten(str(exc), 20)}); "
            f"accepted: at most {limits.MAX_JSON_DIGITS} digits"
        ) from None
    except RecursionError:
        data = None  # deeper than Python parses: too deep, as below
    if (data is None and text.strip() != "null") or limits.json_depth_exceeded(data):
        raise InputError(
            f"{name}: arrays and objects nest too deep; accepted: at most "
            f"{limits.MAX_JSON_DEPTH} levels"
        )
    return data


def _place(text: str, name: str, at: int | None, line: bool) -> str:
    """``name:line:column`` of offset ``at`` (``line``: the name holds the line already)."""
    if at is None:
        return name
    column = at - (text.rfind("\n", 0, at) + 1) + 1
    return f"{name}:{column}" if line else f"{name}:{text.count(chr(10), 0, at) + 1}:{column}"


def _read_jsonl(text: str, name: str) -> Iterator[Item]:
    # Lines end at \n only: U+2028 and the like may stand inside a JSON string.
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            yield Item(f"{name}:{number}", json_line(line, f"{name}:{number}"))


def json_line(line: str, place: str) -> dict[str, Any]:
    """One line of JSON Lines (not blank), read as the record route reads it: one object,
    bounded, each key once, no lone surrogate; else :class:`InputError` at ``place``
    (``log.jsonl:3``). Spark's workers check each line of a log with it too."""
    try:
        data = load_json(line, place, line=True)
    except json.JSONDecodeError as exc:
        raise InputError(f"{place}: not JSON ({exc.msg}, column {exc.colno})") from None
    if not isinstance(data, dict):
        raise InputError(f"{place}: a JSON object is expected, got {type(data).__name__}")
    return data


def _read_json(text: str, name: str, kind: str) -> Case:
    try:
        data = load_json(text, name)
    except json.JSONDecodeError as exc:
        raise InputError(f"{name}:{exc.lineno}:{exc.colno}: not JSON ({exc.msg})") from None
    if isinstance(data, list):
        data = {kind: data}
    if not isinstance(data, dict):
        raise InputError(f"{name}: a JSON object (a case file) or a list of {kind} is expected")
    unknown = [k for k in data if k not in CASE_KEYS]
    if unknown:
        raise InputError(
            f"{name}: '{limits.shorten(unknown[0])}' is not a part of a case file; "
            f"accepted: {', '.join(CASE_KEYS)}"
        )
    case = Case()
    billing = data.get("billing")
    if isinstance(billing, dict):  # {"SERVICE": {...}}
        for service, entry in billing.items():
            if not isinstance(entry, dict):
                raise InputError(
                    f"{name}: billing['{limits.shorten(service)}'] must be an object with "
                    "monthly_fee, currency, ... (billing is keyed by service, or a list)"
                )
        billing = [{"service": service, **entry} for service, entry in billing.items()]
    for key, items in (
        ("outages", data.get("outages")),
        ("notices", data.get("notices")),
        ("billing", billing),
        ("events", data.get("events")),
    ):
        if items is None:
            continue
        if not isinstance(items, list):
            accepted = "a list or an object keyed by service" if key == "billing" else "a list"
            raise InputError(
                f"{name}: '{key}' is {_json_type(items)}; accepted: {accepted} of objects"
            )
        for i, item in enumerate(items):
            if not isinstance(item, dict):
                raise InputError(f"{name}: {key}[{i}] is {_json_type(item)}; accepted: an object")
            getattr(case, key).append(Item(f"{name}: {key}[{i}]", item))
    closures = data.get("closures")
    closures = [] if closures is None else closures
    if not isinstance(closures, list) or not all(isinstance(c, str) for c in closures):
        raise InputError(
            f"{name}: 'closures' is {_json_type(closures)}; accepted: a list of dates "
            '("YYYY-MM-DD")'
        )
    case.closures = list(closures)
    case.closure_places = [f"{name}: closures[{i}]" for i in range(len(closures))]
    return case


def _json_type(value: Any) -> str:
    """A JSON value's type in JSON's words."""
    if isinstance(value, list):
        return "a list" if not value or not isinstance(value[0], str) else "a list of strings"
    names = {dict: "an object", str: "a string", bool: "true or false", type(None): "null"}
    return names.get(type(value), "a number")
