"""rulebook — a rules engine for the exclusion clauses of service-level agreements.

The public API:

- :func:`load_contract` — a checked contract, by path or bundled id;
- :func:`check_files` — every diagnostic of some contract files, without raising;
- :func:`adjudicate` — outage records cut into counted and excluded time, with reasons
  (the record engine: the oracle and the explainer);
- :func:`adjudicate_frame` — the same over a polars frame, an Arrow table or a path, with
  frames of verdicts, segments and periods back (the columnar plan, for large logs);
- :class:`Diagnostic`, :class:`RulebookError`, :class:`ContractError`.

The package is typed (``py.typed``); docs/api.md documents it with runnable examples.
"""

from typing import TYPE_CHECKING, Any

from rulebook.errors import ContractError, RulebookError
from rulebook.grammar.diagnostics import Diagnostic
from rulebook.load import bundled_ids, check_files, load_contract
from rulebook.model import Contract

__version__ = "0.1.0"

if TYPE_CHECKING:
    from rulebook.columnar import FrameAdjudication, adjudicate_frame
    from rulebook.engine.adjudicate import Adjudication, adjudicate
    from rulebook.engine.facts import Notice, OutageRecord, RecordError

# The engine is imported on first use: `rulebook check` starts faster without it.
_LAZY = {
    "Adjudication": "rulebook.engine.adjudicate",
    "adjudicate": "rulebook.engine.adjudicate",
    "adjudicate_frame": "rulebook.columnar",
    "FrameAdjudication": "rulebook.columnar",
    "Notice": "rulebook.engine.facts",
    "OutageRecord": "rulebook.engine.facts",
    "RecordError": "rulebook.engine.facts",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'rulebook' has no attribute {name!r}")


__all__ = [
    "Adjudication",
    "Contract",
    "ContractError",
    "Diagnostic",
    "FrameAdjudication",
    "Notice",
    "OutageRecord",
    "RecordError",
    "RulebookError",
    "__version__",
    "adjudicate",
    "adjudicate_frame",
    "bundled_ids",
    "check_files",
    "load_contract",
]
