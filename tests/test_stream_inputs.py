"""``--engine stream`` takes its inputs in as one machine does: the project file's maps
(``[columns]``, ``[values]``, ``[[services]]`` that rename), its ``timezone`` (naive times
and ``--as-of``), a column that is no field left out with the same warning; what it does
not read (``--from``, ``--events``, a log in another encoding than UTF-8, a service map
that copies records) is refused with a message and a non-zero exit, never ignored."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from click.testing import CliRunner

from rulebook.cli import main

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from generate import write_timed_csv  # noqa: E402

PROJECT = """\
timezone = "UTC"

[columns]
"障害番号" = "id"
"サービス" = "service"
"発生日時" = "start"
"復旧日時" = "end"
"検知" = "detected_by"
"原因" = "cause"

[values.cause]
"戦争" = "war"
"火災" = "fire"
"攻撃" = "attack"

[values.detected_by]
"監視" = "monitoring"

[[services]]
log = "サイバーメール*"
to = "CYBERMAIL Σ"
"""


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """3,500 records in order of time as a Japanese export writes them: its own column
    names and words, naive times in UTC, a column that is no field; over four chunks."""
    folder = tmp_path_factory.mktemp("exported")
    timed = folder / "timed.csv"
    write_timed_csv(str(timed), 3500, chunk=1000)
    words = {"war": "戦争", "fire": "火災", "attack": "攻撃"}
    naive = (
        pl.col("start", "end")
        .str.to_datetime("%Y-%m-%dT%H:%M:%S%:z")
        .dt.convert_time_zone("UTC")
        .dt.strftime("%Y-%m-%d %H:%M:%S")
    )
    log = pl.read_csv(timed, infer_schema=False).with_columns(
        naive,
        cause=pl.col("cause").replace(words),
        detected_by=pl.col("detected_by").replace({"monitoring": "監視"}),
        service=pl.col("service").replace({"CYBERMAIL Σ": "サイバーメール本番"}),
        memo=pl.lit("メモ"),
    )
    log = log.rename(
        {
            "id": "障害番号",
            "service": "サービス",
            "start": "発生日時",
            "end": "復旧日時",
            "detected_by": "検知",
            "cause": "原因",
        }
    )
    path = folder / "export.csv"
    log.write_csv(path)
    (folder / "rulebook.toml").write_text(PROJECT, encoding="utf-8")
    return path


def run(*args: str) -> Any:
    return CliRunner().invoke(main, list(args))


def both(*args: str) -> tuple[Any, Any]:
    whole = run(*args)
    streamed = run(*args, "--engine", "stream", "--memory", "1MiB")
    return whole, streamed


def test_the_project_files_maps_and_timezone_apply_as_on_one_machine(exported: Path) -> None:
    config = ["--config", str(exported.parent / "rulebook.toml")]
    whole, streamed = both(
        "report", "cybermail", str(exported), "--format", "json", *config,
        "--as-of", "2030-01-01 09:00",
    )  # fmt: skip
    assert whole.exit_code == 0 and streamed.exit_code == 0, streamed.output
    assert streamed.stdout == whole.stdout
    assert streamed.stderr == whole.stderr
    assert "column(s) that are no field of outage records are ignored: memo" in whole.stderr
    assert '"CYBERMAIL Σ"' in whole.stdout and "サイバーメール" not in whole.stdout
    without = run("report", "cybermail", str(exported), "--format", "json", "--no-config")
    assert without.exit_code != 0  # the maps are what makes the export readable


def test_records_written_under_the_maps_are_one_machines(exported: Path, tmp_path: Path) -> None:
    config = ["--config", str(exported.parent / "rulebook.toml")]
    for engine in ("columnar", "stream"):
        done = run(
            "adjudicate", "cybermail", str(exported), *config, "--engine", engine,
            *_memory(engine), "--format", "parquet", "-o", str(tmp_path / engine),
        )  # fmt: skip
        assert done.exit_code == 0, done.output
    ours = pl.read_parquet(tmp_path / "stream.records.parquet").sort("id")
    assert ours.equals(pl.read_parquet(tmp_path / "columnar.records.parquet"))
    assert ours.height == 3500


def test_a_service_map_that_copies_records_is_refused(exported: Path, tmp_path: Path) -> None:
    project = tmp_path / "rulebook.toml"
    copies = '[[services]]\nlog = "サイバーメール*"\nto = ["CYBERMAIL Σ", "CYBERCHAT"]\n'
    project.write_text(PROJECT.split("[[services]]")[0] + copies, encoding="utf-8")
    done = run("report", "cybermail", str(exported), "--config", str(project), "--engine", "stream")
    assert done.exit_code == 1
    assert "--engine stream does not copy records: use --engine columnar" in done.stderr


def test_what_the_stream_does_not_read_is_refused(exported: Path, tmp_path: Path) -> None:
    log = str(exported)
    events = tmp_path / "events.csv"
    events.write_text("record,event,at\nr000000001,detected_at,2020-01-01T00:00:10+09:00\n")
    project = tmp_path / "rulebook.toml"
    project.write_text('encoding = "cp932"\n', encoding="utf-8")
    stream = ["--engine", "stream"]
    refused = {
        "--from is not read with --engine stream": [
            "report", "cybermail", log, *stream, "--from", "statuspage"
        ],
        "--events is not read with --engine stream": [
            "report", "cybermail", log, *stream, "--events", str(events)
        ],
        "--engine stream reads UTF-8 logs; --encoding gives cp932": [
            "report", "cybermail", log, *stream, "--encoding", "shift_jis"
        ],
        f"--engine stream reads UTF-8 logs; {project} gives cp932": [
            "report", "cybermail", log, *stream, "--config", str(project)
        ],
    }  # fmt: skip
    for message, args in refused.items():
        done = run(*args)
        assert done.exit_code == 2, done.output
        assert message in " ".join(done.stderr.split()), done.stderr


def _umask() -> int:
    import os

    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_outputs_replace_a_link_never_writing_through_it(exported: Path, tmp_path: Path) -> None:
    """As one machine's outputs (issue 26): a link planted at ``-o`` — or at the name a
    half-written file once had (``out.jsonl.part``) — is replaced by the file; what it
    points to is untouched, and no temporary file is left."""
    precious = tmp_path / "precious"
    precious.write_text("keep me\n", encoding="utf-8")
    config = ["--config", str(exported.parent / "rulebook.toml")]
    planted = ["out.jsonl", "out.jsonl.part", "p.records.parquet", "p.periods.parquet"]
    planted += ["p.segments.parquet.part"]
    for name in planted:
        (tmp_path / name).symlink_to(precious)
    stream = ["--engine", "stream", "--memory", "1MiB", *config]
    lines = run(
        "adjudicate", "cybermail", str(exported), *stream, "--format", "jsonl",
        "-o", str(tmp_path / "out.jsonl"),
    )  # fmt: skip
    files = run(
        "adjudicate", "cybermail", str(exported), *stream, "--format", "parquet",
        "-o", str(tmp_path / "p"),
    )  # fmt: skip
    assert lines.exit_code == 0 and files.exit_code == 0, files.output
    assert precious.read_text(encoding="utf-8") == "keep me\n"
    for name in ("out.jsonl", "p.records.parquet", "p.segments.parquet", "p.periods.parquet"):
        path = tmp_path / name
        assert not path.is_symlink() and path.stat().st_size > 100
        assert oct(path.stat().st_mode & 0o777) == oct(0o666 & ~_umask())
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_a_stream_that_fails_leaves_nothing_under_the_names(tmp_path: Path) -> None:
    log = tmp_path / "log.csv"
    log.write_text(
        "id,service,start,end\n"
        "a,CYBERMAIL Σ,2026-09-01T10:00:00+09:00,2026-09-01T11:00:00+09:00\n"
        "b,CYBERMAIL Σ,2026-09-02T10:00:00+09:00,nonsense\n",
        encoding="utf-8",
    )
    done = run(
        "adjudicate", "cybermail", str(log), "--engine", "stream", "--format", "parquet",
        "-o", str(tmp_path / "p"),
    )  # fmt: skip
    assert done.exit_code == 1 and "record b, field 'end'" in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["log.csv"]


def test_a_log_without_ids_is_read_with_its_places_as_ids(tmp_path: Path) -> None:
    """No id column (and an empty caused_by column): each record's id is its line, over
    every chunk, as one machine names it; the same lines and the same note."""
    timed = tmp_path / "timed.csv"
    write_timed_csv(str(timed), 2500, chunk=1000)
    log = tmp_path / "log.csv"
    pl.read_csv(timed, infer_schema=False).drop("id").write_csv(log)
    whole, streamed = both("adjudicate", "cybermail", str(log), "--format", "jsonl")
    assert whole.exit_code == 0 and streamed.exit_code == 0, streamed.output
    assert streamed.stdout_bytes == whole.stdout_bytes
    assert streamed.stderr == whole.stderr
    assert '"id":"log.csv:2501"' in whole.stdout and "no id column" in whole.stderr


def _memory(engine: str) -> list[str]:
    """``--memory`` for the stream (another engine refuses it: it would bound nothing)."""
    return ["--memory", "1MiB"] if engine == "stream" else []


def test_refusals_name_the_logs_own_columns_as_on_one_machine(tmp_path: Path) -> None:
    """Found by a red-team pass: an id used again in a later chunk and a cause not found
    were named by their field alone (`field 'id'`), where one machine names the log's own
    column (`field 'id' (column '障害番号')`): the stream made these errors itself, past
    the maps. Now every refusal names the column, as one machine's."""
    timed = tmp_path / "timed.csv"
    write_timed_csv(str(timed), 2500, chunk=1000)
    log = pl.read_csv(timed, infer_schema=False)
    ids = log["id"].to_list()
    ids[1500] = ids[10]  # used again, in the second chunk of 1,000 records
    by = [None] * log.height
    by[2000] = "no-such-record"
    log = log.with_columns(pl.Series("id", ids), pl.Series("caused_by", by, dtype=pl.String))
    log = log.rename({"id": "障害番号", "caused_by": "原因元"})
    path = tmp_path / "export.csv"
    log.write_csv(path)
    project = tmp_path / "rulebook.toml"
    project.write_text('[columns]\n"障害番号" = "id"\n"原因元" = "caused_by"\n', encoding="utf-8")
    args = ("report", "cybermail", str(path), "--format", "json", "--config", str(project))
    whole, streamed = both(*args, "--keep-going")
    assert whole.exit_code == streamed.exit_code == 1
    assert streamed.stdout == whole.stdout
    assert streamed.stderr == whole.stderr
    assert "field 'id' (column '障害番号'): is used twice" in whole.stderr
    assert "field 'caused_by' (column '原因元'): names 'no-such-record'" in whole.stderr
