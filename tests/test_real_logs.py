"""Logs as real exports write them (issue 25): no id column, regions in free text, value
maps with globs and a default, numeric codes — read alike by both intake routes, and the
multi-provider archive read with only its project file."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

import rulebook
from rulebook.io.regions import region_country
from rulebook.project import NONE, parse
from tests.helpers import run_cli as run
from tests.test_mapping import routes, rows, same

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
ARCHIVE = FIXTURES / "incident-archive.parquet"
GCP_STYLE = rulebook.load_contract(FIXTURES / "gcp-style.sla")


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# ------------------------------------------------------------------ ids


def test_a_log_without_ids_gets_each_records_place_as_its_id(tmp_path: Path) -> None:
    log = write(
        tmp_path,
        "noid.csv",
        "service,start,end,cause\n"
        "CYBERMAIL Σ,2026-09-09T03:00:00,2026-09-09T04:20:00,attack\n"
        ",,,\n"  # a blank row is no record, and takes no id
        "CYBERMAIL Σ,2026-09-10T03:00:00,2026-09-10T03:20:00,\n",
    )
    pairs = routes(log)
    intake = same(pairs)
    assert [r["id"] for r in rows(intake)] == ["noid.csv:2", "noid.csv:4"]
    assert any("no id column: each record's id is its place" in w for w in pairs[0][1])
    # the same file elsewhere gives the same ids: the name, not the path
    again = same(routes(write(tmp_path / "..", "noid.csv", log.read_text("utf-8"))))
    assert [r["id"] for r in rows(again)] == ["noid.csv:2", "noid.csv:4"]


def test_a_parquet_log_without_ids_is_numbered_by_record(tmp_path: Path) -> None:
    path = tmp_path / "log.parquet"
    pl.DataFrame(
        {
            "service": ["CYBERMAIL Σ", None, "CYBERMAIL Σ"],
            "start": ["2026-09-09T03:00:00", None, "2026-09-10T03:00:00"],
            "end": ["2026-09-09T04:20:00", None, "2026-09-10T03:20:00"],
        }
    ).write_parquet(path)
    code, out, err = run(["adjudicate", "cybermail", str(path), "--format", "json", "--no-config"])
    assert code == 0, err
    ids = [o["id"] for o in json.loads(out)["outages"]]
    assert ids == ["log.parquet:outages[0]", "log.parquet:outages[2]"]


# ------------------------------------------------------------------ regions


@pytest.mark.parametrize(
    ("text", "country"),
    [
        ("Tokyo", "JP"),
        ("N. Virginia", "US"),
        ("Japan East", "JP"),
        ("japaneast", "JP"),
        ("ap-northeast-1", "JP"),
        ("Asia Pacific (Osaka)", "JP"),
        ("US East (N. Virginia)", "US"),
        ("Tokyo (asia-northeast1)", "JP"),
        ("West Europe", "NL"),
        ("global", None),  # several countries
        ("Multiple regions in Europe", None),
    ],
)
def test_the_shipped_region_tables(text: str, country: str | None) -> None:
    assert region_country(text) == country


LOCATIONS = (
    "id,service,start,end,location\n"
    "a,CYBERMAIL Σ,2026-09-01T10:00:00,2026-09-01T11:00:00,Tokyo\n"
    "b,CYBERMAIL Σ,2026-09-02T10:00:00,2026-09-02T11:00:00,N. Virginia\n"
    "c,CYBERMAIL Σ,2026-09-03T10:00:00,2026-09-03T11:00:00,Japan East\n"
    "d,CYBERMAIL Σ,2026-09-04T10:00:00,2026-09-04T11:00:00,global\n"
    "e,CYBERMAIL Σ,2026-09-05T10:00:00,2026-09-05T11:00:00,Some customers in Asia\n"
    "f,CYBERMAIL Σ,2026-09-06T10:00:00,2026-09-06T11:00:00,JP\n"
    "g,CYBERMAIL Σ,2026-09-07T10:00:00,2026-09-07T11:00:00,Osaka Office\n"
)


def test_a_location_that_is_no_country_is_unknown_not_refused(tmp_path: Path) -> None:
    log = write(tmp_path, "log.csv", LOCATIONS)
    pairs = routes(log)
    intake = same(pairs)
    found = {r["id"]: r["location"] for r in rows(intake)}
    assert found == {
        "a": "JP", "b": "US", "c": "JP", "d": None, "e": None, "f": "JP", "g": None
    }  # fmt: skip
    warning = [w for w in pairs[0][1] if "no country and no cloud region" in w]
    assert len(warning) == 1 and "2 record(s)" in warning[0]  # not `global`: it is known
    assert "'Some customers in Asia' (1)" in warning[0]
    # --strict refuses it, naming the record and the field, on both routes alike
    strict = routes(log, strict=True)
    refused = [str(e) for e in same(strict).errors]  # --keep-going: each refused, both routes
    assert [e.split(", field")[0][-8:] for e in refused] == ["record d", "record e", "record g"]
    assert all("field 'location'" in e for e in refused)


def test_value_maps_take_globs_and_a_default(tmp_path: Path) -> None:
    log = write(tmp_path, "log.csv", LOCATIONS)
    project = parse(
        "[values.location]\n"
        '"Osaka Office" = "JP"\n'  # a word as written first
        '"*Asia*" = "SG"\n'  # then a glob (after the region tables)
        '"*" = "unknown"\n'  # the default: no warning
    )
    pairs = routes(log, project)
    found = {r["id"]: r["location"] for r in rows(same(pairs))}
    assert found == {
        "a": "JP", "b": "US", "c": "JP", "d": None, "e": "SG", "f": "JP", "g": "JP"
    }  # fmt: skip
    assert not any("no country" in w for w in pairs[0][1])
    assert routes(log, NONE)[0][1] != pairs[0][1]


def test_a_region_column_is_kept_and_read_as_the_location(tmp_path: Path) -> None:
    log = write(tmp_path, "log.csv", LOCATIONS.replace(",location\n", ",region\n", 1))
    intake = same(routes(log))
    found = {r["id"]: (r["region"], r["location"]) for r in rows(intake)}
    assert found["b"] == ("N. Virginia", "US") and found["e"] == ("Some customers in Asia", None)


# ------------------------------------------------------------------ the archive


def test_the_archive_is_read_with_only_its_project_file(monkeypatch: pytest.MonkeyPatch) -> None:
    """No ids, naive UTC, numeric severity, free-text regions, two rows that end before
    they start: every record adjudicated or refused at its row, a report out."""
    monkeypatch.chdir(FIXTURES)
    args = ["--config", "incident-archive.toml", "--keep-going"]
    code, out, err = run(["adjudicate", ARCHIVE.name, "--format", "json", *args])
    assert code == 1  # two rows refused: --keep-going adjudicates the rest and says so
    doc = json.loads(out)
    rows_ = pl.read_parquet(ARCHIVE).height
    assert doc["counts"]["read"] == rows_ == 26
    assert (doc["counts"]["adjudicated"], doc["counts"]["rejected"]) == (24, 2)
    refused = [line for line in err.splitlines() if "is not after start" in line]
    assert [line.split(": record ")[0] for line in refused] == [
        "rulebook: incident-archive.parquet: outages[22]",
        "rulebook: incident-archive.parquet: outages[23]",
    ]
    outages = {o["id"]: o for o in doc["outages"]}
    assert len(outages) == 24 and all(i.startswith("incident-archive.parquet:") for i in outages)
    # severity 1 counts; 2 and 3 are degradations, not downtime
    first = outages["incident-archive.parquet:outages[0]"]  # ap-northeast-1, severity 1
    assert first["verdict"] == "counted" and first["incident"]["impact"] == "outage"
    assert outages["incident-archive.parquet:outages[1]"]["verdict"] == "not_downtime"
    # N. Virginia is abroad (excluded); `global` and a sentence are unknown: counted
    assert outages["incident-archive.parquet:outages[2]"]["verdict"] == "excluded"
    assert outages["incident-archive.parquet:outages[14]"]["verdict"] == "counted"
    assert "'Customers in some regions may be impact" in err
    code, out, err = run(["report", ARCHIVE.name, *args])
    assert code == 1 and "\nGoogle Compute Engine     2026-09  99.2939" in out


def test_the_archive_reads_alike_on_both_routes() -> None:
    """The record route (item by item) and the column route keep the same records, refuse
    the same two rows and warn alike; the plan's document of either is the record
    engine's (tests/test_differential.py holds the engines equal on the command line)."""
    from rulebook.intake.frames import read_frame
    from rulebook.io.readers import Case, Item
    from rulebook.mapping.apply import take_in
    from rulebook.mapping.compile import compile_mapping
    from rulebook.project import load

    mapping = compile_mapping(load(FIXTURES / "incident-archive.toml"), GCP_STYLE)
    name = str(ARCHIVE)
    # the record route: the archive's rows as items, placed as the column route places them
    table = pl.read_parquet(ARCHIVE)
    items = [Item(f"{name}: outages[{i}]", r) for i, r in enumerate(table.to_dicts())]
    pairs = []
    for read, case in ((None, Case(outages=items)), (read_frame(name), Case())):
        warned: list[str] = []
        intake = take_in(mapping, GCP_STYLE, case, read, name, Case, True, warned.extend)
        pairs.append((intake, warned))
    intake = same(pairs)
    assert (intake.read, intake.rejected) == (26, 2)
    found = {r["id"]: (r["region"], r["location"], r["impact"]) for r in rows(intake)}
    assert found["incident-archive.parquet:outages[1]"] == ("Tokyo", "JP", "degradation")
    assert found["incident-archive.parquet:outages[3]"] == ("N. Virginia", "US", "degradation")
    assert found["incident-archive.parquet:outages[7]"] == ("Japan East", "JP", "outage")
    assert found["incident-archive.parquet:outages[9]"][1] is None  # "*Europe*" = "unknown"


# ------------------------------------------------------------------ the gallery


def test_the_aws_log_is_made_from_the_archive_as_committed(tmp_path: Path) -> None:
    """aws-health-2022-2023.csv is what the script makes of the raw archive, byte for byte;
    every event is a row, and the events whose updates give no span have no times."""
    import subprocess
    import sys

    made = subprocess.run(
        [sys.executable, str(FIXTURES / "aws_health_to_csv.py"),
         str(FIXTURES / "aws-health-archive-2022-2023.json")],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    committed = (FIXTURES / "aws-health-2022-2023.csv").read_bytes()
    assert made == committed
    archive = json.loads((FIXTURES / "aws-health-archive-2022-2023.json").read_text("utf-8"))
    log = pl.read_csv(FIXTURES / "aws-health-2022-2023.csv", infer_schema=False)
    assert log.height == len(archive["archive"]) == 69
    assert log.filter(pl.col("start").is_null()).height == 17


@pytest.mark.parametrize(
    ("log", "args", "read", "rejected"),
    [
        ("aws-health-2022-2023.csv", ["--config", "aws-health.toml", "--keep-going"], 69, 17),
        (
            "github-status-incidents-2023-08-09.json",
            ["--from", "statuspage", "--config", "github-status.toml"],
            53,
            0,
        ),
        (
            "gcp-status-incidents-trimmed.json",
            ["--from", "gcp-status", "--config", "gcp-aoulu.toml"],
            103,
            0,
        ),
    ],
)
def test_each_gallery_export_gives_a_report_with_every_record_accounted_for(
    log: str, args: list[str], read: int, rejected: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(FIXTURES)
    code, out, err = run(["adjudicate", log, *args, "--format", "json"])
    assert code == (1 if rejected else 0), err
    doc = json.loads(out)
    counts = doc["counts"]
    assert (counts["read"], counts["rejected"]) == (read, rejected)
    assert counts["adjudicated"] == len(doc["outages"]) == read - rejected
    assert doc["periods"] and all(p["period"] for p in doc["periods"])
    # every counted record names its incident (title, impact)
    counted = [o for o in doc["outages"] if o["counted_seconds"]]
    assert counted and all(o["incident"]["title"] and o["incident"]["impact"] for o in counted)
