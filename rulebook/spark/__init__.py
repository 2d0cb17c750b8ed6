"""The columnar plan on Apache Spark: the same adjudication where the logs already live.

``pip install 'rulebook[spark]'`` (PySpark 4, Java 17). The work splits by service and by
time: each service's records are cut into time ranges (:mod:`.ranges`), and a range whose
edge a stretch of records crosses — records that touch or overlap, one after another —
joins the range before it, so that every grouping a verdict reads (a physical stoppage,
an event) lies in one part (:mod:`rulebook.columnar.parts`). Each part, as one Arrow
table, goes through the columnar plan on an executor
(``groupBy("service", part).applyInArrow``, :mod:`.job`). What crosses the parts is
brought together on the driver (:mod:`.driver`):

- ``caused_by`` edges: the edges and each record's own values of the ``including related``
  clauses (a ``sure`` and a ``maybe`` long a lane of 63 clauses, any number of lanes: see
  :mod:`rulebook.columnar.related`) are collected, walked in causal order on the driver,
  and each record's resolved values joined back to it before the groups run;
- ids: one id per record across the whole log;
- periods: each part returns its seconds per service and period; the driver adds them up,
  takes the periods and the planned stops over the whole log, and settles remedies (caps
  and annual counts run across periods) with the record engine's own function.

The result holds Spark DataFrames of verdicts, segments and periods, and
:meth:`SparkAdjudication.to_dict` collects the JSON document (format 1), the same bytes as
on one machine. Layer: above the document (its driver writes with the document's own
functions); imports the columnar plan, the intake and the document, never the report or
the command line.
"""

from rulebook.spark.driver import SparkAdjudication, adjudicate, unique_ids
from rulebook.spark.files import read
from rulebook.spark.job import CHUNK_BYTES, LARGE_VAR_TYPES, OUTPUT, arrow_table, bits_ddl
from rulebook.spark.ranges import RANGE_RECORDS
from rulebook.spark.session import SparkError, session

__all__ = [
    "CHUNK_BYTES",
    "LARGE_VAR_TYPES",
    "OUTPUT",
    "RANGE_RECORDS",
    "SparkAdjudication",
    "SparkError",
    "adjudicate",
    "arrow_table",
    "bits_ddl",
    "read",
    "session",
    "unique_ids",
]
