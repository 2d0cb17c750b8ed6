"""One interface: the library takes the inputs the command line takes and says what it
says (docs/api.md, "The same inputs as the command line")."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

import rulebook
from tests.helpers import run_cli as run

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
LOG = str(EXAMPLES / "cybermail-2026-09.csv")
NOTICES = str(EXAMPLES / "cybermail-2026-09-notices.csv")
BILLING = str(EXAMPLES / "cybermail-billing.jsonl")


def _stderr_lines(err: str) -> list[str]:
    """The CLI's warnings as the library lists them (one warning may span lines)."""
    out: list[str] = []
    for line in err.splitlines():
        if line.startswith("rulebook: "):
            out.append(line.removeprefix("rulebook: "))
        elif out:
            out[-1] += "\n" + line
    return out


@pytest.fixture
def noted(tmp_path: Path) -> Path:
    """The example log with a column that is no field."""
    lines = Path(LOG).read_text(encoding="utf-8").splitlines()
    path = tmp_path / "noted.csv"
    path.write_text(
        "\n".join([lines[0] + ",note", *(line + ",x" for line in lines[1:])]) + "\n", "utf-8"
    )
    return path


@pytest.mark.parametrize("engine", ["columnar", "records"])
def test_the_library_gives_the_command_lines_warnings(noted: Path, engine: str) -> None:
    code, out, err = run(
        ["report", "cybermail", str(noted), "--notices", NOTICES, "--format", "json",
         "--engine", engine, "--no-config"]
    )  # fmt: skip
    assert code == 0
    adjudicate = rulebook.adjudicate_frame if engine == "columnar" else rulebook.adjudicate
    result = adjudicate("cybermail", str(noted), notices=NOTICES)
    assert result.warnings == _stderr_lines(err)
    assert len(result.warnings) == 2 and "are ignored: note" in result.warnings[0]
    document = json.loads(out)
    assert result.to_dict()["periods"] == document["periods"]


def test_adjudicate_frame_warns_where_it_raised_on_an_extra_column() -> None:
    frame = pl.read_csv(LOG, infer_schema=False).with_columns(note=pl.lit("x"))
    result = rulebook.adjudicate_frame("cybermail", frame)
    assert result.warnings[0].startswith(
        "warning: <frame>: 1 column(s) that are no field of outage records are ignored: note;"
    )
    plain = rulebook.adjudicate_frame("cybermail", LOG)
    assert result.to_rows() == plain.to_rows()
    with pytest.raises(rulebook.RecordError, match="note"):
        rulebook.adjudicate_frame("cybermail", frame, strict=True)


@pytest.mark.parametrize("contract", ["cybermail", str(ROOT / "contracts" / "cybermail.sla")])
def test_a_bundled_id_or_a_path_is_a_contract(contract: str) -> None:
    loaded = rulebook.load_contract("cybermail")
    by_object = rulebook.adjudicate(loaded, LOG, notices=NOTICES).to_json()
    assert rulebook.adjudicate(contract, LOG, notices=NOTICES).to_json() == by_object
    framed = rulebook.adjudicate_frame(contract, LOG, notices=NOTICES)
    assert framed.to_json() == rulebook.adjudicate_frame(loaded, LOG, notices=NOTICES).to_json()


def test_remedies_are_a_struct_column() -> None:
    result = rulebook.adjudicate_frame("cybermail", LOG, notices=NOTICES, billing=BILLING)
    remedy = result.periods.schema["remedy"]
    assert isinstance(remedy, pl.Struct)
    rows = result.periods.select(
        "service", "period", pl.col("remedy").struct.field("kind"), "remedy"
    ).rows(named=True)
    document = {(p["service"], p["period"]): p["remedy"] for p in result.to_dict()["periods"]}
    for row in rows:
        owed = document[(row["service"], row["period"])]
        assert row["kind"] == (owed["kind"] if owed else None)
        if owed:  # every field of the document's remedy, structured
            assert {k: v for k, v in row["remedy"].items() if v is not None} == {
                k: v for k, v in owed.items() if v is not None
            }
    assert [r["kind"] for r in rows] == ["free_months", None, "free_months"]


def test_a_project_file_maps_the_librarys_inputs(tmp_path: Path) -> None:
    """The same project file as the command line's, given by path."""
    text = Path(LOG).read_text(encoding="utf-8")
    log = tmp_path / "log.csv"
    log.write_text(text.replace("id,service,start", "番号,サービス,開始", 1), "utf-8")
    config = tmp_path / "rulebook.toml"
    config.write_text(
        '[columns]\n"番号" = "id"\n"サービス" = "service"\n"開始" = "start"\n\n'
        '[[services]]\nlog = "個別対応サービス"\nto = "CYBERMAIL Σ"\n',
        encoding="utf-8",
    )
    for adjudicate in (rulebook.adjudicate, rulebook.adjudicate_frame):
        result = adjudicate("cybermail", str(log), notices=NOTICES, project=str(config))
        assert result.warnings == []  # the out-of-scope service is mapped
        code, out, err = run(
            ["report", "cybermail", str(log), "--notices", NOTICES, "--format", "json",
             "--config", str(config)]
        )  # fmt: skip
        assert code == 0 and err.startswith("rulebook: project file ")
        document = json.loads(out)
        assert result.to_dict()["periods"] == document["periods"]
        assert result.to_dict()["project_file"] == document["project_file"]


def test_a_wrong_file_raises_as_the_command_line_exits_1() -> None:
    for adjudicate in (rulebook.adjudicate, rulebook.adjudicate_frame):
        with pytest.raises(rulebook.RulebookError, match="this looks like an outage log"):
            adjudicate("cybermail", LOG, notices=LOG)


def test_keep_going_lists_the_records_refused(tmp_path: Path) -> None:
    lines = Path(LOG).read_text(encoding="utf-8").splitlines()
    bad = lines[1].replace("provider_fault", "gremlins")
    log = tmp_path / "log.csv"
    log.write_text("\n".join([*lines, bad.replace("cm-01", "cm-bad")]) + "\n", "utf-8")
    for adjudicate in (rulebook.adjudicate, rulebook.adjudicate_frame):
        with pytest.raises(rulebook.RecordError):
            adjudicate("cybermail", str(log))
        result = adjudicate("cybermail", str(log), keep_going=True)
        refused = [w for w in result.warnings if "cm-bad" in w]
        assert len(refused) == 1 and "'gremlins' is not a cause code" in refused[0]


def test_a_project_files_timezone_reads_the_librarys_mappings(tmp_path: Path) -> None:
    config = tmp_path / "rulebook.toml"
    config.write_text('timezone = "UTC"\n', encoding="utf-8")
    record = {"id": "a", "service": "CYBERMAIL Σ", "start": "2026-09-30T14:50:00",
              "end": "2026-09-30T15:20:00", "cause": "provider_fault"}  # fmt: skip
    for adjudicate in (rulebook.adjudicate, rulebook.adjudicate_frame):
        row = adjudicate("cybermail", [record], project=str(config)).to_rows()[0]
        # 14:50-15:20 UTC is 23:50-00:20 in Tokyo
        assert (row["start"], row["end"]) == (
            "2026-09-30T23:50:00+09:00",
            "2026-10-01T00:20:00+09:00",
        )
    validated = rulebook.adjudicate("cybermail", [record]).to_rows()[0]
    assert validated["start"] == "2026-09-30T14:50:00+09:00"  # without it: the contract's
