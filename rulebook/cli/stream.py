"""``--engine stream``: a log larger than memory read and adjudicated a chunk at a time
(:mod:`rulebook.document.stream`); ``report`` in every text format, JSON Lines and Parquet
of ``adjudicate`` and ``report`` written a part at a time (:mod:`rulebook.report.sinks`).
"""

from __future__ import annotations

from typing import Any

import attrs
import click

from rulebook.cli.options import input_encoding, project_of
from rulebook.cli.output import fail, guarded, said, write_text
from rulebook.cli.scope import scope_warnings
from rulebook.model import Contract


def check_stream(opts: dict[str, Any], fmt: str, what: str) -> int:
    """Refuse what the stream cannot do; the chunk's records from ``--memory``."""
    from rulebook.document.stream import chunk_rows, parse_size

    if opts["source"]:
        raise click.UsageError("--from is not supported with --engine stream")
    if opts["events_path"]:
        raise click.UsageError(
            "--events is not read with --engine stream: give events as columns of the records"
        )
    project = project_of(opts)
    if project.maps or project.timezone or input_encoding(opts):
        raise click.UsageError(
            f"--engine stream does not apply {project.path or '--encoding'}'s maps, "
            "timezone or encoding yet; use --engine columnar, or --no-config"
        )
    if fmt in ("html", "csv") or (what == "adjudicate" and fmt not in ("jsonl", "parquet")):
        raise click.UsageError(
            "--engine stream writes report as table, markdown, json, jsonl or parquet, and "
            "adjudicate as jsonl or parquet (every record at once needs --engine columnar)"
        )
    try:
        return chunk_rows(parse_size(opts["memory"]), fmt in ("jsonl", "parquet"))
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
    from rulebook.cli.inputs import span_of
    from rulebook.document.stream import adjudicate_stream
    from rulebook.report.sinks import sink_for
    from rulebook.report.writers import counts_line, render

    rows = check_stream(opts, fmt, what)
    case = guarded(lambda: _other_inputs(opts))
    sink = sink_for(fmt, what, output, period)
    try:
        result = guarded(
            lambda: adjudicate_stream(
                contract,
                outages,
                case,
                rows,
                opts["as_of"],
                opts["keep_going"],
                sink,
                opts["input_format"],
                span=span_of(opts),
            )
        )
    except BaseException:
        if sink is not None:
            sink.finish(False)
        raise
    result = attrs.evolve(result, project_file=project_of(opts).provenance)
    written = guarded(lambda: sink.finish(True, result)) if sink is not None else []
    if opts.get("verbose"):
        click.echo(f"rulebook: note: {result.parts} part(s), chunks of {rows} records", err=True)
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
                from rulebook.io.outputs import replace_files

                written = guarded(
                    lambda: replace_files({output: frame.write_ndjson().encode("utf-8")})
                )
            else:
                sys.stdout.flush()
                frame.write_ndjson(sys.stdout.buffer)
        click.echo(f"rulebook: {counts_line(counts, lang)}", err=True)
        for path in written:
            click.echo(f"rulebook: wrote {path}", err=True)
    else:
        text = guarded(lambda: render(result, fmt, lang, counts, what, False, period))
        guarded(lambda: write_text(text, output))
    warned = scope_warnings(contract, result, period, opts)
    if result.errors:
        raise click.exceptions.Exit(fail(f"{len(result.errors)} bad input item(s); see above"))
    if warned:
        raise click.exceptions.Exit(fail("--strict: warnings are errors; see above"))


def _other_inputs(opts: dict[str, Any]) -> Any:
    """Notices and billing (the project file's billing unless --billing is given)."""
    from rulebook.io.readers import Case, Item, read_case

    case = Case()
    if opts["notices_path"]:
        case.notices += read_case(opts["notices_path"], None, "notices").notices
    if opts["billing_path"]:
        case.billing += read_case(opts["billing_path"], None, "billing").billing
    else:
        project = project_of(opts)
        case.billing += [Item(project.place(line), fields) for _, fields, line in project.billing]
    return case
