"""Where ``--engine stream`` writes each part's records as it is adjudicated: JSON Lines
(a line a record, as ``--format jsonl`` writes them) and Parquet (records and segments
appended a part at a time, periods at the end). A file is written beside its name and
moved into place when the stream ends well, so a stopped run leaves no half file under
the name asked for."""

from __future__ import annotations

import os
import sys
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from rulebook.document.frames import FrameAdjudication
    from rulebook.document.stream import StreamAdjudication


class JsonLines:
    """Each part's records, a line a record, to ``output`` or standard output; with
    ``period``, the records that have a segment in it."""

    def __init__(self, output: str | None, period: str | None) -> None:
        self.output, self.period = output, period
        self.handle: IO[bytes] = sys.stdout.buffer
        if output:
            self.handle = open(f"{output}.part", "wb")  # noqa: SIM115 (closed by finish)
        else:
            sys.stdout.flush()

    def write(self, part: FrameAdjudication) -> None:
        part.jsonl_frame(self.period).write_ndjson(self.handle)

    def finish(self, ok: bool, result: StreamAdjudication | None = None) -> list[str]:
        """Close the file; into place when ``ok``. The paths written."""
        if not self.output:
            self.handle.flush()
            return []
        self.handle.close()
        if not ok:
            os.unlink(f"{self.output}.part")
            return []
        os.replace(f"{self.output}.part", self.output)
        return [self.output]


class Parquet:
    """``PREFIX.records.parquet`` and ``PREFIX.segments.parquet`` appended a part at a
    time, ``PREFIX.periods.parquet`` at the end (as ``--format parquet`` names them)."""

    def __init__(self, prefix: str, period: str | None) -> None:
        self.prefix, self.period = prefix, period
        self.writers: dict[str, pq.ParquetWriter] = {}
        self.schemas: dict[str, pa.Schema] = {}

    def _append(self, name: str, table: pa.Table) -> None:
        import pyarrow.parquet as pq

        if name not in self.writers:
            self.schemas[name] = table.schema
            path = f"{self.prefix}.{name}.parquet.part"
            self.writers[name] = pq.ParquetWriter(path, table.schema, write_statistics=False)
        self.writers[name].write_table(table.cast(self.schemas[name]))

    def write(self, part: FrameAdjudication) -> None:
        import polars as pl

        records = part.records
        segments = part.segments
        if self.period is not None:
            inside = segments.filter(pl.col("period") == self.period)["id"].unique()
            records = records.filter(pl.col("id").is_in(inside.implode()))
            segments = segments.filter(pl.col("id").is_in(records["id"].implode()))
        self._append("records", records.to_arrow())
        self._append("segments", segments.to_arrow())

    def finish(self, ok: bool, result: StreamAdjudication | None = None) -> list[str]:
        """Close the files and write the periods; into place when ``ok``."""
        import polars as pl

        for writer in self.writers.values():
            writer.close()
        parts = [f"{self.prefix}.{name}.parquet" for name in ("records", "segments")]
        if not ok or result is None:
            for path in parts:
                if os.path.exists(f"{path}.part"):
                    os.unlink(f"{path}.part")
            return []
        for name, path in zip(("records", "segments"), parts, strict=True):
            if name not in self.writers:  # no record at all: an empty file of no rows
                pl.DataFrame().write_parquet(f"{path}.part")
            os.replace(f"{path}.part", path)
        periods = result.periods
        if self.period is not None:
            periods = periods.filter(pl.col("period") == self.period)
        path = f"{self.prefix}.periods.parquet"
        periods.write_parquet(path, statistics=False)
        return [*parts, path]


def sink_for(fmt: str, what: str, output: str | None, period: str | None) -> Any:
    """The sink of an output format: JSON Lines of records for ``adjudicate``, Parquet
    for both commands; None where only the periods are written (``report``)."""
    if fmt == "parquet":
        assert output is not None
        return Parquet(output, period)
    if fmt == "jsonl" and what == "adjudicate":
        return JsonLines(output, period)
    return None
