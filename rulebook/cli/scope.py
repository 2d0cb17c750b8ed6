"""Warnings about what a run leaves out: records of services the contract does not cover
(:func:`scope_warning` names the nearest covered ones), a ``--period`` no record falls in
(:func:`scope_warnings`), and a ``--period`` the contract's periods cannot be labelled
with (:func:`check_period`).
"""

from __future__ import annotations

import re
from typing import Any

import click

from rulebook.cli.output import printable
from rulebook.model import Contract
from rulebook.text import did_you_mean

_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
_QUARTER = re.compile(r"\d{4}-Q[1-4]")


def check_period(contract: Contract, period: str | None) -> None:
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


def scope_warnings(
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
