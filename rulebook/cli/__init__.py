"""The command line: parse arguments, call the library, print, set the exit code.

Exit codes: 0 clean, 1 problems found (or a contract that cannot be used), 2 usage error.
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
import click

from rulebook._version import __version__
from rulebook.diagnostics import attach_source
from rulebook.errors import RulebookError
from rulebook.load import (
    EXTENSION,
    VOCABULARY_FILE,
    bundled_dir,
    check_files,
    check_one,
    resolve,
)
from rulebook.model import Contract
from rulebook.text import did_you_mean

if TYPE_CHECKING:
    from rulebook.document.frames import FrameAdjudication
    from rulebook.document.records import Adjudication
    from rulebook.intake.columns import FrameIntake
    from rulebook.io.probes import Probes
    from rulebook.io.readers import Case
    from rulebook.project import Project

# Kept here, not imported from the formats modules: `rulebook check` need not load them.
SOURCES = ("gcp-status", "statuspage", "prometheus")
FORMATS = ("csv", "jsonl", "json", "parquet")
ENGINES = ("columnar", "records", "spark")


class _Group(click.Group):
    """The command group: output that cannot be written (a full disk, a closed pipe) ends
    the command with one line and exit 1, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except OSError as exc:
            _drop_stdout()
            raise click.exceptions.Exit(
                _fail(f"cannot write the output: {exc.strerror or exc}")
            ) from None
        # (reading errors never get here: readers turn them into RulebookError)


def _drop_stdout() -> None:
    """Point stdout at the null device, so that the flush at exit cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # no file descriptor (a test runner)
        pass


_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f]")


def printable(text: str) -> str:
    r"""Text from input made safe for a terminal: control characters (ESC, OSC, NUL, ...)
    shown as escapes, never sent raw; newlines and tabs kept.

    >>> printable("a\x1b[31mb\x00")
    'a\\x1b[31mb\\x00'
    """
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="rulebook")
def main() -> None:
    """rulebook: settle which outage minutes an SLA counts, and explain why."""


@main.command()
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
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
            click.echo(printable(d.render()))
            click.echo()
        click.echo(
            f"{len(paths)} file(s), {len(loaded.contracts)} contract(s): "
            f"{errors} error(s), {warnings} warning(s)"
        )
    sys.exit(1 if errors or (strict and warnings) else 0)


@main.command("test")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
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
            click.echo(printable(d.render()), err=True)
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
    type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
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

_FORMATS = click.Choice(["table", "json", "markdown", "jsonl", "parquet", "html", "csv"])
_COMPARE_FORMATS = click.Choice(["table", "json", "markdown"])
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
            help="With --from: say what each skipped or changed entry became, one line each.",
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
        click.option(
            "--engine",
            type=click.Choice(ENGINES),
            default="columnar",
            show_default=True,
            help="The columnar plan, the record engine (the explainer), or Spark (same figures).",
        ),
        click.option(
            "--master", metavar="URL", help="With --engine spark: the cluster (default local[2])."
        ),
        click.option(
            "--encoding",
            metavar="NAME",
            callback=_encoding_option,
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


_STRICT = click.option(
    "--strict",
    is_flag=True,
    help="Out-of-scope records, an empty --period or columns that are no field are errors "
    "(exit 1), not warnings.",
)


def _encoding_option(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    from rulebook.io.readers import encoding_of

    if value is None:
        return None
    try:
        return encoding_of(value)
    except RulebookError as exc:
        raise click.BadParameter(printable(str(exc))) from None


def _project(opts: dict[str, Any]) -> Project:
    """The project file of the command (``--config``, found, or none), read once."""
    from rulebook.project import discover

    if "project" not in opts:
        try:
            opts["project"] = discover(opts.get("config"), bool(opts.get("no_config")))
        except RulebookError as exc:
            raise click.exceptions.Exit(_fail_error(exc)) from None
    project: Project = opts["project"]
    return project


def _split_args(
    args: tuple[str, ...], opts: dict[str, Any], tail: int, usage: str
) -> tuple[str, str, tuple[str, ...]]:
    """CONTRACT, OUTAGES and ``tail`` more arguments; CONTRACT may be left out when the
    project file names one (``contract = ...``)."""
    if len(args) == tail + 2:
        return args[0], args[1], args[2:]
    if len(args) == tail + 1:
        contract = _project(opts).contract
        if contract is None:
            raise click.UsageError(
                f"give CONTRACT (a bundled id or a path), or name it in rulebook.toml "
                f"(contract = ...); usage: {usage}"
            )
        return contract, args[0], args[1:]
    raise click.UsageError(f"expected {usage}, got {len(args)} argument(s)")


def _lang(lang: str | None, opts: dict[str, Any]) -> str:
    return lang or _project(opts).lang or "en"


def _load_contract(ref: str) -> Contract:
    try:
        path = resolve(ref)
    except RulebookError as exc:
        raise click.exceptions.Exit(_fail(str(exc))) from None
    loaded = check_one(path)
    if loaded.errors:
        for d in loaded.errors:
            click.echo(printable(d.render()), err=True)
        raise click.exceptions.Exit(_fail(f"contract {ref} has {len(loaded.errors)} error(s)"))
    if len(loaded.contracts) != 1:
        count = len(loaded.contracts)
        raise click.exceptions.Exit(_fail(f"{path} holds {count} contracts; expected exactly one"))
    return loaded.contracts[0]


def _fail(message: str) -> int:
    click.echo(f"rulebook: {printable(message)}", err=True)
    return 1


def _fail_error(exc: RulebookError) -> int:
    """An error's message; a project file's problems one a line, as contract diagnostics
    are printed, then how many there are."""
    from rulebook.project import ProjectError

    lines = str(exc).split("\n")
    if not isinstance(exc, ProjectError) or len(lines) < 2:
        return _fail(str(exc))
    for line in lines:
        click.echo(printable(line), err=True)
    return _fail(f"{len(lines)} problem(s) in the project file; see above")


@attrs.frozen
class _Inputs:
    """The command's inputs read once: ``compare`` hands the same records to every
    contract (standard input cannot be read twice)."""

    outages: str
    case: Case  # the other inputs, and the outages when they are not columns
    frame: Any  # the outage log as columns (CSV, JSON Lines, Parquet), or None
    notes: list[str]
    probes: Probes | None = None  # --from prometheus: cut into records for each contract
    step: int | None = None  # --step, in seconds


def _read_inputs(outages: str, opts: dict[str, Any]) -> _Inputs:
    """Read every input file; errors name the file and line."""
    from rulebook.intake.columns import read_frame
    from rulebook.io.readers import Case, Item, read_case

    stdin = [o for o, p in _named_inputs(outages, opts) if p == "-"]
    if len(stdin) > 1:  # standard input can be read once
        raise click.UsageError(
            f"- (standard input) is given for {' and '.join(stdin)}; give it once"
        )
    notes: list[str] = []
    frame = probes = step = None
    encoding = _encoding(opts)
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

        case, notes = import_file(outages, opts["source"], opts["verbose"])
    else:
        frame = read_frame(outages, opts["input_format"], encoding)
        case = (
            Case()
            if frame is not None
            else read_case(outages, opts["input_format"], "outages", encoding)
        )
    project = _project(opts)
    if not opts["billing_path"]:  # --billing replaces the project's billing
        case.billing += [Item(project.place(line), fields) for _, fields, line in project.billing]
    for key, kind in (
        ("notices_path", "notices"),
        ("billing_path", "billing"),
        ("events_path", "events"),
    ):
        if opts[key]:
            extra = read_case(opts[key], None, kind, encoding)
            parts = ("outages", "notices", "billing", "events", "closures")
            held = [k for k in parts if k != kind and getattr(extra, k)]
            if held:  # only its `kind` would be read: the rest would be lost without a word
                raise click.UsageError(
                    f"{opts[key]}: a case file given to --{kind} holds '{held[0]}'; give a case "
                    "file as OUTAGES"
                )
            getattr(case, kind).extend(getattr(extra, kind))
    return _Inputs(outages, case, frame, notes, probes, step)


def _cut_probes(contract: Contract, inputs: _Inputs, opts: dict[str, Any]) -> _Inputs:
    """Prometheus samples cut into records with this contract's probe interval."""
    from rulebook.io.probes import contract_interval, probe_case

    assert inputs.probes is not None
    interval = contract_interval(contract)
    cut, notes = probe_case(inputs.probes, interval, inputs.step, opts["verbose"])
    case = attrs.evolve(inputs.case, outages=cut.outages)
    return attrs.evolve(inputs, case=case, notes=[*inputs.notes, *notes])


def _named_inputs(outages: str, opts: dict[str, Any]) -> list[tuple[str, str]]:
    """Every input path with the argument or option that named it."""
    named = [("OUTAGES", outages)]
    for key in ("notices", "billing", "events"):
        if opts[f"{key}_path"]:
            named.append((f"--{key}", opts[f"{key}_path"]))
    return named


def _encoding(opts: dict[str, Any]) -> str | None:
    encoding: str | None = opts.get("encoding") or _project(opts).encoding
    return encoding


def _take_in(contract: Contract, inputs: _Inputs, opts: dict[str, Any]) -> FrameIntake:
    """Map and validate the inputs against ``contract`` (:mod:`rulebook.mapping.apply`):
    columns by column, the rest by item."""
    from rulebook.io.readers import read_case
    from rulebook.mapping.apply import compile_mapping, scope_warnings, take_in

    project = _project(opts)
    mapping = compile_mapping(project, contract, bool(opts.get("strict")))
    _warn(scope_warnings(project, contract))
    return take_in(
        mapping,
        contract,
        inputs.case,
        inputs.frame,
        "<stdin>" if inputs.outages == "-" else inputs.outages,
        lambda: read_case(inputs.outages, opts["input_format"], "outages", _encoding(opts)),
        opts["keep_going"],
        _warn,
    )


def _warn(lines: list[str]) -> None:
    """Warnings and notes on stderr, each once (``compare`` maps the log per contract)."""
    ctx = click.get_current_context()
    shown = ctx.meta.setdefault("rulebook.warned", set())
    for line in lines:
        if line not in shown:
            shown.add(line)
            click.echo(f"rulebook: {printable(line)}", err=True)


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


def _adjudicate(
    contract: Contract,
    handed: list[_Inputs],
    opts: dict[str, Any],
    fmt: str,
    explain: bool = False,
) -> tuple[Adjudication | FrameAdjudication, FrameIntake]:
    """Validate and adjudicate: the columnar plan, or the record engine when asked for or
    when every record's reasons are wanted (``--explain``: the engine is the explainer).
    The inputs are taken out of ``handed``: when no one else holds them, the log as read
    is freed once validated, before the plan runs."""
    from rulebook.columnar.plan import STAGES
    from rulebook.document.frames import adjudicate_intake

    inputs = handed.pop()
    if inputs.probes is not None:
        probed = inputs
        inputs = _guarded(lambda: _cut_probes(contract, probed, opts))
    rows = inputs.frame.frame.height if inputs.frame is not None else len(inputs.case.outages)
    big = rows > 20000
    progress = _Progress(sys.stderr.isatty() and big, len(STAGES) + 1)
    try:
        for note in inputs.notes:
            click.echo(f"rulebook: note: {printable(note)}", err=True)
        intake = _take_in(contract, inputs, opts)
        del inputs
        progress("validating")
        for error in intake.errors:
            click.echo(f"rulebook: {printable(str(error))}", err=True)
        result: Adjudication | FrameAdjudication
        as_of = _as_of(opts)
        if opts["engine"] == "records" or explain:
            result = _record_engine(contract, intake, as_of)
        else:
            result = adjudicate_intake(contract, intake, as_of, progress)
    except RulebookError as exc:
        raise click.exceptions.Exit(_fail_error(exc)) from None
    finally:
        progress.close()
    return result, intake


def _as_of(opts: dict[str, Any]) -> str | None:
    """``--as-of``; without an offset, in the project's timezone when it names one."""
    import datetime as dt
    import zoneinfo

    from rulebook.intake.records import spreadsheet_iso

    as_of: str | None = opts["as_of"]
    timezone = _project(opts).timezone
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


def _record_engine(contract: Contract, intake: FrameIntake, as_of: str | None) -> Adjudication:
    """The record engine over validated input (the frame's rows as its records)."""
    from rulebook.columnar.plan import Plan, outage_records
    from rulebook.document.records import adjudicate
    from rulebook.intake.records import timezone_of

    assert contract.vocabulary is not None
    plan = Plan(
        contract,
        timezone_of(contract),
        intake.frame,
        [],
        {},
        frozenset(),
        None,
        intake.exact,
        {f.name: f for f in contract.vocabulary.facts},
    )
    records = outage_records(plan, intake.frame)
    return adjudicate(contract, records, intake.notices, as_of, intake.closures, intake.billing)


def _finish(intake: FrameIntake, warned: bool = False) -> None:
    """Exit 1 after bad input, or after a warning under ``--strict`` (``warned``)."""
    if intake.errors:
        raise click.exceptions.Exit(_fail(f"{len(intake.errors)} bad input item(s); see above"))
    if warned:
        raise click.exceptions.Exit(_fail("--strict: warnings are errors; see above"))


_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
_QUARTER = re.compile(r"\d{4}-Q[1-4]")


def _check_period(contract: Contract, period: str | None) -> None:
    """A ``--period`` the contract's periods could be labelled with, or a usage error."""
    from rulebook.engine.adjudicate import availability_clause

    if period is None:
        return
    clause = availability_clause(contract)
    quarterly = clause is not None and clause.period == "quarter"
    pattern, accepted = (_QUARTER, "YYYY-Qn (n 1 to 4)") if quarterly else (_MONTH, "YYYY-MM")
    if not pattern.fullmatch(period):
        kind = "quarterly" if quarterly else "monthly"
        raise click.BadParameter(
            f"'{period}' is not a period of contract {contract.id} ({kind}): give {accepted}",
            param_hint="'--period'",
        )


_SHOWN = 10  # out-of-scope services named in the warning


def _out_of_scope(result: Any) -> dict[str, int]:
    """The services of the out-of-scope records, with how many records each."""
    if hasattr(result, "out_of_scope"):  # the columnar and the Spark results
        return dict(result.out_of_scope())
    found: dict[str, int] = {}
    for v in result.verdicts:
        if v.verdict == "out_of_scope":
            found[v.record.service] = found.get(v.record.service, 0) + 1
    return dict(sorted(found.items()))


def scope_warning(contract: Contract, services: dict[str, int]) -> str | None:
    """One warning for the out-of-scope records (``services``: records per service name),
    naming the nearest covered names and how to map them; None when there are none."""
    if not services:
        return None
    covers = [t.value for s in contract.of_kind("services") for t in getattr(s, "covers", ())]
    records = sum(services.values())
    lines = [
        f"warning: {records} record(s) of {len(services)} service(s) are out of scope: "
        f"contract {contract.id} does not cover them, so no time of theirs is counted"
    ]
    for name in list(services)[:_SHOWN]:
        hint = did_you_mean(name, covers)
        lines.append(f"  {name} ({services[name]} record(s))" + (f": {hint}" if hint else ""))
    if len(services) > _SHOWN:
        lines.append(f"  and {len(services) - _SHOWN} more")
    lines.append(
        f"  covered: {', '.join(covers) or '(none)'}; to count such records, map the name to "
        "a covered one in rulebook.toml ([[services]]), rename the service in the log or "
        "add it to the contract's `covers` (see docs/formats.md)"
    )
    return "\n".join(lines)


def _scope_warnings(
    contract: Contract,
    result: Any,  # the record engine's, the columnar or the Spark result
    period: str | None,
    opts: dict[str, Any],
) -> bool:
    """Warn on stderr when records are out of scope, or when ``period`` holds no record;
    True when something was warned."""
    warnings = []
    scoped = scope_warning(contract, _out_of_scope(result))
    if scoped:
        warnings.append(scoped)
    if period is not None:
        from rulebook.document.frames import FrameAdjudication

        measured: Any = result.periods  # the record engine's
        if isinstance(result, FrameAdjudication):
            measured = result.plan.periods
        elif hasattr(result, "measured"):  # Spark's, settled on the driver
            measured = result.measured
        labels = [p.period.label for _, p in measured]
        if period not in labels:
            seen = sorted(set(labels))
            span = f"{seen[0]} to {seen[-1]}" if seen else "none"
            warnings.append(f"warning: no record falls in period {period} (periods seen: {span})")
    for text in warnings:
        click.echo(f"rulebook: {printable(text)}", err=True)
    return bool(warnings) and bool(opts.get("strict"))


def _counts(intake: FrameIntake, result: Adjudication | FrameAdjudication) -> tuple[int, ...]:
    fallback = getattr(result, "fallback", 0)
    return (intake.read, intake.frame.height, intake.rejected, fallback)


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

    loaded = _load_contract(contract)
    if fmt == "parquet" and not output:
        raise click.UsageError("--format parquet writes files: give -o PREFIX")
    _check_period(loaded, period)
    if opts["engine"] == "spark":
        if opts["source"]:
            raise click.UsageError(
                "--from is not supported with --engine spark; importers run "
                "with --engine columnar or records"
            )
        project = _project(opts)
        if project.maps or project.timezone or _encoding(opts):
            raise click.UsageError(
                f"--engine spark does not apply {project.path or '--encoding'}'s maps, "
                "timezone or encoding yet; use --engine columnar, or --no-config"
            )
        _on_spark(loaded, outages, opts, fmt, lang, what, period, output)
        return
    # The log read is handed over, not kept: its text columns are freed once validated.
    result, intake = _adjudicate(
        loaded, [_guarded(lambda: _read_inputs(outages, opts))], opts, fmt, explain
    )
    counts = _counts(intake, result)
    if fmt in ("jsonl", "parquet"):
        from rulebook.report.writers import counts_line

        written = _guarded(lambda: write_frames(_frames(result), fmt, what, period, output))
        click.echo(f"rulebook: {counts_line(counts, lang)}", err=True)
        for path in written:
            click.echo(f"rulebook: wrote {path}", err=True)
    elif fmt == "html":
        from rulebook.report import render_report

        text = render_report(result, loaded, lang, counts, period)
        _guarded(lambda: _write_text(text, output))
    elif fmt == "csv":
        _write_csv(result, lang, counts, what, period, output, opts)
    else:
        text = render(result, fmt, lang, counts, what, explain, period)
        _guarded(lambda: _write_text(text, output))
    _finish(intake, _scope_warnings(loaded, result, period, opts))


def _on_spark(
    contract: Contract,
    outages: str,
    opts: dict[str, Any],
    fmt: str,
    lang: str,
    what: str,
    period: str | None,
    output: str | None,
) -> None:
    """The log read and adjudicated by Spark (paths, globs, folders of Parquet, CSV or JSON
    Lines); tables and JSON collected on the driver, Parquet written by Spark."""
    from rulebook import spark as rs
    from rulebook.io.readers import read_case
    from rulebook.report.writers import counts_line, render

    if fmt in ("jsonl", "html", "csv"):
        raise click.UsageError("--engine spark writes table, markdown, json or parquet")

    def extra(key: str, kind: str) -> list[Any]:
        if kind == "billing" and not opts[key]:  # the project file's, if any
            return [fields for _, fields, _ in _project(opts).billing]
        return (
            [i.data for i in getattr(read_case(opts[key], None, kind), kind)] if opts[key] else []
        )

    def run() -> Any:
        session = rs.session(opts["master"])
        frame = rs.read(session, [outages], opts["input_format"])
        return rs.adjudicate(
            frame,
            contract,
            notices=extra("notices_path", "notices"),
            billing=extra("billing_path", "billing"),
            as_of=opts["as_of"],
            keep_going=opts["keep_going"],
            source=outages,
        )

    result = _guarded(run)
    for error in result.errors:
        click.echo(f"rulebook: {error}", err=True)
    counts = (result.read, result.adjudicated, len(result.errors), 0)
    if fmt == "parquet":
        assert output is not None
        for path in _guarded(lambda: result.write_parquet(output)):
            click.echo(f"rulebook: wrote {path}", err=True)
        click.echo(f"rulebook: {counts_line(counts, lang)}", err=True)
    else:
        text = _guarded(lambda: render(result, fmt, lang, counts, what, False, period))
        _guarded(lambda: _write_text(text, output))
    warned = _scope_warnings(contract, result, period, opts)
    if result.errors:
        raise click.exceptions.Exit(_fail(f"{len(result.errors)} bad input item(s); see above"))
    if warned:
        raise click.exceptions.Exit(_fail("--strict: warnings are errors; see above"))


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
    if not output:
        click.echo(texts[tables[0]], nl=False)
        return
    for name, text in texts.items():
        path = output if table else f"{output}.{name}.csv"
        _guarded(lambda: Path(path).write_text(text, encoding="utf-8", newline=""))  # noqa: B023
        click.echo(f"rulebook: wrote {path}", err=True)


def _frames(result: Adjudication | FrameAdjudication) -> FrameAdjudication:
    from rulebook.document.frames import FrameAdjudication

    if not isinstance(result, FrameAdjudication):
        raise click.UsageError("--format jsonl and parquet are written by the columnar engine")
    return result


def _write_text(text: str, output: str | None) -> list[str]:
    if output:
        Path(output).write_text(text, encoding="utf-8")
        return [output]
    click.echo(printable(text), nl=False)
    return []


def _guarded(action: Any) -> Any:
    """Run ``action``; a RulebookError or a file that cannot be written ends the command
    with one line and exit 1."""
    try:
        return action()
    except RulebookError as exc:
        raise click.exceptions.Exit(_fail(str(exc))) from None
    except OSError as exc:
        reason = exc.strerror or str(exc) or type(exc).__name__
        raise click.exceptions.Exit(_fail(f"{exc.filename or 'output'}: {reason}")) from None


_OUTPUT = click.option(
    "-o",
    "--output",
    metavar="PATH",
    help="Write to PATH (for parquet: PATH.records.parquet, PATH.segments.parquet, "
    "PATH.periods.parquet; for csv without --what: PATH.records.csv, PATH.periods.csv).",
)


def _csv_options(func: Any) -> Any:
    func = click.option(
        "--bom", is_flag=True, help="csv: start with a UTF-8 byte order mark (Excel)."
    )(func)
    return click.option(
        "--what",
        "csv_table",
        type=click.Choice(["records", "periods"]),
        help="csv: write only this table.",
    )(func)


_LANG = click.option(
    "--lang", type=_LANGS, help="Language of the output (default: the project's, else en)."
)
_ARGS = click.argument("args", nargs=-1, metavar="[CONTRACT] OUTAGES")


@main.command("adjudicate")
@_ARGS
@_input_options
@_STRICT
@click.option("--period", metavar="YYYY-MM", help="Show only this period.")
@click.option("--format", "fmt", type=_FORMATS, default="table", show_default=True)
@_LANG
@click.option("--explain", is_flag=True, help="Add each record's reasons.")
@_OUTPUT
@_csv_options
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
    contract, outages, _ = _split_args(args, opts, 0, "adjudicate [CONTRACT] OUTAGES")
    _render(contract, outages, opts, fmt, _lang(lang, opts), "adjudicate", explain, period, output)


@main.command("report")
@_ARGS
@_input_options
@_STRICT
@click.option("--period", metavar="YYYY-MM", help="Show only this period.")
@click.option("--format", "fmt", type=_FORMATS, default="table", show_default=True)
@_LANG
@_OUTPUT
@_csv_options
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
    contract, outages, _ = _split_args(args, opts, 0, "report [CONTRACT] OUTAGES")
    _render(contract, outages, opts, fmt, _lang(lang, opts), "report", False, period, output)


@main.command("explain")
@click.argument("args", nargs=-1, metavar="[CONTRACT] OUTAGES [RECORD_ID]")
@_input_options
@click.option(
    "--format", "fmt", type=click.Choice(["text", "markdown"]), default="text", show_default=True
)
@_LANG
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
    the record's neighbourhood: its service's stoppage, its causes, the notices); or, with
    --period, one service's period. CONTRACT may be left out when the project file names
    one."""
    one_of = "give a RECORD_ID or --period SERVICE YYYY-MM (one of them)"
    if (service_period and len(args) == 3) or (
        not service_period and len(args) == 2 and _project(opts).contract is None
    ):
        raise click.UsageError(one_of)
    usage = "explain [CONTRACT] OUTAGES " + (
        "--period SERVICE YYYY-MM" if service_period else "RECORD_ID"
    )
    contract, outages, rest = _split_args(args, opts, 0 if service_period else 1, usage)
    record_id = rest[0] if rest else None
    lang = _lang(lang, opts)
    loaded = _load_contract(contract)
    result, intake = _adjudicate(loaded, [_guarded(lambda: _read_inputs(outages, opts))], opts, fmt)
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
            _fail(f"no record '{record_id}' in {outages}" + (f"; {hint}" if hint else ""))
        )
    click.echo(printable(_guarded(lambda: result.explain(record_id, lang, fmt, full=True))))
    _finish(intake)


def _explain_period(
    result: Adjudication | FrameAdjudication, service_period: tuple[str, str], lang: str, fmt: str
) -> None:
    service, period = service_period
    try:
        click.echo(result.explain_period(service, period, lang, fmt))
    except KeyError:
        known = [f"{p['service']} {p['period']}" for p in result.to_dict(records=False)["periods"]]
        hint = did_you_mean(f"{service} {period}", known)
        raise click.exceptions.Exit(
            _fail(f"no period {period} of service '{service}'" + (f"; {hint}" if hint else ""))
        ) from None


@main.command("init")
@click.argument("log", required=False)
@click.option(
    "--contract", "contract_ref", help="Suggest this contract's services (an id or a path)."
)
@click.option("--from", "source", type=click.Choice(SOURCES), help="LOG is a status-page export.")
@click.option(
    "--input-format",
    type=click.Choice(list(FORMATS)),
    help="Format of LOG (default: by extension).",
)
@click.option(
    "--encoding",
    metavar="NAME",
    callback=_encoding_option,
    help="Encoding of LOG (default: detected).",
)
@click.option(
    "-o",
    "--output",
    default="rulebook.toml",
    show_default=True,
    help="Where to write (- : stdout).",
)
@click.option("--force", is_flag=True, help="Replace an existing file.")
def init_command(
    log: str | None,
    contract_ref: str | None,
    source: str | None,
    input_format: str | None,
    encoding: str | None,
    output: str,
    force: bool,
) -> None:
    """Write a commented rulebook.toml drafted from a sample of LOG: the columns seen (read
    as the nearest fields), the words of code columns, the service names seen and the
    nearest services the contract covers. Every guess is marked."""
    from rulebook.draft import draft, sample_items, sample_log

    if output != "-" and Path(output).exists() and not force:
        raise click.exceptions.Exit(
            _fail(f"{output} exists; give --force to replace it (or -o PATH to write elsewhere)")
        )
    chosen = _load_contract(contract_ref) if contract_ref else None
    bundled = check_files(_bundled_files()).contracts
    sample = None
    if log is not None and source:
        from rulebook.io.importers import import_file

        case, _ = _guarded(lambda: import_file(log, source))
        sample = sample_items(log, [i.data for i in case.outages])
    elif log is not None:
        sample = _guarded(lambda: sample_log(log, input_format, encoding))
    text = draft(sample, sorted(bundled, key=lambda c: c.id), chosen, source)
    if output == "-":
        click.echo(text, nl=False)
        return
    _guarded(lambda: Path(output).write_text(text, encoding="utf-8"))
    guesses = text.count("# guessed")
    click.echo(f"rulebook: wrote {output} ({guesses} guess(es) to check)", err=True)


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
@_STRICT
@click.option("--format", "fmt", type=_COMPARE_FORMATS, default="table", show_default=True)
@_LANG
def compare_command(
    outages: str, contract_refs: tuple[str, ...], fmt: str, lang: str | None, **opts: Any
) -> None:
    """The same log under several contracts, side by side."""
    lang = _lang(lang, opts)
    contracts = [_load_contract(ref) for ref in contract_refs]
    ids = [c.id for c in contracts]
    twice = sorted({i for i in ids if ids.count(i) > 1})
    if twice:  # results are keyed by contract id
        raise click.UsageError(f"contract {twice[0]} is given twice; give each contract once")
    inputs = _guarded(lambda: _read_inputs(outages, opts))  # read once, stdin too
    results, intakes = [], []
    for loaded in contracts:
        result, intake = _adjudicate(loaded, [inputs], opts, fmt)  # kept for the next
        results.append(result)
        intakes.append(intake)
    worst = max(intakes, key=lambda i: i.rejected)
    counts = _counts(worst, results[intakes.index(worst)])
    from rulebook.report.writers import render_compare

    click.echo(printable(render_compare(results, fmt, lang, counts)), nl=False)
    warned = [_scope_warnings(c, r, None, opts) for c, r in zip(contracts, results, strict=True)]
    _finish(worst, any(warned))
