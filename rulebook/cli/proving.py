"""`rulebook check --prove`: the properties of each checked contract proved or refuted by
the SMT solver (rulebook.prove), printed after the check's diagnostics, each refutation
with its ready-to-paste `example` block. z3 is imported only here, when asked for.
"""

from __future__ import annotations

from typing import Any

import attrs

from rulebook import model as m
from rulebook.diagnostics import Diagnostic
from rulebook.versions import versions

#: The errors the prover decides again, with a counterexample: a contract whose only
#: errors are these is proved too, so that the error comes with the outage that shows it.
PROVED_AGAIN = frozenset({"tier-gap", "tier-overlap", "contradiction", "never-applies"})

INSTALL = "--prove needs the SMT solver z3 (the package z3-solver): pip install 'rulebook[prove]'"


def provable(contract: m.Contract, diagnostics: tuple[Diagnostic, ...]) -> list[str]:
    """Why a checked contract cannot be proved (its other errors), or nothing."""
    if contract.vocabulary is None:
        return ["it has no vocabulary"]
    return sorted(
        {
            d.code
            for d in diagnostics
            if d.severity == "error" and d.span.file == contract.file and d.code not in PROVED_AGAIN
        }
    )


def prove_all(
    contracts: tuple[m.Contract, ...], diagnostics: tuple[Diagnostic, ...]
) -> tuple[list[str], list[dict[str, Any]], bool, list[str]]:
    """The text lines, the JSON records, whether a property was refuted, and the time each
    contract took (for standard error: the output itself is the same on every run), for
    every contract of a check. Raises ImportError when z3 is not installed."""
    from rulebook.prove import PROPERTIES, prove

    lines: list[str] = []
    records: list[dict[str, Any]] = []
    refuted = False
    times: list[str] = []
    totals = {"proved": 0, "refuted": 0, "unknown": 0}
    texts = [  # a contract with versions: each version proved on its own
        attrs.evolve(v.contract, id=f"{c.id}@{v.name}") if c.amendments else c
        for c in contracts
        for v in versions(c)
    ]
    for contract in texts:
        blocked = provable(contract, diagnostics)
        if blocked:
            lines.append(f"prove {contract.id}: not proved: errors above ({', '.join(blocked)})")
            records.append({"contract": contract.id, "file": contract.file, "skipped": blocked})
            continue
        proof = prove(contract)
        counts = dict(proof.checked)
        lines.append(f"prove {contract.id} ({contract.file})")
        times.append(f"rulebook: proved {contract.id} in {proof.seconds:.1f} s")
        for prop in PROPERTIES:
            status = proof.status(prop) if counts[prop] else "proved"
            totals[status] += 1
            found = sum(f.property == prop and f.status == status for f in proof.findings)
            detail = f"{counts[prop]} case(s)" if counts[prop] else "nothing to prove"
            if status != "proved":
                detail = f"{found} of {counts[prop]} case(s) {status}"
            lines.append(f"  {status:<8} {prop} ({detail})")
        for f in proof.findings:
            refuted = refuted or f.status == "refuted"
            code = f.property.replace(" ", "-")
            lines.append(
                f"{f.span.file}:{f.span.line}:{f.span.column}: {f.status}[{code}]: {f.message}"
            )
            if f.example:
                lines += f.example.splitlines()
        records.append(
            {
                "contract": contract.id,
                "file": contract.file,
                "properties": {p: proof.status(p) if counts[p] else "proved" for p in PROPERTIES},
                "findings": [
                    {
                        "property": f.property,
                        "status": f.status,
                        "clause": f.clause,
                        "message": f.message,
                        "line": f.span.line,
                        "column": f.span.column,
                        "example": f.example,
                    }
                    for f in proof.findings
                ],
            }
        )
    lines.append(
        f"{len(contracts)} contract(s) proved: {totals['proved']} propert(ies) proved, "
        f"{totals['refuted']} refuted, {totals['unknown']} unknown"
    )
    return lines, records, refuted, times
