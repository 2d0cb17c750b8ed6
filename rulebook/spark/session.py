"""A Spark session: local, or the cluster given (the logs are read in :mod:`.files`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rulebook.errors import RulebookError

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


class SparkError(RulebookError):
    """The Spark run could not be done (no PySpark, no Java, a bad input path)."""


def require_pyspark() -> None:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        raise SparkError(
            "the Spark engine needs PySpark: pip install 'rulebook[spark]' (and Java 17)"
        ) from None


def session(master: str | None = None) -> SparkSession:
    """A Spark session: the given master, or a local one on two cores."""
    require_pyspark()
    import os
    import sys

    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    builder = SparkSession.builder.appName("rulebook").master(master or "local[2]")
    builder = (
        builder.config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "8")
    )
    try:
        spark = builder.getOrCreate()
        spark.sparkContext.setLogLevel("ERROR")
        return spark
    except Exception as exc:  # the JVM did not start: no Java, a bad master
        raise SparkError(f"cannot start Spark ({type(exc).__name__}: {exc})") from None
