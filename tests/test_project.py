"""The project file (rulebook.toml): found, read, checked at its lines; every option
overrides it; `rulebook init` drafts one that loads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import rulebook
from rulebook.io.toml_lines import key_lines
from rulebook.mapping.compile import compile_mapping
from rulebook.project import NONE, ProjectError, discover, find, parse
from tests.helpers import run_cli as run

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = str(ROOT / "examples" / "cybermail-2026-09.csv")
NOTICES = str(ROOT / "examples" / "cybermail-2026-09-notices.csv")
FIXTURES = ROOT / "tests" / "fixtures"
CYBERMAIL = rulebook.load_contract("cybermail")


def problems(text: str) -> list[str]:
    with pytest.raises(ProjectError) as caught:
        parse(text, "rulebook.toml", ROOT)
    return str(caught.value).split("\n")


# ------------------------------------------------------------------ reading


def test_key_lines_follow_tables_arrays_and_multiline_values() -> None:
    text = "\n".join(
        [
            'contract = "cybermail"  # a = b',  # 1
            'note = """',  # 2
            "x = 1",  # 3: inside a string, no key
            '"""',  # 4
            "[columns]",  # 5
            '"開始 日時" = "start"',  # 6
            "a.b = 1",  # 7: a dotted key
            "[[services]]",  # 8
            'log = "x"',  # 9
            "to = [",  # 10
            '  "a",',  # 11
            "]",  # 12
            "when = { location = 'JP' }",  # 13
            "[[services]]",  # 14
            "log = 'y'",  # 15
        ]
    )
    lines = key_lines(text)
    assert lines[("contract",)] == 1
    assert ("x",) not in lines and ("note",) in lines
    assert lines[("columns", "開始 日時")] == 6
    assert lines[("columns", "a", "b")] == 7
    assert lines[("services", 0)] == 8 and lines[("services", 0, "to")] == 10
    assert lines[("services", 0, "when")] == 13
    assert lines[("services", 1, "log")] == 15


def test_every_problem_is_named_at_its_line_with_what_is_accepted() -> None:
    found = problems(
        "\n".join(
            [
                'lang = "jp"',
                'contarct = "cybermail"',
                'timezone = "Asia/Tokio"',
                'encoding = "klingon"',
                "[columns]",
                "x = 3",
                "[[services]]",
                'log = "a"',
                'too = "b"',
            ]
        )
    )
    assert found == [
        "rulebook.toml:2: contarct: is not a setting of rulebook.toml; accepted: contract, "
        "lang, timezone, encoding, columns, values, services, billing, import, notices, events "
        "(did you mean 'contract'?)",
        "rulebook.toml:1: lang: 'jp' is not one of them; accepted: en, ja",
        "rulebook.toml:3: timezone: 'Asia/Tokio' is not a timezone; accepted: an IANA "
        "timezone, e.g. Asia/Tokyo, UTC (did you mean 'Asia/Tokyo'?)",
        "rulebook.toml:4: encoding: 'klingon' is not a text encoding; accepted: utf-8, "
        "utf-8-sig, cp932 or shift_jis, euc-jp, or any encoding Python reads",
        "rulebook.toml:6: columns.x: 3 is not a field name; accepted: a field name, or false "
        'to ignore the column ("column" = "field")',
        "rulebook.toml:9: services[1].too: is not a key of a service rule; accepted: log, to, "
        "when (did you mean 'to'?)",
        "rulebook.toml:7: services[1].to: is missing; accepted: the contract's service name, "
        "or a list of them",
    ]


def test_a_toml_syntax_error_names_line_and_column() -> None:
    assert problems('lang = "ja"\ncontract = \n') == [
        "rulebook.toml:2:12: not valid TOML: Invalid value"
    ]


def test_what_only_the_vocabulary_knows_is_checked_at_its_line() -> None:
    project = parse(
        "\n".join(
            [
                "[columns]",
                '"開始" = "strat"',
                '"終了" = "end"',
                '"復旧" = "end"',
                "[values.cause]",
                '"停電" = "power_suply"',
                "[values.duration]",
                '"x" = "1"',
                "[[services]]",
                'log = "a"',
                'to = "CYBERMAIL Σ"',
                'when = { zone = "asia-*" }',
            ]
        )
    )
    with pytest.raises(ProjectError) as caught:
        compile_mapping(project, CYBERMAIL)
    lines = str(caught.value).split("\n")
    assert lines[0].startswith(
        "rulebook.toml:2: columns.\"開始\": 'strat' is not a field of outage records; accepted: "
        "id, service, start"
    )
    assert lines[0].endswith("(did you mean 'start'?)")
    assert lines[1] == (
        "rulebook.toml:4: columns.\"復旧\": 'end' is already read from column '終了'; accepted: "
        "one column a field"
    )
    assert lines[2].startswith(
        "rulebook.toml:6: values.cause.\"停電\": 'power_suply' is not a cause code; accepted: "
    )
    assert lines[2].endswith("(did you mean 'power_supply'?)")
    assert lines[3].startswith(
        "rulebook.toml:7: values.duration: 'duration' is not a fact whose values can be mapped"
    )
    assert lines[4].startswith(
        "rulebook.toml:12: services[1].when.zone: is not a field a service rule can test; "
        "accepted: id, cause, location"
    )


def test_a_contract_is_a_bundled_id_or_a_contract_file_beside_the_project(
    tmp_path: Path,
) -> None:
    (tmp_path / "mine.sla").write_text(
        (ROOT / "contracts" / "cybermail.sla").read_text(encoding="utf-8"), encoding="utf-8"
    )
    (tmp_path / "secret.txt").write_text("secret", encoding="utf-8")
    assert parse('contract = "mine.sla"', folder=tmp_path).contract == str(tmp_path / "mine.sla")
    assert parse('contract = "cybermail"', folder=tmp_path).contract == "cybermail"
    with pytest.raises(ProjectError, match=r"no bundled contract or contract file 'secret\.txt'"):
        parse('contract = "secret.txt"', folder=tmp_path)
    with pytest.raises(ProjectError, match=r"\(did you mean 'cybermail'\?\)"):
        parse('contract = "cybermial"', folder=tmp_path)
    inner = tmp_path / "inner"
    inner.mkdir()
    (inner / "link.sla").symlink_to(tmp_path / "mine.sla")
    for outside in ("../mine.sla", str(tmp_path / "mine.sla"), "link.sla"):
        with pytest.raises(ProjectError, match="in the project file's folder or below"):
            parse(f'contract = "{outside}"', folder=inner)


def test_a_nul_in_a_contract_path_or_an_encoding_is_a_problem_not_a_crash(
    tmp_path: Path,
) -> None:
    assert problems('contract = "mine\\u0000.sla"\nencoding = "utf\\u0000"') == [
        "rulebook.toml:1: contract: no bundled contract or contract file 'mine\x00.sla'; "
        "accepted: a bundled contract (aoulu-cloud, click-soko, cybermail, nexa-palette, "
        "skyarch-sms) or a .sla file in the project file's folder or below",
        "rulebook.toml:2: encoding: 'utf\x00' is not a text encoding; accepted: utf-8, "
        "utf-8-sig, cp932 or shift_jis, euc-jp, or any encoding Python reads "
        "(did you mean 'utf-8'?)",
    ]
    code, _, err = run(["report", "cybermail", EXAMPLE, "--encoding", "\x00"])
    assert code == 2 and "is not a text encoding" in err


def test_the_file_is_found_here_or_in_the_nearest_parent(tmp_path: Path) -> None:
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    assert find(deep) is None or not str(find(deep)).startswith(str(tmp_path))
    (tmp_path / "rulebook.toml").write_text('lang = "ja"\n', encoding="utf-8")
    (tmp_path / "a" / "rulebook.toml").write_text('lang = "en"\n', encoding="utf-8")
    assert find(deep) == (tmp_path / "a" / "rulebook.toml").resolve()
    assert discover(None, False, deep).lang == "en"
    assert discover(str(tmp_path / "rulebook.toml"), False, deep).lang == "ja"
    assert discover(None, True, deep) is NONE
    with pytest.raises(ProjectError, match=r"nowhere\.toml: no such file"):
        discover(str(tmp_path / "nowhere.toml"), False, deep)


# ------------------------------------------------------------------ the command line


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder with a project file naming cybermail, in Japanese, and its billing."""
    (tmp_path / "rulebook.toml").write_text(
        'contract = "cybermail"\nlang = "ja"\n[billing."CYBERMAIL Σ"]\nmonthly_fee = 120000\n'
        'currency = "JPY"\n',
        encoding="utf-8",
    )
    inner = tmp_path / "logs"
    inner.mkdir()
    monkeypatch.chdir(inner)  # found in the parent
    return tmp_path


def test_every_command_reads_the_project_file(project: Path) -> None:
    code, out, _ = run(["report", EXAMPLE, "--notices", NOTICES])
    assert code == 0
    assert "稼働率" in out and "¥120,000" in out  # its language, its billing
    code, given, _ = run(
        ["report", "cybermail", EXAMPLE, "--notices", NOTICES, "--no-config", "--lang", "ja"]
    )
    assert "¥120,000" not in given  # --no-config: no billing
    code, out, _ = run(["explain", EXAMPLE, "cm-05"])
    assert code == 0 and "cm-05" in out
    code, out, _ = run(["explain", EXAMPLE, "--period", "CYBERMAIL Σ", "2026-09"])
    assert code == 0 and "2026-09" in out


def test_every_option_overrides_it(project: Path, tmp_path: Path) -> None:
    code, out, _ = run(["report", EXAMPLE, "--lang", "en", "--notices", NOTICES])
    assert code == 0 and "availability" in out and "¥120,000" in out
    billing = tmp_path / "billing.jsonl"
    billing.write_text(
        json.dumps({"service": "CYBERMAIL Σ", "monthly_fee": "50000", "currency": "JPY"}) + "\n",
        encoding="utf-8",
    )
    code, out, _ = run(["report", EXAMPLE, "--billing", str(billing), "--notices", NOTICES])
    assert "¥50,000" in out and "¥120,000" not in out  # --billing replaces the project's
    code, out, _ = run(["report", "aoulu-cloud", str(ROOT / "examples/aoulu-cloud-2026-09.csv")])
    assert code == 0 and "AOULU" in out  # CONTRACT given: the project's is not used


def test_a_bad_project_file_is_reported_like_a_bad_contract(project: Path) -> None:
    (project / "rulebook.toml").write_text(
        'contract = "cybermail"\nlang = "jp"\ncolumns = 3\n', encoding="utf-8"
    )
    code, out, err = run(["report", EXAMPLE])
    assert code == 1 and out == "" and "Traceback" not in err
    assert err.splitlines() == [
        "../rulebook.toml:2: lang: 'jp' is not one of them; accepted: en, ja",
        "../rulebook.toml:3: columns: 3 is not a table; accepted: a field name, or false to "
        'ignore the column ("column" = "field")',
        "rulebook: 2 problem(s) in the project file; see above",
    ]


def test_without_a_contract_anywhere_the_usage_says_how_to_give_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = run(["report", EXAMPLE, "--no-config"])
    assert (
        code == 2 and "give CONTRACT (a bundled id or a path), or name it in rulebook.toml" in err
    )
    code, _, err = run(["explain", "cybermail", EXAMPLE, "--no-config"])
    assert code == 2 and "give a RECORD_ID or --period SERVICE YYYY-MM" in err


def test_naive_times_in_the_projects_timezone(tmp_path: Path) -> None:
    """A log written in UTC without offsets, a contract in Tokyo: the project says so."""
    log = tmp_path / "utc.csv"
    log.write_text(
        "id,service,start,end,cause\nu1,CYBERMAIL Σ,2026-09-30 14:50,2026-09-30 15:20,"
        "provider_fault\n",
        encoding="utf-8",
    )
    config = tmp_path / "p.toml"
    config.write_text('timezone = "UTC"\n', encoding="utf-8")
    for engine in ("columnar", "records"):
        code, out, _ = run(
            [
                "adjudicate",
                "cybermail",
                str(log),
                "--config",
                str(config),
                "--format",
                "json",
                "--engine",
                engine,
                "--as-of",
                "2026-09-30 15:00",
            ]
        )
        record = json.loads(out)["outages"][0]
        assert code == 0
        # 14:50-15:20 UTC is 23:50-00:20 in Tokyo: split between September and October
        assert (record["start"], record["end"]) == (
            "2026-09-30T23:50:00+09:00",
            "2026-10-01T00:20:00+09:00",
        )


def test_config_naming_a_folder_says_so(tmp_path: Path) -> None:
    code, _, err = run(["report", "cybermail", "log.csv", "--config", str(tmp_path)])
    assert code == 1 and f"{tmp_path}: is a folder; give the project file's path" in err


def test_a_service_rules_log_may_be_a_list() -> None:
    project = parse('[[services]]\nlog = ["cloud-sql", "Cloud SQL*"]\nto = "AOULU 販売"\n')
    rule = project.services[0]
    assert rule.log == ("cloud-sql", "Cloud SQL*")
    assert rule.matches("cloud-sql") and rule.matches("Cloud SQL for MySQL")
    assert not rule.matches("Cloud Spanner")
    with pytest.raises(ProjectError) as caught:
        parse('[[services]]\nlog = []\nto = "x"\n\n[[services]]\nlog = [1]\nto = "x"\n')
    assert str(caught.value).splitlines() == [
        "rulebook.toml:2: services[1].log: is an empty list; accepted: a log service name or "
        "a glob (*, ?, [...]), or a list of them",
        "rulebook.toml:6: services[2].log: a list is not a name or a list of names; accepted: "
        "a log service name or a glob (*, ?, [...]), or a list of them",
    ]
