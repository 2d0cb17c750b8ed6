"""Intake into columns: outage logs read as frames and validated a column at a time.

Two routes lead to the same frame (:data:`rulebook.columnar.schema`):

- **columns**: CSV files (read by polars, every cell as text) and Parquet files (or a
  polars frame or Arrow table from the library) are validated per column: a fact's
  distinct values are checked once each with the record engine's own
  :func:`~rulebook.intake.records.fact_value`, timestamps in the common ISO 8601 shapes are
  parsed by polars. A row that does not pass these fast checks is handed whole to the
  record validator (:func:`~rulebook.intake.records.outage_from_mapping`), which either
  accepts it (a timestamp in a rarer shape) or raises the very message the record engine
  gives: file and line, record, field, what is accepted, did-you-mean.
- **records**: JSON Lines, JSON case files, importers and Python mappings go through the
  record validator item by item, then into the same frame.

Duplicate ids and causes that are not among the valid records are found on the frame.
Every item read is counted: read = adjudicated + rejected.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from fractions import Fraction
from pathlib import Path
from typing import Any

import attrs
import polars as pl

import rulebook.intake.clock as clock
from rulebook import limits
from rulebook import model as m
from rulebook.errors import RulebookError
from rulebook.intake.billing import Billing
from rulebook.intake.causes import in_cycles
from rulebook.intake.items import check_columns, take_in
from rulebook.intake.records import (
    RECORD_FIELDS,
    Notice,
    OutageRecord,
    RecordError,
    add_events,
    fact_value,
    outage_from_mapping,
    timezone_of,
)
from rulebook.io.readers import Case, InputError, check_header, utf8

ISO_SHAPE = r"^\d{4}-\d{2}-\d{2}T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:[+-]\d{2}:?\d{2}|Z)?$"
LIST_TYPES = ("records",)
#: What Python's str.strip() strips (polars' default trims a slightly different set).
WHITESPACE = "".join(chr(c) for c in range(0x3001) if chr(c).isspace())
EDGES: dict[str, pl.DataType] = {"row": pl.Int64(), "cause_row": pl.Int64()}


@attrs.define
class FrameIntake:
    """Valid records as a frame, the other inputs validated, the errors, the counts."""

    frame: pl.DataFrame
    notices: list[Notice] = attrs.field(factory=list)
    billing: list[Billing] = attrs.field(factory=list)
    closures: list[str] = attrs.field(factory=list)
    errors: list[RecordError] = attrs.field(factory=list)
    read: int = 0
    exact: dict[str, dict[str, Fraction]] = attrs.field(factory=dict)  # id -> fact -> value
    edges: pl.DataFrame = attrs.field(factory=lambda: pl.DataFrame(schema=EDGES))  # causes

    @property
    def rejected(self) -> int:
        """How many outage records were read but not kept."""
        return self.read - self.frame.height


# ------------------------------------------------------------------ the frame's shape


def dtype_of(decl: m.FactDecl) -> pl.DataType:
    """The column type of a fact: text, Boolean, Float64 (exact values only) or a list."""
    if decl.is_set or decl.type in LIST_TYPES:
        return pl.List(pl.String)
    if decl.type == "bool":
        return pl.Boolean()
    if decl.type in ("number", "duration"):
        return pl.Float64()
    if decl.type == "code":
        # An enum: conditions compare small integers, not text.
        return pl.Enum(sorted(c.name for c in decl.codes))
    return pl.String()


def schema(vocabulary: m.Vocabulary, columns: Iterable[str]) -> dict[str, pl.DataType]:
    """The frame's columns: the record fields, then the facts and events named in
    ``columns``, in the vocabulary's order."""
    wanted = set(columns)
    out: dict[str, pl.DataType] = {
        "row": pl.Int64(),
        "id": pl.String(),
        "service": pl.String(),
        "start": pl.Int64(),
        "end": pl.Int64(),
    }
    for decl in vocabulary.facts:
        if not decl.derived and decl.name in wanted:
            out[decl.name] = dtype_of(decl)
    for event in vocabulary.events:
        if event.name in wanted:
            out[event.name] = pl.Int64()
    return out


def needed(contract: m.Contract) -> set[str]:
    """The facts and events the contract's clauses look at (a frame carries these and the
    input's own columns, not the whole vocabulary)."""
    from rulebook.conditions import condition_facts

    names = {"protocol", "caused_by"}
    for clause in contract.clauses:
        conditions = [getattr(clause, a, None) for a in ("condition", "unless")]
        names.update(condition_facts(*conditions))
        for attr in ("start_event", "stop_event"):
            event = getattr(clause, attr, None)
            if event is not None:
                names.update((event.name, "restored_at"))
    return names


def with_columns(
    frame: pl.DataFrame, vocabulary: m.Vocabulary, columns: Iterable[str]
) -> pl.DataFrame:
    """``frame`` with the columns of :func:`schema`, null where the input has none."""
    full = schema(vocabulary, columns)
    missing = [pl.lit(None, dtype=t).alias(n) for n, t in full.items() if n not in frame.columns]
    return frame.with_columns(missing).select(pl.col(n).cast(t) for n, t in full.items())


def _exact_float(value: Fraction) -> float | None:
    number = float(value)
    return number if Fraction(number) == value else None


def records_frame(
    records: Sequence[OutageRecord],
    vocabulary: m.Vocabulary,
    columns: Iterable[str],
    rows: Sequence[int] | None = None,
) -> tuple[pl.DataFrame, dict[str, dict[str, Fraction]]]:
    """Validated records as a frame with the facts and events in ``columns`` (the others
    the records carry too); numbers a double cannot hold exactly are kept apart."""
    names = set(columns)
    for record in records:
        names.update(record.facts, record.events)
    full = schema(vocabulary, names)
    cells: dict[str, list[Any]] = {name: [] for name in full}
    exact: dict[str, dict[str, Fraction]] = {}
    for i, record in enumerate(records):
        cells["row"].append(rows[i] if rows is not None else i)
        cells["id"].append(record.id)
        cells["service"].append(record.service)
        cells["start"].append(record.start)
        cells["end"].append(record.end)
        for name in list(full)[5:]:
            value: Any = record.facts.get(name)
            if value is None:
                value = record.events.get(name)
            elif isinstance(value, Fraction):
                number = _exact_float(value)
                if number is None:
                    exact.setdefault(record.id, {})[name] = value
                value = number
            elif isinstance(value, frozenset | tuple):
                value = sorted(value) if isinstance(value, frozenset) else list(value)
            cells[name].append(value)
    return pl.DataFrame(cells, schema=full), exact


# ------------------------------------------------------------------ reading


@attrs.frozen
class Columns:
    """A log read as columns, and how its rows are placed and checked."""

    frame: pl.DataFrame
    name: str
    first_line: int | None = 2  # the file line of the first row (None: placed by index)
    header: bool = True  # unknown columns stop the run (CSV); else the record route names them
    text: bytes | None = None  # JSON Lines: the file, whose lines the record route reads
    plain_space: bool = False  # no byte 0x1c-0x1f: polars' own strip is Python's
    # rows with text in columns the mapping stage left out: not blank, though all their
    # read cells are empty (the record route reads such a row and refuses it)
    left_out_text: pl.Series | None = None
    # time columns the mapping stage found ISO 8601 as exports write it, every cell
    iso_shaped: frozenset[str] = frozenset()
    _lines: list[bytes] = attrs.field(factory=list, alias="_lines")

    def original(self, row: int) -> dict[str, Any] | None:
        """The row as its line wrote it (key order and all), for the record route."""
        if self.text is None:
            return None
        if not self._lines:  # split only when a row needs it
            self._lines.extend(self.text.rstrip(b"\n").split(b"\n"))
        data = json.loads(self._lines[row])
        return data if isinstance(data, dict) else None


def read_frame(path: str, fmt: str | None = None, encoding: str | None = None) -> Columns | None:
    """A CSV, JSON Lines or Parquet file as columns (CSV cells as text; Parquet keeps its
    types); None when the file is for the record route (JSON, standard input, a CSV whose
    rows are not one line each, JSON Lines with other than text and lists of text). Text
    in another ``encoding`` than UTF-8 is decoded first (:func:`~rulebook.io.readers.utf8`)."""
    suffix = Path(path).suffix.lower()
    if fmt == "parquet" or (fmt is None and suffix == ".parquet"):
        try:
            if path == "-":
                import io
                import sys

                frame = pl.read_parquet(io.BytesIO(sys.stdin.buffer.read()))
                return Columns(frame, "<stdin>", None)
            return Columns(pl.read_parquet(path), path, None)
        except FileNotFoundError:
            raise InputError(f"{path}: no such file") from None
        except Exception as exc:  # polars and Arrow raise many kinds for a bad file
            raise InputError(f"{path}: not a Parquet file ({type(exc).__name__})") from None
    kind = fmt or {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}.get(suffix)
    if path == "-" or kind not in ("csv", "jsonl"):
        return None
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from None
    data = utf8(data, path, encoding)
    if b"\x00" in data:
        return None  # NUL splits lines when rows are counted below: the record route
    if kind == "jsonl":
        return _json_lines(data, path)
    with ThreadPoolExecutor(max_workers=1) as pool:
        # polars parses (without the GIL) while the bytes are counted here
        parsed = pool.submit(pl.read_csv, data, infer_schema=False, has_header=True)
        lines = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
        lone_cr = b"\r" in data and data.count(b"\r") != data.count(b"\r\n")
        commas = data.count(b",") if b'"' not in data else None
        separators = any(bytes([b]) in data for b in range(0x1C, 0x20))
        try:
            frame = parsed.result()
        except Exception:  # ragged rows, stray quotes, bytes not UTF-8: the record route
            return None  # names the line or the byte
    if lines != frame.height + 1 or lone_cr:
        return None  # a quoted cell spans lines (or lines end in CR): the record route
    if _ragged(data, lines, len(frame.columns), commas):
        return None  # polars fills short rows; the record route names them
    if frame.height == 0 or any("_duplicated_" in c for c in frame.columns):
        return None  # no rows (no column types), or a header naming a column twice
    return Columns(frame, path, plain_space=not separators)


def _json_lines(data: bytes, path: str) -> Columns | None:
    """JSON Lines as columns, when reading them so changes nothing the record route would
    say: one object a line, no blank lines, text and lists of text only, no text that the
    record route would see with spaces around it (it does not strip JSON strings)."""
    if b"\r" in data or b"\n\n" in data or data.startswith(b"\n") or not data.strip():
        return None
    try:
        frame = pl.read_ndjson(data, infer_schema_length=None)
    except Exception:  # not JSON, not objects: the record route names the line
        return None
    if data.rstrip(b"\n").count(b"\n") + 1 != frame.height:
        return None
    texts = []
    for name, dtype in frame.schema.items():
        if dtype == pl.String:
            texts.append(name)
        elif dtype != pl.List(pl.String):
            return None
    padded = (
        frame.select(
            pl.any_horizontal(
                (pl.col(c).str.strip_chars(WHITESPACE) != pl.col(c)).any() for c in texts
            )
        ).item()
        if texts
        else False
    )
    if padded:
        return None
    return Columns(frame, path, 1, header=False, text=data)


def _ragged(data: bytes, lines: int, columns: int, commas: int | None = None) -> bool:
    """Whether a row has fewer cells than the header (polars would fill it silently).
    Without quotes, the commas of the whole file tell; otherwise each line is counted."""
    if b'"' not in data:
        # polars refuses a row with too many cells: a file with all the commas a full
        # file has has no short row and no blank line (the common case, one count)
        commas = data.count(b",") if commas is None else commas
        if commas == (columns - 1) * lines:
            return False
        blank = data.count(b"\n\n") + data.count(b"\n\r\n") + data.startswith((b"\n", b"\r\n"))
        if commas == (columns - 1) * (lines - blank):
            return False
    text = pl.read_csv(
        data,
        has_header=False,
        separator="\x00",
        quote_char=None,
        infer_schema=False,
        new_columns=["line"],
    )["line"]
    if b'"' in data:
        text = text.str.replace_all('"[^"]*"', "")
    counts = text.str.count_matches(",", literal=True)
    return bool(((counts != columns - 1) & text.is_not_null()).any())


def text_cells(
    frame: pl.DataFrame, plain_space: bool = False, shaped: frozenset[str] = frozenset()
) -> pl.DataFrame:
    """Text columns stripped, empty cells null (unknown), as the CSV reader does.
    Python strips what polars strips by default and the separators 0x1c-0x1f; when the
    text holds none of those (``plain_space``) polars' own, faster strip does. Columns in
    ``shaped`` hold only ISO 8601 times or nulls (the mapping stage looked): nothing to do.
    A column with no empty cell once stripped is taken as it is (one look, not a rewrite)."""
    texts = [c for c, t in frame.schema.items() if t == pl.String and c not in shaped]
    if not texts:
        return frame
    chars = None if plain_space else WHITESPACE
    stripped = frame.select(pl.col(c).str.strip_chars(chars) for c in texts)
    empty = stripped.select((pl.col(c).str.len_bytes() == 0).any() for c in texts).row(0)
    return frame.with_columns(
        _blank_is_null(stripped[c]) if blank else stripped[c]
        for c, blank in zip(texts, empty, strict=True)
    )


def _none(size: int) -> pl.Series:
    """A column of ``size`` False values."""
    return pl.repeat(False, size, dtype=pl.Boolean, eager=True)


def _blank_is_null(text: pl.Series) -> pl.Series:
    return pl.select(pl.when(text.str.len_bytes() > 0).then(text)).to_series().alias(text.name)


# ------------------------------------------------------------------ validation by column


@attrs.define
class _Checked:
    """One column's check: the converted values and the rows that failed it."""

    values: pl.Series
    bad: pl.Series  # Boolean, True where the record route must look


def _instants(series: pl.Series, tz: dt.tzinfo, shaped_already: bool = False) -> _Checked:
    """Timestamps in the shape exports write (``2026-09-01T10:00:00`` with ``+09:00``,
    ``+0900``, ``Z`` or no offset): the wall clock parsed by polars, each distinct offset
    read once; a cell of any other shape, or out of range, is left to the record route
    (``datetime.fromisoformat``). ``shaped_already``: every cell is known to have the
    shape (the mapping stage looked)."""
    text = series.cast(pl.String)
    wall = (
        text.str.slice(0, 19)
        .str.to_datetime("%Y-%m-%dT%H:%M:%S", strict=False, time_unit="us")
        .dt.epoch("s")
    )
    # the wall clock's own year in range (not the instant's: the offset is not applied)
    years = wall.is_between(_FIRST_SECOND, _LAST_SECOND)
    shaped = years if shaped_already else years & text.str.contains(ISO_SHAPE)
    wall = wall.set(~shaped.fill_null(False), None)
    suffix = text.str.slice(19)
    present = suffix.drop_nulls()
    first = present[0] if present.len() else ""
    others = present.filter(present != first).unique().to_list()
    table = {z: _offset_of(z) for z in [first, *others] if z is not None}
    if len(table) == 1:
        offset = pl.Series("offset", [], dtype=pl.Int64).extend_constant(table[first], suffix.len())
    else:
        offset = suffix.replace_strict(list(table), list(table.values()), return_dtype=pl.Int64)
    naive = (suffix == "").fill_null(False)
    values = wall - offset
    if naive.any():
        local = clock.from_wall(wall.filter(naive), tz)
        values = values.scatter(naive.arg_true(), local)
    bad = text.is_not_null() & values.is_null()
    return _Checked(values, bad.fill_null(False))


#: The wall-clock seconds of the first and the last second of the years read.
_FIRST_SECOND = int(dt.datetime(limits.MIN_YEAR, 1, 1, tzinfo=dt.UTC).timestamp())
_LAST_SECOND = int(dt.datetime(limits.MAX_YEAR + 1, 1, 1, tzinfo=dt.UTC).timestamp()) - 1


def _offset_of(zone: str) -> int | None:
    """Seconds east of UTC of an offset suffix (``Z``, ``+09:00``, ``-0500``); 0 for none
    (a naive time, localised separately); None when it is out of range."""
    if zone in ("", "Z"):
        return 0
    digits = zone[1:].replace(":", "")
    if len(digits) != 4 or not digits.isdigit():
        return None
    hours, minutes = int(digits[:2]), int(digits[2:])
    if hours > 23 or minutes > 59:
        return None
    return (-1 if zone[0] == "-" else 1) * (hours * 3600 + minutes * 60)


def _datetime_column(series: pl.Series, tz: dt.tzinfo) -> _Checked:
    """A Parquet timestamp column: aware ones as they are, naive ones in ``tz``."""
    dtype = series.dtype
    assert isinstance(dtype, pl.Datetime)
    micros = series.dt.epoch("us")
    seconds = micros // 1_000_000
    whole = micros == seconds * 1_000_000
    if not dtype.time_zone:
        seconds = clock.from_wall(seconds, tz)
    years = series.dt.year().is_between(limits.MIN_YEAR, limits.MAX_YEAR)
    bad = (series.is_not_null() & (seconds.is_null() | ~whole | ~years)).fill_null(True)
    return _Checked(seconds.set(~years.fill_null(True), None), bad)


def _mapped(series: pl.Series, convert: Callable[[Any], Any], dtype: pl.DataType) -> _Checked:
    """Each distinct value converted once; a value ``convert`` refuses marks its rows bad."""
    table: dict[Any, Any] = {}
    refused: list[Any] = []
    for value in series.drop_nulls().unique().to_list():
        try:
            table[value] = convert(value)
        except (RecordError, ValueError, TypeError):
            refused.append(value)
    values = series.replace_strict(
        list(table), list(table.values()), default=None, return_dtype=dtype
    )
    bad = series.is_in(refused) if refused else _none(series.len())
    return _Checked(values, bad.fill_null(False))


def _fact_column(series: pl.Series, decl: m.FactDecl) -> tuple[_Checked, pl.Series | None]:
    """A fact column validated; for numbers also the rows whose value a double cannot hold."""
    if decl.is_set or decl.type in LIST_TYPES:
        if series.dtype == pl.String:
            series = series.str.split(";")
        if not isinstance(series.dtype, pl.List):
            return _Checked(
                pl.Series([None] * series.len(), dtype=pl.List(pl.String)), series.is_not_null()
            ), None
        items = series.list.eval(
            pl.element().cast(pl.String).str.strip_chars(WHITESPACE)
        ).list.eval(pl.element().filter(pl.element() != ""))
        items = pl.select(pl.when(items.list.len() > 0).then(items)).to_series()
        if decl.is_set:
            flat = items.explode().drop_nulls().unique().to_list()
            refused = []
            for code in flat:
                try:
                    fact_value(decl, [code], "")
                except RecordError:
                    refused.append(code)
            bad = items.list.eval(pl.element().is_in(refused)).list.any() if refused else None
            items = items.list.sort() if decl.is_set else items
            if bad is None:
                bad = _none(series.len())
            return _Checked(items, bad.fill_null(False)), None
        return _Checked(items, _none(series.len())), None
    if decl.type == "code" and series.dtype == pl.String:
        # The cells are stripped text: a code is accepted exactly when it is one of the
        # enumeration's (fact_value), so a cast says which are; the others are refused.
        codes = series.cast(dtype_of(decl), strict=False)
        return _Checked(codes, series.is_not_null() & codes.is_null()), None
    if decl.type == "bool":
        if series.dtype == pl.Boolean:
            return _Checked(series, _none(series.len())), None
        return _mapped(
            series.cast(pl.String), lambda v: fact_value(decl, v, ""), pl.Boolean()
        ), None
    if decl.type in ("number", "duration"):
        text = series.cast(pl.String)
        exact: dict[str, bool] = {}

        def number(value: str) -> float:
            fraction = fact_value(decl, value, "")
            assert isinstance(fraction, Fraction)
            exact[value] = Fraction(float(fraction)) == fraction
            return float(fraction)

        checked = _mapped(text, number, pl.Float64())
        inexact = [v for v, ok in exact.items() if not ok]
        return checked, (text.is_in(inexact) if inexact else None)
    return (
        _mapped(series.cast(pl.String), lambda v: fact_value(decl, v, ""), dtype_of(decl)),
        None,
    )


def frame_intake(
    contract: m.Contract,
    frame: pl.DataFrame,
    name: str,
    case: Case,
    keep_going: bool = False,
    first_line: int | None = 2,
    causes: bool = True,
    read: Columns | None = None,
) -> FrameIntake:
    """Validate a frame of outage records (and the other inputs in ``case``).

    ``first_line`` is the file line of the frame's first row (CSV: 2), None when rows are
    placed by index (``name: outages[3]``). Without ``causes`` the records' causes are not
    looked for among them (a partition of a larger log: its driver resolves them).
    """
    vocabulary, tz = contract.vocabulary, timezone_of(contract)
    assert vocabulary is not None
    columns = [c.strip() for c in frame.columns]
    check_header(columns, name)
    frame = frame.rename(dict(zip(frame.columns, columns, strict=True)))
    if read is None or read.header:
        check_columns(Case(columns={name: columns}), vocabulary)
    frame = text_cells(
        frame,
        read is not None and read.plain_space,
        read.iso_shaped if read is not None else frozenset(),
    )
    blank = pl.all_horizontal(pl.all().exclude("line").is_null())  # "line" is never null
    if read is not None and read.text is not None:
        blank = pl.lit(False)  # `{}` is a record of JSON Lines (with no id)
    elif read is not None and read.left_out_text is not None:
        blank = blank & ~pl.lit(read.left_out_text)
    # `line` places a row in its file; `row` numbers the records read (blank rows are not
    # records), as the record route numbers its items.
    frame = frame.with_row_index("line").filter(~blank.fill_null(False)).with_row_index("row")
    lines = frame["line"]
    frame = frame.drop("line")

    def where(row: int) -> str:
        line = lines[row]
        return (
            f"{name}:{line + first_line}" if first_line is not None else f"{name}: outages[{line}]"
        )

    out: dict[str, pl.Series] = {"row": frame["row"].cast(pl.Int64)}
    none = _none(frame.height)
    bad, inexact = none, none
    for field in ("id", "service"):
        if field in frame.columns:
            text = frame[field].dtype == pl.String or frame[field].dtype.is_integer()
            series = frame[field].cast(pl.String) if text else pl.Series([None] * frame.height)
            out[field] = series.cast(pl.String)
            bad = bad | series.is_null()  # true/false or a list is no id: the record route
        else:
            bad = ~none  # every row lacks it: the record route names it
    events = {e.name for e in vocabulary.events}
    facts = {f.name: f for f in vocabulary.facts}

    def check(column: str) -> tuple[_Checked, pl.Series | None]:
        """One column checked; also the rows a double cannot hold exactly."""
        series = frame[column]
        odd = None  # rows whose cell has a shape no column check reads
        if isinstance(series.dtype, pl.Struct | pl.Object | pl.Binary) or (
            isinstance(series.dtype, pl.List | pl.Array) and column not in facts
        ):  # each such row goes to the record route
            series, odd = pl.Series(column, [None] * frame.height, dtype=pl.String), series
        if column in ("start", "end") or column in events:
            if isinstance(series.dtype, pl.Datetime):
                checked, rough = _datetime_column(series, tz), None
            else:
                known = read is not None and column in read.iso_shaped
                checked, rough = _instants(series, tz, known), None
        else:
            if isinstance(series.dtype, pl.List | pl.Array) and not (
                facts[column].is_set or facts[column].type in LIST_TYPES
            ):  # a list for a single value
                series, odd = pl.Series(column, [None] * frame.height, dtype=pl.String), series
            checked, rough = _fact_column(series, facts[column])
        if odd is not None:
            checked.bad = checked.bad | odd.is_not_null()
        return checked, rough

    # Each column is one polars operation after another on one core: two at a time.
    columns = [c for c in frame.columns if c not in ("row", "id", "service")]
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(check, columns))
    for column, (checked, rough) in zip(columns, results, strict=True):
        out[column] = checked.values
        bad = bad | checked.bad
        if rough is not None:
            inexact = inexact | rough.fill_null(False)
    if "start" not in out:
        bad = ~none
    else:
        bad = bad | out["start"].is_null()
        if "end" in out:
            bad = bad | (out["end"] <= out["start"]).fill_null(False)
    checked_frame = pl.DataFrame(out)
    slow_rows = bad | inexact
    anything_slow = bool(slow_rows.any())
    good = checked_frame.filter(~slow_rows) if anything_slow else checked_frame

    # The record route: every row the column checks did not pass, read as the record
    # engine reads it — accepted, or refused with its own message.
    errors: list[tuple[int, RecordError]] = []
    rescued: list[OutageRecord] = []
    rescued_rows: list[int] = []
    slow = frame.filter(slow_rows) if anything_slow else frame.clear()
    for data in slow.iter_rows(named=True):
        row = data.pop("row")
        item = (read.original(lines[row]) if read is not None else None) or {
            k: v for k, v in data.items() if v is not None
        }
        try:
            rescued.append(outage_from_mapping(_listed(item), vocabulary, tz, row, where(row)))
            rescued_rows.append(row)
        except RecordError as exc:
            exc.source = where(row)
            errors.append((row, exc))
    exact: dict[str, dict[str, Fraction]] = {}
    names = needed(contract) | set(good.columns)
    if rescued:
        extra, exact = records_frame(rescued, vocabulary, names, rescued_rows)
        names |= set(extra.columns)
        valid = pl.concat(
            [with_columns(good, vocabulary, names), with_columns(extra, vocabulary, names)]
        ).sort("row")
    else:
        valid = with_columns(good, vocabulary, names)
    valid, more = _unique_ids(valid, where)
    errors += more
    errors.sort(key=lambda pair: pair[0])  # row order; then the orphans, pass by pass
    edges = pl.DataFrame(schema=EDGES)
    if causes:
        valid, more, edges = _orphans(valid, where)
        errors += more
    intake = FrameIntake(
        valid, read=frame.height, closures=list(case.closures), exact=exact, edges=edges
    )
    _fail_or_keep(intake, [e for _, e in errors], keep_going)
    _other_inputs(intake, contract, case, keep_going)
    return intake


def columns_fit(read: Columns, contract: m.Contract) -> bool:
    """Whether the columns route may read ``read`` for ``contract``: JSON Lines whose keys
    are not all fields go to the record route, which names each record's bad field."""
    if read.header:
        return True
    vocabulary = contract.vocabulary
    assert vocabulary is not None
    known = {*RECORD_FIELDS, *(f.name for f in vocabulary.facts if not f.derived)}
    known |= {e.name for e in vocabulary.events}
    lists = {f.name for f in vocabulary.facts if f.is_set or f.type in LIST_TYPES}
    listed = {n for n, t in read.frame.schema.items() if isinstance(t, pl.List)}
    return set(read.frame.columns) <= known and listed <= lists


def columns_intake(
    contract: m.Contract, read: Columns, case: Case, keep_going: bool = False
) -> FrameIntake:
    """Validate a log read as columns (see :func:`frame_intake`)."""
    return frame_intake(
        contract, read.frame, read.name, case, keep_going, read.first_line, read=read
    )


def _listed(item: dict[str, Any]) -> dict[str, Any]:
    """List cells as the record route expects them (CSV: a;b)."""
    return {k: (";".join(str(x) for x in v) if isinstance(v, list) else v) for k, v in item.items()}


def _unique_ids(
    valid: pl.DataFrame, where: Callable[[int], str]
) -> tuple[pl.DataFrame, list[tuple[int, RecordError]]]:
    """Only the first record of an id is kept; the others are named."""
    if valid["id"].hash().n_unique() == valid.height:
        return valid, []  # distinct hashes: distinct ids (equal hashes are looked at below)
    first = valid.select(pl.col("id").is_first_distinct()).to_series()
    if first.all():
        return valid, []
    dupes = valid.filter(~first)
    firsts = valid.filter(first).select("id", "row")
    at = dict(zip(firsts["id"].to_list(), firsts["row"].to_list(), strict=True))
    errors = [
        (
            row,
            _placed(
                RecordError(
                    rid,
                    "id",
                    f"is used twice (first at {where(at[rid])})",
                    "a unique id per record",
                ),
                where(row),
            ),
        )
        for rid, row in dupes.select("id", "row").iter_rows()
    ]
    return valid.filter(first), errors


def _orphans(
    valid: pl.DataFrame, where: Callable[[int], str]
) -> tuple[pl.DataFrame, list[tuple[int, RecordError]], pl.DataFrame]:
    """Records whose causes are not among the valid records are rejected, pass by pass
    until none is (as the record route does: :func:`~rulebook.intake.causes.orphans`); then
    those in or caused through a cycle of causes. Also the causal edges of the rest, as rows
    (``row`` was caused by ``cause_row``). Only the records with causes are looked at."""
    if "caused_by" not in valid.columns or valid["caused_by"].null_count() == valid.height:
        return valid, [], pl.DataFrame(schema=EDGES)
    edges = (
        valid.filter(pl.col("caused_by").is_not_null())
        .select("row", "id", cause=pl.col("caused_by"))
        .explode("cause")
        .drop_nulls("cause")
    )
    # The records named as causes first (a set of the few names, looked up by every id),
    # then the join on those alone: no hash table of every id.
    named = valid.select(cause="id", cause_row="row").filter(
        pl.col("cause").is_in(edges["cause"].implode())
    )
    edges = edges.join(named, on="cause", how="left", maintain_order="left")
    errors: list[tuple[int, RecordError]] = []
    removed = pl.Series("row", [], dtype=pl.Int64)
    while True:  # pass 1: causes not in the input; pass 2: causes rejected in pass 1; ...
        dead = pl.col("cause_row").is_null() | pl.col("cause_row").is_in(removed.implode())
        missing = (
            edges.filter(dead & ~pl.col("row").is_in(removed.implode()))
            .group_by("row", maintain_order=True)
            .first()
            .sort("row")
        )
        if missing.height == 0:
            break
        for row, rid, cause, _ in missing.iter_rows():
            error = RecordError(
                rid,
                "caused_by",
                f"names '{cause}', which is not among the valid records",
                "ids of valid records in the same input",
            )
            errors.append((row, _placed(error, where(row))))
        removed = pl.concat([removed, missing["row"]])
    live = edges.filter(~pl.col("row").is_in(removed.implode()))
    waiting = _waiting(live.select("row", "cause_row"))
    graph = valid.filter(pl.col("row").is_in(waiting)).sort("row")
    rows, ids, causes = (graph[c].to_list() for c in ("row", "id", "caused_by"))
    for index, problem in in_cycles([(i, c or ()) for i, c in zip(ids, causes, strict=True)]):
        error = RecordError(ids[index], "caused_by", problem, "a chain of causes without cycles")
        errors.append((rows[index], _placed(error, where(rows[index]))))
        removed = pl.concat([removed, pl.Series("row", [rows[index]], dtype=pl.Int64)])
    if removed.len():
        gone = removed.implode()
        valid = valid.filter(~pl.col("row").is_in(gone))
        live = live.filter(~pl.col("row").is_in(gone))
    return valid, errors, live.select("row", "cause_row")


def _waiting(edges: pl.DataFrame, rounds: int = 32) -> pl.Series:
    """The records (rows) that a few rounds of Kahn's algorithm, done on the edges as a
    whole, cannot place: a record is placed once every cause of it is. Each round drops the
    edges whose cause waits for nothing; what is left after the last round is in a cycle,
    caused through one, or at the end of a chain longer than ``rounds``, and is handed to
    :func:`~rulebook.intake.causes.in_cycles` (which finds the same cycles on it alone:
    placed records are never in one)."""
    for _ in range(rounds):
        children = edges["row"].unique()
        kept = edges.filter(pl.col("cause_row").is_in(children.implode()))
        if kept.height == edges.height:
            break
        edges = kept
    return edges["row"].unique().implode()


def _placed(error: RecordError, where: str) -> RecordError:
    error.source = where
    return error


def _fail_or_keep(intake: FrameIntake, errors: list[RecordError], keep_going: bool) -> None:
    if errors and not keep_going:
        raise errors[0]
    intake.errors.extend(errors)


def _other_inputs(intake: FrameIntake, contract: m.Contract, case: Case, keep_going: bool) -> None:
    """Notices, billing and events: small inputs, validated by the record route."""
    rest = take_in(contract, attrs.evolve(case, outages=[], events=[]), keep_going)
    intake.notices, intake.billing = rest.notices, rest.billing
    intake.errors.extend(rest.errors)
    intake.closures = rest.closures
    if case.events:
        from rulebook.intake.items import event_place

        bad: list[RecordError] = []  # each bad event named, every good one kept
        events: list[Mapping[str, Any]] = [i.data for i in case.events]
        intake.frame = frame_events(intake.frame, contract, events, bad)
        for exc in bad:
            exc.source = event_place(case.events, exc)
        _fail_or_keep(intake, bad, keep_going)


def frame_events(
    frame: pl.DataFrame,
    contract: m.Contract,
    events: list[Mapping[str, Any]],
    errors: list[RecordError] | None = None,
) -> pl.DataFrame:
    """A separate events input (record, event, at) added to the records' event columns,
    checked as the record engine checks it."""
    vocabulary, tz = contract.vocabulary, timezone_of(contract)
    assert vocabulary is not None
    given = {str(e.get("event") or "") for e in events}
    names = [e.name for e in vocabulary.events if e.name in frame.columns or e.name in given]
    frame = frame.with_columns(
        pl.lit(None, dtype=pl.Int64).alias(n) for n in names if n not in frame.columns
    )
    named = {str(e.get("record") or "") for e in events}
    rows = frame.filter(pl.col("id").is_in(list(named)))
    stubs = [
        OutageRecord(
            r["id"],
            r["service"],
            r["start"],
            r["end"],
            {},
            {n: r[n] for n in names if r.get(n) is not None},
        )
        for r in rows.iter_rows(named=True)
    ]
    everyone = {r for r in frame["id"].to_list()} if len(stubs) < len(named) else set()
    # add_events names unknown ids against every record; give it stubs for all of them
    # only when some named id is missing (an error path).
    if everyone:
        present = {s.id for s in stubs}
        stubs += [OutageRecord(i, "", 0, None) for i in sorted(everyone - present)]
    updated = {r.id: r.events for r in add_events(stubs, events, vocabulary, tz, None, errors)}
    if not updated:
        return frame
    table = pl.DataFrame(
        {"id": list(updated), **{n: [updated[i].get(n) for i in updated] for n in names}},
        schema={"id": pl.String, **{n: pl.Int64 for n in names}},
    )
    joined = frame.join(table, on="id", how="left", suffix="__event")
    return joined.with_columns(
        pl.coalesce(pl.col(f"{n}__event"), pl.col(n)).alias(n) for n in names
    ).drop([f"{n}__event" for n in names])


# ------------------------------------------------------------------ the record route


def items_intake(contract: m.Contract, case: Case, keep_going: bool = False) -> FrameIntake:
    """Inputs that are not columns (JSON, JSON Lines, importers, mappings) validated item by
    item by the record validator, then made a frame."""
    taken = take_in(contract, case, keep_going)
    assert contract.vocabulary is not None
    frame, exact = records_frame(taken.outages, contract.vocabulary, needed(contract))
    frame, orphans, edges = _orphans(frame, lambda row: f"outages[{row}]")
    assert not orphans  # take_in rejected them already
    return FrameIntake(
        frame, taken.notices, taken.billing, taken.closures, taken.errors, taken.read, exact, edges
    )


def read_outages(
    contract: m.Contract, path: str, fmt: str | None, case: Case, keep_going: bool = False
) -> FrameIntake:
    """The outage log at ``path`` (and ``case``'s other inputs) validated into a frame."""
    from rulebook.io.readers import read_case

    read = read_frame(path, fmt)
    if read is not None and columns_fit(read, contract):
        return columns_intake(contract, read, case, keep_going)
    items = read_case(path, fmt if fmt != "parquet" else None)
    merged = attrs.evolve(
        case,
        outages=items.outages,
        notices=items.notices + case.notices,
        billing=items.billing + case.billing,
        events=items.events + case.events,
        closures=items.closures + case.closures,
        closure_places=items.closure_places + case.closure_places,
        columns=items.columns,
    )
    return items_intake(contract, merged, keep_going)


def as_frame(data: Any) -> pl.DataFrame:
    """A polars frame from a polars frame, an Arrow table or a sequence of mappings."""
    if isinstance(data, pl.DataFrame):
        return data
    if isinstance(data, pl.LazyFrame):
        return data.collect()
    try:
        import pyarrow as pa

        if isinstance(data, pa.Table):
            return pl.DataFrame(pl.from_arrow(data))
    except ImportError:  # pragma: no cover - pyarrow is a dependency
        pass
    raise RulebookError(
        f"cannot adjudicate a {type(data).__name__}; accepted: a polars DataFrame, an Arrow "
        "table, a path, or a list of mappings"
    )
