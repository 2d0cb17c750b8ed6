"""rulebook — a rules engine for the exclusion clauses of service-level agreements.

The public API:

- :func:`load_contract` — a checked contract, by path or bundled id;
- :func:`check_files` — every diagnostic of some contract files, without raising;
- :func:`adjudicate` — outage records cut into counted and excluded time, with reasons;
- :class:`Diagnostic`, :class:`RulebookError`, :class:`ContractError`.
"""

from rulebook.engine.adjudicate import Adjudication, adjudicate
from rulebook.engine.facts import Notice, OutageRecord, RecordError
from rulebook.errors import ContractError, RulebookError
from rulebook.grammar.diagnostics import Diagnostic
from rulebook.load import bundled_ids, check_files, load_contract
from rulebook.model import Contract

__version__ = "0.1.0"

__all__ = [
    "Adjudication",
    "Contract",
    "ContractError",
    "Diagnostic",
    "Notice",
    "OutageRecord",
    "RecordError",
    "RulebookError",
    "__version__",
    "adjudicate",
    "bundled_ids",
    "check_files",
    "load_contract",
]
