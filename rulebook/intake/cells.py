"""The checks of one column of text cells: timestamps of the usual shapes parsed by polars
(each distinct offset read once, the wall clock's years checked), facts cast to their
types and enumerations. Each check gives the converted values and the rows that failed it,
which the record validator then reads whole (its message is the one a user sees)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from fractions import Fraction
from typing import Any

import attrs
import polars as pl
from polars.datatypes import DataTypeClass

import rulebook.intake.clock as clock
from rulebook import limits
from rulebook import model as m
from rulebook.intake.frames import IN_MEMORY, WHITESPACE
from rulebook.intake.records import (
    RecordError,
    fact_value,
)
from rulebook.reprs import with_repr


def all_false(size: int) -> pl.Series:
    """A column of ``size`` False values."""
    return pl.repeat(False, size, dtype=pl.Boolean, eager=True)


@with_repr
@attrs.define(repr=False)
class Checked:
    """One column's check: the converted values and the rows that failed it."""

    values: pl.Series
    bad: pl.Series  # Boolean, True where the record route must look


def instant_column(series: pl.Series, tz: dt.tzinfo, shaped_already: bool = False) -> Checked:
    """One column of timestamps checked as :func:`instant_columns` checks each."""
    checked = instant_columns(pl.DataFrame([series.alias("t")]), {"t": shaped_already}, tz)["t"]
    return Checked(checked.values.alias(series.name), checked.bad.alias(series.name))


def instant_columns(
    frame: pl.DataFrame, shaped: Mapping[str, bool], tz: dt.tzinfo
) -> dict[str, Checked]:
    """Timestamps in the shape exports write (``2026-09-01T10:00:00`` with ``+09:00``,
    ``+0900``, ``Z`` or no offset), each column of ``shaped`` in ``frame``: the wall clock
    parsed by polars, each distinct offset read once; a cell of any other shape, or out of
    range, is left to the record route (``datetime.fromisoformat``). ``shaped[column]``:
    every cell is known to have the shape (the mapping stage looked). Every column's wall
    clock and offsets are found in one run of two lazy queries (polars parses the columns
    side by side on its own threads; one column after another, 10^5 records' two columns
    took 23 ms on two threads, now 15)."""
    if not shaped:
        return {}
    walls, zones = [], []
    for column, known in shaped.items():
        text = pl.col(column).cast(pl.String)
        # cache=False: a log's times are mostly distinct, where polars' cache of the parsed
        # values only adds a hash table (10^5 cells: 11.4 -> 6.5 ms; the same values)
        wall = (
            text.str.slice(0, 19)
            .str.to_datetime("%Y-%m-%dT%H:%M:%S", strict=False, time_unit="us", cache=False)
            .dt.epoch("s")
        )
        # the wall clock's own year in range (not the instant's: the offset is not applied)
        fits = wall.is_between(_FIRST_SECOND, _LAST_SECOND)
        if not known:
            fits = fits & text.str.contains(ISO_SHAPE)
        walls.append(pl.when(fits).then(wall).alias(column))  # (the lazy query parses once)
        zones.append(text.str.slice(19).drop_nulls().unique().implode().alias(column))
    lazy = frame.lazy()
    wall_frame, zone_frame = pl.collect_all(
        [lazy.select(walls), lazy.select(zones)], engine=IN_MEMORY
    )
    return {
        column: _instants(frame[column], wall_frame[column], zone_frame[column][0], tz)
        for column in shaped
    }


def _instants(series: pl.Series, wall: pl.Series, zones: pl.Series, tz: dt.tzinfo) -> Checked:
    """A column's instants from its wall clock and its distinct offset suffixes (``""``
    for none: the wall clock in ``tz``)."""
    table = {z: _offset_of(z) for z in sorted(zones.to_list())} or {"": 0}
    suffix = series.cast(pl.String).str.slice(19) if len(table) > 1 or "" in table else None
    if suffix is None or len(table) == 1:
        (offset,) = table.values()  # None: out of range, every cell's
        values = wall.clear(wall.len()) if offset is None else wall - offset
    else:
        values = wall - suffix.replace_strict(
            list(table), list(table.values()), return_dtype=pl.Int64
        )
    if suffix is not None and "" in table:
        naive = (suffix == "").fill_null(False)
        local = clock.from_wall(wall.filter(naive), tz)
        values = values.scatter(naive.arg_true(), local)
    bad = series.is_not_null() & values.is_null()
    return Checked(values.alias(series.name), bad.fill_null(False))


#: The wall-clock seconds of the first and the last second of the years read.
_FIRST_SECOND = int(dt.datetime(limits.MIN_YEAR, 1, 1, tzinfo=dt.UTC).timestamp())


_LAST_SECOND = int(dt.datetime(limits.MAX_YEAR + 1, 1, 1, tzinfo=dt.UTC).timestamp()) - 1


def _offset_of(zone: str) -> int | None:
    """Seconds east of UTC of an offset suffix (``Z``, ``+09:00``, ``-0500``); 0 for none
    (a naive time, localised separately); None when it is out of range."""
    if zone in ("", "Z"):
        return 0
    digits = zone[1:].replace(":", "")
    if len(digits) != 4 or not digits.isdigit():
        return None
    hours, minutes = int(digits[:2]), int(digits[2:])
    if hours > 23 or minutes > 59:
        return None
    return (-1 if zone[0] == "-" else 1) * (hours * 3600 + minutes * 60)


def datetime_column(series: pl.Series, tz: dt.tzinfo) -> Checked:
    """A Parquet timestamp column: aware ones as they are, naive ones in ``tz``."""
    dtype = series.dtype
    assert isinstance(dtype, pl.Datetime)
    micros = series.dt.epoch("us")
    seconds = micros // 1_000_000
    whole = micros == seconds * 1_000_000
    if not dtype.time_zone:
        seconds = clock.from_wall(seconds, tz)
    years = series.dt.year().is_between(limits.MIN_YEAR, limits.MAX_YEAR)
    bad = (series.is_not_null() & (seconds.is_null() | ~whole | ~years)).fill_null(True)
    return Checked(seconds.set(~years.fill_null(True), None), bad)


def mapped_column(series: pl.Series, convert: Callable[[Any], Any], dtype: pl.DataType) -> Checked:
    """Each distinct value converted once; a value ``convert`` refuses marks its rows bad."""
    table: dict[Any, Any] = {}
    refused: list[Any] = []
    for value in series.drop_nulls().unique().to_list():
        try:
            table[value] = convert(value)
        except (RecordError, ValueError, TypeError):
            refused.append(value)
    values = series.replace_strict(
        list(table), list(table.values()), default=None, return_dtype=dtype
    )
    bad = series.is_in(refused) if refused else all_false(series.len())
    return Checked(values, bad.fill_null(False))


def fact_column(series: pl.Series, decl: m.FactDecl) -> tuple[Checked, pl.Series | None]:
    """A fact column validated; for numbers also the rows whose value a double cannot hold."""
    if decl.is_set or decl.type in LIST_TYPES:
        if series.dtype == pl.String:
            series = series.str.split(";")
        if not isinstance(series.dtype, pl.List):
            return Checked(
                pl.Series([None] * series.len(), dtype=pl.List(pl.String)), series.is_not_null()
            ), None
        items = series.list.eval(
            pl.element().cast(pl.String).str.strip_chars(WHITESPACE)
        ).list.eval(pl.element().filter(pl.element() != ""))
        items = pl.select(pl.when(items.list.len() > 0).then(items)).to_series()
        if decl.is_set:
            flat = items.explode().drop_nulls().unique().to_list()
            refused = []
            for code in flat:
                try:
                    fact_value(decl, [code], "")
                except RecordError:
                    refused.append(code)
            bad = items.list.eval(pl.element().is_in(refused)).list.any() if refused else None
            items = items.list.sort() if decl.is_set else items
            if bad is None:
                bad = all_false(series.len())
            return Checked(items, bad.fill_null(False)), None
        return Checked(items, all_false(series.len())), None
    if decl.type == "code" and series.dtype == pl.String:
        # The cells are stripped text: a code is accepted exactly when it is one of the
        # enumeration's (fact_value), so a cast says which are; the others are refused.
        codes = series.cast(dtype_of(decl), strict=False)
        return Checked(codes, series.is_not_null() & codes.is_null()), None
    if decl.type == "bool":
        if series.dtype == pl.Boolean:
            return Checked(series, all_false(series.len())), None
        return mapped_column(
            series.cast(pl.String), lambda v: fact_value(decl, v, ""), pl.Boolean()
        ), None
    if decl.type in ("number", "duration"):
        text = series.cast(pl.String)
        exact: dict[str, bool] = {}

        def number(value: str) -> float:
            fraction = fact_value(decl, value, "")
            assert isinstance(fraction, Fraction)
            exact[value] = Fraction(float(fraction)) == fraction
            return float(fraction)

        checked = mapped_column(text, number, pl.Float64())
        inexact = [v for v, ok in exact.items() if not ok]
        return checked, (text.is_in(inexact) if inexact else None)
    return (
        mapped_column(series.cast(pl.String), lambda v: fact_value(decl, v, ""), dtype_of(decl)),
        None,
    )


def readable(dtype: pl.DataType, listed: bool = False) -> bool:
    """Whether a column check reads cells of ``dtype``: text, Boolean, numbers, dates and
    times cast to text (a timestamp column as it is); for a list fact (``listed``) also a
    list of text or whole numbers, each item read as the record route reads it (``str``). A
    duration, bytes, a struct, an object or a list of anything else is no such cell: its
    rows go to the record route, which names the field (a cast would raise)."""
    if isinstance(dtype, pl.List):
        return listed and _list_item(dtype.inner)
    return dtype.is_numeric() or isinstance(dtype, _SCALARS)


_SCALARS = (pl.String, pl.Categorical, pl.Enum, pl.Boolean, pl.Null, pl.Date, pl.Datetime, pl.Time)


def _list_item(dtype: pl.DataType | DataTypeClass) -> bool:
    """Items a list fact's column check reads: text or whole numbers, as the record route
    does (it refuses any other item: a Boolean, a float, a list...)."""
    return dtype.is_integer() or dtype.base_type() in (pl.String, pl.Categorical, pl.Enum, pl.Null)


ISO_SHAPE = r"^\d{4}-\d{2}-\d{2}T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:[+-]\d{2}:?\d{2}|Z)?$"


LIST_TYPES = ("records",)


def dtype_of(decl: m.FactDecl) -> pl.DataType:
    """The column type of a fact: text, Boolean, Float64 (exact values only) or a list."""
    if decl.is_set or decl.type in LIST_TYPES:
        return pl.List(pl.String)
    if decl.type == "bool":
        return pl.Boolean()
    if decl.type in ("number", "duration"):
        return pl.Float64()
    if decl.type == "code":
        # An enum: conditions compare small integers, not text.
        return pl.Enum(sorted(c.name for c in decl.codes))
    return pl.String()
