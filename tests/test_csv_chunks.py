"""A CSV log read a chunk of lines at a time (``rulebook.intake.frames.CsvChunks``) says
exactly what the whole file read at once says: the same output bytes, messages and exit
code, for every CSV case of the hostile corpus and the bundled examples, with chunks of a
few lines (so every edge between chunks is crossed: ids used twice across chunks, causes
in another chunk, errors in several, blank rows, lone CRs and quotes found late)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from rulebook.cli import main
from rulebook.intake import frames
from rulebook.intake.frames import CsvChunks, Unchunked, csv_chunks, read_log
from rulebook.io.readers import InputError

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "hostile"
CASES: list[dict[str, Any]] = json.loads((CORPUS / "MANIFEST.json").read_text(encoding="utf-8"))
CSV_CASES = [
    c
    for c in CASES
    if c["name"].endswith(".csv")
    and not c["stdin"]
    and not c.get("spark")
    and "{file}" in c["args"]
]


def _run(args: list[str]) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, args)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError("a traceback") from result.exception
    return result.exit_code, result.stdout, result.stderr


def _both(args: list[str], monkeypatch: pytest.MonkeyPatch, size: int) -> None:
    """``args`` run read whole and read in chunks of ``size`` bytes: the same."""
    with monkeypatch.context() as m:
        m.setattr(frames, "csv_chunks", lambda path, fmt, encoding: None)
        whole = _run(args)
    with monkeypatch.context() as m:
        m.setattr(frames, "CHUNK_BYTES", size)
        chunked = _run(args)
    assert chunked == whole


def test_the_corpus_has_csv_cases() -> None:
    assert len(CSV_CASES) >= 40


@pytest.mark.parametrize("case", CSV_CASES, ids=[c["name"] for c in CSV_CASES])
@pytest.mark.parametrize("size", [1, 100])
def test_a_corpus_case_in_chunks_says_what_the_whole_file_says(
    case: dict[str, Any], size: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    path = CORPUS / "inputs" / case["name"]
    args = [a.replace("{file}", str(path)) for a in case["args"]]
    _both(args, monkeypatch, _bytes(path, size))


#: The most chunks a corpus case is cut into: a file of thousands of lines (the chains of
#: 3,000 causes) read a line a chunk took 80 s a size and crossed no kind of edge that a
#: hundred chunks of some lines do not (CI's time, issue 29).
MOST_CHUNKS = 100


def _bytes(path: Path, size: int) -> int:
    """The chunk size for a corpus case: ``size``, or larger for a file of many lines,
    so that it is cut into at most :data:`MOST_CHUNKS` chunks."""
    data = path.read_bytes()
    if data.count(b"\n") <= MOST_CHUNKS:
        return size
    return max(size, len(data) // MOST_CHUNKS)


EXAMPLES = [
    ("cybermail", "examples/cybermail-2026-09.csv"),
    ("aoulu-cloud", "examples/aoulu-cloud-2026-09.csv"),
    ("examples/cybermail-amended.sla", "examples/cybermail-amended-2023-07.csv"),
]


@pytest.mark.parametrize(("contract", "log"), EXAMPLES)
@pytest.mark.parametrize("command", ["report", "adjudicate"])
def test_an_example_in_chunks_gives_the_same_bytes(
    contract: str, log: str, command: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    _both([command, contract, log, "--format", "json"], monkeypatch, 200)


def _log(tmp_path: Path, lines: list[str]) -> str:
    path = tmp_path / "log.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


HEADER = "id,service,start,end,detected_by,cause,caused_by"


def _row(i: int, cause: str = "provider_fault", caused_by: str = "") -> str:
    return (
        f"r{i},CYBERMAIL Σ,2026-09-01T{i % 24:02d}:00:00+09:00,"
        f"2026-09-01T{i % 24:02d}:30:00+09:00,monitoring,{cause},{caused_by}"
    )


@pytest.mark.parametrize("keep_going", [[], ["--keep-going"]])
def test_edges_between_chunks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, keep_going: list[str]
) -> None:
    """An id used again three chunks later, a cause named before and after its record,
    an orphan cause, a bad time in a late chunk: as the whole file says them."""
    rows = [_row(i) for i in range(12)]
    rows[7] = _row(2)  # r2 again, chunks later
    rows[9] = _row(9, "power_supply", "r11")  # its cause comes after it
    rows[10] = _row(10, "provider_fault", "nobody")
    rows[11] = _row(11).replace("2026-09-01T11:30:00", "yesterday")
    log = _log(tmp_path, [HEADER, *rows])
    _both(["adjudicate", "cybermail", log, "--format", "json", *keep_going], monkeypatch, 150)


def test_quoted_cells_are_read_in_chunks(tmp_path: Path) -> None:
    rows = [_row(i) for i in range(6)] + ['r6,"CYBERMAIL Σ",2026-09-02T00:00:00+09:00,,,,']
    log = _log(tmp_path, [HEADER, *rows])
    chunks = csv_chunks(log, None, None)
    assert isinstance(chunks, CsvChunks)
    parts = list(chunks.chunks(150))
    assert len(parts) > 2
    assert pl.concat([p.frame for p in parts]).equals(pl.read_csv(log, infer_schema=False))


@pytest.mark.parametrize("size", [1, 150, 1 << 20])
def test_a_byte_order_mark_at_a_chunks_start_is_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: int
) -> None:
    """Polars drops a byte order mark that starts its input: read without the header, a
    chunk whose first line began with one lost it (an id \ufeffr1 became r1, used twice
    with the next r1), where the whole reading keeps it (a red-team pass)."""
    rows = [_row(i) for i in range(4)]
    rows[0] = "\ufeff" + rows[1]  # \ufeffr1, then r1
    rows[2] = "\ufeff" + rows[2]
    log = _log(tmp_path, [HEADER, *rows])
    _both(["adjudicate", "cybermail", log, "--format", "json"], monkeypatch, size)
    chunks = csv_chunks(log, None, None)
    assert isinstance(chunks, CsvChunks)
    ids = pl.concat([p.frame for p in chunks.chunks(size)])["id"].to_list()
    assert ids == ["\ufeffr1", "r1", "\ufeffr2", "r3"]


@pytest.mark.parametrize(
    "late",
    [
        'r6,"CYBERMAIL\nΣ",2026-09-02T00:00:00+09:00,,,,',  # a quoted cell spanning lines
        'r6,"CYBERMAIL Σ",2026-09-02T00:00:00+09:00,,',  # a short row among quotes
        "",  # a blank line
        "r6,CYBERMAIL Σ,2026-09-02T00:00:00+09:00",  # a short row
    ],
)
def test_what_only_the_whole_reading_reads_is_found_late(tmp_path: Path, late: str) -> None:
    """The first chunks are read before the line that sends the file to the whole
    reading (which then reads it from its start)."""
    log = _log(tmp_path, [HEADER, *(_row(i) for i in range(6)), late, _row(7)])
    chunks = csv_chunks(log, None, None)
    assert isinstance(chunks, CsvChunks)
    read = []
    with pytest.raises(Unchunked):
        for chunk in chunks.chunks(150):
            read.append(chunk.frame.height)
    assert read and sum(read) < 7


def test_a_quoted_header_and_quoted_cells(tmp_path: Path) -> None:
    """As spreadsheets and some exporters write every cell, the names too."""
    path = tmp_path / "log.csv"
    rows = [HEADER, *(_row(i) for i in range(20))]
    path.write_text(
        "".join(",".join(f'"{c}"' for c in row.split(",")) + "\n" for row in rows),
        encoding="utf-8",
    )
    chunks = csv_chunks(str(path), None, None)
    assert isinstance(chunks, CsvChunks) and chunks.columns == 7
    parts = list(chunks.chunks(400))
    assert len(parts) > 3
    whole = pl.concat([p.frame for p in parts])
    assert whole.equals(pl.read_csv(path, infer_schema=False))


def test_chunks_are_whole_lines_placed_at_their_lines(tmp_path: Path) -> None:
    log = _log(tmp_path, [HEADER, *(_row(i) for i in range(50))])
    chunks = read_log(log)
    assert isinstance(chunks, CsvChunks)
    parts = list(chunks.chunks(300))
    assert len(parts) > 10
    assert [p.first_line for p in parts] == [
        2 + sum(q.frame.height for q in parts[:i]) for i in range(len(parts))
    ]
    whole = pl.concat([p.frame for p in parts])
    assert whole.equals(pl.read_csv(log, infer_schema=False))


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.binary(max_size=12).map(lambda b: b.replace(b"\n", b"")), max_size=30),
    st.booleans(),
    st.integers(1, 40),
)
def test_blocks_are_the_file_cut_after_its_last_line_end_within_a_chunk(
    lines: list[bytes], ended: bool, size: int
) -> None:
    """The file read a block at a time: a file shorter than a chunk is one block, as read;
    a longer one is read into one buffer, and its blocks are the file's bytes in order,
    each cut after the last line end among the bytes read so far (a line longer than a
    chunk whole), as reading ``size`` bytes at a time and cutting there gives."""
    data = b"\n".join(lines) + (b"\n" if ended and lines else b"")
    expected, rest, at = [], b"", 0
    while len(data) >= size:
        piece = data[at : at + size]
        at += len(piece)
        held = rest + piece
        end = held.rfind(b"\n") + 1 if piece else len(held)
        if end:
            expected.append(held[:end])
        rest = held[end:]
        if not piece:
            break
    if len(data) < size:
        expected = [data] if data else []
    blocks = list(frames._blocks(io.BufferedReader(io.BytesIO(data)), size))
    assert blocks == expected
    assert b"".join(blocks) == data


@pytest.mark.parametrize(
    "text",
    [
        HEADER + "\n",  # a header alone
        '"id,service\nr1,x\n',  # a quote left open in the header
        "id,id\nr1,r2\n",  # a name twice
        "id,service\r\nr1,x\r\n".replace("\r\n", "\r"),  # lone CRs
    ],
)
def test_files_read_whole(tmp_path: Path, text: str) -> None:
    path = tmp_path / "log.csv"
    path.write_bytes(text.encode("utf-8"))
    assert csv_chunks(str(path), None, None) is None
    assert csv_chunks(str(path), None, "cp932") is None


def test_other_encodings_and_formats_are_read_whole(tmp_path: Path) -> None:
    log = _log(tmp_path, [HEADER, _row(1)])
    assert isinstance(csv_chunks(log, None, "utf-8"), CsvChunks)
    assert csv_chunks(log, None, "cp932") is None
    assert csv_chunks(log, "jsonl", None) is None


def test_a_log_gone_before_its_chunks_are_read_is_named_by_the_whole_reading(
    tmp_path: Path,
) -> None:
    log = _log(tmp_path, [HEADER, _row(1)])
    chunks = csv_chunks(log, None, None)
    assert isinstance(chunks, CsvChunks)
    Path(log).unlink()
    with pytest.raises(Unchunked):
        list(chunks.chunks())
    with pytest.raises(InputError, match="no such file"):
        chunks.whole()
