"""The commands a dispute's two sides use: ``packet`` (the sender: the report as PDF and
HTML, the JSON decision record, the contract and the files it imports, the inputs and a
manifest of hashes, in one ZIP) and ``verify`` (the reviewer: the packet's files against
its manifest, and the adjudication run again from the packet's own contract and inputs —
"identical", or exactly what differs; exit 0 or 1). What is verified is the decision
record and the HTML page; the PDF, a rendering whose bytes depend on the fonts, is held to
the manifest. The packet itself is :mod:`rulebook.report.packet`.
"""

from __future__ import annotations

import json
import posixpath
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
import click

from rulebook._version import __version__
from rulebook.cli.adjudicating import _counts, _finish, run_provenance
from rulebook.cli.inputs import adjudicate_inputs, named_inputs, read_inputs
from rulebook.cli.options import (
    ARGS,
    LANG,
    input_options,
    lang_of,
    load_contract,
    not_an_input,
    project_of,
    read_files,
    split_args,
)
from rulebook.cli.output import fail, guarded, said
from rulebook.cli.scope import check_period
from rulebook.reprs import with_repr

if TYPE_CHECKING:
    from rulebook.model import Contract

#: The input options a packet records, and their values when not given.
REPLAYED = {
    "source": None,
    "step": None,
    "input_format": None,
    "encoding": None,
    "as_of": None,
    "keep_going": False,
    "strict": False,
}


@with_repr
@attrs.frozen(repr=False)
class Made:
    """What one run makes: the decision record, the report as HTML and PDF, provenance."""

    decision: str
    html: str
    pdf: bytes
    provenance: dict[str, Any]


def make(
    loaded: Contract,
    ref: str,
    outages: str,
    opts: dict[str, Any],
    lang: str,
    period: str | None,
    rename: Any = None,
) -> Made:
    """Adjudicate with the record engine (the decision record carries every record's
    reasons) and render the report; ``rename`` edits the provenance before it is shown
    (``verify`` gives the packet's inputs their original names)."""
    from rulebook.report import render_pdf, render_report
    from rulebook.report.writers import render

    result, intake = adjudicate_inputs(
        loaded, [guarded(lambda: read_inputs(outages, opts))], opts, "json", True
    )
    counts = _counts(intake, result)
    prov = guarded(lambda: run_provenance(loaded, ref, outages, opts, period, lang))
    if rename is not None:
        prov = rename(prov)
    html = render_report(result, loaded, lang, counts, period, prov)
    decision = render(result, "json", lang, counts, "adjudicate", True, period)
    pdf = guarded(lambda: render_pdf(html))
    _finish(intake)
    return Made(decision, html, pdf, prov)


@click.command("packet")
@ARGS
@input_options
@click.option("--period", metavar="YYYY-MM", help="Only this period.")
@LANG
@click.option(
    "-o", "--output", required=True, metavar="PATH", help="The packet to write (a ZIP file)."
)
@click.option(
    "--inputs-up-to",
    "keep_up_to",
    metavar="SIZE",
    help="Keep an input in the packet only up to SIZE (bytes, or 64K, 10M, 1G); a larger "
    "one is listed by name, size and sha256 only, and `verify` asks for it. Default: keep "
    "every input.",
)
def packet_command(
    args: tuple[str, ...],
    period: str | None,
    lang: str | None,
    output: str,
    keep_up_to: str | None,
    **opts: Any,
) -> None:
    """Write a dispute packet: the report (PDF and HTML), the JSON decision record with
    every record's reasons, the contract file, the inputs and a manifest of their sha256 —
    what `rulebook verify` checks. CONTRACT and OUTAGES as for `report`."""
    from rulebook.io.outputs import replace_files
    from rulebook.load import imported_files, resolve
    from rulebook.report.packet import Member, input_name, parse_size, write_packet

    contract, outages, _ = split_args(args, opts, 0, "packet [CONTRACT] OUTAGES")
    if opts["engine"] == "spark":
        raise click.UsageError("packet runs the record engine; leave out --engine spark")
    try:
        limit = parse_size(keep_up_to) if keep_up_to else None
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--inputs-up-to") from None
    if "-" in [path for _, path in named_inputs(outages, opts)]:
        raise click.UsageError("a packet keeps its inputs: give files, not - (standard input)")
    if output != "-":
        read = [path for _, path in named_inputs(outages, opts)]
        not_an_input([output], [*read, *read_files(contract, opts)])
    lang = lang_of(lang, opts)
    loaded = load_contract(contract)
    check_period(loaded, period)
    made = make(loaded, contract, outages, opts, lang, period)
    contract_file = resolve(contract)
    members = [
        Member("report.pdf", made.pdf),
        Member("report.html", made.html.encode("utf-8")),
        Member("decision.json", made.decision.encode("utf-8")),
        Member(f"contract/{contract_file.name}", contract_file.read_bytes()),
    ]
    imports = []
    for name, target in imported_files(contract_file):  # found as `check` finds them
        held = f"contract/{posixpath.normpath(name)}"
        if held not in {m.name for m in members}:
            members.append(Member(held, guarded(lambda t=target: t.read_bytes())))
        imports.append({"name": name, "path": held})
    inputs: list[dict[str, Any]] = []
    hashed: list[str] = []
    for i, ((role, path), entry) in enumerate(
        zip(named_inputs(outages, opts), made.provenance["inputs"], strict=True), 1
    ):
        where: str | None = input_name(i, role, entry["name"])
        if limit is None or entry["size"] <= limit:
            members.append(Member(str(where), guarded(lambda p=path: Path(p).read_bytes())))
        else:
            where = None
            hashed.append(entry["name"])
        inputs.append({**entry, "path": where})
    project = project_of(opts).path
    if project:
        members.append(Member("project/rulebook.toml", Path(project).read_bytes()))
    manifest = {
        "format": 1,
        "rulebook": __version__,
        "contract": f"contract/{contract_file.name}",
        "imports": imports,
        "inputs": inputs,
        "project": "project/rulebook.toml" if project else None,
        "options": {k: opts.get(k) for k in REPLAYED if opts.get(k) != REPLAYED[k]},
        "lang": lang,
        "period": period,
        "provenance": made.provenance,
    }
    data = write_packet(members, manifest, made.provenance["generated"])
    if output == "-":
        raise click.UsageError("a packet is a file: give -o PATH, not -")
    guarded(lambda: replace_files({output: data}))
    click.echo(
        f"rulebook: wrote {output} ({len(members) + 1} files, {len(data):,} bytes)", err=True
    )
    if hashed:
        click.echo(
            f"rulebook: inputs over {keep_up_to} kept as hashes only: {', '.join(hashed)}",
            err=True,
        )


@click.command("verify")
@click.argument("packet_path", metavar="PACKET")
@click.argument("given", nargs=-1, metavar="[INPUT]...")
def verify_command(packet_path: str, given: tuple[str, ...]) -> None:
    """Check a packet of `rulebook packet`: every file against the manifest's sha256, the
    version that made it, then the adjudication run again from the packet's own contract
    (with its imports) and inputs, compared with its decision record and HTML report. The
    PDF is a rendering of the HTML (its bytes depend on the fonts): it is held to the
    manifest only. Says "identical" (exit 0) or what differs (exit 1). INPUT: the files of
    inputs the packet holds as hashes only."""
    from rulebook.report.packet import check_files, read_packet

    data = guarded(lambda: Path(packet_path).read_bytes())
    packet = guarded(lambda: read_packet(data, packet_path))
    manifest = packet.manifest
    differences = check_files(packet)
    if manifest.get("rulebook") != __version__:
        differences.append(
            f"rulebook version: the packet was made with {manifest.get('rulebook')}, "
            f"this is {__version__}"
        )
    for line in differences:
        click.echo(f"rulebook: {said(line)}", err=True)
    with tempfile.TemporaryDirectory(prefix="rulebook-verify-") as folder:
        try:
            fresh = _run_again(packet, Path(folder), given)
        except click.exceptions.Exit:
            if not differences:
                raise
            raise click.exceptions.Exit(
                fail(
                    f"{packet_path}: {len(differences)} difference(s), see above; with them "
                    "the adjudication could not be run again"
                )
            ) from None
        differences += _compare(packet, fresh)
    if differences:
        raise click.exceptions.Exit(
            fail(f"{packet_path}: {len(differences)} difference(s); see above")
        )
    provenance = manifest.get("provenance", {})
    click.echo(
        f"identical: {len(packet.files)} files match the manifest, and a fresh adjudication "
        f"(rulebook {__version__}, contract {provenance.get('contract', {}).get('id')}) gives "
        "the same decision record and HTML report"
    )
    click.echo(_pdf_note(packet.files.get("report.pdf"), fresh.pdf))


def _pdf_note(kept: bytes | None, fresh: bytes) -> str:
    """What verify says of the PDF: a rendering of the HTML report, whose bytes depend on
    the fonts and the WeasyPrint of the machine that prints it — checked against the
    manifest (a changed byte is a difference), compared with a fresh rendering only for
    information."""
    if kept is None:
        return "note: the packet has no report.pdf"
    same = (
        "and this machine renders the same bytes"
        if kept == fresh
        else "this machine renders other bytes (fonts or WeasyPrint differ from the "
        "sender's), so its pages are not compared"
    )
    return (
        "note: report.pdf is a rendering of report.html; what is verified are the figures "
        f"(decision.json) and the HTML. The PDF matches the manifest's sha256; {same}"
    )


def _run_again(packet: Any, folder: Path, given: Sequence[str]) -> Made:
    """The adjudication again, from the packet's own contract and inputs (written to
    ``folder`` under names verify chooses), with the options and time it was made with."""
    from rulebook.report.packet import sha256

    manifest = packet.manifest
    contract_path = _place(packet, folder, str(manifest.get("contract")))
    for entry in manifest.get("imports") or []:
        _place(packet, folder, str(entry.get("path") if isinstance(entry, dict) else entry))
    _imports_held(contract_path)
    by_hash = {}
    for path in given:
        content = guarded(lambda p=path: Path(p).read_bytes())
        by_hash[sha256(content)] = content
    paths: dict[str, str] = {}
    for i, entry in enumerate(manifest.get("inputs", []), 1):
        where = entry.get("path")
        if where:
            content = _need(packet, where)
        elif entry.get("sha256") in by_hash:
            content = by_hash[entry["sha256"]]
        else:
            raise click.exceptions.Exit(
                fail(
                    f"{entry.get('name')} ({entry.get('role')}) is in the packet as its hash "
                    f"only (sha256 {entry.get('sha256')}): give the file after the packet"
                )
            )
        target = folder / f"input-{i}{Path(str(entry.get('name'))).suffix}"
        target.write_bytes(content)
        paths[str(entry.get("role"))] = str(target)
    opts: dict[str, Any] = {
        "notices_path": paths.get("--notices"),
        "billing_path": paths.get("--billing"),
        "events_path": paths.get("--events"),
        "verbose": False,
        "engine": "records",
        "master": None,
        "config": None,
        "no_config": True,
    }
    opts.update(REPLAYED)
    opts.update(manifest.get("options") or {})
    if manifest.get("project"):
        project = folder / "rulebook.toml"
        project.write_bytes(_need(packet, str(manifest["project"])))
        opts.update(config=str(project), no_config=False)
    recorded = manifest.get("provenance", {})
    loaded = load_contract(str(contract_path))

    def rename(prov: dict[str, Any]) -> dict[str, Any]:
        # the names, and the time, the packet was made with
        names = [i.get("name") for i in recorded.get("inputs", [])]
        inputs = [{**i, "name": n} for i, n in zip(prov["inputs"], names, strict=False)]
        out = {**prov, "inputs": inputs, "generated": recorded.get("generated")}
        out["contract"] = {**prov["contract"], "file": recorded.get("contract", {}).get("file")}
        if prov.get("project") and recorded.get("project"):
            out["project"] = {**prov["project"], "name": recorded["project"].get("name")}
        return out

    return make(
        loaded,
        str(contract_path),
        paths["OUTAGES"],
        opts,
        str(manifest.get("lang") or "en"),
        manifest.get("period"),
        rename,
    )


def _place(packet: Any, folder: Path, member: str) -> Path:
    """A file of the packet's ``contract/`` written under ``folder`` at the same relative
    path (an import is found beside the contract, as it was by the sender); a name that
    would leave the folder is refused."""
    from rulebook.report.packet import contract_parts

    parts = contract_parts(member)
    if parts is None:
        raise click.exceptions.Exit(
            fail(f"the manifest names {member!r} as a contract file: not a path under contract/")
        )
    target = folder.joinpath(*parts)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(_need(packet, member))
    return target


def _imports_held(contract: Path) -> None:
    """Each file the packet's contract imports is one of the packet's own (written beside
    it): the contract is rebuilt from the packet alone, never from another file of this
    machine — not from a bundled vocabulary either."""
    from rulebook.load import import_names, import_target

    text = contract.read_bytes().decode("utf-8", "replace")
    for name in import_names(text, str(contract)):
        if import_target(contract.parent, name) is None:
            raise click.exceptions.Exit(
                fail(
                    f"the contract imports {name!r}, which the packet does not hold: it "
                    "cannot be rebuilt from the packet alone"
                )
            )


def _need(packet: Any, member: str) -> bytes:
    data: bytes | None = packet.files.get(member)
    if data is None:
        raise click.exceptions.Exit(fail(f"the packet has no {member}; it cannot be run again"))
    return data


def _as_sent(kept: bytes | None, fresh: str) -> str:
    """The fresh decision record with the project file named as the packet names it (the
    document names it by the path it was read from; verify reads its own copy): the same
    file is the same sha256."""
    try:
        sent = json.loads(kept or b"")
        document = json.loads(fresh)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return fresh
    was, now = (
        sent.get("project_file") if isinstance(sent, dict) else None,
        document.get("project_file"),
    )
    if not (isinstance(was, dict) and isinstance(now, dict)):
        return fresh
    if was.get("sha256") != now.get("sha256"):
        return fresh
    document["project_file"] = {**now, "path": was.get("path")}
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def _compare(packet: Any, fresh: Made) -> list[str]:
    """What differs between the packet's decision record and report and fresh ones."""
    from rulebook.report.packet import compare_documents

    out: list[str] = []
    kept = packet.files.get("decision.json")
    decision = _as_sent(kept, fresh.decision)
    if kept is not None and kept != decision.encode("utf-8"):
        try:
            document = json.loads(kept.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            out.append(f"decision.json: not JSON ({exc})")
        else:
            found = compare_documents(document, json.loads(decision))
            out += [f"decision.json: {line}" for line in found] or [
                "decision.json: differs from a fresh one in its layout, not its values"
            ]
    html = packet.files.get("report.html")
    if html is not None and html != fresh.html.encode("utf-8"):
        out.append("report.html: differs from a fresh rendering of the same inputs")
    # report.pdf is not compared: a rendering of the HTML, its bytes depend on the fonts and
    # WeasyPrint of the machine (check_files holds it to the manifest; _pdf_note says so)
    for line in out:
        click.echo(f"rulebook: {said(line)}", err=True)
    return out
