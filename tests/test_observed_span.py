"""What a log covers (issue 25): the observed span — from the log, --since/--until or the
project file's [import] — decides which periods are measured. A period outside it is "no
data" in every format; a period inside it without outages is listed at 100 %."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import polars as pl
import pytest

from tests.helpers import run_cli as run

LOG = (
    "id,service,start,end,cause\n"
    "a,CYBERMAIL Σ,2026-09-09T03:00:00,2026-09-09T04:20:00,attack\n"
    "b,CYBERMAIL Σ,2026-09-30T23:50:00,2026-10-01T00:30:00,\n"  # runs into October
)


@pytest.fixture
def log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "sept.csv"
    path.write_text(LOG, encoding="utf-8")
    return path


def periods(args: list[str], engine: str = "columnar") -> dict[str, dict]:
    code, out, err = run(["report", *args, "--format", "json", "--engine", engine])
    assert code == 0, err
    return {p["period"]: p for p in json.loads(out)["periods"]}


@pytest.mark.parametrize("engine", ["columnar", "records"])
def test_a_month_the_log_does_not_cover_is_no_data(log: Path, engine: str) -> None:
    found = periods(["cybermail", str(log), "--no-config"], engine)
    assert list(found) == ["2026-09", "2026-10"]
    october = found["2026-10"]
    assert october["no_data"] is True
    assert (october["availability"], october["met"], october["remedy"]) == (None, None, None)
    assert october["downtime_seconds"] == 1800  # what the records say, not measured
    assert "no_data" not in found["2026-09"]


@pytest.mark.parametrize("engine", ["columnar", "records"])
def test_a_clean_month_inside_the_span_is_listed_at_100(log: Path, engine: str) -> None:
    args = ["cybermail", str(log), "--no-config", "--since", "2026-07-01", "--until", "2026-11-01"]
    found = periods(args, engine)
    assert list(found) == ["2026-07", "2026-08", "2026-09", "2026-10"]
    assert [found[p]["availability"] for p in ("2026-07", "2026-08")] == ["100.0000"] * 2
    assert found["2026-10"]["availability"] == "99.9327" and "no_data" not in found["2026-10"]
    # --period of a clean month shows it
    code, out, _ = run(["report", *args, "--period", "2026-08"])
    assert code == 0 and "CYBERMAIL Σ  2026-08  100.0000" in out
    code, out, _ = run(["explain", *args, "--period", "CYBERMAIL Σ", "2026-08"])
    assert code == 0 and "availability 100.0000%" in out and "no record falls" in out


def test_the_project_file_gives_the_span(log: Path) -> None:
    Path("rulebook.toml").write_text(
        'contract = "cybermail"\n[import]\nsince = 2026-08-01\nuntil = 2026-10-01\n', "utf-8"
    )
    found = periods([str(log)])
    assert list(found) == ["2026-08", "2026-09", "2026-10"]
    assert found["2026-08"]["availability"] == "100.0000" and found["2026-10"]["no_data"]
    # the command line overrides it
    assert list(periods([str(log), "--since", "2026-09-01"])) == ["2026-09", "2026-10"]


def test_no_data_in_every_format(log: Path, tmp_path: Path) -> None:
    base = ["report", "cybermail", str(log), "--no-config"]
    code, out, _ = run([*base])
    assert code == 0
    assert "CYBERMAIL Σ  2026-10  no data         >= 99.9%  no data" in out
    code, out, _ = run([*base, "--lang", "ja"])
    assert "データなし" in out
    code, out, _ = run([*base, "--format", "markdown"])
    assert "| 2026-10 | no data |" in out.replace("  ", " ")
    code, out, _ = run([*base, "--format", "csv"])
    rows = {r["period"]: r for r in csv.DictReader(io.StringIO(out))}
    assert (rows["2026-10"]["met"], rows["2026-10"]["availability"]) == ("no data", "")
    code, out, _ = run([*base, "--format", "jsonl"])
    lines = {json.loads(line)["period"]: json.loads(line) for line in out.splitlines()}
    assert lines["2026-10"]["no_data"] is True and lines["2026-09"]["no_data"] is False
    code, _, _ = run([*base, "--format", "parquet", "-o", str(tmp_path / "out")])
    frame = pl.read_parquet(tmp_path / "out.periods.parquet")
    assert frame.filter(pl.col("period") == "2026-10")["no_data"].to_list() == [True]
    code, _, _ = run([*base, "--format", "html", "-o", str(tmp_path / "r.html")])
    html = (tmp_path / "r.html").read_text("utf-8")
    assert (
        '<strong class="">no data</strong>' in html and "The log does not cover this period" in html
    )
    code, out, _ = run(["explain", "cybermail", str(log), "--no-config", "--period",
                        "CYBERMAIL Σ", "2026-10"])  # fmt: skip
    assert "no data: the log does not cover this period" in out


def test_a_bad_span_is_refused(log: Path) -> None:
    code, _, err = run(["report", "cybermail", str(log), "--no-config", "--since", "soon"])
    assert code == 2 and "Invalid value for '--since': 'soon' is not a timestamp" in err
    # a span that ends before it starts is a usage error (docs/formats.md), in either order
    base = ["report", "cybermail", str(log), "--no-config"]
    for order in (
        ["--since", "2026-10-01", "--until", "2026-09-01"],
        ["--until", "2026-09-01", "--since", "2026-10-01"],
    ):
        code, _, err = run([*base, *order])
        assert code == 2, err
        assert err.endswith(
            "Error: Invalid value for '--until': 2026-09-01 is not after --since 2026-10-01; "
            "accepted: a later --until\n"
        )
    # one with an offset and one without: the contract's timezone decides, then the engine
    code, _, err = run([*base, "--since", "2026-10-01T09:00:00+09:00", "--until", "2026-10-01"])
    assert code == 1
    assert err.endswith(
        "rulebook: argument until: 2026-10-01 is not after since 2026-10-01T09:00:00+09:00; "
        "accepted: a later until\n"
    )
    Path("rulebook.toml").write_text('contract = "cybermail"\n[import]\nsince = "x"\n', "utf-8")
    code, _, err = run(["report", str(log)])
    assert code != 0 and "import.since: 'x' is not a date or a timestamp" in err
    Path("rulebook.toml").write_text(
        'contract = "cybermail"\n[import.impact]\n"SERVICE_DISRUPTION" = "down"\n', "utf-8"
    )
    code, _, err = run(["report", str(log)])  # the meanings in words, not a Python tuple
    assert code != 0
    assert (
        "rulebook.toml:3: import.impact.SERVICE_DISRUPTION: 'down' is not outage, degradation "
        "or none; accepted: [import.impact] of the source's impact words"
    ) in err


def test_the_library_takes_the_span_and_both_evaluators_agree() -> None:
    import rulebook

    contract = rulebook.load_contract("cybermail")
    outages = [
        {"id": "a", "service": "CYBERMAIL Σ", "start": "2026-09-09T03:00:00",
         "end": "2026-09-09T04:20:00", "cause": "attack"},
        {"id": "b", "service": "CYBERMAIL Σ", "start": "2026-09-30T23:50:00",
         "end": "2026-10-01T00:30:00"},
    ]  # fmt: skip
    for span in ({}, {"since": "2026-08-01"}, {"until": "2026-11-01"}):
        records = rulebook.adjudicate(contract, outages, **span).to_dict(reasons=False)
        frame = rulebook.adjudicate_frame(contract, outages, **span).to_dict()
        assert records == frame
    assert [p["period"] for p in records["periods"]] == ["2026-09", "2026-10"]
    assert "no_data" not in records["periods"][1]  # covered until November
    with pytest.raises(rulebook.RecordError, match="not a timestamp"):
        rulebook.adjudicate(contract, outages, since="soon")
