"""The commands that adjudicate: ``adjudicate`` and ``report`` (a log under one contract,
in every output format), ``explain`` (one record or one service's period, in full) and
``compare`` (a log under several contracts, side by side). The engine, the columnar plan
and polars are imported when a command runs.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import click

from rulebook.cli.inputs import adjudicate_inputs, named_inputs, read_inputs
from rulebook.cli.options import (
    ARGS,
    COMPARE_FORMATS,
    LANG,
    OUTPUT,
    OUTPUT_FORMATS,
    STRICT,
    csv_options,
    input_encoding,
    input_options,
    lang_of,
    load_contract,
    not_an_input,
    project_of,
    read_files,
    split_args,
)
from rulebook.cli.output import echo_data, fail, guarded, printable, write_text, wrote
from rulebook.cli.scope import check_period, scope_warnings
from rulebook.io.outputs import replace_files
from rulebook.text import did_you_mean

if TYPE_CHECKING:
    from rulebook.document.frames import FrameAdjudication
    from rulebook.document.records import Adjudication
    from rulebook.intake.columns import FrameIntake
    from rulebook.model import Contract


@click.command("adjudicate")
@ARGS
@input_options
@STRICT
@click.option("--period", metavar="YYYY-MM", help="Show only this period.")
@click.option("--format", "fmt", type=OUTPUT_FORMATS, default="table", show_default=True)
@LANG
@click.option("--explain", is_flag=True, help="Add each record's reasons.")
@OUTPUT
@csv_options
def adjudicate_command(
    args: tuple[str, ...],
    period: str | None,
    fmt: str,
    lang: str | None,
    explain: bool,
    output: str | None,
    **opts: Any,
) -> None:
    """Cut every outage of OUTAGES into counted and excluded time under CONTRACT (an id or a
    path; default: the project file's), and measure each period. OUTAGES is CSV, JSON
    Lines, Parquet or a JSON case file; - is stdin."""
    contract, outages, _ = split_args(args, opts, 0, "adjudicate [CONTRACT] OUTAGES")
    _render(
        contract, outages, opts, fmt, lang_of(lang, opts), "adjudicate", explain, period, output
    )


@click.command("report")
@ARGS
@input_options
@STRICT
@click.option("--period", metavar="YYYY-MM", help="Show only this period.")
@click.option("--format", "fmt", type=OUTPUT_FORMATS, default="table", show_default=True)
@LANG
@OUTPUT
@csv_options
def report_command(
    args: tuple[str, ...],
    period: str | None,
    fmt: str,
    lang: str | None,
    output: str | None,
    **opts: Any,
) -> None:
    """Per service and period: availability against target, downtime, remedy ([CONTRACT]
    as for adjudicate)."""
    contract, outages, _ = split_args(args, opts, 0, "report [CONTRACT] OUTAGES")
    _render(contract, outages, opts, fmt, lang_of(lang, opts), "report", False, period, output)


def _render(
    contract: str,
    outages: str,
    opts: dict[str, Any],
    fmt: str,
    lang: str,
    what: str,
    explain: bool,
    period: str | None,
    output: str | None,
) -> None:
    """Adjudicate and print the `adjudicate` or `report` view; exit 1 after bad input."""
    from rulebook.report.writers import render, write_frames

    _applies(opts, fmt)
    loaded = load_contract(contract)
    if fmt in ("parquet", "csv") and output == "-" and not (fmt == "csv" and opts.get("csv_table")):
        raise click.UsageError(
            f"--format {fmt} writes files named after -o PREFIX: give a path, not -"
        )
    if fmt == "parquet" and not output:
        raise click.UsageError("--format parquet writes files: give -o PREFIX")
    prefixed = fmt == "parquet" or (fmt == "csv" and not opts.get("csv_table"))
    if prefixed and output and output.endswith(("/", os.sep)):
        raise click.UsageError(
            f"--format {fmt} writes files named after -o PREFIX (PREFIX.records.{fmt}, ...); "
            f"{output} ends with a slash, so the files would be hidden (.records.{fmt}): give "
            f"a name, such as {output}out"
        )
    if output and output != "-":
        names = [f"{output}.{n}.{fmt}" for n in ("records", "segments", "periods")]
        read = [outages, *_input_paths(opts), *read_files(contract, opts)]
        not_an_input(names if prefixed else [output], read)
    check_period(loaded, period)
    if opts["engine"] == "spark":
        if opts["source"]:
            raise click.UsageError(
                "--from is not supported with --engine spark; importers run "
                "with --engine columnar or records"
            )
        project = project_of(opts)
        if project.maps or project.timezone or input_encoding(opts):
            raise click.UsageError(
                f"--engine spark does not apply {project.path or '--encoding'}'s maps, "
                "timezone or encoding yet; use --engine columnar, or --no-config"
            )
        from rulebook.cli.spark import on_spark

        on_spark(loaded, outages, opts, fmt, lang, what, period, output)
        return
    if opts["engine"] == "stream":
        from rulebook.cli.stream import on_stream

        on_stream(loaded, outages, opts, fmt, lang, what, period, output)
        return
    # The log read is handed over, not kept: its text columns are freed once validated.
    result, intake = adjudicate_inputs(
        loaded, [guarded(lambda: read_inputs(outages, opts))], opts, fmt, explain
    )
    counts = _counts(intake, result)
    if fmt in ("jsonl", "parquet"):
        from rulebook.report.writers import counts_line

        written = guarded(lambda: write_frames(_frames(result), fmt, what, period, output))
        click.echo(f"rulebook: {counts_line(counts, lang)}", err=True)
        wrote(written)
    elif fmt in ("html", "pdf"):
        from rulebook.report import render_pdf, render_report

        if fmt == "pdf" and (not output or output == "-"):
            raise click.UsageError("--format pdf writes a file: give -o PATH, not -")
        prov = guarded(lambda: run_provenance(loaded, contract, outages, opts, period, lang))
        text = render_report(result, loaded, lang, counts, period, prov)
        if fmt == "html":
            wrote(guarded(lambda: write_text(text, output)))
        else:
            pdf = guarded(lambda: render_pdf(text))
            wrote(guarded(lambda: replace_files({str(output): pdf})))
    elif fmt == "csv":
        _write_csv(result, lang, counts, what, period, output, opts)
    else:
        text = render(result, fmt, lang, counts, what, explain, period)
        wrote(guarded(lambda: write_text(text, output)))
    if what == "report":
        remember(loaded, result)
    _finish(intake, scope_warnings(loaded, result, period, opts))


#: Options that apply to one engine or format only: given for another, a usage error
#: (a --memory given to the columnar engine bounded nothing, silently).
_ONLY = {
    "memory": (
        "--memory",
        "engine",
        ("stream",),
        "bounds --engine stream only (the other engines hold the whole log)",
    ),
    "master": ("--master", "engine", ("spark",), "names a cluster for --engine spark only"),
    "bom": ("--bom", "fmt", ("csv",), "is for --format csv only"),
    "csv_table": ("--what", "fmt", ("csv",), "is for --format csv only"),
    "explain": (
        "--explain",
        "fmt",
        ("table", "json", "markdown"),
        "adds each record's reasons to --format table, json or markdown only (`rulebook "
        "explain` gives one record's or one period's in full)",
    ),
}


def _applies(opts: dict[str, Any], fmt: str) -> None:
    """A usage error for an option given on the command line where it does nothing."""
    context = click.get_current_context()
    for name, (option, key, values, says) in _ONLY.items():
        given = context.get_parameter_source(name) == click.core.ParameterSource.COMMANDLINE
        actual = fmt if key == "fmt" else opts.get(key)
        if given and actual not in values:
            shown = "--format" if key == "fmt" else f"--{key}"
            raise click.UsageError(f"{option} {says}; it does nothing with {shown} {actual}")
    if context.params.get("explain") and opts["engine"] == "spark":
        raise click.UsageError(
            "--explain: --engine spark gives no reasons (its workers run the columnar plan); "
            "use --engine columnar or records"
        )


def _input_paths(opts: dict[str, Any]) -> list[str]:
    return [opts[k] for k in ("notices_path", "billing_path", "events_path") if opts.get(k)]


def remember(loaded: Contract, result: Adjudication | FrameAdjudication) -> None:
    """Note the periods reported, for the editor's `retroactive-amendment` warning
    (:mod:`rulebook.io.history`)."""
    from rulebook.document.provenance import generated_at
    from rulebook.document.records import Adjudication as Records
    from rulebook.io.history import record

    measured = result.periods if isinstance(result, Records) else result.plan.periods
    ends = [(s, p.period.label, p.period.end) for s, p in measured if p.observed]
    record(loaded, ends, generated_at())


def run_provenance(
    loaded: Contract,
    ref: str,
    outages: str,
    opts: dict[str, Any],
    period: str | None,
    lang: str,
) -> dict[str, Any]:
    """The provenance of this run: the contract's file, every input, the options, the
    project file read (if any), the time (``SOURCE_DATE_EPOCH`` when set)."""
    from rulebook.document.provenance import provenance
    from rulebook.load import resolve

    inputs = [(role, path) for role, path in named_inputs(outages, opts)]
    options = {**opts, "period": period, "lang": lang}
    project = project_of(opts)
    read = (project.path, project.sha256) if project.path and project.sha256 else None
    return provenance(loaded, resolve(ref), inputs, options, read)


def _write_csv(
    result: Adjudication | FrameAdjudication,
    lang: str,
    counts: tuple[int, ...],
    what: str,
    period: str | None,
    output: str | None,
    opts: dict[str, Any],
) -> None:
    """CSV: one table to standard output or PATH (``--what``), or both tables to
    PATH.records.csv and PATH.periods.csv."""
    from rulebook.report import render_csv
    from rulebook.report.writers import counts_line

    table = opts.get("csv_table")
    default = "periods" if what == "report" else "records"
    tables = [table] if table else (["records", "periods"] if output else [default])
    texts = render_csv(result, lang, counts, period, tables, bool(opts.get("bom")))
    click.echo(f"rulebook: {counts_line(counts, lang)}", err=True)
    if not output or (output == "-" and table):
        echo_data(texts[tables[0]])
        return
    files = {
        (output if table else f"{output}.{name}.csv"): text.encode("utf-8")
        for name, text in texts.items()
    }  # both tables, or neither: never half a pair
    wrote(guarded(lambda: replace_files(files)))


def _frames(result: Adjudication | FrameAdjudication) -> FrameAdjudication:
    from rulebook.document.frames import FrameAdjudication

    if not isinstance(result, FrameAdjudication):
        raise click.UsageError("--format jsonl and parquet are written by the columnar engine")
    return result


def _counts(intake: FrameIntake, result: Adjudication | FrameAdjudication) -> tuple[int, ...]:
    fallback = getattr(result, "fallback", 0)
    return (intake.read, intake.frame.height, intake.rejected, fallback)


def _finish(intake: FrameIntake, warned: bool = False) -> None:
    """Exit 1 after bad input, or after a warning under ``--strict`` (``warned``)."""
    if intake.errors:
        raise click.exceptions.Exit(fail(f"{len(intake.errors)} bad input item(s); see above"))
    if warned:
        raise click.exceptions.Exit(fail("--strict: warnings are errors; see above"))


@click.command("explain")
@click.argument("args", nargs=-1, metavar="[CONTRACT] OUTAGES [RECORD_ID]")
@input_options
@click.option(
    "--format", "fmt", type=click.Choice(["text", "markdown"]), default="text", show_default=True
)
@LANG
@click.option(
    "--period",
    "service_period",
    nargs=2,
    metavar="SERVICE YYYY-MM",
    help="Explain a service's period instead of a record: availability, budget, remedy.",
)
def explain_command(
    args: tuple[str, ...],
    fmt: str,
    lang: str | None,
    service_period: tuple[str, str] | None,
    **opts: Any,
) -> None:
    """The full reasons for one record, citing the clause text (the record engine, run on
    the record's neighbourhood: its stoppage, its event, its causes and theirs, the
    notices); or, with --period, one service's period. CONTRACT may be left out when the
    project file names one."""
    one_of = "give a RECORD_ID or --period SERVICE YYYY-MM (one of them)"
    if (service_period and len(args) == 3) or (
        not service_period and len(args) == 2 and project_of(opts).contract is None
    ):
        raise click.UsageError(one_of)
    usage = "explain [CONTRACT] OUTAGES " + (
        "--period SERVICE YYYY-MM" if service_period else "RECORD_ID"
    )
    contract, outages, rest = split_args(args, opts, 0 if service_period else 1, usage)
    record_id = rest[0] if rest else None
    lang = lang_of(lang, opts)
    loaded = load_contract(contract)
    check_period(loaded, service_period[1] if service_period else None)  # as report does
    result, intake = adjudicate_inputs(
        loaded, [guarded(lambda: read_inputs(outages, opts))], opts, fmt
    )
    from rulebook.report.writers import project_line
    from rulebook.text import markdown_text

    project = project_line(project_of(opts).provenance, lang)  # how the log was read
    if project:
        click.echo(printable(markdown_text(project) if fmt == "markdown" else project) + "\n")
    if service_period:
        _explain_period(result, service_period, lang, fmt)
        _finish(intake)
        return
    assert record_id is not None
    ids = intake.frame["id"].to_list()
    if record_id not in ids:
        copies = sorted(i for i in ids if i.startswith(f"{record_id}@"))
        hint = (
            f"the service map made it one record per service: {', '.join(copies)}"
            if copies
            else did_you_mean(record_id, ids)
        )
        raise click.exceptions.Exit(
            fail(f"no record '{record_id}' in {outages}" + (f"; {hint}" if hint else ""))
        )
    click.echo(printable(guarded(lambda: result.explain(record_id, lang, fmt, full=True))))
    _finish(intake)


def _explain_period(
    result: Adjudication | FrameAdjudication, service_period: tuple[str, str], lang: str, fmt: str
) -> None:
    service, period = service_period
    try:
        click.echo(printable(result.explain_period(service, period, lang, fmt)))
    except KeyError:
        known = [f"{p['service']} {p['period']}" for p in result.to_dict(records=False)["periods"]]
        hint = did_you_mean(f"{service} {period}", known)
        raise click.exceptions.Exit(
            fail(f"no period {period} of service '{service}'" + (f"; {hint}" if hint else ""))
        ) from None


@click.command("compare")
@click.argument("outages")
@click.option(
    "--contract",
    "contract_refs",
    multiple=True,
    required=True,
    help="A contract id or path; give two or more.",
)
@input_options
@STRICT
@click.option("--format", "fmt", type=COMPARE_FORMATS, default="table", show_default=True)
@LANG
def compare_command(
    outages: str, contract_refs: tuple[str, ...], fmt: str, lang: str | None, **opts: Any
) -> None:
    """The same log under several contracts, side by side."""
    lang = lang_of(lang, opts)
    if len(contract_refs) < 2:
        raise click.UsageError("compare needs two or more --contract (one: use report)")
    contracts = [load_contract(ref) for ref in contract_refs]
    ids = [c.id for c in contracts]
    twice = sorted({i for i in ids if ids.count(i) > 1})
    if twice:  # results are keyed by contract id
        refs = [r for r, c in zip(contract_refs, contracts, strict=True) if c.id == twice[0]]
        if len(set(refs)) == 1:
            raise click.UsageError(f"contract {twice[0]} is given twice; give each contract once")
        raise click.UsageError(
            f"{' and '.join(refs)} are both contract {twice[0]}: compare shows each contract "
            "by its id, so each needs its own (to compare a contract's versions, use diff)"
        )
    inputs = guarded(lambda: read_inputs(outages, opts))  # read once, stdin too
    results, intakes = [], []
    for loaded in contracts:
        result, intake = adjudicate_inputs(loaded, [inputs], opts, fmt)  # kept for the next
        results.append(result)
        intakes.append(intake)
    worst = max(intakes, key=lambda i: i.rejected)
    counts = _counts(worst, results[intakes.index(worst)])
    from rulebook.report.writers import render_compare

    click.echo(printable(render_compare(results, fmt, lang, counts)), nl=False)
    warned = [scope_warnings(c, r, None, opts) for c, r in zip(contracts, results, strict=True)]
    _finish(worst, any(warned))
