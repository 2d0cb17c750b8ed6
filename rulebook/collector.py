"""Python's cycle collector, paused while rulebook builds large acyclic structures.

Parsing a contract, checking it and compiling its conditions make several objects for each
term of a condition and no reference cycles; the collector's full passes over them, which
come more often as they grow, made a 100,000-term condition cost about a fifth more and
grow faster than its size (issue 26). Paused, reference counting still frees everything
those stages drop; a cycle made meanwhile waits for the next pass after the pause.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """The cycle collector off for the block, and back as it was after (nesting is fine).

    >>> with paused():
    ...     gc.isenabled()
    False
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
