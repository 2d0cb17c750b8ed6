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


def _bundled_files() -> list[Path]:
    return sorted(p for p in bundled_dir().glob("*" + EXTENSION) if p.name != VOCABULARY_FILE)
