"""How rulebook's values show themselves: the repr attrs writes, by one function for every
class instead of code compiled for each.

attrs compiles a ``__repr__`` for each class it builds, about 0.2 ms a class, at every start:
the command line builds about a hundred of rulebook's classes before it reads a log (a report
of 10^3 records: 0.393 -> 0.378 s, docs/performance.md, round sixteen). Each class is
declared ``@with_repr`` over ``@attrs.frozen(repr=False)`` (or ``define``), and shows itself as
attrs would show it: ``Name(field=value, ...)``, ``...`` for a value met again inside itself.
A class that writes its own ``__repr__`` keeps it. tests/test_architecture.py checks that
every attrs class of rulebook is declared so.
"""

from __future__ import annotations

import reprlib
from typing import TypeVar

import attrs

T = TypeVar("T", bound=type)


@reprlib.recursive_repr()
def attrs_repr(self: attrs.AttrsInstance) -> str:
    """``Name(field=value, ...)``: the fields attrs shows, in their order."""
    cls = type(self)
    fields = ", ".join(
        f"{field.name}={getattr(self, field.name)!r}" for field in attrs.fields(cls) if field.repr
    )
    return f"{cls.__qualname__.rsplit('>.', 1)[-1]}({fields})"


def with_repr(cls: T) -> T:
    """An attrs class built without its own repr, shown by :func:`attrs_repr`."""
    if "__repr__" not in vars(cls):
        cls.__repr__ = attrs_repr  # type: ignore[method-assign, assignment]
    return cls
