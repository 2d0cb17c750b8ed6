"""The skip allow-list (tests/conftest.py): in CI a skip for a reason not on the list fails
the run; outside CI it is listed. Each case runs pytest on a small test file, in a process
of its own, with this checkout's conftest."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ALLOWED_SKIPS, skip_allowed

ROOT = Path(__file__).resolve().parent.parent

TESTS = """
import pytest

def test_runs():
    assert 1 + 1 == 2

def test_no_java():
    pytest.skip("Java is not installed: the Spark engine needs Java 17")

def test_no_chromium():
    pytest.skip("chromium is not installed (apt-get install chromium): browser tests skipped")

def test_shared_data():
    pytest.skip("shared/data is not beside this checkout")

@pytest.mark.skipif(True, reason="the network is down")
def test_marked():
    pass

@pytest.mark.xfail(reason="a known bug", strict=True)
def test_known_bug():
    assert False
"""


def run_pytest(folder: Path, ci: str | None, workers: int = 0) -> subprocess.CompletedProcess[str]:
    (folder / "conftest.py").write_text(
        (ROOT / "tests" / "conftest.py").read_text(encoding="utf-8"), encoding="utf-8"
    )
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    if ci is not None:
        env["CI"] = ci
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-rfEs", "--rootdir", str(folder),
         "-o", "addopts=", "-n", str(workers), str(folder)],
        capture_output=True, text=True, cwd=folder, env=env, timeout=120,
    )  # fmt: skip


def test_in_ci_a_skip_off_the_list_fails_and_says_why(tmp_path: Path) -> None:
    (tmp_path / "test_some.py").write_text(TESTS, encoding="utf-8")
    done = run_pytest(tmp_path, "true")
    out = done.stdout
    assert done.returncode == 1, out
    # a skip in the test fails it; a skip while setting it up (a skipif mark) is an error
    assert "2 failed, 1 passed, 1 skipped, 1 xfailed, 1 error" in out, out
    for outcome, name, reason in [
        ("FAILED", "test_no_chromium", "chromium is not installed (apt-get install chromium)"),
        ("FAILED", "test_shared_data", "shared/data is not beside this checkout"),
        ("ERROR", "test_marked", "the network is down"),
    ]:
        assert f"{outcome} test_some.py::{name}" in out, out
        assert (
            "skipped in CI for a reason not on the allow-list (ALLOWED_SKIPS in "
            f"tests/conftest.py): {reason}"
        ) in out
    assert "SKIPPED [1] test_some.py:8: Java is not installed" in out
    assert "skips not on the allow-list: they fail in CI" in out


def test_outside_ci_skips_pass_and_those_off_the_list_are_named(tmp_path: Path) -> None:
    (tmp_path / "test_some.py").write_text(TESTS, encoding="utf-8")
    for ci in (None, "", "false"):
        done = run_pytest(tmp_path, ci)
        out = done.stdout
        assert done.returncode == 0, out
        assert "1 passed, 4 skipped, 1 xfailed" in out, out
        summary = out.split("skips not on the allow-list: they would fail with CI=true")[1]
        listed = [line for line in summary.splitlines() if line.startswith("test_some.py::")]
        assert listed == [
            "test_some.py::test_shared_data: shared/data is not beside this checkout",
            "test_some.py::test_marked: the network is down",
        ]


@pytest.mark.parametrize("workers", [0, 2])
def test_in_ci_a_whole_module_skipped_off_the_list_fails_the_run(
    tmp_path: Path, workers: int
) -> None:
    """In one process and under workers (pytest-xdist, as the suite runs)."""
    (tmp_path / "test_ok.py").write_text("def test_runs():\n    pass\n", encoding="utf-8")
    (tmp_path / "test_gone.py").write_text(
        'import pytest\npytest.skip("the database is not running", allow_module_level=True)\n',
        encoding="utf-8",
    )
    done = run_pytest(tmp_path, "true", workers)
    assert done.returncode == 1, done.stdout
    assert "test_gone.py: the database is not running" in done.stdout
    assert run_pytest(tmp_path, None, workers).returncode == 0
    # a module skipped for a listed reason (Spark without Java) passes in CI too
    (tmp_path / "test_gone.py").write_text(
        "import pytest\n"
        'pytest.skip("Java is not installed: the Spark engine needs Java 17", '
        "allow_module_level=True)\n",
        encoding="utf-8",
    )
    assert run_pytest(tmp_path, "true", workers).returncode == 0


@pytest.mark.parametrize(
    ("reason", "in_ci", "outside"),
    [
        ("Java is not installed: the Spark engine needs Java 17", True, True),
        ("PySpark is not installed: pip install '.[spark]' to test the Spark engine", True, True),
        (
            "chromium is not installed (apt-get install chromium): browser tests skipped",
            False,
            True,
        ),
        ("websocket-client is not installed (the test extra)", False, False),
        ("shared/data is not beside this checkout", False, False),
        ("no records: nothing for Spark to group", False, False),
    ],
)
def test_the_allow_list(reason: str, in_ci: bool, outside: bool) -> None:
    assert (skip_allowed(reason, True), skip_allowed(reason, False)) == (in_ci, outside)


def test_the_allow_list_is_short_and_documented() -> None:
    assert len(ALLOWED_SKIPS) <= 4
    design = (ROOT / "docs" / "design.md").read_text(encoding="utf-8")
    for pattern, _, _ in ALLOWED_SKIPS:
        assert pattern in design, pattern


def test_ci_run_sets_ci_and_runs_the_readme_test_command() -> None:
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "set -euo pipefail" in script
    assert "export CI=true" in script
    assert "\npip install -e '.[test]' && python -m pytest\n" in script
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "pip install -e '.[test]' && python -m pytest\n" in readme
