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

from rulebook._version import __version__
from rulebook.diagnostics import Diagnostic
from rulebook.errors import ContractError, RulebookError
from rulebook.load import bundled_ids, check_files, load_contract
from rulebook.model import Contract

if TYPE_CHECKING:
    from rulebook.document.frames import FrameAdjudication, adjudicate_frame
    from rulebook.document.records import Adjudication, adjudicate
    from rulebook.intake.records import Notice, OutageRecord, RecordError

# The engine is imported on first use: `rulebook check` starts faster without it.
_LAZY = {
    "Adjudication": "rulebook.document.records",
    "adjudicate": "rulebook.document.records",
    "adjudicate_frame": "rulebook.document.frames",
    "FrameAdjudication": "rulebook.document.frames",
    "Notice": "rulebook.intake.records",
    "OutageRecord": "rulebook.intake.records",
    "RecordError": "rulebook.intake.records",
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
