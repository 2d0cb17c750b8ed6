"""The command line: parse arguments, call the library, print, set the exit code.

Exit codes: 0 clean, 1 problems found (or a contract that cannot be used), 2 usage error.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from rulebook import __version__
from rulebook.errors import RulebookError
from rulebook.grammar.diagnostics import attach_source, did_you_mean
from rulebook.load import EXTENSION, VOCABULARY_FILE, bundled_dir, check_files, resolve
from rulebook.model import Contract

if TYPE_CHECKING:
    from rulebook.engine.adjudicate import Adjudication
    from rulebook.formats.intake import Intake

# Kept here, not imported from the formats modules: `rulebook check` need not load them.
SOURCES = ("gcp-status", "statuspage")
FORMATS = ("csv", "jsonl", "json")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="rulebook")
def main() -> None:
    """rulebook: settle which outage minutes an SLA counts, and explain why."""


@main.command()
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the diagnostics as JSON.")
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
def check(files: tuple[Path, ...], as_json: bool, strict: bool) -> None:
    """Check contract FILES (default: every bundled contract) and report every problem."""
    paths = list(files) or _bundled_files()
    try:
        loaded = check_files(paths)
    except RulebookError as exc:
        click.echo(f"rulebook: {exc}", err=True)
        sys.exit(1)
    errors = sum(d.severity == "error" for d in loaded.diagnostics)
    warnings = len(loaded.diagnostics) - errors
    if as_json:
        payload = {
            "format": 1,
            "files": [str(p) for p in paths],
            "contracts": [c.id for c in loaded.contracts],
            "errors": errors,
            "warnings": warnings,
            "diagnostics": [d.to_dict() for d in loaded.diagnostics],
        }
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        for d in loaded.diagnostics:
            click.echo(d.render())
            click.echo()
        click.echo(
            f"{len(paths)} file(s), {len(loaded.contracts)} contract(s): "
            f"{errors} error(s), {warnings} warning(s)"
        )
    sys.exit(1 if errors or (strict and warnings) else 0)


@main.command("test")
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-k", "pattern", metavar="PATTERN", help="Run the examples whose name matches.")
@click.option("--coverage", "show_coverage", is_flag=True, help="List each clause's decisions.")
@click.option("--fail-under", type=float, metavar="PERCENT", help="Exit 1 below this coverage.")
def test_command(
    files: tuple[Path, ...], pattern: str | None, show_coverage: bool, fail_under: float | None
) -> None:
    """Run the examples beside the rules of FILES (default: every bundled contract)."""
    from rulebook.examples import coverage, coverage_table, percent, run_examples

    loaded = check_files(list(files) or _bundled_files())
    if loaded.errors:
        for d in loaded.errors:
            click.echo(d.render(), err=True)
        click.echo(
            f"rulebook: {len(loaded.errors)} error(s) in the contracts; no example run", err=True
        )
        sys.exit(1)
    passed = failed = 0
    rows = []
    for contract in loaded.contracts:
        results = run_examples(contract, pattern)
        rows += coverage(contract, results)
        for case in results:
            title = f" — {case.title}" if case.title else ""
            passed, failed = passed + case.passed, failed + (not case.passed)
            click.echo(f"{'PASS' if case.passed else 'FAIL'} {contract.id} {case.example}{title}")
            for failure in case.failures:
                click.echo("     " + failure.render().replace("\n", "\n     "))
    click.echo(f"{passed} passed, {failed} failed" + (f" (-k {pattern})" if pattern else ""))
    if show_coverage or fail_under is not None:
        click.echo("coverage: does some example make each clause apply, and some not apply?")
        click.echo("\n".join(coverage_table(rows)))
    low = fail_under is not None and percent(rows) < fail_under
    if low:
        click.echo(f"rulebook: coverage {percent(rows):.0f}% is under {fail_under:g}%", err=True)
    sys.exit(1 if failed or low else 0)


@main.command("lsp")
def lsp_command() -> None:
    """Serve an editor over stdio: diagnostics, hover, completion, definition, outline, fmt."""
    from rulebook.lsp.server import run

    run()


@main.command("fmt")
@click.argument(
    "files",
    nargs=-1,
    required=True,
    type=click.Path(exists=True, dir_okay=False, allow_dash=True, path_type=Path),
)
@click.option("--check", "check_only", is_flag=True, help="Change nothing; exit 1 if unformatted.")
def fmt_command(files: tuple[Path, ...], check_only: bool) -> None:
    """Write contract FILES in the one canonical layout, comments kept (- : stdin to stdout)."""
    from rulebook.grammar.layout import format_text

    changed = failed = 0
    for path in files:
        text = sys.stdin.read() if str(path) == "-" else _read_text(path)
        formatted, problems = format_text(text or "", str(path))
        if text is None or formatted is None:
            for d in attach_source(problems, {str(path): text or ""}):
                click.echo(d.render(), err=True)
            failed += 1
        elif str(path) == "-":
            click.echo(formatted, nl=False)
        elif formatted != text:
            changed += 1
            if not check_only:
                path.write_text(formatted, encoding="utf-8")
            click.echo(f"{'would reformat' if check_only else 'reformatted'} {path}", err=True)
    sys.exit(1 if failed or (check_only and changed) else 0)


def _read_text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        click.echo(f"rulebook: cannot read {path}: {exc}", err=True)
        return None


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON.")
def contracts(as_json: bool) -> None:
    """List the bundled contracts: id, title, provider, source document, kind, services."""
    loaded = check_files(_bundled_files())
    rows = [
        {
            "id": c.id,
            "title": c.title,
            "provider": c.get("provider"),
            "source": c.get("source"),
            "kind": c.kind,
            "services": [t.value for s in c.of_kind("services") for t in getattr(s, "covers", ())],
        }
        for c in sorted(loaded.contracts, key=lambda c: c.id)
    ]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        click.echo(f"{row['id']}  [{row['kind']}]  {row['title']}")
        click.echo(f"    {row['provider']}; source {row['source']}")
        services = list(row["services"] or [])
        click.echo(f"    services: {', '.join(services) or '(all)'}")


def _bundled_files() -> list[Path]:
    return sorted(p for p in bundled_dir().glob("*" + EXTENSION) if p.name != VOCABULARY_FILE)


# ------------------------------------------------------------------ adjudication commands

_FORMATS = click.Choice(["table", "json", "markdown"])
_LANGS = click.Choice(["en", "ja"])


def _input_options(func: Any) -> Any:
    options = [
        click.option(
            "--notices",
            "notices_path",
            metavar="FILE",
            help="Maintenance notices (CSV, JSON Lines or JSON).",
        ),
        click.option(
            "--billing",
            "billing_path",
            metavar="FILE",
            help="Billing per service (CSV, JSON Lines or JSON).",
        ),
        click.option(
            "--events", "events_path", metavar="FILE", help="Timeline events: record, event, at."
        ),
        click.option(
            "--from", "source", type=click.Choice(SOURCES), help="Import a status-page export."
        ),
        click.option(
            "--input-format",
            type=click.Choice(list(FORMATS)),
            help="Format of OUTAGES (default: by extension).",
        ),
        click.option("--as-of", metavar="TIMESTAMP", help="Close ongoing records at this instant."),
        click.option(
            "--keep-going",
            is_flag=True,
            help="Report every bad record, adjudicate the rest, exit 1.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _load_contract(ref: str) -> Contract:
    try:
        path = resolve(ref)
    except RulebookError as exc:
        raise click.exceptions.Exit(_fail(str(exc))) from None
    loaded = check_files([path])
    if loaded.errors:
        for d in loaded.errors:
            click.echo(d.render(), err=True)
        raise click.exceptions.Exit(_fail(f"contract {ref} has {len(loaded.errors)} error(s)"))
    return loaded.contracts[0]


def _fail(message: str) -> int:
    click.echo(f"rulebook: {message}", err=True)
    return 1


def _read_input(
    contract: Contract, outages: str, opts: dict[str, Any], fmt: str
) -> tuple[Intake, list[str]]:
    """Read and validate every input; errors name the file and line or record."""
    from rulebook.formats.importers import import_file
    from rulebook.formats.intake import take_in
    from rulebook.formats.readers import read_case

    notes: list[str] = []
    if opts["source"]:
        case, notes = import_file(outages, opts["source"])
    else:
        case = read_case(outages, opts["input_format"])
    for key, kind in (
        ("notices_path", "notices"),
        ("billing_path", "billing"),
        ("events_path", "events"),
    ):
        if opts[key]:
            extra = read_case(opts[key], None, kind)
            getattr(case, kind).extend(getattr(extra, kind))
    show = sys.stderr.isatty() and fmt != "json" and len(case.outages) > 2000
    if show:
        with click.progressbar(
            length=len(case.outages), label="validating", file=sys.stderr
        ) as bar:
            intake = take_in(contract, case, opts["keep_going"], bar.update)
    else:
        intake = take_in(contract, case, opts["keep_going"])
    return intake, notes


def _adjudicate(
    contract: Contract, outages: str, opts: dict[str, Any], fmt: str
) -> tuple[Adjudication, Intake]:
    from rulebook.engine.adjudicate import adjudicate

    try:
        intake, notes = _read_input(contract, outages, opts, fmt)
        for note in notes:
            click.echo(f"rulebook: note: {note}", err=True)
        for error in intake.errors:
            click.echo(f"rulebook: {error}", err=True)
        result = adjudicate(
            contract, intake.outages, intake.notices, opts["as_of"], intake.closures, intake.billing
        )
    except RulebookError as exc:
        raise click.exceptions.Exit(_fail(str(exc))) from None
    return result, intake


def _finish(intake: Intake) -> None:
    if intake.errors:
        raise click.exceptions.Exit(_fail(f"{len(intake.errors)} bad input item(s); see above"))


def _render(
    contract: str,
    outages: str,
    opts: dict[str, Any],
    fmt: str,
    lang: str,
    what: str,
    explain: bool,
    period: str | None,
) -> None:
    """Adjudicate and print the `adjudicate` or `report` view; exit 1 after bad input."""
    from rulebook.formats.writers import render

    result, intake = _adjudicate(_load_contract(contract), outages, opts, fmt)
    counts = (intake.read, len(intake.outages), intake.rejected)
    click.echo(render(result, fmt, lang, counts, what, explain, period), nl=False)
    _finish(intake)


@main.command("adjudicate")
@click.argument("contract")
@click.argument("outages")
@_input_options
@click.option("--period", metavar="YYYY-MM", help="Show only this period.")
@click.option("--format", "fmt", type=_FORMATS, default="table", show_default=True)
@click.option("--lang", type=_LANGS, default="en", show_default=True)
@click.option("--explain", is_flag=True, help="Add each record's reasons.")
def adjudicate_command(
    contract: str, outages: str, period: str | None, fmt: str, lang: str, explain: bool, **opts: Any
) -> None:
    """Cut every outage of OUTAGES into counted and excluded time under CONTRACT (an id or a
    path), and measure each period. OUTAGES is CSV, JSON Lines or a JSON case file; - is stdin."""
    _render(contract, outages, opts, fmt, lang, "adjudicate", explain, period)


@main.command("report")
@click.argument("contract")
@click.argument("outages")
@_input_options
@click.option("--period", metavar="YYYY-MM", help="Show only this period.")
@click.option("--format", "fmt", type=_FORMATS, default="table", show_default=True)
@click.option("--lang", type=_LANGS, default="en", show_default=True)
def report_command(
    contract: str, outages: str, period: str | None, fmt: str, lang: str, **opts: Any
) -> None:
    """Per service and period: availability against target, downtime, remedy."""
    _render(contract, outages, opts, fmt, lang, "report", False, period)


@main.command("explain")
@click.argument("contract")
@click.argument("outages")
@click.argument("record_id")
@_input_options
@click.option(
    "--format", "fmt", type=click.Choice(["text", "markdown"]), default="text", show_default=True
)
@click.option("--lang", type=_LANGS, default="en", show_default=True)
def explain_command(
    contract: str, outages: str, record_id: str, fmt: str, lang: str, **opts: Any
) -> None:
    """The full reasons for one record, citing the clause text."""
    loaded = _load_contract(contract)
    result, intake = _adjudicate(loaded, outages, opts, fmt)
    ids = [v.record.id for v in result.verdicts]
    if record_id not in ids:
        hint = did_you_mean(record_id, ids)
        raise click.exceptions.Exit(
            _fail(f"no record '{record_id}' in {outages}" + (f"; {hint}" if hint else ""))
        )
    click.echo(result.explain(record_id, lang, fmt, full=True))
    _finish(intake)


@main.command("compare")
@click.argument("outages")
@click.option(
    "--contract",
    "contract_refs",
    multiple=True,
    required=True,
    help="A contract id or path; give two or more.",
)
@_input_options
@click.option("--format", "fmt", type=_FORMATS, default="table", show_default=True)
@click.option("--lang", type=_LANGS, default="en", show_default=True)
def compare_command(
    outages: str, contract_refs: tuple[str, ...], fmt: str, lang: str, **opts: Any
) -> None:
    """The same log under several contracts, side by side."""
    results, intakes = [], []
    for ref in contract_refs:
        result, intake = _adjudicate(_load_contract(ref), outages, opts, fmt)
        results.append(result)
        intakes.append(intake)
    worst = max(intakes, key=lambda i: i.rejected)
    counts = (worst.read, len(worst.outages), worst.rejected)
    from rulebook.formats.writers import render_compare

    click.echo(render_compare(results, fmt, lang, counts), nl=False)
    _finish(worst)
