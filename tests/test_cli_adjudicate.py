"""The adjudication commands through click's CliRunner, with golden outputs.

The golden command lines are listed in :mod:`tests.goldens`; a missing golden file fails.
Write them with ``python -m tests.write_goldens`` and review the diff.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from rulebook.cli import main
from tests import goldens

ROOT = Path(__file__).resolve().parent.parent


def run(args: list[str], stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, args, input=stdin)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("name", sorted(goldens.CLI))
def test_golden_output(name: str) -> None:
    goldens.expect(goldens.cli_path(name), goldens.cli_output(name))


def test_every_cli_golden_file_has_its_command_line() -> None:
    present = {p.stem for p in goldens.CLI_GOLDEN.glob("*")}
    assert present == set(goldens.CLI), present ^ set(goldens.CLI)


def test_a_missing_golden_file_fails_and_names_the_writer() -> None:
    """No test writes its own expectation: a golden file that is not there is a failure
    naming the file and the command that writes golden files, and nothing is written."""
    absent = goldens.CLI_GOLDEN / "no-such-case.txt"
    with pytest.raises(pytest.fail.Exception) as failed:
        goldens.expect(absent, "output")
    assert str(failed.value) == (
        "golden file tests/golden/cli/no-such-case.txt is missing: tests never write golden "
        "files; write it with `python -m tests.write_goldens` and review it before committing"
    )
    assert not absent.exists()
    with pytest.raises(pytest.fail.Exception) as failed:
        goldens.expect(goldens.cli_path("report-table"), "not the report\n")
    shown = str(failed.value).splitlines()
    assert shown[0] == (
        "tests/golden/cli/report-table.txt differs from the current output; if the change is "
        "meant, write it with `python -m tests.write_goldens` and review the diff:"
    )
    assert shown[1:3] == ["--- tests/golden/cli/report-table.txt", "+++ current output"]
    assert "+not the report" in shown


def test_json_output_is_the_documented_document(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    code, out, _ = run(
        ["adjudicate", "cybermail", "examples/cybermail-2026-09.csv", "--format", "json"]
    )
    data = json.loads(out)
    assert code == 0 and data["format"] == 1
    assert data["counts"] == {
        "outages": 13,
        "notices": 0,
        "read": 13,
        "adjudicated": 13,
        "rejected": 0,
        "fallback": 0,
    }


def test_stdin_and_json_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    lines = [
        {
            "id": "a",
            "service": "CYBERMAIL Σ",
            "start": "2026-09-03T10:00:00",
            "end": "2026-09-03T11:00:00",
            "cause": "attack",
            "detected_by": "monitoring",
        },
        {
            "id": "b",
            "service": "CYBERMAIL Σ",
            "start": "2026-09-04T10:00:00",
            "end": "2026-09-04T11:00:00",
            "cause": "provider_fault",
            "detected_by": "monitoring",
        },
    ]
    text = "\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n"
    code, out, _ = run(
        ["adjudicate", "cybermail", "-", "--input-format", "jsonl", "--format", "json"], text
    )
    verdicts = [o["verdict"] for o in json.loads(out)["outages"]]
    assert code == 0 and verdicts == ["excluded", "counted"]


BAD_CSV = """id,service,start,end,cause
b1,CYBERMAIL Σ,2026-09-01T10:00:00,2026-09-01T09:00:00,war
b2,CYBERMAIL Σ,2026-09-01T10:00:00,2026-09-01T11:00:00,wr
b3,CYBERMAIL Σ,2026-09-01T10:00:00
ok,CYBERMAIL Σ,2026-09-02T10:00:00,2026-09-02T11:00:00,war
b5,CYBERMAIL Σ,yesterday,2026-09-01T11:00:00,war
ok,CYBERMAIL Σ,2026-09-03T10:00:00,2026-09-03T11:00:00,war
"""


def test_bad_input_stops_at_the_first_error_with_file_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(BAD_CSV, encoding="utf-8")
    code, out, err = run(["adjudicate", "cybermail", str(path)])
    assert code == 1 and out == ""
    assert err.startswith(
        f"rulebook: {path}:2: record b1, field 'end': '2026-09-01T09:00:00' is not after"
    )
    assert "Traceback" not in err


def test_keep_going_reports_every_bad_record_and_adjudicates_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(BAD_CSV, encoding="utf-8")
    code, out, err = run(["adjudicate", "cybermail", str(path), "--keep-going"])
    assert code == 1
    assert "records read 6, adjudicated 1, rejected 5" in out
    lines = [line for line in err.splitlines() if line.startswith("rulebook: ")]
    assert lines == [
        f"rulebook: {path}:2: record b1, field 'end': '2026-09-01T09:00:00' is not after start '2026-09-01T10:00:00'; accepted: an end later than the start (records are half-open [start, end))",
        lines[1],
        f"rulebook: {path}:4: record #3: 3 cells, but the header has 5 columns (id, service, start, end, cause); accepted: one cell per header column",
        f"rulebook: {path}:6: record b5, field 'start': 'yesterday' is not a timestamp; accepted: ISO 8601, e.g. 2026-09-01T10:00:00+09:00, or 2026/09/01 10:00 (without an offset: the contract's timezone)",
        f"rulebook: {path}:7: record ok, field 'id': is used twice (first at {path}:5); accepted: a unique id per record",
        "rulebook: 5 bad input item(s); see above",
    ]
    assert lines[1].startswith(
        f"rulebook: {path}:3: record b2, field 'cause': 'wr' is not a cause code; accepted: provider_fault,"
    )
    assert lines[1].endswith("(did you mean 'war'?)")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["adjudicate", "cybermial", "examples/cybermail-2026-09.csv"], "did you mean 'cybermail'"),
        (["adjudicate", "cybermail", "missing.csv"], "missing.csv: no such file"),
        (["explain", "cybermail", "examples/cybermail-2026-09.csv", "cm-99"], "no record 'cm-99'"),
    ],
)
def test_usage_mistakes_are_named(
    args: list[str], message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    code, _, err = run(args)
    assert code == 1 and message in err and "Traceback" not in err


def test_an_unknown_column_names_the_accepted_ones() -> None:
    code, _, err = run(["adjudicate", "cybermail", "-"], "id,service,start,end,casue\n")
    assert code == 1
    assert err.startswith(
        "rulebook: <stdin>:1: column casue: is not a field of outage records; accepted: id, service"
    )
    assert "(did you mean 'cause'?)" in err


def test_a_bad_case_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "case.json"
    path.write_text('{"outages": [], "outage": []}', encoding="utf-8")
    code, _, err = run(["adjudicate", "cybermail", str(path)])
    assert code == 1 and "'outage' is not a part of a case file" in err


# ------------------------------------------------------------------ explain agrees with adjudicate

#: One nexa-palette event logged as two touching records of one service and one cause: `a`
#: resolved by itself in 20 minutes, but the event lasted 45, so the 30-minute exclusion
#: does not apply to it. Explaining `a` alone would see a 20-minute event.
EVENT_OF_TWO = (
    "id,service,start,end,cause,self_resolved\n"
    "a,ネクサパレット,2026-09-03T10:00:00,2026-09-03T10:20:00,unidentified,true\n"
    "b,ネクサパレット,2026-09-03T10:20:00,2026-09-03T10:45:00,unidentified,false\n"
)


def adjudicated_and_explained(tmp_path: Path, engine: str) -> tuple[dict[str, str], str]:
    """Each record's verdict by `adjudicate --engine ENGINE`, and `explain`'s text for `a`."""
    log = tmp_path / "event.csv"
    log.write_text(EVENT_OF_TWO, encoding="utf-8")
    runner = CliRunner()
    args = ["nexa-palette", str(log), "--engine", engine]
    adjudicated = runner.invoke(main, ["adjudicate", *args, "--format", "json"])
    assert adjudicated.exit_code == 0, adjudicated.output
    verdicts = {o["id"]: o["verdict"] for o in json.loads(adjudicated.stdout)["outages"]}
    explained = runner.invoke(main, ["explain", *args, "a"])
    assert explained.exit_code == 0, explained.output
    return verdicts, explained.stdout


@pytest.mark.parametrize("engine", ["records", "columnar"])
def test_explain_and_adjudicate_agree_on_an_event_of_two_records(
    tmp_path: Path, engine: str
) -> None:
    verdicts, text = adjudicated_and_explained(tmp_path, engine)
    assert verdicts == {"a": "counted", "b": "counted"}
    assert text.startswith(
        "Record a (ネクサパレット, 2026-09-03T10:00:00+09:00 – 2026-09-03T10:20:00+09:00): "
        "counted as downtime; counted 1200 s, excluded 0 s\n"
    )
    assert "duration of the event = 2700 s" in text


@pytest.mark.parametrize(
    ("extra", "says"),
    [
        (["--memory", "4GiB"], "--memory bounds --engine stream only (the other engines hold the whole log); it does nothing with --engine columnar"),
        (["--engine", "records", "--master", "local[2]"], "--master names a cluster for --engine spark only; it does nothing with --engine records"),
        (["--bom"], "--bom is for --format csv only; it does nothing with --format table"),
        (["--format", "json", "--what", "records"], "--what is for --format csv only; it does nothing with --format json"),
    ],
)  # fmt: skip
def test_an_option_that_would_do_nothing_is_a_usage_error(extra: list[str], says: str) -> None:
    """They were ignored: a --memory given to the columnar engine bounded nothing."""
    code, out, err = run(
        ["report", "cybermail", str(ROOT / "examples" / "cybermail-2026-09.csv"), *extra]
    )
    assert (code, out) == (2, "")
    assert err.endswith(f"Error: {says}\n")


@pytest.mark.parametrize(
    ("extra", "says"),
    [
        (["--format", "csv"], "it does nothing with --format csv"),
        (["--format", "jsonl", "-o", "out.jsonl"], "it does nothing with --format jsonl"),
        (["--format", "parquet", "-o", "out"], "it does nothing with --format parquet"),
        (["--format", "html", "-o", "out.html"], "it does nothing with --format html"),
        (["--engine", "spark"], "--explain: --engine spark gives no reasons"),
    ],
)
def test_explain_where_no_reasons_are_written_is_a_usage_error(
    extra: list[str], says: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--explain`` was ignored where the output holds no reasons (and it ran the record
    engine for nothing); nothing is written."""
    monkeypatch.chdir(tmp_path)
    log = str(ROOT / "examples" / "cybermail-2026-09.csv")
    code, out, err = run(["adjudicate", "cybermail", log, "--explain", *extra])
    assert (code, out) == (2, "")
    assert says in err and "--explain" in err
    assert list(tmp_path.iterdir()) == []
    code, out, _ = run(["adjudicate", "cybermail", log, "--explain", "--format", "json"])
    assert code == 0 and all(o["reasons"] for o in json.loads(out)["outages"])
