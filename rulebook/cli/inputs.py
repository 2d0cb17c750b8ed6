"""A command's inputs read once (:func:`read_inputs`), then, for each contract, mapped,
validated and adjudicated (:func:`adjudicate_inputs`) by the columnar plan or the record
engine. The readers, the engine, the columnar plan and polars are imported when a command
runs.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import attrs
import click

from rulebook.cli.options import input_encoding, project_of
from rulebook.cli.output import fail_error, guarded, said
from rulebook.errors import RulebookError
from rulebook.model import Contract
from rulebook.reprs import with_repr

if TYPE_CHECKING:
    from rulebook.document.frames import FrameAdjudication
    from rulebook.document.records import Adjudication
    from rulebook.intake.columns import FrameIntake
    from rulebook.intake.ongoing import Closing
    from rulebook.io.probes import Probes
    from rulebook.io.readers import Case


@with_repr
@attrs.frozen(repr=False)
class Inputs:
    """The command's inputs read once: ``compare`` hands the same records to every
    contract (standard input cannot be read twice)."""

    outages: str
    case: Case  # the other inputs, and the outages when they are not columns
    frame: Any  # the outage log as columns (CSV, JSON Lines, Parquet), or None
    notes: list[str]
    probes: Probes | None = None  # --from prometheus: cut into records for each contract
    step: int | None = None  # --step, in seconds


def read_inputs(outages: str, opts: dict[str, Any]) -> Inputs:
    """Read every input file; errors name the file and line."""
    from rulebook.intake.frames import read_log
    from rulebook.io.calendars import read_input
    from rulebook.io.readers import Case, Item, read_case

    stdin = [o for o, p in named_inputs(outages, opts) if p == "-"]
    if len(stdin) > 1:  # standard input can be read once
        raise click.UsageError(
            f"- (standard input) is given for {' and '.join(stdin)}; give it once"
        )
    notes: list[str] = []
    frame = probes = step = None
    encoding = input_encoding(opts)
    if opts["step"] and opts["source"] != "prometheus":
        raise click.UsageError("--step is for --from prometheus")
    if opts["source"] == "prometheus":
        from rulebook.io.probes import parse_step, read_probes

        try:
            step = parse_step(opts["step"]) if opts["step"] else None
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--step") from None
        probes, case = read_probes(outages), Case()
    elif opts["source"]:
        from rulebook.io.importers import import_file

        imports = dict(project_of(opts).imports)
        case, notes = import_file(outages, opts["source"], opts["verbose"], overrides=imports)
    else:
        frame = read_log(outages, opts["input_format"], encoding)
        case = (
            Case()
            if frame is not None
            else read_case(outages, opts["input_format"], "outages", encoding)
        )
    project = project_of(opts)
    if not opts["billing_path"]:  # --billing replaces the project's billing
        case.billing += [Item(project.place(line), fields) for _, fields, line in project.billing]
    for key, kind in (
        ("notices_path", "notices"),
        ("billing_path", "billing"),
        ("events_path", "events"),
    ):
        if opts[key]:
            extra = read_input(opts[key], kind, encoding)
            parts = ("outages", "notices", "billing", "events", "closures")
            held = [k for k in parts if k != kind and getattr(extra, k)]
            if held:  # only its `kind` would be read: the rest would be lost without a word
                raise click.UsageError(
                    f"{opts[key]}: a case file given to --{kind} holds '{held[0]}'; give a case "
                    "file as OUTAGES"
                )
            getattr(case, kind).extend(getattr(extra, kind))
    return Inputs(outages, case, frame, notes, probes, step)


def _cut_probes(contract: Contract, inputs: Inputs, opts: dict[str, Any]) -> Inputs:
    """Prometheus samples cut into records with this contract's probe interval."""
    from rulebook.io.probes import contract_interval, probe_case

    assert inputs.probes is not None
    interval = contract_interval(contract)
    cut, notes = probe_case(inputs.probes, interval, inputs.step, opts["verbose"])
    case = attrs.evolve(inputs.case, outages=cut.outages)
    return attrs.evolve(inputs, case=case, notes=[*inputs.notes, *notes])


def named_inputs(outages: str, opts: dict[str, Any]) -> list[tuple[str, str]]:
    """Every input path with the argument or option that named it."""
    named = [("OUTAGES", outages)]
    for key in ("notices", "billing", "events"):
        if opts[f"{key}_path"]:
            named.append((f"--{key}", opts[f"{key}_path"]))
    return named


def _take_in(
    contract: Contract, inputs: Inputs, opts: dict[str, Any], closing: Closing
) -> FrameIntake:
    """Map and validate the inputs against ``contract`` (:mod:`rulebook.mapping.apply`):
    columns by column, the rest by item; an ongoing record ``closing`` cannot close is
    refused with them."""
    from rulebook.io.readers import read_case
    from rulebook.mapping.apply import take_in
    from rulebook.mapping.compile import compile_mapping, scope_warnings

    project = project_of(opts)
    mapping = compile_mapping(project, contract, bool(opts.get("strict")))
    _warn(scope_warnings(project, contract))
    return take_in(
        mapping,
        contract,
        inputs.case,
        inputs.frame,
        "<stdin>" if inputs.outages == "-" else inputs.outages,
        lambda: read_case(inputs.outages, opts["input_format"], "outages", input_encoding(opts)),
        opts["keep_going"],
        _warn,
        closing,
    )


def _warn(lines: list[str]) -> None:
    """Warnings and notes on stderr, each once (``compare`` maps the log per contract)."""
    ctx = click.get_current_context()
    shown = ctx.meta.setdefault("rulebook.warned", set())
    for line in lines:
        if line not in shown:
            shown.add(line)
            click.echo(f"rulebook: {said(line)}", err=True)


class _Progress:
    """A bar over the stages of a long run, on a terminal only."""

    def __init__(self, show: bool, stages: int) -> None:
        self.bar = (
            click.progressbar(length=stages, label="reading", file=sys.stderr) if show else None
        )
        if self.bar is not None:
            self.bar.__enter__()

    def __call__(self, stage: str) -> None:
        if self.bar is not None:
            self.bar.label = stage.replace("_", " ")
            self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


def adjudicate_inputs(
    contract: Contract,
    handed: list[Inputs],
    opts: dict[str, Any],
    fmt: str,
    explain: bool = False,
) -> tuple[Adjudication | FrameAdjudication, FrameIntake]:
    """Validate and adjudicate: the columnar plan, or the record engine when asked for or
    when every record's reasons are wanted (``--explain``: the engine is the explainer).
    The inputs are taken out of ``handed``: when no one else holds them, the log as read
    is freed once validated, before the plan runs."""
    from rulebook.columnar.plan import STAGES
    from rulebook.document.frames import adjudicate_intake, as_of_instant
    from rulebook.intake.frames import CsvChunks
    from rulebook.intake.ongoing import Closing
    from rulebook.intake.records import timezone_of

    inputs = handed.pop()
    if inputs.probes is not None:
        probed = inputs
        inputs = guarded(lambda: _cut_probes(contract, probed, opts))
    if isinstance(inputs.frame, CsvChunks):  # not read yet: its size tells (~100 B a row)
        big = inputs.frame.size > 20000 * 100
    else:
        rows = inputs.frame.frame.height if inputs.frame is not None else len(inputs.case.outages)
        big = rows > 20000
    progress = _Progress(sys.stderr.isatty() and big, len(STAGES) + 1)
    try:
        for note in inputs.notes:
            click.echo(f"rulebook: note: {said(note)}", err=True)
        as_of, (since, until) = _as_of(opts), span_of(opts)
        closing = Closing(as_of_instant(as_of, timezone_of(contract)))
        intake = _take_in(contract, inputs, opts, closing)
        del inputs
        progress("validating")
        for error in intake.errors:
            click.echo(f"rulebook: {said(str(error))}", err=True)
        result: Adjudication | FrameAdjudication
        if opts["engine"] == "records" or explain:
            result = _record_engine(contract, intake, as_of, since, until)
        else:
            result = adjudicate_intake(contract, intake, as_of, progress, since, until)
        result = attrs.evolve(result, project_file=project_of(opts).provenance)
    except RulebookError as exc:
        raise click.exceptions.Exit(fail_error(exc)) from None
    finally:
        progress.close()
    return result, intake


def _as_of(opts: dict[str, Any]) -> str | None:
    """``--as-of``; without an offset, in the project's timezone when it names one."""
    import datetime as dt
    import zoneinfo

    from rulebook.intake.spreadsheet import spreadsheet_iso

    as_of: str | None = opts["as_of"]
    timezone = project_of(opts).timezone
    if as_of is None or timezone is None:
        return as_of
    try:
        moment = dt.datetime.fromisoformat(spreadsheet_iso(as_of) or as_of.strip())
    except ValueError:
        return as_of  # refused by the engine, with its message
    if moment.tzinfo is not None:
        return as_of
    first = moment.replace(tzinfo=zoneinfo.ZoneInfo(timezone), fold=0)
    if first.utcoffset() != moment.replace(tzinfo=first.tzinfo, fold=1).utcoffset():
        return as_of  # a clock change: the engine names it (with an offset it is clear)
    return first.isoformat()


def span_of(opts: dict[str, Any]) -> tuple[str | None, str | None]:
    """``--since`` and ``--until``, else the project file's ``[import]`` ones."""
    from rulebook.io.impacts import span_setting

    since, until = span_setting(dict(project_of(opts).imports))
    return opts.get("since") or since, opts.get("until") or until


def _record_engine(
    contract: Contract,
    intake: FrameIntake,
    as_of: str | None,
    since: str | None = None,
    until: str | None = None,
) -> Adjudication:
    """The record engine over validated input (the frame's rows as its records)."""
    from rulebook.document.records import adjudicate, records_of

    records = records_of(contract, intake)
    return adjudicate(
        contract,
        records,
        intake.notices,
        as_of,
        intake.closures,
        intake.billing,
        since=since,
        until=until,
    )
