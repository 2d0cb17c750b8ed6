"""``rulebook init`` guesses only from evidence (rulebook/evidence.py, rulebook/draft.py;
docs/formats.md, "rulebook init"): every guess in a draft says its evidence, a column, word
or service nothing speaks for is a question, and every draft loads — on the real GCP
export, a Japanese ticket export and a Parquet incident archive."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import rulebook
from rulebook.mapping.compile import compile_mapping
from rulebook.project import parse
from tests.helpers import run_cli as run

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
GCP = str(FIXTURES / "gcp-status-incidents-trimmed.json")
TICKETS = str(FIXTURES / "ja-tickets.csv")
ARCHIVE = str(FIXTURES / "incident-archive.parquet")
EXCEL = str(FIXTURES / "excel-cp932.csv")

#: A line that sets something: ``"column" = "field"``, ``to = [...]``, ``contract = ...``.
_SETTING = re.compile(r'^(?!#)("[^"]*"|[A-Za-z_]+)\s*=\s*(?!\[$)')


def _init(*args: str) -> str:
    code, out, err = run(["init", *args, "-o", "-"])
    assert code == 0, err
    return out


def _loads(text: str, tmp_path: Path, contracts: list[str] | None = None) -> None:
    """The draft is a valid project file, whose maps compile against the contracts."""
    project = parse(text, "rulebook.toml", tmp_path)
    for contract in contracts or [project.contract or "cybermail"]:
        compile_mapping(project, rulebook.load_contract(contract))


def _every_guess_says_its_evidence(text: str) -> list[str]:
    """Every line that sets a column, a value, a service or the contract says why: given,
    or guessed with its evidence; the questions are comments. The guesses, returned."""
    guesses = []
    table = ""
    for line in text.splitlines():
        if line.startswith("["):
            table = line
            continue
        if not _SETTING.match(line) or table.startswith("[billing"):
            continue
        if line.startswith("log = "):
            continue  # the log's own name, said on the `to` line below it
        said = "# given" in line or "# detected: " in line
        assert said or re.search(r"# guessed: \S.{8,}", line), line
        if "# guessed: " in line:
            guesses.append(line)
    return guesses


def test_the_gcp_export_drafts_questions_for_its_products(tmp_path: Path) -> None:
    """The importer's facts are read as they are; its regions are read by the tables; no
    product is mapped to a covered service by the spelling of its name (Cloud Run was
    'the nearest service' of aoulu-cloud)."""
    text = _init(GCP, "--from", "gcp-status", "--contract", "aoulu-cloud")
    guesses = _every_guess_says_its_evidence(text)
    assert guesses == [
        '"global" = "unknown"  # guessed: the tables know it as a region of several countries (4x)'
    ]
    assert "# read by the region tables, no line needed: us-central1 → US, asia-east1 → TW" in text
    assert '# log = "Cloud Run"  # ? 1 record(s); nothing says which service it is' in text
    assert "nearest service" not in text and "\n[[services]]" not in text
    _loads(text, tmp_path)
    without = _init(GCP, "--from", "gcp-status")
    assert '# contract = "..."  # ? no bundled contract covers a service name seen' in without
    _every_guess_says_its_evidence(without)
    _loads(without, tmp_path, list(rulebook.bundled_ids()))


def test_a_japanese_ticket_export_is_drafted_from_names_values_and_tables(
    tmp_path: Path,
) -> None:
    text = _init(TICKETS)
    guesses = _every_guess_says_its_evidence(text)
    assert 'contract = "cybermail"  # guessed: it covers 2 of the 4 service name(s) seen' in text
    for line in [
        '"チケットID" = "id"  # guessed: its name is チケットid, a synonym of id',
        '"件名" = "incident_title"  # guessed: its name is 件名, a synonym of incident_title',
        '"重大度" = "severity"  # guessed: its name is 重大度, the label of severity',
        '"ステータス" = "incident_status"  # guessed: its name is ステータス, a synonym of '
        "incident_status",
        '"影響" = "impact"  # guessed: its name is 影響, a synonym of impact',
        '"リージョン" = "region"  # guessed: its name is リージョン, the label of region',
        '"全面停止" = "outage"  # guessed: 全面停止 is outage in the importers\' impact tables (5x)',
        '"一部" = "degradation"  # guessed: 一部 is degradation in the importers\' impact tables '
        "(4x)",
        '"DDoS攻撃" = "attack"  # guessed: its label DDoS 攻撃等の妨害行為 holds it (1x)',
        'to = ["MAILGATES Σ"]  # guessed: MAILGATES Σ holds it, a service the contract covers',
        '"global" = "unknown"  # guessed: the tables know it as a region of several countries (1x)',
    ]:
        assert line in guesses, line
    # no evidence: questions, not guesses
    assert '# "担当者" = ""  # ? nothing says which field it is (values: 田中, 佐藤, 鈴木)' in text
    assert '# "当社設備障害" = ""  # ? 6x; nothing says which' in text
    assert '# "監視" = ""  # ? 7x; nothing says which: customer, monitoring, provider' in text
    assert '# timezone = "Asia/Tokyo"  # ? the times of 発生日時, 復旧日時 have no offset' in text
    assert (
        '# log = "Cybermail"  # ? 1 record(s); nothing says which service it is (several names '
        "hold it)\n# to = []  # one or more of: CYBERMAIL Σ, CYBERMAIL Σ ST"
    ) in text
    assert "# read by the region tables, no line needed: Tokyo → JP, ap-northeast-1 → JP" in text
    _loads(text, tmp_path)


def test_a_parquet_archive_is_drafted_with_its_questions(tmp_path: Path) -> None:
    """No ids, naive UTC times, free-text regions, a numeric severity."""
    text = _init(ARCHIVE)
    guesses = _every_guess_says_its_evidence(text)
    assert guesses == [
        '"started_at" = "start"  # guessed: its name is started_at, a synonym of start',
        '"resolved_at" = "end"  # guessed: its name is resolved_at, a synonym of end',
        '"title" = "incident_title"  # guessed: its name is title, a synonym of incident_title',
        '"url" = "incident_url"  # guessed: its name is url, a synonym of incident_url',
        '"global" = "unknown"  # guessed: the tables know it as a region of several countries (2x)',
    ]
    assert '# "provider" = ""  # ? nothing says which field it is (values: AWS, Azure, GCP)' in text
    assert (
        '# timezone = "UTC"  # ? the times of started_at, resolved_at have no offset: in which '
        "timezone were they written?"
    ) in text
    assert (
        '# "Multiple regions in Europe and the Americas" = ""  # ? 1x; no region table names '
        'it: a country (ISO 3166), or "unknown"'
    ) in text
    assert "# ? No column says the impact (outage or degradation): is it severity?" in text
    assert '# "1" = ""  # 16x: outage or degradation?' in text
    assert "Tokyo → JP" in text and "N. Virginia → US" in text and "Japan East → JP" in text
    _loads(text, tmp_path, list(rulebook.bundled_ids()))


def test_no_guess_from_the_spelling_of_unrelated_words(tmp_path: Path) -> None:
    """`status` holding severities was read as status_posted_at, `vendor` as end (it holds
    the letters e-n-d), `provider` as id, and `cloud-sql` mapped to AOULU 販売 as 'the
    nearest covered service'."""
    log = tmp_path / "log.csv"
    log.write_text(
        "id,service,start,end,status,vendor,provider\n"
        "a,cloud-sql,2026-09-01T10:00:00,2026-09-01T11:00:00,critical,acme,x\n"
        "b,cloud-sql,2026-09-02T10:00:00,2026-09-02T11:00:00,major,acme,x\n",
        encoding="utf-8",
    )
    text = _init(str(log), "--contract", "aoulu-cloud")
    _every_guess_says_its_evidence(text)
    assert (
        '"status" = "incident_status"  # guessed: its name is status, a synonym of '
        "incident_status (but its values (critical, major) are severity levels: if so, "
        '"severity")'
    ) in text
    assert '# "vendor" = ""  # ? nothing says which field it is' in text
    assert '# "provider" = ""  # ? nothing says which field it is' in text
    assert '# log = "cloud-sql"  # ? 2 record(s); nothing says which service it is' in text
    assert "status_posted_at" not in text and '"end"  #' not in text
    _loads(text, tmp_path)


def test_values_and_services_with_evidence(tmp_path: Path) -> None:
    """Two date-time columns no name speaks for, one never after the other: start and end;
    ISO codes: location; a service written in another case: that service."""
    log = tmp_path / "log.csv"
    log.write_text(
        "ref,svc,t1,t2,where\n"
        "r1,Cybermail σ,2026-09-01T10:00:00,2026-09-01T11:00:00,JP\n"
        "r2,MAILGATES Σ,2026-09-02T10:00:00,2026-09-02T10:30:00,US\n",
        encoding="utf-8",
    )
    text = _init(str(log))
    _every_guess_says_its_evidence(text)
    for line in [
        '"ref" = "id"  # guessed: its 2 values are all different, one word each',
        '"t1" = "start"  # guessed: its values are date-times, each at or before the one of t2',
        '"where" = "location"  # guessed: its values (JP, US) are ISO 3166 country codes',
        'to = ["CYBERMAIL Σ"]  # guessed: the same name as CYBERMAIL Σ but for case, width or '
        "spaces",
    ]:
        assert line in text, line
    assert '"svc" = "service"  # guessed: its name is svc, a synonym of service' in text
    _loads(text, tmp_path, list(rulebook.bundled_ids()))


@pytest.mark.parametrize(
    "args",
    [
        [],
        [str(ROOT / "examples" / "cybermail-2026-09.csv")],
        [str(ROOT / "examples" / "nexa-palette-2026-09.json")],
        [str(ROOT / "examples" / "cybermail-billing.jsonl")],
        [EXCEL],
        [TICKETS],
        [ARCHIVE],
    ],
)
def test_every_draft_loads_and_says_its_evidence(args: list[str], tmp_path: Path) -> None:
    text = _init(*args)
    _every_guess_says_its_evidence(text)
    _loads(text, tmp_path, list(rulebook.bundled_ids()))


def test_init_writes_the_file_and_counts_guesses_and_questions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = run(["init", EXCEL, "--contract", "cybermail"])
    assert code == 0
    text = (tmp_path / "rulebook.toml").read_text(encoding="utf-8")
    assert 'encoding = "cp932"  # detected' in text
    assert '"影響機能" = "features"  # guessed: 3 of its 3 values' in text
    guesses, questions = text.count("# guessed: "), text.count("# ? ")
    assert f"wrote rulebook.toml ({guesses} guess(es) to check, {questions} question(s))" in err
    code, _, err = run(["init", EXCEL])
    assert code == 1 and "rulebook.toml exists; give --force" in err
    (tmp_path / "conf").mkdir()
    for force in ([], ["--force"]):  # --force replaces a file, never a folder
        code, _, err = run(["init", EXCEL, "-o", "conf", *force])
        expected = (
            "rulebook: conf is a folder: -o names the file to write, such as conf/rulebook.toml\n"
        )
        assert (code, err) == (1, expected)
    assert list((tmp_path / "conf").iterdir()) == []


def test_init_says_an_encoding_was_given_not_detected(tmp_path: Path) -> None:
    log = tmp_path / "log.csv"
    log.write_bytes("id,service,start,end\na,サービス,2026-09-01T10:00:00,\n".encode("cp932"))
    code, out, _ = run(["init", str(log), "--encoding", "cp932", "-o", "-"])
    assert code == 0 and 'encoding = "cp932"  # given' in out
    code, out, _ = run(["init", str(log), "-o", "-"])
    assert code == 0 and 'encoding = "cp932"  # detected: ' in out


def _answer(text: str, answers: dict[str, str]) -> str:
    """A draft with its questions answered as a user would: the commented line of each
    key uncommented, with the value given."""
    lines = text.splitlines()
    for key, value in answers.items():
        at = next(i for i, line in enumerate(lines) if line.startswith(f"# {key} = "))
        lines[at] = f"{key} = {value}"
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("engine", ["columnar", "records"])
def test_the_answered_ticket_draft_reads_the_export(tmp_path: Path, engine: str) -> None:
    """The draft of the Japanese ticket export, its questions answered, reads every ticket:
    the same document from both engines; a partial outage (一部) is a degradation, not
    downtime; the portal no covered service is out of scope."""
    text = _answer(
        _init(TICKETS),
        {
            '"担当者"': "false",
            '"備考"': "false",
            '"当社設備障害"': '"provider_fault"',
            '"計画メンテナンス"': '"planned_maintenance"',
            '"外部DNS障害"': '"external_dns"',
            '"監視"': '"monitoring"',
            '"お客様申告"': '"customer"',
        },
    ).replace(
        '# [[services]]\n# log = "Cybermail"  # ?',
        '[[services]]\nlog = "Cybermail"\nto = ["CYBERMAIL Σ"]  # ?',
    )
    config = tmp_path / "rulebook.toml"
    config.write_text(text, encoding="utf-8")
    args = ["adjudicate", TICKETS, "--config", str(config), "--format", "json"]
    code, out, err = run([*args, "--engine", engine])
    assert code == 0, err
    document = json.loads(out)
    warned = [line for line in err.splitlines() if "warning: " in line]
    assert len(warned) == 1 and "are out of scope" in warned[0]  # nothing else left unread
    verdicts = {o["id"]: o["verdict"] for o in document["outages"]}
    assert len(verdicts) == 9
    assert verdicts["INC-2026-0908"] == "out_of_scope"  # 社内ポータル
    assert verdicts["INC-2026-0902"] == "not_downtime"  # 一部: a degradation
    other = "records" if engine == "columnar" else "columnar"
    code, again, _ = run([*args, "--engine", other])
    assert code == 0 and json.loads(again) == document


def test_the_ticket_export_reads_alike_on_both_intake_routes() -> None:
    """The column route and the record route keep the same records by the answered draft
    (tests/fixtures/ja-tickets.toml), with the same warnings."""
    from rulebook.project import load
    from tests.test_mapping import routes, same

    project = load(FIXTURES / "ja-tickets.toml")
    intake = same(routes(Path(TICKETS), project))
    assert intake.read == 9 and not intake.errors
    text = (FIXTURES / "ja-tickets.toml").read_text(encoding="utf-8")
    drafted = _init(TICKETS)
    for line in text.splitlines():  # every guess of the fixture is the draft's
        if " = " in line and "answered" not in line and not line.startswith(("#", "contract")):
            assert line.split("#")[0].strip() in drafted, line
