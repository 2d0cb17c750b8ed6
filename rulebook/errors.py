"""The one error base class of rulebook.

User mistakes in contract files are collected as :class:`~rulebook.diagnostics.Diagnostic`
values, not raised; an exception is raised only where a caller asked for something that
cannot be given (a contract that does not load, a record that is invalid). Every such
exception is a :class:`RulebookError` and carries its diagnostics.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rulebook.diagnostics import Diagnostic


class RulebookError(Exception):
    """Base class of every error rulebook raises on purpose."""

    def __init__(self, message: str, diagnostics: tuple[Diagnostic, ...] = ()) -> None:
        super().__init__(message)
        self.diagnostics = diagnostics


class ContractError(RulebookError):
    """A contract could not be loaded: it does not exist, or it has errors."""


class ArgumentError(RulebookError, TypeError):
    """A library function was given an argument of the wrong type (also a TypeError)."""


class NotFound(RulebookError, KeyError):
    """No record or period of the name asked for (also a KeyError)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""
