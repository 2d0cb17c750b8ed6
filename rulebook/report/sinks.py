"""Where ``--engine stream`` writes each part's records as it is adjudicated: JSON Lines
(a line a record, as ``--format jsonl`` writes them) and Parquet (records and segments,
then the periods at the end), in one machine's order: by id.

A part's records are sorted by id, but a record is adjudicated in the part where its
service's stretch ends, so the parts interleave. Each part is kept as a sorted *run* (a
Parquet file of its own) in a private folder beside the output (:mod:`rulebook.io.outputs`;
the system's temporary folder for standard output); at the end the runs are merged by id,
a bounded batch of each at a time, into the files, which are then put in place together
by a rename — a link at the output's name is replaced, never written through, and a run
that stops leaves nothing under the names asked for."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, BinaryIO

if TYPE_CHECKING:
    import polars as pl
    import pyarrow as pa

    from rulebook.document.frames import FrameAdjudication
    from rulebook.document.stream import StreamAdjudication

#: The rows a merge holds at once, over all runs (a batch of each open run's share of it).
MERGED = 1 << 20

#: The rows of a run's row group: a merge reads a run a row group or more at a time.
GROUP = 1 << 16


class Runs:
    """Sorted runs of one table, a Parquet file each, in ``folder``, with each run's
    first and last id."""

    def __init__(self, folder: str, name: str) -> None:
        self.folder, self.name = folder, name
        self.paths: list[str] = []
        self.bounds: list[tuple[Any, Any]] = []  # each run's first and last id
        self.schema: pa.Schema | None = None

    def add(self, table: pa.Table) -> None:
        """A part's rows, sorted by id (cast to the first part's schema)."""
        import pyarrow.parquet as pq

        if table.num_rows == 0:  # its columns may be of no type: a later part's are kept
            self.schema = self.schema or table.schema
            return
        if not self.paths:
            self.schema = table.schema
        assert self.schema is not None
        path = os.path.join(self.folder, f"{self.name}-{len(self.paths):06d}.parquet")
        table = table.cast(self.schema)
        pq.write_table(table, path, write_statistics=False, row_group_size=GROUP)
        ids = table.column("id")
        self.bounds.append((ids[0].as_py(), ids[-1].as_py()))
        self.paths.append(path)

    def merged(self, rows: int = MERGED) -> Iterator[pl.DataFrame]:
        """Every run's rows in order of id (the rows of an id are one run's, in its order),
        a batch at a time. A run is opened when the order reaches its first id and read a
        few row groups at a time, its share of ``rows`` among the runs open; what every
        open run holds up to the smallest last id among them is sorted and given out.
        Runs whose ids follow one another (a log in order of time, its ids growing with
        it) are so read in large batches, few of them open at once; runs whose ids
        interleave, each ``rows / runs`` rows at a time."""
        return _Merge(self, rows).batches()


class _Merge:
    """The state of :meth:`Runs.merged`: the runs not opened yet (by first id), and each
    open run's file and next row group (its cursor) and rows read but not given out (its
    head)."""

    def __init__(self, runs: Runs, rows: int) -> None:
        self.runs, self.rows = runs, rows
        order = sorted(range(len(runs.paths)), key=lambda i: runs.bounds[i][0])
        self.waiting = order[::-1]  # the next run to open last
        self.cursors: dict[int, tuple[Any, int]] = {}
        self.heads: dict[int, pl.DataFrame] = {}

    def batches(self) -> Iterator[pl.DataFrame]:
        import polars as pl

        while self.heads or self.waiting:
            if not self.heads:
                self._open(self.waiting.pop())
                continue
            bound = min(head["id"][-1] for head in self.heads.values())
            if self.waiting and self.runs.bounds[self.waiting[-1]][0] <= bound:
                self._open(self.waiting.pop())  # it holds ids up to the bound: read it first
                continue
            taken = []
            for at, head in list(self.heads.items()):
                if head["id"][0] > bound:
                    continue  # nothing up to the bound
                cut = head["id"].search_sorted(bound, side="right")
                taken.append(head[:cut])
                if cut < head.height:
                    self.heads[at] = head[cut:]
                else:
                    self._ahead(at)
            yield taken[0] if len(taken) == 1 else pl.concat(taken).sort("id", maintain_order=True)

    def _open(self, at: int) -> None:
        import pyarrow.parquet as pq

        self.cursors[at] = (pq.ParquetFile(self.runs.paths[at]), 0)
        self._ahead(at)

    def _ahead(self, at: int) -> None:
        """The run's next row groups as its head: its share of the rows among the runs
        open, within what the other heads leave of ``rows`` (a row group at least); the
        run closed when it has no more."""
        import polars as pl

        self.heads.pop(at, None)
        file, first = self.cursors[at]
        held = sum(head.height for head in self.heads.values())
        share = max(GROUP, min(self.rows // (len(self.heads) + 1), self.rows - held))
        last, count = first, 0
        while last < file.num_row_groups and count < share:
            count += file.metadata.row_group(last).num_rows
            last += 1
        if last == first:
            del self.cursors[at]
            return
        self.cursors[at] = (file, last)
        frame = pl.from_arrow(file.read_row_groups(range(first, last)))
        assert isinstance(frame, pl.DataFrame)
        self.heads[at] = frame


class _Sink:
    """A private folder beside ``output`` (or in the temporary folder) for the runs and
    the files before they are put in place."""

    def __init__(self, output: str | None) -> None:
        from rulebook.io.outputs import is_stream, work_folder

        if output and output != "-" and not is_stream(output):
            self.folder = work_folder(output)
        else:  # standard output, a pipe, a device: the system's temporary folder
            self.folder = tempfile.mkdtemp()

    def done(self, pairs: list[tuple[str, str]]) -> list[str]:
        """The files written into place (all of them), the folder removed."""
        from rulebook.io.outputs import put_in_place

        try:
            return put_in_place(pairs)
        finally:
            self.abandon()

    def abandon(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


class JsonLines(_Sink):
    """Each part's records, a line a record, to ``output`` or standard output; with
    ``period``, the records that have a segment in it."""

    def __init__(self, output: str | None, period: str | None) -> None:
        super().__init__(output)
        self.output, self.period = output, period
        self.runs = Runs(self.folder, "lines")

    def write(self, part: FrameAdjudication) -> None:
        import pyarrow as pa

        from rulebook.document.frames import jsonl_text

        frame = part.jsonl_frame(self.period)
        text = jsonl_text(frame).encode("utf-8")
        lines = text.split(b"\n")[: frame.height]
        self.runs.add(pa.table({"id": frame["id"].to_arrow(), "line": pa.array(lines)}))

    def finish(self, ok: bool, result: StreamAdjudication | None = None) -> list[str]:
        """The lines in order of id, to the file (put in place when ``ok``) or stdout."""
        if not ok:
            self.abandon()
            return []
        from rulebook.io.outputs import is_stream, stream_at

        output = self.output if self.output and self.output != "-" else None
        into = output is not None and is_stream(output)  # /dev/null, a pipe: no file
        path = os.path.join(self.folder, "out.jsonl")
        try:
            if output is None:
                sys.stdout.flush()
                handle: BinaryIO = sys.stdout.buffer
            else:
                handle = os.fdopen(stream_at(output), "wb") if into else open(path, "wb")  # noqa: SIM115
            for batch in self.runs.merged():
                handle.write(b"\n".join(batch["line"].to_list()) + b"\n")
            if output is None:
                handle.flush()
            else:
                handle.close()
        except BaseException:
            self.abandon()
            raise
        if output is None or into:
            self.abandon()
            return [output] if output else []
        return self.done([(path, output)])


class Parquet(_Sink):
    """``PREFIX.records.parquet``, ``PREFIX.segments.parquet`` and
    ``PREFIX.periods.parquet`` (as ``--format parquet`` names them)."""

    def __init__(self, prefix: str, period: str | None) -> None:
        super().__init__(prefix)
        self.prefix, self.period = prefix, period
        self.runs = {name: Runs(self.folder, name) for name in ("records", "segments")}

    def write(self, part: FrameAdjudication) -> None:
        import polars as pl

        records = part.records
        segments = part.segments
        if self.period is not None:
            inside = segments.filter(pl.col("period") == self.period)["id"].unique()
            records = records.filter(pl.col("id").is_in(inside.implode()))
            segments = segments.filter(pl.col("id").is_in(records["id"].implode()))
        self.runs["records"].add(records.to_arrow())
        self.runs["segments"].add(segments.to_arrow())

    def finish(self, ok: bool, result: StreamAdjudication | None = None) -> list[str]:
        """The runs merged by id, the periods written; all put in place when ``ok``."""
        import polars as pl

        if not ok or result is None:
            self.abandon()
            return []
        pairs = []
        try:
            for name, runs in self.runs.items():
                path = os.path.join(self.folder, f"out.{name}.parquet")
                _merge_into(path, runs)
                pairs.append((path, f"{self.prefix}.{name}.parquet"))
            periods = result.periods
            if self.period is not None:
                periods = periods.filter(pl.col("period") == self.period)
            path = os.path.join(self.folder, "out.periods.parquet")
            periods.write_parquet(path, statistics=False)
            pairs.append((path, f"{self.prefix}.periods.parquet"))
        except BaseException:
            self.abandon()
            raise
        return self.done(pairs)


def _merge_into(path: str, runs: Runs) -> None:
    """A table's runs merged into one Parquet file (no record at all: a file of no rows)."""
    import polars as pl
    import pyarrow.parquet as pq

    if runs.schema is None:
        pl.DataFrame().write_parquet(path)
        return
    with pq.ParquetWriter(path, runs.schema, write_statistics=False) as writer:
        for batch in runs.merged():
            writer.write_table(batch.to_arrow().cast(runs.schema))
        if not runs.paths:  # parts, but no row: the schema, no rows
            writer.write_table(runs.schema.empty_table())


def sink_for(fmt: str, what: str, output: str | None, period: str | None) -> Any:
    """The sink of an output format: JSON Lines of records for ``adjudicate``, Parquet
    for both commands; None where only the periods are written (``report``)."""
    if fmt == "parquet":
        assert output is not None
        return Parquet(output, period)
    if fmt == "jsonl" and what == "adjudicate":
        return JsonLines(output, period)
    return None
