"""``--engine stream``: a log read and adjudicated a chunk at a time gives one machine's
figures and records (the differential suite holds it equal to the record engine on every
case: tests/test_differential.py, tests/contractgen.py)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from click.testing import CliRunner

import rulebook
from rulebook.cli import main
from rulebook.document.seen import BITS_PER_HASH, FEWEST_BITS, Seen, most_bits
from rulebook.document.stream import (
    BASE,
    BYTES_PER_RECORD,
    CAUSES_PASS,
    FEWEST,
    Budget,
    StreamError,
    adjudicate_stream,
    parse_size,
)
from rulebook.intake.records import RecordError
from rulebook.io.readers import Case
from tests.contractgen import in_time_order, stream_document, text_frame

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from generate import notices, outages, write_timed_csv  # noqa: E402

CYBERMAIL = rulebook.load_contract("cybermail")


@pytest.fixture(scope="module")
def timed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """3,500 probe-level records in order of time: four chunks of the fewest records."""
    path = tmp_path_factory.mktemp("stream") / "timed.csv"
    write_timed_csv(str(path), 3500, chunk=1000)
    return path


def run(*args: str) -> Any:
    return CliRunner().invoke(main, list(args))


def test_report_is_one_machines_report(timed: Path) -> None:
    args = ["report", "cybermail", str(timed), "--format", "json"]
    whole = run(*args)
    streamed = run(*args, "--engine", "stream", "--memory", "1MiB", "--verbose")
    assert whole.exit_code == 0 and streamed.exit_code == 0, streamed.output
    assert streamed.stdout == whole.stdout
    assert json.loads(whole.stdout)["periods"]
    assert f"4 chunk(s) of {3500 - 3 * FEWEST} to {FEWEST} records" in streamed.stderr
    table = run(*args[:3], "--engine", "stream", "--memory", "1MiB")
    assert table.stdout == run(*args[:3]).stdout


def test_the_log_is_cut_into_parts_and_every_record_is_written(timed: Path, tmp_path: Path) -> None:
    parts: list[Any] = []

    class Collect:
        def write(self, part: Any) -> None:
            parts.append(part.records)

    result = adjudicate_stream(CYBERMAIL, str(timed), Case(), 1000, sink=Collect())
    assert result.parts == len(parts) >= 4
    records = pl.concat(parts).sort("id")
    assert records.equals(rulebook.adjudicate_frame(CYBERMAIL, str(timed)).records)


def test_parquet_and_json_lines_hold_one_machines_records(timed: Path, tmp_path: Path) -> None:
    for engine in ("columnar", "stream"):
        done = run(
            "adjudicate", "cybermail", str(timed), "--engine", engine, *_memory(engine),
            "--format", "parquet", "-o", str(tmp_path / engine),
        )  # fmt: skip
        assert done.exit_code == 0, done.output
        lines = run(
            "adjudicate", "cybermail", str(timed), "--engine", engine, *_memory(engine),
            "--format", "jsonl", "-o", str(tmp_path / f"{engine}.jsonl"),
        )  # fmt: skip
        assert lines.exit_code == 0, lines.output
    for name in ("records", "segments", "periods"):  # in one machine's order: by id
        ours = pl.read_parquet(tmp_path / f"stream.{name}.parquet")
        assert ours.equals(pl.read_parquet(tmp_path / f"columnar.{name}.parquet"))
    ours_text = (tmp_path / "stream.jsonl").read_bytes()
    assert ours_text == (tmp_path / "columnar.jsonl").read_bytes()
    assert ours_text.count(b"\n") == 3500
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_parts_interleave_and_the_output_is_merged_by_id(timed: Path) -> None:
    """The parts' records are each in order of id but interleave (a stretch held back is
    written with a later part): the sinks merge them, so the order is one machine's."""
    parts: list[Any] = []

    class Collect:
        def write(self, part: Any) -> None:
            parts.append(part.records["id"])

    adjudicate_stream(CYBERMAIL, str(timed), Case(), 1000, sink=Collect())
    assert all(ids.is_sorted() for ids in parts)
    assert not pl.concat(parts).is_sorted()
    done = run(
        "adjudicate", "cybermail", str(timed), "--engine", "stream", "--memory", "1MiB",
        "--format", "jsonl",
    )  # fmt: skip
    whole = run("adjudicate", "cybermail", str(timed), "--format", "jsonl")
    assert done.exit_code == 0 and done.stdout_bytes == whole.stdout_bytes


@pytest.mark.parametrize("layout", ["following", "interleaved", "stragglers"])
def test_runs_are_merged_by_id_a_few_row_groups_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, layout: str
) -> None:
    """Runs whose ids follow one another (a log in order of time), interleave, or follow
    one another but for a few ids each (the stretches held back): the merge gives every
    row once, in order of id, the rows of an id in their run's order, in batches."""
    import pyarrow as pa

    from rulebook.report import sinks

    monkeypatch.setattr(sinks, "GROUP", 7)  # row groups of 7 rows
    ids: list[list[int]] = {
        "following": [list(range(k * 50, k * 50 + 50)) for k in range(6)],
        "interleaved": [list(range(k, 300, 6)) for k in range(6)],
        "stragglers": [[k * 50 - 3, *range(k * 50, k * 50 + 47)] for k in range(1, 7)],
    }[layout]
    runs = sinks.Runs(str(tmp_path), "t")
    for number, run in enumerate(ids):
        rows = sorted([*run, *run[:5]])  # an id of several rows (a record's segments)
        names = [f"{i:06d}" for i in rows]
        order = list(range(len(rows)))
        runs.add(pa.table({"id": names, "run": [number] * len(rows), "n": order}))
    batches = list(runs.merged(rows=40))
    merged = pl.concat(batches)
    expected = pl.concat([pl.read_parquet(path) for path in runs.paths]).sort("id", "n")
    assert merged.equals(expected)
    assert len(batches) > 1


def test_causes_across_chunks_are_followed(tmp_path: Path) -> None:
    """The benchmark's log: one record in twenty names an earlier one as its cause, and
    cybermail's exclusions reach causes (`including related`)."""
    records = in_time_order(CYBERMAIL, outages(600, seed=3))
    assert sum("caused_by" in r for r in records) > 20
    inputs = {"outages": records, "notices": notices()}
    oracle = rulebook.adjudicate(CYBERMAIL, **inputs).to_dict(reasons=False)
    assert stream_document(CYBERMAIL, inputs, rows=40) == oracle


def test_a_record_out_of_order_stops_the_run_naming_it(tmp_path: Path) -> None:
    log = tmp_path / "log.csv"
    rows = [
        ("a", "2026-09-01T10:00:00", "2026-09-01T11:00:00"),
        ("b", "2026-09-02T10:00:00", "2026-09-02T11:00:00"),
        ("c", "2026-09-01T10:30:00", "2026-09-01T10:40:00"),
    ]
    records = [{"id": i, "service": "CYBERMAIL Σ", "start": s, "end": e} for i, s, e in rows]
    text_frame(records).write_csv(log)
    with pytest.raises(StreamError, match=r"record c, field 'start': starts before"):
        adjudicate_stream(CYBERMAIL, str(log), Case(), 2)
    done = run("report", "cybermail", str(log), "--engine", "stream")
    assert done.exit_code == 0  # one chunk: nothing adjudicated before c
    text_frame([*records, *records[:1]]).write_csv(log)
    twice = run("report", "cybermail", str(log), "--engine", "stream", "--keep-going")
    assert twice.exit_code == 1
    assert "record a, field 'id': is used twice" in twice.stderr


def test_an_id_used_in_two_chunks_is_refused_as_one_machine_refuses_it(tmp_path: Path) -> None:
    log = tmp_path / "log.csv"
    records = [
        {
            "id": "x" if i in (1, 4) else f"r{i}",
            "service": "CYBERMAIL Σ",
            "start": f"2026-09-0{i + 1}T10:00:00",
            "end": f"2026-09-0{i + 1}T11:00:00",
        }
        for i in range(6)
    ]
    text_frame(records).write_csv(log)
    result = adjudicate_stream(CYBERMAIL, str(log), Case(), 2, keep_going=True)
    with pytest.raises(RecordError) as whole:
        rulebook.adjudicate_frame(CYBERMAIL, str(log))
    assert (
        [str(e) for e in result.errors]
        == [str(whole.value)]
        == [
            f"{log}:6: record x, field 'id': is used twice (first at {log}:3); accepted: a unique "
            "id per record"
        ]
    )
    assert result.adjudicated == 5


def test_what_the_stream_does_not_do_is_a_usage_error(timed: Path) -> None:
    for extra in (
        ["adjudicate", "cybermail", str(timed), "--engine", "stream"],
        ["report", "cybermail", str(timed), "--engine", "stream", "--format", "html"],
        # it wrote the text table into report.pdf, exit 0
        [
            "report",
            "cybermail",
            str(timed),
            "--engine",
            "stream",
            "--format",
            "pdf",
            "-o",
            str(timed.with_suffix(".pdf")),
        ],
        ["report", "cybermail", str(timed), "--engine", "stream", "--events", str(timed)],
        ["report", "cybermail", str(timed), "--engine", "stream", "--memory", "lots"],
    ):
        done = run(*extra)
        assert done.exit_code == 2, done.output
    piped = CliRunner().invoke(
        main,
        ["report", "cybermail", "-", "--engine", "stream", "--input-format", "csv"],
        input="",
    )
    assert piped.exit_code == 1
    assert piped.stderr == (
        "rulebook: -: --engine stream reads a file (its chunks, and a log's causes before "
        "them), not standard input; accepted: the log saved to a .csv or .parquet file, or "
        "--engine columnar\n"
    )
    folder = run("report", "cybermail", str(timed.parent), "--engine", "stream")
    assert folder.exit_code == 1
    assert folder.stderr == (
        f"rulebook: {timed.parent}: is a folder; accepted: a .csv or .parquet file\n"
    )


def test_sizes_and_chunks() -> None:
    assert parse_size("2GiB") == 2 << 30
    assert parse_size("512MiB") == 512 << 20
    assert parse_size("1000") == 1000
    with pytest.raises(ValueError, match="'lots' is not a size"):
        parse_size("lots")
    assert Budget(1 << 20).rows() == FEWEST
    assert Budget(BASE + 1000 * BYTES_PER_RECORD * 10).rows() == 10_000


def test_the_ids_read_before_are_found_through_the_filter() -> None:
    seen = Seen()
    first = pl.Series("id", [5, 1, 9], dtype=pl.UInt64)
    assert seen.add(first) is None
    assert seen.add(pl.Series("id", [7, 3], dtype=pl.UInt64)) is None  # none read before
    again = seen.add(pl.Series("id", [2, 9, 4, 1, 8], dtype=pl.UInt64))
    assert again is not None and again.to_list() == [False, True, False, True, False]
    assert [r.to_list() for r in seen.runs] == [[1, 5, 9], [3, 7], [1, 2, 4, 8, 9]]
    assert len(seen) == 10 and seen.bytes == 80 + FEWEST_BITS // 8


def test_the_filter_grows_with_the_hashes_and_still_finds_each_one_read_before() -> None:
    """Hashes by the hundred thousand fill the smallest filter past its bits a hash: it is
    made anew, four times larger, from the runs, and an id read before in any run is
    found, none other (the filter's chance hits are looked up, not taken)."""
    hashes = pl.int_range(0, 400_000, eager=True).cast(pl.String).hash(seed=0)
    seen = Seen()
    for start in range(0, 400_000, 100_000):
        assert seen.add(hashes.slice(start, 100_000)) is None
    assert seen.bits is not None and seen.bits.len() >= 400_000 * BITS_PER_HASH
    fresh = pl.int_range(400_000, 500_000, eager=True).cast(pl.String).hash(seed=0)
    probe = pl.concat([fresh, hashes.gather([3, 150_000, 399_999])])
    again = seen.add(probe)
    assert again is not None and again.arg_true().to_list() == [100_000, 100_001, 100_002]
    sized = Seen(expected=500_000)  # sized for the log at once: never made anew
    assert sized.bits is not None and sized.bits.len() >= 500_000 * BITS_PER_HASH
    capped = Seen(expected=500_000, most=FEWEST_BITS)  # a small memory setting's filter:
    for start in range(0, 400_000, 100_000):  # full (chance hits are many), still exact
        assert capped.add(hashes.slice(start, 100_000)) is None
    again = capped.add(probe)
    assert again is not None and again.arg_true().to_list() == [100_000, 100_001, 100_002]
    assert capped.bits is not None and capped.bits.len() == FEWEST_BITS
    assert [most_bits(g << 30) // (8 << 20) for g in (1, 2, 4, 8)] == [64, 128, 256, 256]


@pytest.mark.skipif(not hasattr(__import__("os"), "mkfifo"), reason="named pipes")
def test_the_expected_records_of_a_pipe_are_not_read_for(tmp_path: Path) -> None:
    """Sizing the ids' filter never opens a named pipe (opening one waits for a writer,
    and reading it would take the log's first lines): 0, at once."""
    import os
    import threading

    from rulebook.document.chunks import expected_records

    pipe = tmp_path / "log.csv"
    os.mkfifo(pipe)
    found: list[int] = []
    reader = threading.Thread(target=lambda: found.append(expected_records(str(pipe), None)))
    reader.start()
    reader.join(timeout=3)
    waited = reader.is_alive()
    if waited:  # waiting for a writer: let it end before failing
        with open(pipe, "wb"):
            pass
        reader.join()
    assert not waited and found == [0]


def test_chunks_shrink_as_the_stream_holds_more(timed: Path) -> None:
    """A memory budget leaves the first chunk room for the pass that reads the causes,
    and each later chunk what the ids' hashes and the stretches held back leave."""
    budget = Budget(BASE + CAUSES_PASS + 3000 * BYTES_PER_RECORD)
    assert budget.rows(first=True) == 3000
    assert budget.rows() == 3000 + CAUSES_PASS // BYTES_PER_RECORD
    hashes = 10**6 * 10  # a million ids read: their hashes and filter
    assert budget.rows(hashes) == (CAUSES_PASS + 3000 * BYTES_PER_RECORD - hashes) // (
        BYTES_PER_RECORD
    )
    assert Budget(budget.memory, written=True).rows(first=True) == 1500
    assert budget.rows(budget.memory) == FEWEST  # never fewer
    # on a log: the first chunk is the smaller, every record is read once, same figures
    small = Budget(BASE + CAUSES_PASS + 1000 * BYTES_PER_RECORD)
    streamed = adjudicate_stream(CYBERMAIL, str(timed), Case(), small)
    assert streamed.sizes[0] == FEWEST < max(streamed.sizes)
    assert sum(streamed.sizes) == streamed.read == 3500
    fixed = adjudicate_stream(CYBERMAIL, str(timed), Case(), 1000)
    assert streamed.to_dict() == fixed.to_dict()


def test_a_row_wider_than_the_header_is_placed_as_one_machine_places_it(tmp_path: Path) -> None:
    """polars' scan stopped with its own words ("found more fields than defined in
    'Schema'"), naming no line."""
    log = tmp_path / "rag.csv"
    log.write_text(
        "id,service,start,end,cause\n"
        "a,CYBERMAIL Σ,2026-09-03T10:00:00,2026-09-03T11:00:00,war\n"
        "\n"
        "b,CYBERMAIL Σ,2026-09-03T10:00:00,2026-09-03T11:00:00,war,extra\n",
        encoding="utf-8",
    )
    row = (
        f"{log}:4: record #2: 6 cells, but the header has 5 columns (id, service, start, end, "
        "cause); accepted: one cell per header column"
    )
    one = run("report", "cybermail", str(log))
    assert one.exit_code == 1 and f"rulebook: {row}\n" in one.stderr
    done = run("report", "cybermail", str(log), "--engine", "stream", "--keep-going")
    assert done.exit_code == 1
    assert done.stderr == (
        f"rulebook: {row}; --engine stream stops at such a row, even with --keep-going "
        "(--engine columnar reads past it)\n"
    )


def _memory(engine: str) -> list[str]:
    """``--memory`` for the stream (another engine refuses it: it would bound nothing)."""
    return ["--memory", "1MiB"] if engine == "stream" else []


def test_with_keep_going_a_refused_cause_is_refused_as_one_machine_refuses_it(
    tmp_path: Path,
) -> None:
    """A cause that is not a valid record, a cause refused so, a cycle and a record caused
    through one stopped the stream even with --keep-going (the causes pass raised the
    first): now each is refused as the columnar engine refuses it, in its order (after the
    chunks' own refusals), and the other records are adjudicated alike, across chunks."""
    rows = [
        ("ok", None, "2026-09-01T10:00:00"),
        ("orphan", "nosuch", "2026-09-02T10:00:00"),
        ("bad", None, "2026-09-03Tnoon"),
        ("second", "orphan", "2026-09-04T10:00:00"),
        ("loop1", "loop2", "2026-09-05T10:00:00"),
        ("loop2", "loop1", "2026-09-06T10:00:00"),
        ("through", "loop1", "2026-09-07T10:00:00"),
        ("child", "ok", "2026-09-08T10:00:00"),
        ("last", None, "2026-09-09T10:00:00"),
    ]
    log = tmp_path / "log.csv"
    records = [
        {"id": i, "service": "CYBERMAIL Σ", "start": s, "end": s[:11] + "11:00:00",
         "detected_by": "monitoring", "protocol": "smtp", "caused_by": c}
        for i, c, s in rows
    ]  # fmt: skip
    text_frame(records).write_csv(log)
    whole = rulebook.adjudicate_frame(CYBERMAIL, str(log), keep_going=True)
    stream = adjudicate_stream(CYBERMAIL, str(log), Case(), 2, keep_going=True)
    said = [str(e) for e in stream.errors]
    assert said == whole.warnings
    assert [s.split(": record ")[1].split(",")[0] for s in said] == [
        "bad", "orphan", "second", "loop1", "loop2", "through"
    ]  # fmt: skip
    assert stream.to_dict()["periods"] == whole.to_dict()["periods"]
    done = run("report", "cybermail", str(log), "--engine", "stream", "--keep-going",
               "--format", "json")  # fmt: skip
    one = run("report", "cybermail", str(log), "--engine", "columnar", "--keep-going",
              "--format", "json")  # fmt: skip
    assert done.exit_code == one.exit_code == 1
    assert done.stdout == one.stdout and json.loads(done.stdout)["periods"]


_DUPLICATES = {
    # a second row of an id names a missing cause: the first row is the record kept
    "second-row-names-a-missing-cause": [
        ("a", "provider_fault", "", "2026-09-01T10:00:00"),
        ("b", "provider_fault", "a", "2026-09-02T10:00:00"),
        ("a", "provider_fault", "nosuch", "2026-09-03T10:00:00"),
        ("c", "provider_fault", "", "2026-09-04T10:00:00"),
    ],
    # the first row of an id is refused for its own reason: the second is the one kept
    "first-row-refused": [
        ("a", "provider_fault", "nosuch", "2026-09-01Tnoon"),
        ("a", "attack", "", "2026-09-02T10:00:00"),
        ("b", "provider_fault", "a", "2026-09-03T10:00:00"),
        ("c", "provider_fault", "", "2026-09-04T10:00:00"),
    ],
    # a second row of an id makes what looks like a cycle
    "second-row-closes-a-cycle": [
        ("a", "provider_fault", "", "2026-09-01T10:00:00"),
        ("b", "provider_fault", "a", "2026-09-02T10:00:00"),
        ("a", "provider_fault", "b", "2026-09-03T10:00:00"),
        ("c", "provider_fault", "", "2026-09-04T10:00:00"),
    ],
    # a second row of an id names a cause: the first is related to nothing (no error said)
    "second-row-names-a-cause": [
        ("x", "attack", "", "2026-09-01T10:00:00"),
        ("a", "provider_fault", "", "2026-09-02T10:00:00"),
        ("b", "provider_fault", "", "2026-09-03T10:00:00"),
        ("a", "provider_fault", "x", "2026-09-04T10:00:00"),
        ("c", "provider_fault", "", "2026-09-05T10:00:00"),
    ],
    # no cause at all, a chunk of no valid record, then an id again: Seen's empty run
    "a-chunk-of-nothing-valid": [
        ("a", "provider_fault", "", "2026-09-01T10:00:00"),
        ("b", "provider_fault", "", "2026-09-02Tnoon"),
        ("a", "provider_fault", "", "2026-09-03T10:00:00"),
    ],
}


@pytest.mark.parametrize("name", list(_DUPLICATES))
@pytest.mark.parametrize("rows", [1, 2, 3])
def test_an_ids_other_rows_name_no_cause_of_the_record_kept(
    tmp_path: Path, name: str, rows: int
) -> None:
    """The causes pass read every row's causes and pinned them on the id, where one machine
    keeps the first valid row of an id and refuses the others: a valid record was refused
    (orphan, false cycle) or related through another row's cause, and the figures changed
    (found by a red-team pass; the pass stopped the run before ec7e899). A chunk of no
    valid record left an empty run that crashed the next look-up of an id read again.
    Now the errors and figures are one machine's, whatever the chunk size."""
    log = tmp_path / "log.csv"
    text_frame(
        [
            {"id": i, "service": "CYBERMAIL Σ", "start": s, "end": s[:11] + "11:00:00",
             "cause": c, "detected_by": "monitoring", "protocol": "smtp", "caused_by": by}
            for i, c, by, s in _DUPLICATES[name]
        ]
    ).write_csv(log)  # fmt: skip
    whole = rulebook.adjudicate_frame(CYBERMAIL, str(log), keep_going=True)
    stream = adjudicate_stream(CYBERMAIL, str(log), Case(), rows, keep_going=True)
    assert [str(e) for e in stream.errors] == whole.warnings
    assert stream.to_dict()["periods"] == whole.to_dict()["periods"]


_PLACES = {
    # a cause not found before a bad row: one machine names the row first (no keep-going)
    "an-orphan-then-a-bad-row": [
        ("a", "nosuch", "2026-09-01T10:00:00"),
        ("b", "", "2026-09-02T10:00:00"),
        ("c", "", "2026-09-03Tnoon"),
    ],
    # records without an id are named by their number in the log, not in their chunk
    "records-without-ids": [
        ("a", "", "2026-09-01T10:00:00"),
        ("", "", "2026-09-02T10:00:00"),
        ("c", "", "2026-09-03T10:00:00"),
        ("", "", "2026-09-04T10:00:00"),
    ],
    # an id's first row refused: the record kept, and named "first", is its second row
    "the-first-row-of-an-id-refused": [
        ("a", "", "2026-09-01T10:00:00"),
        ("e", "", "2026-09-02Tnoon"),
        ("e", "", "2026-09-03T10:00:00"),
        ("e", "", "2026-09-04T10:00:00"),
        ("e", "", "2026-09-05T10:00:00"),
    ],
    # an id three times, the second and third in one chunk: both name the first
    "an-id-three-times": [
        ("c", "", "2026-09-01T10:00:00"),
        ("b", "", "2026-09-02T10:00:00"),
        ("d", "", "2026-09-03T10:00:00"),
        ("c", "", "2026-09-04T10:00:00"),
        ("c", "", "2026-09-05T10:00:00"),
    ],
    # a row of empty cells is no record: the id after it is placed at its own line
    "an-empty-row-before-an-id-again": [
        ("d", "e", "2026-09-01T10:00:00"),
        ("c", "", "2026-09-02T10:00:00"),
        None,
        ("d", "", "2026-09-04T10:00:00"),
    ],
}


@pytest.mark.parametrize("name", list(_PLACES))
@pytest.mark.parametrize("rows", [1, 2, 3])
@pytest.mark.parametrize("keep_going", [False, True])
def test_errors_are_named_and_placed_as_one_machine_names_them_whatever_the_chunks(
    tmp_path: Path, name: str, rows: int, keep_going: bool
) -> None:
    """Found by comparing the stream with one machine on 400 random logs at chunks of 1, 2,
    3 and 100 records: without --keep-going a cause not found stopped the stream after
    its first chunk, before a bad row one machine names first; a record without an id was
    numbered in its chunk; an id used again named as its first a row that was refused or
    itself a second use, or was placed on the row before when a row of empty cells came
    first. Now what is said, and the figures, are one machine's at every chunk size."""
    head = "id,service,start,end,detected_by,protocol,caused_by"
    lines = [
        ",,,,,," if row is None else f"{i},CYBERMAIL Σ,{s},{s[:11]}11:00:00,monitoring,smtp,{by}"
        for row in _PLACES[name]
        for i, by, s in [row or ("", "", "")]
    ]
    log = tmp_path / "log.csv"
    log.write_text("\n".join([head, *lines]) + "\n", encoding="utf-8")
    _as_one_machine(log, rows, keep_going)


def _as_one_machine(log: Path, rows: int, keep_going: bool) -> None:
    """The stream of ``log`` at chunks of ``rows`` records says and measures what one
    machine does: the same error raised, or the same errors and periods."""
    try:
        whole = rulebook.adjudicate_frame(CYBERMAIL, str(log), keep_going=keep_going)
    except RecordError as exc:
        with pytest.raises(RecordError) as raised:
            adjudicate_stream(CYBERMAIL, str(log), Case(), rows, keep_going=keep_going)
        assert str(raised.value) == str(exc)
        return
    stream = adjudicate_stream(CYBERMAIL, str(log), Case(), rows, keep_going=keep_going)
    assert [str(e) for e in stream.errors] == whole.warnings
    assert stream.to_dict()["periods"] == whole.to_dict()["periods"]


def _row(rid: str, day: int, end: bool = True, by: str = "") -> str:
    start = f"2026-09-0{day}T10:00:00"
    return (
        f"{rid},CYBERMAIL Σ,{start},{start[:11] + '11:00:00' if end else ''},monitoring,smtp,{by}"
    )


_IDS = {
    # an ongoing record as_of cannot close: one machine refuses the id's later uses first
    "an-ongoing-record-then-its-id-again": [_row("a", 1, end=False), _row("a", 2), _row("a", 3)],
    "a-record-then-its-id-ongoing": [_row("a", 1), _row("a", 2, end=False)],
    # an id with a 0x1f separator after it is the same id once stripped (Python strips it)
    "a-separator-after-an-id": [_row("a\x1f", 1), _row("a", 2)],
    "a-cause-named-without-the-separator": [_row("a\x1f", 1), _row("b", 2, by="a")],
    # a script newer than polars' or Python's Unicode tables: NFC as the mapping stage's
    "an-id-of-a-new-script": [_row("k\U00016d67\U00016d67", 1), _row("k\U00016d67\U00016d67", 2)],
    # an id written as a record's number, and a record without an id numbered so
    "an-id-like-a-number": [_row("#4", 1), _row("zz", 2), _row("#4", 3), _row("", 4)],
}


@pytest.mark.parametrize("name", list(_IDS))
@pytest.mark.parametrize("rows", [1, 2, 3])
@pytest.mark.parametrize("keep_going", [False, True])
def test_ids_are_read_and_refused_as_one_machine_reads_them(
    tmp_path: Path, name: str, rows: int, keep_going: bool
) -> None:
    """Found by a red-team pass: the stream fed its ids read with the records it kept only,
    where one machine refuses an id used again before it refuses a record it cannot close
    (a record kept, figures changed); it stripped and normalised ids for its look-ups and
    causes as polars does, not as the intake (a 0x1f separator, a new script: an id used
    twice kept, a cause not found); and it named the log's first of an id in an error
    about a record without an id numbered like it."""
    log = tmp_path / "log.csv"
    head = "id,service,start,end,detected_by,protocol,caused_by"
    log.write_text("\n".join([head, *_IDS[name]]) + "\n", encoding="utf-8")
    _as_one_machine(log, rows, keep_going)


def test_an_id_used_again_costs_a_pass_a_chunk_not_a_pass_a_record(tmp_path: Path) -> None:
    """Each id found again was looked up by reading the log again from its start: a log
    of 2,000 records each used twice took 16 s at chunks of 1,000 (quadratic in the
    records). Now a chunk's ids found again are looked up together: the look-ups are
    counted (one a chunk that has any)."""
    from rulebook.document import chunks

    records = [_row(f"r{k % 1000}", 1 + k // 1000) for k in range(3000)]
    log = tmp_path / "log.csv"
    log.write_text("\n".join(["id,service,start,end,detected_by,protocol,caused_by", *records]))
    passes = []
    real = chunks.ChunkIntake.first_indexes

    def counted(self: chunks.ChunkIntake, rids: list[str], before: int) -> dict[str, int]:
        passes.append(len(rids))
        return real(self, rids, before)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(chunks.ChunkIntake, "first_indexes", counted)
        stream = adjudicate_stream(CYBERMAIL, str(log), Case(), 1000, keep_going=True)
    assert passes == [1000, 1000]
    assert len(stream.errors) == 2000 and stream.adjudicated == 1000
    assert "is used twice (first at" in str(stream.errors[0])


@pytest.mark.parametrize("ids", [("\u00e9", "e\u0301"), ("e\u0301", "e\u0301")])
@pytest.mark.parametrize("rows", [1, 2])
def test_causes_given_as_a_list_are_read_in_nfc_as_one_machine_reads_them(
    tmp_path: Path, ids: tuple[str, str], rows: int
) -> None:
    """Found by a red-team pass: a Parquet log's causes as a list of text were compared
    with the ids as written, where the mapping stage writes both in NFC: a record whose
    cause is `é` written as e and an accent (even as the id itself is) was refused."""
    rid, cause = ids
    cells = ["CYBERMAIL Σ", "monitoring", "smtp"]
    log = tmp_path / "log.parquet"
    pl.DataFrame(
        {
            "id": [rid, "b"],
            "service": [cells[0]] * 2,
            "start": ["2026-09-01T10:00:00", "2026-09-02T10:00:00"],
            "end": ["2026-09-01T11:00:00", "2026-09-02T11:00:00"],
            "detected_by": [cells[1]] * 2,
            "protocol": [cells[2]] * 2,
            "caused_by": [None, [cause]],
        },
        schema_overrides={"caused_by": pl.List(pl.String)},
    ).write_parquet(log)
    for keep_going in (False, True):
        _as_one_machine(log, rows, keep_going)
