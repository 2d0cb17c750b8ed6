"""The command line: parse arguments, call the library, print, set the exit code.

Exit codes: 0 clean, 1 problems found (or a contract that cannot be used), 2 usage error.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from rulebook import __version__
from rulebook.errors import RulebookError
from rulebook.load import EXTENSION, VOCABULARY_FILE, bundled_dir, check_files


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
def test_command(files: tuple[Path, ...]) -> None:
    """Run the examples beside the rules of FILES (default: every bundled contract)."""
    from rulebook.examples import run_examples

    loaded = check_files(list(files) or _bundled_files())
    if loaded.errors:
        for d in loaded.errors:
            click.echo(d.render(), err=True)
        click.echo(
            f"rulebook: {len(loaded.errors)} error(s) in the contracts; no example run", err=True
        )
        sys.exit(1)
    passed = failed = 0
    for contract in loaded.contracts:
        for case in run_examples(contract):
            title = f" — {case.title}" if case.title else ""
            if case.passed:
                passed += 1
                click.echo(f"PASS {contract.id} {case.example}{title}")
            else:
                failed += 1
                click.echo(f"FAIL {contract.id} {case.example}{title}")
                for failure in case.failures:
                    click.echo(f"     {failure}")
    click.echo(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


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
