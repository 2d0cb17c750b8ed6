"""Warnings about what a run leaves out: records of services the contract does not cover
(:func:`rulebook.mapping.compile.scope_warning` names the nearest covered ones), a
``--period`` no record falls in (:func:`scope_warnings`), and a ``--period`` the
contract's periods cannot be labelled with (:func:`check_period`).
"""

from __future__ import annotations

import re
from typing import Any

import click

from rulebook.cli.output import said
from rulebook.model import Contract

_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
_QUARTER = re.compile(r"\d{4}-Q[1-4]")


def check_period(contract: Contract, period: str | None) -> None:
    """A ``--period`` the contract's periods could be labelled with, or a usage error."""
    from rulebook.engine.measure import availability_clause

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


def _out_of_scope(result: Any) -> dict[str, int]:
    """The services of the out-of-scope records, with how many records each."""
    if hasattr(result, "out_of_scope"):  # the columnar and the Spark results
        return dict(result.out_of_scope())
    found: dict[str, int] = {}
    for v in result.verdicts:
        if v.verdict == "out_of_scope":
            found[v.record.service] = found.get(v.record.service, 0) + 1
    return dict(sorted(found.items()))


def scope_warnings(
    contract: Contract,
    result: Any,  # the record engine's, the columnar or the Spark result
    period: str | None,
    opts: dict[str, Any],
) -> bool:
    """Warn on stderr when records are out of scope, or when ``period`` holds no record;
    True when something was warned."""
    from rulebook.mapping.compile import scope_warning

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
        click.echo(f"rulebook: {said(text)}", err=True)
    return bool(warnings) and bool(opts.get("strict"))
