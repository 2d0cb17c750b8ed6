"""A stream's log read a chunk at a time (:func:`read_chunks`) and each chunk taken in as
one machine takes in a whole log (:class:`ChunkIntake`): the mapping stage (column names
in NFC, the project's ``[columns]`` and ``[values]``, a column that is no field left out
with one warning, spreadsheet date-times read, the project's ``timezone`` for naive
times), validation, then the service map — the same records and messages as
:func:`rulebook.mapping.apply.take_in`, chunk by chunk (:mod:`rulebook.document.stream`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import attrs
import polars as pl

from rulebook import model as m
from rulebook.errors import RulebookError
from rulebook.intake.columns import FrameIntake, frame_intake, items_intake
from rulebook.intake.frames import Columns
from rulebook.intake.ongoing import Closing
from rulebook.intake.records import RecordError
from rulebook.io.readers import WIDTH_ACCEPTED, Case, InputError, width_problem
from rulebook.mapping.apply import Mapping
from rulebook.mapping.compile import compile_mapping
from rulebook.mapping.places import unresolved_warning
from rulebook.project import NONE


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


def read_chunks(
    path: str, fmt: str | None, rows: int | Callable[[], int]
) -> Iterator[pl.DataFrame]:
    """The log's records as text cells (CSV) or as Parquet has them, ``rows`` at a time;
    ``rows`` may be asked again before each chunk (a stream's chunks shrink as what it
    holds grows: :class:`rulebook.document.stream.Budget`)."""
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
        frames = (pl.DataFrame(b) for b in source.iter_batches(batch_size=batch))
        yield from _gathered(frames, size)
        return
    if Path(path).stat().st_size == 0:  # no header, no records: as one machine reads it
        return
    batches = pl.scan_csv(path, infer_schema=False).collect_batches(chunk_size=batch)
    try:
        yield from _gathered(batches, size)
    except pl.exceptions.PolarsError as exc:
        row = _wrong_width(path)
        if row is not None:
            raise InputError(
                f"{row}; --engine stream stops at such a row, even with --keep-going "
                "(--engine columnar reads past it)"
            ) from None
        raise InputError(f"{path}: cannot be read as CSV ({str(exc).splitlines()[0]})") from None


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


def _gathered(batches: Iterator[pl.DataFrame], size: Callable[[], int]) -> Iterator[pl.DataFrame]:
    """Batches gathered into chunks of ``size()`` records (asked before each chunk; a
    chunk ends at a batch's end, so it may hold a little more)."""
    pending: list[pl.DataFrame] = []
    held, wanted = 0, size()
    for batch in batches:
        pending.append(batch)
        held += batch.height
        if held >= wanted:
            yield pl.concat(pending)
            pending, held = [], 0
            wanted = size()
    if pending:
        yield pl.concat(pending)


@attrs.define
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
    ) -> FrameIntake:
        """A chunk (its first record the log's ``offset``-th) mapped and validated, with
        the other inputs in ``case``; the warnings said with the ``first`` chunk (the
        columns are every chunk's). With ``closing``, an ongoing record it cannot close is
        refused."""
        return self._take(chunk, case, self.first_line, offset, first, closing)

    def _take(
        self,
        chunk: pl.DataFrame,
        case: Case,
        line: int | None,
        offset: int,
        first: bool,
        closing: Closing | None = None,
    ) -> FrameIntake:
        mapping = self.maps
        at = None if line is None else line + offset
        if line is None and offset and "id" not in {mapping.column(c)[0] for c in chunk.columns}:
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
        """The other inputs of a log without records."""
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
        """A raw column of ids as the mapping stage reads them (stripped, in NFC)."""
        return pl.col(column).cast(pl.String).str.strip_chars().str.normalize("NFC")

    def involved(self, rows: pl.DataFrame, closing: Closing | None = None) -> FrameIntake:
        """Records of the log (any of its rows) taken in, placed by their index among
        ``rows``; the locations they give are counted once, with their chunk."""
        unresolved = dict(self.maps.unresolved)
        try:
            return self._take(rows, Case(), None, 0, False, closing)
        finally:
            self.maps.unresolved.clear()
            self.maps.unresolved.update(unresolved)

    def first_index(self, rid: str) -> int | None:
        """The index of the first record of the log with id ``rid``."""
        column = self.column("id")
        if column is None:
            return None
        found = (
            scan(self.path, self.fmt)
            .select(self.ids(column).alias("id"))
            .with_row_index("index")
            .filter(pl.col("id") == rid)
            .head(1)
            .collect()
        )
        return int(found["index"][0]) if found.height else None
