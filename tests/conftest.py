"""Shared test machinery: no project file from outside the checkout, and the skip allow-list.

**Skips.** A test may skip only for a reason on :data:`ALLOWED_SKIPS`, the short list of
what a machine may lack. When the environment variable ``CI`` is set (``.ci/run`` sets
``CI=true``), any other skip is turned into a failure, so a test cannot silently stop
running in CI; outside CI such skips are listed at the end of the run. Chromium is allowed
to be absent only outside CI: ``.ci/run`` installs it, so in CI the browser tests run.

Golden files are written by ``python -m tests.write_goldens``, never by a test
(:mod:`tests.goldens`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

#: (pattern of the skip's reason, allowed in CI, why the machine may lack it).
ALLOWED_SKIPS: tuple[tuple[str, bool, str], ...] = (
    (r"Java is not installed", True, "the Spark engine needs Java 17 (tests/test_spark.py)"),
    (r"PySpark is not installed", True, "the spark extra is optional (tests/test_spark.py)"),
    (
        r"(chromium|pdftoppm|pdftotext) is not installed",
        False,
        "the report's tests in a browser (tests/test_report.py) and on paper "
        "(tests/test_printed.py, poppler-utils); CI installs them",
    ),
    (r"the VS Code package is built by .ci/run", False, "tests/test_editors.py; CI builds it"),
)


def in_ci() -> bool:
    """True when the run is CI's: the variable ``CI`` is set to anything but false."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def skip_allowed(reason: str, ci: bool) -> bool:
    """Whether a skip with ``reason`` is on the allow-list (in CI or outside it)."""
    return any(re.search(p, reason) and (ok_in_ci or not ci) for p, ok_in_ci, _ in ALLOWED_SKIPS)


def _reason(report: pytest.CollectReport | pytest.TestReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    return str(longrepr)


class SkipAllowList:
    """The hooks that hold every skip to :data:`ALLOWED_SKIPS`."""

    def __init__(self, ci: bool) -> None:
        self.ci = ci
        self.unlisted: list[str] = []
        self.modules = 0  # whole modules skipped for a reason not on the list

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, Any, None]:
        outcome = yield
        report: pytest.TestReport = outcome.get_result()
        if not report.skipped or hasattr(report, "wasxfail"):
            return
        reason = _reason(report)
        if skip_allowed(reason, self.ci):
            return
        self.unlisted.append(f"{item.nodeid}: {reason}")
        if self.ci:  # the test fails where it skipped, with the reason
            report.outcome = "failed"
            report.longrepr = (
                "skipped in CI for a reason not on the allow-list (ALLOWED_SKIPS in "
                f"tests/conftest.py): {reason}"
            )

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        """A whole module skipped (``allow_module_level``) is held to the same list; in CI
        the run fails (a failed collection would stop the run, so the exit status does)."""
        if report.skipped and not skip_allowed(_reason(report), self.ci):
            self.unlisted.append(f"{report.nodeid}: {_reason(report)}")
            self.modules += 1

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if self.ci and self.modules and session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if not self.unlisted:
            return
        verdict = "they fail in CI" if self.ci else "they would fail with CI=true"
        terminalreporter.section(f"skips not on the allow-list: {verdict}", red=self.ci)
        for line in self.unlisted:
            terminalreporter.line(line)


#: The test files that take longest, longest first: they start first, so that with the
#: files spread over workers (pytest-xdist, ``--dist loadfile``) no long file is left to
#: run alone at the end (the Spark tests take about a third of the suite's time).
LONGEST_FIRST = (
    "tests/test_spark.py",
    "tests/test_differential.py",
    "tests/test_generated_contracts.py",
    "tests/test_condition_size.py",
    "tests/test_versions.py",
    "tests/test_report_scale.py",
    "tests/test_wide_rows.py",
    "tests/test_hostile.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The longest files first (:data:`LONGEST_FIRST`), the rest in their own order."""
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::")[0], len(rank)))


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(SkipAllowList(in_ci()), "rulebook-skip-allow-list")
    # `rulebook report` notes the periods it reported in the user's cache folder
    # (rulebook/io/history.py): the tests' reports are not the developer's; the tests of
    # the history give it a folder of their own.
    os.environ["RULEBOOK_NO_HISTORY"] = "1"


@pytest.fixture(autouse=True)
def _no_project_file_from_outside(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The commands look for rulebook.toml in the working folder and its parents: a file
    a developer keeps above the checkout (or in the shared temp folder) must not change
    what the tests see. Only files inside the checkout or the tests' own temp folders
    are found."""
    from rulebook import project

    root = Path(__file__).resolve().parent.parent
    base = tmp_path_factory.getbasetemp().resolve()
    real = project.find

    def find(start: Path, *args: Any, **kwargs: Any) -> Path | None:
        found = real(start, *args, **kwargs)
        if found is not None and not (found.is_relative_to(root) or found.is_relative_to(base)):
            return None
        return found

    monkeypatch.setattr(project, "find", find)
