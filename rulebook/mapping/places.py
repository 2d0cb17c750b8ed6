"""What the mapping stage says of a log's places and locations: the id of a record in a log
without ids (its place in the file, docs/formats.md "Ids"), and the warning about locations
read as unknown."""

from __future__ import annotations

import os

import polars as pl

from rulebook import limits
from rulebook.intake.frames import WHITESPACE, Columns


def unresolved_warning(name: str, words: dict[str, int]) -> list[str]:
    """The warning about locations read as unknown (no country, no region known)."""
    if not words:
        return []
    ranked = sorted(words.items(), key=lambda w: (-w[1], w[0]))
    shown = ", ".join(f"'{limits.shorten(w, 40)}' ({n})" for w, n in ranked[:5])
    more = f" and {len(ranked) - 5} more" if len(ranked) > 5 else ""
    return [
        f"warning: {name}: {sum(words.values())} record(s) give a location that is no "
        f"country and no cloud region rulebook knows: {shown}{more}; read as unknown (an "
        "exclusion that tests location is undetermined for them: the time counts); map them "
        'in rulebook.toml [values.location] ("*Tokyo*" = "JP", "*" = "unknown"); --strict '
        "refuses them (see docs/formats.md)"
    ]


def place_id(where: str) -> str:
    """The id of a record whose log has none: its place, as messages write it, with the
    file's name only (``log.csv:3``, ``archive.parquet:outages[12]``)."""
    file, _, place = where.rpartition(":")
    return f"{os.path.basename(file)}:{place.strip()}" if file else where


def placed_note(name: str, ids: list[str]) -> str:
    """The note that says a log's ids are their places."""
    shown = ", ".join(ids[:2]) + (", …" if len(ids) > 2 else "")
    return (
        f"note: {name}: no id column: each record's id is its place in the file ({shown}); "
        "map a column to id in rulebook.toml [columns] to use the log's own"
    )


def place_ids(read: Columns) -> pl.Series:
    """The column route's ids of a log without one, as :func:`place_id` gives the record
    route's (a blank row stays blank: it is no record)."""
    base = os.path.basename(read.name)
    frame = read.frame
    index = pl.int_range(0, frame.height, eager=True)
    if read.first_line is not None:
        ids = pl.format(f"{base}:{{}}", pl.lit(index + read.first_line))
    else:
        ids = pl.format(f"{base}:outages[{{}}]", pl.lit(index))
    blank = pl.all_horizontal(
        (pl.col(c).cast(pl.String).str.strip_chars(WHITESPACE).str.len_bytes() == 0)
        | pl.col(c).is_null()
        if frame.schema[c] == pl.String
        else pl.col(c).is_null()
        for c in frame.columns
    )
    return frame.select(pl.when(blank).then(None).otherwise(ids).alias("id")).to_series()
