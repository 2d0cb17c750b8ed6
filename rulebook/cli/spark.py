"""``--engine spark``: the log read and adjudicated by Spark (:mod:`rulebook.spark`, an
optional extra, imported only when asked for).
"""

from __future__ import annotations

from typing import Any

import attrs
import click

from rulebook.cli.options import project_of
from rulebook.cli.output import fail, guarded, said, write_text, wrote
from rulebook.cli.scope import scope_warnings
from rulebook.model import Contract


def on_spark(
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
    from rulebook.cli.inputs import span_of
    from rulebook.intake.items import check_columns
    from rulebook.intake.records import RECORD_FIELDS
    from rulebook.io.calendars import read_input
    from rulebook.io.readers import Case
    from rulebook.mapping.compile import compile_mapping
    from rulebook.mapping.others import InputMaps, map_other
    from rulebook.project import NONE
    from rulebook.report.writers import counts_line, render

    if fmt in ("jsonl", "html", "pdf", "csv"):
        raise click.UsageError("--engine spark writes table, markdown, json or parquet")
    if opts["input_format"] == "json" or _case_file(outages):
        raise click.UsageError(
            f"--engine spark reads CSV, JSON Lines and Parquet files; {outages} is a JSON case "
            "file (one document): adjudicate it with --engine columnar or records"
        )

    vocabulary = contract.vocabulary
    assert vocabulary is not None
    known = [
        *RECORD_FIELDS,
        *(f.name for f in vocabulary.facts if not f.derived),
        *(e.name for e in vocabulary.events),
    ]

    def extra(key: str, kind: str) -> list[Any]:
        if kind == "billing" and not opts[key]:  # the project file's, if any
            return [fields for _, fields, _ in project_of(opts).billing]
        if not opts[key]:
            return []
        # mapped as the other engines map it: a file that cannot be this kind refused, a
        # calendar's notices completed, columns that are no field left out with a warning
        items, warnings = map_other(
            getattr(read_input(opts[key], kind), kind),
            kind,
            InputMaps(),
            known,
            bool(opts.get("strict")),
            None,
        )
        for line in warnings:
            click.echo(f"rulebook: {said(line)}", err=True)
        return [i.data for i in items]

    def run() -> Any:
        notices = extra("notices_path", "notices")
        billing = extra("billing_path", "billing")
        session = rs.session(opts["master"])  # PySpark is there, or a SparkError says so
        from pyspark.sql import functions as F

        frame = rs.read(session, [outages], opts["input_format"])
        # the columns as one machine reads them: one that is no field left out with one
        # warning (its groups would refuse it), the others kept under their field's name
        columns = compile_mapping(NONE, contract, bool(opts.get("strict")))
        kept, warnings = columns.kept_columns(frame.columns, outages)
        for line in warnings:
            click.echo(f"rulebook: {said(line)}", err=True)
        # a near miss of a field, kept, is refused here with "did you mean", not in a group
        check_columns(Case(columns={outages: list(kept.values())}), vocabulary)
        frame = frame.select([F.col(_quoted(raw)).alias(f) for raw, f in kept.items()])
        return rs.adjudicate(
            frame,
            contract,
            notices=notices,
            billing=billing,
            as_of=opts["as_of"],
            keep_going=opts["keep_going"],
            source=outages,
            span=span_of(opts),
        )

    result = attrs.evolve(guarded(run), project_file=project_of(opts).provenance)
    if opts.get("verbose"):
        click.echo(
            f"rulebook: note: {result.parts} part(s) of the services' records by time, "
            f"adjudicated in {result.tasks} Spark task(s)",
            err=True,
        )
        records = sum(n for n, _ in result.costs)
        seconds = sum(t for _, t in result.costs)
        click.echo(
            f"rulebook: note: the parts took {seconds:.1f} CPU seconds in the workers for "
            f"{records} records ({records / max(seconds, 1e-9):,.0f} records a CPU second)",
            err=True,
        )
    for error in result.errors:
        click.echo(f"rulebook: {said(error)}", err=True)
    counts = (result.read, result.adjudicated, len(result.errors), 0)
    if fmt == "parquet":
        assert output is not None
        written = guarded(lambda: result.write_parquet(output))
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


def _case_file(path: str) -> bool:
    """Whether ``path`` is one local ``.json`` file holding one JSON document (a case file
    or a list), not JSON Lines: Spark would read it as lines and find no column."""
    import json
    from pathlib import Path

    from rulebook.io.readers import CASE_KEYS

    file = Path(path)
    if file.suffix.lower() != ".json" or not file.is_file():
        return False
    try:
        with file.open("rb") as handle:
            first = handle.readline(1 << 20).decode("utf-8", "replace").strip()
    except OSError:
        return False  # Spark names what it cannot read
    try:
        data = json.loads(first)
    except ValueError:
        return True  # a document over several lines
    return not isinstance(data, dict) or all(key in CASE_KEYS for key in data)


def _quoted(column: str) -> str:
    """A column's name as Spark reads it whole (a dot in it is no field of a struct)."""
    return "`" + column.replace("`", "``") + "`"
