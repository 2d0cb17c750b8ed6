"""The causes of a log read in chunks (``--engine stream``): before the chunks run, the
``caused_by`` edges read from the whole file and the records they touch checked as one
machine checks them — a cause not among the valid records, a cycle — and, for clauses
``including related``, each effect's causal bits walked in causal order (as Spark's driver
does), so that each chunk is decided as in the whole log."""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable
from typing import Any

import polars as pl

from rulebook import model as m
from rulebook.columnar.ancestry import own_bits
from rulebook.columnar.related import related_clauses, walk_named
from rulebook.document.chunks import ChunkIntake, StreamError, in_nfc, scan
from rulebook.engine.classify import RuleSet
from rulebook.intake.causes import in_cycles, orphans
from rulebook.intake.cells import readable
from rulebook.intake.frames import WHITESPACE
from rulebook.intake.ongoing import Closing
from rulebook.intake.records import RecordError, closure_date


def placer(path: str, lines: list[tuple[int, int]]) -> Callable[[int], str]:
    """Where a record of the log is, by its index (as the intake places it): its file
    line, from the first index and line of each chunk read (``lines``; none: Parquet,
    placed by index)."""
    if not lines:
        return lambda index: f"{path}: outages[{index}]"

    def place(index: int) -> str:
        start, line = lines[bisect.bisect_right(lines, (index, math.inf)) - 1]
        return f"{path}:{line + index - start}"

    return place


Ancestry = tuple[pl.DataFrame | None, frozenset[str], list[RecordError]]


def ancestry(
    contract: m.Contract,
    intake: ChunkIntake,
    other: Any,
    as_of: int | None,
) -> Ancestry:
    """Each effect's causal bits resolved over the whole log, before the chunks run (as
    Spark's driver does): the ``caused_by`` edges read from the whole file (two columns),
    the records they touch taken in and valued, the edges walked in causal order (None
    when no record names a cause or no clause reaches causes). A record whose cause is not
    a valid record (directly or through one refused so), or in or caused through a cycle,
    is refused as one machine refuses it, in its order: its id and error given back (its
    chunk drops it; the stream raises the first when it does not keep going)."""
    nothing: Ancestry = (None, frozenset(), [])
    column, id_column = intake.column("caused_by"), intake.column("id")
    if column is None:
        return nothing
    whole = scan(intake.path, intake.fmt)
    types = whole.collect_schema()
    causes, kind = pl.col(column), types[column]
    # Each cause as the mapping stage and the intake read it: a text cell in NFC, then
    # cut at ';'; a list's text items in NFC (not those of a list of a fixed size, which
    # the mapping stage leaves as they are); then each stripped.
    items_in_nfc = kind == pl.List(pl.String)
    if isinstance(kind, pl.Array):  # a list of a fixed size: the intake reads it as one
        causes, kind = causes.arr.to_list(), pl.List(kind.inner)
    if kind == pl.String:
        causes = in_nfc(causes).str.split(";")
    elif isinstance(kind, pl.List) and readable(kind, listed=True):
        causes = causes.list.eval(pl.element().cast(pl.String))  # as the intake reads them
    else:  # no list the intake reads: it refuses every record that names a cause
        return nothing
    each = in_nfc(pl.col("cause")) if items_in_nfc else pl.col("cause")
    if id_column is not None and not _id_type(types[id_column]):
        return nothing  # the intake refuses every record (an id is text or a whole number)
    child = intake.ids(id_column) if id_column is not None else pl.lit(None, pl.String)
    links = (
        whole.with_row_index("index")  # a row a line of the file (polars reads a blank
        .filter(pl.col(column).is_not_null())  # line as a row): most name no cause
        .select("index", child=child, cause=causes)
        .explode("cause")
        .with_columns(cause=each.str.strip_chars(WHITESPACE))
        .filter(pl.col("cause").is_not_null() & (pl.col("cause") != ""))
        .collect(engine="streaming")  # the file read in morsels, not as one frame
    )
    if links.height == 0:
        return nothing
    if id_column is None:
        raise StreamError(
            f"{intake.path}: records name causes (caused_by) but the log has no id column; "
            "--engine stream reads causes by id: use --engine columnar"
        )
    place = placer(intake.path, [(0, intake.first_line)] if intake.first_line else [])
    involved = pl.Series([*links["child"], *links["cause"]]).unique()
    rows = (
        whole.with_row_index("__index")
        .filter(intake.ids(id_column).is_in(involved.implode()))
        .collect(engine="streaming")
    )
    index_of = rows.drop_in_place("__index")  # each row's index in the file
    taken = intake.involved(rows, Closing(as_of))
    # Each record's causes as the record one machine keeps names them (the first valid row
    # of its id): another row of the id, refused, names none (its chunk refuses it).
    kept = taken.frame.select("id", "row", "caused_by")
    rows_of = {rid: index_of[row] for rid, row in zip(kept["id"], kept["row"], strict=True)}
    pairs = [
        (rid, cause)
        for rid, causes in zip(kept["id"], kept["caused_by"].to_list(), strict=True)
        for cause in causes or ()
    ]
    related = bool(related_clauses(RuleSet.of(contract)))
    if related:
        closures = frozenset(closure_date(c) for c in other.closures)
        bits = own_bits(contract, taken.frame, other.notices, closures, as_of, taken.exact)
    else:  # only the edges are checked: one lane of nothing
        bits = taken.frame.select("id", __none=pl.lit(0, dtype=pl.Int64))
    lanes = bits.columns[1:]
    values = {row[0]: list(row[1:]) for row in bits.iter_rows()}
    pairs = [(c, p) for c, p in pairs if c in values]  # a refused record: its chunk names it
    named: dict[str, list[str]] = {}
    for child, cause in pairs:
        named.setdefault(child, []).append(cause)
    records = sorted(named.items(), key=lambda item: rows_of[item[0]])
    refused: dict[str, RecordError] = {}

    def refuse(rid: str, problem: str, accepted: str) -> None:
        error = RecordError(rid, "caused_by", problem, accepted)
        error.source = place(rows_of[rid])
        refused[rid] = intake.maps.annotate(error)

    for index, cause in orphans(records, set(values)):
        refuse(records[index][0], f"names '{cause}', which is not among the valid records",
               "ids of valid records in the same input")  # fmt: skip
    walked = walk_named(values, [(c, p) for c, p in pairs if c not in refused])
    if walked is None:  # a cycle: each record in or caused through one, by its place
        left = [r for r in records if r[0] not in refused]
        for index, problem in in_cycles(left):
            refuse(left[index][0], problem, "a chain of causes without cycles")
        walked = walk_named(values, [(c, p) for c, p in pairs if c not in refused])
        assert walked is not None  # every cycle refused
    resolved = None
    if related:
        resolved = pl.DataFrame(
            [(n, *v) for n, v in walked.items() if n not in refused],
            schema={"id": pl.String, **dict.fromkeys(lanes, pl.Int64)},
            orient="row",
        )
    return resolved, frozenset(refused), list(refused.values())


def _id_type(dtype: pl.DataType) -> bool:
    """Whether a column of ``dtype`` holds ids the intake may accept: text or whole numbers
    (any other cell is refused, by the record route's message)."""
    return dtype.is_integer() or isinstance(dtype, pl.String | pl.Categorical | pl.Enum)
