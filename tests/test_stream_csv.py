"""``--engine stream`` reads a CSV log as the columnar route reads its chunks: every line
checked as a record (the same cells, at the same lines), blank lines skipped as the whole
reading skips them, the header checked as one machine checks it. What it cannot read a
chunk at a time (lines that end in a lone CR, a line break or lone CR inside a cell, a
NUL byte) it refuses with the line and a non-zero exit: never a silent misreading (a file
whose lines end in CR alone was read as no records at all; a lone CR inside a cell lost
the record after it)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from rulebook.cli import main

S = "CYBERMAIL Σ"


def _run(args: list[str]) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, args)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError("a traceback") from result.exception
    return result.exit_code, result.stdout, result.stderr


def _both(path: Path, *more: str) -> tuple[tuple[int, str, str], tuple[int, str, str]]:
    base = ["report", "cybermail", str(path), "--format", "json", *more]
    return _run([*base, "--engine", "columnar"]), _run([*base, "--engine", "stream"])


def _log(tmp_path: Path, text: str, name: str = "log.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode())
    return path


def test_blank_lines_are_skipped_and_every_record_keeps_its_line(tmp_path: Path) -> None:
    """A blank line parts the stream's chunks; a record after it is placed at its own
    line (a second record of an id names the first's line), as one machine places it."""
    log = _log(
        tmp_path,
        "id,service,start,end\n"
        f"a,{S},2026-09-03T10:00:00,2026-09-03T11:00:00\n\n \r\n"
        f"b,{S},2026-09-04T10:00:00,2026-09-04T11:00:00\n\n"
        f"a,{S},2026-09-05T10:00:00,2026-09-05T11:00:00\n"
        f"c,{S},2026-09-06T10:00:00,2026-09-06T09:00:00\n\n",
    )
    columnar, stream = _both(log, "--keep-going")
    assert stream == columnar
    assert columnar[0] == 1
    assert "log.csv:7: record a, field 'id': is used twice (first at " in columnar[2]
    assert "first at " + str(log) + ":2)" in columnar[2]
    assert f"{log}:8: record c, field 'end'" in columnar[2]


def test_blank_lines_around_the_only_run_of_records_are_skipped(tmp_path: Path) -> None:
    log = _log(
        tmp_path,
        f"id,service,start,end\n\na,{S},2026-09-03T10:00:00,2026-09-03T11:00:00\n\n  \n",
    )
    columnar, stream = _both(log)
    assert stream == columnar
    assert stream[0] == 0
    blank = _log(tmp_path, "id,service,start,end\n\n \n\n", "blank.csv")  # no record
    assert _both(blank)[1] == _both(blank)[0]
    assert _both(blank)[1][0] == 0


def test_the_header_is_checked_as_one_machine_checks_it(tmp_path: Path) -> None:
    cases = {
        "twice.csv": f"id,service,start,end,note,note\na,{S},2026-09-03T10:00:00,"
        "2026-09-03T11:00:00,x,y\n",
        "blank.csv": f"id,service,start,end,\na,{S},2026-09-03T10:00:00,2026-09-03T11:00:00,x\n",
        "typo.csv": "id,service,start,end,casue\n",  # a header alone is checked too
    }
    for name, text in cases.items():
        columnar, stream = _both(_log(tmp_path, text, name))
        assert stream == columnar, name
        assert columnar[0] == 1, name
    assert "appears twice in the header row" in _both(tmp_path / "twice.csv")[1][2]
    assert "has no name in the header row" in _both(tmp_path / "blank.csv")[1][2]
    assert "did you mean 'cause'?" in _both(tmp_path / "typo.csv")[1][2]


@pytest.mark.parametrize(
    ("name", "text", "said"),
    [
        (
            "cr-only.csv",
            f"id,service,start,end\ra,{S},2026-09-03T10:00:00,2026-09-03T11:00:00\r",
            "cr-only.csv:1: its lines end in a carriage return alone (CR)",
        ),
        (
            "cr-inside.csv",
            "id,service,start,end,note\n"
            f"a,{S},2026-09-03T10:00:00,2026-09-03T11:00:00,x\ry\n"
            f"b,{S},2026-09-04T10:00:00,2026-09-04T11:00:00,z\n",
            "cr-inside.csv:3: record #2: 1 cells, but the header has 5 columns",
        ),
        (
            "spanning.csv",
            f'id,service,start,end,note\na,{S},2026-09-03T10:00:00,2026-09-03T11:00:00,"x\ny"\n',
            "spanning.csv:2: a quoted cell spanning lines",
        ),
        (
            "nul.csv",
            f"id,service,start,end\na\0b,{S},2026-09-03T10:00:00,2026-09-03T11:00:00\n",
            "nul.csv:2: a NUL byte; accepted for --engine stream:",
        ),
        (  # a NUL or a lone CR among other lines: named at its own line, not its chunk's
            "nul-later.csv",
            "id,service,start,end\n"
            + "".join(f"r{i},{S},2026-09-03T10:00:00,2026-09-03T11:00:00\n" for i in range(5))
            + f"a,{S},2026-09-03T10:00\0:00,2026-09-03T11:00:00\n"
            + f"b,{S},2026-09-03T10:00:00,2026-09-03T11:00:00\n",
            "nul-later.csv:7: a NUL byte; accepted",
        ),
        (
            "cr-later.csv",
            "id,service,start,end\r\n"
            + "".join(f"r{i},{S},2026-09-03T10:00:00,2026-09-03T11:00:00\r\n" for i in range(5))
            + 'a,"CYBER\rMAIL",2026-09-03T10:00:00,2026-09-03T11:00:00\r\n'
            + f"b,{S},2026-09-03T10:00:00,2026-09-03T11:00:00\r\n",
            "cr-later.csv:7: a carriage return that ends no line (CR without LF); accepted",
        ),
    ],
)
def test_what_the_stream_cannot_read_in_chunks_is_refused_at_its_line(
    tmp_path: Path, name: str, text: str, said: str
) -> None:
    code, _, err = _both(_log(tmp_path, text, name))[1]
    assert code == 1
    assert said in err
    assert "Traceback" not in err


def test_a_cell_over_the_limit_is_refused(tmp_path: Path) -> None:
    long = "x" * 131_073
    log = _log(
        tmp_path,
        "id,service,start,end,notes\n"
        f"a,{S},2026-09-03T10:00:00,2026-09-03T11:00:00,y\n"
        f"b,{S},2026-09-04T10:00:00,2026-09-04T11:00:00,{long}\n",
    )
    columnar, stream = _both(log)
    assert columnar[0] == stream[0] == 1
    assert "a cell of more than 131,072 characters" in columnar[2]
    assert "a cell of more than 131,072 characters" in stream[2]


def test_a_file_of_nothing_but_a_blank_line_or_a_byte_order_mark_has_no_records(
    tmp_path: Path,
) -> None:
    for name, data in {"nl.csv": b"\n", "bom.csv": b"\xef\xbb\xbf"}.items():
        (tmp_path / name).write_bytes(data)
        columnar, stream = _both(tmp_path / name)
        assert stream == columnar, name
        assert stream[0] == 0, name


@pytest.mark.parametrize(
    ("causes", "said"),
    [
        ({"a": "", "b": "zz"}, "log.csv:3: record b, field 'caused_by': names 'zz'"),
        (
            {"a": "", "b": "c", "c": "b"},
            "log.csv:3: record b, field 'caused_by': records cause each other in a cycle: "
            "b -> c -> b",
        ),
    ],
)
def test_a_cause_not_found_or_a_cycle_is_named_at_its_line(
    tmp_path: Path, causes: dict[str, str], said: str
) -> None:
    """The stream reads the causes over the whole file before its chunks; what it refuses
    there it names at the record's line, in one machine's words."""
    rows = [
        f"{rid},{S},2026-09-0{day}T10:00:00,2026-09-0{day}T11:00:00,{cause}"
        for day, (rid, cause) in enumerate(causes.items(), start=3)
    ]
    log = _log(tmp_path, "id,service,start,end,caused_by\n" + "\n".join(rows) + "\n")
    columnar, stream = _both(log)
    assert stream == columnar
    assert stream[0] == 1
    assert said in stream[2]


ROOT = Path(__file__).resolve().parent.parent
CORPUS_CSV = sorted((ROOT / "tests" / "hostile" / "inputs" / "csv").glob("*.csv"))
#: Files one machine reads whole that the stream refuses, each with what it says.
STREAM_REFUSES = {
    "cr.csv": "its lines end in a carriage return alone (CR)",
    "nul.csv": "a NUL byte; accepted for --engine stream",
    "quote-inside.csv": "a row polars cannot read",
}


def test_the_corpus_has_csv_files() -> None:
    assert len(CORPUS_CSV) >= 70


@pytest.mark.parametrize("path", CORPUS_CSV, ids=[p.name for p in CORPUS_CSV])
def test_a_corpus_csv_file_gives_one_machines_answer_or_a_refusal(path: Path) -> None:
    """Every CSV file of the hostile corpus: the stream's exit code and output are one
    machine's, but for the files it cannot read a line at a time, which it refuses
    (without --keep-going: the stream stops at a row of the wrong width or a bad cause
    even with it, docs/formats.md)."""
    columnar, stream = _both(path)
    if path.name in STREAM_REFUSES:
        assert columnar[0] == 0
        assert stream[0] == 1
        assert STREAM_REFUSES[path.name] in stream[2]
        return
    assert stream[:2] == columnar[:2]


NOT_UTF8 = [p for p in CORPUS_CSV if p.name in ("latin1.csv", "utf16.csv", "binary.csv")]


def _not_utf8(tmp_path: Path, lines: int) -> Path:
    """A Shift_JIS (cp932) export, as Japanese spreadsheets write it: its first bytes that
    are not UTF-8 after ``lines`` lines of ASCII records."""
    good = [f"r{i},{S},2026-09-01T10:00:00,2026-09-01T11:00:00" for i in range(lines)]
    path = tmp_path / "sjis.csv"
    path.write_bytes(
        "\n".join(["id,service,start,end", *good]).encode()
        + "\nlast,障害,2026-09-02T10:00:00,2026-09-02T11:00:00\n".encode("cp932")
    )
    return path


@pytest.mark.parametrize("path", NOT_UTF8, ids=[p.name for p in NOT_UTF8])
def test_a_file_not_utf8_is_placed_by_its_byte_as_one_machine_places_it(path: Path) -> None:
    """The stream said "a row polars cannot read" at the chunk's first line, or refused
    the header for a NUL byte (UTF-16) or a stray quote: now the line, byte and offset
    are one machine's, with the encoding that reads the file when one does."""
    columnar, stream = _both(path)
    assert columnar[0] == stream[0] == 1
    place = columnar[2].split(";")[0]
    assert "not UTF-8 text (byte 0x" in place
    assert stream[2].startswith(place + ";")
    assert "--engine stream reads UTF-8 logs: convert it to UTF-8 first" in stream[2]


@pytest.mark.parametrize("lines", [0, 3, 30_000])
def test_a_shift_jis_export_is_named_with_its_encoding(tmp_path: Path, lines: int) -> None:
    """cp932 found past the first MiB read (30,000 lines): the same place as one machine's
    whole reading, and how to read it: convert it, or read it whole with --encoding."""
    path = _not_utf8(tmp_path, lines)
    columnar, stream = _both(path)
    place = columnar[2].split(";")[0]
    assert f"sjis.csv:{lines + 2}: not UTF-8 text" in place
    assert stream[0] == 1
    assert stream[2].startswith(f"{place}; it reads as cp932; --engine stream reads UTF-8")
    assert "iconv -f cp932 -t UTF-8), or use --engine columnar --encoding cp932" in stream[2]


@pytest.mark.parametrize(
    "header", [b"id,service,st\xffart,end", b"\xef\xbb\xbfi\xffd,service,start,end"]
)
def test_a_header_not_utf8_is_named_by_its_byte_on_one_machine_too(
    tmp_path: Path, header: bytes
) -> None:
    """Found by a red-team pass: one machine read a header's bytes that are not UTF-8 as
    U+FFFD (polars' reading) and refused `column st\ufffdart: is not a field`, or took the
    log for one without ids, where the stream named the byte (and one machine did, for
    other bytes). Now both name the byte, its line and offset."""
    path = tmp_path / "log.csv"
    path.write_bytes(header + f"\na,{S},2026-09-01T10:00:00,2026-09-01T11:00:00\n".encode())
    columnar, stream = _both(path)
    assert columnar[0] == stream[0] == 1
    assert ":1: not UTF-8 text (byte 0xff at offset" in columnar[2]
    assert stream[2].startswith(columnar[2].split(";")[0] + ";")
