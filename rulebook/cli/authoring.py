"""The commands that do not adjudicate: ``check``, ``test`` (the examples beside the
rules), ``fmt``, ``lsp`` and ``contracts``. Nothing at the top of this module loads the
engine, polars or the language server's libraries (tests/test_architecture.py holds it),
so ``rulebook check`` starts fast.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from rulebook import limits
from rulebook.cli.options import bundled_files
from rulebook.cli.output import echo_data, printable, said
from rulebook.diagnostics import attach_source
from rulebook.errors import RulebookError
from rulebook.load import check_files, lone_cr


@click.command()
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the diagnostics as JSON.")
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
@click.option("--prove", "with_proofs", is_flag=True, help="Prove the contracts' properties (z3).")
def check(files: tuple[Path, ...], as_json: bool, strict: bool, with_proofs: bool) -> None:
    """Check contract FILES (default: every bundled contract) and report every problem;
    with --prove, prove or refute their properties with an SMT solver."""
    paths = list(files) or bundled_files()
    try:
        loaded = check_files(paths)
    except RulebookError as exc:
        click.echo(f"rulebook: {exc}", err=True)
        sys.exit(1)
    errors = sum(d.severity == "error" for d in loaded.diagnostics)
    warnings = len(loaded.diagnostics) - errors
    proved: tuple[list[str], list[dict[str, object]], bool, list[str]] | None = None
    if with_proofs:
        from rulebook.cli.proving import INSTALL, prove_all

        try:
            proved = prove_all(loaded.contracts, loaded.diagnostics)
        except ImportError:
            click.echo(f"rulebook: {INSTALL}", err=True)
            sys.exit(1)
        for line in proved[3]:
            click.echo(line, err=True)
    if as_json:
        payload = {
            "format": 1,
            "files": [str(p) for p in paths],
            "contracts": [c.id for c in loaded.contracts],
            "errors": errors,
            "warnings": warnings,
            "diagnostics": [d.to_dict() for d in loaded.diagnostics],
        }
        if proved is not None:
            payload["proofs"] = proved[1]
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        for d in loaded.diagnostics:
            click.echo(said(d.render()))
            click.echo()
        click.echo(
            f"{len(paths)} file(s), {len(loaded.contracts)} contract(s): "
            f"{errors} error(s), {warnings} warning(s)"
        )
        if proved is not None:
            click.echo(printable("\n".join(proved[0])))
    refuted = proved is not None and proved[2]
    sys.exit(1 if errors or refuted or (strict and warnings) else 0)


@click.command("test")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.option("-k", "pattern", metavar="PATTERN", help="Run the examples whose name matches.")
@click.option("--coverage", "show_coverage", is_flag=True, help="List each clause's branches.")
@click.option(
    "--coverage-html",
    type=click.Path(file_okay=False, path_type=Path),
    metavar="DIR",
    help="Write the branch coverage as HTML pages into DIR.",
)
@click.option(
    "--fail-under",
    type=click.FloatRange(0, 100),
    metavar="PERCENT",
    help="Exit 1 below this coverage (0 to 100).",
)
def test_command(
    files: tuple[Path, ...],
    pattern: str | None,
    show_coverage: bool,
    coverage_html: Path | None,
    fail_under: float | None,
) -> None:
    """Run the examples beside the rules of FILES (default: every bundled contract)."""
    from rulebook.branches import coverage, coverage_table, percent, shown
    from rulebook.examples import run_examples
    from rulebook.versions import every

    loaded = check_files(list(files) or bundled_files())
    if loaded.errors:
        for d in loaded.errors:
            click.echo(said(d.render()), err=True)
        click.echo(
            f"rulebook: {len(loaded.errors)} error(s) in the contracts; no example run", err=True
        )
        sys.exit(1)
    passed = failed = 0
    rows = []
    for contract in loaded.contracts:
        results = run_examples(contract, pattern)
        rows += coverage(every(contract), [r.taken for r in results])
        for case in results:
            title = f" — {case.title}" if case.title else ""
            passed, failed = passed + case.passed, failed + (not case.passed)
            click.echo(f"{'PASS' if case.passed else 'FAIL'} {contract.id} {case.example}{title}")
            for failure in case.failures:
                click.echo("     " + failure.render().replace("\n", "\n     "))
    click.echo(f"{passed} passed, {failed} failed" + (f" (-k {pattern})" if pattern else ""))
    if show_coverage or fail_under is not None:
        click.echo("coverage: the branches of each clause the examples took")
        click.echo(printable("\n".join(coverage_table(rows))))
    if coverage_html is not None:
        from rulebook.report.coverage import write_coverage

        try:
            index = write_coverage(rows, coverage_html)
        except OSError as exc:
            click.echo(f"rulebook: cannot write the coverage pages: {exc}", err=True)
            sys.exit(1)
        click.echo(f"coverage pages written to {index}", err=True)
    low = fail_under is not None and percent(rows) < fail_under
    if low:
        click.echo(f"rulebook: coverage {shown(percent(rows))} is under {fail_under:g}%", err=True)
    sys.exit(1 if failed or low else 0)


@click.command("lsp")
def lsp_command() -> None:
    """Serve an editor over stdio: diagnostics, hover, completion, definition, outline, fmt."""
    from rulebook.lsp.server import run

    run()


@click.command("fmt")
@click.argument(
    "files",
    nargs=-1,
    required=True,
    type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
)
@click.option("--check", "check_only", is_flag=True, help="Change nothing; exit 1 if unformatted.")
def fmt_command(files: tuple[Path, ...], check_only: bool) -> None:
    """Write contract FILES in the one canonical layout, comments kept (- : stdin to stdout)."""
    from rulebook.grammar.layout import format_text
    from rulebook.io.outputs import rewrite_file

    changed = failed = 0
    for path in files:
        text = _read_text(path)
        lone = lone_cr(text, str(path)) if text is not None else None
        formatted, problems = format_text(text or "", str(path))
        if lone is not None:  # check refuses the file: fmt changes nothing in it
            formatted, problems = None, [lone, *problems]
        if text is None or formatted is None:
            for d in attach_source(problems, {str(path): text or ""}):
                click.echo(printable(d.render()), err=True)
            failed += 1
        elif str(path) == "-" and not check_only:  # with --check, only what would change
            echo_data(formatted)
        elif formatted != text:
            changed += 1
            if not check_only:
                try:
                    rewrite_file(str(path), formatted.encode("utf-8"))
                except OSError as exc:
                    click.echo(f"rulebook: cannot write {path}: {exc.strerror or exc}", err=True)
                    failed += 1
                    continue
            click.echo(f"{'would reformat' if check_only else 'reformatted'} {path}", err=True)
    sys.exit(1 if failed or (check_only and changed) else 0)


def _read_text(path: Path) -> str | None:
    """A contract file's text (``-``: standard input) as ``check`` reads it: at most
    :data:`~rulebook.limits.MAX_CONTRACT_BYTES`, UTF-8 with or without a BOM, line ends
    CRLF or LF (a lone CR is left for the parser to refuse, as ``check`` does)."""
    try:
        raw = (
            limits.read_stream(sys.stdin.buffer, limits.MAX_CONTRACT_BYTES)
            if str(path) == "-"
            else limits.read_file(path, limits.MAX_CONTRACT_BYTES)
        )
        return raw.decode("utf-8-sig").replace("\r\n", "\n")
    except UnicodeDecodeError:
        reason = "it is not UTF-8 text"
    except limits.NotReadable as exc:
        reason = str(exc)
    except OSError as exc:
        reason = exc.strerror or str(exc)
    click.echo(f"rulebook: cannot read {said(str(path))}: {reason}", err=True)
    return None


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON.")
def contracts(as_json: bool) -> None:
    """List the bundled contracts: id, title, provider, source document, kind, services."""
    loaded = check_files(bundled_files())
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
