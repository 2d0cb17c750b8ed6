"""The logs read as Spark DataFrames: Parquet, CSV (every cell text) and JSON Lines.

JSON Lines are checked as one machine reads them, in the workers, before Spark reads the
JSON: Spark's own reader keeps a key given twice (or stops on it, naming no line), writes a
lone UTF-16 surrogate as ``?`` and turns a line that is no JSON into a ``_corrupt_record``
column. Each line goes through :func:`rulebook.io.readers.json_line`, the one-machine
reader's own check, where the line lies; only the first refused line of each split comes
back to the driver, which finds its line number with one count and refuses it with the
one-machine message (``log.jsonl:3:1: the key 'end' is given twice ...``)."""

from __future__ import annotations

import contextlib
import glob
import os
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlparse

from rulebook.spark.session import SparkError

if TYPE_CHECKING:
    import pyarrow as pa
    from pyspark.sql import DataFrame, SparkSession

    from rulebook.io.readers import Opener

#: What a worker sends back: the first refused line of a split (``block``: the byte where
#: the split starts in its file; ``index``: the line's place among the split's lines).
BAD = "file string, block long, index long, value string"


def read(spark: SparkSession, paths: list[str], fmt: str | None = None) -> DataFrame:
    """Parquet, CSV or JSON Lines files (globs and directories too), every CSV cell text;
    JSON Lines refused at the first line one machine refuses (below)."""
    kind = fmt or _kind(paths[0])
    check_names(paths, kind)
    if kind in ("csv", "jsonl"):
        check_utf8(spark, paths)
    if kind == "jsonl":  # each line as one machine reads it, in the workers
        check_json_lines(spark, paths)
    reader = spark.read
    try:
        if kind == "parquet":
            return reader.parquet(*paths)
        if kind == "csv":
            frame = reader.option("header", True).option("inferSchema", False).csv(paths)
        else:
            frame = reader.json(paths)
    except Exception as exc:  # an AnalysisException names the path
        said = str(exc).splitlines()[0]
        if kind == "parquet" and "parquet" in said.lower():
            said += (
                f" (read as Parquet, as {AS_PARQUET} is; --input-format csv or jsonl reads others)"
            )
        raise SparkError(f"cannot read {', '.join(paths)}: {said}") from None
    if not frame.columns:  # empty files: no column, no record, as one machine reads them
        return spark.createDataFrame([], "id string, service string, start string")
    return frame


#: Which logs Spark reads as Parquet, unless ``--input-format`` says otherwise.
AS_PARQUET = "a folder, a glob or a name not ending in .csv, .jsonl, .ndjson or .json"

#: The suffixes of files Hadoop would open through a codec (decompressed).
COMPRESSED = (".gz", ".bz2", ".deflate", ".lz4", ".snappy", ".zst", ".xz", ".zip", ".br")


def check_names(paths: list[str], kind: str) -> None:
    """Refuse, before Spark reads a byte, a log whose file names say it is not read: a
    compressed file (Hadoop would decompress it, where one machine reads its bytes and
    refuses them), and a CSV or JSON Lines file where the files are read as Parquet (Spark
    names no file but "o34.parquet" and prints its Java trace). The files of a folder or a
    glob on the driver are looked at as Spark lists them (:func:`_named`); a path from
    elsewhere (``hdfs://``, ``s3a://``) by its name only."""
    from rulebook.io.readers import InputError

    for path in paths:
        for file in _named(path):
            lowered = file.lower()
            packed = next((s for s in COMPRESSED if lowered.endswith(s)), None)
            # (Parquet's reader opens no codec: a Parquet file so named is read)
            if packed and (kind != "parquet" or _kind(file[: -len(packed)]) != "parquet"):
                raise InputError(
                    f"{file}: a compressed file ({packed}); accepted: Parquet, CSV or JSON "
                    "Lines files, uncompressed (one machine reads no compressed log either)"
                )
            other = _kind(file)
            if kind == "parquet" and other != "parquet":
                named = "CSV" if other == "csv" else "JSON Lines"
                raise InputError(
                    f"{file}: a {named} file where the log is read as Parquet (as {AS_PARQUET}"
                    f" is); accepted: --input-format {other}, which reads every file as {named}"
                )


def _named(path: str) -> list[str]:
    """The files Spark reads for a path on the driver, by name, as Spark lists them: a
    folder's files and those of its partition folders (``key=value``); a glob's files and
    the files of the folders it matches (but for ``{a,b}``, which Python's glob does not
    read); names Spark leaves out (:func:`_hidden`) left out. Hadoop reads a ``file:`` URI
    as it is written (``a%20b`` names ``a%20b``); another path is named by itself."""
    if path.startswith("file:"):
        local: str | None = path[5:][2:] if path[5:].startswith("//") else path[5:]
    else:
        local = path if urlparse(path).scheme == "" else None
    if local is None or "{" in local:
        return [path]
    if any(c in local for c in "*?["):
        found = []
        for globbed in sorted(glob.glob(local)):
            if os.path.isdir(globbed):
                found += _listed(globbed)
            elif not _hidden(os.path.basename(globbed)):
                found.append(globbed)
        return found
    return _listed(local) if os.path.isdir(local) else [path]


def _listed(folder: str) -> list[str]:
    """A folder's files as Spark lists them: its own and its partition folders'."""
    found = []
    for entry in sorted(os.scandir(folder), key=lambda e: e.name):
        if _hidden(entry.name):
            continue
        if entry.is_dir():
            if "=" in entry.name:  # a partition; Spark reads no other folder within
                found += _listed(entry.path)
        else:
            found.append(entry.path)
    return found


def _hidden(name: str) -> bool:
    """A name Spark's file listing leaves out: ``.`` first, or ``_`` first but for a
    partition's (``_k=1``)."""
    return name.startswith(".") or (name.startswith("_") and "=" not in name)


def _kind(path: str) -> str:
    lowered = path.rstrip("/").lower()
    for suffix, kind in (
        (".csv", "csv"),
        (".jsonl", "jsonl"),
        (".ndjson", "jsonl"),
        (".json", "jsonl"),
    ):
        if lowered.endswith(suffix):
            return kind
    return "parquet"


def check_utf8(spark: SparkSession, paths: list[str]) -> None:
    """Refuse the first file of ``paths`` (by name) that is not UTF-8 text, as one machine
    refuses it: Spark's readers read such bytes as U+FFFD, and a Shift_JIS export would be
    read as services no contract covers. The driver reads each local file 1 MiB at a time
    (:func:`rulebook.io.readers.utf8_only`); the files Spark reads from elsewhere
    (``hdfs://``, ``s3a://``) are looked at by Spark, every line's bytes at once
    (:func:`_check_elsewhere`)."""
    from rulebook.io.readers import InputError, utf8_only

    try:
        files = sorted(spark.read.text(paths).inputFiles())
    except Exception:  # no such file: the reading names it
        return
    elsewhere = []
    for file in files:
        local = on_driver(file)
        if local is None:
            elsewhere.append(file)
            continue
        said = utf8_only(local, ENGINE, _name(file, paths))
        if said is not None:
            raise InputError(said)
    if elsewhere:
        _check_elsewhere(spark, paths)


#: How the refusals name the engine.
ENGINE = "--engine spark"


def on_driver(file: str) -> str | None:
    """Where the driver checks a file Spark lists: its local path; None for a file Spark
    reads from elsewhere, which Spark looks at (the tests send local files there too)."""
    return _local(file)


def _local(file: str) -> str | None:
    """The path on the driver of a file Spark lists (``file:`` or no scheme), if any."""
    parsed = urlparse(file)
    return unquote(parsed.path) if parsed.scheme in ("", "file") else None


def _check_elsewhere(spark: SparkSession, paths: list[str]) -> None:
    """Spark looks at every line of the files of ``paths`` (as given: the URIs Spark lists
    are percent-encoded, and read again as paths they name no file), ``is_valid_utf8`` on
    its bytes, in the executors: no Python, no byte sent back (the local ones were read on
    the driver and hold none). The first file (by name) with a line that is not UTF-8 is
    then read on the driver through Hadoop's file system, 1 MiB at a time, until its first
    such byte, which is refused as one machine names it."""
    from pyspark.sql import functions as F

    from rulebook.io.readers import InputError, utf8_hint, utf8_only

    lines = spark.read.option("lineSep", "\n").text(paths)
    bad = lines.where(~F.is_valid_utf8("value")).select(F.col("_metadata.file_path"))
    files = sorted(row[0] for row in bad.distinct().collect())
    if not files:
        return
    name = _name(files[0], paths)
    said = utf8_only(files[0], ENGINE, name, opener=_hadoop_opener(spark))
    raise InputError(said or f"{name}: not UTF-8 text (a line Spark read); {utf8_hint(ENGINE)}")


def _hadoop_opener(spark: SparkSession) -> Opener:
    """Opens a file Spark reads (any file system Hadoop knows) for binary reading on the
    driver: ``read`` and ``seek`` as a local file's, a Java error as :class:`OSError`."""
    context = spark.sparkContext
    jvm: Any = context._jvm
    conf = context._jsc.hadoopConfiguration()

    @contextlib.contextmanager
    def opener(uri: str) -> Iterator[_HadoopFile]:
        try:  # Spark's URI, percent-encoded: read as a URI, not as a path
            path = jvm.org.apache.hadoop.fs.Path(jvm.java.net.URI(uri))
            stream = path.getFileSystem(conf).open(path)
        except Exception as exc:  # py4j's Java error
            raise OSError(str(exc).splitlines()[0]) from None
        try:
            yield _HadoopFile(stream)
        finally:
            with contextlib.suppress(Exception):
                stream.close()

    return opener


class _HadoopFile:
    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def read(self, size: int) -> bytes:
        try:
            return bytes(self._stream.readNBytes(size))  # up to size, fewer at the end
        except Exception as exc:  # py4j's Java error
            raise OSError(str(exc).splitlines()[0]) from None

    def seek(self, offset: int) -> None:
        try:
            self._stream.seek(offset)
        except Exception as exc:
            raise OSError(str(exc).splitlines()[0]) from None


def check_json_lines(spark: SparkSession, paths: list[str]) -> None:
    """Refuse the first line (by file, then line) of ``paths`` that one machine would
    refuse, with its message; :class:`~rulebook.io.readers.InputError`."""
    from pyspark.sql import functions as F

    from rulebook.io.readers import json_line

    lines = _lines(spark, paths)
    bad = lines.mapInArrow(_first_refused, BAD).collect()
    if not bad:
        return
    first = min(bad, key=lambda r: (r["file"], r["block"], r["index"]))
    # the lines of the file's splits before this one: its number in the file
    before = lines.filter((F.col("file") == first["file"]) & (F.col("block") < first["block"]))
    number = before.count() + first["index"] + 1
    json_line(_unbom(first["value"], number == 1), f"{_name(first['file'], paths)}:{number}")
    raise SparkError(f"{first['file']}:{number}: refused in a worker, read on the driver")


def _unbom(line: str, first: bool) -> str:
    """A file's first line without the UTF-8 byte order mark (one machine reads past it)."""
    return line[1:] if first and line[:1] == "\ufeff" else line


def _lines(spark: SparkSession, paths: list[str]) -> DataFrame:
    """Each line as text with its file and split; lines end at ``\\n`` only, as on one
    machine (U+2028 and a lone CR may stand inside a line)."""
    from pyspark.sql import functions as F

    try:
        text = spark.read.option("lineSep", "\n").text(paths)
    except Exception as exc:  # an AnalysisException names the path
        raise SparkError(f"cannot read {', '.join(paths)}: {str(exc).splitlines()[0]}") from None
    return text.select(
        "value",
        F.col("_metadata.file_path").alias("file"),
        F.col("_metadata.file_block_start").alias("block"),
    )


def _first_refused(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """The first refused line of each split in a partition. A partition reads its splits
    one after another, each in order, so a line's place in its split is counted here."""
    import pyarrow as pa

    from rulebook.io.readers import InputError, json_line

    found: dict[str, list[Any]] = {"file": [], "block": [], "index": [], "value": []}
    split: tuple[str, int] | None = None
    index = -1
    done = False  # the split's first refused line is found
    for batch in batches:
        rows = batch.to_pydict()
        for value, file, block in zip(rows["value"], rows["file"], rows["block"], strict=True):
            if (file, block) != split:
                split, index, done = (file, block), -1, False
            index += 1
            line = _unbom(value or "", block == 0 and index == 0)
            if done or not line.strip():
                continue
            try:
                json_line(line, "")
            except InputError:
                for key, item in (("file", file), ("block", block), ("index", index)):
                    found[key].append(item)
                found["value"].append(value)
                done = True
    yield pa.RecordBatch.from_pydict(
        found,
        pa.schema(
            [("file", pa.string()), ("block", pa.int64()), ("index", pa.int64()),
             ("value", pa.string())]
        ),
    )  # fmt: skip


def _name(file: str, paths: list[str]) -> str:
    """The file as the user named it: the path given, when it is that one file; a local
    file of a folder or a glob by its path; any other by Spark's URI."""
    local = _local(file)
    if local is not None:
        from pathlib import Path

        for given in paths:
            if Path(given).is_file() and Path(given).resolve() == Path(local).resolve():
                return given
        return local
    return unquote(file)
