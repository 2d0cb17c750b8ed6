"""``--engine stream``: a log larger than memory read and adjudicated a chunk at a time
(:mod:`rulebook.document.stream`); ``report`` in every text format, JSON Lines and Parquet
of ``adjudicate`` and ``report`` written a part at a time (:mod:`rulebook.report.sinks`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs
import click

from rulebook.cli.options import input_encoding, project_of
from rulebook.cli.output import fail, fail_error, guarded, said, write_text, wrote
from rulebook.cli.scope import scope_warnings
from rulebook.errors import RulebookError
from rulebook.model import Contract

if TYPE_CHECKING:
    from rulebook.document.stream import Budget


def check_stream(opts: dict[str, Any], fmt: str, what: str) -> Budget:
    """Refuse what the stream cannot do; the chunks' memory from ``--memory``."""
    from rulebook.document.stream import Budget, parse_size

    if opts["source"]:
        raise click.UsageError(
            "--from is not read with --engine stream (an import reads its whole file); "
            "use --engine columnar"
        )
    if opts["events_path"]:
        raise click.UsageError(
            "--events is not read with --engine stream: give events as columns of the records"
        )
    encoding = input_encoding(opts)
    if encoding is not None and encoding != "utf-8":
        named = "--encoding" if opts.get("encoding") else project_of(opts).path
        raise click.UsageError(
            f"--engine stream reads UTF-8 logs; {named} gives {encoding}: convert the log "
            "to UTF-8 first (iconv -f ENCODING -t UTF-8), or use --engine columnar"
        )
    if fmt in ("html", "pdf", "csv") or (what == "adjudicate" and fmt not in ("jsonl", "parquet")):
        raise click.UsageError(
            "--engine stream writes report as table, markdown, json, jsonl or parquet, and "
            "adjudicate as jsonl or parquet (every record at once needs --engine columnar)"
        )
    try:
        return Budget(parse_size(opts["memory"]), fmt in ("jsonl", "parquet"))
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--memory") from None


def on_stream(
    contract: Contract,
    outages: str,
    opts: dict[str, Any],
    fmt: str,
    lang: str,
    what: str,
    period: str | None,
    output: str | None,
) -> None:
    """The log adjudicated a chunk at a time; records written as each part is done."""
    from rulebook.cli.inputs import _as_of, span_of
    from rulebook.document.stream import adjudicate_stream
    from rulebook.report.sinks import sink_for
    from rulebook.report.writers import counts_line, render

    rows = check_stream(opts, fmt, what)
    case = guarded(lambda: _other_inputs(opts))
    intake = _intake(contract, outages, opts)
    sink = sink_for(fmt, what, output, period)
    try:
        result = guarded(
            lambda: adjudicate_stream(
                contract,
                outages,
                case,
                rows,
                _as_of(opts),
                opts["keep_going"],
                sink,
                opts["input_format"],
                span=span_of(opts),
                intake=intake,
            )
        )
    except BaseException:
        if sink is not None:
            sink.finish(False)
        raise
    result = attrs.evolve(result, project_file=project_of(opts).provenance)
    written = guarded(lambda: sink.finish(True, result)) if sink is not None else []
    if opts.get("verbose"):
        sizes = result.sizes or (0,)
        click.echo(
            f"rulebook: note: {result.parts} part(s), {len(result.sizes)} chunk(s) of "
            f"{min(sizes)} to {max(sizes)} records",
            err=True,
        )
    for error in result.errors:
        click.echo(f"rulebook: {said(str(error))}", err=True)
    counts = (result.read, result.adjudicated, result.read - result.adjudicated, result.fallback)
    if fmt in ("jsonl", "parquet"):
        if sink is None:  # report: a line a period
            import sys

            import polars as pl

            frame = result.periods
            if period is not None:
                frame = frame.filter(pl.col("period") == period)
            if output and output != "-":
                from rulebook.io.outputs import write_with

                written = guarded(lambda: write_with(output, frame.write_ndjson))
            else:
                sys.stdout.flush()
                frame.write_ndjson(sys.stdout.buffer)
        click.echo(f"rulebook: {counts_line(counts, lang)}", err=True)
        wrote(written)
    else:
        text = guarded(lambda: render(result, fmt, lang, counts, what, False, period))
        wrote(guarded(lambda: write_text(text, output)))
    warned = scope_warnings(contract, result, period, opts)
    if result.errors:
        raise click.exceptions.Exit(fail(f"{len(result.errors)} bad input item(s); see above"))
    if warned:
        raise click.exceptions.Exit(fail("--strict: warnings are errors; see above"))


def _intake(contract: Contract, outages: str, opts: dict[str, Any]) -> Any:
    """How each chunk is taken in: the project's maps and timezone, as one machine's."""
    from rulebook.cli.inputs import _warn
    from rulebook.document.chunks import ChunkIntake
    from rulebook.mapping.compile import compile_mapping, scope_warnings

    project = project_of(opts)
    try:
        mapping = compile_mapping(project, contract, bool(opts.get("strict")))
    except RulebookError as exc:
        raise click.exceptions.Exit(fail_error(exc)) from None
    _warn(scope_warnings(project, contract))
    return ChunkIntake(contract, outages, opts["input_format"], mapping, _warn)


def _other_inputs(opts: dict[str, Any]) -> Any:
    """Notices (a calendar too, as the other engines read it) and billing (the project
    file's billing unless --billing is given)."""
    from rulebook.io.calendars import read_input
    from rulebook.io.readers import Case, Item, read_case

    case = Case()
    if opts["notices_path"]:
        case.notices += read_input(opts["notices_path"], "notices", input_encoding(opts)).notices
    if opts["billing_path"]:
        case.billing += read_case(opts["billing_path"], None, "billing").billing
    else:
        project = project_of(opts)
        case.billing += [Item(project.place(line), fields) for _, fields, line in project.billing]
    return case
