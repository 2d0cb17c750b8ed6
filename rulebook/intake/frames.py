"""Reading a log as a frame of text cells: CSV (by polars, every cell text; files polars
would misread — rows spanning lines, lone CRs, short rows — are left to the record route),
JSON Lines, Parquet, a polars frame or an Arrow table. Nothing is validated here
(:mod:`rulebook.intake.columns` does that)."""

from __future__ import annotations

import codecs
import io
import json
import os
import re
import stat
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

import attrs
import polars as pl

from rulebook import limits
from rulebook.allocator import give_back
from rulebook.errors import RulebookError
from rulebook.io.json_text import suspect_bytes
from rulebook.io.readers import InputError, encoding_of, read_input, utf8
from rulebook.reprs import with_repr

#: A log with more columns than this is read by the record route: polars spends about 0.1 ms
#: on each column of a frame, whatever its rows, and a log has a few dozen fields; a row of
#: 10^5 columns that are no field is read in time linear in its cells (issue 26).
MAX_FRAME_COLUMNS = 1_000


@with_repr
@attrs.frozen(repr=False)
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


def read_log(
    path: str, fmt: str | None = None, encoding: str | None = None
) -> Columns | CsvChunks | None:
    """As :func:`read_frame`, but a UTF-8 CSV file whose header :func:`csv_chunks` can
    read is not read here: it is handed over as :class:`CsvChunks`, to be read a chunk at
    a time by the intake."""
    chunks = csv_chunks(path, fmt, encoding)
    return chunks if chunks is not None else read_frame(path, fmt, encoding)


def read_frame(path: str, fmt: str | None = None, encoding: str | None = None) -> Columns | None:
    """A CSV, JSON Lines or Parquet file as columns (CSV cells as text; Parquet keeps its
    types); None when the file is for the record route (JSON, standard input, a CSV whose
    rows are not one line each, JSON Lines with other than text and lists of text). Text
    in another ``encoding`` than UTF-8 is decoded first (:func:`~rulebook.io.readers.utf8`)."""
    suffix = Path(path).suffix.lower()
    if fmt == "parquet" or (fmt is None and suffix == ".parquet"):
        # A regular file is read by polars itself; standard input, a pipe or a device
        # through the bounded reader (polars would read /dev/zero for ever).
        data = None if _regular(path) else read_input(path)
        try:
            if data is not None:
                import io

                frame = pl.read_parquet(io.BytesIO(data))
                return Columns(frame, "<stdin>" if path == "-" else path, None)
            return Columns(pl.read_parquet(path), path, None)
        except FileNotFoundError:
            raise InputError(f"{path}: no such file") from None
        except Exception as exc:  # polars and Arrow raise many kinds for a bad file
            raise InputError(f"{path}: not a Parquet file ({type(exc).__name__})") from None
    kind = fmt or {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}.get(suffix)
    if path == "-" or kind not in ("csv", "jsonl"):
        return None
    data = utf8(read_input(path), path, encoding)
    if b"\x00" in data:
        return None  # NUL splits lines when rows are counted below: the record route
    if data[: data.find(b"\n")].count(b"," if kind == "csv" else b":") >= MAX_FRAME_COLUMNS:
        return None  # too wide for columns: the record route, linear in cells
    if kind == "jsonl":
        return json_lines(data, path)
    header = data if (end := data.find(b"\n")) < 0 else data[:end]
    try:  # polars reads a name's bytes that are not UTF-8 as U+FFFD: the record route
        header.decode("utf-8")  # names the byte
    except UnicodeDecodeError:
        return None
    try:  # polars parses with its own threads (no Python thread around it: issue 29)
        frame = pl.read_csv(data, infer_schema=False, has_header=True)
    except Exception:  # ragged rows, stray quotes, bytes not UTF-8: the record route
        return None  # names the line or the byte
    if b"\r" in data and data.count(b"\r") != data.count(b"\r\n"):
        return None  # lines end in a lone CR: the record route
    # Polars reads a blank line as a row of nulls and fills a short row's last cells with
    # nulls: when the last column has no null there is neither (nothing to count in the
    # bytes); otherwise the bytes tell a blank line or a short row from empty cells.
    open_end = frame.width > 0 and frame[frame.columns[-1]].null_count() > 0
    null_row = open_end and frame.select(pl.all_horizontal(pl.all().is_null()).any()).item()
    blank = data.startswith((b"\n", b"\r\n")) or (
        null_row and (b"\n\n" in data or b"\n\r\n" in data)
    )
    lines = frame.height + 1  # without quotes or blank lines, a line is a row
    if b'"' in data or blank:  # a quoted cell may span lines: count them
        lines = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
        if lines != frame.height + 1:
            return None  # a quoted cell spans lines: the record route
    if open_end and ragged(data, lines, len(frame.columns)):
        return None  # polars fills short rows; the record route names them
    if _over_cell_limit(frame):
        return None  # the record route refuses it at its line, as Python's csv does
    if frame.height == 0 or frame.width > MAX_FRAME_COLUMNS:
        return None  # no rows (no column types), or too wide: the record route
    if any("_duplicated_" in c for c in frame.columns):
        return None  # a header naming a column twice
    return Columns(frame, path, plain_space=not separators(frame))


# ------------------------------------------------------------------ CSV in chunks

#: Bytes of a CSV file read and validated at a time (whole lines: a chunk ends at the
#: last line end within it): the file is never held whole, as bytes or as text, only its
#: validated columns are (issue 29: the text of every cell of 10^7 records took 2 GiB
#: more than the floor's whole run).
CHUNK_BYTES = 1 << 24
#: A CR that ends no line.
_LONE_CR = re.compile(rb"\r(?!\n)")
#: Bytes Python's strip removes and polars' does not.
_SEPARATORS = tuple(bytes([b]) for b in range(0x1C, 0x20))


class Unchunked(Exception):
    """A CSV file that chunks cannot read as the whole file's reading would (a quoted
    cell spanning lines, a blank line, a short row, a row polars refuses, bytes not UTF-8,
    a cell over the limit): it is read whole instead (:meth:`CsvChunks.whole`), from the
    start. ``line`` is the file line the chunk began at (None: the file could not be read
    on), ``why`` what its lines hold (for a reader that cannot read the file whole: the
    stream); ``within``, when known, the line of the chunk (from 0) that holds it, which
    :meth:`CsvChunks.chunks` adds to ``line``."""

    def __init__(self, why: str = "", line: int | None = None, within: int | None = None) -> None:
        super().__init__(why)
        self.why, self.line, self.within = why, line, within


@with_repr
@attrs.frozen(repr=False)
class CsvChunks:
    """A UTF-8 CSV file to be read a chunk of whole lines at a time (:meth:`chunks`),
    each chunk as :class:`Columns` placed at its file lines."""

    path: str
    header: bytes  # the first line, its end included
    size: int  # the file's bytes
    columns: int  # the header's names
    encoding: str | None = None

    def chunks(self, size: int = 0, apart: bool = False) -> Iterator[Columns]:
        """The file's rows as text cells, a chunk of about ``size`` bytes (default
        :data:`CHUNK_BYTES`) of lines at a time. Where a chunk's lines are not rows of as
        many cells as the header (a quoted cell spanning lines, a NUL, a lone CR, a blank
        line, a short row) or polars refuses them, :class:`Unchunked`, possibly after
        some chunks. With ``apart``, a chunk's blank lines (nothing but spaces, tabs or a
        CR) part it instead: each run of lines between them is a :class:`Columns` of its
        own, placed at its first line (the stream, which cannot read a file whole)."""
        size = size or CHUNK_BYTES
        try:
            yield from self._chunks(size, apart)
        except OSError as exc:  # gone or unreadable since its header: the whole reading names it
            raise Unchunked(f"cannot be read on ({exc.strerror or exc})") from None
        finally:  # the chunks' bytes and their copies, freed: back to the system
            give_back()

    def _chunks(self, size: int, apart: bool = False) -> Iterator[Columns]:
        commas = self.columns - 1
        names = pl.read_csv(self.header, infer_schema=False, has_header=True).columns
        read = 0
        line = 2  # the file line of the block's first line
        with open(self.path, "rb") as file:
            file.seek(len(self.header))
            for block in _blocks(file, size):
                lines = block.count(b"\n") + (not block.endswith(b"\n"))
                for first, run, frame in self._parts(block, names, commas, line, lines, apart):
                    at = first if apart else 2 + read
                    yield Columns(frame, self.path, at, plain_space=not _any_separator(run))
                    read += frame.height
                line += lines
                del block

    def _parts(
        self, block: bytes, names: list[str], commas: int, line: int, lines: int, apart: bool
    ) -> list[tuple[int, bytes, pl.DataFrame]]:
        """The block (its first line the file's ``line``) parsed, as one part or, with
        ``apart`` and blank lines in it, a part a run of lines between them: each with
        its first line and its bytes. A blank line is looked for only when the block as
        one part is refused (its commas are too few; with quotes, polars reads it as a
        row of nulls, which is no record, at its own line)."""
        try:
            return [(line, block, self._parse(block, names, commas, lines))]
        except Unchunked as exc:
            exc.line = line + (exc.within or 0)
            parted = _runs(block, line) if apart else []
            if not apart or (len(parted) == 1 and parted[0][2] == lines):
                raise  # no blank line: what it says stands
            return self._parts_of(parted, names, commas)  # none: blank lines only

    def _parts_of(
        self, runs: list[tuple[int, bytes, int]], names: list[str], commas: int
    ) -> list[tuple[int, bytes, pl.DataFrame]]:
        parts = []
        for first, run, count in runs:
            try:
                parts.append((first, run, self._parse(run, names, commas, count)))
            except Unchunked as exc:
                exc.line = first + (exc.within or 0)
                raise
        return parts

    def _parse(self, block: bytes, names: list[str], commas: int, lines: int) -> pl.DataFrame:
        """A chunk's lines as text cells, when each line is a full row: without quotes,
        its commas tell (a blank line or a short row has fewer); with quotes, a line a
        row (no quoted cell spans lines) and, where the last column has empty cells, the
        commas of each line outside its quotes (as :func:`read_frame` looks)."""
        quoted = b'"' in block
        if (nul := block.find(b"\x00")) >= 0:
            raise Unchunked("a NUL byte", within=block.count(b"\n", 0, nul))
        if not quoted and block.count(b",") != commas * lines:
            raise Unchunked("a blank line or a row of more or fewer cells than the header")
        if b"\r" in block and block.count(b"\r") != block.count(b"\r\n"):
            lone = _LONE_CR.search(block)
            raise Unchunked(
                "a carriage return that ends no line (CR without LF)",
                within=block.count(b"\n", 0, lone.start()) if lone else None,
            )
        frame = _parse_bare(block, names)
        if frame is None:  # read behind the header, as the whole file is
            frame = self._parse_headed(block)
        if frame.height != lines:
            raise Unchunked("a quoted cell spanning lines")
        if _over_cell_limit(frame):
            raise Unchunked(f"a cell of more than {limits.MAX_CSV_CELL:,} characters")
        if quoted and frame[frame.columns[-1]].null_count() and ragged(block, lines, commas + 1):
            raise Unchunked("a row of fewer cells than the header")  # polars would fill it
        return frame

    def _parse_headed(self, block: bytes) -> pl.DataFrame:
        """The chunk's lines behind the header, as the whole file's reading takes them
        (a short row filled, more cells refused: what the chunk then says)."""
        try:
            return pl.read_csv(self.header + block, infer_schema=False, has_header=True)
        except Exception:  # too many cells, bytes not UTF-8: the whole reading names them
            raise Unchunked(
                "a row polars cannot read (more cells than the header, a quote "
                "inside a cell, bytes that are not UTF-8)"
            ) from None

    def whole(self) -> Columns | None:
        """The file read whole, as :func:`read_frame` reads it."""
        return read_frame(self.path, "csv", self.encoding)


def _parse_bare(block: bytes, names: list[str]) -> pl.DataFrame | None:
    """A chunk's lines parsed alone, named as the header (no copy of the chunk behind
    it); None where that is not how the whole file's reading reads them: polars refuses
    the lines, finds other than the header's cells, or would drop a byte order mark that
    starts them."""
    if block.startswith(codecs.BOM_UTF8):
        return None
    try:
        frame = pl.read_csv(block, infer_schema=False, has_header=False, new_columns=names)
    except Exception:  # polars raises many kinds for lines it refuses
        return None
    return frame if frame.width == len(names) else None


def _blocks(file: io.BufferedReader, size: int) -> Iterator[bytes]:
    """The file's bytes from where it stands, in blocks of whole lines of about ``size``
    bytes (a line longer than that, whole; the last may end without a line end). A file
    that ends within the first ``size`` bytes is one block as read. Otherwise the file is
    read into one buffer, block after block, and each block's lines copied out of it once:
    reading into fresh bytes, then joining and cutting them, took four new blocks a chunk
    that the heap did not reuse between chunks. With each block parsed without the header
    before it (:func:`_parse_bare`): a report of 10^6 records, 126,000 -> 106,000 page
    faults; of 10^5, 24,300 -> 21,600."""
    first = file.read(size)
    if len(first) < size:  # a short read: the file's end
        if first:
            yield first
        return
    buffer = bytearray(first)
    del first
    held = got = len(buffer)  # the buffer's first bytes: read, not yet a block's
    while True:
        end = buffer.rfind(b"\n", 0, held) + 1 if got else held  # at the end: the last line
        if end:
            with memoryview(buffer) as view:
                block = bytes(view[:end])
            buffer[: held - end] = buffer[end:held]
            held -= end
            yield block
            del block
        if not got:
            return
        if held + size > len(buffer):  # a line longer than a chunk: room for more
            buffer.extend(bytes(held + size - len(buffer)))
        with memoryview(buffer) as view:
            got = file.readinto(view[held : held + size])
        held += got


def _runs(block: bytes, line: int) -> list[tuple[int, bytes, int]]:
    """The runs of ``block``'s lines between its blank lines (nothing but spaces, tabs or
    a CR, as the whole reading skips them), each with its first file line (the block's
    being ``line``) and its number of lines."""
    runs: list[tuple[int, bytes, int]] = []
    kept: list[bytes] = []
    first = line
    for number, text in enumerate(block.split(b"\n")):  # (a last "" when it ends a line)
        if text.strip(b" \t\r"):
            if not kept:
                first = line + number
            kept.append(text)
            continue
        if kept:
            runs.append((first, b"\n".join(kept) + b"\n", len(kept)))
            kept = []
    if kept:
        last = b"\n".join(kept) + (b"\n" if block.endswith(b"\n") else b"")
        runs.append((first, last, len(kept)))
    return runs


def _any_separator(block: bytes) -> bool:
    return any(b in block for b in _SEPARATORS)


def csv_chunks(path: str, fmt: str | None, encoding: str | None) -> CsvChunks | None:
    """The CSV file at ``path`` as :class:`CsvChunks` when it may be read so: a regular
    file within the input limit, UTF-8, a header of one line and at most
    :data:`MAX_FRAME_COLUMNS` distinct names (quoted or not)."""
    kind = fmt or {".csv": "csv"}.get(Path(path).suffix.lower())
    if kind != "csv" or not _regular(path):
        return None
    if encoding is not None and encoding_of(encoding) not in ("utf-8", "utf-8-sig"):
        return None
    try:
        size = os.stat(path).st_size
        with open(path, "rb") as file:
            header = file.readline(1 << 20)
    except OSError:
        return None  # the whole reading names what is wrong
    if size > limits.MAX_INPUT_BYTES or not header.endswith(b"\n") or size == len(header):
        return None  # over the limit, a header alone or too long: the whole reading
    if any(b in header for b in (b"\x00", *_SEPARATORS)) or header.count(b",") >= MAX_FRAME_COLUMNS:
        return None
    if header.count(b"\r") != header.endswith(b"\r\n") or header.count(b'"') % 2:
        return None  # a lone CR; a quote left open (a name spanning lines)
    try:  # its names as polars reads them (quoted or not)
        header.decode("utf-8")  # polars reads a name's bytes that are not UTF-8 as U+FFFD
        names = pl.read_csv(header, infer_schema=False, has_header=True).columns
    except Exception:  # not UTF-8 (the whole reading names the byte), a stray quote
        return None
    if any("_duplicated_" in n for n in names):
        return None  # a name twice: the record route names it
    return CsvChunks(path, header, size, len(names), encoding)


def separators(frame: pl.DataFrame) -> bool:
    """Whether a name or a cell holds a byte 0x1c-0x1f (Python strips them, polars not):
    one vectorised look at the parsed cells, not a scan of the file's bytes."""
    if any(chr(b) in name for name in frame.columns for b in range(0x1C, 0x20)):
        return True
    marks = [chr(b) for b in range(0x1C, 0x20)]
    found = frame.select(
        pl.any_horizontal(pl.col(c).str.contains_any(marks).any() for c in frame.columns)
    )
    return bool(found.item())


def _over_cell_limit(frame: pl.DataFrame) -> bool:
    """Whether a cell may be longer than :data:`~rulebook.limits.MAX_CSV_CELL` characters
    (its bytes say so first: a character is 1 to 4 bytes)."""
    texts = [c for c, t in frame.schema.items() if t == pl.String]
    if not texts or frame.height == 0:
        return False
    longest = frame.select(pl.max_horizontal(pl.col(texts).str.len_bytes().max())).item()
    return bool(longest is not None and longest > limits.MAX_CSV_CELL)


def _regular(path: str) -> bool:
    try:
        return path != "-" and stat.S_ISREG(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False  # the bounded reader names what is wrong


def json_lines(data: bytes, path: str) -> Columns | None:
    """JSON Lines as columns, when reading them so changes nothing the record route would
    say: one object a line, no blank lines, text and lists of text only, no text that the
    record route would see with spaces around it (it does not strip JSON strings)."""
    if b"\r" in data or b"\n\n" in data or data.startswith(b"\n") or not data.strip():
        return None
    try:
        frame = pl.read_ndjson(data, infer_schema_length=None)
    except Exception:  # not JSON, not objects: the record route names the line
        return None
    if (
        data.rstrip(b"\n").count(b"\n") + 1 != frame.height
        or not 0 < frame.width <= MAX_FRAME_COLUMNS
    ):
        return None  # (no columns: objects without keys, which the record route names)
    values = frame.height * frame.width - sum(frame.null_count().row(0))
    if suspect_bytes(data, values):
        return None  # a key twice, a lone surrogate (or a null): the record route looks
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


def ragged(data: bytes, lines: int, columns: int, commas: int | None = None) -> bool:
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
    # A column with no cell that begins or ends with a space is not rewritten (one look:
    # a copy of every text column doubled the peak memory of the intake).
    padded = frame.select(pl.col(c).str.contains(PADDED).any() for c in texts).row(0)
    stripped = frame.select(
        pl.col(c).str.strip_chars(chars) if pad else pl.col(c)
        for c, pad in zip(texts, padded, strict=True)
    )
    empty = stripped.select((pl.col(c).str.len_bytes() == 0).any() for c in texts).row(0)
    changed = [
        blank_is_null(stripped[c]) if blank else stripped[c]
        for c, blank, pad in zip(texts, empty, padded, strict=True)
        if blank or pad
    ]
    return frame.with_columns(changed) if changed else frame


def blank_is_null(text: pl.Series) -> pl.Series:
    return pl.select(pl.when(text.str.len_bytes() > 0).then(text)).to_series().alias(text.name)


def as_frame(data: Any) -> pl.DataFrame:
    """A polars frame from a polars frame, an Arrow table or a sequence of mappings."""
    if isinstance(data, pl.DataFrame):
        return data
    if isinstance(data, pl.LazyFrame):
        return data.collect()
    try:
        import pyarrow as pa

        if isinstance(data, pa.Table):
            twice = sorted(n for n, k in Counter(data.column_names).items() if k > 1)
            if twice:  # polars refuses them with its own error
                raise RulebookError(
                    f"the Arrow table names column '{twice[0]}' more than once; accepted: "
                    "each column once"
                )
            return pl.DataFrame(pl.from_arrow(data))
    except ImportError:  # pragma: no cover - pyarrow is a dependency
        pass
    raise RulebookError(
        f"cannot adjudicate a {type(data).__name__}; accepted: a polars DataFrame, an Arrow "
        "table, a path, or a list of mappings"
    )


#: The engine of rulebook's lazy queries over frames in memory. Polars' default ("auto")
#: ran most of them on its streaming engine, which costs about 0.3 ms a query to set up:
#: 10^3 records, a plan's run of its spans 2.9 -> 1.3 ms; 10^7, the same time and peak
#: (docs/performance.md, round sixteen). A scan of a file keeps the streaming engine.
IN_MEMORY: Final = "in-memory"

#: What Python's str.strip() strips (polars' default trims a slightly different set).
WHITESPACE = "".join(chr(c) for c in range(0x3001) if chr(c).isspace())
#: A cell that begins or ends with a character Python's strip removes.
_SPACE = "".join(f"\\x{{{ord(c):X}}}" for c in WHITESPACE)
PADDED = f"^[{_SPACE}]|[{_SPACE}]$"
