"""The Spark path gives the record engine's document on the differential cases.

One local Spark session (``local[2]``) serves the whole module. Without PySpark or Java the
tests are skipped, each saying why.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

import rulebook
from rulebook.errors import RulebookError
from rulebook.intake.records import RecordError
from tests.test_differential import (
    CONTRACTS,
    FIXTURES,
    GCP_STYLE,
    GENERATED,
    REAL_GCP,
    example_cases,
    file_cases,
    fixture_cases,
    logs,
    text_frame,
)
from tests.test_hostile_corpus import ON_SPARK, run_case
from tests.test_related_lanes import intended, related_contract, related_log, verdicts

ROOT = Path(__file__).resolve().parent.parent

if shutil.which("java") is None:
    pytest.skip("Java is not installed: the Spark engine needs Java 17", allow_module_level=True)
try:
    import pyspark  # noqa: F401
except ImportError:
    pytest.skip(
        "PySpark is not installed: pip install '.[spark]' to test the Spark engine",
        allow_module_level=True,
    )

from rulebook import spark as rs  # noqa: E402


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    session = rs.session()
    yield session
    session.stop()


def with_events(inputs: dict[str, Any]) -> list[dict[str, Any]]:
    """Events given apart become columns of their records (how a data lake holds them)."""
    outages = [dict(o) for o in inputs["outages"]]
    by_id = {o.get("id"): o for o in outages}
    for event in inputs.get("events", []):
        if event.get("record") in by_id:
            by_id[event["record"]][event["event"]] = event["at"]
    return outages


def spark_frame(spark: Any, outages: list[dict[str, Any]]) -> Any:
    frame = text_frame(outages)
    schema = ", ".join(f"`{c}` string" for c in frame.columns) or "id string"
    return spark.createDataFrame(frame.rows(), schema)


def assert_same_on_spark(
    spark: Any, contract: Any, inputs: dict[str, Any], per_range: int = 2
) -> None:
    """The record engine's document, from Spark with each service cut into time ranges of
    ``per_range`` records (two by default: every edge a case has is crossed)."""
    outages = with_events(inputs)
    try:
        oracle: Any = rulebook.adjudicate(
            contract,
            outages,
            inputs.get("notices", ()),
            inputs.get("as_of"),
            inputs.get("closures", ()),
            inputs.get("billing", ()),
        ).to_dict(reasons=False)
    except RecordError:
        oracle = "refused"
    try:
        result = rs.adjudicate(
            spark_frame(spark, outages),
            contract,
            notices=inputs.get("notices", ()),
            billing=inputs.get("billing", ()),
            as_of=inputs.get("as_of"),
            closures=inputs.get("closures", ()),
            per_range=per_range,
        )
        document: Any = result.to_dict()
    except RulebookError:
        document = "refused"
    assert document == oracle


@pytest.mark.parametrize(("cid", "inputs"), example_cases() + file_cases())
def test_every_differential_case_on_spark(spark: Any, cid: str, inputs: dict[str, Any]) -> None:
    assert_same_on_spark(spark, CONTRACTS[cid], inputs)


@pytest.mark.parametrize(("cid", "inputs"), fixture_cases())
def test_every_fixture_example_on_spark(spark: Any, cid: str, inputs: dict[str, Any]) -> None:
    """The test contracts' examples (free months with and without `per breached month`):
    Spark settles remedies with the record engine's functions, across its groups."""
    assert_same_on_spark(spark, FIXTURES[cid], inputs)


def test_the_real_gcp_export_on_spark(spark: Any) -> None:
    """The trimmed real export (tests/fixtures), under the contract written for it."""
    from rulebook.io.importers import import_file

    case, _ = import_file(str(REAL_GCP), "gcp-status")
    assert_same_on_spark(spark, GCP_STYLE, {"outages": [i.data for i in case.outages]})


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(logs())
def test_generated_logs_on_spark(spark: Any, case: tuple[str, dict[str, Any]]) -> None:
    cid, inputs = case
    assert_same_on_spark(spark, GENERATED[cid], inputs)


def test_a_generated_year_with_chains_across_services(spark: Any) -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    from generate import notices, outages

    records = outages(2000, seed=13)
    assert sum("caused_by" in r for r in records) > 50
    assert_same_on_spark(spark, CONTRACTS["cybermail"], {"outages": records, "notices": notices()})


def assert_related_on_spark(spark: Any, n: int, extras: bool) -> None:
    """The cases of tests/test_related_lanes.py: the driver walks the ancestry with every
    lane of causal bits and ships them to the groups in its Arrow schemas. (The bytes are
    collected once: ``to_dict`` is ``to_json`` read back.)"""
    contract = related_contract(n)
    outages = related_log(n, extras)
    oracle = rulebook.adjudicate(contract, outages)
    assert verdicts(oracle.to_dict(reasons=False)) == intended(n, extras)
    text = rs.adjudicate(spark_frame(spark, outages), contract).to_json()
    assert text == oracle.to_json(reasons=False)
    assert json.loads(text) == oracle.to_dict(reasons=False)


def test_a_hundred_related_exclusions_on_spark(spark: Any) -> None:
    assert_related_on_spark(spark, 100, extras=False)


# One lane and one bit of the next; two whole lanes and two bits of a third (the code is
# the same for every lane: 63, 65 and 127 run on one machine only, to spare Spark's jobs).
@pytest.mark.parametrize("n", [64, 128])
def test_related_exclusions_past_a_lane_on_spark(spark: Any, n: int) -> None:
    assert_related_on_spark(spark, n, extras=True)


def test_a_session_that_uses_large_text_types(spark: Any) -> None:
    # Spark checks the Arrow types a group returns against its own: with useLargeVarTypes,
    # text is `large_string` (no 2 GiB bound a chunk), and rulebook's schemas follow.
    sys.path.insert(0, str(ROOT / "bench"))
    from generate import outages

    spark.conf.set(rs.LARGE_VAR_TYPES, "true")
    try:
        assert_same_on_spark(spark, CONTRACTS["cybermail"], {"outages": outages(300, seed=7)})
    finally:
        spark.conf.unset(rs.LARGE_VAR_TYPES)


def test_parquet_through_spark_and_the_command_line(spark: Any, tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    from click.testing import CliRunner
    from generate import outages

    from rulebook.cli import main

    frame = text_frame(outages(500, seed=17))
    single = tmp_path / "log.parquet"
    frame.write_parquet(single)
    folder = tmp_path / "log"  # a data lake's folder of part files
    folder.mkdir()
    for i, part in enumerate(frame.iter_slices(150)):
        part.write_parquet(folder / f"part-{i}.parquet")
    runner = CliRunner()
    args = ["report", "cybermail", "--format", "json"]
    local = runner.invoke(main, [*args[:2], str(single), *args[2:]])
    on_spark = runner.invoke(main, [*args[:2], str(folder), *args[2:], "--engine", "spark"])
    assert local.exit_code == 0 and on_spark.exit_code == 0, on_spark.output
    assert on_spark.stdout == local.stdout
    out = tmp_path / "out"
    written = runner.invoke(
        main,
        [
            "adjudicate",
            "cybermail",
            str(folder),
            "--engine",
            "spark",
            "--format",
            "parquet",
            "-o",
            str(out),
        ],
    )
    assert written.exit_code == 0, written.output
    assert spark.read.parquet(str(out / "records")).count() == 500
    assert spark.read.parquet(str(out / "periods")).count() == len(
        __import__("json").loads(local.stdout)["periods"]
    )


def test_spark_warns_of_records_out_of_scope_as_the_columnar_engine_does(
    spark: Any, tmp_path: Path
) -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    from click.testing import CliRunner
    from generate import outages

    from rulebook.cli import main

    log = tmp_path / "log.parquet"
    text_frame(outages(200, seed=5)).write_parquet(log)
    runner = CliRunner()
    args = ["report", "cybermail", str(log), "--period", "2026-05"]
    local = runner.invoke(main, args)
    on_spark = runner.invoke(main, [*args, "--engine", "spark"])
    assert local.exit_code == 0 and on_spark.exit_code == 0, on_spark.output

    def warning(stderr: str) -> str:
        return stderr[stderr.index("warning:") :]

    assert "are out of scope" in local.stderr
    assert warning(on_spark.stderr) == warning(local.stderr)
    strict = runner.invoke(main, [*args, "--engine", "spark", "--strict"])
    assert strict.exit_code == 1 and "--strict: warnings are errors" in strict.stderr
    empty = runner.invoke(main, [*args[:3], "--period", "2019-01", "--engine", "spark"])
    assert "no record falls in period 2019-01" in empty.stderr


def test_a_bad_record_is_named(spark: Any) -> None:
    records = [
        {
            "id": "a",
            "service": "CYBERMAIL Σ",
            "start": "2026-09-01T10:00:00",
            "end": "2026-09-01T11:00:00",
            "cause": "wr",
        }
    ]
    with pytest.raises(rs.SparkError, match="record a, field 'cause': 'wr' is not a cause code"):
        rs.adjudicate(spark_frame(spark, records), CONTRACTS["cybermail"])


def test_an_ongoing_record_without_a_later_as_of_stops_the_run(spark: Any) -> None:
    """Found by the generated logs: the plan's refusal, raised inside a Spark worker, came
    back as Spark's own exception instead of the record engine's message."""
    records = [
        {"id": "b", "service": "CYBERMAIL Σ", "start": "2026-09-01T10:00:00"},
        {"id": "a", "service": "MAILGATES Σ", "start": "2026-09-02T10:00:00"},
    ]
    expected = "record a, field 'end': is ongoing but as_of is not after its start"
    for as_of in ("2026-09-01T09:00:00", None):
        # Both records are refused; Spark stops at the first by its message's text (its
        # groups know no order of the log), one machine at the first in the log (b).
        with pytest.raises(rs.SparkError, match=expected if as_of else "record a, field 'end'"):
            rs.adjudicate(spark_frame(spark, records), CONTRACTS["cybermail"], as_of=as_of)
        with pytest.raises(RecordError) as oracle:
            rulebook.adjudicate(CONTRACTS["cybermail"], records, as_of=as_of)
        assert (oracle.value.record, oracle.value.field) == ("b", "end")


def test_an_ongoing_record_that_cannot_be_closed_is_refused_and_the_rest_adjudicated(
    spark: Any,
) -> None:
    """With ``keep_going``, Spark's intake refuses the ongoing record as one machine's does
    (the record and field named) and adjudicates the others."""
    records = [
        {"id": "b", "service": "CYBERMAIL Σ", "start": "2026-09-01T10:00:00"},
        {
            "id": "c",
            "service": "CYBERMAIL Σ",
            "start": "2026-09-02T10:00:00",
            "end": "2026-09-02T11:00:00",
            "cause": "provider_fault",
        },
    ]
    contract = CONTRACTS["cybermail"]
    result = rs.adjudicate(spark_frame(spark, records), contract, keep_going=True)
    oracle = rulebook.adjudicate(contract, records, keep_going=True)
    assert (result.read, result.adjudicated) == (2, 1)
    assert len(result.errors) == 1
    assert "record b, field 'end': is empty (ongoing) but no as_of" in result.errors[0]
    assert [o["id"] for o in oracle.to_dict()["outages"]] == ["c"]
    assert result.to_dict()["periods"] == oracle.to_dict()["periods"]


def test_explain_and_adjudicate_agree_on_an_event_of_two_records(
    spark: Any, tmp_path: Path
) -> None:
    """`adjudicate --engine spark` counts `a` of the two-record event; `explain --engine
    spark` (Spark gives no reasons: the columnar plan on one machine) says so too."""
    from tests.test_cli_adjudicate import adjudicated_and_explained

    verdicts, text = adjudicated_and_explained(tmp_path, "spark")
    assert verdicts == {"a": "counted", "b": "counted"}
    local, _ = adjudicated_and_explained(tmp_path, "columnar")
    assert verdicts == local
    assert "counted as downtime; counted 1200 s, excluded 0 s\n" in text
    assert "duration of the event = 2700 s" in text


def test_one_service_is_cut_by_time_and_stretches_across_an_edge_are_kept_whole(
    spark: Any,
) -> None:
    """Forty records of one service, two by two an hour apart, each pair a 15-minute stretch
    (the threshold reads it whole); one record of 5 hours crosses the edges of the ranges
    after it. With ranges of four records, the ten ranges make eight parts: the long
    record's range and the two its stretch reaches are one part."""
    records = []
    for i in range(20):
        base = dt.datetime(2026, 9, 1, 1) + dt.timedelta(hours=i)
        for j in range(2):
            start = base + dt.timedelta(minutes=5 * j)
            records.append(
                {
                    "id": f"r{2 * i + j:02d}",
                    "service": "CYBERMAIL Σ",
                    "start": start.isoformat(),
                    "end": (start + dt.timedelta(minutes=10)).isoformat(),
                    "cause": "provider_fault",
                    "detected_by": "monitoring",
                }
            )
    records[8]["end"] = (dt.datetime(2026, 9, 1, 5) + dt.timedelta(hours=5)).isoformat()
    contract = CONTRACTS["cybermail"]
    oracle = rulebook.adjudicate(contract, records).to_dict(reasons=False)
    result = rs.adjudicate(spark_frame(spark, records), contract, per_range=4)
    assert result.to_dict() == oracle
    assert result.parts == 8
    whole = rs.adjudicate(spark_frame(spark, records), contract)
    assert whole.parts == 1 and whole.to_dict() == oracle


def test_wrong_files_and_calendars_on_spark_as_on_one_machine(spark: Any, tmp_path: Path) -> None:
    """A log with no recognisable column (a Spark AnalysisException traceback before) and
    the outage log given as notices are refused with what they look like, exit 1; a
    maintenance calendar is read as notices, with the columnar engine's figures."""
    from click.testing import CliRunner

    from rulebook.cli import main

    runner = CliRunner()
    odd = tmp_path / "export.csv"
    odd.write_text("foo,bar\n1,2\n3,4\n", encoding="utf-8")
    refused = runner.invoke(main, ["report", "cybermail", str(odd), "--engine", "spark"])
    assert refused.exit_code == 1 and "Traceback" not in refused.stderr
    assert "given as an outage log (OUTAGES), but no column is a field" in refused.stderr
    log = str(ROOT / "examples" / "cybermail-2026-09.csv")
    args = ["report", "cybermail", log, "--format", "json", "--no-config"]
    wrong = runner.invoke(main, [*args, "--notices", log, "--engine", "spark"])
    assert wrong.exit_code == 1 and "this looks like an outage log" in wrong.stderr
    calendar = str(ROOT / "tests" / "fixtures" / "cybermail-maintenance.ics")
    on_spark = runner.invoke(main, [*args, "--notices", calendar, "--engine", "spark"])
    local = runner.invoke(main, [*args, "--notices", calendar])
    assert on_spark.exit_code == 0 and local.exit_code == 0, on_spark.stderr
    assert json.loads(on_spark.stdout)["periods"] == json.loads(local.stdout)["periods"]


@pytest.mark.parametrize("case", ON_SPARK, ids=[c["name"] for c in ON_SPARK])
def test_hostile_inputs_on_spark_as_on_one_machine(
    spark: Any, case: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The corpus cases that start Spark (tests/hostile/surfaces.py): the manifest's exit
    code and words, and the same exit code and standard error as the one-machine run."""
    monkeypatch.chdir(ROOT)
    on_spark = run_case(case)
    assert case["args"][-2:] == ["--engine", "spark"]
    local = run_case(case | {"args": case["args"][:-2]})
    assert (on_spark[0], on_spark[2]) == (local[0], local[2])


def test_json_lines_refused_at_their_line_across_splits(spark: Any, tmp_path: Path) -> None:
    """A log read in many splits (small ones here): the first refused line is named by its
    number in the file, blank lines counted, as on one machine; without it, all is read."""
    from rulebook.io.readers import InputError, read_case

    good = json.dumps({"id": "a", "service": "S", "start": "2026-09-03T10:00:00"})
    lines = [good.replace('"a"', f'"r{i}"') if i % 97 else "" for i in range(3000)]
    lines[2500] = lines[2500][:-1] + ', "id": "x"}'
    lines[2700] = '{"id": "\\ud800"}'
    log = tmp_path / "log.jsonl"
    log.write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = spark.conf.get("spark.sql.files.maxPartitionBytes")
    spark.conf.set("spark.sql.files.maxPartitionBytes", "20000")
    try:
        splits = spark.read.text(str(log)).select("_metadata.file_block_start").distinct()
        assert splits.count() > 5
        with pytest.raises(InputError) as refused:
            rs.read(spark, [str(log)])
    finally:
        spark.conf.set("spark.sql.files.maxPartitionBytes", before)
    assert str(refused.value) == (
        f"{log}:2501:1: the key 'id' is given twice in one object; accepted: each key once "
        "(readers differ on which of the two values counts)"
    )
    with pytest.raises(InputError) as local:
        read_case(str(log))
    assert str(local.value) == str(refused.value)
    del lines[2500], lines[2699]  # without them, every record is read
    log.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert rs.read(spark, [str(log)]).count() == len(read_case(str(log)).outages) == 2967


def test_contracts_with_versions_on_spark(spark: Any, tmp_path: Path) -> None:
    """Versions on Spark (issue 30): the example with its straddling log, and generated
    contracts given two amendments inside their logs (tests/test_versions.py), each
    version's causes resolved apart on the driver: the record engine's document."""
    from rulebook.load import check_files
    from tests.contractgen import FOLDER, generate
    from tests.test_versions import AMENDED, records, versioned

    assert_same_on_spark(spark, rulebook.load_contract(str(AMENDED)), {"outages": records()})
    # the periods frame too, each period with its own version's target (r5 restating it)
    text = AMENDED.read_text(encoding="utf-8")
    clause = text[
        text.index("  availability monthly") : text.index(
            "\n  }\n", text.index("  availability monthly")
        )
        + 4
    ]
    lowered = clause.replace("target >= 99.9%", "target >= 99.5%")
    at = text.index('    cite "改定履歴"')
    path = tmp_path / "amended.sla"
    path.write_text(text[:at] + lowered.replace("\n  ", "\n    ") + "\n" + text[at:], "utf-8")
    amended = rulebook.load_contract(str(path))
    frame = rs.adjudicate(spark_frame(spark, records()), amended).periods
    targets = sorted(tuple(r) for r in frame.select("period", "target").distinct().collect())
    assert targets == [("2023-07", ">= 99.9%"), ("2023-08", ">= 99.5%")]
    compared = 0
    for seed in range(40):
        case, contract = generate(seed)
        starts = [str(o["start"]) for o in case.inputs["outages"] if o.get("start")]
        text = versioned(case.text, contract, starts)
        if text is None:
            continue
        path = FOLDER / f"gen-{seed}-versions.sla"
        loaded = check_files([path], {str(path): text})
        if loaded.errors:
            continue
        assert_same_on_spark(spark, loaded.contracts[0], case.inputs)
        compared += 1
        if compared == 8:
            break
    assert compared == 8


def test_a_start_that_is_a_list_is_refused_not_a_worker_traceback(spark: Any) -> None:
    """JSON Lines give Spark columns of lists and objects: the time ranges read them as no
    instant (a worker's traceback before), and the record is refused with its field."""
    frame = spark.createDataFrame(
        [("a", "CYBERMAIL Σ", [2026], "2026-09-03T11:00:00"),
         ("b", "CYBERMAIL Σ", [], "2026-09-04T11:00:00")],
        "id string, service string, start array<long>, end string",
    )  # fmt: skip
    result = rs.adjudicate(frame, rulebook.load_contract("cybermail"), keep_going=True)
    assert result.adjudicated == 0 and len(result.errors) == 2
    assert all("field 'start'" in e for e in result.errors), result.errors


@pytest.mark.parametrize("where", ["driver", "elsewhere"])
@pytest.mark.parametrize("kind", ["csv", "jsonl"])
def test_a_log_not_utf8_is_refused_on_spark_as_on_one_machine(
    spark: Any, tmp_path: Path, kind: str, where: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Spark's readers read bytes that are not UTF-8 as U+FFFD: a Shift_JIS export's
    services became names no contract covers, and the run counted no downtime, exit 0,
    where one machine refuses the file by its byte. Now the driver reads each local file
    first and refuses it at one machine's place, saying how to read it; a file Spark reads
    from elsewhere (hdfs://, s3a://; here a local file taken for one) is looked at by
    Spark, and the file it finds is read through Hadoop's file system to name the byte."""
    from click.testing import CliRunner

    from rulebook.cli import main
    from rulebook.spark import files

    if where == "elsewhere":
        monkeypatch.setattr(files, "on_driver", lambda file: None)

    (tmp_path / "a b").mkdir()  # Spark lists it as a%20b: read again, it named no file
    log = tmp_path / "a b" / f"sjis.{kind}"
    good = {"id": "a", "service": "CYBERMAIL Σ", "start": "2026-09-01T10:00:00"}
    bad = {"id": "b", "service": "障害", "start": "2026-09-02T10:00:00"}
    if kind == "csv":
        rows = ["id,service,start", *(",".join(r.values()) for r in (good, bad))]
        log.write_bytes(("\n".join(rows[:2]) + "\n").encode() + f"{rows[2]}\n".encode("cp932"))
    else:
        log.write_bytes(
            (json.dumps(good) + "\n").encode()
            + json.dumps(bad, ensure_ascii=False).encode("cp932")
            + b"\n"
        )
    args = ["report", "cybermail", str(log), "--format", "json"]
    local = CliRunner().invoke(main, args)
    on_spark = CliRunner().invoke(main, [*args, "--engine", "spark"])
    assert local.exit_code == on_spark.exit_code == 1, on_spark.output
    place = local.stderr.split(";")[0]
    line = 3 if kind == "csv" else 2  # JSON Lines have no header
    assert f"sjis.{kind}:{line}: not UTF-8 text (byte 0x" in place
    assert on_spark.stderr.startswith(f"{place}; it reads as cp932; --engine spark reads UTF-8")


def test_a_replacement_character_in_utf8_text_is_read_on_spark_from_elsewhere(
    spark: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """U+FFFD written as UTF-8 is text like any other: Spark's look at the lines of a file
    from elsewhere refuses only bytes that are not UTF-8, as one machine does."""
    from click.testing import CliRunner

    from rulebook.cli import main
    from rulebook.spark import files

    monkeypatch.setattr(files, "on_driver", lambda file: None)
    (tmp_path / "a b").mkdir()  # a space in its name: a traceback before (a%20b)
    log = tmp_path / "a b" / "fffd.csv"
    log.write_text(
        "id,service,start,end\n"
        "a,CYBERMAIL Σ,2026-09-01T10:00:00,2026-09-01T11:00:00\n"
        "b,\ufffd,2026-09-02T10:00:00,2026-09-02T11:00:00\n",
        encoding="utf-8",
    )
    args = ["report", "cybermail", str(log), "--format", "json"]
    local = CliRunner().invoke(main, args)
    on_spark = CliRunner().invoke(main, [*args, "--engine", "spark"])
    assert local.exit_code == on_spark.exit_code == 0, on_spark.output
    assert json.loads(on_spark.stdout)["periods"] == json.loads(local.stdout)["periods"]


@pytest.mark.parametrize("name", ["empty.csv", "empty.jsonl"])
def test_an_empty_log_on_spark_is_one_machines_empty_log(
    spark: Any, tmp_path: Path, name: str
) -> None:
    """An empty file gave Spark a frame of no column, and the ids' check a traceback
    (UNRESOLVED_COLUMN 'id'); one machine reads it as a log of no record, exit 0."""
    from click.testing import CliRunner

    from rulebook.cli import main

    log = tmp_path / name
    log.write_bytes(b"")
    args = ["report", "cybermail", str(log), "--format", "json"]
    local = CliRunner().invoke(main, args)
    on_spark = CliRunner().invoke(main, [*args, "--engine", "spark"])
    assert local.exit_code == on_spark.exit_code == 0, on_spark.output
    assert on_spark.stdout == local.stdout


@pytest.mark.parametrize(
    "given",
    ["folder", "glob", "compressed", "compressed as csv", "folder named a%20b", "glob of folders"],
)
def test_a_log_spark_would_misread_is_refused_by_its_name(
    spark: Any, tmp_path: Path, given: str
) -> None:
    """A folder of CSV files was read as Parquet (the default): Spark printed its Java trace
    and rulebook said "cannot read logs: An error occurred while calling o34.parquet". A
    compressed CSV was read the same way, or decompressed by Hadoop with --input-format csv
    where one machine refuses its bytes. Both are refused before Spark reads a byte, by the
    file's name, saying what is accepted; --input-format csv reads the folder."""
    import gzip

    from click.testing import CliRunner

    from rulebook.cli import main

    folder = tmp_path / ("a%20b" if given == "folder named a%20b" else "logs")
    folder.mkdir()  # a path as given is read as it is (not as a URI: "a b")
    text = "id,service,start,end\na,CYBERMAIL Σ,2026-09-01T10:00:00,2026-09-01T11:00:00\n"
    (folder / "a.csv").write_text(text, encoding="utf-8")
    (folder / "_SUCCESS").write_text("", encoding="utf-8")  # hidden from Spark: not looked at
    (folder / "b.csv.gz").write_bytes(gzip.compress(text.replace("a,", "b,").encode()))
    log, extra = {
        "folder": (str(folder), []),
        "folder named a%20b": (str(folder), []),
        "glob of folders": (str(tmp_path / "*"), []),  # Spark reads the folders' files
        "glob": (str(folder / "a.*"), []),
        "compressed": (str(folder / "b.csv.gz"), []),
        "compressed as csv": (str(folder / "b.csv.gz"), ["--input-format", "csv"]),
    }[given]
    args = ["report", "cybermail", log, "--format", "json", "--engine", "spark", *extra]
    refused = CliRunner().invoke(main, args)
    assert refused.exit_code == 1, refused.output
    if given in ("folder", "glob", "folder named a%20b", "glob of folders"):
        assert refused.stderr.startswith(
            f"rulebook: {folder / 'a.csv'}: a CSV file where the log is read as Parquet (as a "
            "folder, a glob or a name not ending in .csv, .jsonl, .ndjson or .json is); "
            "accepted: --input-format csv, which reads every file as CSV"
        ), refused.stderr
    else:
        assert refused.stderr.startswith(
            f"rulebook: {folder / 'b.csv.gz'}: a compressed file (.gz); accepted: Parquet, "
            "CSV or JSON Lines files, uncompressed"
        ), refused.stderr
    (folder / "b.csv.gz").unlink()
    folder_args = ["report", "cybermail", str(folder), "--format", "json", "--engine", "spark"]
    read = CliRunner().invoke(main, [*folder_args, "--input-format", "csv"])
    assert read.exit_code == 0, read.output
    local = CliRunner().invoke(
        main, ["report", "cybermail", str(folder / "a.csv"), "--format", "json"]
    )
    assert json.loads(read.stdout)["periods"] == json.loads(local.stdout)["periods"]


@pytest.mark.parametrize(
    "given",
    [
        "glob with a hidden file",
        "parquet with a codec suffix",
        "folder with another folder",
        "file URI",
    ],
)
def test_logs_spark_reads_are_not_refused_by_their_names(
    spark: Any, tmp_path: Path, given: str
) -> None:
    """The name check refused what Spark reads: a glob's hidden file (Python's glob matches
    `_schema.json`, Spark's leaves it out) and a Parquet file named with a codec suffix
    (Parquet's reader opens no codec; one machine reads it too)."""
    import polars as pl
    from click.testing import CliRunner

    from rulebook.cli import main

    folder = tmp_path / ("c%20d" if given == "file URI" else "lake")
    folder.mkdir()
    rows = {
        "id": ["a", "b"],
        "service": ["CYBERMAIL Σ"] * 2,
        "start": ["2026-09-01T10:00:00", "2026-09-02T10:00:00"],
        "end": ["2026-09-01T11:00:00", "2026-09-02T10:30:00"],
    }
    parquet = folder / "part-0.parquet"
    pl.DataFrame(rows).write_parquet(parquet)
    if given == "glob with a hidden file":
        (folder / "_schema.json").write_text("{}\n", encoding="utf-8")
        log, extra = str(folder / "*"), []
    elif given == "parquet with a codec suffix":
        log = str(parquet.rename(folder / "part-0.parquet.gz"))
        extra = ["--input-format", "parquet"]
    elif given == "folder with another folder":  # Spark reads no folder but a partition's
        (folder / "archive").mkdir()
        (folder / "archive" / "old.csv").write_text("id\n", encoding="utf-8")
        log, extra = str(folder), []
    else:  # Hadoop reads "c%20d" in a file: URI as it is written, not as "c d"
        (tmp_path / "c d").mkdir()
        (tmp_path / "c d" / "old.csv").write_text("id\n", encoding="utf-8")
        log, extra = f"file://{folder}", []
    args = ["report", "cybermail", log, "--format", "json", *extra]
    on_spark = CliRunner().invoke(main, [*args, "--engine", "spark"])
    assert on_spark.exit_code == 0, on_spark.output
    local = CliRunner().invoke(
        main,
        [
            "report",
            "cybermail",
            str(next(folder.glob("part-0*"))),
            "--format",
            "json",
            "--input-format",
            "parquet",
        ],
    )
    assert local.exit_code == 0, local.output
    assert json.loads(on_spark.stdout)["periods"] == json.loads(local.stdout)["periods"]
