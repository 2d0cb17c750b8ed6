"""The options and arguments the commands share, and what they name: the input options
(:func:`input_options`) and the output ones, the project file read once a command
(:func:`project_of`), ``[CONTRACT]`` taken from it when left out (:func:`split_args`), a
contract loaded for a command (:func:`load_contract`), the bundled contracts.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from rulebook.cli.output import fail, fail_error, printable, said
from rulebook.errors import RulebookError
from rulebook.load import (
    EXTENSION,
    VOCABULARY_FILE,
    bundled_dir,
    check_one,
    imported_files,
    resolve,
)
from rulebook.model import Contract

if TYPE_CHECKING:
    from rulebook.project import Project


# Kept here, not imported from rulebook.io: `rulebook check` need not load the readers.
SOURCES = ("gcp-status", "statuspage", "prometheus")
FORMATS = ("csv", "jsonl", "json", "parquet")
ENGINES = ("columnar", "records", "spark", "stream")


OUTPUT_FORMATS = click.Choice(
    ["table", "json", "markdown", "jsonl", "parquet", "html", "pdf", "csv"]
)
COMPARE_FORMATS = click.Choice(["table", "json", "markdown"])
_LANGS = click.Choice(["en", "ja"])


def _instant(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """``--as-of``, ``--since``, ``--until``: an instant the engine reads (one without an
    offset is read later in the contract's timezone, or the project file's), and a span
    that ends after it starts; else a usage error (exit 2), before any input is read."""
    if value is None:
        return None
    import datetime as dt

    from rulebook.intake.records import RecordError, parse_instant
    from rulebook.intake.spreadsheet import spreadsheet_iso

    name = str(param.name)
    try:
        parse_instant(value, dt.UTC, name, None)
    except RecordError as exc:
        raise click.BadParameter(f"{said(exc.problem)}; accepted: {exc.accepted}") from None
    other = {"since": "until", "until": "since"}.get(name)
    if other is not None and ctx.params.get(other) is not None:
        since, until = (value, ctx.params[other]) if name == "since" else (ctx.params[other], value)
        first, last = (
            dt.datetime.fromisoformat(spreadsheet_iso(v) or v.strip()) for v in (since, until)
        )
        # both with an offset or both without (else the contract's timezone decides: the
        # engine compares them then)
        if (first.tzinfo is None) == (last.tzinfo is None) and last <= first:
            raise click.BadParameter(
                f"{said(until)} is not after --since {said(since)}; accepted: a later --until",
                param_hint="'--until'",
            )
    return value


def input_options(func: Any) -> Any:
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
            "--from",
            "source",
            type=click.Choice(SOURCES),
            help="Import an export: Google Cloud status incidents (a record per affected "
            "product and region; informational notices are not outages), Statuspage v2 (a "
            "record per affected component; maintenances as notices), or Prometheus "
            "probe_success from a range query (a record per run of failed samples of a "
            "target). Mappings: docs/formats.md.",
        ),
        click.option(
            "--step",
            metavar="DURATION",
            help="With --from prometheus: the query's step (60, 30s, 5m; default: the "
            "spacing of the samples). A sample stands for at most the contract's probe "
            "interval, or the step where the contract gives none or it is wider.",
        ),
        click.option(
            "--verbose",
            is_flag=True,
            help="With --from: say what each skipped or changed entry became, one line each; "
            "with --engine spark or stream: how the log was cut into parts.",
        ),
        click.option(
            "--input-format",
            type=click.Choice(list(FORMATS)),
            help="Format of OUTAGES (default: by extension).",
        ),
        click.option(
            "--as-of",
            metavar="TIMESTAMP",
            callback=_instant,
            help="Close ongoing records at this instant.",
        ),
        click.option(
            "--since",
            metavar="DATE",
            callback=_instant,
            help="The log covers from this date or instant (default: the start of the period "
            "of its first record): the periods it covers are measured, others are no data.",
        ),
        click.option(
            "--until",
            metavar="DATE",
            callback=_instant,
            help="The log covers until this date or instant, exclusive (default: the end of "
            "the period of its last record's start).",
        ),
        click.option(
            "--keep-going",
            is_flag=True,
            help="Report every bad record, adjudicate the rest, exit 1.",
        ),
        click.option(
            "--engine",
            type=click.Choice(ENGINES),
            default="columnar",
            show_default=True,
            help="The columnar plan, the record engine (the explainer), Spark, or the stream "
            "(a log larger than memory, a chunk at a time; same figures).",
        ),
        click.option(
            "--memory",
            metavar="SIZE",
            default="2GiB",
            show_default=True,
            help="With --engine stream: the memory to stay within (e.g. 512MiB, 8GiB); the "
            "log is read in chunks sized from it.",
        ),
        click.option(
            "--master", metavar="URL", help="With --engine spark: the cluster (default local[2])."
        ),
        click.option(
            "--encoding",
            metavar="NAME",
            callback=encoding_option,
            help="Encoding of the input files and stdin: utf-8 (default), utf-8-sig, cp932 "
            "(shift_jis), euc-jp, ...; a UTF-8 BOM is always honoured.",
        ),
        click.option(
            "--config",
            metavar="PATH",
            help="The project file (default: rulebook.toml in this folder or the nearest "
            "parent that has one).",
        ),
        click.option("--no-config", is_flag=True, help="Read no project file."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


STRICT = click.option(
    "--strict",
    is_flag=True,
    help="Out-of-scope records, an empty --period or columns that are no field are errors "
    "(exit 1), not warnings.",
)


OUTPUT = click.option(
    "-o",
    "--output",
    metavar="PATH",
    help="Write to PATH (for parquet: PATH.records.parquet, PATH.segments.parquet, "
    "PATH.periods.parquet; for csv without --what: PATH.records.csv, PATH.periods.csv).",
)


def csv_options(func: Any) -> Any:
    func = click.option(
        "--bom", is_flag=True, help="csv: start with a UTF-8 byte order mark (Excel)."
    )(func)
    return click.option(
        "--what",
        "csv_table",
        type=click.Choice(["records", "periods"]),
        help="csv: write only this table.",
    )(func)


LANG = click.option(
    "--lang", type=_LANGS, help="Language of the output (default: the project's, else en)."
)
ARGS = click.argument("args", nargs=-1, metavar="[CONTRACT] OUTAGES")


def encoding_option(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    from rulebook.io.readers import encoding_of

    if value is None:
        return None
    try:
        return encoding_of(value)
    except RulebookError as exc:
        raise click.BadParameter(printable(str(exc))) from None


def project_of(opts: dict[str, Any]) -> Project:
    """The project file of the command (``--config``, found, or none), read once."""
    from rulebook.project import discover

    if "project" not in opts:
        notes: list[str] = []
        try:
            opts["project"] = discover(opts.get("config"), bool(opts.get("no_config")), None, notes)
        except RulebookError as exc:
            raise click.exceptions.Exit(fail_error(exc)) from None
        finally:
            for note in notes:
                click.echo(f"rulebook: {said(note)}", err=True)
        used: Project = opts["project"]
        if used.path is not None:  # a file found in a parent folder changes the figures
            click.echo(
                f"rulebook: project file {printable(used.path)} (sha256 {used.sha256}); "
                "--no-config runs without it",
                err=True,
            )
    project: Project = opts["project"]
    return project


def split_args(
    args: tuple[str, ...], opts: dict[str, Any], tail: int, usage: str
) -> tuple[str, str, tuple[str, ...]]:
    """CONTRACT, OUTAGES and ``tail`` more arguments; CONTRACT may be left out when the
    project file names one (``contract = ...``)."""
    if len(args) == tail + 2:
        return args[0], args[1], args[2:]
    if len(args) == tail + 1:
        contract = project_of(opts).contract
        if contract is None:
            raise click.UsageError(
                f"give CONTRACT (a bundled id or a path), or name it in rulebook.toml "
                f"(contract = ...); usage: {usage}"
            )
        return contract, args[0], args[1:]
    raise click.UsageError(f"expected {usage}, got {len(args)} argument(s)")


def lang_of(lang: str | None, opts: dict[str, Any]) -> str:
    return lang or project_of(opts).lang or "en"


def input_encoding(opts: dict[str, Any]) -> str | None:
    encoding: str | None = opts.get("encoding") or project_of(opts).encoding
    return encoding


def load_contract(ref: str) -> Contract:
    try:
        path = resolve(ref)
    except RulebookError as exc:
        raise click.exceptions.Exit(fail(str(exc))) from None
    loaded = check_one(path)
    if loaded.errors:
        for d in loaded.errors:
            click.echo(said(d.render()), err=True)
        raise click.exceptions.Exit(fail(f"contract {ref} has {len(loaded.errors)} error(s)"))
    if len(loaded.contracts) != 1:
        count = len(loaded.contracts)
        raise click.exceptions.Exit(fail(f"{path} holds {count} contracts; expected exactly one"))
    return loaded.contracts[0]


def bundled_files() -> list[Path]:
    return sorted(p for p in bundled_dir().glob("*" + EXTENSION) if p.name != VOCABULARY_FILE)


def not_an_input(outputs: list[str], inputs: list[str]) -> None:
    """A usage error when an output would be put in place of an input file (``report LOG
    -o LOG`` replaced the log with its own report)."""
    for output in outputs:
        for given in inputs:
            try:
                same = given != "-" and os.path.samefile(output, given)
            except OSError:  # one of them is not there (yet)
                continue
            if same:
                raise click.UsageError(
                    f"-o {output} is the input {given}: the output would replace it; "
                    "give another name"
                )


def read_files(contract: str | None, opts: dict[str, Any] | None = None) -> list[str]:
    """The files a command reads besides its inputs, which no output may replace: the
    contract's file (a bundled id: the package's file), every file it imports and theirs,
    and the project file (when ``opts`` are given; found, or ``--config``)."""
    files: list[str] = []
    if contract is not None:
        if "@" in contract and not Path(contract).exists():  # FILE@VERSION (diff)
            contract = contract.rsplit("@", 1)[0]
        try:
            todo = [resolve(contract)]
        except RulebookError:  # not found: the command says so when it loads it
            todo = []
        seen: set[str] = set()
        while todo:
            path = todo.pop()
            real = os.path.realpath(path)
            if real in seen:
                continue
            seen.add(real)
            files.append(str(path))
            todo.extend(target for _, target in imported_files(path))
    if opts is not None and project_of(opts).path is not None:
        files.append(str(project_of(opts).path))
    return files
