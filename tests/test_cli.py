"""The command line, driven through click's CliRunner."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from rulebook.cli import main
from tests.helpers import contract_text

GOOD = contract_text('exclusion war { cite "第4条" "戦争" when cause = war }')
BAD = contract_text('exclusion war { cite "第4条" "戦争" when casue = war }')


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


def write(tmp_path: Path, text: str, name: str = "c.sla") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_clean_file_exits_0(tmp_path: Path) -> None:
    code, out = run("check", write(tmp_path, GOOD))
    assert code == 0
    assert out.strip().endswith("1 file(s), 1 contract(s): 0 error(s), 0 warning(s)")


def test_problems_exit_1_with_location_caret_and_hint(tmp_path: Path) -> None:
    path = write(tmp_path, BAD)
    code, out = run("check", path)
    assert code == 1
    assert f"{path}:10:" in out
    assert "error[unknown-fact]: unknown fact 'casue'" in out
    assert "^^^^^" in out
    assert "hint: did you mean 'cause'?" in out


def test_json_output_carries_the_same_facts(tmp_path: Path) -> None:
    path = write(tmp_path, BAD)
    code, out = run("check", "--json", path)
    assert code == 1
    data = json.loads(out)
    assert data["format"] == 1 and data["errors"] == 1
    (d,) = data["diagnostics"]
    assert (d["file"], d["line"], d["code"]) == (path, 10, "unknown-fact")
    assert d["hint"] == "did you mean 'cause'?"


def test_several_files_are_all_reported(tmp_path: Path) -> None:
    a = write(tmp_path, BAD, "a.sla")
    b = write(tmp_path, contract_text("exclusion { }"), "b.sla")
    code, out = run("check", a, b)
    assert code == 1
    assert "a.sla:10:" in out and "b.sla:10:" in out


def test_warnings_pass_unless_strict(tmp_path: Path) -> None:
    path = write(tmp_path, contract_text("exclusion war { when cause = war }"))
    warning = f"{path}:10:11: warning[no-citation]: exclusion war cites no article of the contract"
    summary = "1 file(s), 1 contract(s): 0 error(s), 1 warning(s)"
    for args, code in [((path,), 0), (("--strict", path), 1)]:
        done, out = run("check", *args)
        assert done == code
        assert out.startswith(warning + "\n") and out.rstrip().endswith(summary)


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    missing = str(tmp_path / "missing.sla")
    code, out = run("check", missing)  # bad input, as everywhere
    assert code == 1
    assert f"error[unreadable]: cannot read {missing}: No such file or directory" in out
    code, out = run("check", "--no-such-option")
    assert code == 2 and "Error: No such option '--no-such-option'." in out


def test_garbage_never_gives_a_traceback(tmp_path: Path) -> None:
    binary = tmp_path / "b.sla"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    for path, code, says in [
        (str(binary), 1, f"cannot read {binary}: it is not UTF-8 text"),
        (write(tmp_path, "", "empty.sla"), 0, "1 file(s), 0 contract(s): 0 error(s), 0 warning(s)"),
        (
            write(tmp_path, "}{", "x.sla"),
            1,
            f"{tmp_path / 'x.sla'}:1:1: error[syntax]: unexpected '}}'",
        ),
    ]:
        done, out = run("check", path)
        assert done == code and says in out, out
        assert "Traceback" not in out


def test_no_files_checks_the_bundled_contracts() -> None:
    code, out = run("check")
    assert code == 0, out
    assert "0 error(s)" in out


def test_version() -> None:
    code, out = run("--version")
    assert code == 0 and "rulebook" in out


def test_rulebook_test_runs_every_bundled_contracts_examples() -> None:
    code, out = run("test")
    assert code == 0, out
    lines = out.strip().splitlines()
    assert lines[-1].endswith(" passed, 0 failed")
    for contract in ("aoulu-cloud", "click-soko", "cybermail", "nexa-palette", "skyarch-sms"):
        assert sum(line.startswith(f"PASS {contract} ") for line in lines) >= 8, contract


def test_rulebook_test_reports_a_failing_example(tmp_path: Path) -> None:
    body = """
  exclusion war { cite "第4条" "戦争" when cause = war }
  example wrong "期待が外れる" {
    outage a "S" from "2026-09-03T10:00:00" to "2026-09-03T11:00:00" { cause fire }
    expect a excluded by war
  }
  example right {
    outage a "S" from "2026-09-03T10:00:00" to "2026-09-03T11:00:00" { cause war }
    expect a excluded by war
    expect a excluded 1 h
  }
"""
    path = write(tmp_path, contract_text(body))
    code, out = run("test", path)
    assert code == 1
    assert out.splitlines() == [
        "FAIL t wrong — 期待が外れる",
        f"     {path}:14: expected a excluded by war",
        f"     {' ' * len(path)}     actual   counted",
        "PASS t right",
        "1 passed, 1 failed",
    ]


def test_contracts_lists_the_bundled_contracts() -> None:
    code, out = run("contracts", "--json")
    data = json.loads(out)
    assert code == 0 and [c["id"] for c in data] == [
        "aoulu-cloud",
        "click-soko",
        "cybermail",
        "nexa-palette",
        "skyarch-sms",
    ]
    assert data[2]["kind"] == "guarantee" and "CYBERMAIL Σ" in data[2]["services"]
    assert data[2]["source"] == "001_017a0001cab44249.txt"


def test_the_cli_names_the_same_sources_and_formats_as_the_readers() -> None:
    from rulebook import cli
    from rulebook.io import importers, readers

    assert cli.SOURCES == importers.SOURCES and cli.FORMATS == readers.FORMATS


# ------------------------------------------------------------------ the process

ROOT = Path(__file__).resolve().parent.parent


def _process(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "rulebook", *args], cwd=ROOT, capture_output=True, check=False
    )


def test_the_process_writes_everything_then_exits_with_the_commands_code() -> None:
    # The process ends without tearing Python down: the output must be flushed first.
    done = _process(
        "adjudicate", "cybermail", "examples/cybermail-2026-09.csv", "--format", "jsonl"
    )
    lines = done.stdout.decode().splitlines()
    assert done.returncode == 0 and len(lines) == 13
    assert all(json.loads(line)["id"] for line in lines)
    refused = _process("report", "no-such-contract", "examples/cybermail-2026-09.csv")
    assert refused.returncode == 1 and b"no-such-contract" in refused.stderr
    usage = _process("report")
    assert usage.returncode == 2 and b"Usage" in usage.stderr


def test_a_closed_pipe_is_one_line_and_exit_1(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    from generate import write_csv

    log = tmp_path / "log.csv"
    write_csv(str(log), 5000)  # a few MB of JSON Lines: more than a pipe holds
    child = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "rulebook",
            "adjudicate",
            "cybermail",
            str(log),
            "--format",
            "jsonl",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert child.stdout is not None and child.stderr is not None
    child.stdout.readline()
    child.stdout.close()  # the reader goes away (as `| head -1` does)
    errors = child.stderr.read().decode()
    assert child.wait() == 1
    assert "Traceback" not in errors
    assert errors.rstrip().splitlines()[-1].startswith("rulebook: cannot write the output:")


def _exit_hooks_ran(tracer: bool) -> bool:
    script = (
        "import atexit, sys\n"
        + ("sys.settrace(lambda *a: None)\n" if tracer else "")
        + "atexit.register(lambda: print('exit hooks ran'))\n"
        + "from rulebook.__main__ import run\n"
        + "sys.argv = ['rulebook', '--version']\n"
        + "run()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, check=False
    )
    assert done.returncode == 0 and b"rulebook" in done.stdout
    return b"exit hooks ran" in done.stdout


def test_the_process_skips_teardown_unless_traced_or_profiled() -> None:
    # Ordinarily the process ends at once; a coverage tool or a profiler (a tracer) gets
    # the ordinary exit, where it writes its data.
    assert not _exit_hooks_ran(tracer=False)
    assert _exit_hooks_ran(tracer=True)


def _allocator_setting(environment: dict[str, str]) -> str:
    """``_RJEM_MALLOC_CONF`` as polars sees it once the command line's module is loaded."""
    script = "import rulebook.__main__, polars, os; print(os.environ['_RJEM_MALLOC_CONF'])"
    env = {k: v for k, v in os.environ.items() if k != "_RJEM_MALLOC_CONF"} | environment
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, check=True
    )
    return done.stdout.decode().strip()


def test_the_command_line_asks_the_allocator_to_give_freed_memory_back() -> None:
    from rulebook.allocator import JEMALLOC

    # polars puts its own setting first; the last of an option wins in jemalloc's reading
    assert _allocator_setting({}).endswith("," + JEMALLOC)
    # a setting of the environment's own is left as it is
    chosen = "dirty_decay_ms:5000"
    assert _allocator_setting({"_RJEM_MALLOC_CONF": chosen}).endswith("," + chosen)


def _glibc_set(environment: dict[str, str]) -> str:
    """Whether the command line's module set glibc's malloc, in a process of its own."""
    from rulebook.allocator import GLIBC_VARIABLES

    script = "import rulebook.__main__ as m, rulebook.allocator as a; print(a.command_line())"
    env = {k: v for k, v in os.environ.items() if k not in GLIBC_VARIABLES} | environment
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, check=True
    )
    return done.stdout.decode().strip()


def test_the_command_line_runs_the_cycle_collector_less_often() -> None:
    """Its young generation every 100,000 containers (rulebook.allocator.COLLECTOR); a
    library that embeds rulebook keeps Python's own thresholds."""
    from rulebook.allocator import COLLECTOR

    def thresholds(imports: str) -> str:
        script = f"import gc{imports}; print(tuple(gc.get_threshold()))"
        done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True)
        return done.stdout.decode().strip()

    assert thresholds(", rulebook.__main__") == str(COLLECTOR)
    assert thresholds(", rulebook.cli") == thresholds("") != str(COLLECTOR)


@pytest.mark.skipif(sys.platform != "linux", reason="glibc's malloc is Linux's")
def test_the_command_line_keeps_python_buffers_on_glibcs_heap() -> None:
    # the module sets them (a second call sets them again, as glibc accepts), unless the
    # environment sets glibc's malloc itself
    assert _glibc_set({}) == "True"
    assert _glibc_set({"MALLOC_TRIM_THRESHOLD_": "131072"}) == "False"
    assert _glibc_set({"GLIBC_TUNABLES": "glibc.malloc.trim_threshold=131072"}) == "False"
