"""Static checks over a parsed contract -> list[Diagnostic].

Each check is a small function ``(contract, scope) -> Iterable[Diagnostic]`` in the module
of its concern; all of them run, in the order of :data:`CHECKS`, and every problem is
reported at once. Nothing here runs the engine: `rulebook check` and the language server
stay fast, and examples are run by `rulebook test`.

Layer: check. It may import the model layer and the text layer (and the grammar); never
the readers, the intake, the engine or anything above them.
"""

from __future__ import annotations

from rulebook import model as m
from rulebook.check.calendars import check_calendars, check_maintenance
from rulebook.check.conditions import check_conditions
from rulebook.check.examples import check_examples
from rulebook.check.exceptions import (
    check_contradictions,
    check_exception_cycles,
    check_never_applies,
)
from rulebook.check.measurement import (
    check_availability,
    check_downtime,
    check_performance,
    check_services,
)
from rulebook.check.metadata import check_citations, check_duplicate_ids, check_metadata
from rulebook.check.obligations import check_obligations
from rulebook.check.quantities import check_units
from rulebook.check.references import check_references
from rulebook.check.remedies import check_remedies, check_tiers
from rulebook.check.scope import Check, Scope
from rulebook.check.versions import check_versions
from rulebook.check.vocabulary import check_vocabulary
from rulebook.diagnostics import Diagnostic

__all__ = ["CHECKS", "Scope", "check_contract", "check_vocabulary"]

#: The checks, in the order they run. All of them always run.
CHECKS: tuple[Check, ...] = (
    check_metadata,
    check_citations,
    check_duplicate_ids,
    check_references,
    check_units,
    check_conditions,
    check_services,
    check_availability,
    check_downtime,
    check_calendars,
    check_maintenance,
    check_obligations,
    check_performance,
    check_remedies,
    check_tiers,
    check_exception_cycles,
    check_contradictions,
    check_never_applies,
    check_examples,
)


def check_contract(contract: m.Contract) -> list[Diagnostic]:
    """Every static problem of one parsed contract (of each of its versions)."""
    if contract.amendments:
        return check_versions(contract, CHECKS)
    scope = Scope.of(contract)
    return [d for check in CHECKS for d in check(contract, scope)]
