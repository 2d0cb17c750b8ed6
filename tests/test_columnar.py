"""The columnar plan's own surface: its intake against the record route, the dependencies
a neighbourhood is taken from and explanations from it (every record of the examples and
generated logs: tests/test_differential.py), the frame API, JSON Lines and Parquet, and
what it imports."""

from __future__ import annotations

import datetime as dt
import io
import json
import subprocess
import sys
import zoneinfo
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rulebook
from rulebook.cli import main
from rulebook.columnar.plan import STAGES
from rulebook.document.frames import adjudicate_frame, adjudicate_intake
from rulebook.intake.cells import instant_column
from rulebook.intake.columns import columns_intake, frame_intake
from rulebook.intake.frames import read_frame
from rulebook.intake.items import take_in
from rulebook.intake.records import RecordError, parse_instant
from rulebook.io.readers import Case, read_case

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from generate import notices as weekly_notices  # noqa: E402
from generate import outages as generated  # noqa: E402

CYBERMAIL = rulebook.load_contract("cybermail")


def run(args: list[str], stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, args, input=stdin, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


# ------------------------------------------------------------------ intake


TIMESTAMP = st.one_of(
    st.datetimes(min_value=dt.datetime(1, 1, 2), max_value=dt.datetime(9999, 12, 30)).map(
        lambda d: d.replace(microsecond=0).isoformat()
    ),
    st.builds(
        lambda d, h, m, sign: d.replace(microsecond=0).isoformat() + f"{sign}{h:02d}:{m:02d}",
        st.datetimes(min_value=dt.datetime(1, 1, 2), max_value=dt.datetime(9999, 12, 30)),
        st.integers(0, 25),
        st.integers(0, 61),
        st.sampled_from(["+", "-"]),
    ),
    st.from_regex(r"\A\d{4}-\d{1,2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{4})?\Z"),
    st.text(max_size=30),
)


@settings(max_examples=400, deadline=None)
@given(
    st.lists(TIMESTAMP, min_size=1, max_size=20),
    st.sampled_from(["Asia/Tokyo", "America/New_York", "UTC"]),
)
def test_timestamps_parsed_by_columns_equal_the_record_engines(values: list[str], tz: str) -> None:
    zone = zoneinfo.ZoneInfo(tz)
    checked = instant_column(pl.Series(values, dtype=pl.String), zone)
    for value, got, bad in zip(
        values, checked.values.to_list(), checked.bad.to_list(), strict=True
    ):
        if bad:
            continue  # the record route decides it, with its own message
        assert got == parse_instant(value, zone, "r", "start"), value


CSV_HEADER = "id,service,start,end,cause,detected_by,protocol,caused_by"
GOOD_ROW = "r{i},CYBERMAIL Σ,2026-09-0{d}T10:00:00+09:00,2026-09-0{d}T11:00:00+09:00,provider_fault,monitoring,smtp,"
MUTATIONS = [
    lambda r: r.replace("provider_fault", "provder_fault"),
    lambda r: r.replace("monitoring", "robot"),
    lambda r: r.replace("T11:00:00", "T09:00:00"),
    lambda r: r.replace("+09:00,2026", "+09:00 ,2026"),
    lambda r: r.replace("2026-09-0", "2026/09/0", 1),
    lambda r: r.replace("T10:00:00+09:00", "T10:00:00Z"),
    lambda r: r.replace("T10:00:00+09:00", "T10:00:00.5+09:00"),
    lambda r: r.replace(",smtp,", ",smtp,r0"),
    lambda r: r.replace(",smtp,", ",smtp,nobody"),
    lambda r: r.split(",", 1)[1].join(["r0,", ""]),  # the id of an earlier record
    lambda r: "," + r.split(",", 1)[1],  # no id
    lambda r: r.replace("CYBERMAIL Σ", ""),
    lambda r: r.replace("2026-09-0", "9999-09-0", 1),  # years rulebook does not read
    lambda r: r.replace("2026-09-0", "0001-09-0", 1),
    lambda r: r.replace("T10:00:00+09:00", "T10:00:00+09:00:00.5"),  # a sub-second offset
]


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.tuples(st.integers(1, 9), st.sets(st.integers(0, len(MUTATIONS) - 1), max_size=2)),
        min_size=1,
        max_size=12,
    )
)
def test_the_column_route_reports_what_the_record_route_reports(
    tmp_path: Path, rows: list[tuple[int, set[int]]]
) -> None:
    lines = [CSV_HEADER]
    for i, (day, mutations) in enumerate(rows):
        line = GOOD_ROW.format(i=i, d=day)
        for k in sorted(mutations):
            line = MUTATIONS[k](line)
        lines.append(line)
    path = tmp_path / "log.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    read = read_frame(str(path))
    assert read is not None, "a file of one-line rows is read as columns"
    columns = columns_intake(CYBERMAIL, read, Case(), keep_going=True)
    records = take_in(CYBERMAIL, read_case(str(path)), keep_going=True)
    assert [str(e) for e in columns.errors] == [str(e) for e in records.errors]
    assert columns.read == records.read and columns.rejected == records.rejected
    assert sorted(columns.frame["id"].to_list()) == sorted(r.id for r in records.outages)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.integers(1, 90),
    st.lists(st.tuples(st.integers(0, 89), st.integers(0, 95)), max_size=12),
    st.booleans(),
)
def test_causes_are_checked_alike_by_both_routes(
    tmp_path: Path, size: int, extra: list[tuple[int, int]], chained: bool
) -> None:
    # Long chains (longer than the rounds the columns route peels before handing the rest
    # to the record engine's cycle finder), cycles, records caused through a cycle, and
    # causes not in the input (ids r90.. do not exist).
    causes: dict[int, set[int]] = {i: ({i - 1} if chained and i else set()) for i in range(size)}
    for child, cause in extra:
        if child < size:
            causes[child].add(cause)
    lines = [CSV_HEADER]
    for i in range(size):
        by = ";".join(f"r{c}" for c in sorted(causes[i]))
        lines.append(GOOD_ROW.format(i=i, d=1 + i % 9) + by)
    path = tmp_path / "log.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    read = read_frame(str(path))
    assert read is not None
    columns = columns_intake(CYBERMAIL, read, Case(), keep_going=True)
    records = take_in(CYBERMAIL, read_case(str(path)), keep_going=True)
    assert [str(e) for e in columns.errors] == [str(e) for e in records.errors]
    assert sorted(columns.frame["id"].to_list()) == sorted(r.id for r in records.outages)


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.tuples(st.integers(1, 9), st.sets(st.integers(0, len(MUTATIONS) - 1), max_size=2)),
        min_size=1,
        max_size=12,
    ),
    st.randoms(use_true_random=False),
)
def test_json_lines_by_columns_report_what_the_record_route_reports(
    tmp_path: Path, rows: list[tuple[int, set[int]]], rnd: Any
) -> None:
    header = CSV_HEADER.split(",")
    lines = []
    for i, (day, mutations) in enumerate(rows):
        line = GOOD_ROW.format(i=i, d=day)
        for k in sorted(mutations):
            line = MUTATIONS[k](line)
        cells = line.split(",")
        record = {h: c for h, c in zip(header, cells, strict=False) if c}
        if "caused_by" in record:
            record["caused_by"] = record["caused_by"].split(";")
        keys = list(record)
        rnd.shuffle(keys)  # a JSON object's keys come in any order
        lines.append(json.dumps({k: record[k] for k in keys}, ensure_ascii=False))
    path = tmp_path / "log.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    read = read_frame(str(path))
    padded = any(k == 3 for _, mutations in rows for k in mutations)  # a text with a space
    assert (read is None) == padded, "JSON Lines of unpadded text are read as columns"
    if read is None:
        return
    columns = columns_intake(CYBERMAIL, read, Case(), keep_going=True)
    records = take_in(CYBERMAIL, read_case(str(path)), keep_going=True)
    assert [str(e) for e in columns.errors] == [str(e) for e in records.errors]
    assert columns.read == records.read and columns.rejected == records.rejected


@pytest.mark.parametrize(
    "line",
    [
        '{"id": 1, "service": "CYBERMAIL Σ", "start": "2026-09-01T10:00:00"}',
        '{"id": "a", "service": "CYBERMAIL Σ", "start": "2026-09-01T10:00:00", "self_resolved": true}',
        '{"id": " a", "service": "CYBERMAIL Σ", "start": "2026-09-01T10:00:00"}',
        '{"id": "a", "service": "CYBERMAIL Σ", "start": "2026-09-01T10:00:00", "casue": "war"}',
    ],
)
def test_json_lines_the_columns_cannot_read_exactly_take_the_record_route(
    tmp_path: Path, line: str
) -> None:
    from rulebook.intake.columns import columns_fit

    path = tmp_path / "log.jsonl"
    path.write_text(line + "\n", encoding="utf-8")
    read = read_frame(str(path))
    assert read is None or not columns_fit(read, CYBERMAIL)


@pytest.mark.parametrize(
    "priority", ["1e999999999", "9" * 51, "1E-31", "2.5", "nan", "1e30", "-0", "1/3", "inf"]
)
def test_both_routes_bound_numbers_alike(tmp_path: Path, priority: str) -> None:
    path = tmp_path / "log.csv"
    row = GOOD_ROW.format(i=0, d=1)
    path.write_text(f"{CSV_HEADER},priority\n{row},{priority}\n", encoding="utf-8")
    read = read_frame(str(path))
    assert read is not None
    columns = columns_intake(CYBERMAIL, read, Case(), keep_going=True)
    records = take_in(CYBERMAIL, read_case(str(path)), keep_going=True)
    assert [str(e) for e in columns.errors] == [str(e) for e in records.errors]
    assert columns.rejected == records.rejected


def test_without_keep_going_the_first_bad_row_stops_the_run(tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    rows = [GOOD_ROW.format(i=i, d=1 + i % 9) for i in range(30)]
    rows[17] = rows[17].replace("provider_fault", "provder_fault")
    rows[23] = rows[23].replace("monitoring", "robot")
    path.write_text("\n".join([CSV_HEADER, *rows]) + "\n", encoding="utf-8")
    read = read_frame(str(path))
    assert read is not None
    with pytest.raises(RecordError) as caught:
        columns_intake(CYBERMAIL, read, Case())
    assert str(caught.value).startswith(f"{path}:19: record r17, field 'cause': 'provder_fault'")


def test_a_short_row_goes_to_the_record_route(tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    path.write_text(f"{CSV_HEADER}\nr1,CYBERMAIL Σ,2026-09-01T10:00:00\n", encoding="utf-8")
    assert read_frame(str(path)) is None  # polars would fill the row with empty cells


# ------------------------------------------------------------------ explanations


def example_files() -> list[str]:
    return sorted(
        str(p)
        for p in (ROOT / "examples").glob("*")
        if not p.name.endswith("-notices.csv") and p.suffix in (".csv", ".json")
    )


#: Every grouping a verdict reads, in one small log under the generator's event-demo
#: contract (threshold on the stoppage, `event_duration`, `including related`, windows):
#: `a` and `b` are one event and one stoppage; `c` names `a` as its cause and is cut by
#: the notice's window; `d` is a stoppage of its own, shorter than the threshold.
GROUPED = [
    {"id": "a", "service": "Mail A", "start": "2026-09-03T10:00:00", "end": "2026-09-03T10:20:00",
     "cause": "unidentified", "detected_by": "monitoring"},
    {"id": "b", "service": "Mail A", "start": "2026-09-03T10:20:00", "end": "2026-09-03T10:45:00",
     "cause": "unidentified", "detected_by": "monitoring"},
    {"id": "c", "service": "Mail A", "start": "2026-09-03T11:00:00", "end": "2026-09-03T11:40:00",
     "cause": "provider_fault", "detected_by": "monitoring", "caused_by": ["a"]},
    {"id": "d", "service": "Mail A", "start": "2026-09-03T12:00:00", "end": "2026-09-03T12:02:00",
     "cause": "provider_fault", "detected_by": "monitoring"},
]  # fmt: skip
GROUPED_NOTICES = [
    {"id": "n", "service": "*", "start": "2026-09-03T11:20:00", "end": "2026-09-03T12:00:00",
     "announced_at": "2026-09-01T10:00:00", "channel": "email"},
]  # fmt: skip


def test_every_column_the_plan_computes_is_the_records_own_or_a_dependency() -> None:
    from rulebook.columnar.dependencies import DEPENDENCIES, RULES
    from tests.test_differential import GENERATED, undeclared

    contract = GENERATED["event-demo"]
    frame = adjudicate_frame(contract, GROUPED, GROUPED_NOTICES).plan.frame
    assert undeclared(frame, contract) == []
    # every key of a grouping is computed here, and the neighbourhood has a rule for each
    assert {d.key for d in DEPENDENCIES if d.key} <= set(frame.columns)
    assert all(d.kind in RULES for d in DEPENDENCIES)
    # a grouping a stage computed without declaring it is found
    assert undeclared(frame.with_columns(burst=pl.lit(1)), contract) == ["burst"]


def test_a_neighbourhood_holds_every_group_of_every_record_it_holds() -> None:
    from tests.test_differential import GENERATED

    result = adjudicate_frame(GENERATED["event-demo"], GROUPED, GROUPED_NOTICES)
    near = {rid: sorted(result.neighbourhood(rid)["id"].to_list()) for rid in "abcd"}
    # c's cause a brings its event and stoppage (b): a's value under `including related`
    # reads b's length; d's stoppage is its own
    assert near == {"a": ["a", "b"], "b": ["a", "b"], "c": ["a", "b", "c"], "d": ["d"]}
    whole = rulebook.adjudicate(GENERATED["event-demo"], GROUPED, GROUPED_NOTICES)
    assert [v.verdict for v in whole.verdicts] == [
        "counted", "counted", "partly_excluded", "not_downtime"
    ]  # fmt: skip
    for rid in "abcd":
        assert result.explain(rid, full=True) == whole.explain(rid, full=True)


def test_explanations_follow_causes_and_stoppages_in_a_large_log() -> None:
    records = generated(400, seed=11)
    notices = weekly_notices()
    whole = rulebook.adjudicate(CYBERMAIL, records, notices)
    columnar = adjudicate_frame(CYBERMAIL, records, notices)
    chained = [r["id"] for r in records if "caused_by" in r][:15]
    for rid in [*chained, "r0000000", "r0000399"]:
        assert columnar.explain(rid, full=True) == whole.explain(rid, full=True)
        assert columnar.record(rid) == {
            k: v for k, v in whole.record(rid).items() if k != "reasons"
        }


# ------------------------------------------------------------------ the frame API


def test_a_frame_an_arrow_table_and_a_path_give_the_same_figures(tmp_path: Path) -> None:
    records = generated(200, seed=5)
    frame = pl.DataFrame(
        [{**r, "caused_by": ";".join(r.get("caused_by", []))} for r in records]
    ).with_columns(pl.col("caused_by").replace("", None))
    path = tmp_path / "log.csv"
    frame.write_csv(path)
    parquet = tmp_path / "log.parquet"
    typed = frame.with_columns(
        pl.col("start", "end").str.to_datetime("%Y-%m-%dT%H:%M:%S%z"),
        pl.col("caused_by").str.split(";"),
    )
    typed.write_parquet(parquet)
    results = [
        adjudicate_frame(CYBERMAIL, records),
        adjudicate_frame(CYBERMAIL, frame),
        adjudicate_frame(CYBERMAIL, frame.to_arrow()),
        adjudicate_frame(CYBERMAIL, str(path)),
        adjudicate_frame(CYBERMAIL, str(parquet)),
    ]
    first = results[0].to_json()
    assert all(r.to_json() == first for r in results[1:])
    assert results[0].records.height == 200
    assert set(results[0].segments.columns) == {"id", "start", "end", "period", "status", "clause"}
    assert results[0].periods["period"].n_unique() == 12


def test_the_progress_callback_sees_every_stage() -> None:
    seen: list[str] = []
    intake = frame_intake(
        CYBERMAIL,
        pl.DataFrame(generated(50, seed=2)).drop("caused_by"),
        "<frame>",
        Case(),
        first_line=None,
    )
    adjudicate_intake(CYBERMAIL, intake, progress=seen.append)
    assert seen == [stage.__name__ for stage in STAGES]


def test_a_wrong_type_is_a_clear_error() -> None:
    with pytest.raises(rulebook.RulebookError, match="cannot adjudicate a int"):
        adjudicate_frame(CYBERMAIL, 42)


# ------------------------------------------------------------------ command line


def test_json_lines_hold_every_record_as_the_record_engine_decided(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(ROOT)
    args = ["examples/cybermail-2026-09.csv", "--notices", "examples/cybermail-2026-09-notices.csv"]
    code, out, err = run(["adjudicate", "cybermail", *args, "--format", "jsonl"])
    assert code == 0 and "records read 13, adjudicated 13, rejected 0" in err
    lines = [json.loads(line) for line in out.splitlines()]
    code, out, _ = run(
        ["adjudicate", "cybermail", *args, "--format", "json", "--engine", "records"]
    )
    document = json.loads(out)
    expected = [
        {k: v for k, v in o.items() if k not in ("reasons", "obligations")}
        for o in document["outages"]
    ]
    assert lines == expected
    assert "reasons" not in document["outages"][0]  # reasons only with --explain


def _contract_in(tz: str, folder: Path) -> Any:
    """The cybermail contract with another timezone."""
    for name in ("cybermail.sla", "vocabulary.sla"):
        text = (ROOT / "contracts" / name).read_text(encoding="utf-8")
        (folder / name).write_text(text.replace('"Asia/Tokyo"', f'"{tz}"'), encoding="utf-8")
    return rulebook.load_contract(folder / "cybermail.sla")


@pytest.mark.parametrize(
    ("tz", "start", "end", "zone"),
    [
        ("Asia/Tokyo", 1767225600, 1798761600, "Etc/GMT-9"),
        ("UTC", 0, 10**9, "UTC"),
        ("America/New_York", 1751328000, 1752537600, "Etc/GMT+4"),  # July 2025
        ("America/New_York", 1751328000, 1767225600, None),  # across November's change
        ("Asia/Kolkata", 1767225600, 1767312000, None),  # +05:30: not whole hours
        ("Asia/Tokyo", -2587712400, -2587712400 + 86400, None),  # 1888: +09:18:59
    ],
)
def test_a_fixed_zone_only_where_the_offset_never_changes(
    tz: str, start: int, end: int, zone: str | None
) -> None:
    from rulebook.intake.clock import fixed_zone

    assert fixed_zone(zoneinfo.ZoneInfo(tz), start, end) == zone


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.sampled_from(["Asia/Tokyo", "America/New_York", "UTC", "Asia/Kolkata"]),
    st.lists(
        st.tuples(
            st.datetimes(min_value=dt.datetime(2024, 1, 1), max_value=dt.datetime(2027, 12, 1)),
            st.integers(1, 200 * 86400),
        ),
        min_size=1,
        max_size=12,
    ),
    st.booleans(),
)
def test_json_lines_write_instants_as_the_record_engine_does(
    tmp_path_factory: pytest.TempPathFactory,
    tz: str,
    spans: list[tuple[dt.datetime, int]],
    summer: bool,
) -> None:
    # One offset all along: polars writes timestamps of a fixed zone; an offset that changes
    # (or is not whole hours): the text is written by rulebook. Both as isoformat writes it.
    contract = _contract_in(tz, tmp_path_factory.mktemp("contract"))
    zone = zoneinfo.ZoneInfo(tz)
    outages = []
    for n, (start, length) in enumerate(spans):
        if summer:  # a few hours in July: one offset in every zone
            start, length = start.replace(month=7, day=10), length % 20000 + 1
        begin = start.replace(microsecond=0, tzinfo=zone)
        outages.append(
            {
                "id": f"r{n}",
                "service": "CYBERMAIL Σ",
                "start": begin.isoformat(),
                "end": (begin + dt.timedelta(seconds=length)).isoformat(),
                "detected_by": "monitoring",
            }
        )
    frame = adjudicate_frame(contract, outages).jsonl_frame()
    written = io.BytesIO()
    frame.write_ndjson(written)
    lines = [json.loads(line) for line in written.getvalue().decode().splitlines()]
    document = rulebook.adjudicate(contract, outages).to_dict(reasons=False)
    expected = [
        {k: v for k, v in o.items() if k not in ("reasons", "obligations")}
        for o in document["outages"]
    ]
    assert lines == expected


def test_report_as_json_lines_is_a_line_a_period(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    code, out, _ = run(
        ["report", "cybermail", "examples/cybermail-2026-09.csv", "--format", "jsonl"]
    )
    periods = [json.loads(line) for line in out.splitlines()]
    code, out, _ = run(
        ["report", "cybermail", "examples/cybermail-2026-09.csv", "--format", "json"]
    )
    assert code == 0
    assert [(p["service"], p["availability"]) for p in periods] == [
        (p["service"], p["availability"]) for p in json.loads(out)["periods"]
    ]


def test_parquet_out_and_back_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    prefix = tmp_path / "sept"
    code, _, err = run(
        [
            "adjudicate",
            "cybermail",
            "examples/cybermail-2026-09.csv",
            "--format",
            "parquet",
            "-o",
            str(prefix),
        ]
    )
    assert code == 0, err
    records = pl.read_parquet(f"{prefix}.records.parquet")
    segments = pl.read_parquet(f"{prefix}.segments.parquet")
    periods = pl.read_parquet(f"{prefix}.periods.parquet")
    assert records.height == 13 and segments["id"].n_unique() == 13
    report = json.loads(
        run(["report", "cybermail", "examples/cybermail-2026-09.csv", "--format", "json"])[1]
    )
    assert periods.select("service", "period", "availability").rows() == [
        (p["service"], p["period"], p["availability"]) for p in report["periods"]
    ]
    code, _, err = run(
        ["adjudicate", "cybermail", "examples/cybermail-2026-09.csv", "--format", "parquet"]
    )
    assert code == 2 and "give -o PREFIX" in err
    # A Parquet log is read as it is.
    log = tmp_path / "log.parquet"
    pl.read_csv("examples/cybermail-2026-09.csv", infer_schema=False).write_parquet(log)
    first = run(["report", "cybermail", "examples/cybermail-2026-09.csv"])[1]
    assert run(["report", "cybermail", str(log)])[1] == first


@pytest.mark.parametrize("command", ["adjudicate", "report"])
def test_both_engines_print_the_same_tables(command: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    for path in example_files():
        cid = next(c for c in rulebook.bundled_ids() if Path(path).name.startswith(c))
        args = [command, cid, path, "--lang", "ja"]
        assert run([*args, "--engine", "records"]) == run(args)


def test_compare_reads_standard_input_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    text = (ROOT / "examples" / "cybermail-2026-09.csv").read_text(encoding="utf-8")
    code, out, _ = run(
        [
            "compare",
            "-",
            "--input-format",
            "csv",
            "--contract",
            "cybermail",
            "--contract",
            "aoulu-cloud",
            "--format",
            "json",
        ],
        text,
    )
    data = json.loads(out)
    assert code == 0 and len(data["outages"]) == 13
    assert all(all(v is not None for v in o["verdicts"].values()) for o in data["outages"])


def test_check_and_contracts_do_not_import_polars() -> None:
    code = (
        "import sys; from click.testing import CliRunner; from rulebook.cli import main; "
        "CliRunner().invoke(main, ['check']); CliRunner().invoke(main, ['contracts']); "
        "print('polars' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 3), st.integers(-50, 50), st.integers(1, 30)),
        min_size=1,
        max_size=40,
    )
)
def test_runs_packed_into_one_key_equal_runs_by_windows(rows: list[tuple[int, int, int]]) -> None:
    from rulebook.columnar.runs import run_lengths, run_spans, runs_of

    frame = pl.DataFrame(
        {
            "pos": range(len(rows)),
            "g": [g for g, _, _ in rows],
            "start": [s for _, s, _ in rows],
            "end": [s + n for _, s, n in rows],
        }
    )
    windows = runs_of(frame, pl.col("g")).sort("pos")
    # The run's span, checked against the definition: the group's records that overlap or
    # touch, transitively.
    for pos, (g, s, n) in enumerate(rows):
        row = windows.row(pos, named=True)
        first, last = row["__first"], row["__last"]
        assert first <= s and s + n <= last
        span = [(s2, s2 + n2) for g2, s2, n2 in rows if g2 == g and first <= s2 < last]
        assert min(a for a, _ in span) == first and max(b for _, b in span) == last
    # the packed keys find the same runs: each row's number and length, and the runs
    lengths = run_lengths(frame, pl.col("g")).sort("pos")
    assert lengths["__run"].to_list() == windows["__run"].to_list()
    assert lengths["__length"].to_list() == (windows["__last"] - windows["__first"]).to_list()
    spans = run_spans(frame.lazy(), pl.col("g"))
    closing = windows.filter("__closes").sort("g", "__first")
    assert spans.rows() == closing.select("g", "__first", "__last").rows()


def test_runs_too_wide_to_pack_are_found_by_windows() -> None:
    from rulebook.columnar.runs import run_lengths, run_spans

    # a group and a span of time that do not fit 62 bits together
    frame = pl.DataFrame(
        {"pos": [0, 1, 2], "g": [0, 1 << 40, 1 << 40], "start": [0, 0, 5], "end": [1 << 30, 5, 9]}
    )
    lengths = run_lengths(frame, pl.col("g")).sort("pos")
    assert lengths.rows() == [(0, 1, 1 << 30), (1, 2, 9), (2, 2, 9)]
    assert run_spans(frame.lazy(), pl.col("g")).rows() == [(0, 0, 1 << 30), (1 << 40, 0, 9)]


@pytest.mark.parametrize("space", [" ", "\t", "\x1c", "\x1f", "\u3000", "\xa0", "\u2028", "\x85"])
def test_cells_are_stripped_as_the_record_route_strips_them(tmp_path: Path, space: str) -> None:
    # polars' own strip leaves 0x1c-0x1f, which Python strips: a file holding them is
    # stripped the slow, exact way.
    lines = [CSV_HEADER]
    for i in range(3):
        row = GOOD_ROW.format(i=i, d=i + 1)
        lines.append(
            row.replace("CYBERMAIL Σ", f"{space}CYBERMAIL Σ{space}").replace(
                "provider_fault", f"provider_fault{space}"
            )
        )
    path = tmp_path / "log.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    read = read_frame(str(path))
    if read is None:
        return  # a line break of its own (U+2028 is not one for CSV; \x85 may be)
    columns = columns_intake(CYBERMAIL, read, Case(), keep_going=True)
    records = take_in(CYBERMAIL, read_case(str(path)), keep_going=True)
    assert [str(e) for e in columns.errors] == [str(e) for e in records.errors]
    assert sorted(columns.frame["service"].to_list()) == sorted(r.service for r in records.outages)
    assert columns.frame.height == 3 and set(columns.frame["service"]) == {"CYBERMAIL Σ"}


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(TIMESTAMP, TIMESTAMP, st.booleans()), min_size=1, max_size=12),
    st.sampled_from(["Asia/Tokyo", "America/New_York", "UTC"]),
)
def test_instant_columns_read_together_as_each_alone(
    rows: list[tuple[str, str, bool]], tz: str
) -> None:
    # The intake parses every timestamp column of a chunk in one query: each column's
    # offsets, naive cells and refusals are its own, as when it is read alone.
    from rulebook.intake.cells import instant_columns

    zone = zoneinfo.ZoneInfo(tz)
    frame = pl.DataFrame(
        {
            "start": [a for a, _, _ in rows],
            "end": [None if gone else b for _, b, gone in rows],
        },
        schema={"start": pl.String, "end": pl.String},
    )
    together = instant_columns(frame, {"start": False, "end": False}, zone)
    for column in ("start", "end"):
        alone = instant_column(frame[column], zone)
        assert together[column].values.to_list() == alone.values.to_list()
        assert together[column].bad.to_list() == alone.bad.to_list()
        for value, got, bad in zip(
            frame[column].to_list(),
            together[column].values.to_list(),
            together[column].bad.to_list(),
            strict=True,
        ):
            if value is not None and not bad:
                assert got == parse_instant(value, zone, "r", column), value


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.none(),
            st.datetimes(min_value=dt.datetime(1, 1, 2), max_value=dt.datetime(9999, 12, 30)).map(
                lambda d: d.replace(microsecond=0).isoformat()
            ),
            st.from_regex(
                r"\A\d{4}-\d{2}-\d{2}T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(Z|[+-]\d{2}:?\d{2})?\Z"
            ),
        ),
        min_size=1,
        max_size=20,
    ),
    st.sampled_from(["Asia/Tokyo", "America/New_York"]),
)
def test_instants_known_to_be_shaped_are_read_as_when_looked_at(
    values: list[str | None], tz: str
) -> None:
    # The mapping stage tells the intake when every cell of a time column already has the
    # export shape; the intake then skips its own look, with the same result.
    from rulebook.intake.cells import ISO_SHAPE

    series = pl.Series(values, dtype=pl.String)
    assert series.drop_nulls().str.contains(ISO_SHAPE).all()
    zone = zoneinfo.ZoneInfo(tz)
    looked, known = instant_column(series, zone), instant_column(series, zone, True)
    assert looked.values.to_list() == known.values.to_list()
    assert looked.bad.to_list() == known.bad.to_list()


def test_orphans_down_a_long_chain_are_refused_as_the_record_route_refuses_them() -> None:
    """A chain whose first record names a missing cause: every record of it is refused,
    pass by pass, each naming its own first dead cause, the same on both routes (the column
    route walks the chain once; it ran a pass of frame joins per link before)."""
    from rulebook.intake.items import take_in
    from rulebook.io.readers import Case, Item

    contract = rulebook.load_contract("cybermail")
    rows = [
        {
            "id": f"r{i}",
            "service": "CYBERMAIL Σ",
            "start": "2026-09-01T10:00:00+09:00",
            "end": "2026-09-01T10:30:00+09:00",
            "caused_by": [f"r{i - 1}", "ok"] if i else ["ghost"],
        }
        for i in range(300)
    ]
    rows.append({**rows[0], "id": "ok", "caused_by": None})
    rows.append({**rows[0], "id": "fork", "caused_by": ["ok", "r150"]})
    frame = pl.DataFrame(rows)
    columns = frame_intake(contract, frame, "<frame>", Case(), keep_going=True, first_line=None)
    items = Case(outages=[Item(f"outages[{i}]", r) for i, r in enumerate(rows)])
    record_route = take_in(contract, items, keep_going=True)
    assert columns.frame["id"].to_list() == ["ok"]

    def said(errors: list[Any]) -> list[str]:  # the message, without the place
        return [str(e).split(": record ", 1)[1] for e in errors]

    assert said(columns.errors) == said(record_route.errors)
    assert len(columns.errors) == 301
    assert said(columns.errors)[-1].startswith("r299, field 'caused_by': names 'r298'")


@pytest.mark.parametrize(
    "body",
    [
        "r1,a,\nr2,b,x\n",  # an empty last cell: no short row
        "r1,a\nr2,b,x\n",  # a short row: the record route
        "r1,a,x\n\nr2,b,x\n",  # a blank line
        "r1,a,x\nr2,b,x\n\n",  # a blank line at the end
        "r1,a,\r\n\r\nr2,b,x\r\n",  # CRLF, a blank line
        "r1,a,x\n,,\nr2,b,\n",  # a row of empty cells, no blank line
        'r1,"",x\nr2,b,""\n',  # quoted empty cells
        "r1,a,x\nr2,b,x",  # no newline at the end
        "r1,a,x\nr2,b\n\n",  # a short row and a blank line
    ],
)
def test_the_column_route_reads_what_pythons_csv_reads(tmp_path: Path, body: str) -> None:
    """Where the column route takes a CSV, each row is a line and its cells are Python's
    csv module's (empty: null, once the intake reads them); a short row goes to the record
    route. The bytes are looked at only when the last column has an empty cell."""
    import csv

    path = tmp_path / "log.csv"
    path.write_bytes(("id,service,cause\n" + body).encode("utf-8"))
    read = read_frame(str(path))
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))[1:]
    short = any(0 < len(r) < 3 for r in rows)
    assert (read is None) == short
    if read is not None:
        expected = [tuple((c or None) for c in r) if r else (None,) * 3 for r in rows]
        assert [tuple(c or None for c in r) for r in read.frame.rows()] == expected
