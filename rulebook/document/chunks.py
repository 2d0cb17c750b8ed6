"""A stream's log read a chunk at a time (:func:`read_chunks`) and each chunk taken in as
one machine takes in a whole log (:class:`ChunkIntake`): the mapping stage (column names
in NFC, the project's ``[columns]`` and ``[values]``, a column that is no field left out
with one warning, spreadsheet date-times read, the project's ``timezone`` for naive
times), validation, then the service map — the same records and messages as
:func:`rulebook.mapping.apply.take_in`, chunk by chunk (:mod:`rulebook.document.stream`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import attrs
import polars as pl

from rulebook import limits
from rulebook import model as m
from rulebook.errors import RulebookError
from rulebook.intake.columns import FrameIntake, frame_intake, items_intake
from rulebook.intake.frames import WHITESPACE, Columns, CsvChunks, Unchunked
from rulebook.intake.ongoing import Closing
from rulebook.intake.records import RecordError
from rulebook.io.readers import (
    WIDTH_ACCEPTED,
    Case,
    InputError,
    check_header,
    utf8_only,
    width_problem,
)
from rulebook.mapping.apply import Mapping
from rulebook.mapping.compile import compile_mapping
from rulebook.mapping.places import unresolved_warning
from rulebook.project import NONE
from rulebook.reprs import with_repr
from rulebook.text import nfc


class StreamError(RulebookError):
    """The log cannot be streamed (out of order, a format the stream does not read)."""


def kind_of(path: str, fmt: str | None) -> str | None:
    """``csv`` or ``parquet`` (from ``--input-format``, else the file's suffix)."""
    return fmt or {".csv": "csv", ".parquet": "parquet"}.get(Path(path).suffix.lower())


def scan(path: str, fmt: str | None) -> pl.LazyFrame:
    """The whole log as a lazy frame (CSV cells as text)."""
    if kind_of(path, fmt) == "parquet":
        return pl.scan_parquet(path)
    return pl.scan_csv(path, infer_schema=False)


#: The records polars reads at a time; its batches are gathered into chunks.
BATCH = 1 << 16


#: A chunk of the log's records and the file line of its first (None: Parquet, whose
#: records are placed by their index).
Chunk = tuple[pl.DataFrame, int | None]


def read_chunks(path: str, fmt: str | None, rows: int | Callable[[], int]) -> Iterator[Chunk]:
    """The log's records as text cells (CSV) or as Parquet has them, ``rows`` at a time,
    each chunk with the line of its first record; ``rows`` may be asked again before each
    chunk (a stream's chunks shrink as what it holds grows:
    :class:`rulebook.document.stream.Budget`). A chunk's records are on consecutive lines:
    a CSV file's blank lines part chunks, as the whole reading skips them."""
    size = rows if callable(rows) else (lambda: rows)
    kind = kind_of(path, fmt)
    if path == "-":
        raise StreamError(
            "-: --engine stream reads a file (its chunks, and a log's causes before them), "
            "not standard input; accepted: the log saved to a .csv or .parquet file, or "
            "--engine columnar"
        )
    if Path(path).is_dir():
        raise InputError(f"{path}: is a folder; accepted: a .csv or .parquet file")
    if kind not in ("csv", "parquet"):
        raise StreamError(
            f"{path}: --engine stream reads CSV and Parquet files; accepted: a .csv or "
            ".parquet path (or --input-format csv|parquet)"
        )
    if not Path(path).is_file():
        raise InputError(f"{path}: no such file")
    batch = max(1, min(size(), BATCH))
    if kind == "parquet":
        import pyarrow.parquet as pq

        try:
            source = pq.ParquetFile(path)
        except Exception as exc:  # Arrow raises many kinds for a bad file
            raise InputError(f"{path}: not a Parquet file ({type(exc).__name__})") from None
        frames = ((pl.DataFrame(b), None) for b in source.iter_batches(batch_size=batch))
        yield from _gathered(frames, size)
        return
    reading = _csv_reading(path)
    if reading is None:  # no records: as one machine reads it
        return
    try:
        yield from _gathered(_batches(reading, batch), size)
    except Unchunked as exc:
        undecoded = _not_utf8(path)  # one machine names the byte before any row
        if undecoded is not None:
            raise InputError(undecoded) from None
        row = _wrong_width(path)
        if row is not None:
            raise InputError(
                f"{row}; --engine stream stops at such a row, even with --keep-going "
                "(--engine columnar reads past it)"
            ) from None
        raise InputError(_unstreamable(path, exc)) from None


def expected_records(path: str, fmt: str | None) -> int:
    """About how many records the log holds, to size what a stream keeps of each (0: not
    known): Parquet's own count; a CSV file's size over the length of its first lines."""
    if not Path(path).is_file():  # a pipe is not read here: the reading refuses it
        return 0
    try:
        if kind_of(path, fmt) == "parquet":
            import pyarrow.parquet as pq

            return int(pq.ParquetFile(path).metadata.num_rows)
        with open(path, "rb") as file:
            start = file.read(1 << 20)
            size = os.fstat(file.fileno()).st_size
    except Exception:  # unreadable or not Parquet: the reading names it
        return 0
    lines = start.count(b"\n")
    return size * lines // len(start) if lines else 0


def _batches(reading: CsvChunks, batch: int) -> Iterator[Chunk]:
    """The file's chunks (whole lines checked and parsed as the columnar route's chunks
    are, parted at blank lines: :meth:`rulebook.intake.frames.CsvChunks.chunks`) cut into
    batches of ``batch`` records, each with its first line."""
    for chunk in reading.chunks(apart=True):
        assert chunk.first_line is not None
        for start in range(0, chunk.frame.height, batch):
            yield chunk.frame.slice(start, batch), chunk.first_line + start


#: What the stream reads of a CSV file: as the columnar route's chunks, one record a line.
_STREAMED = (
    "accepted for --engine stream: one record a line, each line ending in LF or CRLF (no "
    "NUL byte, no line break or lone CR inside a cell); --engine columnar reads the file "
    "whole and names the line"
)


def _not_utf8(path: str) -> str | None:
    """What the stream says of a log that is not UTF-8 text (None when it is)."""
    return utf8_only(path, "--engine stream")


def _unstreamable(path: str, exc: Unchunked) -> str:
    """The stream's refusal of a file whose lines are not one record each."""
    if exc.line is None:  # the file could not be read on
        return f"{path}: {exc.why}; {_STREAMED}"
    where = f"{path}:{exc.line}: {exc.why}"
    if exc.within is None:  # found in the chunk, not placed in it
        where += " (in this line or the lines after it, up to 16 MiB)"
    if exc.why.startswith("a cell of more than"):
        cells = f"cells of at most {limits.MAX_CSV_CELL:,} characters (docs/limits.md)"
        return f"{where}; accepted: {cells}"
    return f"{where}; {_STREAMED}"


def _csv_reading(path: str) -> CsvChunks | None:
    """The CSV log's header checked as one machine checks it (every column named, and
    named once: :func:`rulebook.io.readers.check_header`) and the file as
    :class:`~rulebook.intake.frames.CsvChunks`; None when it holds no record (nothing but
    a header, a blank line or a byte order mark). A header the chunks cannot read is
    refused (InputError)."""
    found = _csv_header(path)
    if found is None or found[1] == len(found[0]):
        return None  # nothing, or a header alone
    header, size, names = found
    return CsvChunks(path, header, size, len(names))


def _csv_header(path: str) -> tuple[bytes, int, list[str]] | None:
    """The CSV log's header line, the file's size and the header's names, checked (see
    :func:`_csv_reading`); None when the file has no header. A file that is not UTF-8
    text is refused for that first, as one machine refuses it."""
    try:
        return _header_of(path)
    except InputError as exc:
        raise InputError(_not_utf8(path) or str(exc)) from None


def _header_of(path: str) -> tuple[bytes, int, list[str]] | None:
    import csv

    try:
        size = Path(path).stat().st_size
        with open(path, "rb") as file:
            header = file.readline(1 << 20)
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    text = header.removeprefix(b"\xef\xbb\xbf")
    if size == len(header) and not text.strip():
        return None  # empty, a blank line, a byte order mark
    if not header.endswith(b"\n") and b"\r" in header.rstrip(b"\r"):
        raise InputError(f"{path}:1: its lines end in a carriage return alone (CR); {_STREAMED}")
    if not header.endswith(b"\n") and size > len(header):
        raise InputError(f"{path}:1: a header line of more than 1 MiB; {_STREAMED}")
    if (
        header.count(b"\r") != header.endswith(b"\r\n")
        or header.count(b'"') % 2
        or b"\x00" in header
    ):
        raise InputError(
            f"{path}:1: a header with a lone carriage return, a NUL byte or a quote left "
            f"open; {_STREAMED}"
        )
    try:
        names = next(csv.reader([text.decode("utf-8").rstrip("\r\n")]), [])
    except UnicodeDecodeError:
        raise InputError(f"{path}:1: a header that is not UTF-8 text; {_STREAMED}") from None
    check_header([n.strip() for n in names], path)
    return header, size, names


def _wrong_width(path: str) -> str | None:
    """The first row with more cells than the header, placed and worded as one machine
    says it (polars' scan stops there with words of its own), read again from the top
    once the scan has failed; None if there is none."""
    import csv

    try:
        with open(path, encoding="utf-8-sig", newline="") as file:
            reader = csv.reader(file)
            header = [h.strip() for h in next(reader, [])]
            line, number = reader.line_num, 0
            for row in reader:
                first, line = line + 1, reader.line_num
                if not row or all(not cell.strip() for cell in row):
                    continue
                number += 1
                problem = width_problem(row, header)
                if problem is not None:
                    where = f"{path}:{first}: record #{number}"
                    return f"{where}: {problem}; accepted: {WIDTH_ACCEPTED}"
    except (OSError, UnicodeDecodeError, csv.Error):
        return None
    return None


def in_nfc(text: pl.Expr) -> pl.Expr:
    """Text in NFC as the mapping stage writes it (:func:`rulebook.text.nfc`: Python's
    Unicode tables, which polars' own normalisation may be newer than), cell by cell in
    whatever batches polars reads, only the cells that are not ASCII looked at."""
    return text.map_batches(_nfc_cells, return_dtype=pl.String, is_elementwise=True)


def _nfc_cells(cells: pl.Series) -> pl.Series:
    odd = cells.filter(cells.str.len_bytes() != cells.str.len_chars()).unique().to_list()
    old = [v for v in odd if nfc(v) != v]
    return cells.replace(old, [nfc(v) for v in old]) if old else cells


def _gathered(batches: Iterator[Chunk], size: Callable[[], int]) -> Iterator[Chunk]:
    """Batches gathered into chunks of ``size()`` records (asked before each chunk; a
    chunk ends at a batch's end, so it may hold a little more, or where the next batch's
    records are not on the lines after its own)."""
    pending: list[pl.DataFrame] = []
    held, wanted, first = 0, size(), None
    for batch, line in batches:
        if pending and line is not None and first is not None and line != first + held:
            yield pl.concat(pending), first  # a blank line between: its own chunk
            pending, held = [], 0
            wanted = size()
        if not pending:
            first = line
        pending.append(batch)
        held += batch.height
        if held >= wanted:
            yield pl.concat(pending), first
            pending, held = [], 0
            wanted = size()
    if pending:
        yield pl.concat(pending), first


@with_repr
@attrs.define(repr=False)
class ChunkIntake:
    """How a stream takes in its log's chunks: ``mapping`` (the project's maps; none: the
    mapping stage of no project file, as one machine's), warnings and notes to ``warn``."""

    contract: m.Contract
    path: str
    fmt: str | None = None
    mapping: Mapping | None = None
    warn: Callable[[list[str]], object] = lambda lines: None

    def __attrs_post_init__(self) -> None:
        if self.mapping is None:
            self.mapping = compile_mapping(NONE, self.contract)
        self.mapping.unresolved.clear()

    @property
    def maps(self) -> Mapping:
        assert self.mapping is not None
        return self.mapping

    @property
    def reading(self) -> m.Contract:
        """The contract naive times are read with (the project's timezone)."""
        return self.maps.reading(self.contract)

    @property
    def first_line(self) -> int | None:
        """The file line of the log's first record (CSV: 2; Parquet: placed by index)."""
        return 2 if kind_of(self.path, self.fmt) == "csv" else None

    def take(
        self,
        chunk: pl.DataFrame,
        case: Case,
        offset: int,
        first: bool,
        closing: Closing | None = None,
        line: int | None = None,
        records: int = 0,
    ) -> FrameIntake:
        """A chunk (its first row the log's ``offset``-th, on file line ``line``; None:
        Parquet, placed by index; its first record the log's ``records``-th, blank rows
        being none) mapped and validated, with the other inputs in ``case``; the warnings
        said with the ``first`` chunk (the columns are every chunk's). With ``closing``,
        an ongoing record it cannot close is refused."""
        return self._take(chunk, case, line, offset, first, closing, records)

    def _take(
        self,
        chunk: pl.DataFrame,
        case: Case,
        at: int | None,
        offset: int,
        first: bool,
        closing: Closing | None = None,
        records: int = 0,
    ) -> FrameIntake:
        mapping = self.maps
        if at is None and offset and "id" not in {mapping.column(c)[0] for c in chunk.columns}:
            raise StreamError(
                f"{self.path}: no id column; --engine stream reads a Parquet log with ids "
                "(map a column to id in rulebook.toml [columns]), or use --engine columnar"
            )
        try:
            read, warnings = mapping.prepare_columns(Columns(chunk, self.path, at))
            assert read is not None  # CSV and Parquet: never JSON Lines' text
            if first:
                case, _, others = mapping.prepare_case(case, self.path)
                self.warn([*warnings, *others])
            taken = frame_intake(
                self.reading,
                read.frame,
                self.path,
                case,
                keep_going=True,
                first_line=at,
                causes=False,
                read=read,
                first_row=offset,
                closing=closing,
                first_record=records,
            )
        except RecordError as exc:
            raise mapping.annotate(exc) from None
        for error in taken.errors:
            mapping.annotate(error)
        taken, notes = mapping.expand(taken)
        if notes:
            raise StreamError(
                f"{self.project_path}: the service map makes a record into one per service; "
                "--engine stream does not copy records: use --engine columnar"
            )
        return taken

    @property
    def project_path(self) -> str:
        return self.maps.project.path or "the service map"

    def empty(self, case: Case, keep_going: bool) -> FrameIntake:
        """The other inputs of a log without records; a CSV header alone is checked as
        one machine checks it (a column that is no field refused)."""
        found = _csv_header(self.path) if kind_of(self.path, self.fmt) == "csv" else None
        if found is not None:
            names = pl.read_csv(found[0], infer_schema=False).columns  # as the chunks name them
            frame = pl.DataFrame(schema=dict.fromkeys(names, pl.String))
            return self._take(frame, case, self.first_line, 0, True)
        mapped, _, others = self.maps.prepare_case(case, self.path)
        self.warn(others)
        return items_intake(self.reading, mapped, keep_going)

    def finish(self) -> None:
        """The warning about locations read as unknown, over the whole log."""
        self.warn(unresolved_warning(self.path, self.maps.unresolved))

    def column(self, field: str) -> str | None:
        """The log's column read as ``field`` (None: there is none)."""
        names = scan(self.path, self.fmt).collect_schema().names()
        return next((c for c in names if self.maps.column(c)[0] == field), None)

    def ids(self, column: str) -> pl.Expr:
        """A raw column of ids as the mapping stage and the intake read them: in Python's
        NFC, then stripped of what Python strips."""
        return in_nfc(pl.col(column).cast(pl.String)).str.strip_chars(WHITESPACE)

    def involved(self, rows: pl.DataFrame, closing: Closing | None = None) -> FrameIntake:
        """Records of the log (any of its rows) taken in, placed by their index among
        ``rows``; the locations they give are counted once, with their chunk."""
        unresolved = dict(self.maps.unresolved)
        try:
            return self._take(rows, Case(), None, 0, False, closing)
        finally:
            self.maps.unresolved.clear()
            self.maps.unresolved.update(unresolved)

    def first_indexes(self, rids: list[str], before: int) -> dict[str, int]:
        """The index of the record of each id of ``rids`` that one machine keeps among the
        log's first ``before`` rows — the first that is a valid record — read in one pass
        (CSV: among the rows the stream reads, its blank lines skipped); an id of none of
        them is left out."""
        column = self.column("id")
        if column is None or not rids:
            return {}
        rows, indexes = self._rows_of(column, rids, before)
        if not indexes:
            return {}
        kept = self.involved(rows).frame  # one record an id: the first valid row
        return {rid: indexes[row] for rid, row in kept.select("id", "row").iter_rows()}

    def _rows_of(self, column: str, rids: list[str], before: int) -> tuple[pl.DataFrame, list[int]]:
        """The log's rows of the ids ``rids`` among its first ``before``, as the chunks read
        them, and their indexes."""
        wanted = pl.Series(rids, dtype=pl.String).implode()
        if kind_of(self.path, self.fmt) != "csv":
            found = (
                scan(self.path, self.fmt)
                .head(before)
                .with_row_index("__index")
                .filter(self.ids(column).is_in(wanted))
                .collect()
            )
            return found.drop("__index"), found["__index"].to_list()
        reading = _csv_reading(self.path)
        pieces: list[pl.DataFrame] = []
        indexes: list[int] = []
        index = 0
        for chunk in reading.chunks(apart=True) if reading is not None else ():
            if index >= before:
                break
            frame = chunk.frame.head(before - index)
            hits = frame.select(self.ids(column).is_in(wanted)).to_series()
            if hits.any():
                pieces.append(frame.filter(hits))
                indexes.extend(index + int(i) for i in hits.arg_true())
            index += frame.height
        return pl.concat(pieces) if pieces else pl.DataFrame(), indexes
