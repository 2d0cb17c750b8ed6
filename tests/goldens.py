"""Golden files: expected outputs kept in the repository, what produces each, and the check.

Three sets, each produced here by one function that the tests and the writer share:

- ``tests/golden/diagnostics/NAME.expected``: what ``rulebook check`` renders for
  ``NAME.sla`` (whose first line names the codes it must produce, ``# expect: ...``);
- ``tests/golden/cli/NAME.txt``: the standard output of a command line of :data:`CLI`;
- ``examples/reports/CONTRACT.LANG.html``: the example months' HTML reports
  (``examples/make_reports.py``).

A test compares fresh output with the file and fails when the file is missing, naming the
file and the command that writes golden files (:data:`WRITE`); no test writes one. After a
change of output, run that command and review the diff before committing it.
"""

from __future__ import annotations

import contextlib
import difflib
import functools
import importlib.util
import itertools
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden"
DIAGNOSTICS = GOLDEN / "diagnostics"
CLI_GOLDEN = GOLDEN / "cli"
#: The one command that writes golden files (from the checkout's root).
WRITE = "python -m tests.write_goldens"


def missing(path: Path) -> str:
    """The failure of a golden file that is not there."""
    return (
        f"golden file {path.relative_to(ROOT).as_posix()} is missing: tests never write "
        f"golden files; write it with `{WRITE}` and review it before committing"
    )


def expect(path: Path, actual: str | bytes) -> None:
    """Fail unless ``path`` exists and holds exactly ``actual``; a difference is shown as
    the start of a unified diff (golden file, then current output)."""
    if not path.is_file():
        pytest.fail(missing(path), pytrace=False)
    data = actual.encode("utf-8") if isinstance(actual, str) else actual
    golden = path.read_bytes()
    if data == golden:
        return
    shown = path.relative_to(ROOT).as_posix()
    diff = difflib.unified_diff(
        golden.decode("utf-8", "replace").splitlines(keepends=True),
        data.decode("utf-8", "replace").splitlines(keepends=True),
        fromfile=shown,
        tofile="current output",
    )
    pytest.fail(
        f"{shown} differs from the current output; if the change is meant, write it with "
        f"`{WRITE}` and review the diff:\n" + "".join(itertools.islice(diff, 40)),
        pytrace=False,
    )


# ------------------------------------------------------------------ diagnostics


def diagnostics_cases() -> list[Path]:
    return sorted(DIAGNOSTICS.glob("*.sla"))


def expected_codes(case: Path) -> list[str]:
    """The codes a case's first line says it produces."""
    first = case.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# expect:"), f"{case.name} must start with '# expect: CODES'"
    return first.removeprefix("# expect:").split()


def check_case(case: Path) -> tuple[set[str], str]:
    """The codes ``rulebook check`` finds in ``case`` and its rendered output."""
    from rulebook.load import check_files

    with contextlib.chdir(ROOT):  # diagnostics name the file as given: keep it relative
        loaded = check_files([case.relative_to(ROOT).as_posix()])
    rendered = "\n\n".join(d.render() for d in loaded.diagnostics) + "\n"
    return {d.code for d in loaded.diagnostics}, rendered


# ------------------------------------------------------------------ command lines

CLI: dict[str, list[str]] = {
    "adjudicate-table-en": [
        "adjudicate",
        "cybermail",
        "examples/cybermail-2026-09.csv",
        "--notices",
        "examples/cybermail-2026-09-notices.csv",
    ],
    "adjudicate-markdown-ja": [
        "adjudicate",
        "cybermail",
        "examples/cybermail-2026-09.csv",
        "--notices",
        "examples/cybermail-2026-09-notices.csv",
        "--format",
        "markdown",
        "--lang",
        "ja",
        "--period",
        "2026-09",
    ],
    "adjudicate-explain": [
        "adjudicate",
        "click-soko",
        "examples/click-soko-2026-09.json",
        "--explain",
    ],
    "report-table": ["report", "nexa-palette", "examples/nexa-palette-2026-09.json"],
    "report-markdown": [
        "report",
        "skyarch-sms",
        "examples/skyarch-sms-2026-12.json",
        "--format",
        "markdown",
    ],
    "report-json": [
        "report",
        "aoulu-cloud",
        "examples/aoulu-cloud-2026-09.csv",
        "--notices",
        "examples/aoulu-cloud-2026-09-notices.csv",
        "--format",
        "json",
    ],
    "explain-ja": [
        "explain",
        "cybermail",
        "examples/cybermail-2026-09.csv",
        "cm-06",
        "--lang",
        "ja",
    ],
    "explain-markdown": [
        "explain",
        "aoulu-cloud",
        "examples/aoulu-cloud-2026-09.csv",
        "ao-02",
        "--format",
        "markdown",
    ],
    "compare-table": [
        "compare",
        "examples/cybermail-2026-09.csv",
        "--contract",
        "cybermail",
        "--contract",
        "aoulu-cloud",
    ],
    "report-obligations-ja": [
        "report",
        "click-soko",
        "examples/click-soko-2026-09.json",
        "--lang",
        "ja",
    ],
    "compare-markdown": [
        "compare",
        "examples/nexa-palette-2026-09.json",
        "--contract",
        "nexa-palette",
        "--contract",
        "click-soko",
        "--format",
        "markdown",
    ],
    "compare-json": [
        "compare",
        "examples/aoulu-cloud-2026-09.csv",
        "--contract",
        "aoulu-cloud",
        "--contract",
        "cybermail",
        "--format",
        "json",
    ],
}


def cli_path(name: str) -> Path:
    return CLI_GOLDEN / f"{name}.txt"


def run_cli(
    args: list[str], stdin: str | None = None, env: dict[str, str] | None = None
) -> tuple[int, str, str]:
    """A command line through click's runner, in the checkout's root; a traceback raises."""
    from rulebook.cli import main

    with contextlib.chdir(ROOT):
        result = CliRunner(env=env).invoke(main, args, input=stdin)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def cli_output(name: str) -> str:
    """The standard output of the golden command line ``name``; it must succeed."""
    code, out, err = run_cli(CLI[name])
    assert code == 0, f"{name}: exit {code}: {err}"
    return out


# ------------------------------------------------------------------ example reports


def make_reports() -> Any:
    """``examples/make_reports.py`` as a module (examples/ is no package)."""
    spec = importlib.util.spec_from_file_location(
        "make_reports", ROOT / "examples" / "make_reports.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def report_bytes(contract: str, lang: str) -> bytes:
    """The HTML report of an example month, as ``rulebook report --format html`` writes it."""
    reports = make_reports()
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "r.html"
        code, _, err = run_cli(reports.arguments(contract, lang, out), env=reports.ENV)
        assert code == 0, f"report {contract} {lang}: exit {code}: {err}"
        return out.read_bytes()


# ------------------------------------------------------------------ every golden file


def every() -> Iterator[tuple[Path, Callable[[], str | bytes]]]:
    """Each golden file with what produces its content (for the writer)."""

    def diagnostics(case: Path) -> Callable[[], str]:
        def produce() -> str:
            codes, rendered = check_case(case)
            wanted = set(expected_codes(case))
            if codes != wanted:  # a case that stopped finding its mistake is not a golden
                raise SystemExit(
                    f"{case.relative_to(ROOT)}: found {sorted(codes)}, its first line "
                    f"expects {sorted(wanted)}; fix the case or the check, not the golden"
                )
            return rendered

        return produce

    for case in diagnostics_cases():
        yield case.with_suffix(".expected"), diagnostics(case)
    for name in sorted(CLI):
        yield cli_path(name), functools.partial(cli_output, name)
    reports = make_reports()
    for contract in reports.EXAMPLES:
        for lang in reports.LANGS:
            yield (
                reports.report_path(contract, lang),
                functools.partial(report_bytes, contract, lang),
            )
