"""Every input can be mapped, and a file that cannot be what it was given as is refused
with what it looks like instead (rulebook/intake/kinds.py; docs/formats.md, "What a file
looks like"): one test per input kind, on both engines, exit 1 and never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import run_cli as run

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
LOG = str(EXAMPLES / "cybermail-2026-09.csv")
NOTICES = str(EXAMPLES / "cybermail-2026-09-notices.csv")
BILLING = str(EXAMPLES / "cybermail-billing.jsonl")
ENGINES = ["columnar", "records"]


def _report(*args: str, engine: str = "columnar") -> tuple[int, str, str]:
    return run(["report", "cybermail", *args, "--format", "json", "--engine", engine])


def _september(out: str) -> str:
    periods = json.loads(out)["periods"]
    return next(
        p["availability"]
        for p in periods
        if p["service"] == "CYBERMAIL Σ" and p["period"] == "2026-09"
    )


# ------------------------------------------------------------------ outages


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("rows", [1, 2, 0])
def test_an_outage_log_with_no_recognisable_column_is_refused(
    tmp_path: Path, engine: str, rows: int
) -> None:
    """Two rows crashed the plan with a polars ShapeError; one row gave 'records read 0'."""
    log = tmp_path / "export.csv"
    log.write_text("foo,bar\n" + "1,2\n" * rows, encoding="utf-8")
    code, out, err = _report(str(log), "--no-config", engine=engine)
    assert code == 1 and out == ""
    assert "Traceback" not in err
    assert (
        f"{log}: given as an outage log (OUTAGES), but no column is a field of an outage log "
        "(columns: foo, bar); accepted: id, service, start, end and the facts of the "
        "contract's vocabulary; map the file's own names in rulebook.toml [columns]"
    ) in err


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(
    ("given", "looks", "flag"),
    [(NOTICES, "maintenance notices", "--notices"), (BILLING, "billing entries", "--billing")],
)
def test_another_kind_given_as_the_outage_log_is_refused(
    engine: str, given: str, looks: str, flag: str
) -> None:
    code, _, err = _report(given, "--no-config", engine=engine)
    assert code == 1 and "Traceback" not in err
    assert f"given as an outage log (OUTAGES), but this looks like {looks}" in err
    assert f"give it as {flag}" in err


def test_an_outage_log_whose_columns_are_mapped_is_read(tmp_path: Path) -> None:
    """The same export with columns the project file maps is no longer refused."""
    text = Path(LOG).read_text(encoding="utf-8")
    log = tmp_path / "log.csv"
    log.write_text(text.replace("id,service,start,end", "番号,サービス,開始,終了", 1), "utf-8")
    config = tmp_path / "rulebook.toml"
    config.write_text(
        '[columns]\n"番号" = "id"\n"サービス" = "service"\n"開始" = "start"\n"終了" = "end"\n',
        encoding="utf-8",
    )
    code, out, err = _report(str(log), "--notices", NOTICES, "--config", str(config))
    assert code == 0, err
    assert _september(out) == "99.8113"


# ------------------------------------------------------------------ notices


@pytest.mark.parametrize("engine", ENGINES)
def test_the_outage_log_given_as_notices_is_refused(engine: str) -> None:
    """It exited 0 with a warning, and the maintenance exclusions were gone (99.6377 %
    instead of 99.8113 %)."""
    code, out, _ = _report(LOG, "--notices", NOTICES, "--no-config", engine=engine)
    assert code == 0 and _september(out) == "99.8113"
    code, out, err = _report(LOG, "--notices", LOG, "--no-config", engine=engine)
    assert code == 1 and out == "" and "Traceback" not in err
    assert (
        f"rulebook: {LOG}: given as maintenance notices (--notices), but this looks like an "
        "outage log: its column(s) cause, detected_by, protocol, features, location, caused_by "
        "are fields of an outage log, and none is a field of maintenance notices alone "
        "(announced_at); give it as OUTAGES, or map its columns in rulebook.toml "
        "[notices.columns]"
    ) in err


@pytest.mark.parametrize("engine", ENGINES)
def test_a_notices_file_without_a_window_is_refused(tmp_path: Path, engine: str) -> None:
    notices = tmp_path / "notices.csv"
    notices.write_text(
        "id,service,announced_at,channel\nmn-01,*,2026-09-01T10:00:00,email\n", "utf-8"
    )
    code, _, err = _report(LOG, "--notices", str(notices), "--no-config", engine=engine)
    assert code == 1 and "Traceback" not in err
    assert (
        "given as maintenance notices (--notices), but no column is read as start, end: a "
        "notice is a window, from start to end; accepted: id, service, start, end, "
        "announced_at, channel, emergency; map the file's own names in rulebook.toml "
        "[notices.columns]"
    ) in err


JA_NOTICES = """作業番号,対象,作業開始,作業終了,告知日時,告知方法,緊急,備考
mn-01,*,2026-09-15T02:00:00,2026-09-15T04:00:00,2026-09-01T10:00:00,メール,いいえ,定期
"""
JA_NOTICES_MAP = """[notices.columns]
"作業番号" = "id"
"対象" = "service"
"作業開始" = "start"
"作業終了" = "end"
"告知日時" = "announced_at"
"告知方法" = "channel"
"緊急" = "emergency"
"備考" = false

[notices.values.channel]
"メール" = "email"

[notices.values.emergency]
"いいえ" = "false"
"はい" = "true"
"""


@pytest.mark.parametrize("engine", ENGINES)
def test_a_notices_file_with_japanese_headers_is_mapped(tmp_path: Path, engine: str) -> None:
    """Without the map it is refused (no window); with it, the figures of the English
    notices file."""
    original = Path(NOTICES).read_text(encoding="utf-8").splitlines()
    assert original[1].startswith("mn-01,*,2026-09-15T02:00:00,2026-09-15T04:00:00")
    notices = tmp_path / "告知.csv"
    notices.write_text(JA_NOTICES, encoding="utf-8")
    code, _, err = _report(LOG, "--notices", str(notices), "--no-config", engine=engine)
    assert code == 1 and "no column is a field of maintenance notices" in err
    config = tmp_path / "rulebook.toml"
    config.write_text(JA_NOTICES_MAP, encoding="utf-8")
    args = (LOG, "--notices", str(notices), "--config", str(config))
    code, out, err = _report(*args, engine=engine)
    assert code == 0, err
    assert "備考" not in err and "warning: " + str(notices) not in err  # false: no warning
    assert _september(out) == "99.8113"


def test_a_notices_map_is_checked_at_its_lines(tmp_path: Path) -> None:
    config = tmp_path / "rulebook.toml"
    config.write_text(
        '[notices.columns]\n"作業開始" = "strat"\n\n[notices.values.channel]\n"メール" = "mail"\n',
        encoding="utf-8",
    )
    code, _, err = _report(LOG, "--config", str(config))
    assert code == 1
    assert (
        f"{config}:2: notices.columns.\"作業開始\": 'strat' is not a field of maintenance "
        "notices; accepted: id, service, start, end, announced_at, channel, emergency "
        "(did you mean 'start'?)"
    ) in err
    assert f"{config}:5: notices.values.channel.\"メール\": 'mail' is not a channel code" in err
    config.write_text('[notices.maps]\n"a" = "b"\n', encoding="utf-8")
    code, _, err = _report(LOG, "--config", str(config))
    assert code == 1
    assert (
        f"{config}:1: notices.maps: is not a map of the notices files; accepted: columns and values"
    ) in err


# ------------------------------------------------------------------ billing


@pytest.mark.parametrize("engine", ENGINES)
def test_the_outage_log_given_as_billing_is_refused(engine: str) -> None:
    code, _, err = _report(LOG, "--billing", LOG, "--no-config", engine=engine)
    assert code == 1 and "Traceback" not in err
    assert (
        "given as billing entries (--billing), but this looks like an outage log: its "
        "column(s) start, end, cause"
    ) in err or "given as billing entries (--billing), but this looks like an outage log" in err


def test_a_billing_file_with_japanese_headers_is_mapped(tmp_path: Path) -> None:
    billing = tmp_path / "請求.csv"
    billing.write_text(
        "サービス,月額,通貨,契約形態\nCYBERMAIL Σ,120000,円,月額\nMAILGATES Σ,80000,円,月額\n",
        encoding="utf-8",
    )
    config = tmp_path / "rulebook.toml"
    config.write_text(
        '[billing.columns]\n"サービス" = "service"\n"月額" = "monthly_fee"\n'
        '"通貨" = "currency"\n"契約形態" = "term"\n\n[billing.values.currency]\n"円" = "JPY"\n\n'
        '[billing.values.term]\n"月額" = "monthly"\n"年額" = "annual"\n',
        encoding="utf-8",
    )
    base = ("--notices", NOTICES)
    code, plain, err = _report(LOG, *base, "--billing", BILLING, "--no-config")
    assert code == 0, err
    code, out, err = _report(LOG, *base, "--billing", str(billing), "--config", str(config))
    assert code == 0, err
    assert json.loads(out)["periods"] == json.loads(plain)["periods"]
    assert any(p["remedy"] for p in json.loads(out)["periods"])
    code, _, err = _report(LOG, *base, "--billing", str(billing), "--no-config")
    assert code == 1 and "given as billing entries (--billing), but no column" in err


# ------------------------------------------------------------------ events


@pytest.mark.parametrize("engine", ENGINES)
def test_notices_given_as_events_are_refused(engine: str) -> None:
    code, _, err = _report(LOG, "--events", NOTICES, "--no-config", engine=engine)
    assert code == 1 and "Traceback" not in err
    assert (
        "given as a timeline of events (--events), but this looks like maintenance notices: "
        "its column(s) announced_at are fields of maintenance notices"
    ) in err


def test_an_events_file_with_japanese_headers_and_words_is_mapped(tmp_path: Path) -> None:
    events = tmp_path / "経過.csv"
    events.write_text("障害,経過,日時\ncm-01,検知,2026-09-02T09:15:00\n", encoding="utf-8")
    english = tmp_path / "events.csv"
    english.write_text("record,event,at\ncm-01,detected_at,2026-09-02T09:15:00\n", "utf-8")
    config = tmp_path / "rulebook.toml"
    config.write_text(
        '[events.columns]\n"障害" = "record"\n"経過" = "event"\n"日時" = "at"\n\n'
        '[events.values.event]\n"検知" = "detected_at"\n',
        encoding="utf-8",
    )
    code, plain, err = _report(LOG, "--events", str(english), "--no-config")
    assert code == 0, err
    code, out, err = _report(LOG, "--events", str(events), "--config", str(config))
    assert code == 0, err
    mapped, unmapped = json.loads(out), json.loads(plain)
    assert mapped["project_file"]["path"] == str(config) and unmapped["project_file"] is None
    assert {**mapped, "project_file": None} == unmapped
    code, _, err = _report(LOG, "--events", str(events), "--no-config")
    assert code == 1 and "given as a timeline of events (--events), but no column" in err
    config.write_text('[events.values.event]\n"検知" = "detected"\n', encoding="utf-8")
    code, _, err = _report(LOG, "--events", str(english), "--config", str(config))
    assert code == 1 and "'detected' is not an event" in err
