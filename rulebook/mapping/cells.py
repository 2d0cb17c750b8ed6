"""Spreadsheet date-times (``2026/9/1 10:00``) of a text column written as ISO 8601, the
same as :func:`~rulebook.intake.spreadsheet.spreadsheet_iso` writes one value: the fixed-width
forms by slicing, the others by the general pattern, each day checked once."""

from __future__ import annotations

from collections.abc import Collection

import polars as pl

from rulebook.intake.cells import ISO_SHAPE
from rulebook.intake.frames import WHITESPACE
from rulebook.intake.spreadsheet import SPREADSHEET_TIME, valid_day

#: The fixed-width spreadsheet forms (2026/09/01 10:00, 2026-09-01 10:00:00): read by
#: slicing, which is many times faster than the groups of the general pattern.
FIXED_TIME = (
    r"^[0-9]{4}(?:/[0-9]{2}/[0-9]{2}|-[0-9]{2}-[0-9]{2})[ T](?:[01][0-9]|2[0-3]):[0-5][0-9]"
    r"(?::[0-5][0-9])?(?:Z|[+-][0-9]{2}:?[0-9]{2})?$"
)


def text_looks(
    frame: pl.DataFrame, times: Collection[str]
) -> tuple[dict[str, list[str]], dict[str, bool]]:
    """In one query (polars' threads, no pool): each text column's distinct cells that are
    not ASCII (only those can need the NFC form), and whether each text column among
    ``times`` holds only ISO 8601 as exports write it (or nulls)."""
    texts = [c for c, t in frame.schema.items() if t == pl.String]
    dated = [c for c in texts if c in times]
    looks = [*(_not_ascii(c) for c in texts), *(_all_iso(c) for c in dated)]
    found = frame.select(x.alias(str(i)) for i, x in enumerate(looks)).row(0) if looks else ()
    unicode, iso = found[: len(texts)], found[len(texts) :]
    return dict(zip(texts, unicode, strict=True)), dict(zip(dated, iso, strict=True))


def _not_ascii(column: str) -> pl.Expr:
    """The distinct cells of a text column that are not ASCII, as one list."""
    cells = pl.col(column)
    return cells.filter(cells.str.len_bytes() != cells.str.len_chars()).unique().implode()


def _all_iso(column: str) -> pl.Expr:
    """Whether every cell of a text column is null or ISO 8601 as exports write it."""
    return pl.col(column).str.contains(ISO_SHAPE).fill_null(True).all()


def spreadsheet_times(series: pl.Series, todo: pl.Series | None = None) -> pl.Series | None:
    """Spreadsheet date-times as ISO 8601, as :func:`spreadsheet_iso` writes them: the
    shape matched by its own pattern, the day checked by Python once per distinct day.
    ``todo``: the cells that are not ISO 8601 as exports write it, when known."""
    # ISO 8601 as exports write it is left as it is (it would be written again the same).
    if todo is None:
        todo = (~series.str.contains(ISO_SHAPE)).fill_null(False)
    if not todo.any():
        return None
    whole, series = series, series.filter(todo)
    text = series.str.strip_chars(WHITESPACE)
    fixed = text.str.contains(FIXED_TIME).fill_null(False)
    frame = pl.DataFrame({"text": text, "fixed": fixed}).with_row_index("at")
    pieces = [_fixed_pieces(frame.filter("fixed"))]
    if not fixed.all():
        pieces.append(_pattern_pieces(frame.filter(~pl.col("fixed"))))
    parts = pl.concat(pieces).sort("at")
    if parts["day"].null_count() == parts.height:
        return None
    days = parts["day"].drop_nulls().unique().to_list()
    valid = parts["day"].replace_strict(days, [valid_day(d) for d in days], default=False)
    iso = parts.select(pl.concat_str("day", pl.lit("T"), "clock", "offset")).to_series()
    out = pl.select(pl.when(valid.fill_null(False)).then(iso).otherwise(series)).to_series()
    out = out.alias(series.name)
    if out.equals(series):
        return None
    return out if todo.all() else whole.scatter(todo.arg_true(), out)


def _fixed_pieces(frame: pl.DataFrame) -> pl.DataFrame:
    """Day, clock (HH:MM:SS) and offset of fixed-width texts, by slicing."""
    text = pl.col("text")
    seconds = text.str.slice(16, 1) == ":"
    return frame.select(
        "at",
        day=pl.concat_str(
            text.str.slice(0, 4),
            pl.lit("-"),
            text.str.slice(5, 2),
            pl.lit("-"),
            text.str.slice(8, 2),
        ),
        clock=pl.concat_str(
            text.str.slice(11, 5),
            pl.lit(":"),
            pl.when(seconds).then(text.str.slice(17, 2)).otherwise(pl.lit("00")),
        ),
        offset=text.str.slice(pl.when(seconds).then(19).otherwise(16)),
    )


def _pattern_pieces(frame: pl.DataFrame) -> pl.DataFrame:
    """Day, clock and offset of the other texts, by the groups of the general pattern
    (null where it does not match)."""
    groups = frame["text"].str.extract_groups(SPREADSHEET_TIME)
    g = [groups.struct.field(str(i)) for i in range(1, 10)]
    month = pl.select(pl.coalesce(g[1], g[3])).to_series().str.zfill(2)
    day = pl.select(pl.coalesce(g[2], g[4])).to_series().str.zfill(2)
    return pl.DataFrame(
        {
            "at": frame["at"],
            "day": g[0] + "-" + month + "-" + day,
            "clock": g[5].str.zfill(2) + ":" + g[6] + ":" + g[7].fill_null("00"),
            "offset": g[8].fill_null(""),
        }
    )
