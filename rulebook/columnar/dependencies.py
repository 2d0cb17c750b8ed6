"""What a record's verdict depends on besides its own fields, declared once.

A verdict reads more than its record: the downtime threshold reads the service's physical
stoppage, ``event_duration`` reads the event, ``including related`` reads the causes, a
maintenance window reads the notices. Each such grouping is one :class:`Dependency` of
:data:`DEPENDENCIES`. The plan computes a grouping's key as a column of its frame, named
here (a stage writes ``STOPPAGE.key``, never a name of its own), and the neighbourhood that
``explain`` hands to the record engine (:class:`Neighbourhoods`) is read off those same
columns: the records that share a key with the record, or that it names as its causes, and
theirs in turn, until no dependency adds one. Inputs every record sees (the notices, the
closures, the periods) are handed to the record engine whole.

The tests fail on a column of the plan's frame that is neither the record's own
(:data:`OWN`) nor a declared key or value — over a log that uses every grouping
(``tests/test_columnar.py``) and over every differential case — and on a dependency whose
kind has no neighbourhood rule (:data:`RULES`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import attrs
import polars as pl

from rulebook.engine.selection import EVENT_DURATION
from rulebook.errors import NotFound
from rulebook.limits import shorten
from rulebook.reprs import with_repr

#: Kinds of dependency. GROUP: the records with the record's key are read together.
#: CAUSES: the key column lists the ids of the record's causes. SHARED: not a grouping of
#: the records; an input every record sees, handed to the record engine whole.
GROUP, CAUSES, SHARED = "group", "causes", "shared"


@with_repr
@attrs.frozen(repr=False)
class Dependency:
    """One grouping a verdict depends on: its name, its kind, the plan's column holding its
    key (None for a SHARED input), the plan's columns whose values it decides, and what it
    means."""

    name: str
    kind: str
    key: str | None
    values: tuple[str, ...]
    meaning: str


STOPPAGE = Dependency(
    "stoppage",
    GROUP,
    "run",
    (),
    "a service's physical stoppage: its candidate records (in scope, downtime by the "
    "downtime clause's `when` and probes) that touch or overlap, one run; the threshold "
    "measures it (`on stoppage`)",
)
EVENT = Dependency(
    "event",
    GROUP,
    "event",
    (EVENT_DURATION,),
    "an event: the records of one service and one cause (those without a cause together) "
    "that touch or overlap, whatever their verdicts; `event_duration` is its length",
)
ANCESTRY = Dependency(
    "causal ancestry",
    CAUSES,
    "caused_by",
    (),
    "the records a record names as its causes, and theirs: `including related` excludes "
    "a record whose ancestor the clause applies to",
)
NOTICES = Dependency(
    "notices and windows",
    SHARED,
    None,
    ("window_clauses",),
    "the notices, and the maintenance windows made from them and from the contract's "
    "recurrences (generated over any span that holds the record)",
)
CLOSURES = Dependency(
    "closures",
    SHARED,
    None,
    (),
    "the days the provider announced as closed, which move recurring windows and "
    "obligations' business clocks; and the run's as_of, which closes ongoing records",
)
PERIOD = Dependency(
    "period",
    SHARED,
    None,
    (),
    "the contract's periods (calendar months, quarters): fixed by the calendar, so a "
    "record's segments are cut at the same instants whatever other records there are",
)

#: Every dependency of a verdict, read by the neighbourhood.
DEPENDENCIES: tuple[Dependency, ...] = (STOPPAGE, EVENT, ANCESTRY, NOTICES, CLOSURES, PERIOD)

#: The plan's columns that a record's own fields decide (its number, its service's
#: number, its length and its verdict so far).
OWN: tuple[str, ...] = ("row", "pos", "svc", "ongoing", "duration", "status", "deciding")

#: Rows of the plan's frame a dependency joins to a row: ``(token, rows)`` pairs, where
#: ``token`` names the group so that it is expanded once however many rows reach it.
Rule = Callable[[int], Iterable[tuple[object, list[int]]]]


def _group(frame: pl.DataFrame, dependency: Dependency) -> Rule:
    """GROUP: every row with the row's key (a null key: the row is in no group). The rows
    sorted by key, once; a group is then a slice found by binary search."""
    assert dependency.key is not None
    if dependency.key not in frame.columns:
        return _nothing
    keys = frame[dependency.key]
    table = (
        frame.select(pl.int_range(pl.len()).alias("row"), dependency.key)
        .drop_nulls()
        .sort(dependency.key)
    )
    ordered, rows = table[dependency.key], table["row"]

    def rule(row: int) -> Iterable[tuple[object, list[int]]]:
        key = keys[row]
        if key is None:
            return ()
        low = ordered.search_sorted(key, "left")
        high = ordered.search_sorted(key, "right")
        assert isinstance(low, int) and isinstance(high, int)
        return ((key, rows[low:high].to_list()),)

    return rule


def _causes(frame: pl.DataFrame, dependency: Dependency) -> Rule:
    """CAUSES: the rows of the ids the row's key lists (the edges joined once)."""
    assert dependency.key is not None
    if dependency.key not in frame.columns:
        return _nothing
    numbered = frame.select(pl.int_range(pl.len()).alias("row"), "id", dependency.key)
    edges = (
        numbered.filter(pl.col(dependency.key).is_not_null())
        .select("row", cause=pl.col(dependency.key))
        .explode("cause")
        .join(numbered.select(cause="id", cause_row="row"), on="cause")
    )
    causes: dict[int, list[int]] = {}
    for row, cause in zip(edges["row"].to_list(), edges["cause_row"].to_list(), strict=True):
        causes.setdefault(row, []).append(cause)

    def rule(row: int) -> Iterable[tuple[object, list[int]]]:
        return ((row, causes[row]),) if row in causes else ()

    return rule


def _shared(frame: pl.DataFrame, dependency: Dependency) -> Rule:
    """SHARED: no rows (the input is handed whole)."""
    return _nothing


def _nothing(row: int) -> Iterable[tuple[object, list[int]]]:
    return ()


#: The neighbourhood's rule for each kind of dependency.
RULES: dict[str, Callable[[pl.DataFrame, Dependency], Rule]] = {
    GROUP: _group,
    CAUSES: _causes,
    SHARED: _shared,
}


class Neighbourhoods:
    """The neighbourhoods of a plan's records, from its frame's key columns (indexed once,
    then each neighbourhood in time about linear in its size)."""

    def __init__(self, frame: pl.DataFrame) -> None:
        self.frame = frame
        self.rules = [RULES[d.kind](frame, d) for d in DEPENDENCIES]

    def row(self, record_id: str) -> int | None:
        """The record's row in the frame, or None."""
        found = (self.frame["id"] == record_id).arg_true()
        return int(found[0]) if found.len() else None

    def of(self, record_id: str) -> pl.DataFrame:
        """The smallest set of records that holds ``record_id`` and, with every record it
        holds, each group that record is in and its causes: every record that any verdict
        in the set reads, so the record engine decides each as the whole input does."""
        first = self.row(record_id) if isinstance(record_id, str) else None
        if first is None:
            raise NotFound(f"no record '{shorten(str(record_id))}' was adjudicated")
        wanted, todo, expanded = {first}, [first], set()
        while todo:
            row = todo.pop()
            for i, rule in enumerate(self.rules):
                for token, rows in rule(row):
                    if (i, token) in expanded:
                        continue
                    expanded.add((i, token))
                    for other in rows:
                        if other not in wanted:
                            wanted.add(other)
                            todo.append(other)
        return self.frame[sorted(wanted)]
