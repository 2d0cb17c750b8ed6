"""``rulebook init``: a commented rulebook.toml drafted from a sample of a log
(:mod:`rulebook.draft`), every guess marked.
"""

from __future__ import annotations

import os

import click

from rulebook.cli.options import (
    FORMATS,
    SOURCES,
    bundled_files,
    encoding_option,
    load_contract,
    not_an_input,
    read_files,
)
from rulebook.cli.output import echo_data, fail, guarded
from rulebook.io.outputs import replace_files
from rulebook.load import check_files


@click.command("init")
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
    callback=encoding_option,
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
    """Write a commented rulebook.toml drafted from a sample of LOG: its columns, the words
    of its code columns, its regions and severities and its service names, each read as a
    field, value or service where there is evidence (a name, a label, the shape of the
    values, a table), with the evidence; where there is none, a question."""
    from rulebook.draft import draft, sample_items, sample_log

    if output != "-" and os.path.isdir(output):
        raise click.exceptions.Exit(
            fail(
                f"{output} is a folder: -o names the file to write, such as "
                f"{os.path.join(output, 'rulebook.toml')}"
            )
        )
    if output != "-":  # the log and the contract read are never written over
        not_an_input([output], [*([log] if log else []), *read_files(contract_ref)])
    if output != "-" and os.path.lexists(output) and not force:
        raise click.exceptions.Exit(
            fail(f"{output} exists; give --force to replace it (or -o PATH to write elsewhere)")
        )
    chosen = load_contract(contract_ref) if contract_ref else None
    bundled = check_files(bundled_files()).contracts
    sample = None
    if log is not None and source:
        from rulebook.io.importers import import_file

        case, _ = guarded(lambda: import_file(log, source))
        sample = sample_items(log, [i.data for i in case.outages])
    elif log is not None:
        sample = guarded(lambda: sample_log(log, input_format, encoding))
    text = draft(sample, sorted(bundled, key=lambda c: c.id), chosen, source)
    if output == "-":
        echo_data(text)
        return
    guarded(lambda: replace_files({output: text.encode("utf-8")}))  # a link there: replaced
    guesses, questions = text.count("# guessed: "), text.count("# ? ")
    click.echo(
        f"rulebook: wrote {output} ({guesses} guess(es) to check, {questions} question(s))",
        err=True,
    )
