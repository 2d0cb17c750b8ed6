"""Ongoing records: those without an end, closed at the run's ``as_of``.

The engines close an ongoing record at ``as_of`` (:func:`closed_end`); one that ``as_of``
cannot close — none was given, or it is not after the record's start — is a bad record,
refused by the intake at its place on both of its routes (:func:`unclosed`, item by item;
:func:`unclosed_rows`, a frame at a time), so that ``keep_going`` goes on without it as it
does without any bad record, in every engine.
"""

from __future__ import annotations

from collections.abc import Callable

import attrs
import polars as pl

from rulebook.intake.edges import placed
from rulebook.intake.records import RecordError
from rulebook.reprs import with_repr


@with_repr
@attrs.frozen(repr=False)
class Closing:
    """The instant a run closes ongoing records at (``as_of``; None: none was given). Given
    to the intake, a record it cannot close — ongoing without an ``as_of``, or with one not
    after its start — is refused there, at its place, as any bad record is (with
    ``keep_going`` the others are adjudicated); without it the engine refuses such a record
    and stops the run."""

    as_of: int | None


def unclosed(record: str, start: int, as_of: int | None) -> RecordError | None:
    """Why an ongoing record (no end) cannot be closed at ``as_of``, or None when it can."""
    if as_of is None:
        return RecordError(
            record,
            "end",
            "is empty (ongoing) but no as_of instant was given",
            "an end, or an instant to close it at (--as-of; as_of= in Python)",
        )
    if as_of <= start:
        return RecordError(
            record,
            "end",
            "is ongoing but as_of is not after its start",
            "an as_of later than the start",
        )
    return None


def closed_end(record: str, start: int, end: int | None, as_of: int | None) -> int:
    """A record's end; an ongoing record (no end) is closed at ``as_of``."""
    if end is not None:
        return end
    error = unclosed(record, start, as_of)
    if error is not None:
        raise error
    assert as_of is not None
    return as_of


def unclosed_rows(
    valid: pl.DataFrame, where: Callable[[int], str], as_of: int | None
) -> tuple[pl.DataFrame, list[tuple[int, RecordError]]]:
    """Ongoing records that ``as_of`` cannot close refused, each at its place (as the
    record route refuses them: :func:`unclosed`)."""
    cannot = pl.col("end").is_null()
    if as_of is not None:
        cannot = cannot & (pl.col("start") >= as_of)
    offending = valid.filter(cannot)
    if not offending.height:
        return valid, []
    errors = []
    for record, start, row in offending.select("id", "start", "row").iter_rows():
        error = unclosed(record, start, as_of)
        assert error is not None
        errors.append((row, placed(error, where(row))))
    return valid.filter(~cannot), errors
