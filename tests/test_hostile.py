"""Hostile and broken input (issue 12): no disclosure, no code execution, no hang, nothing
lost. One test per defect class; the corpus in ``tests/hostile/`` is run by
``test_hostile_corpus.py``."""

from __future__ import annotations

import datetime as dt
import json
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from click.testing import CliRunner

import rulebook
from rulebook.cli import main
from rulebook.grammar import cache
from rulebook.intake.causes import causal_order
from rulebook.intake.records import OutageRecord, RecordError
from rulebook.load import check_files
from tests.growth import cpu_seconds, growth
from tests.hostile.make_corpus import CONTRACT_HEAD as HEADER

ROOT = Path(__file__).resolve().parent.parent
HEAD = "id,service,start,end,cause,detected_by,caused_by\n"
ROW = "{rid},CYBERMAIL Σ,2026-09-03T10:00:00,2026-09-03T11:00:00,{cause},monitoring,{by}\n"


def run(*args: str, stdin: str | bytes | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), input=stdin)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


# ------------------------------------------------------------------ 1. import disclosure


@pytest.mark.parametrize(
    "target", ["/etc/passwd", "../../../../../../etc/passwd", "/proc/self/environ", "../secret.sla"]
)
def test_an_import_never_reads_outside_the_folder_tree(tmp_path: Path, target: str) -> None:
    secret = tmp_path / "secret.sla"
    secret.write_text("contract SECRET-CONTENT-LINE {\n", encoding="utf-8")
    folder = tmp_path / "contracts"
    folder.mkdir()
    path = folder / "c.sla"
    path.write_text(f'import "{target}"\n', encoding="utf-8")
    loaded = check_files([path])
    text = "\n".join(d.render() for d in loaded.diagnostics)
    assert [d.code for d in loaded.diagnostics] == ["missing-import"]
    assert f"imported file '{target}' is not beside this file nor bundled" in text
    assert "SECRET-CONTENT" not in text and "root:" not in text
    assert set(loaded.sources) == {str(path)}  # nothing else was read


def test_an_import_through_a_link_out_of_the_tree_is_refused(tmp_path: Path) -> None:
    (tmp_path / "outside.sla").write_text("SECRET-CONTENT\n", encoding="utf-8")
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "link.sla").symlink_to(tmp_path / "outside.sla")
    (folder / "c.sla").write_text('import "link.sla"\n', encoding="utf-8")
    loaded = check_files([folder / "c.sla"])
    assert [d.code for d in loaded.diagnostics] == ["missing-import"]
    assert "SECRET" not in "".join(d.render() for d in loaded.diagnostics)


def test_an_import_inside_the_tree_still_works(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "v.sla").write_text("vocabulary v {\n", encoding="utf-8")
    (tmp_path / "c.sla").write_text('import "sub/v.sla"\n', encoding="utf-8")
    loaded = check_files([tmp_path / "c.sla"])
    assert [d.code for d in loaded.diagnostics] == ["syntax"]  # the contract file's own error
    assert loaded.diagnostics[0].span.file.endswith("v.sla")


# ------------------------------------------------------------------ 2. parser cache


def test_the_parser_cache_is_private_and_not_in_the_temp_dir() -> None:
    import tempfile

    path = cache.cache_file()
    assert isinstance(path, str)
    assert not path.startswith(tempfile.gettempdir() + os.sep)
    folder = Path(path).parent
    assert stat.S_IMODE(folder.stat().st_mode) & 0o077 == 0


def test_a_cache_folder_others_can_write_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "rulebook"
    folder.mkdir()
    folder.chmod(0o777)
    import platformdirs

    monkeypatch.setattr(platformdirs, "user_cache_dir", lambda *a, **k: str(folder))
    assert cache.cache_file() is False
    folder.chmod(0o700)
    planted = Path(str(cache.cache_file()))
    planted.write_bytes(b"planted")
    planted.chmod(0o666)
    assert cache.cache_file() is False  # a file others may have written is not loaded
    planted.chmod(0o600)
    assert cache.cache_file() == str(planted)


# ------------------------------------------------------------------ 3. unbounded numbers


@pytest.mark.parametrize("engine", ["columnar", "records"])
@pytest.mark.parametrize("value", ["1e999999999", "9" * 60, "-1E-99999"])
def test_a_huge_number_is_refused(tmp_path: Path, value: str, engine: str) -> None:
    """Refused by its length before any arithmetic (a 10^999999999 would never end)."""
    log = tmp_path / "n.csv"
    log.write_text(
        "id,service,start,end,detected_by,priority\n"
        f"a,CYBERMAIL Σ,2026-09-03T10:00:00,2026-09-03T11:00:00,monitoring,{value}\n",
        encoding="utf-8",
    )
    code, out, err = run("adjudicate", "cybermail", str(log), "--engine", engine)
    assert code == 1 and out == ""
    assert "n.csv:2: record a, field 'priority': '" in err
    assert "; accepted: a number of at most 50 characters and an exponent of at most 30" in err


@pytest.mark.parametrize("fee", ["1e400", "1" * 5000, '"1e400"', "[1]", "true"])
def test_a_huge_or_wrong_fee_is_refused(tmp_path: Path, fee: str) -> None:
    case = tmp_path / "case.json"
    billing = '{"CYBERMAIL Σ": {"monthly_fee": FEE, "currency": "JPY"}}'.replace("FEE", fee)
    case.write_text(f'{{"outages": [{ROW_JSON}], "billing": {billing}}}', encoding="utf-8")
    code, out, err = run("adjudicate", "cybermail", str(case))
    assert code == 1 and out == ""
    if len(fee) > 1000:
        assert "case.json: an integer of 5000 digits" in err
    else:
        assert "case.json: billing[0]: billing entry CYBERMAIL Σ, field 'monthly_fee': " in err


ROW_JSON = json.dumps(
    {
        "id": "a",
        "service": "CYBERMAIL Σ",
        "start": "2026-09-03T10:00:00",
        "end": "2026-09-03T11:00:00",
        "detected_by": "monitoring",
    },
    ensure_ascii=False,
)


def test_a_json_integer_of_5000_digits_is_an_input_error(tmp_path: Path) -> None:
    case = tmp_path / "case.jsonl"
    case.write_text(ROW_JSON[:-1] + ', "priority": ' + "9" * 5000 + "}\n", encoding="utf-8")
    code, _, err = run("adjudicate", "cybermail", str(case))
    assert code == 1
    assert "case.jsonl:1: an integer of 5000 digits" in err and "at most 50 digits" in err


# ------------------------------------------------------------------ 4. unterminated quote


def test_an_unterminated_quote_is_reported_and_every_row_counted(tmp_path: Path) -> None:
    log = tmp_path / "q.csv"
    rows = [ROW.format(rid=f"r{i}", cause="provider_fault", by="") for i in range(5)]
    rows[1] = rows[1].replace("provider_fault", '"provider_fault')
    log.write_text(HEAD + "".join(rows), encoding="utf-8")
    code, out, err = run("adjudicate", "cybermail", str(log), "--keep-going", "--format", "json")
    assert code == 1
    assert "q.csv:3: record #2: a quoted cell opened on this line is never closed" in err
    counts = json.loads(out)["counts"]
    assert (counts["read"], counts["adjudicated"], counts["rejected"]) == (5, 4, 1)
    code, out, err = run("adjudicate", "cybermail", str(log))
    assert code == 1 and out == "" and "q.csv:3:" in err


def adjudicate_file(tmp_path: Path, name: str, text: str) -> tuple[int, str, str]:
    """Write ``text`` to ``name`` and adjudicate it under cybermail."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return run("adjudicate", "cybermail", str(path))


def test_a_csv_error_in_a_multiline_record_is_placed_at_its_first_line(tmp_path: Path) -> None:
    row = 'a,"CYBERMAIL\nΣ",2026-09-03T10:00:00,2026-09-03T11:00:00,wrong,monitoring,\n'
    code, _, err = adjudicate_file(tmp_path, "m.csv", HEAD + row)
    assert code == 1 and "m.csv:2: record a" in err, err


# ------------------------------------------------------------------ 5. stdin read once


def test_stdin_for_two_inputs_is_a_usage_error() -> None:
    code, out, err = run("adjudicate", "cybermail", "-", "--notices", "-", stdin=HEAD)
    assert code == 2 and out == ""
    assert "- (standard input) is given for OUTAGES and --notices; give it once" in err


def test_compare_reads_stdin_once_for_every_contract() -> None:
    log = HEAD + ROW.format(rid="a", cause="provider_fault", by="")
    code, out, _ = run(
        "compare", "-", "--contract", "cybermail", "--contract", "aoulu-cloud",
        "--input-format", "csv", "--format", "json", stdin=log,
    )  # fmt: skip
    assert code == 0
    doc = json.loads(out)
    assert doc["counts"]["read"] == 1
    assert doc["outages"][0]["verdicts"] == {"cybermail": "counted", "aoulu-cloud": "out_of_scope"}


def test_stdin_is_decoded_as_files_are(tmp_path: Path) -> None:
    text = HEAD + ROW.format(rid="a", cause="provider_fault", by="")
    code, out, _ = run(
        "report", "cybermail", "-", "--input-format", "csv", stdin=b"\xef\xbb\xbf" + text.encode()
    )
    assert code == 0, out
    code, _, err = run(
        "report",
        "cybermail",
        "-",
        "--input-format",
        "csv",
        stdin=text.replace("Σ", "").encode() + b"\xe9\n",
    )
    assert code == 1 and "<stdin>:3: not UTF-8 text (byte 0xe9" in err


# ------------------------------------------------------------------ 6. --keep-going


def _case(tmp_path: Path, **parts: object) -> Path:
    base: dict[str, object] = {"outages": [json.loads(ROW_JSON)]}
    base.update(parts)
    path = tmp_path / "case.json"
    path.write_text(json.dumps(base, ensure_ascii=False), encoding="utf-8")
    return path


def test_keep_going_keeps_every_good_event(tmp_path: Path) -> None:
    from rulebook.intake.columns import read_outages
    from rulebook.intake.items import take_in
    from rulebook.io.readers import Case, read_case

    events = [
        {"record": "a", "event": "restored_at", "at": "2026-09-03T11:00:00"},
        {"record": "nobody", "event": "restored_at", "at": "2026-09-03T11:00:00"},
        {"record": "a", "event": "recognized_at", "at": "2026-09-03T10:05:00"},
    ]
    path = _case(tmp_path, events=events)
    contract = rulebook.load_contract("cybermail")
    taken = take_in(contract, read_case(str(path)), keep_going=True)
    assert [str(e) for e in taken.errors] == [
        f"{path}: events[1]: event #2, field 'record': 'nobody' is not an outage record of "
        "the input; accepted: the id of an outage record"
    ]
    assert set(taken.outages[0].events) == {"restored_at", "recognized_at"}
    frame = read_outages(contract, str(path), None, Case(), keep_going=True)
    assert len(frame.errors) == 1
    row = frame.frame.row(0, named=True)
    assert row["restored_at"] is not None and row["recognized_at"] is not None
    code, _, err = run("adjudicate", "cybermail", str(path), "--keep-going")
    assert code == 1 and "events[1]" in err


def test_keep_going_keeps_every_good_closure_and_notice(tmp_path: Path) -> None:
    notice = {
        "id": "n1",
        "service": "*",
        "start": "2026-09-10T00:00:00",
        "end": "2026-09-10T01:00:00",
    }
    path = _case(
        tmp_path,
        closures=["2026-12-30", "not-a-day", "9999-12-31"],
        notices=[notice, {**notice, "id": "n2", "start": "bad"}],
    )
    code, _, err = run("adjudicate", "cybermail", str(path), "--keep-going")
    assert code == 1
    assert "case.json: closures[1]: closure not-a-day: 'not-a-day' is not a date" in err
    assert "closure 9999-12-31" in err
    assert "notice n2, field 'start'" in err


# ------------------------------------------------------------------ 7. linear caused_by


def _chain(n: int) -> list[dict[str, object]]:
    records: list[dict[str, object]] = [json.loads(ROW_JSON) | {"id": "r0", "cause": "attack"}]
    for i in range(1, n):
        records.append(json.loads(ROW_JSON) | {"id": f"r{i}", "caused_by": f"r{i - 1}"})
    return records


def test_a_long_chain_of_causes_is_linear_and_still_explained() -> None:
    """The plan's CPU time from chains of 500 to 5,000 records grows within 11x
    (tests/growth.py; quadratic paths took minutes), and the record engine still explains
    the longest chain. (The record engine's reasons are not timed: each record's `via`
    names its whole chain back to the cause, so their total is quadratic by what they say.)"""
    contract = rulebook.load_contract("cybermail")
    chains = {n: _chain(n) for n in (1, 500, 5000)}

    def adjudicated(n: int) -> float:
        return cpu_seconds(
            lambda: rulebook.adjudicate_frame(contract, chains[n]).to_dict(), collector=False
        )

    adjudicated(1)  # first-use costs out of the way
    grown = growth(adjudicated, sizes=(500, 5000), base=1)
    assert grown.linear, grown
    result = rulebook.adjudicate(contract, chains[5000])
    text = result.explain("r4999")
    assert "r4999 ← r4998 ← r4997" in text and text.rstrip().count("←") >= 4999


def test_causal_order_needs_no_recursion_for_a_million_records() -> None:
    records = [OutageRecord("r0", "s", 0, 1)] + [
        OutageRecord(f"r{i}", "s", 0, 1, {"caused_by": (f"r{i - 1}",)}) for i in range(1, 200_000)
    ]
    order = causal_order(records)
    assert order is not None and order[0] == "r0" and order[-1] == "r199999"


def test_a_cycle_is_named_from_its_smallest_id() -> None:
    records = [
        OutageRecord("c", "s", 0, 1, {"caused_by": ("b",)}),
        OutageRecord("b", "s", 0, 1, {"caused_by": ("a",)}),
        OutageRecord("a", "s", 0, 1, {"caused_by": ("c",)}),
        OutageRecord("z", "s", 0, 1, {"caused_by": ("a",)}),
    ]
    with pytest.raises(RecordError, match=r"cycle: a -> b -> c -> a"):
        causal_order(records)


def test_orphans_of_a_long_chain_are_found_in_linear_time(tmp_path: Path) -> None:
    """Every record of a chain whose first is refused is refused in its turn, in CPU time
    that grows within 11x from 2,000 to 20,000 records (tests/growth.py; the cycle
    collector left out, whose passes grow with the live objects), and the command line
    says so for each."""
    cases = {}
    for n in (1, 2000, 20000):
        records = _chain(n)
        records[0]["start"] = "bad"
        cases[n] = records

    def refused(n: int) -> float:
        return cpu_seconds(
            lambda: rulebook.adjudicate("cybermail", cases[n], keep_going=True), collector=False
        )

    refused(1)
    grown = growth(refused, sizes=(2000, 20000), base=1)
    assert grown.linear, grown
    path = tmp_path / "chain.json"
    path.write_text(json.dumps({"outages": cases[20000]}), encoding="utf-8")
    code, out, err = run("report", "cybermail", str(path), "--keep-going", "--format", "json")
    assert code == 1
    counts = json.loads(out)["counts"]
    assert (counts["read"], counts["rejected"]) == (20000, 20000)
    assert "record r19999, field 'caused_by': names 'r19998'" in err


# ------------------------------------------------------------------ also


@pytest.mark.parametrize(
    "condition",
    [
        "not " * 1000 + "cause = war",
        " and ".join(["(cause = war or cause = fire"] * 250) + ")" * 250,
        "(" * 5000 + "cause = war" + ")" * 5000,
    ],
)
def test_a_deeply_nested_condition_is_an_error_or_fine(tmp_path: Path, condition: str) -> None:
    path = tmp_path / "deep.sla"
    path.write_text(
        HEADER + f'  exclusion a {{\n    cite "1" "x"\n    when {condition}\n  }}\n}}\n',
        encoding="utf-8",
    )
    code, out, _ = run("check", str(path))
    if condition.startswith("((("):  # parentheses alone add no depth
        assert code == 0 and out == "1 file(s), 1 contract(s): 0 error(s), 0 warning(s)\n", out
    else:
        assert code == 1
        assert "error[too-deep]: the condition nests deeper than 100 levels" in out


def test_a_contract_file_with_a_bom_is_read(tmp_path: Path) -> None:
    from rulebook.load import bundled_dir

    text = (bundled_dir() / "cybermail.sla").read_bytes()
    (tmp_path / "vocabulary.sla").write_bytes((bundled_dir() / "vocabulary.sla").read_bytes())
    (tmp_path / "c.sla").write_bytes(b"\xef\xbb\xbf" + text)
    code, out, _ = run("check", str(tmp_path / "c.sla"))
    assert code == 0 and out == "1 file(s), 1 contract(s): 0 error(s), 0 warning(s)\n", out
    # read as the bundled contract is: the same clauses, not a BOM in the first name
    with_bom = rulebook.load_contract(tmp_path / "c.sla")
    bundled = rulebook.load_contract("cybermail")
    assert with_bom.id == "cybermail" and [c.id for c in with_bom.clauses] == [
        c.id for c in bundled.clauses
    ]


@pytest.mark.parametrize("count", [0, 2])
def test_a_file_without_exactly_one_contract_is_refused(tmp_path: Path, count: int) -> None:
    from rulebook.load import bundled_dir

    body = (bundled_dir() / "cybermail.sla").read_text(encoding="utf-8")
    one = body.split("contract ", 1)[1]
    text = body.split("contract ", 1)[0] + "".join(
        "contract "
        + one.replace("contract cybermail", f"contract c{i}", 1).replace(
            "cybermail {", f"c{i} {{", 1
        )
        for i in range(count)
    )
    (tmp_path / "vocabulary.sla").write_bytes((bundled_dir() / "vocabulary.sla").read_bytes())
    path = tmp_path / "c.sla"
    path.write_text(text, encoding="utf-8")
    log = tmp_path / "log.csv"
    log.write_text(HEAD + ROW.format(rid="a", cause="war", by=""), encoding="utf-8")
    code, out, err = run("adjudicate", str(path), str(log))
    assert code == 1 and out == ""
    assert err == f"rulebook: {path} holds {count} contracts; expected exactly one\n"


def test_compare_refuses_the_same_contract_twice(tmp_path: Path) -> None:
    log = tmp_path / "log.csv"
    log.write_text(HEAD + ROW.format(rid="a", cause="war", by=""), encoding="utf-8")
    for fmt in ("table", "json"):
        code, out, err = run(
            "compare", str(log), "--contract", "cybermail", "--contract", "cybermail",
            "--format", fmt,
        )  # fmt: skip
        assert code == 2 and out == ""
        assert "contract cybermail is given twice" in err
    # two files of one id are named as such (it said "given twice"), and one contract
    # alone is no comparison (it ran)
    code, out, err = run(
        "compare", str(log), "--contract", "cybermail",
        "--contract", str(Path(__file__).parent.parent / "examples" / "cybermail-amended.sla"),
    )  # fmt: skip
    assert code == 2 and out == ""
    assert "cybermail-amended.sla are both contract cybermail: compare shows each" in err
    code, out, err = run("compare", str(log), "--contract", "cybermail")
    assert code == 2 and "compare needs two or more --contract (one: use report)" in err


def test_control_characters_from_input_are_escaped(tmp_path: Path) -> None:
    row = "x\x1b[2J,CYBERMAIL Σ,2026-09-03T10:00:00,2026-09-03T11:00:00,b\x1b]0;t\x07,,\n"
    code, _, err = adjudicate_file(tmp_path, "c.csv", HEAD + row)
    assert code == 1
    assert "\x1b" not in err and "\x07" not in err
    assert "record x\\x1b[2J, field 'cause': 'b\\x1b]0;t\\x07'" in err


def test_a_json_true_is_not_a_record_id(tmp_path: Path) -> None:
    log = tmp_path / "t.jsonl"
    log.write_text(ROW_JSON.replace('"a"', "true") + "\n", encoding="utf-8")
    code, _, err = run("adjudicate", "cybermail", str(log))
    assert code == 1 and "t.jsonl:1: record true, field 'id': true is not text" in err


@pytest.mark.parametrize("command", ["check", "test", "adjudicate", "report", "explain"])
def test_a_missing_file_is_exit_1_for_every_command(tmp_path: Path, command: str) -> None:
    missing = str(tmp_path / "nothing.csv")
    # a long path is cut at its start in the message: the file's name stays
    shown = missing if len(missing) <= 80 else f"…{missing[-79:]}"
    args = {
        "check": [missing],
        "test": [missing],
        "adjudicate": ["cybermail", missing],
        "report": ["cybermail", missing],
        "explain": ["cybermail", missing, "a"],
    }[command]
    code, out, err = run(command, *args)
    assert code == 1
    where, message = {
        "check": (out, f"{missing}:0:0: error[unreadable]: cannot read {missing}: No such file"),
        "test": (err, f"{missing}:0:0: error[unreadable]: cannot read {missing}: No such file"),
    }.get(command, (err, f"rulebook: {shown}: no such file\n"))
    assert message in where, out + err


def contracts_to(stdout: Any) -> subprocess.CompletedProcess[str]:
    """`rulebook contracts` in a process of its own, writing to ``stdout``."""
    command = [sys.executable, "-m", "rulebook", "contracts"]
    return subprocess.run(command, stdout=stdout, stderr=subprocess.PIPE, text=True, timeout=120)


def test_a_full_disk_is_one_line_and_exit_1() -> None:
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full")
    with open("/dev/full", "w") as full:
        done = contracts_to(full)
    assert done.returncode == 1
    assert done.stderr.strip().startswith("rulebook: cannot write the output: No space left")
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"outages": {}}', "'outages' is an object; accepted: a list of objects"),
        ('{"closures": "2026-12-30"}', "'closures' is a string; accepted: a list of dates"),
        ('{"billing": {"S": 5}}', "billing['S'] must be an object"),
        ('{"billing": 3}', "'billing' is a number; accepted: a list or an object keyed by service"),
    ],
)
def test_wrong_typed_case_file_parts_are_errors(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "case.json"
    path.write_text(text, encoding="utf-8")
    code, _, err = run("adjudicate", "cybermail", str(path))
    assert code == 1 and message in err, err


def test_a_one_line_case_file_is_a_case_file(tmp_path: Path) -> None:
    path = tmp_path / "case"
    path.write_text('{"outages": [' + ROW_JSON + "]}", encoding="utf-8")
    code, out, err = run("report", "cybermail", str(path), "--format", "json")
    assert code == 0, err
    assert json.loads(out)["counts"]["read"] == 1


def test_a_line_separator_inside_a_json_lines_string_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "l.jsonl"
    record = json.loads(ROW_JSON) | {"service": "CYBERMAIL\u2028Σ"}
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    code, out, err = run("report", "cybermail", str(path), "--format", "json")
    assert code == 0, err
    assert json.loads(out)["counts"]["read"] == 1


@pytest.mark.parametrize(
    "value", ["0001-01-01T00:00:00", "9999-12-31T23:59:59", "2026-09-03T10:00:00+09:00:00.5"]
)
def test_timestamps_out_of_range_are_errors(tmp_path: Path, value: str) -> None:
    path = tmp_path / "y.csv"
    path.write_text(
        HEAD + ROW.format(rid="a", cause="war", by="").replace("2026-09-03T10:00:00", value),
        encoding="utf-8",
    )
    code, _, err = run("adjudicate", "cybermail", str(path))
    assert code == 1 and "y.csv:2: record a, field 'start': " in err, err
    code, _, err = run(
        "adjudicate", "cybermail", "examples/cybermail-2026-09.csv", "--as-of", value
    )
    # a bad option value is a usage error (exit 2), found before any input is read
    assert code == 2 and "Invalid value for '--as-of': " in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("outages", "problem"),
    [
        (
            'outage a "CYBERMAIL Σ" from "2026-09-03T10:00:00" to "2026-09-03T11:00:00" { }\n'
            '    outage a "CYBERMAIL Σ" from "2026-09-04T10:00:00" to "2026-09-04T11:00:00" { }',
            "record a, field 'id': the record id 'a' is used twice",
        ),
        (
            'outage a "CYBERMAIL Σ" from "2026-09-03T10:00:00" to "2026-09-03T11:00:00" { caused_by [b] }\n'
            '    outage b "CYBERMAIL Σ" from "2026-09-03T10:00:00" to "2026-09-03T11:00:00" { caused_by [a] }',
            "record a, field 'caused_by': records cause each other in a cycle: a -> b -> a",
        ),
        (
            'outage a "CYBERMAIL Σ" from "2026-09-03T10:00:00" { }',
            "record a, field 'end': is empty (ongoing) but no as_of instant was given",
        ),
    ],
)
def test_test_refuses_an_example_whose_records_are_not_valid_together(
    tmp_path: Path, outages: str, problem: str
) -> None:
    # `check` does not run the engine (examples run under `test`); `test` names the example's
    # line and the engine's own message.
    from rulebook.load import bundled_dir

    body = (bundled_dir() / "cybermail.sla").read_text(encoding="utf-8")
    example = f'  example broken "x" {{\n    {outages}\n    expect a counted\n  }}\n}}\n'
    text = body.rstrip().removesuffix("}") + example
    (tmp_path / "vocabulary.sla").write_bytes((bundled_dir() / "vocabulary.sla").read_bytes())
    path = tmp_path / "c.sla"
    path.write_text(text, encoding="utf-8")
    code, out, _ = run("test", str(path))
    assert code == 1
    assert "expected records that are valid input" in out and problem in out, out[-2000:]


def test_a_closed_stdout_is_one_line_and_exit_1() -> None:
    read, write = os.pipe()
    os.close(read)  # nobody will read: the first write fails with EPIPE
    try:
        done = contracts_to(write)
    finally:
        os.close(write)
    assert done.returncode == 1
    assert done.stderr.strip() == "rulebook: cannot write the output: Broken pipe"


@pytest.mark.parametrize(
    "text",
    ["", HEAD, HEAD + ROW.format(rid="a", cause="war", by="").replace("2026-09-03T10", "x")],
    ids=["no bytes", "a header only", "every record refused"],
)
def test_a_log_without_a_valid_record_gives_the_same_empty_outputs_on_every_engine(
    tmp_path: Path, text: str
) -> None:
    """``adjudicate --format jsonl`` of such a log stopped with a traceback (the instants'
    text of no instant), and the stream refused a file of no bytes that the other engines
    read as no records."""
    log = tmp_path / "log.csv"
    log.write_text(text, encoding="utf-8")
    for what, fmt in (("adjudicate", "jsonl"), ("adjudicate", "parquet"), ("report", "json")):
        outputs = []
        for engine in ("columnar", "records", "stream"):
            if engine == "records" and fmt in ("jsonl", "parquet"):
                continue  # the record engine writes neither (a usage error)
            out = tmp_path / f"{engine}-{what}.{fmt}"
            code, _, err = run(
                what, "cybermail", str(log), "--keep-going", "--engine", engine,
                "--format", fmt, "-o", str(out),
            )  # fmt: skip
            assert "Traceback" not in err
            assert code == (1 if "refused" in err or "x:00:00" in text else 0), err
            if fmt == "parquet":  # the same rows and columns (each engine its writer)
                written = sorted(tmp_path.glob(f"{out.name}.*.parquet"))
                outputs.append([(p.name[len(out.name) :], pl.read_parquet(p)) for p in written])
            else:
                outputs.append(out.read_bytes())
        for other in outputs[1:]:
            if fmt == "parquet":
                assert [n for n, _ in other] == [n for n, _ in outputs[0]]
                assert all(a.equals(b) for (_, a), (_, b) in zip(other, outputs[0], strict=True))
            else:
                assert other == outputs[0], (what, fmt)


def test_a_log_read_in_the_wrong_encoding_is_said_to_be_so(tmp_path: Path) -> None:
    """UTF-8 read as UTF-16 left no comma: the message listed 1,500 characters of mojibake
    as the log's one column, with no word of the encoding."""
    log = tmp_path / "log.csv"
    log.write_text(HEAD + ROW.format(rid="a", cause="war", by=""), encoding="utf-8")
    code, _, err = run("report", "cybermail", str(log), "--encoding", "utf-16")
    assert code == 1
    assert "its header reads as one column of" in err
    assert "none a Latin letter: is the file in the encoding it was read in (--encoding" in err


# ------------------------------------------------------------------ Parquet cells of odd types

_PARQUET_BASE = {
    "id": ["r0", "r1"],
    "service": ["CYBERMAIL Σ"] * 2,
    "start": ["2026-09-03T10:00:00", "2026-09-04T10:00:00"],
    "end": ["2026-09-03T11:00:00", "2026-09-04T11:00:00"],
}


def _every_engine(log: Path, *extra: str) -> list[tuple[int, str, str]]:
    """``report`` of ``log`` on each engine, with ``extra`` options."""
    return [
        run("report", "cybermail", str(log), "--format", "json", "--engine", e, *extra)
        for e in ("records", "columnar", "stream")
    ]


def test_a_number_is_decimal_notation_on_every_engine(tmp_path: Path) -> None:
    """``Fraction`` read ``1_0`` as 10 and ``3/4`` as 0.75 (March 4th, or April 3rd, in a
    spreadsheet), on every engine alike: a figure no one wrote. A number is digits with a
    sign, a decimal point and an exponent (full-width digits are digits); the others are
    refused by name, quoted, with examples."""
    good = ["90", "-0", "+1.5", ".5", "5.", "1e3", "2.5E-1", "１２"]
    bad = ["1_0", "3/4", "ninety", "1e", "0x10", "nan", "1,5", "1 000"]
    rows = [
        f'r{i},CYBERMAIL Σ,2026-09-{i + 1:02d}T10:00:00,2026-09-{i + 1:02d}T11:00:00,"{v}"'
        for i, v in enumerate([*good, *bad])
    ]
    log = tmp_path / "numbers.csv"
    log.write_text("\n".join(["id,service,start,end,response_time", *rows]) + "\n", "utf-8")
    results = _every_engine(log, "--keep-going")
    assert len(set(results)) == 1, results
    code, _, err = results[0]
    refused = [line for line in err.splitlines() if "is not a number" in line]
    assert code == 1 and len(refused) == len(bad), err
    for line, (index, value) in zip(refused, enumerate(bad, start=len(good)), strict=True):
        assert line.endswith(
            f"numbers.csv:{index + 2}: record r{index}, field 'response_time': '{value}' is not "
            "a number; accepted: a number of seconds, e.g. 3, -2.5, 1e3"
        ), line


def test_a_library_callers_fraction_is_still_a_number() -> None:
    """The text ``1/3`` is refused (above); a ``Fraction`` given by a Python caller is an
    exact number as it is, on both evaluators."""
    from fractions import Fraction

    record = {"id": "a", "service": "CYBERMAIL Σ", "start": "2026-09-03T10:00:00",
              "end": "2026-09-03T11:00:00", "priority": Fraction(1, 3)}  # fmt: skip
    contract = rulebook.load_contract("cybermail")
    one = rulebook.adjudicate(contract, [record]).to_dict(reasons=False)
    other = rulebook.adjudicate_frame(contract, [record]).to_dict()
    assert one["counts"]["outages"] == other["counts"]["outages"] == 1
    assert one["periods"] == other["periods"]


@pytest.mark.parametrize(
    ("column", "values", "dtype", "said"),
    [
        (
            "response_time",
            [dt.timedelta(seconds=5), dt.timedelta(0)],
            None,
            ["record r0, field 'response_time': 0:00:05 is not a number",
             "record r1, field 'response_time'", "accepted: a number of seconds"],
        ),
        (
            "features",
            [[["web_access"]], [[]]],
            None,
            ["record r0, field 'features': [[\"web_access\"]] holds [\"web_access\"], which is not "
             "text; accepted: a list of text or whole numbers (in CSV: a;b)",
             "record r1, field 'features': [[]] holds []"],
        ),
        ("cause", [b"attack", b"war"], None, ["record r0, field 'cause': b'attack' is not text; accepted: provider_fault"]),
        ("start", [dt.timedelta(0), dt.timedelta(1)], None, ["record r0, field 'start'"]),
        ("end", [[1], [2]], None, ["record r0, field 'end': [1] is not a timestamp"]),
        ("caused_by", [None, [["r0"]]], None, ["record r1, field 'caused_by': [[\"r0\"]] holds"]),
        ("caused_by", [None, [{"x": "r0"}]], None, ["record r1, field 'caused_by'"]),
        ("caused_by", [None, [1.5]], None, ["field 'caused_by': [1.5] holds 1.5, which is not"]),
        ("caused_by", [None, [True]], None, ["field 'caused_by': [true] holds true, which is"]),
        ("caused_by", [None, [b"r0"]], pl.List(pl.Binary), ["field 'caused_by': [\"b'r0'\"] holds"]),
        ("features", [{"a": 1}, None], None, ["record r0, field 'features'"]),
        ("service", [["CYBERMAIL Σ"]] * 2, None, ["record r0, field 'service': [\"CYBERMAIL"]),
    ],
    ids=["duration", "list-of-lists", "binary", "start-duration", "end-list", "causes-nested",
         "causes-struct", "causes-float", "causes-bool", "causes-binary", "set-struct",
         "service-list"],
)  # fmt: skip
def test_a_parquet_column_of_an_odd_type_is_named_the_same_on_every_engine(
    tmp_path: Path, column: str, values: list[Any], dtype: pl.DataType | None, said: list[str]
) -> None:
    """A cell no column check reads (a duration, a list of lists, bytes, a struct, a list for
    a single value) is refused by the record route with its message, file, record and field
    (a duration and a list of lists were a polars traceback on every engine); a list of
    causes holds text or whole numbers, nothing else, on every engine."""
    data = {**_PARQUET_BASE, "cause": ["attack", None], column: values}
    frame = pl.DataFrame(data, schema_overrides={column: dtype} if dtype else None)
    log = tmp_path / "odd.parquet"
    frame.write_parquet(log)
    for extra in ((), ("--keep-going",)):
        results = _every_engine(log, *extra)
        for code, _, err in results:
            assert code == 1, err
            assert "Traceback" not in err
            assert "odd.parquet: outages[" in err
            for words in said if extra else said[:1]:
                assert words in err, err
        assert len(set(results)) == 1, results


@pytest.mark.parametrize(
    ("dtype", "causes"),
    [
        (pl.List(pl.Categorical), ["r0"]),
        (pl.List(pl.Int64), [0]),
        (pl.List(pl.String), [" r0 "]),
        (pl.Array(pl.String, 1), ["r0"]),
    ],
)
def test_a_parquet_list_of_causes_is_read_alike_on_every_engine(
    tmp_path: Path, dtype: pl.DataType, causes: list[Any]
) -> None:
    """A list of categoricals or of integers (or an array) is a list of ids: the stream
    stopped with a polars SchemaError (it read only a list of text); records and columnar
    read them."""
    ids = ["0", "1"] if isinstance(causes[0], int) else ["r0", "r1"]
    frame = pl.DataFrame(
        {**_PARQUET_BASE, "id": ids, "cause": ["attack", None], "caused_by": [None, causes]},
        schema_overrides={"caused_by": dtype},
    )
    log = tmp_path / "causes.parquet"
    frame.write_parquet(log)
    results = _every_engine(log)
    for code, out, err in results:
        assert code == 0, err
        doc = json.loads(out)
        assert doc["counts"]["adjudicated"] == 2
        # both hours excluded: the second for its cause, the first's attack
        assert [p["excluded_seconds"] for p in doc["periods"]] == [7200], doc["periods"]
    assert len({out for _, out, _ in results}) == 1


def test_a_parquet_list_of_integers_naming_no_record_is_refused_on_every_engine(
    tmp_path: Path,
) -> None:
    frame = pl.DataFrame(
        {**_PARQUET_BASE, "cause": ["attack", None], "caused_by": [None, [0]]},
        schema_overrides={"caused_by": pl.List(pl.Int64)},
    )
    log = tmp_path / "causes.parquet"
    frame.write_parquet(log)
    for code, _, err in _every_engine(log):
        assert code == 1
        assert "record r1, field 'caused_by': names '0', which is not among the valid" in err


def test_the_stream_with_keep_going_refuses_a_scalar_cause_list_as_the_others_do() -> None:
    """The corpus' caused_by 5 (an integer for a list): with --keep-going the stream's
    causes pass stopped with a polars traceback."""
    log = ROOT / "tests" / "hostile" / "inputs" / "parquet" / "caused-by-int.parquet"
    results = _every_engine(log, "--keep-going")
    for code, _, err in results:
        assert code == 1
        assert "record a, field 'caused_by': 5 is not a list; accepted: a list" in err
    assert len(set(results)) == 1


def test_a_refused_record_naming_a_cause_is_named_for_its_own_fault_on_the_stream(
    tmp_path: Path,
) -> None:
    """r1 names the valid r0 as its cause but has a bad start: the stream's causes pass
    refused it as naming 'r0', "not among the valid records" (r1 was the one refused),
    and stopped even with --keep-going; the others name its start."""
    log = tmp_path / "log.csv"
    log.write_text(
        HEAD
        + ROW.format(rid="r0", cause="attack", by="")
        + ROW.format(rid="r1", cause="", by="r0").replace("2026-09-03T10", "2026-09-03T1x"),
        encoding="utf-8",
    )
    for extra in ((), ("--keep-going",)):
        results = _every_engine(log, *extra)
        for code, _, err in results:
            assert code == 1
            assert "log.csv:3: record r1, field 'start': '2026-09-03T1x:00:00' is not" in err
            assert "not among the valid records" not in err
        assert len(set(results)) == 1, results
