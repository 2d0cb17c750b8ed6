"""``rulebook diff OLD NEW [OUTAGES]``: what an amendment changes, clause by clause, and,
given a log, in verdicts, periods and money (docs/amendments.md)."""

from __future__ import annotations

from typing import Any

import click

from rulebook.cli.inputs import adjudicate_inputs, named_inputs, read_inputs
from rulebook.cli.options import (
    LANG,
    STRICT,
    input_options,
    lang_of,
    not_an_input,
    project_of,
    read_files,
)
from rulebook.cli.output import fail_error, guarded, printable, write_text, wrote
from rulebook.errors import RulebookError

DIFF_FORMATS = click.Choice(["table", "markdown", "json", "html"])


@click.command("diff")
@click.argument("old", metavar="OLD")
@click.argument("new", metavar="NEW")
@click.argument("outages", required=False, metavar="[OUTAGES]")
@input_options
@STRICT
@click.option("--format", "fmt", type=DIFF_FORMATS, default="table", show_default=True)
@click.option("-o", "--output", metavar="PATH", help="Write to PATH instead of standard output.")
@LANG
def diff_command(
    old: str,
    new: str,
    outages: str | None,
    fmt: str,
    output: str | None,
    lang: str | None,
    **opts: Any,
) -> None:
    """Compare two versions of a contract: the clauses added, removed and changed, with
    both citations; with OUTAGES, the records, periods and money that change."""
    from rulebook.amend.clauses import compare_clauses, load_version
    from rulebook.report.amendment import render_diff

    lang = lang_of(lang, opts)
    try:
        before, after = load_version(old), load_version(new)
    except RulebookError as exc:
        raise click.exceptions.Exit(fail_error(exc)) from None
    clauses = compare_clauses(before, after)
    found = None
    if outages is not None:
        from rulebook.amend.effects import effect
        from rulebook.document.frames import FrameAdjudication

        if opts["engine"] != "columnar":
            raise click.UsageError(
                f"diff runs the columnar plan on both versions and joins its frames; "
                f"--engine {opts['engine']} is not supported (leave --engine out)"
            )
        inputs = guarded(lambda: read_inputs(outages, opts))
        results = []
        for version in (before, after):
            result, _ = adjudicate_inputs(version.contract, [inputs], opts, fmt)
            assert isinstance(result, FrameAdjudication)
            results.append(result)
        found = effect(results[0], results[1], before.contract, after.contract)
    project = project_of(opts).provenance if outages is not None else None
    text = render_diff(before, after, clauses, found, fmt, lang, project)
    if output and output != "-":  # put in place whole, a link there replaced
        given = [p for _, p in named_inputs(outages, opts)] if outages is not None else []
        not_an_input([output], [*given, *read_files(old, opts), *read_files(new)])
        wrote(guarded(lambda: write_text(text, output)))
    else:
        click.echo(printable(text) if fmt != "html" else text, nl=False)
