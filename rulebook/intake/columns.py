"""Intake into columns: outage logs read as frames and validated a column at a time.

Two routes lead to the same frame (:func:`schema`):

- **columns**: CSV files (read by polars, every cell as text) and Parquet files (or a
  polars frame or Arrow table from the library) are validated per column: a fact's
  distinct values are checked once each with the record engine's own
  :func:`~rulebook.intake.records.fact_value`, timestamps in the common ISO 8601 shapes are
  parsed by polars. A row that does not pass these fast checks is handed whole to the
  record validator (:func:`~rulebook.intake.records.outage_from_mapping`), which either
  accepts it (a timestamp in a rarer shape) or raises the very message the record engine
  gives: file and line, record, field, what is accepted, did-you-mean.
- **records**: JSON Lines, JSON case files, importers and Python mappings go through the
  record validator item by item, then into the same frame.

Reading is :mod:`.frames`, the checks of one column :mod:`.cells`; duplicate ids and
causes that are not among the valid records are found on the frame (:mod:`.edges`).
Every item read is counted: read = adjudicated + rejected.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Mapping, Sequence
from fractions import Fraction
from typing import Any

import attrs
import polars as pl

from rulebook import model as m
from rulebook.conditions import condition_facts
from rulebook.intake.billing import Billing
from rulebook.intake.cells import (
    LIST_TYPES,
    Checked,
    all_false,
    datetime_column,
    dtype_of,
    fact_column,
    instant_columns,
    readable,
)
from rulebook.intake.edges import EDGES, resolve_causes, unique_ids
from rulebook.intake.frames import Columns, read_frame, text_cells
from rulebook.intake.items import check_columns, event_place, take_in
from rulebook.intake.ongoing import Closing, unclosed_rows
from rulebook.intake.records import (
    RECORD_FIELDS,
    Notice,
    OutageRecord,
    RecordError,
    add_events,
    outage_from_mapping,
    timezone_of,
)
from rulebook.io.readers import Case, check_header, read_case
from rulebook.reprs import with_repr


@with_repr
@attrs.define(repr=False)
class FrameIntake:
    """Valid records as a frame, the other inputs validated, the errors, the counts."""

    frame: pl.DataFrame
    notices: list[Notice] = attrs.field(factory=list)
    billing: list[Billing] = attrs.field(factory=list)
    closures: list[str] = attrs.field(factory=list)
    errors: list[RecordError] = attrs.field(factory=list)
    read: int = 0
    exact: dict[str, dict[str, Fraction]] = attrs.field(factory=dict)  # id -> fact -> value
    edges: pl.DataFrame = attrs.field(factory=lambda: pl.DataFrame(schema=EDGES))  # causes
    where: Callable[[int], str] | None = None  # a record number's place in its file
    #: the records refused only as ongoing records ``closing`` cannot close (after their
    #: ids were found unique), by record number: a stream looks for their ids in its
    #: earlier chunks, as one machine does before it closes a record
    unclosed: list[tuple[int, RecordError]] = attrs.field(factory=list)

    @property
    def rejected(self) -> int:
        """How many outage records were read but not kept."""
        return self.read - self.frame.height


# ------------------------------------------------------------------ the frame's shape


def schema(vocabulary: m.Vocabulary, columns: Iterable[str]) -> dict[str, pl.DataType]:
    """The frame's columns: the record fields, then the facts and events named in
    ``columns``, in the vocabulary's order."""
    wanted = set(columns)
    out: dict[str, pl.DataType] = {
        "row": pl.Int64(),
        "id": pl.String(),
        "service": pl.String(),
        "start": pl.Int64(),
        "end": pl.Int64(),
    }
    for decl in vocabulary.facts:
        if not decl.derived and decl.name in wanted:
            out[decl.name] = dtype_of(decl)
    for event in vocabulary.events:
        if event.name in wanted:
            out[event.name] = pl.Int64()
    return out


def needed(contract: m.Contract) -> set[str]:
    """The facts and events the contract's clauses look at (a frame carries these and the
    input's own columns, not the whole vocabulary)."""
    names = {"protocol", "caused_by"}
    for clause in contract.clauses:
        conditions = [getattr(clause, a, None) for a in ("condition", "unless", "records")]
        names.update(condition_facts(*conditions))
        for attr in ("start_event", "stop_event"):
            event = getattr(clause, attr, None)
            if event is not None:
                names.update((event.name, "restored_at"))
    return names


def with_columns(
    frame: pl.DataFrame, vocabulary: m.Vocabulary, columns: Iterable[str]
) -> pl.DataFrame:
    """``frame`` with the columns of :func:`schema`, null where the input has none."""
    full = schema(vocabulary, columns)
    missing = [pl.lit(None, dtype=t).alias(n) for n, t in full.items() if n not in frame.columns]
    return frame.with_columns(missing).select(pl.col(n).cast(t) for n, t in full.items())


def _exact_float(value: Fraction) -> float | None:
    number = float(value)
    return number if Fraction(number) == value else None


def records_frame(
    records: Sequence[OutageRecord],
    vocabulary: m.Vocabulary,
    columns: Iterable[str],
    rows: Sequence[int] | None = None,
) -> tuple[pl.DataFrame, dict[str, dict[str, Fraction]]]:
    """Validated records as a frame with the facts and events in ``columns`` (the others
    the records carry too); numbers a double cannot hold exactly are kept apart."""
    names = set(columns)
    for record in records:
        names.update(record.facts, record.events)
    full = schema(vocabulary, names)
    cells: dict[str, list[Any]] = {name: [] for name in full}
    exact: dict[str, dict[str, Fraction]] = {}
    for i, record in enumerate(records):
        cells["row"].append(rows[i] if rows is not None else i)
        cells["id"].append(record.id)
        cells["service"].append(record.service)
        cells["start"].append(record.start)
        cells["end"].append(record.end)
        for name in list(full)[5:]:
            value: Any = record.facts.get(name)
            if value is None:
                value = record.events.get(name)
            elif isinstance(value, Fraction):
                number = _exact_float(value)
                if number is None:
                    exact.setdefault(record.id, {})[name] = value
                value = number
            elif isinstance(value, frozenset | tuple):
                value = sorted(value) if isinstance(value, frozenset) else list(value)
            cells[name].append(value)
    return pl.DataFrame(cells, schema=full), exact


# ------------------------------------------------------------------ reading


# ------------------------------------------------------------------ validation by column


def frame_intake(
    contract: m.Contract,
    frame: pl.DataFrame,
    name: str,
    case: Case,
    keep_going: bool = False,
    first_line: int | None = 2,
    causes: bool = True,
    read: Columns | None = None,
    first_row: int = 0,
    closing: Closing | None = None,
    first_record: int = 0,
) -> FrameIntake:
    """Validate a frame of outage records (and the other inputs in ``case``).

    ``first_line`` is the file line of the frame's first row (CSV: 2), None when rows are
    placed by index (``name: outages[3]``). Without ``causes`` the records' causes are not
    looked for among them (a partition of a larger log: its driver resolves them).
    ``first_row``: the index of the frame's first row in its log (a chunk of a stream),
    when rows are placed by index; ``first_record``: the number of records before it (a
    record without an id is named by its number in the log). With ``closing``, an ongoing
    record it cannot close is refused.
    """
    part = frame_part(contract, frame, name, first_line, read, first_row, first_record)
    return joined_intake(contract, [part], case, keep_going, causes, closing)


@with_repr
@attrs.define(repr=False)
class Part:
    """A frame's valid records and its errors (by record number), before the checks that
    look at every record of the log at once: ids used twice, causes."""

    valid: pl.DataFrame
    errors: list[tuple[int, RecordError]]
    read: int  # the records read (blank rows are none)
    exact: dict[str, dict[str, Fraction]]
    where: Callable[[int], str]  # a record number's place in the file
    first: int = 0  # the number of the part's first record


def frame_part(
    contract: m.Contract,
    frame: pl.DataFrame,
    name: str,
    first_line: int | None = 2,
    read: Columns | None = None,
    first_row: int = 0,
    first_record: int = 0,
) -> Part:
    """A frame of outage records validated a column at a time (see :func:`frame_intake`);
    its records numbered from ``first_record`` (a chunk of a log read in chunks)."""
    vocabulary, tz = contract.vocabulary, timezone_of(contract)
    assert vocabulary is not None
    columns = [c.strip() for c in frame.columns]
    check_header(columns, name)
    frame = frame.rename(dict(zip(frame.columns, columns, strict=True)))
    if read is None or read.header:
        check_columns(Case(columns={name: columns}), vocabulary)
    frame = text_cells(
        frame,
        read is not None and read.plain_space,
        read.iso_shaped if read is not None else frozenset(),
    )
    blank = pl.all_horizontal(pl.all().exclude("line").is_null())  # "line" is never null
    if read is not None and read.text is not None:
        blank = pl.lit(False)  # `{}` is a record of JSON Lines (with no id)
    elif read is not None and read.left_out_text is not None:
        blank = blank & ~pl.lit(read.left_out_text)
    # `line` places a row in its file; `row` numbers the records read (blank rows are not
    # records), as the record route numbers its items.
    frame = frame.with_row_index("line")
    blanks = frame.select(blank.fill_null(False)).to_series()
    if blanks.any():  # a filter copies every column: only when a row goes
        frame = frame.filter(~blanks)
    frame = frame.with_row_index("row", offset=first_record)
    # each record's line in the frame, kept only when blank rows were left out
    lines = frame["line"] if blanks.any() else None
    frame = frame.drop("line")

    def line_of(row: int) -> int:
        return row - first_record if lines is None else int(lines[row - first_record])

    def where(row: int) -> str:
        line = line_of(row)
        return (
            f"{name}:{line + first_line}"
            if first_line is not None
            else f"{name}: outages[{line + first_row}]"
        )

    out: dict[str, pl.Series] = {"row": frame["row"].cast(pl.Int64)}
    none = all_false(frame.height)
    bad, inexact = none, none
    for field in ("id", "service"):
        if field in frame.columns:
            text = frame[field].dtype == pl.String or frame[field].dtype.is_integer()
            series = frame[field].cast(pl.String) if text else pl.Series([None] * frame.height)
            out[field] = series.cast(pl.String)
            bad = bad | series.is_null()  # true/false or a list is no id: the record route
        else:
            bad = ~none  # every row lacks it: the record route names it
    events = {e.name for e in vocabulary.events}
    facts = {f.name: f for f in vocabulary.facts}

    def readable_column(column: str) -> tuple[pl.Series, pl.Series | None]:
        """A column's cells as a check reads them, and the rows whose cell has a shape no
        column check reads (each goes to the record route)."""
        series = frame[column]
        decl = facts.get(column)
        listed = decl is not None and (decl.is_set or decl.type in LIST_TYPES)
        if readable(series.dtype, listed):
            return series, None
        return pl.Series(column, [None] * frame.height, dtype=pl.String), series

    # Each check vectorised on polars' own threads (a Python pool around them oversubscribed
    # the cores: issue 29); the text timestamps of every column in one query, side by side.
    columns = [c for c in frame.columns if c not in ("row", "id", "service")]
    cells = {c: readable_column(c) for c in columns}
    texts = {
        c: read is not None and c in read.iso_shaped
        for c in columns
        if (c in ("start", "end") or c in events) and not isinstance(cells[c][0].dtype, pl.Datetime)
    }
    instants = instant_columns(pl.DataFrame([cells[c][0] for c in texts]), texts, tz)

    def check(column: str) -> tuple[Checked, pl.Series | None]:
        """One column checked; also the rows a double cannot hold exactly."""
        series, odd = cells[column]
        if column in instants:
            checked, rough = instants[column], None
        elif column in ("start", "end") or column in events:
            checked, rough = datetime_column(series, tz), None
        else:
            checked, rough = fact_column(series, facts[column])
        if odd is not None:
            checked.bad = checked.bad | odd.is_not_null()
        return checked, rough

    results = [check(c) for c in columns]
    for column, (checked, rough) in zip(columns, results, strict=True):
        out[column] = checked.values
        bad = bad | checked.bad
        if rough is not None:
            inexact = inexact | rough.fill_null(False)
    if "start" not in out:
        bad = ~none
    else:
        bad = bad | out["start"].is_null()
        if "end" in out:
            bad = bad | (out["end"] <= out["start"]).fill_null(False)
    checked_frame = pl.DataFrame(out)
    slow_rows = bad | inexact
    anything_slow = bool(slow_rows.any())
    good = checked_frame.filter(~slow_rows) if anything_slow else checked_frame

    # The record route: every row the column checks did not pass, read as the record
    # engine reads it — accepted, or refused with its own message.
    errors: list[tuple[int, RecordError]] = []
    rescued: list[OutageRecord] = []
    rescued_rows: list[int] = []
    slow = frame.filter(slow_rows) if anything_slow else frame.clear()
    for data in slow.iter_rows(named=True):
        row = data.pop("row")
        item = (read.original(line_of(row)) if read is not None else None) or {
            k: v for k, v in data.items() if v is not None
        }
        try:
            rescued.append(outage_from_mapping(item, vocabulary, tz, row, where(row)))
            rescued_rows.append(row)
        except RecordError as exc:
            exc.source = where(row)
            errors.append((row, exc))
    exact: dict[str, dict[str, Fraction]] = {}
    names = needed(contract) | set(good.columns)
    if rescued:
        extra, exact = records_frame(rescued, vocabulary, names, rescued_rows)
        names |= set(extra.columns)
        valid = pl.concat(
            [with_columns(good, vocabulary, names), with_columns(extra, vocabulary, names)]
        ).sort("row")
    else:
        valid = with_columns(good, vocabulary, names)
    return Part(valid, errors, frame.height, exact, where, first_record)


def joined_intake(
    contract: m.Contract,
    parts: Sequence[Part],
    case: Case,
    keep_going: bool = False,
    causes: bool = True,
    closing: Closing | None = None,
) -> FrameIntake:
    """The parts of a log (its chunks, in order) as one intake: a second record of an id
    refused, an ongoing record that ``closing`` (when given) cannot close refused, causes
    looked for among every valid record (unless not ``causes``), the errors in the order of
    the records (then those of causes), the other inputs in ``case`` validated."""
    vocabulary = contract.vocabulary
    assert vocabulary is not None and parts
    if len(parts) == 1:
        valid, where = parts[0].valid, parts[0].where
    else:
        frames = [p.valid for p in parts]
        for p in parts:
            p.valid = pl.DataFrame()  # held by `frames` alone, let go as joined
        valid = _joined(frames, vocabulary)
        firsts = [p.first for p in parts]

        def where(row: int) -> str:
            return parts[bisect.bisect_right(firsts, row) - 1].where(row)

    errors = [pair for p in parts for pair in p.errors]
    valid, more = unique_ids(valid, where)
    errors += more
    unclosed: list[tuple[int, RecordError]] = []
    if closing is not None:
        valid, unclosed = unclosed_rows(valid, where, closing.as_of)
        errors += unclosed
    errors.sort(key=lambda pair: pair[0])  # row order; then the orphans, pass by pass
    edges = pl.DataFrame(schema=EDGES)
    if causes:
        valid, more, edges = resolve_causes(valid, where)
        errors += more
    exact = {k: v for p in parts for k, v in p.exact.items()}
    read = sum(p.read for p in parts)
    intake = FrameIntake(
        valid,
        read=read,
        closures=list(case.closures),
        exact=exact,
        edges=edges,
        where=where,
        unclosed=unclosed,
    )
    _fail_or_keep(intake, [e for _, e in errors], keep_going)
    _other_inputs(intake, contract, case, keep_going)
    return intake


def _joined(frames: list[pl.DataFrame], vocabulary: m.Vocabulary) -> pl.DataFrame:
    """The parts' frames as one contiguous frame, a column at a time: each column's pieces
    are let go once it is copied, so the log is held about once, not twice (the plan's
    filters and sorts would otherwise gather the chunks' pieces again and again)."""
    names = set().union(*(f.columns for f in frames))
    frames[:] = [with_columns(f, vocabulary, names) for f in frames]
    columns = []
    for name in frames[0].columns:
        pieces = [f.drop_in_place(name) for f in frames]
        columns.append(pl.concat(pieces, rechunk=True))
        del pieces
    frames.clear()
    return pl.DataFrame(columns)


def columns_fit(read: Columns, contract: m.Contract) -> bool:
    """Whether the columns route may read ``read`` for ``contract``: JSON Lines whose keys
    are not all fields go to the record route, which names each record's bad field."""
    if read.header:
        return True
    vocabulary = contract.vocabulary
    assert vocabulary is not None
    known = {*RECORD_FIELDS, *(f.name for f in vocabulary.facts if not f.derived)}
    known |= {e.name for e in vocabulary.events}
    lists = {f.name for f in vocabulary.facts if f.is_set or f.type in LIST_TYPES}
    listed = {n for n, t in read.frame.schema.items() if isinstance(t, pl.List)}
    return set(read.frame.columns) <= known and listed <= lists


def columns_intake(
    contract: m.Contract,
    read: Columns,
    case: Case,
    keep_going: bool = False,
    closing: Closing | None = None,
) -> FrameIntake:
    """Validate a log read as columns (see :func:`frame_intake`)."""
    return frame_intake(
        contract,
        read.frame,
        read.name,
        case,
        keep_going,
        read.first_line,
        read=read,
        closing=closing,
    )


def _fail_or_keep(intake: FrameIntake, errors: list[RecordError], keep_going: bool) -> None:
    if errors and not keep_going:
        raise errors[0]
    intake.errors.extend(errors)


def _other_inputs(intake: FrameIntake, contract: m.Contract, case: Case, keep_going: bool) -> None:
    """Notices, billing and events: small inputs, validated by the record route."""
    rest = take_in(contract, attrs.evolve(case, outages=[], events=[]), keep_going)
    intake.notices, intake.billing = rest.notices, rest.billing
    intake.errors.extend(rest.errors)
    intake.closures = rest.closures
    if case.events:
        bad: list[RecordError] = []  # each bad event named, every good one kept
        events: list[Mapping[str, Any]] = [i.data for i in case.events]
        intake.frame = frame_events(intake.frame, contract, events, bad)
        for exc in bad:
            exc.source = event_place(case.events, exc)
        _fail_or_keep(intake, bad, keep_going)


def frame_events(
    frame: pl.DataFrame,
    contract: m.Contract,
    events: list[Mapping[str, Any]],
    errors: list[RecordError] | None = None,
) -> pl.DataFrame:
    """A separate events input (record, event, at) added to the records' event columns,
    checked as the record engine checks it."""
    vocabulary, tz = contract.vocabulary, timezone_of(contract)
    assert vocabulary is not None
    given = {str(e.get("event") or "") for e in events}
    names = [e.name for e in vocabulary.events if e.name in frame.columns or e.name in given]
    frame = frame.with_columns(
        pl.lit(None, dtype=pl.Int64).alias(n) for n in names if n not in frame.columns
    )
    named = {str(e.get("record") or "") for e in events}
    rows = frame.filter(pl.col("id").is_in(list(named)))
    stubs = [
        OutageRecord(
            r["id"],
            r["service"],
            r["start"],
            r["end"],
            {},
            {n: r[n] for n in names if r.get(n) is not None},
        )
        for r in rows.iter_rows(named=True)
    ]
    everyone = {r for r in frame["id"].to_list()} if len(stubs) < len(named) else set()
    # add_events names unknown ids against every record; give it stubs for all of them
    # only when some named id is missing (an error path).
    if everyone:
        present = {s.id for s in stubs}
        stubs += [OutageRecord(i, "", 0, None) for i in sorted(everyone - present)]
    updated = {r.id: r.events for r in add_events(stubs, events, vocabulary, tz, None, errors)}
    if not updated:
        return frame
    table = pl.DataFrame(
        {"id": list(updated), **{n: [updated[i].get(n) for i in updated] for n in names}},
        schema={"id": pl.String, **{n: pl.Int64 for n in names}},
    )
    joined = frame.join(table, on="id", how="left", suffix="__event")
    return joined.with_columns(
        pl.coalesce(pl.col(f"{n}__event"), pl.col(n)).alias(n) for n in names
    ).drop([f"{n}__event" for n in names])


# ------------------------------------------------------------------ the record route


def items_intake(
    contract: m.Contract, case: Case, keep_going: bool = False, closing: Closing | None = None
) -> FrameIntake:
    """Inputs that are not columns (JSON, JSON Lines, importers, mappings) validated item by
    item by the record validator, then made a frame."""
    taken = take_in(contract, case, keep_going, closing=closing)
    assert contract.vocabulary is not None
    frame, exact = records_frame(taken.outages, contract.vocabulary, needed(contract))
    frame, orphans, edges = resolve_causes(frame, lambda row: f"outages[{row}]")
    assert not orphans  # take_in rejected them already
    return FrameIntake(
        frame, taken.notices, taken.billing, taken.closures, taken.errors, taken.read, exact, edges
    )


def read_outages(
    contract: m.Contract, path: str, fmt: str | None, case: Case, keep_going: bool = False
) -> FrameIntake:
    """The outage log at ``path`` (and ``case``'s other inputs) validated into a frame."""
    read = read_frame(path, fmt)
    if read is not None and columns_fit(read, contract):
        return columns_intake(contract, read, case, keep_going)
    items = read_case(path, fmt if fmt != "parquet" else None)
    merged = attrs.evolve(
        case,
        outages=items.outages,
        notices=items.notices + case.notices,
        billing=items.billing + case.billing,
        events=items.events + case.events,
        closures=items.closures + case.closures,
        closure_places=items.closure_places + case.closure_places,
        columns=items.columns,
    )
    return items_intake(contract, merged, keep_going)
