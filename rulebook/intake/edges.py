"""Causal edges on the column route: duplicate ids, causes that are not among the valid
records (refused, and the records that named them, until none is), and the edges between
rows as integers (``row``, ``cause_row``) that the plan ors the related bits down."""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from rulebook.intake.causes import in_cycles, orphans
from rulebook.intake.frames import IN_MEMORY
from rulebook.intake.records import (
    RecordError,
)

EDGES: dict[str, pl.DataType] = {"row": pl.Int64(), "cause_row": pl.Int64()}


def unique_ids(
    valid: pl.DataFrame, where: Callable[[int], str]
) -> tuple[pl.DataFrame, list[tuple[int, RecordError]]]:
    """Only the first record of an id is kept; the others are named."""
    if valid["id"].hash().n_unique() == valid.height:
        return valid, []  # distinct hashes: distinct ids (equal hashes are looked at below)
    first = valid.select(pl.col("id").is_first_distinct()).to_series()
    if first.all():
        return valid, []
    dupes = valid.filter(~first)
    firsts = valid.filter(first).select("id", "row")
    at = dict(zip(firsts["id"].to_list(), firsts["row"].to_list(), strict=True))
    errors = [
        (
            row,
            placed(
                RecordError(
                    rid,
                    "id",
                    f"is used twice (first at {where(at[rid])})",
                    "a unique id per record",
                ),
                where(row),
            ),
        )
        for rid, row in dupes.select("id", "row").iter_rows()
    ]
    return valid.filter(first), errors


def resolve_causes(
    valid: pl.DataFrame, where: Callable[[int], str]
) -> tuple[pl.DataFrame, list[tuple[int, RecordError]], pl.DataFrame]:
    """Records whose causes are not among the valid records are rejected, pass by pass
    until none is (as the record route does: :func:`~rulebook.intake.causes.orphans`); then
    those in or caused through a cycle of causes. Also the causal edges of the rest, as rows
    (``row`` was caused by ``cause_row``). Only the records with causes are looked at."""
    if "caused_by" not in valid.columns or valid["caused_by"].null_count() == valid.height:
        return valid, [], pl.DataFrame(schema=EDGES)
    edges = (
        valid.lazy()
        .select("row", "id", cause=pl.col("caused_by"))
        .filter(pl.col("cause").is_not_null())
        .explode("cause")
        .drop_nulls("cause")
        .collect(engine=IN_MEMORY)
    )
    # The records named as causes first (a set of the few names, looked up by every id),
    # then the join on those alone: no hash table of every id.
    named = valid.select(cause="id", cause_row="row").filter(
        pl.col("cause").is_in(edges["cause"].implode())
    )
    edges = edges.join(named, on="cause", how="left", maintain_order="left")
    errors: list[tuple[int, RecordError]] = []
    removed = pl.Series("row", [], dtype=pl.Int64)
    if edges["cause_row"].null_count():
        # Pass 1: causes not in the input; pass 2: causes rejected in pass 1; ... — walked
        # once over the records with causes (linear; a pass of frame joins per link of a
        # chain was quadratic), as the record route walks them.
        graph = valid.filter(pl.col("caused_by").is_not_null()).sort("row")
        rows, ids, causes = (graph[c].to_list() for c in ("row", "id", "caused_by"))
        present = set(ids) | set(named["cause"].to_list())
        pairs = [
            (i, [x for x in c or () if x is not None]) for i, c in zip(ids, causes, strict=True)
        ]
        found = orphans(pairs, present)
        for index, cause in found:
            error = RecordError(
                ids[index],
                "caused_by",
                f"names '{cause}', which is not among the valid records",
                "ids of valid records in the same input",
            )
            errors.append((rows[index], placed(error, where(rows[index]))))
        removed = pl.Series("row", [rows[index] for index, _ in found], dtype=pl.Int64)
    live = edges.filter(~pl.col("row").is_in(removed.implode()))
    waiting = _waiting(live.select("row", "cause_row"))
    graph = valid.filter(pl.col("row").is_in(waiting)).sort("row")
    rows, ids, causes = (graph[c].to_list() for c in ("row", "id", "caused_by"))
    for index, problem in in_cycles([(i, c or ()) for i, c in zip(ids, causes, strict=True)]):
        error = RecordError(ids[index], "caused_by", problem, "a chain of causes without cycles")
        errors.append((rows[index], placed(error, where(rows[index]))))
        removed = pl.concat([removed, pl.Series("row", [rows[index]], dtype=pl.Int64)])
    if removed.len():
        gone = removed.implode()
        valid = valid.filter(~pl.col("row").is_in(gone))
        live = live.filter(~pl.col("row").is_in(gone))
    return valid, errors, live.select("row", "cause_row")


def _waiting(edges: pl.DataFrame, rounds: int = 32) -> pl.Series:
    """The records (rows) that a few rounds of Kahn's algorithm, done on the edges as a
    whole, cannot place: a record is placed once every cause of it is. Each round drops the
    edges whose cause waits for nothing; what is left after the last round is in a cycle,
    caused through one, or at the end of a chain longer than ``rounds``, and is handed to
    :func:`~rulebook.intake.causes.in_cycles` (which finds the same cycles on it alone:
    placed records are never in one)."""
    for _ in range(rounds):
        children = edges["row"].unique()
        kept = edges.filter(pl.col("cause_row").is_in(children.implode()))
        if kept.height == edges.height:
            break
        edges = kept
    return edges["row"].unique().implode()


def placed(error: RecordError, where: str) -> RecordError:
    error.source = where
    return error
