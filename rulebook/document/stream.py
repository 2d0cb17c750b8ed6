"""Out of core: a log larger than memory adjudicated a chunk at a time (``--engine stream``).

The log (CSV or Parquet) is read in chunks of a bounded number of records
(a :class:`Budget`, from a memory setting). Each chunk is validated as a whole log is
(the same checks and messages, placed at their lines), then joined to the records held
back from the chunk before: each service's last *stretch* — its records that a later
record may still touch (:func:`rulebook.columnar.parts.last_stretch`) — is held back
again, the rest is adjudicated by the columnar plan as one part (every grouping a verdict
reads lies inside a stretch, so each record is decided as in the whole log). A part's
records go to a sink (JSON Lines, Parquet) and are let go; what its periods measured is
kept (:class:`rulebook.columnar.parts.Figures`, a few numbers a service and month) and put
together at the end with the record engine's arithmetic and remedies.

What the stream needs from the log: a service's records come in order of time, as logs
are written — precisely, no record starts at or before the end of a stretch of its
service already adjudicated (one that started before it). A record that does is refused
with its place (sort the log by start, or by service and start). Memory is a chunk plus
the stretches held back: a service continuously down across many chunks holds them all.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Protocol

import attrs
import polars as pl

from rulebook import model as m
from rulebook.columnar.parts import Figures, assemble, figures_of, last_stretch, starts_of
from rulebook.columnar.plan import run_plan
from rulebook.columnar.state import OUT_OF_SCOPE
from rulebook.columnar.versions import run_versions
from rulebook.document.causes import ancestry, placer
from rulebook.document.chunks import (
    ChunkIntake,
    StreamError,
    expected_records,
    read_chunks,
)
from rulebook.document.fields import document_head, given_span, period_dict
from rulebook.document.frames import FrameAdjudication, as_of_instant, periods_frame
from rulebook.document.seen import MOST_BITS, Seen, most_bits
from rulebook.engine.measure import Measure, customer_start
from rulebook.engine.remedy import settle
from rulebook.intake.billing import Billing
from rulebook.intake.clock import iso
from rulebook.intake.columns import FrameIntake
from rulebook.intake.ongoing import Closing
from rulebook.intake.records import RecordError, closure_date, timezone_of
from rulebook.io.readers import Case
from rulebook.reprs import with_repr
from rulebook.versions import Chain, versions

#: The memory a stream may use unless told otherwise.
MEMORY = 2 << 30

#: What a stream holds besides its chunk (the interpreter, polars, the contract), and the
#: peak bytes a record of a chunk costs through validation and the plan, with a margin:
#: measured on the benchmark's logs, 360 MB and 372-780 bytes (the more, the larger the
#: chunk); writing every record (JSON Lines, Parquet) costs up to 840 bytes, so a chunk
#: is half as large then (docs/performance.md).
BASE, BYTES_PER_RECORD = 400 << 20, 832

#: The fewest records a chunk holds, whatever the memory setting.
FEWEST = 1000


#: What the pass over the whole file that reads the causes (``caused_by``) holds, while
#: the first chunk is held: polars' reading of the file, measured at 290-350 MiB for logs
#: of 10^7 and 2·10^7 records (1 and 2 GB), not growing with the file. With :data:`BASE`,
#: the least a stream of a CSV log needs: under about 800 MiB chunks hold the fewest
#: records and the setting cannot be kept (docs/performance.md).
CAUSES_PASS = 384 << 20


@with_repr
@attrs.frozen(repr=False)
class Budget:
    """A memory bound (bytes) for a stream: a chunk holds the records that fit in what
    the program (:data:`BASE`) and the stream's own state leave of it — the ids' hashes,
    the causes read from the whole file, the stretches held back — so that the chunks
    shrink as the log read grows (at 10^8 records the hashes alone are 800 MB). Half as
    many records when every record is ``written`` out."""

    memory: int
    written: bool = False

    @property
    def per_record(self) -> int:
        return BYTES_PER_RECORD * (2 if self.written else 1)

    def rows(self, held: int = 0, first: bool = False) -> int:
        """The records of the next chunk, when the stream holds ``held`` bytes (the
        ``first`` chunk leaves room for the pass that reads the causes)."""
        room = self.memory - BASE - held - (CAUSES_PASS if first else 0)
        return max(FEWEST, room // self.per_record)


def parse_size(text: str) -> int:
    """A size as bytes: ``2GiB``, ``512MiB``, ``4G``, ``1000000`` (bytes)."""
    found = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMGT]?)(i?B)?\s*", text, re.IGNORECASE)
    if not found:
        raise ValueError(f"'{text}' is not a size; accepted: a number of bytes, or 512MiB, 4GiB")
    number, unit = float(found.group(1)), found.group(2).upper()
    return int(number * 1024 ** "_KMGT".index(unit or "_"))


# ------------------------------------------------------------------ the result


class Sink(Protocol):
    """Where each part's records go (JSON Lines, Parquet, a test's list)."""

    def write(self, part: FrameAdjudication) -> None: ...


@with_repr
@attrs.frozen(repr=False)
class StreamAdjudication:
    """What a stream decided: the periods (with remedies) and the counts; the records
    went to the sink. :meth:`to_dict` gives the document without its records (``report``),
    with the records whose obligations apply or are undetermined."""

    contract: m.Contract
    tz: dt.tzinfo
    as_of: int | None
    notices: int
    measured: tuple[tuple[str, Measure], ...]
    remedies: dict[tuple[str, str], Any]
    bills: dict[str, Billing]
    kept: tuple[dict[str, Any], ...]
    errors: tuple[RecordError, ...]
    read: int
    adjudicated: int
    scoped_out: dict[str, int]
    fallback: int
    parts: int
    project_file: Mapping[str, str | None] | None = None  # the inputs' project file
    sizes: tuple[int, ...] = ()  # the records of each chunk read

    def to_dict(self, reasons: bool = False, records: bool = False) -> dict[str, Any]:
        """The JSON document without records (they were streamed), but those that have an
        obligation to show."""
        if reasons or records:
            raise StreamError(
                "--engine stream writes every record with --format jsonl or parquet; "
                "reasons and documents with every record come from --engine columnar"
            )
        chain = self._chain()
        document = document_head(self.contract, self.tz, self.as_of, self.project_file, chain)
        document["counts"] = {"outages": self.adjudicated, "notices": self.notices}
        document["outages"] = sorted(self.kept, key=lambda o: o["id"])
        document["periods"] = [self._period(s, p, chain) for s, p in self.measured]
        return document

    def _chain(self) -> Chain | None:
        return Chain.of(self.contract, self.tz) if self.contract.amendments else None

    def _period(self, service: str, measured: Measure, chain: Chain | None) -> dict[str, Any]:
        owed = self.remedies.get((service, measured.period.label))
        return period_dict(self.contract, service, measured, owed, self.tz, self.as_of, chain)

    @property
    def periods(self) -> pl.DataFrame:
        """One row per service and period, as :attr:`FrameAdjudication.periods`."""
        chain = self._chain()
        return periods_frame([self._period(s, p, chain) for s, p in self.measured])

    def out_of_scope(self) -> dict[str, int]:
        """The services of the out-of-scope records, with how many records each."""
        return dict(sorted(self.scoped_out.items()))

    def billing(self) -> dict[str, Billing]:
        """Each service's billing as given, by service."""
        return dict(self.bills)

    def explain(self, record_id: str, *args: Any, **kwargs: Any) -> str:
        raise StreamError("reasons are explained on one machine: use --engine columnar")


# ------------------------------------------------------------------ the stream


@with_repr
@attrs.define(repr=False)
class _State:
    """What the stream carries from chunk to chunk."""

    held: pl.DataFrame | None = None  # the services' last stretches, validated
    #: effects' resolved causal bits, by id: each version's (one without versions)
    ancestry: list[pl.DataFrame | None] = attrs.field(factory=lambda: [None])
    seen: Seen = attrs.field(factory=lambda: Seen())
    exact: dict[str, dict[str, Any]] = attrs.field(factory=dict)
    reach: dict[str, int] = attrs.field(factory=dict)  # a service's adjudicated end
    figures: list[Figures] = attrs.field(factory=list)
    kept: list[dict[str, Any]] = attrs.field(factory=list)
    errors: list[RecordError] = attrs.field(factory=list)
    #: records refused by the causes pass (with --keep-going): dropped from their chunks
    refused: frozenset[str] = frozenset()
    fatal: list[tuple[str, RecordError]] = attrs.field(factory=list)
    scoped_out: dict[str, int] = attrs.field(factory=dict)
    read: int = 0
    adjudicated: int = 0
    fallback: int = 0
    parts: int = 0
    sizes: list[int] = attrs.field(factory=list)  # the records of each chunk read
    # CSV: each chunk's first record, by index and by file line
    lines: list[tuple[int, int]] = attrs.field(factory=list)

    def holds(self, per_record: int) -> int:
        """The bytes the stream holds besides its next chunk: the ids' hashes and their
        filter, the causes, the stretches held back (``per_record`` each: they are
        adjudicated with the next chunk)."""
        causes = sum(int(a.estimated_size()) for a in self.ancestry if a is not None)
        back = 0 if self.held is None else self.held.height * per_record
        return self.seen.bytes + causes + back


def adjudicate_stream(
    contract: m.Contract,
    path: str,
    case: Case,
    rows: int | Budget,
    as_of: str | dt.datetime | None = None,
    keep_going: bool = False,
    sink: Sink | None = None,
    fmt: str | None = None,
    chunks: Iterator[pl.DataFrame] | None = None,
    progress: Callable[[int], object] | None = None,
    span: tuple[str | None, str | None] = (None, None),
    intake: ChunkIntake | None = None,
) -> StreamAdjudication:
    """Adjudicate the log at ``path`` ``rows`` records at a time, or as many as a memory
    :class:`Budget` leaves room for at each chunk (``chunks``: the chunks given instead);
    notices, billing and closures from ``case``; each chunk taken in by ``intake`` (the
    project's maps; by default no project file's). Each part's records go to ``sink``. A
    bad record raises its error unless ``keep_going`` (then every one is in
    :attr:`StreamAdjudication.errors`)."""
    tz = timezone_of(contract)
    instant = as_of_instant(as_of, tz)
    state = _State()
    if chunks is None:  # the filter of ids read sized for the log
        most = most_bits(rows.memory) if isinstance(rows, Budget) else MOST_BITS
        state.seen = Seen(expected_records(path, fmt), most)
    intake = intake or ChunkIntake(contract, path, fmt)
    offset = 0
    other = None
    refusals: list[RecordError] = []

    def size() -> int:  # asked before each chunk: what the budget leaves now
        if isinstance(rows, Budget):
            return rows.rows(state.holds(rows.per_record), first=not state.sizes)
        return rows

    given = ((c, None) for c in chunks) if chunks is not None else None
    for chunk, line in given or read_chunks(path, fmt, size):
        state.sizes.append(chunk.height)
        first = other is None
        if intake.first_line is not None:  # CSV: the chunk's first line (blank lines part)
            line = line if line is not None else intake.first_line + offset
            state.lines.append((offset, line))
        inputs = case if first else Case()  # records numbered in the log: those read before
        taken = intake.take(chunk, inputs, offset, first, Closing(instant), line, state.read)
        other = other or taken
        place = placer(path, state.lines)
        _once(state, taken, place, offset, intake)
        offset += chunk.height
        state.read += taken.read
        state.errors.extend(taken.errors)
        if taken.errors and not keep_going:
            raise taken.errors[0]
        if first and chunks is None:  # the causes, over the whole file (each version's)
            # every refusal kept: without keep_going the first is raised after the chunks',
            # as one machine names a bad row before a cause (the stream reads on to see)
            passes = [ancestry(v.contract, intake, other, instant) for v in versions(contract)]
            state.ancestry = [bits for bits, _, _ in passes]
            _, state.refused, refusals = passes[0]  # the same records under every version
        if state.refused:
            taken.frame = taken.frame.filter(~pl.col("id").is_in(list(state.refused)))
        state.exact.update(taken.exact)
        _take(state, contract, taken.frame, other, instant, sink, last=False)
        if progress is not None:
            progress(offset)
    if other is None:  # no chunk at all: an empty log
        other = intake.empty(case, keep_going)
    else:  # after every chunk's, as one machine lists them: orphans pass by pass, cycles
        state.errors.extend(refusals)
        if refusals and not keep_going:
            raise refusals[0]
    intake.finish()
    _take(state, contract, None, other, instant, sink, last=True)
    if state.fatal:  # the plan's refusal, the first by record (an ongoing record that
        # as_of cannot close is the intake's, refused at its line before)
        raise min(state.fatal, key=lambda f: f[0])[1]
    closures = frozenset(closure_date(c) for c in other.closures)
    covered = given_span(*span, tz)  # the span the log covers, as given (since, until)
    starts = {b.service: s for b in other.billing if (s := customer_start(b, tz)) is not None}
    measured = assemble(contract, tz, other.notices, closures, state.figures, covered, starts)
    bills = _billing(other.billing)
    return StreamAdjudication(
        contract,
        tz,
        instant,
        len(other.notices),
        tuple(measured),
        settle(contract, measured, bills, tz),
        bills,
        tuple(state.kept),
        tuple(state.errors),
        state.read,
        state.adjudicated,
        state.scoped_out,
        state.fallback,
        state.parts,
        sizes=tuple(state.sizes),
    )


def _take(
    state: _State,
    contract: m.Contract,
    valid: pl.DataFrame | None,
    other: Any,
    as_of: int | None,
    sink: Sink | None,
    last: bool,
) -> None:
    """A chunk's valid records joined to those held back; all but each service's last
    stretch adjudicated as a part (everything, at the ``last``)."""
    if valid is not None and valid.height:
        _in_order(state, valid, timezone_of(contract))
    frames = [f for f in (state.held, valid) if f is not None and f.height]
    if not frames:
        if not (last and not state.parts and sink is not None):
            return
        now = other.frame  # no valid record at all: one empty part, so the files have columns
    else:
        pool = pl.concat(frames, how="diagonal_relaxed") if len(frames) > 1 else frames[0]
        if last:
            now, state.held = pool, None
        else:
            later = last_stretch(pool.select("service", "start", "end"))
            now, state.held = pool.filter(~later), pool.filter(later)
        if now.height == 0:
            return
    ids = now["id"].to_list()
    exact = {i: state.exact.pop(i) for i in ids if i in state.exact}
    closures = frozenset(closure_date(c) for c in other.closures)
    ids_now = now["id"].implode()
    ancestry = [a if a is None else a.filter(pl.col("id").is_in(ids_now)) for a in state.ancestry]
    try:
        given = (list(other.notices), list(starts_of(other.billing)), closures, as_of, exact)
        if contract.amendments:
            plan = run_versions(contract, now, *given, ancestry=ancestry)
        else:
            plan = run_plan(contract, now, *given, ancestry=ancestry[0])
    except RecordError as exc:  # the plan's own refusal (two billing entries of a service)
        state.fatal.append((str(exc.record), exc))
        return
    state.parts += 1
    state.adjudicated += now.height
    state.fallback += len(plan.fallback)
    figures = figures_of(plan)
    if figures is not None:
        state.figures.append(figures)
    ends = now.group_by("service").agg(pl.col("end").max())
    for service, end in ends.iter_rows():
        if end is not None:
            state.reach[service] = max(state.reach.get(service, end), end)
    scoped = plan.frame.filter(pl.col("status") == OUT_OF_SCOPE).group_by("service").len()
    for service, count in scoped.iter_rows():
        state.scoped_out[service] = state.scoped_out.get(service, 0) + count
    part = FrameAdjudication(plan)
    if plan.obligations:
        state.kept.extend(
            o
            for o in part.to_dict(records=False)["outages"]
            if any(ob["verdict"] != "not_applicable" for ob in o["obligations"])
        )
    if sink is not None:
        sink.write(part)


def _once(
    state: _State, taken: FrameIntake, place: Callable[[int], str], offset: int, intake: ChunkIntake
) -> None:
    """A chunk's records whose ids an earlier chunk used are refused, as the intake
    refuses a second record of an id: the ids' hashes are kept (8 bytes a record), and the
    record one machine keeps of each id found again is looked up in the rows before
    ``offset`` (the chunk's first), all in one pass (``place``: a row's place by its index
    in the log). The ids looked for are those of the records kept and of those refused
    only as ongoing records that cannot be closed: one machine refuses an id used twice
    before it closes a record. The chunk's own "used twice" then name the log's first."""
    where = taken.where
    assert where is not None  # a frame's intake places its records
    unclosed = pl.Series("id", [e.record for _, e in taken.unclosed], dtype=pl.String)
    ids = pl.concat([taken.frame["id"], unclosed])
    again = state.seen.add(ids.hash(seed=0))
    if again is None or not again.any():
        return
    firsts = intake.first_indexes(ids.filter(again).unique().to_list(), offset)
    if not firsts:  # hashes shared by two ids: none was read before
        return

    def twice(rid: str, row: int) -> RecordError:
        problem = f"is used twice (first at {place(firsts[rid])})"
        error = RecordError(rid, "id", problem, "a unique id per record", source=where(row))
        return intake.maps.annotate(error)

    valid = taken.frame
    refused = valid["id"].is_in(list(firsts))
    errors = [twice(r, w) for r, w in valid.filter(refused).select("id", "row").iter_rows()]
    for row, error in taken.unclosed:  # used twice: said before it is not closed
        if error.record in firsts:
            taken.errors.remove(error)
            errors.append(twice(error.record, row))
    for error in taken.errors:  # the chunk's own second uses: the log's first is named
        if error.field == "id" and error.record in firsts and "used twice" in error.problem:
            error.problem = f"is used twice (first at {place(firsts[error.record])})"
            error.args = (error.render(),)
    taken.frame = valid.filter(~refused)
    taken.errors = sorted([*taken.errors, *errors], key=_row_of)


def _row_of(error: RecordError) -> int:
    """An error's place in its chunk, for the order of the messages."""
    where = str(error.source or "")
    digits = re.findall(r"\d+", where.rsplit(":", 1)[-1]) if where else []
    return int(digits[-1]) if digits else 0


def _in_order(state: _State, valid: pl.DataFrame, tz: dt.tzinfo) -> None:
    """Refuse a record that starts before the end of its service's records already
    adjudicated: it would have joined their stretch."""
    if not state.reach:
        return
    reach = pl.DataFrame(
        {"service": list(state.reach), "__reach": list(state.reach.values())},
        schema={"service": pl.String, "__reach": pl.Int64},
    )
    late = valid.join(reach, on="service").filter(pl.col("start") <= pl.col("__reach"))
    if late.height == 0:
        return
    first = late.sort("row").row(0, named=True)
    when = iso(pl.Series([first["__reach"]]), tz)[0]
    raise StreamError(
        f"record {first['id']}, field 'start': starts before {when}, the end of records of "
        f"service {first['service']} already adjudicated; --engine stream reads a service's "
        "records in order of time: sort the log by start (or by service and start), or "
        "use --engine columnar"
    )


def _billing(entries: list[Billing]) -> dict[str, Billing]:
    by_service: dict[str, Billing] = {}
    for entry in entries:
        if entry.service in by_service:
            raise RecordError(
                entry.service, "service", "has two billing entries", "one entry per service"
            )
        by_service[entry.service] = entry
    return by_service
