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

import csv
import io
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs

from rulebook.errors import RulebookError

FORMATS = ("csv", "jsonl", "json", "parquet")  # Parquet: read as columns (columnar.intake)
CASE_KEYS = ("outages", "notices", "billing", "events", "closures")


class InputError(RulebookError):
    """A file that cannot be read as the format it claims to be."""


@attrs.frozen
class Item:
    """One input object and where it came from."""

    where: str
    data: dict[str, Any]
    problem: str | None = None  # a row that could not be read as a record at all


@attrs.define
class Case:
    """Everything one input holds."""

    outages: list[Item] = attrs.field(factory=list)
    notices: list[Item] = attrs.field(factory=list)
    billing: list[Item] = attrs.field(factory=list)
    events: list[Item] = attrs.field(factory=list)
    closures: list[str] = attrs.field(factory=list)
    columns: dict[str, list[str]] = attrs.field(factory=dict)  # CSV header per file


def read_text(path: str) -> tuple[str, str]:
    """The text of ``path`` (``-``: standard input) and the name to report it by."""
    if path == "-":
        return sys.stdin.read(), "<stdin>"
    try:
        return Path(path).read_text(encoding="utf-8-sig"), path
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from None


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
            json.loads(first)
            return "jsonl"
        except ValueError:
            return "json"
    return "json" if head == "[" else "csv"


def read_case(path: str, fmt: str | None = None, kind: str = "outages") -> Case:
    """Read one input; CSV and JSON Lines files hold items of ``kind``."""
    text, name = read_text(path)
    fmt = detect(path, text, fmt)
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
        raise InputError(f"{name}:1: {exc}") from None
    header = [h.strip() for h in header]
    check_header(header, name)
    return header, _csv_rows(reader, header, name)


def check_header(header: list[str], name: str) -> None:
    """Every column named, and named once."""
    blank = [i + 1 for i, h in enumerate(header) if not h]
    if blank:
        raise InputError(f"{name}:1: column {blank[0]} has no name in the header row")
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        raise InputError(f"{name}:1: column '{dupes[0]}' appears twice in the header row")


def _csv_rows(reader: Any, header: list[str], name: str) -> Iterator[Item]:
    try:
        for row in reader:
            line = reader.line_num
            if not row or all(not cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                problem = (
                    f"{len(row)} cells, but the header has {len(header)} columns "
                    f"({', '.join(header)})"
                )
                yield Item(f"{name}:{line}", {}, problem)
                continue
            data = {h: _cell(h, cell) for h, cell in zip(header, row, strict=True)}
            yield Item(f"{name}:{line}", {k: v for k, v in data.items() if v is not None})
    except csv.Error as exc:
        raise InputError(f"{name}:{reader.line_num}: {exc}") from None


def _cell(column: str, cell: str) -> Any:
    value = cell.strip()
    if value == "":
        return None  # empty = unknown
    if column in ("caused_by", "features"):
        return [part.strip() for part in value.split(";") if part.strip()]
    return value


def _read_jsonl(text: str, name: str) -> Iterator[Item]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{name}:{number}: not JSON ({exc.msg}, column {exc.colno})") from None
        if not isinstance(data, dict):
            raise InputError(
                f"{name}:{number}: a JSON object is expected, got {type(data).__name__}"
            )
        yield Item(f"{name}:{number}", data)


def _read_json(text: str, name: str, kind: str) -> Case:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{name}:{exc.lineno}:{exc.colno}: not JSON ({exc.msg})") from None
    if isinstance(data, list):
        data = {kind: data}
    if not isinstance(data, dict):
        raise InputError(f"{name}: a JSON object (a case file) or a list of {kind} is expected")
    unknown = [k for k in data if k not in CASE_KEYS]
    if unknown:
        raise InputError(
            f"{name}: '{unknown[0]}' is not a part of a case file; accepted: {', '.join(CASE_KEYS)}"
        )
    case = Case()
    billing = data.get("billing") or []
    if isinstance(billing, dict):  # {"SERVICE": {...}}
        billing = [{"service": service, **entry} for service, entry in billing.items()]
    for key, items in (
        ("outages", data.get("outages") or []),
        ("notices", data.get("notices") or []),
        ("billing", billing),
        ("events", data.get("events") or []),
    ):
        if not isinstance(items, list):
            raise InputError(f"{name}: '{key}' must be a list")
        for i, item in enumerate(items):
            if not isinstance(item, dict):
                raise InputError(f"{name}: {key}[{i}] must be an object")
            getattr(case, key).append(Item(f"{name}: {key}[{i}]", item))
    closures = data.get("closures") or []
    if not isinstance(closures, list):
        raise InputError(f"{name}: 'closures' must be a list of dates")
    case.closures = [str(c) for c in closures]
    return case
